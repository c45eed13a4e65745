"""``comptoir coverage``: lessons, items and minutes per competency of every course."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..coverage import all_coverage, html_page, text_table
from ..diagnostics import Report, print_report
from ..progress import Bar
from ..project import load_content


def cmd_coverage(args) -> int:
    root = Path(args.content).resolve()
    report = Report(root.parent)
    with Bar("reading") as bar:
        content = load_content(root, report, bar)
    if any(d.code != "coverage" for d in report.errors):  # gaps are what this command shows
        print_report(report)
        print("comptoir coverage: fix the errors above first (comptoir check)", file=sys.stderr)
        return 1
    data = all_coverage(content)
    if args.html:
        Path(args.html).write_text(html_page(data), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    elif not args.html:
        print(text_table(data))
    return 0


def register(sub) -> None:
    p = sub.add_parser("coverage", help="lessons, items and minutes per competency of every course",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Report how well each course covers each of its competencies.",
                       epilog="examples:\n  comptoir coverage\n  comptoir coverage --json > coverage.json\n"
                              "  comptoir coverage --html coverage.html")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.add_argument("--html", metavar="PATH", help="write an HTML heat map to PATH")
    p.set_defaults(func=cmd_coverage)
