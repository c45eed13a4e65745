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
from typing import Protocol

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from .model import (
    Choice,
    Course,
    Framework,
    Item,
    KeyPoint,
    Lesson,
    Node,
    Pair,
    Prose,
    ResolvedCourse,
    ScenarioChoice,
    ScenarioNode,
    Step,
    frozen_map,
)

SOURCE_LANGUAGE = "fr"
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


def ui(language: str, msgid: str, context: str | None = None) -> str:
    """A word of the software's interface in ``language``, French when untranslated."""
    if language == SOURCE_LANGUAGE:
        return msgid
    return _lookup(catalog(language, "comptoir"), msgid, context) or msgid


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


def map_item(item: Item, t: TextMap) -> Item:
    """The item with every text passed through ``t``, keyed ``<item-id>/<field>`` (DESIGN §4)."""
    key, line = item.id, item.line
    note = f"{item.type} · {', '.join(item.competencies)}"

    def tr(text: str, field_: str) -> str:
        return t(text, f"{key}/{field_}", note, line)

    return dataclasses.replace(
        item,
        prompt=tr(item.prompt, "prompt"),
        explanation=tr(item.explanation, "explanation"),
        feedback=frozen_map({k: tr(v, f"feedback.{k}") for k, v in item.feedback.items()}),
        choices=tuple(Choice(c.id, tr(c.text, f"choice.{c.id}.text"), tr(c.feedback, f"choice.{c.id}.feedback"),
                             c.correct) for c in item.choices),
        answers=tuple(tr(a, f"answer.{i}") for i, a in enumerate(item.answers)),
        unit=tr(item.unit, "unit"),
        pairs=tuple(Pair(p.id, tr(p.left, f"pair.{p.id}.left"), tr(p.right, f"pair.{p.id}.right")) for p in item.pairs),
        steps=tuple(Step(s.id, tr(s.text, f"step.{s.id}")) for s in item.steps),
        nodes=tuple(ScenarioNode(n.id, tr(n.text, f"node.{n.id}.text"),
                                 tuple(ScenarioChoice(c.id, tr(c.text, f"node.{n.id}.choice.{c.id}.text"), c.next,
                                                      tr(c.feedback, f"node.{n.id}.choice.{c.id}.feedback"))
                                       for c in n.choices), n.outcome) for n in item.nodes),
    )


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
    result = dataclasses.replace(course, course=map_course(c, t), lessons=lessons,
                                 framework=frameworks[course.framework.id], frameworks=frameworks,
                                 locale=language, region=c.locales.get(language, language))
    return result, t.missing


def node_text(node: Node, language: str) -> str:
    """A node's wording in ``language`` (official, or translated by :func:`localise`), else French."""
    return node.text.get(language) or node.text.get(SOURCE_LANGUAGE) or next(iter(node.text.values()), "")
