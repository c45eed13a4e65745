"""``comptoir mastery``: per-competency mastery from a learner's Anki review log.

The review log of the course's notes is replayed through the course's own learner model — the
adaptive engine's Bayesian Knowledge Tracing (``comptoir.adaptive``) — rather than summarised with
FSRS retrievability. Retrievability is the chance of recalling one card today; the question here is
the one the LMS outputs answer: P(the learner masters competency c), with the course's priors,
guess and slip per item type and exactMatch evidence, so an Anki learner and an LMS learner are
judged on the same scale against the same threshold.

Mapping a review to a response: the note is found by its GUID (the exporter derives it from the
item id and the language, so any language's deck counts); Again = wrong, Hard/Good/Easy = right.
Only the first review of a card on a given (UTC) day counts: later same-day reviews are learning
steps taken just after seeing the answer, not independent evidence. Key-point cards are recall of a
statement, not an assessed item, and are ignored.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import struct
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from .adaptive.course import engine_course
from .adaptive.engine import initial_state, mastery, record_response
from .build import load_content
from .diagnostics import Report
from .model import Content, ResolvedCourse
from .resolve import resolve

DAY_MS = 86_400_000
EPILOG = """examples:
  comptoir mastery --anki ~/Downloads/collection.colpkg
  comptoir mastery --anki ~/.local/share/Anki2/User\\ 1/collection.anki2 --course ch-arc --json
  comptoir mastery --anki collection.colpkg --chart mastery.png

