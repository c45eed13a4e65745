"""The Open edX target, built with the real command line and proven with olxcleaner.

Every capa problem's key is checked against the item as the reader gives it (``load_content``,
then ``localise`` for Italian), never against the presentation layer the exporter serialises;
the scenario's best moves are found here by enumerating every walk of the source graph. The tags
are checked against the files of the ``taxonomy`` target, which Studio imports first.
"""
from __future__ import annotations

import csv
import io
import json
import re
import tarfile
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree

from comptoir.cli import main
from comptoir.diagnostics import Report
from comptoir.i18n import localise
from comptoir.identity import media_name
from comptoir.model import (FillIn, Matching, MultipleChoice, Numeric, Scenario, Sequencing, SingleChoice,
                            TrueFalse)
from comptoir.project import load_content, locales_dir
from comptoir.resolve import resolve

from .conftest import CONTENT

olxcleaner = pytest.importorskip("olxcleaner", reason="olxcleaner (test extra) validates the course exports")
from olxcleaner.exceptions import ErrorLevel  # noqa: E402
from olxcleaner.reporting import report_error_summary, report_errors  # noqa: E402

COURSES = ("demo", "sample")
LANGUAGES = ("fr", "it")
CASES = [(course, language) for course in COURSES for language in LANGUAGES]
TRUE_FALSE = {"fr": ("Vrai", "Faux"), "it": ("Vero", "Falso")}
#: Studio's own exports repeat these course settings in course/<run>.xml and policy.json.
REPEATED = {"display_name", "language", "start", "end"}


def build(out: Path, courses=COURSES, languages=LANGUAGES, targets=("olx",)) -> Path:
    argv = ["--content", str(CONTENT), "build", "--quiet", "--out", str(out)]
    for flag, values in (("--target", targets), ("--course", courses), ("--locale", languages)):
        for value in values:
            argv += [flag, value]
    assert main(argv) == 0
    return out


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("olx") / "dist")


@pytest.fixture(scope="module")
def exported(dist: Path, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Each archive extracted: (course, language) → its ``course/`` folder."""
    folders = {}
    for course, language in CASES:
        target = tmp_path_factory.mktemp(f"{course}-{language}")
        with tarfile.open(dist / "olx" / f"{course}.{language}.tar.gz") as archive:
            archive.extractall(target, filter="data")
        folders[course, language] = target / "course"
    return folders


@lru_cache(maxsize=None)
def source(course: str, language: str):
    """The course as the readers give it, localised: the oracle."""
    report = Report(CONTENT.parent)
    content = load_content(CONTENT, report)
    assert not report.errors
    resolved = resolve(content, course)
    return localise(resolved, language, locales_dir(content))[0]


def text(node_or_markup) -> str:
    """What a reader sees, for comparing HTML with Markdown sources: no markup, one kind of
    apostrophe, whitespace collapsed."""
    if isinstance(node_or_markup, str):
        raw = re.sub(r"[*_`]", "", node_or_markup)
    else:
        raw = "".join(node_or_markup.itertext())
    return " ".join(raw.replace("\u2019", "'").split())


def choice_text(choice: etree._Element) -> str:
    """A capa choice's own text, without its hint."""
    copy = etree.fromstring(etree.tostring(choice))
    for hint in copy.findall("choicehint"):
        copy.remove(hint)
    return text(copy)


def best_first_moves(item: Scenario) -> set[int]:
    """Positions of the start node's choices that begin a shortest walk to the best outcome, found
    by enumerating every walk (the graphs are small and acyclic)."""
    nodes = {n.id: n for n in item.nodes}
    value = {"success": 1.0, "partial": 0.5, "failure": 0.0}
    walks = []

    def walk(node_id: str, first: int | None, length: int) -> None:
        node = nodes[node_id]
        if node.outcome:
            walks.append((value[node.outcome], -length, first))
            return
        for position, choice in enumerate(node.choices):
            walk(choice.next, position if first is None else first, length + 1)

    walk(item.start, None, 0)
    best = max(w[:2] for w in walks)
    return {first for *score, first in walks if tuple(score) == best}


# --- the archive ------------------------------------------------------------------------------

@pytest.mark.parametrize("course,language", CASES)
def test_archive_is_one_folder_with_fixed_metadata(dist: Path, course: str, language: str) -> None:
    data = (dist / "olx" / f"{course}.{language}.tar.gz").read_bytes()
    assert data[:2] == b"\x1f\x8b" and not data[3] & 0x08, "a gzip header with no file name"
    stamp = int.from_bytes(data[4:8], "little")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        members = archive.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names)
    assert {n.split("/")[0] for n in names} == {"course"}
    assert members[0].name == "course" and members[0].isdir()
    for member in members:
        assert (member.mtime, member.uid, member.gid, member.uname, member.gname) == (stamp, 0, 0, "", "")
        assert member.mode == (0o755 if member.isdir() else 0o644) and (member.isdir() or member.isfile())
    assert "course/course.xml" in names and f"course/course/{language}.xml" in names


