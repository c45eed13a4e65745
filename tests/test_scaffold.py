"""`comptoir init` and `comptoir course new`: what they write is accepted by check and build at once,
and nothing an author wrote is ever replaced."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from comptoir.build import exporters
from comptoir.cli import main
from comptoir.commands.course import interview
from comptoir.diagnostics import Report
from comptoir.project import load_content
from comptoir.scaffold import CourseSpec, ScaffoldError, course_yaml, init_project

from .conftest import REPO

DATA = REPO / "tests" / "data" / "anki"


def _build(content: Path, out: Path, *args: str) -> dict:
    assert main(["--content", str(content), "build", "--quiet", "--out", str(out), *args]) == 0
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_init_makes_a_project_that_checks_and_builds_for_every_target(tmp_path, capsys):
    project = tmp_path / "ecole"
    assert main(["init", str(project)]) == 0
    for folder in ("content/frameworks", "content/crosswalks", "content/lessons", "content/courses", "locales"):
        assert (project / folder).is_dir(), folder
    report = Report(project)
    content = load_content(project / "content", report)
    assert report.diagnostics == []  # no error and no item-writing warning: an example to copy
    (framework,) = content.frameworks.values()
    assert len(framework.units()) == 2 and all(u.text_in("fr") for u in framework.units())
    (course,) = content.courses.values()
    # Counted from the files, not from the model: ≥ 6 items of ≥ 3 types per competency.
    for unit in framework.units():
        ref = f"{framework.id}:{unit.key}"
        lessons = [p for p in (project / "content" / "lessons").rglob("*.md") if ref in p.read_text(encoding="utf-8")]
        types = [t for p in lessons
                 for t in re.findall(r"^type: (\S+)|^:::\{(scenario)\}", p.read_text(encoding="utf-8"), flags=re.M)]
        assert len(lessons) == 1 and len(types) >= 6 and len({a or b for a, b in types}) >= 3, ref
    manifest = _build(project / "content", project / "dist")
    per_course = {a["target"] for a in manifest["artifacts"] if a["course"] == course.id}
    assert per_course == {name for name, ep in exporters().items() if ep.load().scope == "course"}


def test_init_refuses_a_folder_that_holds_anything(tmp_path, capsys):
    project = tmp_path / "taken"
    project.mkdir()
    (project / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(project)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in project.iterdir()] == ["notes.txt"]
    with pytest.raises(ScaffoldError):
        init_project(project / "notes.txt")
    assert main(["init", str(tmp_path / "empty")]) == 0  # absent is fine, so is empty
    (tmp_path / "also-empty").mkdir()
    assert main(["init", str(tmp_path / "also-empty")]) == 0


@pytest.fixture()
def content(tmp_path) -> Path:
    root = tmp_path / "project" / "content"
    shutil.copytree(DATA, root)
    return root


def test_course_new_with_flags_is_checked_and_built_for_every_target(content, tmp_path, capsys):
    assert main(["--content", str(content), "course", "new", "tf-accueil", "--framework", "tf", "--include", "x",
                 "--locale", "fr:fr_CH", "--locale", "it:it_CH", "--threshold", "0.9",
                 "--title", "Accueil : saluer et rendre la monnaie"]) == 0
    out = capsys.readouterr().out
    written = yaml.safe_load((content / "courses" / "tf-accueil.yaml").read_text(encoding="utf-8"))
    assert written == {"title": "Accueil : saluer et rendre la monnaie", "framework": "tf", "include": ["x"],
                       "locales": {"fr": "fr_CH", "it": "it_CH"}, "mastery_threshold": 0.9}
    # What it covers, straight away, with the competencies' wording.
    assert "x.1" in out and "saluer le client" in out and "x.2" in out and "y.1" not in out
    assert "comptoir check accepts the course" in out
    assert main(["--content", str(content), "check"]) == 0
    manifest = _build(content, tmp_path / "dist", "--course", "tf-accueil")
    built = {(a["target"], a["locale"]) for a in manifest["artifacts"] if a["course"] == "tf-accueil"}
    course_targets = {name for name, ep in exporters().items() if ep.load().scope == "course"}
    assert built == {(t, lang) for t in course_targets for lang in ("fr", "it")}


def test_course_new_reports_what_is_missing(content, capsys):
    lesson = content / "lessons" / "demo" / "y1-apaiser.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text[:text.index(":::{quiz}")], encoding="utf-8")  # y.1 keeps its lesson, loses its items
    assert main(["--content", str(content), "course", "new", "tf-y", "--framework", "tf", "--include", "y"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"y\.1\s+1\s+0\s+\d+\s+apaiser un client mécontent.*← gap", out)
    assert "missing: y.1" in out
    assert (content / "courses" / "tf-y.yaml").is_file()


def test_course_new_never_overwrites_and_keeps_no_wrong_file(content, capsys):
    before = (content / "courses" / "demo.yaml").read_bytes()
    assert main(["--content", str(content), "course", "new", "demo", "--framework", "tf"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (content / "courses" / "demo.yaml").read_bytes() == before
    assert main(["--content", str(content), "course", "new", "other", "--framework", "nope"]) == 2
    assert "unknown framework 'nope' (known: tf, tg)" in capsys.readouterr().err
    assert main(["--content", str(content), "course", "new", "other", "--framework", "tf", "--include", "zz"]) == 2
    err = capsys.readouterr().err
    assert "'zz' is not a code of framework 'tf'" in err and "was not kept" in err
    assert main(["--content", str(content), "course", "new", "other", "--framework", "tf",
                 "--locale", "de:de_CH"]) == 2
    assert not (content / "courses" / "other.yaml").exists()
    assert main(["--content", str(content), "course", "new", "Bad_Id", "--framework", "tf"]) == 2


def test_course_new_without_flags_outside_a_terminal_asks_for_the_framework(content, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--content", str(content), "course", "new", "asked"]) == 2
    assert "--framework is required" in capsys.readouterr().err


def test_interview_offers_defaults_and_takes_answers(content):
    loaded = load_content(content, Report())
    answers = iter(["tg", "", "fr:fr_FR en", "zéro", "0,85", ""])
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    spec = interview(CourseSpec("asked", "", ""), loaded, ask)
    assert asked[0] == "framework [tf]: " and asked[1].endswith("[all]: ")
    assert (spec.framework, spec.include, spec.locales, spec.threshold) == ("tg", (), {"fr": "fr_FR", "en": "en"}, 0.85)
    assert spec.title == loaded.frameworks["tg"].title["fr"]


def test_course_yaml_quotes_what_french_typography_would_break():
    text = course_yaml(CourseSpec("c", "tf", "Accueil : « bonjour »", ("x.1",), {"fr": "fr_CH"}, 0.9, "Deux : lignes"))
    assert yaml.safe_load(text) == {"title": "Accueil : « bonjour »", "description": "Deux : lignes\n",
                                    "framework": "tf", "include": ["x.1"], "locales": {"fr": "fr_CH"},
                                    "mastery_threshold": 0.9}
