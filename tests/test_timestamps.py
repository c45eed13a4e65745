"""The build timestamp is a property of the sources: two clones of one commit build identical artifacts,
and an uncommitted edit makes the course newer (DESIGN §6)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from comptoir.project import course_sources, load_content
from comptoir.cli import main
from comptoir.diagnostics import Report
from comptoir.resolve import resolve
from comptoir.timestamps import pathspecs, timestamp

from .conftest import REPO

COMMITTED = 1709294400  # 2024-03-01T12:00:00Z, the commit date of both clones
GIT_ENV = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_AUTHOR_DATE": f"@{COMMITTED} +0000",
           "GIT_COMMITTER_DATE": f"@{COMMITTED} +0000", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _clone(folder: Path, mtime: int) -> Path:
    """A git work tree holding content/ and locales/ committed at COMMITTED, every file touched at ``mtime``."""
    for name in ("content", "locales"):
        shutil.copytree(REPO / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q"], ["add", "content", "locales"], ["commit", "-q", "-m", "sources"]):
        subprocess.run(["git", "-C", str(folder), *args], env=env, check=True)
    for path in folder.rglob("*"):
        os.utime(path, (mtime, mtime))
    return folder


def _demo_stamp(project: Path) -> int:
    root = project / "content"
    content = load_content(root, Report(root.parent))
    return timestamp(course_sources(content, resolve(content, "demo")))


@needs_git
def test_two_clones_of_one_commit_build_identical_decks_whatever_the_mtimes(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    clones = [_clone(tmp_path / "one", 1750000000), _clone(tmp_path / "two", 1760000000)]
    builds = []
    for clone in clones:
        out = clone / "dist"
        assert main(["--content", str(clone / "content"), "build", "--quiet", "--target", "anki",
                     "--course", "demo", "--out", str(out)]) == 0
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        builds.append({a["path"]: (out / a["path"]).read_bytes() for a in manifest["artifacts"]})
    assert sorted(builds[0]) == ["anki/demo.en.apkg", "anki/demo.fr.apkg", "anki/demo.it.apkg"]
    assert builds[0] == builds[1]
    assert _demo_stamp(clones[0]) == _demo_stamp(clones[1]) == COMMITTED


@needs_git
def test_an_uncommitted_edit_makes_the_course_newer(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    clone = _clone(tmp_path / "clone", 1650000000)  # files older than the commit: the commit time wins
    assert _demo_stamp(clone) == COMMITTED
    lesson = clone / "content" / "lessons" / "ch-arc" / "b1-accueillir-nouveaux-clients.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nUne phrase de plus.\n", encoding="utf-8")
    edited = int(lesson.stat().st_mtime)
    assert edited > COMMITTED
    assert _demo_stamp(clone) == edited
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert _demo_stamp(clone) == 1700000000


@needs_git
def test_an_untracked_source_uses_the_modification_times(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    clone = _clone(tmp_path / "clone", 1650000000)
    extra = clone / "content" / "lessons" / "ch-arc" / "new.md"
    extra.write_text("new", encoding="utf-8")
    os.utime(extra, (1690000000, 1690000000))
    assert timestamp([clone / "content" / "courses" / "demo.yaml", extra]) == 1690000000
    assert timestamp([clone / "content" / "courses" / "demo.yaml"]) == COMMITTED


def test_outside_git_the_newest_modification_time_counts(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    files = [tmp_path / "a.yaml", tmp_path / "b.md"]
    for path, mtime in zip(files, (1600000000, 1600000500)):
        path.write_text("x", encoding="utf-8")
        os.utime(path, (mtime, mtime))
    assert timestamp(files) == 1600000500
    assert timestamp([tmp_path / "absent.md"]) == 0


def test_folders_stand_for_their_files_only_when_every_entry_is_listed(tmp_path):
    for name in ("a/x.md", "a/y.md", "b/x.md", "b/notes.txt", "c/d/x.po"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    listed = [tmp_path / n for n in ("a/x.md", "a/y.md", "b/x.md", "c/d/x.po", "gone.md")]
    assert pathspecs(listed) == [tmp_path / "a", tmp_path / "b" / "x.md", tmp_path / "c"]
