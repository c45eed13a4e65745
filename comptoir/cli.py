"""comptoir: compile competency-aligned lessons and quizzes (content/) into learning packages.

Typical session: comptoir check, then comptoir build (every course, target and locale into
dist/), comptoir coverage to see what each competency is taught with."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import Request, build, exporters
from .diagnostics import ContentError, Report, print_report
from .model import Content
from .output import OutputError, claim
from .progress import Bar
from .project import check_translations, load_content
from .readers.lessons import ID_RE

EPILOG_BUILD = """examples:
  comptoir build                                  every course, target and locale → dist/
  comptoir build --target anki --locale it        rebuild the Italian Anki decks; the rest of dist/ stays
  comptoir build --course demo --out /tmp/demo    one course (and its framework's files) into /tmp/demo

The output folder must be new, empty or a previous build's (it holds a comptoir manifest.json and
nothing else): a build replaces it. A build limited by --target, --course or --locale replaces only
the artifacts it selects and keeps the others.
"""
LOCALES = ("fr", "it", "en")


def _content_root(args) -> Path:
    return Path(args.content).resolve()


def cmd_check(args) -> int:
    root = _content_root(args)
    report = Report(root.parent)
    with Bar("reading") as bar:
        content = load_content(root, report, bar)
    if not report.errors:  # courses resolve only from sound content
        check_translations(content, report, strict=args.strict)
    print_report(report)
    errors = len(report.errors)
    warnings = len(report.diagnostics) - errors
    units = sum(len(fw.units()) for fw in content.frameworks.values())
    items = sum(len(lesson.items) for lesson in content.lessons.values())
    print(f"checked {len(content.frameworks)} frameworks ({units} units), {len(content.crosswalks)} crosswalks, "
          f"{len(content.lessons)} lessons ({items} items), {len(content.courses)} courses: "
          f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def _selection_problems(root: Path, targets: tuple[str, ...], courses: tuple[str, ...]) -> list[str]:
    """Unknown targets and courses, found from the registry and the file names alone: before any reading."""
    known = exporters()
    problems = [f"unknown target '{t}' (known: {', '.join(sorted(known))})" for t in targets if t not in known]
    missing = [c for c in courses if not (ID_RE.match(c) and (root / "courses" / f"{c}.yaml").is_file())]
    if missing:
        ids = sorted(p.stem for p in (root / "courses").glob("*.yaml"))
        problems += [f"unknown course '{c}': there is no {root / 'courses' / (c + '.yaml')} "
                     f"(known: {', '.join(ids) or 'none'})" for c in missing]
    return problems


def _locale_problems(content: Content, courses: tuple[str, ...], locales: tuple[str, ...]) -> list[str]:
    """Asked-for locales that none of the selected courses is written in."""
    selected = sorted(courses or content.courses)
    have = {language for c in selected for language in content.courses[c].locales}
    return [f"none of the selected courses ({', '.join(selected)}) has the locale '{language}' "
            f"(they have: {', '.join(sorted(have))})" for language in locales if language not in have]


def _refuse(problems: list[str]) -> int:
    for problem in problems:
        print(f"comptoir build: {problem}", file=sys.stderr)
    return 2


def cmd_build(args) -> int:
    root = _content_root(args)
    out = Path(args.out)
    targets = tuple(args.target or sorted(exporters()))
    courses = tuple(args.course or ())
    locales = tuple(args.locale or ())
    problems = _selection_problems(root, targets, courses)
    if problems:
        return _refuse(problems)
    try:
        claim(out, root)
    except OutputError as exc:
        return _refuse([str(exc)])
    report = Report(root.parent)
    with Bar("reading", active=False if args.quiet else None) as bar:
        content = load_content(root, report, bar)
    if not report.errors and (problems := _locale_problems(content, courses, locales)):
        return _refuse(problems)
    try:
        with Bar("building", active=False if args.quiet else None) as bar:
            entries = build(content, out, Request(targets, locales, courses), report, bar)
    except ContentError as exc:
        print_report(exc.report)
        print(f"comptoir build: {exc}; nothing was written (run 'comptoir check')", file=sys.stderr)
        return 1
    except OutputError as exc:
        print_report(report)
        print(f"comptoir build: {exc}", file=sys.stderr)
        return 1
    print_report(report)
    print(f"built into {args.out}/: manifest.json lists its {len(entries)} artifact(s)", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="comptoir", description=__doc__ or "",
                                  formatter_class=argparse.RawDescriptionHelpFormatter,
                                  epilog="Run 'comptoir <command> --help' for a command's options.")
    top.add_argument("--content", default="content", help="the content folder (default: ./content)")
    sub = top.add_subparsers(dest="command", required=True, metavar="<command>")

    check = sub.add_parser("check", help="report every problem in the content (exit 1 on any error)",
                           description="Read and check all sources; print path:line:col: error[CODE]: message. "
                                       "Texts of a course without a current translation in one of its "
                                       "languages are an 'untranslated' warning per course and language.",
                           epilog="examples:\n  comptoir check\n  comptoir check --strict   "
                                  "untranslated or fuzzy texts are errors too (before a release)",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("--strict", action="store_true",
                       help="report untranslated and fuzzy texts as errors (exit 1), not warnings")
    check.set_defaults(func=cmd_check)

    b = sub.add_parser("build", help="build courses into dist/", epilog=EPILOG_BUILD,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Check the content, then build the selected targets. "
                                   "Targets: " + ", ".join(sorted(exporters())) + ".")
    b.add_argument("--target", action="append", metavar="T", help="a target (repeatable; default: all)")
    b.add_argument("--locale", action="append", metavar="L", choices=LOCALES,
                   help="a content language (repeatable; default: each course's locales)")
    b.add_argument("--course", action="append", metavar="C", help="a course id (repeatable; default: all)")
    b.add_argument("--out", default="dist", help="output folder (default: dist)")
    b.add_argument("--quiet", action="store_true",
                   help="no progress bar (there is none anyway when stderr is not a terminal)")
    b.set_defaults(func=cmd_build)

    for module in ("comptoir.commands.coverage", "comptoir.commands.i18n", "comptoir.commands.adaptive",
                   "comptoir.commands.mastery", "comptoir.commands.preview", "comptoir.commands.init",
                   "comptoir.commands.course", "comptoir.commands.report"):
        try:
            registered = __import__(module, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        registered.register(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; Ctrl-C ends it with one line and the shell's code for SIGINT (128 + 2), no traceback."""
    try:
        args = parser().parse_args(argv)
        return args.func(args)
    except KeyboardInterrupt:
        print("comptoir: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
