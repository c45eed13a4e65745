"""Anki deck build time and size per locale for the full Swiss course, against bare genanki.

    python bench/anki_build.py [--content content] [--repeat 5]

The baseline is what a hand-written genanki script costs for the same notes (same fields, tags,
GUIDs, note types and decks): ``genanki.Package.write_to_file`` with genanki's defaults (random
temp file, zip with the current time). comptoir's extra cost is rendering Markdown to card HTML
and writing a reproducible package. Prints figures; asserts nothing (DESIGN §8).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import genanki

from comptoir.build import course_context, timestamp
from comptoir.diagnostics import Report
from comptoir.exporters.anki import AnkiExporter, DeckBuilder, genanki_decks
from comptoir.exporters.anki_models import models
from comptoir.exporters.anki_package import apkg
from comptoir.i18n import localise
from comptoir.model import Content
from comptoir.present import present
from comptoir.project import course_sources, load_content
from comptoir.resolve import resolve

FRAMEWORK = "ch-arc"


def full_course(content: Content) -> str:
    """The id of the content's course teaching every ch-arc unit."""
    for course in sorted(content.courses.values(), key=lambda c: c.id):
        if course.framework == FRAMEWORK and not course.include and not course.lesson_ids:
            return course.id
    raise SystemExit(f"no course includes all of {FRAMEWORK}: add content/courses/<id>.yaml with "
                     f"'framework: {FRAMEWORK}' and 'include: all'")


def timed(function, repeat: int) -> tuple[float, object]:
    """Median wall time over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bare_genanki(decks: list[genanki.Deck], media: list[str], folder: Path) -> int:
    path = folder / "bare.apkg"
    genanki.Package(decks, media_files=media).write_to_file(str(path))
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--content", default="content")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    report = Report(Path(args.content).resolve().parent)
    content = load_content(Path(args.content).resolve(), report)
    course_id = full_course(content)
    resolved = resolve(content, course_id)
    stamp = timestamp(course_sources(content, resolved))
    print(f"course {course_id}: {len(resolved.units)} units, {len(resolved.lessons)} lessons, "
          f"{len(resolved.items)} items; median of {args.repeat} runs")
    print(f"{'locale':6} {'notes':>5} {'comptoir s':>10} {'render s':>9} {'write s':>8} {'bare s':>7} "
          f"{'comptoir KiB':>12} {'bare KiB':>9} {'same bytes':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for language in resolved.course.locales:
            course, _ = localise(resolved, language)
            context = course_context(resolved, stamp, language)
            total, artifacts = timed(lambda: list(AnkiExporter().export(course, context)), args.repeat)
            data = artifacts[0].data
            again = list(AnkiExporter().export(course, context))[0].data
            render, (shown, specs) = timed(
                lambda: (p := present(course), DeckBuilder(course, p, context.words).notes()), args.repeat)
            kinds = models(language, context.words)
            media = {name: m.data for name, m in context.media.items()}
            write, _ = timed(lambda: apkg(genanki_decks(course, shown, specs, kinds), media, stamp), args.repeat)
            paths = []
            for name, m in media.items():
                (Path(tmp) / name).write_bytes(m)
                paths.append(str(Path(tmp) / name))
            bare, size = timed(lambda: bare_genanki(genanki_decks(course, shown, specs, kinds), paths, Path(tmp)),
                               args.repeat)
            print(f"{language:6} {len(specs):5d} {total:10.3f} {render:9.3f} {write:8.3f} {bare:7.3f} "
                  f"{len(data) / 1024:12.1f} {size / 1024:9.1f} {str(data == again):>10}")


if __name__ == "__main__":
    main()