def test_two_builds_are_byte_identical(dist: Path, tmp_path: Path) -> None:
    again = build(tmp_path / "again")
    for course, language in CASES:
        name = f"olx/{course}.{language}.tar.gz"
        assert (again / name).read_bytes() == (dist / name).read_bytes(), name
    entries = json.loads((again / "manifest.json").read_text(encoding="utf-8"))["artifacts"]
    assert sorted(e["path"] for e in entries) == sorted(f"olx/{c}.{l}.tar.gz" for c, l in CASES)


# --- olxcleaner ---------------------------------------------------------------------------------

@pytest.mark.parametrize("course,language", CASES)
def test_olxcleaner_finds_no_error(exported, course: str, language: str) -> None:
    _, errorstore, url_names = olxcleaner.validate(str(exported[course, language]), steps=8,
                                                   allowed_xblocks=["comptoir_adaptive"])
    report = "\n".join(report_errors(errorstore) + report_error_summary(errorstore))
    errors = [e for e in errorstore.errors if e.level_val >= ErrorLevel.ERROR.value]
    assert not errors, report
    warnings = [e for e in errorstore.errors if e.level_val == ErrorLevel.WARNING.value]
    assert {type(e).__name__ for e in warnings} <= {"SettingOverride"}, report
    assert {e.description.rsplit("'", 2)[-2] for e in warnings} <= REPEATED, report
    assert len(url_names) > 10, "the whole outline was read"


def test_olxcleaner_sees_the_xblock(exported) -> None:
    """Without the XBlock allowed, its tag is the one unexpected tag: the check above is not vacuous."""
    _, errorstore, _ = olxcleaner.validate(str(exported["demo", "fr"]), steps=8)
    unexpected = [e for e in errorstore.errors if type(e).__name__ == "UnexpectedTag"]
    assert len(unexpected) == 1 and "<comptoir_adaptive>" in unexpected[0].description


# --- problems against the sources ----------------------------------------------------------------

@pytest.mark.parametrize("course,language", CASES)
def test_each_problem_keys_its_source_item(exported, course: str, language: str) -> None:
    folder = exported[course, language]
    items = source(course, language).items
    problems = {p.stem for p in (folder / "problem").glob("*.xml")}
    assert problems == {f"item_{item.id}" for item in items}, "one problem per item of the course, no other"
    for item in items:
        problem = etree.parse(str(folder / "problem" / f"item_{item.id}.xml")).getroot()
        assert problem.get("markdown") is None and problem.get("weight") == "1", item.id
        assert problem.get("showanswer") == "finished" and int(problem.get("max_attempts")) >= 1, item.id
        check = {TrueFalse: check_true_false, MultipleChoice: check_choices, SingleChoice: check_choices,
                 FillIn: check_fill_in, Numeric: check_numeric, Matching: check_matching,
                 Sequencing: check_sequencing, Scenario: check_scenario}[type(item)]
        check(problem, item, language)


def check_true_false(problem, item: TrueFalse, language: str) -> None:
    choices = problem.findall("multiplechoiceresponse/choicegroup/choice")
    assert [choice_text(c) for c in choices] == list(TRUE_FALSE[language]), item.id
    right = TRUE_FALSE[language][0 if item.answer else 1]
    assert [choice_text(c) for c in choices if c.get("correct") == "true"] == [right], item.id
    hints = [text(c.find("choicehint")) for c in choices]
    assert hints == [text(item.feedback[k]) for k in ("true", "false")], item.id


