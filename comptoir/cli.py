"""comptoir: compile competency-aligned lessons and quizzes (content/) into learning packages.

Typical session: comptoir check, then comptoir build (every course, target and locale into
dist/), comptoir coverage to see what each competency is taught with."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import Request, build, exporters
from .diagnostics import ContentError, Report, print_report
from .project import load_content

EPILOG_BUILD = """examples:
  comptoir build                                  every course, every target, every locale → dist/
  comptoir build --target anki --locale it        Italian Anki decks only
  comptoir build --course demo --out /tmp/demo    one course
"""


def _content_root(args) -> Path:
    return Path(args.content).resolve()


def cmd_check(args) -> int:
    root = _content_root(args)
    report = Report(root.parent)
    content = load_content(root, report)
    print_report(report)
    errors = len(report.errors)
    warnings = len(report.diagnostics) - errors
    units = sum(len(fw.units()) for fw in content.frameworks.values())
    items = sum(len(lesson.items) for lesson in content.lessons.values())
    print(f"checked {len(content.frameworks)} frameworks ({units} units), {len(content.crosswalks)} crosswalks, "
          f"{len(content.lessons)} lessons ({items} items), {len(content.courses)} courses: "
          f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def cmd_build(args) -> int:
    root = _content_root(args)
    report = Report(root.parent)
    content = load_content(root, report)
    known = exporters()
    targets = tuple(args.target or sorted(known))
    unknown = [t for t in targets if t not in known]
    courses = tuple(args.course or ())
    missing = [c for c in courses if c not in content.courses]
    if unknown or missing:
        for t in unknown:
            print(f"comptoir build: unknown target '{t}' (known: {', '.join(sorted(known))})", file=sys.stderr)
        for c in missing:
            print(f"comptoir build: unknown course '{c}' (known: {', '.join(sorted(content.courses))})",
                  file=sys.stderr)
        return 2
    progress = (lambda msg: print(f"  {msg}", file=sys.stderr)) if not args.quiet else (lambda _: None)
    try:
        entries = build(content, Path(args.out), Request(targets, tuple(args.locale or ()), courses), report,
                        progress)
    except ContentError as exc:
        print_report(exc.report)
        print(f"comptoir build: {exc}; nothing was written (run 'comptoir check')", file=sys.stderr)
        return 1
    print_report(report)
    print(f"built {len(entries)} artifact(s) into {args.out}/ (manifest.json lists them)", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="comptoir", description=__doc__ or "",
                                  formatter_class=argparse.RawDescriptionHelpFormatter,
                                  epilog="Run 'comptoir <command> --help' for a command's options.")
    top.add_argument("--content", default="content", help="the content folder (default: ./content)")
    sub = top.add_subparsers(dest="command", required=True, metavar="<command>")

    check = sub.add_parser("check", help="report every problem in the content (exit 1 on any error)",
                           description="Read and check all sources; print path:line:col: error[CODE]: message.",
                           epilog="example:\n  comptoir check", formatter_class=argparse.RawDescriptionHelpFormatter)
    check.set_defaults(func=cmd_check)

    b = sub.add_parser("build", help="build courses into dist/", epilog=EPILOG_BUILD,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Check the content, then build the selected targets. "
                                   "Targets: " + ", ".join(sorted(exporters())) + ".")
    b.add_argument("--target", action="append", metavar="T", help="a target (repeatable; default: all)")
    b.add_argument("--locale", action="append", metavar="L", choices=("fr", "it", "en"),
                   help="a content language (repeatable; default: each course's locales)")
    b.add_argument("--course", action="append", metavar="C", help="a course id (repeatable; default: all)")
    b.add_argument("--out", default="dist", help="output folder (default: dist)")
    b.add_argument("--quiet", action="store_true", help="no progress lines")
    b.set_defaults(func=cmd_build)

    for module in ("comptoir.commands.coverage", "comptoir.commands.i18n", "comptoir.commands.adaptive",
                   "comptoir.commands.mastery"):
        try:
            registered = __import__(module, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        registered.register(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
