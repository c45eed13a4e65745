"""``comptoir mastery``: per-competency mastery from a learner's Anki review log."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from ..anki_collection import MasteryError, collection_file, read_reviews
from ..charts import ChartsUnavailable, mastery_chart
from ..diagnostics import Report
from ..mastery import choose_course, replay, table
from ..model import Content
from ..progress import Bar
from ..project import load_content

EPILOG = """examples:
  comptoir mastery --anki ~/Downloads/collection.colpkg
  comptoir mastery --anki ~/.local/share/Anki2/User\\ 1/collection.anki2 --course ch-arc --json
  comptoir mastery --anki collection.colpkg --chart mastery.png

Close Anki (or export with File > Export > "Anki Collection Package") before reading a collection.
"""


def _content(args: argparse.Namespace) -> Content:
    root = Path(args.content).resolve()
    report = Report(root.parent)
    with Bar("reading") as bar:
        content = load_content(root, report, bar)
    if report.errors:
        raise MasteryError(f"the content has {len(report.errors)} error(s); run 'comptoir check'")
    return content


def cmd_mastery(args: argparse.Namespace) -> int:
    try:
        content = _content(args)
        with tempfile.TemporaryDirectory(prefix="comptoir-mastery-") as workdir:
            reviews = read_reviews(collection_file(Path(args.anki).expanduser(), Path(workdir)))
        course = choose_course(content, args.course, reviews)
        result = replay(course, reviews)
        if args.chart:
            Path(args.chart).write_bytes(mastery_chart(result, course.course.title))
    except (MasteryError, ChartsUnavailable) as exc:
        print(f"comptoir mastery: {exc}", file=sys.stderr)
        return 2
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
    parser.add_argument("--chart", metavar="PATH", help="also write a PNG bar chart to PATH (needs the charts extra: matplotlib)")
    parser.set_defaults(func=cmd_mastery)
