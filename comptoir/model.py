"""The course model: the one contract between source readers and exporters.

Everything here is immutable. Readers build it from ``content/``; checks validate it; the
resolver narrows it to one course; localisation swaps its texts; exporters only read it.
References are always ``"framework-id:code"`` strings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Union

Ref = str

ITEM_TYPES = ("true-false", "single", "multiple", "fill-in", "matching", "sequencing", "numeric", "scenario")
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

@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    feedback: str
    correct: bool = False


@dataclass(frozen=True)
class Pair:
    id: str
    left: str
    right: str


@dataclass(frozen=True)
class Step:
    id: str
    text: str


@dataclass(frozen=True)
class ScenarioChoice:
    id: str
    text: str
    next: str
    feedback: str


@dataclass(frozen=True)
class ScenarioNode:
    id: str
    text: str
    choices: tuple[ScenarioChoice, ...] = ()
    outcome: str | None = None  # success | partial | failure, on end nodes only

    @property
    def is_end(self) -> bool:
        return self.outcome is not None


@dataclass(frozen=True)
class Item:
    """A quiz item or scenario. Type-specific fields are empty for the other types."""

    id: str
    type: str
    prompt: str
    competencies: tuple[Ref, ...]
    lesson: str
    line: int = 0
    explanation: str = ""
    guess: float | None = None
    slip: float | None = None
    feedback: Mapping[str, str] = field(default_factory=frozen_map)  # correct/incorrect or true/false
    choices: tuple[Choice, ...] = ()  # single, multiple
    answer: Union[bool, float, None] = None  # true-false, numeric
    tolerance: float = 0.0
    unit: str = ""
    answers: tuple[str, ...] = ()  # fill-in
    pairs: tuple[Pair, ...] = ()  # matching
    steps: tuple[Step, ...] = ()  # sequencing
    start: str = ""  # scenario
    nodes: tuple[ScenarioNode, ...] = ()


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
    media: tuple[Path, ...] = ()
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

    def units_of(self, refs: tuple[Ref, ...]) -> tuple[Ref, ...]:
        """The course units that content aligned to ``refs`` teaches (direct or exact/close links)."""
        mine = set(self.unit_refs())
        found: list[Ref] = []
        for ref in refs:
            for target in (ref, *self.coverage_links.get(ref, ())):
                if target in mine and target not in found:
                    found.append(target)
        return tuple(found)
