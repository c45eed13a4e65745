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

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from .model import Choice, Item, KeyPoint, Lesson, Pair, Prose, ResolvedCourse, ScenarioChoice, ScenarioNode, Step

SOURCE_LANGUAGE = "fr"
LANGUAGES = ("fr", "it", "en")


@cache
def catalog(language: str, domain: str) -> Catalog | None:
    """The installed catalog ``locales/<language>/LC_MESSAGES/<domain>.po``, or None."""
    entry = resources.files("comptoir.locales").joinpath(language, "LC_MESSAGES", f"{domain}.po")
    if not entry.is_file():
        return None
    with entry.open("rb") as handle:
        return read_po(handle, locale=language, domain=domain)


def _lookup(cat: Catalog | None, msgid: str, context: str | None) -> str | None:
    if cat is None:
        return None
    message = cat.get(msgid, context=context)
    if message is None or message.fuzzy or not message.string:
        return None
    return message.string if isinstance(message.string, str) else message.string[0]


def ui(language: str, msgid: str, context: str | None = None) -> str:
    """A word of the software's interface in ``language``, French when untranslated."""
    if language == SOURCE_LANGUAGE:
        return msgid
    return _lookup(catalog(language, "comptoir"), msgid, context) or msgid


@dataclass
class Translator:
    """Translates course text by ``msgctxt``; counts what fell back to French."""

    language: str
    missing: Counter = field(default_factory=Counter)

    def __call__(self, text: str, context: str) -> str:
        if self.language == SOURCE_LANGUAGE or not text:
            return text
        found = _lookup(catalog(self.language, "content"), text, context)
        if found is None:
            self.missing[context.split("/", 1)[0]] += 1
            return text
        return found


def _item(item: Item, t: Translator) -> Item:
    key = item.id
    return dataclasses.replace(
        item,
        prompt=t(item.prompt, f"{key}/prompt"),
        explanation=t(item.explanation, f"{key}/explanation"),
        feedback={k: t(v, f"{key}/feedback.{k}") for k, v in item.feedback.items()},
        choices=tuple(Choice(c.id, t(c.text, f"{key}/choice.{c.id}.text"), t(c.feedback, f"{key}/choice.{c.id}.feedback"),
                             c.correct) for c in item.choices),
        answers=tuple(t(a, f"{key}/answer.{i}") for i, a in enumerate(item.answers)),
        unit=t(item.unit, f"{key}/unit"),
        pairs=tuple(Pair(p.id, t(p.left, f"{key}/pair.{p.id}.left"), t(p.right, f"{key}/pair.{p.id}.right"))
                    for p in item.pairs),
        steps=tuple(Step(s.id, t(s.text, f"{key}/step.{s.id}")) for s in item.steps),
        nodes=tuple(ScenarioNode(n.id, t(n.text, f"{key}/node.{n.id}.text"),
                                 tuple(ScenarioChoice(c.id, t(c.text, f"{key}/node.{n.id}.choice.{c.id}.text"), c.next,
                                                      t(c.feedback, f"{key}/node.{n.id}.choice.{c.id}.feedback"))
                                       for c in n.choices), n.outcome) for n in item.nodes),
    )


def _lesson(lesson: Lesson, t: Translator) -> Lesson:
    blocks = []
    for block in lesson.blocks:
        if isinstance(block, Prose):
            blocks.append(dataclasses.replace(block, markdown=t(block.markdown, lesson.id)))
        elif isinstance(block, KeyPoint):
            blocks.append(dataclasses.replace(block, markdown=t(block.markdown, f"{lesson.id}/key-point.{block.index}")))
        else:
            blocks.append(_item(block, t))
    return dataclasses.replace(lesson, title=t(lesson.title, f"{lesson.id}/title"), blocks=tuple(blocks))


def localise(course: ResolvedCourse, language: str) -> tuple[ResolvedCourse, Counter]:
    """The course in ``language``, with the count of texts that fell back to French per lesson/item."""
    t = Translator(language)
    c = course.course
    localised_course = dataclasses.replace(c, title=t(c.title, f"course.{c.id}/title"),
                                           description=t(c.description, f"course.{c.id}/description"))
    result = dataclasses.replace(course, course=localised_course, lessons=tuple(_lesson(l, t) for l in course.lessons),
                                 locale=language, region=c.locales.get(language, language))
    return result, t.missing
