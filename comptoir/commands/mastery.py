"""``comptoir mastery``: per-competency mastery from a learner's Anki review log or from an LRS."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from ..anki_collection import MasteryError, collection_file, read_reviews
from ..charts import ChartsUnavailable, mastery_chart
from ..diagnostics import Report
from ..mastery import Result, choose_course, choose_course_of_answers, replay, replay_answers, table
from ..model import Content
from ..progress import Bar
from ..project import load_content
from ..xapi_statements import answers, lrs_authorization, read_statements

EPILOG = """examples:
  comptoir mastery --anki ~/Downloads/collection.colpkg
  comptoir mastery --anki ~/.local/share/Anki2/User\\ 1/collection.anki2 --course ch-arc --json
  comptoir mastery --anki collection.colpkg --chart mastery.png
  COMPTOIR_LRS_PASSWORD=… comptoir mastery --lrs https://lrs.example/xAPI/ --lrs-user reports \\
      --registration 760e3480-ba55-4991-94b0-01820dbd23a2 --course demo --chart mastery.png

Close Anki (or export with File > Export > "Anki Collection Package") before reading a collection.
With --lrs, the learner is the cmi5 registration (the LMS shows it with the learner's results);
the answers are the "answered" statements a cmi5 package sent (docs/cmi5.md).
"""


def _content(args: argparse.Namespace) -> Content:
    root = Path(args.content).resolve()
    report = Report(root.parent)
    with Bar("reading") as bar:
        content = load_content(root, report, bar)
    if report.errors:
        raise MasteryError(f"the content has {len(report.errors)} error(s); run 'comptoir check'")
    return content


def _from_anki(args: argparse.Namespace, content: Content) -> Result:
    with tempfile.TemporaryDirectory(prefix="comptoir-mastery-") as workdir:
        reviews = read_reviews(collection_file(Path(args.anki).expanduser(), Path(workdir)))
    return replay(choose_course(content, args.course, reviews), reviews)


def _from_lrs(args: argparse.Namespace, content: Content) -> Result:
    if not args.registration:
        raise MasteryError("--lrs needs --registration: the cmi5 registration of the learner and course")
    authorization = lrs_authorization(args.lrs_user, args.lrs_password)
    found = answers(read_statements(args.lrs, args.registration, authorization))
    return replay_answers(choose_course_of_answers(content, args.course, found), found)


def cmd_mastery(args: argparse.Namespace) -> int:
    try:
        content = _content(args)
        result = _from_lrs(args, content) if args.lrs else _from_anki(args, content)
        if args.chart:
            Path(args.chart).write_bytes(mastery_chart(result, content.courses[result.course].title))
    except (MasteryError, ChartsUnavailable) as exc:
        print(f"comptoir mastery: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=1) if args.json else table(result))
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "mastery", help="per-competency mastery from an Anki collection or an LRS", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Replay a learner's answers — the review log of a course's Anki notes, or the answered "
                    "statements a cmi5 package sent to an LRS — through the course's learner model "
                    "(Bayesian Knowledge Tracing) and report P(mastery) per competency.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--anki", metavar="PATH",
                        help="a .colpkg export or a collection.anki2 (read, never modified)")
    source.add_argument("--lrs", metavar="URL", help="an LRS's xAPI endpoint (read with GET statements only)")
    parser.add_argument("--registration", metavar="R", help="with --lrs: the cmi5 registration (a UUID)")
    parser.add_argument("--lrs-user", metavar="USER", help="with --lrs: HTTP Basic user of an account that may read "
                                                             "statements")
    parser.add_argument("--lrs-password", metavar="PASSWORD",
                        help="with --lrs-user (default: the COMPTOIR_LRS_PASSWORD environment variable, which "
                             "keeps the password out of the shell history)")
    parser.add_argument("--course", metavar="C",
                        help="the course id (default: the course whose notes, or items, have the most "
                             "reviews or answers)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--chart", metavar="PATH", help="also write a PNG bar chart to PATH (needs the charts extra: matplotlib)")
    parser.set_defaults(func=cmd_mastery)
