"""The build: check the content, run the selected exporters, hand the artifacts to :mod:`comptoir.output`."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Callable

from comptoir.exporters.base import FrameworkContext

from .diagnostics import ContentError, Report
from .i18n import localise
from .model import Content, ResolvedCourse
from .output import Scope, write
from .readers import read_content
from .resolve import resolve
from .timestamps import timestamp
from .validate import check_content

GROUP = "comptoir.exporters"


def exporters() -> dict[str, object]:
    """Registered exporters by name; listing them imports nothing, a target is imported when built."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def load_exporter(name: str):
    return exporters()[name].load()()


def load_content(root: Path, report: Report) -> Content:
    content = read_content(root, report)
    check_content(content, report)
    return content


def locales_dir(content: Content) -> Path:
    """The content project's catalogs: ``locales/`` beside ``content/``."""
    return content.root.parent / "locales"


def course_sources(content: Content, course: ResolvedCourse) -> list[Path]:
    paths = [course.course.path, *(fw.path for fw in content.frameworks.values()),
             *(cw.path for cw in content.crosswalks)]
    for lesson in course.lessons:
        paths.extend((lesson.path, *lesson.media))
    paths.extend(sorted(locales_dir(content).glob("*/LC_MESSAGES/*.po")))
    return paths


@dataclass(frozen=True)
class Request:
    targets: tuple[str, ...]
    locales: tuple[str, ...] = ()  # empty = every locale of each course
    courses: tuple[str, ...] = ()  # empty = every course


def build(content: Content, out: Path, request: Request, report: Report,
          progress: Callable[[str], None] = lambda _: None) -> list[dict]:
    """Build what ``request`` asks for into ``out``; return the manifest entries."""
    if report.errors:
        raise ContentError(report)
    courses = request.courses or tuple(sorted(content.courses))
    framework_ids = sorted({content.courses[c].framework for c in courses}) if request.courses \
        else sorted(content.frameworks)
    loaded = [load_exporter(name) for name in request.targets]
    artifacts = []
    sources = [*(fw.path for fw in content.frameworks.values()), *(cw.path for cw in content.crosswalks)]
    context = FrameworkContext(content.frameworks, content.crosswalks, timestamp(sources))
    for exporter in (e for e in loaded if e.scope == "framework"):
        for fid in framework_ids:
            progress(f"{exporter.name}: {fid}")
            artifacts.extend(exporter.export(content.frameworks[fid], context))
    per_course = [e for e in loaded if e.scope == "course"]
    for course_id in courses if per_course else ():
        resolved = resolve(content, course_id)
        stamp = timestamp(course_sources(content, resolved))
        for language in resolved.course.locales:
            if request.locales and language not in request.locales:
                continue
            localised, missing = localise(resolved, language, locales_dir(content))
            if missing:
                report.warning(resolved.course.path, 1, "untranslated",
                               f"{sum(missing.values())} text(s) of course '{course_id}' have no {language} "
                               "translation; French is shown instead", "run comptoir i18n update and translate")
            for exporter in per_course:
                progress(f"{exporter.name}: {course_id} [{language}]")
                artifacts.extend(exporter.export(localised, stamp))
    return write(artifacts, out, Scope.of(request, exporters()), content.root)


def print_report(report: Report) -> None:
    for diagnostic in report.sorted():
        print(diagnostic.format(), file=sys.stderr)
