"""Source readers: ``content/`` → :class:`~comptoir.model.Content`, problems into a report."""
from __future__ import annotations

from pathlib import Path

from ..diagnostics import Report
from ..model import Content, frozen_map
from ..progress import Callback, silent
from .courses import read_course
from .crosswalks import read_crosswalk
from .frameworks import read_framework
from .lessons import read_lesson


def sources(root: Path) -> dict[str, list[Path]]:
    """The source files under ``root`` by kind, in reading order."""
    return {"frameworks": sorted((root / "frameworks").glob("*.yaml")),
            "crosswalks": sorted((root / "crosswalks").glob("*.csv")),
            "lessons": sorted((root / "lessons").rglob("*.md")),
            "courses": sorted((root / "courses").glob("*.yaml"))}


def read_content(root: Path, report: Report, progress: Callback = silent, extra_steps: int = 0) -> Content:
    """Read every source under ``root`` (a ``content/`` folder). Never raises on bad content.

    ``progress`` hears of each file; ``extra_steps`` is added to the total for the checks a caller
    runs afterwards, so one bar covers reading and checking.
    """
    if not root.is_dir():
        report.error(root, 1, "no-content", f"content folder '{root}' does not exist",
                     "run comptoir from the project folder or pass --content PATH")
    files = sources(root)
    total = sum(map(len, files.values())) + extra_steps
    done = 0

    def read(path: Path, reader):
        nonlocal done
        progress(done, total, path.name)
        done += 1
        return reader(path)

    frameworks = {}
    for path in files["frameworks"]:
        framework = read(path, lambda p: read_framework(p, report))
        if framework is not None:
            frameworks[framework.id] = framework
    crosswalks = tuple(cw for path in files["crosswalks"]
                       if (cw := read(path, lambda p: read_crosswalk(p, report))) is not None)
    lessons = {}
    for path in files["lessons"]:
        lesson = read(path, lambda p: read_lesson(p, report, root))
        if lesson is None:
            continue
        if lesson.id in lessons:
            report.error(path, 1, "duplicate-id", f"lesson id '{lesson.id}' is also {lessons[lesson.id].path}",
                         "lesson ids (file names) are unique across all lesson folders")
            continue
        lessons[lesson.id] = lesson
    courses = {c.id: c for path in files["courses"]
               if (c := read(path, lambda p: read_course(p, report))) is not None}
    return Content(root, frozen_map(frameworks), crosswalks, frozen_map(lessons), frozen_map(courses))
