"""``comptoir i18n extract|update|stats``: the course's translation catalogs."""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from ..build import timestamp
from ..diagnostics import Report, print_report
from ..i18n import LANGUAGES, SOURCE_LANGUAGE
from ..progress import Bar
from ..project import load_content
from ..translations import (DOMAIN, catalog_path, merge, official_wordings, read_catalog, stats, template,
                            with_official_wordings, write_catalog)


def cmd_i18n(args) -> int:
    root = Path(args.content).resolve()
    locales = Path(args.locales) if args.locales else root.parent / "locales"
    languages = [lang for lang in (args.language or LANGUAGES) if lang != SOURCE_LANGUAGE]
    if args.action == "stats":
        for language in languages:
            catalog = read_catalog(catalog_path(locales, language), language)
            counts = stats(catalog) if catalog is not None else None
            total = sum(counts.values()) if counts else 0
            print(f"{language}: " + (", ".join(f"{n} {k}" for k, n in counts.items()) + f" of {total}"
                                     if counts else f"no catalog ({catalog_path(locales, language)})"))
        return 0
    report = Report(root.parent)
    with Bar("reading") as bar:
        content = load_content(root, report, bar)
    if report.errors:
        print_report(report)
        print("comptoir i18n: fix the errors above first (comptoir check)", file=sys.stderr)
        return 1
    # Dated like a build (DESIGN §6): unchanged content rewrites identical catalogs.
    paths = [*(lesson.path for lesson in content.lessons.values()), *(c.path for c in content.courses.values()),
             *(f.path for f in content.frameworks.values())]
    pot = template(content, datetime.fromtimestamp(timestamp(paths), timezone.utc))
    if args.action == "extract":
        write_catalog(pot, locales / f"{DOMAIN}.pot")
        print(f"wrote {locales / f'{DOMAIN}.pot'}: {len(pot)} messages", file=sys.stderr)
        return 0
    for language in languages:
        path = catalog_path(locales, language)
        merged = with_official_wordings(merge(pot, read_catalog(path, language), language),
                                        official_wordings(content, language))
        write_catalog(merged, path)
        counts = stats(merged)
        print(f"{path}: {counts['translated']} translated, {counts['fuzzy']} fuzzy, "
              f"{counts['untranslated']} untranslated", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("i18n", help="extract, update and count the course's translation catalogs",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Manage locales/<lang>/LC_MESSAGES/content.po (French is the source).",
                       epilog="examples:\n  comptoir i18n extract            write locales/content.pot\n"
                              "  comptoir i18n update --language it merge the template into it/content.po\n"
                              "  comptoir i18n stats               translated / fuzzy / untranslated per language")
    p.add_argument("action", choices=("extract", "update", "stats"))
    p.add_argument("--language", action="append", choices=[lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE],
                   help="a target language (repeatable; default: all)")
    p.add_argument("--locales", metavar="DIR", help="catalog folder (default: locales/ beside the content folder)")
    p.set_defaults(func=cmd_i18n)
