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
from .progress import Callback, silent
from .readers import read_content, sources
from .resolve import resolve
from .validate import check_content


def load_content(root: Path, report: Report, progress: Callback = silent) -> Content:
    """Read and check the project; ``progress`` hears of each file read, then of the two checks."""
    content = read_content(root, report, progress, extra_steps=2)
    total = sum(map(len, sources(root).values())) + 2
    progress(total - 2, total, "checking references and coverage")
    check_content(content, report)
    progress(total - 1, total, "item-writing checks")
    lint_content(content, report)  # item-writing warnings (docs/diagnostics.md)
    progress(total, total, "")
    return content


def catalogs_folder(root: Path) -> Path:
    """The catalogs of the project whose ``content/`` folder is ``root``: ``locales/`` beside it."""
    return root.parent / "locales"


def locales_dir(content: Content) -> Path:
    """The content project's catalogs: ``locales/`` beside ``content/``."""
    return catalogs_folder(content.root)


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
