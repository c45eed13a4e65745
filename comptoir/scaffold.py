"""New sources from nothing: a whole project (``comptoir init``) or one course file (``comptoir course new``).

Both write only what did not exist — a folder that holds anything, or a course file already
there, is refused — because what an author or instructor has written is never comptoir's to
replace. The project template is package data (``comptoir/templates/project/``), so an installed
comptoir can start a project anywhere; it is a small working course that ``comptoir check`` and
``comptoir build`` accept as it is (a test keeps it so).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Iterator, Mapping

from .readers.lessons import ID_RE

TEMPLATE = ("templates", "project")
#: Created even when the template has no file there, so the layout is complete from the start.
FOLDERS = ("content/frameworks", "content/crosswalks", "content/lessons", "content/courses", "locales")


class ScaffoldError(Exception):
    """The thing asked for cannot be created; the message is one line for the user."""


def _walk(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, bytes]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            yield from _walk(entry, f"{prefix}{entry.name}/")
        else:
            yield f"{prefix}{entry.name}", entry.read_bytes()


def template_files() -> dict[str, bytes]:
    """The project template: relative path → bytes."""
    root = resources.files("comptoir").joinpath(*TEMPLATE)
    if not root.is_dir():
        raise ScaffoldError("the project template (comptoir/templates/project) is missing from this installation")
    return dict(_walk(root))


def init_project(dest: Path) -> list[Path]:
    """Write a new project into ``dest`` (absent or empty); return the files written."""
    if dest.exists() and not dest.is_dir():
        raise ScaffoldError(f"{dest} is a file; choose a new or empty folder")
    if dest.is_dir() and any(dest.iterdir()):
        raise ScaffoldError(f"{dest} is not empty; choose a new or empty folder (nothing was written)")
    files = template_files()  # before creating anything: a broken installation leaves no half project
    for folder in FOLDERS:
        (dest / folder).mkdir(parents=True, exist_ok=True)
    written = []
    for relative, data in files.items():
        path = dest / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


# --- a course file --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CourseSpec:
    """What ``comptoir course new`` asks for; the rest of a course file keeps its defaults."""

    id: str
    framework: str
    title: str
    include: tuple[str, ...] = ()  # empty = all
    locales: Mapping[str, str] | None = None  # language → region; None = French (Switzerland)
    threshold: float | None = None
    description: str = ""


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is one), safe whatever the text holds — French
    typography's ' : ' included."""
    return json.dumps(text, ensure_ascii=False)


def course_yaml(spec: CourseSpec) -> str:
    """The course file's text: the keys an instructor edits, in the order docs/markup.md shows them."""
    locales = spec.locales or {"fr": "fr_CH"}
    lines = [f"title: {_quoted(spec.title)}"]
    if spec.description:
        lines.append("description: |")
        lines.extend(f"  {line}" if line else "" for line in spec.description.strip().splitlines())
    lines.append(f"framework: {spec.framework}")
    lines.append("include: " + ("all" if not spec.include else "[" + ", ".join(_quoted(c) for c in spec.include) + "]"))
    lines.append("locales: {" + ", ".join(f"{lang}: {region}" for lang, region in locales.items()) + "}")
    if spec.threshold is not None:
        lines.append(f"mastery_threshold: {spec.threshold:g}")
    return "\n".join(lines) + "\n"


def parse_locale(text: str) -> tuple[str, str]:
    """``fr:fr_CH`` → (fr, fr_CH); ``en`` alone → (en, en)."""
    language, _, region = text.partition(":")
    return language.strip(), (region.strip() or language.strip())


def write_course(root: Path, spec: CourseSpec) -> Path:
    """Write ``content/courses/<id>.yaml`` under the content folder ``root``; never over an existing file."""
    if not ID_RE.match(spec.id):
        raise ScaffoldError(f"'{spec.id}' is not a course id: use lowercase letters, digits, '.' and '-'")
    path = root / "courses" / f"{spec.id}.yaml"
    if path.exists():
        raise ScaffoldError(f"{path} already exists; choose another id or edit that file")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:  # "x": a file created meanwhile is not overwritten either
        out.write(course_yaml(spec))
    return path