Close Anki (or export with File > Export > "Anki Collection Package") before reading a collection.
"""


class MasteryError(Exception):
    """A problem the user can fix; the message says how."""


@dataclass(frozen=True)
class Review:
    at_ms: int
    card: int
    guid: str
    ease: int


@dataclass(frozen=True)
class Row:
    ref: str
    title: str
    p: float
    mastered: bool
    reviews: int


@dataclass(frozen=True)
class Result:
    course: str
    threshold: float
    rows: tuple[Row, ...]
    counted: int
    ignored: int

    def to_json(self) -> dict:
        return {"course": self.course, "model": "bkt", "threshold": self.threshold,
                "reviews": {"counted": self.counted, "ignored": self.ignored},
                "competencies": [row.__dict__ for row in self.rows]}


# --- reading a collection ----------------------------------------------------------------------

def _from_modern_colpkg(package: Path, workdir: Path) -> Path:
    """A current .colpkg holds a zstd-compressed collection; the official anki library reads it."""
    try:
        from anki._backend import RustBackend
    except ImportError as exc:
        raise MasteryError(
            f"{package} is a current .colpkg (zstd-compressed). Install the 'anki' package (pip install anki), "
            "or pass collection.anki2 from your Anki profile folder, or export with "
            "'Support older Anki versions' ticked") from exc
    target = workdir / "collection.anki2"
    RustBackend().import_collection_package(col_path=str(target), backup_path=str(package),
                                            media_folder=str(workdir / "media"), media_db=str(workdir / "media.db"))
    return target


def collection_file(path: Path, workdir: Path) -> Path:
    """A private SQLite copy of the collection at ``path`` (.colpkg/.apkg zip or collection.anki2)."""
    if not path.is_file():
        raise MasteryError(f"{path} does not exist; pass a .colpkg export or a collection.anki2")
    if not zipfile.is_zipfile(path):
        target = workdir / "collection.anki2"
        shutil.copyfile(path, target)
        wal = path.with_name(path.name + "-wal")  # reviews not yet checkpointed while Anki runs
        if wal.is_file():
            shutil.copyfile(wal, target.with_name(target.name + "-wal"))
        return target
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if "collection.anki21b" in names:
            return _from_modern_colpkg(path, workdir)
        for name in ("collection.anki21", "collection.anki2"):
            if name in names:
                archive.extract(name, workdir)
                return workdir / name
    raise MasteryError(f"{path} is a zip without an Anki collection; export File > Export > Anki Collection Package")


def read_reviews(database: Path) -> list[Review]:
    """Every graded review (ease 1–4; 0 marks manual rescheduling), oldest first."""
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute(
            "SELECT r.id, r.cid, n.guid, r.ease FROM revlog r JOIN cards c ON c.id = r.cid "
            "JOIN notes n ON n.id = c.nid WHERE r.ease BETWEEN 1 AND 4 ORDER BY r.id").fetchall()
    except sqlite3.DatabaseError as exc:
        raise MasteryError(f"cannot read the review log of {database.name}: {exc}") from exc
    finally:
        connection.close()
    return [Review(*row) for row in rows]


# --- replay ------------------------------------------------------------------------------------

def item_guids(course: ResolvedCourse) -> dict[str, str]:
    """GUID → item id, for every language the course is built in."""
    from comptoir.exporters.anki import note_guid  # here, so other commands never load genanki

    return {note_guid(language, item.id): item.id for language in course.course.locales for item in course.items}


def replay(course: ResolvedCourse, reviews: list[Review]) -> Result:
    """Feed the first review of each card per day to the course's BKT model, in time order."""
    engine = engine_course(course)
    state = initial_state(engine)
    index = {item.id: i for i, item in enumerate(engine.items)}
    items = item_guids(course)
    seen: set[tuple[int, int]] = set()
    per_competency = [0] * len(engine.competencies)
    counted = ignored = 0
    for review in reviews:
        item_id = items.get(review.guid)
        key = (review.card, review.at_ms // DAY_MS)
        if item_id is None or key in seen:
            ignored += 1
            continue
        seen.add(key)
        position = index[item_id]
        record_response(engine, state, position, review.ease >= 2)
        for c in engine.items[position].competencies:
            per_competency[c] += 1
        counted += 1
    p = mastery(engine, state)
    titles = {course.framework.ref(u): u.text.get(course.locale) or next(iter(u.text.values()), "")
              for u in course.units}
    rows = tuple(Row(ref, titles.get(ref, ""), p[ref], p[ref] >= engine.threshold, per_competency[i])
                 for i, ref in enumerate(engine.competencies[:engine.n_own]))
    return Result(course.course.id, engine.threshold, rows, counted, ignored)


# --- output ------------------------------------------------------------------------------------

def table(result: Result) -> str:
    width = max((len(r.ref) for r in result.rows), default=0)
    width = max(width, len("competency"))
    lines = [f"{'competency':<{width}}  P(L)   {'':20}  reviews  title"]
    for row in result.rows:
        bar = "█" * round(row.p * 20)
        mark = "✓" if row.mastered else " "
        lines.append(f"{row.ref:<{width}}  {row.p:5.1%} {bar:<20}{mark}  {row.reviews:7d}  {row.title[:60]}")
    lines.append(f"{sum(r.mastered for r in result.rows)}/{len(result.rows)} mastered at P(L) ≥ "
                 f"{result.threshold:.0%}; {result.counted} review(s) counted, {result.ignored} ignored "
                 "(other notes, key points, same-day repeats)")
    return "\n".join(lines)


# A 3×5 pixel font, enough for competency codes and percentages (drawn upper-case).
_GLYPHS = {
    "0": "####.##.##.####", "1": ".#.##..#..#.###", "2": "###..#####..###", "3": "###..####..####",
    "4": "#.##.####..#..#", "5": "####..###..####", "6": "####..####.####", "7": "###..#..#..#..#",
    "8": "####.#####.####", "9": "####.####..####", "A": ".#.#.#####.##.#", "B": "##.#.###.#.###.",
    "C": "####..#..#..###", "D": "##.#.##.##.###.", "E": "####..####..###", "F": "####..####..#..",
    "G": "####..#.##.####", "H": "#.##.#####.##.#", "I": "###.#..#..#.###", "J": "..#..#..##.####",
    "K": "#.##.###.#.##.#", "L": "#..#..#..#..###", "M": "#.#####.##.##.#", "N": "##.#.##.##.##.#",
    "O": ".#.#.##.##.#.#.", "P": "####.#####..#..", "Q": "####.##.####..#", "R": "##.#.###.#.##.#",
    "S": "####..###..####", "T": "###.#..#..#..#.", "U": "#.##.##.##.####", "V": "#.##.##.##.#.#.",
    "W": "#.##.########.#", "X": "#.##.#.#.#.##.#", "Y": "#.##.#.#..#..#.", "Z": "###..#.#.#..###",
    ".": "............#..", "-": "......###......", "_": "............###", ":": "....#.....#....",
    "%": "#....#.#.#....#", " ": "...............",
}
_SCALE = 2
_ROW = 22
_BAR = 300
_GREEN, _BLUE, _GREY, _INK, _WHITE = (40, 140, 80), (70, 110, 200), (200, 200, 200), (30, 30, 30), (255, 255, 255)


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = [bytearray(_WHITE * width) for _ in range(height)]

    def rect(self, x: int, y: int, w: int, h: int, colour: tuple[int, int, int]) -> None:
        for row in self.pixels[max(y, 0):min(y + h, self.height)]:
            x0, x1 = max(x, 0), min(x + w, self.width)
            row[3 * x0:3 * x1] = bytes(colour) * max(x1 - x0, 0)

    def text(self, x: int, y: int, text: str, colour: tuple[int, int, int] = _INK) -> None:
        for char in text.upper():
            glyph = _GLYPHS.get(char, _GLYPHS[" "])
            for i, bit in enumerate(glyph):
                if bit == "#":
                    self.rect(x + (i % 3) * _SCALE, y + (i // 3) * _SCALE, _SCALE, _SCALE, colour)
            x += 4 * _SCALE

    def png(self) -> bytes:
        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        raw = b"".join(b"\x00" + bytes(row) for row in self.pixels)
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
                + chunk(b"IEND", b""))


def chart(result: Result) -> bytes:
    """A horizontal bar chart as PNG, written with zlib and struct (no plotting dependency):
    one bar per competency, green when mastered, the mastery threshold as a grey line."""
    labels = [row.ref.partition(":")[2] for row in result.rows]
    label_w = (max(map(len, labels), default=1) + 1) * 4 * _SCALE
    left, top = 8 + label_w, 10
    canvas = _Canvas(left + _BAR + 60, top * 2 + _ROW * max(len(result.rows), 1))
    for i, (row, label) in enumerate(zip(result.rows, labels)):
        y = top + i * _ROW
        canvas.text(8, y + 4, label)
        canvas.rect(left, y + 2, _BAR, _ROW - 6, (238, 238, 238))
        canvas.rect(left, y + 2, round(row.p * _BAR), _ROW - 6, _GREEN if row.mastered else _BLUE)
        canvas.text(left + _BAR + 6, y + 4, f"{row.p:.0%}")
    canvas.rect(left + round(result.threshold * _BAR), top - 4, 1, _ROW * len(result.rows) + 8, _GREY)
    return canvas.png()


# --- command -----------------------------------------------------------------------------------

def _content(args: argparse.Namespace) -> Content:
    root = Path(args.content).resolve()
    report = Report(root.parent)
    content = load_content(root, report)
    if report.errors:
        raise MasteryError(f"the content has {len(report.errors)} error(s); run 'comptoir check'")
    return content


def choose_course(content: Content, wanted: str | None, reviews: list[Review]) -> ResolvedCourse:
    """The course named by ``--course``, else the one whose notes have the most reviews."""
    known = sorted(content.courses)
    if wanted is not None:
        if wanted not in content.courses:
            raise MasteryError(f"unknown course '{wanted}' (known: {', '.join(known)})")
        return resolve(content, wanted)
    guids = [review.guid for review in reviews]
    scored = [(sum(g in items for g in guids), course_id, course)
              for course_id in known
              for course in (resolve(content, course_id),)
              for items in (item_guids(course).keys(),)]
    best = max(scored, key=lambda s: s[0], default=(0, "", None))
    if best[0] == 0:
        raise MasteryError(f"no review in this collection is of a course's notes; choose one with --course "
                           f"({', '.join(known) or 'none'})")
    return best[2]


def cmd_mastery(args: argparse.Namespace) -> int:
    try:
        content = _content(args)
        with tempfile.TemporaryDirectory(prefix="comptoir-mastery-") as workdir:
            reviews = read_reviews(collection_file(Path(args.anki).expanduser(), Path(workdir)))
        course = choose_course(content, args.course, reviews)
    except MasteryError as exc:
        print(f"comptoir mastery: {exc}", file=sys.stderr)
        return 2
    result = replay(course, reviews)
    if args.chart:
        Path(args.chart).write_bytes(chart(result))
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=1) if args.json else table(result))
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "mastery", help="per-competency mastery from an Anki collection", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Replay the review log of a course's Anki notes through the course's learner model "
                    "(Bayesian Knowledge Tracing) and report P(mastery) per competency.")
    parser.add_argument("--anki", required=True, metavar="PATH",
                        help="a .colpkg export or a collection.anki2 (read, never modified)")
    parser.add_argument("--course", metavar="C",
                        help="the course id (default: the course whose notes have the most reviews)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--chart", metavar="PATH", help="also write a PNG bar chart to PATH")
    parser.set_defaults(func=cmd_mastery)
