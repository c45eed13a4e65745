"""`comptoir build` never loses data: the output folder is comptoir's only when it is safe, a partial
build keeps what it does not rebuild, failures and Ctrl-C leave the previous output as it was.

Every test here failed on the build that wiped `--out` folders (DESIGN §6, issue 9).
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from comptoir import build as build_module
from comptoir import project as project_module
from comptoir import output
from comptoir.cli import main
from comptoir.exporters.base import Artifact
from comptoir.exporters.case import CaseExporter

from .conftest import CONTENT, REPO
from .helpers import check_tree
from .test_check import LESSON

FAST = ("--target", "case", "--target", "taxonomy")


def _run(*args: str, content: Path = CONTENT) -> int:
    return main(["--content", str(content), "build", "--quiet", *args])


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: what "left intact" is compared against."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _manifest(out: Path) -> list[dict]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["artifacts"]


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    """A previous build of the fast targets, copied by the tests that need an existing dist/."""
    out = tmp_path_factory.mktemp("baseline") / "dist"
    assert _run("--out", str(out), *FAST) == 0
    return out


@pytest.fixture()
def dist(baseline: Path, tmp_path: Path) -> Path:
    out = tmp_path / "dist"
    shutil.copytree(baseline, out)
    return out


@pytest.fixture()
def content_never_read(monkeypatch):
    """Proves a refusal comes before any work: reading the content fails the test."""
    def read_content(*_):
        raise AssertionError("the content was read before the refusal")
    monkeypatch.setattr(project_module, "read_content", read_content)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the project's sources (content/ and locales/ side by side), as a user has it."""
    root = tmp_path / "project"
    for name in ("content", "locales"):
        shutil.copytree(REPO / name, root / name)
    return root


# ---- the output folder is comptoir's only when it is safe ----

def test_an_existing_folder_of_user_files_is_refused_and_left_intact(tmp_path, capsys, content_never_read):
    mine = tmp_path / "Documents"
    (mine / "taxes").mkdir(parents=True)
    (mine / "letter.odt").write_bytes(b"dear")
    (mine / "taxes" / "2024.pdf").write_bytes(b"%PDF")
    before = _snapshot(mine)
    assert _run("--out", str(mine), *FAST) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"refusing to use {mine}" in err and "--out" in err
    assert _snapshot(mine) == before


def test_out_dot_in_the_project_is_refused_and_the_sources_are_intact(project, monkeypatch, capsys,
                                                                      content_never_read):
    monkeypatch.chdir(project)
    before = _snapshot(project)
    assert main(["build", "--quiet", "--out", ".", *FAST]) == 2
    assert "holds the content folder" in capsys.readouterr().err
    assert _snapshot(project) == before
    assert sorted(p.name for p in project.iterdir()) == ["content", "locales"]


def test_out_dot_is_refused_even_when_the_folder_is_empty(tmp_path, monkeypatch, capsys, content_never_read):
    here = tmp_path / "empty"
    here.mkdir()
    monkeypatch.chdir(here)
    assert _run("--out", ".", *FAST) == 2
    assert "current folder" in capsys.readouterr().err
    assert list(here.iterdir()) == []


@pytest.mark.parametrize("where", ["out holds the content", "out is inside the content"])
def test_the_content_root_is_never_inside_or_above_the_output(project, where, capsys, content_never_read):
    content = project / "content"
    out = project if where == "out holds the content" else content / "lessons" / "dist"
    before = _snapshot(project)
    assert _run("--out", str(out), *FAST, content=content) == 2
    assert "content folder" in capsys.readouterr().err
    assert _snapshot(project) == before


def test_a_file_dropped_into_dist_is_refused_and_kept(dist, capsys, content_never_read):
    (dist / "case" / "notes.txt").write_text("mine", encoding="utf-8")
    before = _snapshot(dist)
    assert _run("--out", str(dist), *FAST) == 2
    assert "case/notes.txt is not listed" in capsys.readouterr().err
    assert _snapshot(dist) == before


