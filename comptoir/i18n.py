"""Localisation: the software's own words (``comptoir.po``) and the course text (``content.po``).

French is the source. Catalogs are read with Babel; a missing or fuzzy translation falls back to
French and is counted so the build can report it (DESIGN §4).
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Mapping, Protocol, TypeVar

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from .model import SOURCE_LANGUAGE, Course, Framework, Item, KeyPoint, Lesson, Node, Prose, ResolvedCourse, frozen_map, \
    translatable_fields

T = TypeVar("T")

LANGUAGES = ("fr", "it", "en")


@cache
def _read_catalog(entry, language: str, domain: str) -> Catalog | None:
    if not entry.is_file():
        return None
    with entry.open("rb") as handle:
        return read_po(handle, locale=language, domain=domain)


def catalog(language: str, domain: str) -> Catalog | None:
    """The installed catalog ``comptoir/locales/<language>/LC_MESSAGES/<domain>.po``, or None."""
    entry = resources.files("comptoir.locales").joinpath(language, "LC_MESSAGES", f"{domain}.po")
    return _read_catalog(entry, language, domain)


def content_catalog(locales: Path | None, language: str) -> Catalog | None:
    """A content project's course catalog, ``<locales>/<language>/LC_MESSAGES/content.po``, or None."""
    if locales is None or language == SOURCE_LANGUAGE:
        return None
    return _read_catalog(locales / language / "LC_MESSAGES" / "content.po", language, "content")


def _lookup(cat: Catalog | None, msgid: str, context: str | None) -> str | None:
    if cat is None:
        return None
    message = cat.get(msgid, context=context)
    if message is None or message.fuzzy or not message.string:
        return None
    return message.string if isinstance(message.string, str) else message.string[0]


@dataclass(frozen=True)
class Words:
    """The software's own words in one language (``comptoir.po``), French when untranslated.

    ``messages`` maps each French msgid to its translation, or for a plural message to its forms by
    CLDR category (``one``, ``other``), which is how a browser's ``Intl.PluralRules`` selects them.
    """

    language: str
    messages: Mapping[str, object]

    def __call__(self, msgid: str) -> str:
        found = self.messages.get(msgid)
        return found if isinstance(found, str) else msgid


#: gettext plural forms → CLDR categories, for the languages comptoir ships (fr: n > 1; it, en: n != 1).
PLURAL_CATEGORIES = ("one", "other")


def words(language: str) -> Words:
    """The software's words in ``language``, read once from the installed catalog."""
    messages: dict[str, object] = {}
    for message in catalog(language, "comptoir") or ():
        if not message.id:
            continue
        translated = not message.fuzzy and language != SOURCE_LANGUAGE
        if isinstance(message.id, tuple):  # untranslated plurals keep the French forms, still by number
            forms = message.string if translated and all(message.string) else message.id
            messages[message.id[0]] = dict(zip(PLURAL_CATEGORIES, forms))
        elif translated and message.string:
            messages[message.id] = message.string
    return Words(language, frozen_map(messages))


class TextMap(Protocol):
    """Maps one source text to its rendering; ``note`` and ``line`` tell a translator where it is."""

    def __call__(self, text: str, context: str, note: str = "", line: int = 0) -> str: ...


@dataclass
class Translator:
    """Translates course text by ``msgctxt``; counts what fell back to French."""

    language: str
    catalog: Catalog | None
    missing: Counter = field(default_factory=Counter)

    def __call__(self, text: str, context: str, note: str = "", line: int = 0) -> str:
        if self.language == SOURCE_LANGUAGE or not text:
            return text
        found = _lookup(self.catalog, text, context)
        if found is None:
            self.missing[context.split("/", 1)[0]] += 1
            return text
        return found