def check_choices(problem, item: SingleChoice, language: str) -> None:
    path = ("choiceresponse/checkboxgroup" if isinstance(item, MultipleChoice)
            else "multiplechoiceresponse/choicegroup")
    choices = problem.findall(f"{path}/choice")
    assert [choice_text(c) for c in choices] == [text(c.text) for c in item.choices], item.id
    assert [c.get("correct") == "true" for c in choices] == [c.correct for c in item.choices], item.id
    for shown, written in zip(choices, item.choices):
        hint = shown.find("choicehint")
        assert text(hint) == text(written.feedback), item.id
        assert hint.get("selected") == ("true" if isinstance(item, MultipleChoice) else None)


def check_fill_in(problem, item: FillIn, language: str) -> None:
    response = problem.find("stringresponse")
    assert response.get("type") == "ci", item.id
    accepted = [response.get("answer")] + [a.get("answer") for a in response.findall("additional_answer")]
    expected = {variant for answer in item.answers for variant in (answer, answer.replace("'", "\u2019"))}
    assert set(accepted) == expected and len(accepted) == len(expected), item.id
    assert response.get("answer") == item.answers[0]


def check_numeric(problem, item: Numeric, language: str) -> None:
    response = problem.find("numericalresponse")
    assert float(response.get("answer")) == item.answer, item.id
    (tolerance,) = response.findall("responseparam")
    assert tolerance.get("type") == "tolerance" and float(tolerance.get("default")) == item.tolerance, item.id


def dropdowns(problem) -> list[tuple[str, list[str], str]]:
    """Each optionresponse: its label, its options, its correct option."""
    found = []
    for response in problem.findall("optionresponse"):
        options = response.findall("optioninput/option")
        (right,) = [o for o in options if o.get("correct") == "True"]
        found.append((text(response.find("label")), [text(o) for o in options], text(right)))
    return found


def check_matching(problem, item: Matching, language: str) -> None:
    shown = dropdowns(problem)
    assert [label for label, _, _ in shown] == [text(p.left) for p in item.pairs], item.id
    assert [right for _, _, right in shown] == [text(p.right) for p in item.pairs], item.id
    for _, options, _ in shown:
        assert sorted(options) == sorted(text(p.right) for p in item.pairs), item.id


def check_sequencing(problem, item: Sequencing, language: str) -> None:
    shown = dropdowns(problem)
    assert [label for label, _, _ in shown] == [f"{n}." for n in range(1, len(item.steps) + 1)], item.id
    assert [right for _, _, right in shown] == [text(s.text) for s in item.steps], item.id
    assert shown[0][1] != [text(s.text) for s in item.steps], "the options never list the steps in order"


def check_scenario(problem, item: Scenario, language: str) -> None:
    start = next(n for n in item.nodes if n.id == item.start)
    choices = problem.findall("multiplechoiceresponse/choicegroup/choice")
    assert [choice_text(c) for c in choices] == [text(c.text) for c in start.choices], item.id
    assert {i for i, c in enumerate(choices) if c.get("correct") == "true"} == best_first_moves(item), item.id
    assert [text(c.find("choicehint")) for c in choices] == [text(c.feedback) for c in start.choices], item.id
    solution = problem.find("multiplechoiceresponse/solution")
    assert solution is not None and len(solution.findall(".//ol/li")) >= 2, "the best path is in the solution"


# --- structure, policies, tags ---------------------------------------------------------------------

def read(folder: Path, kind: str, url_name: str) -> etree._Element:
    return etree.parse(str(folder / kind / f"{url_name}.xml")).getroot()


