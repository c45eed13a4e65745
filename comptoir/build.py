"""The build: run the selected exporters over the checked content, hand the artifacts to
:mod:`comptoir.output`."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from comptoir.exporters.base import BuildContext, FrameworkContext, Media

from .adaptive.course import engine_course
from .diagnostics import ContentError, Report
from .i18n import localise, report_untranslated, words
from .identity import media_name
from .model import Content, ResolvedCourse, frozen_map
from .output import Scope, write
from .progress import Callback, silent
from .project import course_sources, locales_dir
from .resolve import resolve
from .timestamps import timestamp

GROUP = "comptoir.exporters"


def exporters() -> dict[str, object]:
    """Registered exporters by name; listing them imports nothing, a target is imported when built."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def load_exporter(name: str):
    return exporters()[name].load()()


def course_media(course: ResolvedCourse, cache: dict[Path, bytes]) -> dict[str, Media]:
    """Every image of the course's lessons by flat name, each file read once per build."""
    media = {}
    for lesson in course.lessons:
        for src, path in lesson.media.items():
            if path not in cache:
                cache[path] = path.read_bytes()
            name = media_name(lesson.id, src)
            media[name] = Media(name, cache[path], hashlib.sha256(cache[path]).hexdigest())
    return dict(sorted(media.items()))


def course_context(course: ResolvedCourse, stamp: int, language: str) -> BuildContext:
    """The context of one course in one language, on its own (the build shares media and engine
    across a course's languages)."""
    return BuildContext(stamp, course_media(course, {}), words(language), engine_course(course))


@dataclass(frozen=True)
class Request:
    targets: tuple[str, ...]
    locales: tuple[str, ...] = ()  # empty = every locale of each course
    courses: tuple[str, ...] = ()  # empty = every course


def build(content: Content, out: Path, request: Request, report: Report,
          progress: Callback = silent) -> list[dict]:
    """Build what ``request`` asks for into ``out``; return the manifest entries.

    ``progress(done, total, what)`` hears of each exporter run (one per framework, or per course and
    language) before it starts; the steps are counted first so a bar can show how far the build is.
    """
    if report.errors:
        raise ContentError(report)
    courses = request.courses or tuple(sorted(content.courses))
    framework_ids = sorted({content.courses[c].framework for c in courses}) if request.courses \
        else sorted(content.frameworks)
    loaded = [load_exporter(name) for name in request.targets]
    per_framework = [e for e in loaded if e.scope == "framework"]
    per_course = [e for e in loaded if e.scope == "course"]
    languages = {c: [lang for lang in content.courses[c].locales if not request.locales or lang in request.locales]
                 for c in courses}
    total = len(per_framework) * len(framework_ids) + len(per_course) * sum(map(len, languages.values()))
    done = 0
    artifacts = []
    sources = [*(fw.path for fw in content.frameworks.values()), *(cw.path for cw in content.crosswalks)]
    context = FrameworkContext(content.frameworks, content.crosswalks, timestamp(sources))
    for exporter in per_framework:
        for fid in framework_ids:
            progress(done, total, f"{exporter.name}: {fid}")
            artifacts.extend(exporter.export(content.frameworks[fid], context))
            done += 1
    media_files: dict[Path, bytes] = {}
    for course_id in courses if per_course else ():
        resolved = resolve(content, course_id)
        stamp = timestamp(course_sources(content, resolved))
        media = course_media(resolved, media_files)
        engine = engine_course(resolved)  # the engine's view is the same in every language
        # Every language of the course, even one not asked for: a cmi5 package describes its course
        # in all of them. Only the languages built report missing translations.
        localised = {language: localise(resolved, language, locales_dir(content))
                     for language in resolved.course.locales}
        translations = frozen_map({language: course for language, (course, _) in localised.items()})
        for language in languages[course_id]:
            course, missing = localised[language]
            report_untranslated(report, resolved, language, missing)
            context = BuildContext(stamp, media, words(language), engine, translations)
            for exporter in per_course:
                progress(done, total, f"{exporter.name}: {course_id} [{language}]")
                artifacts.extend(exporter.export(course, context))
                done += 1
    progress(done, total, "writing")
    return write(artifacts, out, Scope.of(request, exporters()), content.root)