def map_texts(obj: T, t: TextMap, key: str, path: tuple[str, ...], note: str, line: int) -> T:
    """``obj`` with every translatable field (see :func:`~comptoir.model.translatable`) passed through ``t``.

    The message context is ``<key>/`` and the path of segments joined by dots: a field's segment,
    then for a tuple of texts the position (``answer.0``), for a mapping the key (``feedback.true``),
    for a tuple of records the record's id (``choice.a.text``, ``node.n1.choice.b.feedback``).
    """
    def tr(text: str, *where: str) -> str:
        return t(text, f"{key}/{'.'.join(where)}", note, line)

    changes = {}
    for name, segment in translatable_fields(obj):
        here = (*path, segment) if segment else path
        value = getattr(obj, name)
        if isinstance(value, str):
            changes[name] = tr(value, *here)
        elif isinstance(value, Mapping):
            changes[name] = frozen_map({k: tr(v, *here, k) for k, v in value.items()})
        else:
            changes[name] = tuple(_flatten(tr(v, *here, str(i)).split("\n") if isinstance(v, str)
                                           else [map_texts(v, t, key, (*here, v.id), note, line)]
                                           for i, v in enumerate(value)))
    return dataclasses.replace(obj, **changes)


def _flatten(groups) -> list:
    """One list from lists. A tuple of texts is a list of alternatives (a fill-in's accepted answers),
    and a translator gives one French alternative several ones, a line each ("piano di rientro" and
    "piano di rateizzazione"): every language accepts what its own agents would type."""
    return [entry for group in groups for entry in group if entry != ""]


def map_item(item: Item, t: TextMap) -> Item:
    """The item with every text passed through ``t``, keyed ``<item-id>/<field>`` (DESIGN §4)."""
    return map_texts(item, t, item.id, (), f"{item.type} · {', '.join(item.competencies)}", item.line)


def map_lesson(lesson: Lesson, t: TextMap) -> Lesson:
    """The lesson with every text passed through ``t``: prose and key points keyed by lesson and
    text (authors never write ids on paragraphs), items by id."""
    note = ", ".join(lesson.competencies)
    blocks = []
    for block in lesson.blocks:
        if isinstance(block, Prose):
            markdown = t(block.markdown, lesson.id, f"prose · {note}", block.line)
            blocks.append(dataclasses.replace(block, markdown=markdown))
        elif isinstance(block, KeyPoint):
            blocks.append(dataclasses.replace(block, markdown=t(block.markdown, lesson.id, f"key-point · {note}",
                                                                block.line)))
        else:
            blocks.append(map_item(block, t))
    return dataclasses.replace(lesson, title=t(lesson.title, f"{lesson.id}/title", f"title · {note}", 1),
                               blocks=tuple(blocks))


def map_course(course: Course, t: TextMap) -> Course:
    return dataclasses.replace(course, title=t(course.title, f"course.{course.id}/title", "course title", 1),
                               description=t(course.description, f"course.{course.id}/description",
                                             "course description", 1))


def map_framework(framework: Framework, t: Translator) -> Framework:
    """Adds the project's translation of each level node's wording where no official one exists."""

    def node(n: Node) -> Node:
        text = n.text
        source = text.get(SOURCE_LANGUAGE)
        if n.kind in framework.levels and t.language not in text and source:
            translated = _lookup(t.catalog, source, framework.ref(n))
            if translated:
                text = frozen_map({**text, t.language: translated})
        return dataclasses.replace(n, text=text, children=tuple(node(c) for c in n.children))

    return dataclasses.replace(framework, nodes=tuple(node(n) for n in framework.nodes))


def localise(course: ResolvedCourse, language: str, locales: Path | None = None) -> tuple[ResolvedCourse, Counter]:
    """The course in ``language`` (catalogs from ``locales``), with the count of texts per lesson
    or item that fell back to French."""
    t = Translator(language, content_catalog(locales, language))
    c = course.course
    frameworks = frozen_map({fid: map_framework(fw, t) for fid, fw in course.frameworks.items()})
    lessons = tuple(map_lesson(lesson, t) for lesson in course.lessons)
    framework = frameworks[course.framework.id]
    nodes = {n.key: n for n in framework.walk()}
    result = dataclasses.replace(course, course=map_course(c, t), lessons=lessons, framework=framework,
                                 units=tuple(nodes[u.key] for u in course.units), frameworks=frameworks,
                                 locale=language, region=c.locales.get(language, language))
    return result, t.missing
