"""The course model: the one contract between source readers and exporters.

Everything here is immutable. Readers build it from ``content/``; checks validate it; the
resolver narrows it to one course; localisation swaps its texts; exporters only read it.
References are always ``"framework-id:code"`` strings.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Mapping, Union

Ref = str
BLANK = "___"  # where a fill-in item's answer goes in its prompt
SOURCE_LANGUAGE = "fr"  # the language sources are written in; every other comes from catalogs

SKOS_RELATIONS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
COVERING_RELATIONS = ("exactMatch", "closeMatch")


def frozen_map(mapping: Mapping | None = None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Location:
    path: Path
    line: int


# --- frameworks ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Node:
    """One node of a framework tree: a domain, a competency-level unit or one of its details."""

    kind: str
    text: Mapping[str, str]
    code: str | None = None
    id: str | None = None
    incomplete: str | None = None
    children: tuple["Node", ...] = ()
    line: int = 0

    def text_in(self, language: str) -> str:
        """The wording in ``language`` (official, or the project's translation once localised), else
        the source language's: the one fallback rule for every output."""
        return self.text.get(language) or self.text.get(SOURCE_LANGUAGE) or next(iter(self.text.values()), "")

    @property
    def key(self) -> str:
        """The node's code, or its made-up id when the source gives no code."""
        return self.code or self.id or ""

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Framework:
    id: str
    title: Mapping[str, str]
    issuer: str
    reference: str
    languages: tuple[str, ...]
    levels: tuple[str, ...]
    nodes: tuple[Node, ...]
    prerequisites: Mapping[Ref, tuple[Ref, ...]]
    path: Path
    sources: tuple[str, ...] = ()
    prerequisite_lines: Mapping[Ref, int] = field(default_factory=frozen_map)

    def walk(self):
        for node in self.nodes:
            yield from node.walk()

    def units(self) -> tuple[Node, ...]:
        """Competency-level units, in document order."""
        return tuple(n for n in self.walk() if n.kind == self.levels[-1])

    def ref(self, node: Node) -> Ref:
        return f"{self.id}:{node.key}"

    def lineage(self) -> Mapping[str, tuple[Node, ...]]:
        """Each node key → the chain of its ancestors in ``levels`` (top first), itself excluded."""
        return self._lineage

    @cached_property
    def _lineage(self) -> Mapping[str, tuple[Node, ...]]:  # computed once: the framework is immutable
        chains: dict[str, tuple[Node, ...]] = {}

        def visit(node: Node, chain: tuple[Node, ...]) -> None:
            chains[node.key] = chain
            inner = chain + (node,) if node.kind in self.levels else chain
            for child in node.children:
                visit(child, inner)

        for node in self.nodes:
            visit(node, ())
        return frozen_map(chains)

    def domain_of(self, unit: Node) -> Node:
        chain = self.lineage()[unit.key]
        return chain[0] if chain else unit


@dataclass(frozen=True)
class Link:
    source: Ref | None
    target: Ref | None
    relation: str
    rationale: str
    line: int = 0


@dataclass(frozen=True)
class Crosswalk:
    source: str
    target: str
    links: tuple[Link, ...]
    path: Path


# --- lessons and items ------------------------------------------------------------------------

def translatable(segment: str | None = None, default: object = "", factory=None) -> object:
    """A translatable field. ``segment`` names it in the message context (``<item-id>/<segment>…``,
    DESIGN §4); it defaults to the field's name, and '' leaves it out (``step.<id>``)."""
    metadata = {"translate": True, "segment": segment}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def translatable_fields(obj: object) -> list[tuple[str, str]]:
    """(field name, context segment) of every translatable field of a model dataclass."""
    return [(f.name, f.name if f.metadata["segment"] is None else f.metadata["segment"])
            for f in fields(obj) if f.metadata.get("translate")]


@dataclass(frozen=True)
class Choice:
    id: str
    text: str = translatable()
    feedback: str = translatable()
    correct: bool = False


@dataclass(frozen=True)
class Pair:
    id: str
    left: str = translatable()
    right: str = translatable()


@dataclass(frozen=True)
class Step:
    id: str
    text: str = translatable("")


@dataclass(frozen=True)
class ScenarioChoice:
    id: str
    text: str = translatable()
    next: str = ""
    feedback: str = translatable()
    mistake: bool = False  # a move the lesson calls a mistake: a path through it scores at most "partial"


@dataclass(frozen=True)
class ScenarioNode:
    id: str
    text: str = translatable()
    choices: tuple[ScenarioChoice, ...] = translatable("choice", ())
    outcome: str | None = None  # success | partial | failure, on end nodes only

    @property
    def is_end(self) -> bool:
        return self.outcome is not None


@dataclass(frozen=True, kw_only=True)
class Item:
    """What every quiz item and scenario has; one subclass per type adds its own fields.

    ``feedback`` maps ``correct``/``incorrect`` (``true``/``false`` for true-false) to the text shown.
    """

    type: ClassVar[str]
    id: str
    competencies: tuple[Ref, ...]
    lesson: str
    line: int = 0
    prompt: str = translatable()
    explanation: str = translatable()
    guess: float | None = None
    slip: float | None = None
    lint_ignore: tuple[str, ...] = ()  # item-writing warnings the author acknowledges (comptoir/lint.py)
    lint_reason: str = ""


@dataclass(frozen=True, kw_only=True)
class TrueFalse(Item):
    type: ClassVar[str] = "true-false"
    answer: bool
    feedback: Mapping[str, str] = translatable(factory=frozen_map)


@dataclass(frozen=True, kw_only=True)
class SingleChoice(Item):
    type: ClassVar[str] = "single"
    choices: tuple[Choice, ...] = translatable("choice", ())


@dataclass(frozen=True, kw_only=True)
class MultipleChoice(SingleChoice):
    type: ClassVar[str] = "multiple"


@dataclass(frozen=True, kw_only=True)
class FillIn(Item):
    type: ClassVar[str] = "fill-in"
    feedback: Mapping[str, str] = translatable(factory=frozen_map)
    answers: tuple[str, ...] = translatable("answer", ())
    strict: bool = False  # only the listed answer is right (no synonym): says 'strict_reason' why
    strict_reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Numeric(Item):
    type: ClassVar[str] = "numeric"
    feedback: Mapping[str, str] = translatable(factory=frozen_map)
    answer: float
    tolerance: float = 0.0
    unit: str = translatable()


@dataclass(frozen=True, kw_only=True)
class Matching(Item):
    type: ClassVar[str] = "matching"
    feedback: Mapping[str, str] = translatable(factory=frozen_map)
    pairs: tuple[Pair, ...] = translatable("pair", ())


@dataclass(frozen=True, kw_only=True)
class Sequencing(Item):
    type: ClassVar[str] = "sequencing"
    feedback: Mapping[str, str] = translatable(factory=frozen_map)
    steps: tuple[Step, ...] = translatable("step", ())


@dataclass(frozen=True, kw_only=True)
class Scenario(Item):
    type: ClassVar[str] = "scenario"
    start: str
    nodes: tuple[ScenarioNode, ...] = translatable("node", ())


ITEM_CLASSES: Mapping[str, type[Item]] = frozen_map(
    {cls.type: cls for cls in (TrueFalse, SingleChoice, MultipleChoice, FillIn, Matching, Sequencing, Numeric,
                               Scenario)})
ITEM_TYPES = tuple(ITEM_CLASSES)


@dataclass(frozen=True)
class Prose:
    markdown: str
    line: int = 0


@dataclass(frozen=True)
class KeyPoint:
    markdown: str
    index: int
    line: int = 0


Block = Union[Prose, KeyPoint, Item]


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    competencies: tuple[Ref, ...]
    minutes: int
    blocks: tuple[Block, ...]
    path: Path
    media: Mapping[str, Path] = field(default_factory=frozen_map)  # image source as written → file, for the build to read
    competencies_line: int = 1

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Item))

    @property
    def key_points(self) -> tuple[KeyPoint, ...]:
        return tuple(b for b in self.blocks if isinstance(b, KeyPoint))