@pytest.mark.parametrize("course,language", CASES)
def test_outline_policies_and_adaptive_block(exported, course: str, language: str) -> None:
    folder = exported[course, language]
    rc = source(course, language)
    root = etree.parse(str(folder / "course.xml")).getroot()
    assert (root.get("url_name"), root.get("org"), root.get("course")) == (language, "comptoir", course)
    run = read(folder, "course", language)
    assert run.get("language") == language
    chapters = [read(folder, "chapter", c.get("url_name")) for c in run]
    sequentials = [(c, read(folder, "sequential", s.get("url_name"))) for c in chapters for s in c]
    codes = [rc.framework.ref(u).partition(":")[2] for u in rc.units]
    assert [s.get("display_name").split(" ", 1)[0] for _, s in sequentials[:-1]] == codes
    domains = [c.get("display_name").split(" · ", 1)[0] for c in chapters[:-1]]
    assert domains == list(dict.fromkeys(rc.framework.domain_of(u).key for u in rc.units))
    problems = 0
    for _, sequential in sequentials[:-1]:
        for pointer in sequential:
            vertical = read(folder, "vertical", pointer.get("url_name"))
            assert vertical[0].tag == "html", "each unit opens with its lesson"
            assert all(child.tag == "problem" for child in vertical[1:])
            problems += len(vertical) - 1
    assert problems == len(rc.items)
    (block,) = read(folder, "vertical", read(folder, "sequential", "adaptive_sequence")[0].get("url_name"))
    assert block.tag == "comptoir_adaptive"
    assert block.get("competencies").split() == list(rc.unit_refs())
    assert float(block.get("threshold")) == rc.course.mastery_threshold

    policy = json.loads((folder / "policies" / language / "policy.json").read_text(encoding="utf-8"))
    settings = policy[f"course/{language}"]
    assert settings["advanced_modules"] == ["comptoir_adaptive"] and settings["language"] == language
    assert settings["start"] == run.get("start") and (folder / "static" / settings["course_image"]).is_file()
    grading = json.loads((folder / "policies" / language / "grading_policy.json").read_text(encoding="utf-8"))
    assert grading["GRADE_CUTOFFS"] == {"Pass": rc.course.mastery_threshold}
    graders = {g["type"]: g for g in grading["GRADER"]}
    assert abs(sum(g["weight"] for g in graders.values()) - 1) < 1e-9
    formats = [s.get("format") for _, s in sequentials]
    for kind, grader in graders.items():
        assert grader["min_count"] == formats.count(kind) and grader["drop_count"] == 0
    assert formats[-1] in graders and all(s.get("graded") == "true" for _, s in sequentials if s.get("format"))
    assert json.loads((folder / "policies" / "assets.json").read_text()) == {}
    for lesson in rc.lessons:
        for src in lesson.media:
            name = media_name(lesson.id, src)
            assert (folder / "static" / name).read_bytes() == lesson.media[src].read_bytes()
            assert f'src="/static/{name}"' in (folder / "html" / f"lesson_{lesson.id}.html").read_text()


@pytest.fixture(scope="module")
def taxonomy_values(tmp_path_factory) -> dict[str, set[str]]:
    """The ``taxonomy`` target's files: export id (file stem) → tag values."""
    out = build(tmp_path_factory.mktemp("taxonomy") / "dist", courses=(), languages=(), targets=("taxonomy",))
    values = {}
    for path in (out / "taxonomy").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            values[path.stem] = {row["value"] for row in csv.DictReader(handle)}
    return values


@pytest.mark.parametrize("course,language", CASES)
def test_tags_are_values_of_the_taxonomy_files(exported, taxonomy_values, course: str, language: str) -> None:
    folder = exported[course, language]
    rc = source(course, language)
    with (folder / "tags.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = list(rows[0])[3:]
    assert list(rows[0])[:3] == ["Name", "Type", "ID"] and columns[0] == f"{rc.framework.id}.{language}"
    for row in rows:
        kind, url_name = row["Type"], row["ID"]
        assert (folder / kind / f"{url_name}.xml").is_file() or kind == "comptoir_adaptive", url_name
        for column in columns:
            assert column in taxonomy_values, f"tags.csv names a taxonomy the taxonomy target does not write: {column}"
            tags = [t.strip() for t in row[column].split(";") if t.strip()]
            assert set(tags) <= taxonomy_values[column], (url_name, column)
    by_id = {row["ID"]: row for row in rows}
    own = f"{rc.framework.id}.{language}"
    for item in rc.items:
        tagged = {t.strip() for t in by_id[f"item_{item.id}"][own].split(";")}
        codes = {value.split(" ", 1)[0] for value in tagged}
        assert {ref.partition(":")[2] for ref in rc.units_of(item.competencies)} <= codes, item.id


@pytest.mark.parametrize("language", ["it", "en"])
def test_every_word_the_export_shows_is_translated(language: str) -> None:
    from comptoir.exporters.olx import WORDS
    from comptoir.i18n import words

    shown = words(language)
    assert [w for w in WORDS if shown(w) == w] == [], f"{language}: untranslated words of the olx export"