@pytest.mark.parametrize("manifest", ['{"artifacts": [{"course": "x", "target": "case", "locale": "fr", '
                                      '"path": "../../etc/passwd", "bytes": 1, "sha256": "0"}]}',
                                      "not json", '{"files": []}', '{"artifacts": [{"path": "a"}]}'])
def test_a_manifest_comptoir_did_not_write_does_not_make_a_folder_comptoir_s(tmp_path, manifest):
    out = tmp_path / "dist"
    out.mkdir()
    (out / "manifest.json").write_text(manifest, encoding="utf-8")
    with pytest.raises(output.OutputError, match="no comptoir manifest.json"):
        output.claim(out)


# ---- partial builds replace only what they rebuild ----

def test_a_partial_build_keeps_every_artifact_it_does_not_rebuild(tmp_path, monkeypatch):
    out = tmp_path / "dist"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert _run("--out", str(out), "--course", "demo", "--target", "anki", "--target", "taxonomy") == 0
    first, first_entries = _snapshot(out), {e["path"]: e for e in _manifest(out)}
    assert {"anki/demo.fr.apkg", "anki/demo.it.apkg", "anki/demo.en.apkg", "taxonomy/ch-arc.fr.csv"} <= set(first)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # a rebuilt deck differs from the first one
    assert _run("--out", str(out), "--target", "anki", "--locale", "it", "--course", "demo") == 0
    second, entries = _snapshot(out), _manifest(out)
    assert set(second) == set(first)
    assert second["anki/demo.it.apkg"] != first["anki/demo.it.apkg"]
    for path in set(first) - {"anki/demo.it.apkg", "manifest.json"}:
        assert second[path] == first[path], path
    for entry in entries:
        assert entry["sha256"] == hashlib.sha256(second[entry["path"]]).hexdigest()
        assert entry["bytes"] == len(second[entry["path"]])
        if entry["path"] != "anki/demo.it.apkg":
            assert entry == first_entries[entry["path"]]
    assert [e["path"] for e in entries] == sorted(first_entries)


def _artifact(path: str, data: bytes, target: str = "case", course: str = "ch-arc", locale: str = "fr") -> Artifact:
    return Artifact(course, target, locale, path, data)


def test_a_full_build_removes_artifacts_no_longer_produced_and_a_scoped_one_only_its_own(tmp_path):
    out = tmp_path / "dist"
    output.write([_artifact("case/old.fr.json", b"old"), _artifact("anki/gone.fr.apkg", b"deck", "anki", "gone"),
                  _artifact("anki/gone.it.apkg", b"deck", "anki", "gone", "it")], out)
    output.write([_artifact("case/new.fr.json", b"new")], out, output.Scope(locales=frozenset({"it"})))
    assert sorted(_snapshot(out)) == ["anki/gone.fr.apkg", "case/new.fr.json", "case/old.fr.json", "manifest.json"]
    output.write([_artifact("case/new.fr.json", b"new")], out, output.Scope(targets=frozenset({"anki"})))
    assert sorted(_snapshot(out)) == ["case/new.fr.json", "case/old.fr.json", "manifest.json"]
    output.write([_artifact("case/new.fr.json", b"new")], out)
    assert sorted(_snapshot(out)) == ["case/new.fr.json", "manifest.json"]


def test_asking_for_every_target_is_no_target_filter():
    request = build_module.Request(("anki", "case", "taxonomy"), (), ("demo",))
    assert output.Scope.of(request, ["anki", "case", "taxonomy"]) == output.Scope(courses=frozenset({"demo"}))
    assert output.Scope.of(request, ["anki", "case", "olx", "taxonomy"]).targets == {"anki", "case", "taxonomy"}


# ---- permissions, write errors, Ctrl-C ----

