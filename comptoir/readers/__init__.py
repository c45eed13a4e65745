"""Source readers: ``content/`` → :class:`~comptoir.model.Content`, problems into a report."""
from __future__ import annotations

from pathlib import Path

from ..diagnostics import Report
from ..model import Content, frozen_map
from .courses import read_course
from .crosswalks import read_crosswalk
from .frameworks import read_framework
from .lessons import read_lesson


def read_content(root: Path, report: Report) -> Content:
    """Read every source under ``root`` (a ``content/`` folder). Never raises on bad content."""
    if not root.is_dir():
        report.error(root, 1, "no-content", f"content folder '{root}' does not exist",
                     "run comptoir from the project folder or pass --content PATH")
    frameworks = {}
    for path in sorted((root / "frameworks").glob("*.yaml")):
        framework = read_framework(path, report)
        if framework is not None:
            frameworks[framework.id] = framework
    crosswalks = tuple(cw for path in sorted((root / "crosswalks").glob("*.csv"))
                       if (cw := read_crosswalk(path, report)) is not None)
    lessons = {}
    for path in sorted((root / "lessons").rglob("*.md")):
        lesson = read_lesson(path, report, root)
        if lesson is None:
            continue
        if lesson.id in lessons:
            report.error(path, 1, "duplicate-id", f"lesson id '{lesson.id}' is also {lessons[lesson.id].path}",
                         "lesson ids (file names) are unique across all lesson folders")
            continue
        lessons[lesson.id] = lesson
    courses = {c.id: c for path in sorted((root / "courses").glob("*.yaml"))
               if (c := read_course(path, report)) is not None}
    return Content(root, frozen_map(frameworks), crosswalks, frozen_map(lessons), frozen_map(courses))
