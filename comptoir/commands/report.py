"""``comptoir report crosswalks|graph``: pages and pictures for instructors."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..diagnostics import Report, print_report
from ..model import Content
from ..progress import Bar
from ..project import load_content
from ..resolve import resolve

EPILOG = """examples:
  comptoir report crosswalks --html crosswalks.html
  comptoir report graph --course ch-arc --out ch-arc.svg
  comptoir report graph --course sample --out sample.png

crosswalks: a framework x framework matrix (how many links of each relation), then every link with
its relation and rationale, competencies named by code and official wording.
graph: the course's competencies grouped by domain, an arrow from each prerequisite to the
competency that needs it, lessons and items per competency (gaps in red). Needs the graphviz
package (pip install 'comptoir[reports]') and Graphviz's dot program (apt-get install graphviz).
See also: comptoir coverage --html PATH (the heat map), comptoir mastery --chart PATH.
"""


def _content(args: argparse.Namespace) -> Content | None:
    root = Path(args.content).resolve()
    report = Report(root.parent)
    with Bar("reading") as bar:
        content = load_content(root, report, bar)
    if any(d.code != "coverage" for d in report.errors):  # gaps are part of what the reports show
        print_report(report)
        print("comptoir report: fix the errors above first (comptoir check)", file=sys.stderr)
        return None
    return content


def cmd_crosswalks(args: argparse.Namespace) -> int:
    from ..reports.crosswalks import crosswalk_page

    content = _content(args)
    if content is None:
        return 1
    Path(args.html).write_text(crosswalk_page(content), encoding="utf-8")
    links = sum(len(cw.links) for cw in content.crosswalks)
    print(f"wrote {args.html}: {len(content.crosswalks)} crosswalk(s), {links} link(s)", file=sys.stderr)
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    from ..reports.graph import GraphError, render

    out = Path(args.out)
    fmt = out.suffix.lstrip(".").lower()
    content = _content(args)
    if content is None:
        return 1
    if args.course not in content.courses:
        print(f"comptoir report graph: unknown course '{args.course}' "
              f"(known: {', '.join(sorted(content.courses)) or 'none'})", file=sys.stderr)
        return 2
    try:
        data = render(resolve(content, args.course), fmt)
    except GraphError as exc:
        print(f"comptoir report graph: {exc}", file=sys.stderr)
        return 2
    out.write_bytes(data)
    print(f"wrote {out}", file=sys.stderr)
    return 0


def register(sub) -> None:
    report = sub.add_parser("report", help="instructor reports: crosswalk matrix, competency graph",
                            formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
                            description="Write a report about the content for instructors.")
    kinds = report.add_subparsers(dest="kind", required=True, metavar="<report>")
    cw = kinds.add_parser("crosswalks", help="framework x framework matrix and every link (HTML)",
                          formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    cw.add_argument("--html", required=True, metavar="PATH", help="the HTML page to write")
    cw.set_defaults(func=cmd_crosswalks)
    graph = kinds.add_parser("graph", help="a course's competencies and prerequisites (SVG or PNG, Graphviz)",
                             formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    graph.add_argument("--course", required=True, metavar="C", help="the course id")
    graph.add_argument("--out", required=True, metavar="PATH.svg|PATH.png",
                       help="the picture to write; its extension picks the format")
    graph.set_defaults(func=cmd_graph)