@pytest.mark.parametrize(("umask", "folders", "files"), [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_permissions_follow_the_umask(tmp_path, umask, folders, files):
    previous = os.umask(umask)
    try:
        output.write([_artifact("case/a.fr.json", b"{}")], tmp_path / "dist")
    finally:
        os.umask(previous)
    out = tmp_path / "dist"
    assert stat.S_IMODE(out.stat().st_mode) == folders
    assert stat.S_IMODE((out / "case").stat().st_mode) == folders
    assert stat.S_IMODE((out / "case" / "a.fr.json").stat().st_mode) == files
    assert stat.S_IMODE((out / "manifest.json").stat().st_mode) == files


def _one_line_no_traceback(err: str, start: str) -> None:
    """The error is one line; the content's warnings (item-writing advice) may come before it."""
    lines = [line for line in err.splitlines() if "warning[" not in line and not line.startswith("    hint:")]
    assert len(lines) == 1 and lines[0].startswith(start) and "Traceback" not in err, err


def test_a_read_only_output_parent_is_one_line_and_exit_1(tmp_path, capsys):
    parent = tmp_path / "readonly"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        try:
            (parent / "probe").mkdir()
        except PermissionError:
            pass
        else:
            pytest.skip("this user writes into read-only folders (root with CAP_DAC_OVERRIDE); "
                        "the injected write errors below cover the same path")
        assert _run("--out", str(parent / "dist"), *FAST) == 1
    finally:
        parent.chmod(0o755)
    _one_line_no_traceback(capsys.readouterr().err, f"comptoir build: cannot write {parent / 'dist'}: Permission denied")
    assert list(parent.iterdir()) == []


def test_an_output_parent_that_is_a_file_is_one_line_and_exit_1(tmp_path, capsys):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert _run("--out", str(tmp_path / "file" / "dist"), *FAST) == 1
    _one_line_no_traceback(capsys.readouterr().err, f"comptoir build: cannot write {tmp_path / 'file' / 'dist'}: ")
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "No space left on device"),
                                              (errno.EROFS, "Read-only file system"),
                                              (errno.EACCES, "Permission denied")])
