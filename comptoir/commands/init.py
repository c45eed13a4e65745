"""``comptoir init DIR``: a new content project with one small working course."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..scaffold import ScaffoldError, init_project

EPILOG = """examples:
  comptoir init ecole-accueil        a new project in ./ecole-accueil
  cd ecole-accueil && comptoir check && comptoir build && comptoir preview

The project holds content/ (frameworks/, crosswalks/, lessons/, courses/) and locales/, with a
tiny example: a framework of two competencies, one lesson of six items for each, one course.
Replace the example with your own framework, or copy a shipped one (docs/instructors.md).
DIR must be new or empty: nothing is ever overwritten.
"""


def cmd_init(args: argparse.Namespace) -> int:
    dest = Path(args.dir)
    try:
        written = init_project(dest)
    except (ScaffoldError, OSError) as exc:
        print(f"comptoir init: {exc}", file=sys.stderr)
        return 2
    print(f"created {dest}/ ({len(written)} files): content/frameworks, crosswalks, lessons, courses, locales",
          file=sys.stderr)
    print(f"next: cd {dest} && comptoir check && comptoir build && comptoir preview", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("init", help="start a new content project with a small working example",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
                       description="Create DIR with the folders of a comptoir project and an example course "
                                   "that 'comptoir check' and 'comptoir build' accept as it is.")
    p.add_argument("dir", metavar="DIR", help="the new project's folder (absent or empty)")
    p.set_defaults(func=cmd_init)
