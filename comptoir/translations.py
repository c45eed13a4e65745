"""The course's gettext catalogs (Babel), behind ``comptoir i18n extract|update|stats``.

``extract`` writes ``locales/content.pot`` from every lesson, course and framework unit, with the
msgctxt scheme of :mod:`comptoir.i18n` (items by id, prose by lesson and text) and ``#.`` notes
that give translators the block type and competencies. ``update`` merges it into each language's
``content.po``. Babel's own fuzzy matching loses translations after heavy rewrites, so the merge
is done here: a changed item text keeps its old translation as fuzzy (same msgctxt), a changed
paragraph keeps the translation of the closest old paragraph of the same lesson, also as fuzzy.
"""
from __future__ import annotations

import difflib
from datetime import datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from .i18n import SOURCE_LANGUAGE, map_course, map_lesson
from .model import Content

DOMAIN = "content"
PROSE_SIMILARITY = 0.6


HEADER = ("# Course texts of comptoir, French source (msgctxt: <item-id>/<field>, or the lesson id for prose).\n"
          "# Translate the msgstr; never change msgid or msgctxt. See docs/translating.md.")


def _catalog(language: str | None, stamp: datetime) -> Catalog:
    catalog = Catalog(locale=language, domain=DOMAIN, project="comptoir", version="1", fuzzy=False,
                      header_comment=HEADER, copyright_holder="comptoir contributors",
                      language_team=f"comptoir {language or 'translators'}", last_translator="comptoir translators",
                      msgid_bugs_address="see docs/translating.md", creation_date=stamp,
                      revision_date=stamp)
    return catalog


def template(content: Content, stamp: datetime) -> Catalog:
    pot = _catalog(None, stamp)

    def collect(path: Path):
        location = path.relative_to(content.root.parent).as_posix()

        def add(text: str, context: str, note: str = "", line: int = 0) -> str:
            if text:
                message = pot.get(text, context)
                if message is None:
                    message = pot.add(text, context=context, auto_comments=[note] if note else [],
                                      locations=[(location, line)])
                    message.flags.discard("python-format")  # "80 %" is prose, not a format string
                elif (location, line) not in message.locations:
                    message.locations.append((location, line))
            return text

        return add

    for course in content.courses.values():
        map_course(course, collect(course.path))
    for lesson in sorted(content.lessons.values(), key=lambda lesson: lesson.path):
        map_lesson(lesson, collect(lesson.path))
    for framework in content.frameworks.values():
        add = collect(framework.path)
        for node in framework.walk():
            if node.kind in framework.levels and SOURCE_LANGUAGE in node.text:
                add(node.text[SOURCE_LANGUAGE], framework.ref(node), f"{node.kind} · official wording", node.line)
    return pot


def _lesson_of(context: str) -> str:
    return context.split("/", 1)[0]


def merge(pot: Catalog, old: Catalog | None, language: str) -> Catalog:
    """A catalog for ``language`` with every template message, carrying old translations over."""
    new = _catalog(language, pot.creation_date)
    kept = {}
    by_context: dict[str, list] = {}
    if old is not None:
        for message in old:
            if message.id and message.string:
                kept[(message.id, message.context)] = message
                by_context.setdefault(message.context or "", []).append(message)
    for message in pot:
        if not message.id:
            continue
        string, fuzzy = "", False
        exact = kept.get((message.id, message.context))
        if exact is not None:
            string, fuzzy = exact.string, exact.fuzzy
        elif message.context and "/" in message.context and by_context.get(message.context):
            string, fuzzy = by_context[message.context][0].string, True  # item field reworded: same msgctxt
        elif message.context in by_context:  # prose: the closest old paragraph of the same lesson
            candidates = by_context[message.context]
            best = max(candidates, key=lambda m: difflib.SequenceMatcher(None, m.id, message.id).ratio())
            if difflib.SequenceMatcher(None, best.id, message.id).ratio() >= PROSE_SIMILARITY:
                string, fuzzy = best.string, True
        added = new.add(message.id, string, locations=message.locations, auto_comments=message.auto_comments,
                        context=message.context, flags=("fuzzy",) if fuzzy else ())
        added.flags.discard("python-format")
    return new


def official_wordings(content: Content, language: str) -> dict[tuple[str, str], str]:
    """(msgctxt, French msgid) → the framework's own wording in ``language``, where it has one (the
    Swiss ordinance in Italian): the catalog carries it as the translation, so translators see it
    and never retranslate official text, and the counts say what is left to do."""
    return {(framework.ref(node), node.text[SOURCE_LANGUAGE]): node.text[language]
            for framework in content.frameworks.values() for node in framework.walk()
            if node.kind in framework.levels and SOURCE_LANGUAGE in node.text and language in node.text}


def with_official_wordings(catalog: Catalog, official: dict[tuple[str, str], str]) -> Catalog:
    for (context, msgid), text in official.items():
        message = catalog.get(msgid, context=context)
        if message is not None:
            message.string = text
            message.flags.discard("fuzzy")
    return catalog


def stats(catalog: Catalog) -> dict[str, int]:
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for message in catalog:
        if not message.id:
            continue
        key = "untranslated" if not message.string else "fuzzy" if message.fuzzy else "translated"
        counts[key] += 1
    return counts


def read_catalog(path: Path, language: str | None = None) -> Catalog | None:
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, omit_header=False)


def catalog_path(locales: Path, language: str) -> Path:
    return locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"
