"""``comptoir course new``: write a course file and say at once what it covers and what it lacks."""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Callable

from ..coverage import MIN_ITEMS, MIN_LESSONS, course_coverage, gaps, text_table
from ..diagnostics import Report, print_report
from ..model import Content, frozen_map
from ..progress import Bar
from ..project import load_content
from ..readers.courses import DEFAULT_THRESHOLD, read_course
from ..resolve import resolve
from ..scaffold import CourseSpec, ScaffoldError, parse_locale, write_course
from ..validate import check_content

EPILOG = """examples:
  comptoir course new accueil-b --framework ch-arc --include b.1 b.2 c.1 --locale fr:fr_CH --locale it:it_CH \\
      --threshold 0.9 --title "Accueillir et renseigner"
  comptoir course new fr-accueil-a2 --framework fr-accueil --include A2
  comptoir course new mon-cours                      in a terminal: asks each question, with a default

--include takes domain or competency codes of the framework (default: all of it). --locale takes
language:region (fr:fr_CH, it:it_CH, en:en; French is always included). The file is
content/courses/ID.yaml; an existing file is never replaced. Right after writing it, the command
lists each competency of the course with its lessons and items, and the gaps that 'comptoir check'
will report (a competency needs at least 1 lesson and 6 items).
"""

Ask = Callable[[str], str]


def _question(ask: Ask, prompt: str, default: str) -> str:
    answer = ask(f"{prompt} [{default}]: ").strip()
    return answer or default


def _number(ask: Ask, prompt: str, default: float) -> float:
    """Ask until the answer reads as a number (a typo gets the question again, not a traceback)."""
    while True:
        answer = _question(ask, prompt, f"{default:g}")
        try:
            return float(answer.replace(",", "."))
        except ValueError:
            print(f"  '{answer}' is not a number, e.g. 0.9", file=sys.stderr)


def interview(spec: CourseSpec, content: Content, ask: Ask = input) -> CourseSpec:
    """Ask for what the command line left out, each question with its default (Enter keeps it)."""
    known = sorted(content.frameworks)
    for fid in known:
        print(f"  {fid}: {content.frameworks[fid].title.get('fr', '')}", file=sys.stderr)
    framework = _question(ask, "framework", spec.framework or (known[0] if known else ""))
    fw = content.frameworks.get(framework)
    if fw is not None:
        domains = [n.key for n in fw.nodes]
        print(f"  domains of {framework}: {' '.join(domains)}", file=sys.stderr)
    include = _question(ask, "domains or competencies to include (space-separated, or 'all')",
                        " ".join(spec.include) or "all")
    locales = _question(ask, "locales (language:region, space-separated)",
                        " ".join(f"{k}:{v}" for k, v in (spec.locales or {"fr": "fr_CH"}).items()))
    threshold = _number(ask, "mastery threshold", spec.threshold or DEFAULT_THRESHOLD)
    title = _question(ask, "title", spec.title or (fw.title.get("fr", spec.id) if fw else spec.id))
    return dataclasses.replace(
        spec, framework=framework, title=title,
        include=() if include.strip() == "all" else tuple(include.split()),
        locales=with_french(locales.split()), threshold=threshold)


def with_french(texts: list[str]) -> dict[str, str]:
    """Locales from ``lang:region`` texts, French first (the source language is in every course)."""
    locales = dict(parse_locale(x) for x in texts)
    return {"fr": locales.pop("fr", "fr_CH"), **locales}


def _with_course(content: Content, path: Path, report: Report) -> Content | None:
    """The content with the new course read from its file (nothing else is read again)."""
    course = read_course(path, report)
    if course is None:
        return None
    return dataclasses.replace(content, courses=frozen_map({**content.courses, course.id: course}))


def _describe(content: Content, course_id: str) -> str:
    coverage = course_coverage(resolve(content, course_id))
    missing = gaps(coverage)
    table = text_table({"courses": {course_id: coverage}})
    if not missing:
        return table + f"every competency has at least {MIN_LESSONS} lesson and {MIN_ITEMS} items: " \
                       "comptoir check accepts the course"
    codes = ", ".join(code for code, _ in missing)
    return table + (f"missing: {codes} — write lessons and items aligned to them, or leave them out of "
                    f"'include' in the course file; until then comptoir check reports each as a coverage error")


def cmd_course_new(args: argparse.Namespace) -> int:
    root = Path(args.content).resolve()
    report = Report(root.parent)
    with Bar("reading") as bar:
        content = load_content(root, report, bar)
    if any(d.code not in ("coverage",) for d in report.errors):
        print_report(report)
        print("comptoir course new: fix the errors above first (comptoir check)", file=sys.stderr)
        return 1
    spec = CourseSpec(args.id, args.framework or "", args.title or "", tuple(args.include or ()),
                      with_french(args.locale) if args.locale else None, args.threshold)
    if not args.framework:
        if not sys.stdin.isatty():
            print("comptoir course new: --framework is required (or run it in a terminal to be asked)",
                  file=sys.stderr)
            return 2
        spec = interview(spec, content)
    if spec.framework not in content.frameworks:
        print(f"comptoir course new: unknown framework '{spec.framework}' "
              f"(known: {', '.join(sorted(content.frameworks)) or 'none'})", file=sys.stderr)
        return 2
    if not spec.title:
        spec = dataclasses.replace(spec, title=content.frameworks[spec.framework].title.get("fr", spec.id))
    try:
        path = write_course(root, spec)
    except ScaffoldError as exc:
        print(f"comptoir course new: {exc}", file=sys.stderr)
        return 2
    # The course file is checked by the same reader and checks as any other; a file they reject
    # (an unknown code, a region the schema refuses) is removed again: nothing half-right stays.
    checked = Report(root.parent)
    updated = _with_course(content, path, checked)
    if updated is not None:
        check_content(updated, checked)
    problems = [d for d in checked.errors
                if d.code not in ("coverage", "empty-course") and (root.parent / d.path).resolve() == path.resolve()]
    if updated is None or problems:
        for diagnostic in checked.sorted() if updated is None else problems:
            print(diagnostic.format(), file=sys.stderr)
        path.unlink()
        print(f"comptoir course new: {path} was not kept; fix the options above", file=sys.stderr)
        return 2
    print(f"wrote {path}", file=sys.stderr)
    print(_describe(updated, spec.id))
    return 0


def register(sub) -> None:
    course = sub.add_parser("course", help="create a course file (comptoir course new)",
                            formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
                            description="Courses are what an instructor assembles: a framework, the competencies "
                                        "taught, the languages, the mastery threshold.")
    actions = course.add_subparsers(dest="action", required=True, metavar="<action>")
    new = actions.add_parser("new", help="write content/courses/ID.yaml and report its coverage",
                             formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
                             description="Write a new course file, then list what it covers and what is missing. "
                                         "Without --framework, in a terminal, each setting is asked for.")
    new.add_argument("id", metavar="ID", help="the course id: lowercase letters, digits, '.', '-'")
    new.add_argument("--framework", metavar="F", help="the framework id (e.g. ch-arc)")
    new.add_argument("--include", nargs="+", metavar="CODE",
                     help="domain or competency codes to include (default: the whole framework)")
    new.add_argument("--locale", action="append", metavar="LANG:REGION",
                     help="a content language and its region, e.g. fr:fr_CH (repeatable; default: fr:fr_CH)")
    new.add_argument("--threshold", type=float, metavar="P",
                     help=f"P(mastery) at which a competency counts as mastered (default {DEFAULT_THRESHOLD})")
    new.add_argument("--title", help="the course title, in French (default: the framework's title)")
    new.set_defaults(func=cmd_course_new)