# --- courses ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Course:
    id: str
    title: str
    description: str
    framework: str
    include: tuple[str, ...]  # empty = everything
    lesson_ids: tuple[str, ...]  # empty = every lesson teaching an included unit
    locales: Mapping[str, str]  # language → region locale (fr → fr_CH)
    mastery_threshold: float
    learner_model: Mapping[str, float]
    prerequisites: Mapping[Ref, tuple[Ref, ...]] | None
    path: Path
    lines: Mapping[str, int] = field(default_factory=frozen_map)  # top-level keys and prerequisite refs
    iri: str | None = None  # the IRI base of the course's xAPI/cmi5 ids (identity.course_iri); None: a URN
    #: ``learner_model.calibration``'s file as read and checked (readers/calibration.py): fitted
    #: per-competency prior/learn/forget under "skills", per-item guess/slip under "items"; None: none.
    calibration: Mapping[str, Any] | None = None

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)


@dataclass(frozen=True)
class Content:
    """All sources of a content tree, as read."""

    root: Path
    frameworks: Mapping[str, Framework]
    crosswalks: tuple[Crosswalk, ...]
    lessons: Mapping[str, Lesson]
    courses: Mapping[str, Course]


@dataclass(frozen=True)
class ResolvedCourse:
    """One course narrowed to what it teaches: its units, lessons, items and the links it uses."""

    course: Course
    framework: Framework
    frameworks: Mapping[str, Framework]
    units: tuple[Node, ...]
    lessons: tuple[Lesson, ...]
    prerequisites: Mapping[Ref, tuple[Ref, ...]]
    exact_matches: Mapping[Ref, tuple[Ref, ...]]
    coverage_links: Mapping[Ref, tuple[Ref, ...]]  # lesson-side reference → course units it covers
    locale: str = "fr"
    region: str = "fr_CH"

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for lesson in self.lessons for item in lesson.items if self.units_of(item.competencies))

    def unit_refs(self) -> tuple[Ref, ...]:
        return tuple(self.framework.ref(u) for u in self.units)

    @cached_property
    def _unit_set(self) -> frozenset[Ref]:
        # units_of runs for every item of every target: the set is built once per course
        return frozenset(self.unit_refs())

    def units_of(self, refs: tuple[Ref, ...]) -> tuple[Ref, ...]:
        """The course units that content aligned to ``refs`` teaches (direct or exact/close links)."""
        mine = self._unit_set
        found: list[Ref] = []
        for ref in refs:
            for target in (ref, *self.coverage_links.get(ref, ())):
                if target in mine and target not in found:
                    found.append(target)
        return tuple(found)

    def aligned(self, refs: tuple[Ref, ...]) -> tuple[Ref, ...]:
        """Every competency content aligned to ``refs`` trains, in every framework: the references
        themselves, the course units they teach, and one exactMatch/closeMatch hop from each."""
        found: list[Ref] = []
        for ref in (*refs, *self.units_of(refs)):
            for target in (ref, *self.coverage_links.get(ref, ())):
                if target not in found:
                    found.append(target)
        return tuple(found)