def test_a_write_error_mid_build_leaves_the_previous_output_and_no_staging(dist, monkeypatch, capsys, code, reason):
    before = _snapshot(dist)
    put, calls = output._put, []

    def failing_put(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(code, os.strerror(code), str(path))
        put(path, data)
    monkeypatch.setattr(output, "_put", failing_put)
    assert _run("--out", str(dist), *FAST) == 1
    _one_line_no_traceback(capsys.readouterr().err, f"comptoir build: cannot write {dist}: {reason}")
    assert _snapshot(dist) == before
    assert _leftovers(dist.parent) == []


def test_ctrl_c_in_an_exporter_exits_130_and_leaves_the_previous_output(dist, monkeypatch, capsys):
    before = _snapshot(dist)

    def interrupted(*_):
        raise KeyboardInterrupt
    monkeypatch.setattr(CaseExporter, "export", interrupted)
    assert _run("--out", str(dist), *FAST) == 130
    assert capsys.readouterr().err == "comptoir: interrupted\n"
    assert _snapshot(dist) == before
    assert _leftovers(dist.parent) == []


def test_ctrl_c_while_writing_removes_the_staging_folder(dist, monkeypatch, capsys):
    before = _snapshot(dist)
    put, calls = output._put, []

    def interrupted_put(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        put(path, data)
    monkeypatch.setattr(output, "_put", interrupted_put)
    assert _run("--out", str(dist), *FAST) == 130
    assert capsys.readouterr().err == "comptoir: interrupted\n"
    assert len(calls) == 2  # the interruption came after the staging folder had files
    assert _snapshot(dist) == before
    assert _leftovers(dist.parent) == []


# ---- the selection is checked before the content is read ----

@pytest.mark.parametrize(("args", "message"), [
    (("--target", "pdf"), "unknown target 'pdf' (known: "),
    (("--course", "nope"), "unknown course 'nope'"),
    (("--course", "../courses/demo"), "unknown course '../courses/demo'"),
])
def test_an_unknown_target_or_course_exits_2_before_reading_content(tmp_path, capsys, content_never_read,
                                                                   args, message):
    assert _run("--out", str(tmp_path / "dist"), *args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"comptoir build: {message}") and err.count("\n") == 1
    assert not (tmp_path / "dist").exists()


def test_an_unknown_locale_exits_2_before_reading_content(tmp_path, capsys, content_never_read):
    with pytest.raises(SystemExit) as exit_:
        _run("--out", str(tmp_path / "dist"), "--locale", "de")
    assert exit_.value.code == 2
    assert "invalid choice: 'de' (choose from 'fr', 'it', 'en')" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists()


def test_a_locale_no_selected_course_has_exits_2_and_writes_nothing(tmp_path, capsys):
    # Every shipped course has all three languages now: a copy of the test course without Italian.
    content = tmp_path / "content"
    shutil.copytree(REPO / "tests" / "data" / "anki", content)
    course = content / "courses" / "demo.yaml"
    course.write_text(course.read_text(encoding="utf-8").replace("it: it_CH, ", ""), encoding="utf-8")
    assert _run("--out", str(tmp_path / "dist"), "--course", "demo", "--locale", "it", *FAST, content=content) == 2
    assert capsys.readouterr().err == ("comptoir build: none of the selected courses (demo) has the locale 'it' "
                                       "(they have: en, fr)\n")
    assert not (tmp_path / "dist").exists()


# ---- no file outside the content folder reaches an artifact ----

@pytest.mark.parametrize("how", ["dot-dot in prose", "dot-dot in a quiz prompt", "symbolic link"])
def test_media_outside_the_content_is_an_error_and_nothing_is_built(project, tmp_path, capsys, how):
    escape = "../" * 12 + "etc/passwd"
    lesson = LESSON.replace("inj-q1", "inj-media-q1")
    if how == "dot-dot in prose":
        lesson = lesson.replace("Reformuler, c'est", f"![Schéma]({escape})\n\nReformuler, c'est", 1)
        needle = "![Schéma]"
    elif how == "dot-dot in a quiz prompt":
        lesson = lesson.replace("prompt: |\n", f"prompt: |\n  ![Schéma]({escape})\n", 1)
        needle = ":::{quiz}"
    else:
        (project / "content" / "lessons" / "injected").mkdir(parents=True)
        (project / "content" / "lessons" / "injected" / "schema.png").symlink_to("/etc/hostname")
        lesson = lesson.replace("Reformuler, c'est", "![Schéma](schema.png)\n\nReformuler, c'est", 1)
        needle = "![Schéma]"
    path = project / "content" / "lessons" / "injected" / "inj-media.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(lesson, encoding="utf-8")
    line = next(i for i, text in enumerate(lesson.splitlines(), 1) if needle in text)

    found = [(d.path, d.line, d.code) for d in check_tree(project / "content")]
    assert found == [("content/lessons/injected/inj-media.md", line, "media-outside-content")]
    assert main(["--content", str(project / "content"), "check"]) == 1
    assert "outside the content folder" in capsys.readouterr().err
    assert _run("--out", str(tmp_path / "dist"), *FAST, content=project / "content") == 1
    assert "media-outside-content" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists()


def test_a_symbolic_link_inside_the_content_is_fine(project):
    folder = project / "content" / "lessons" / "injected"
    folder.mkdir(parents=True)
    (project / "content" / "media.png").write_bytes(b"\x89PNG")
    (folder / "schema.png").symlink_to(project / "content" / "media.png")
    lesson = LESSON.replace("inj-q1", "inj-link-q1")
    lesson = lesson.replace("Reformuler, c'est", "![S](schema.png)\n\nReformuler, c'est", 1)
    (folder / "inj-link.md").write_text(lesson, encoding="utf-8")
    assert check_tree(project / "content") == []
