"""A content project on disk: ``content/`` (sources) beside ``locales/`` (catalogs).

The one place that loads a project for every command: read the sources into the model, check
them, and say which files a course is made of.
"""
from __future__ import annotations

from pathlib import Path

from .diagnostics import Report
from .i18n import localise, report_untranslated
from .lint import lint_content
from .model import Content, ResolvedCourse
from .readers import read_content
from .resolve import resolve
from .validate import check_content


def load_content(root: Path, report: Report) -> Content:
    content = read_content(root, report)
    check_content(content, report)
    lint_content(content, report)  # item-writing warnings (docs/diagnostics.md)
    return content


def locales_dir(content: Content) -> Path:
    """The content project's catalogs: ``locales/`` beside ``content/``."""
    return content.root.parent / "locales"


def check_translations(content: Content, report: Report, strict: bool = False) -> None:
    """The ``untranslated`` diagnostic of every course in every language it is built in, as
    ``comptoir build`` reports it (errors when ``strict``). Only for content without errors."""
    for course_id in sorted(content.courses):
        resolved = resolve(content, course_id)
        for language in resolved.course.locales:
            report_untranslated(report, resolved, language, localise(resolved, language, locales_dir(content))[1],
                                strict)


def course_sources(content: Content, course: ResolvedCourse) -> list[Path]:
    """Every file a course's artifacts depend on (its timestamp is the newest of them)."""
    paths = [course.course.path, *(fw.path for fw in content.frameworks.values()),
             *(cw.path for cw in content.crosswalks)]
    for lesson in course.lessons:
        paths.extend((lesson.path, *lesson.media.values()))
    paths.extend(sorted(locales_dir(content).glob("*/LC_MESSAGES/*.po")))
    return paths
