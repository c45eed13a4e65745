"""The presentation layer: what each target shows a learner, and what scores and explains it.

For every item type a *view* (the learner-facing HTML fragments, in the order shown, never the
key) and a *key* (what scores a response, the feedback for each choice, the explanation), as
small immutable data every target serialises: the Anki cards, the browser player (as JSON, see
:func:`to_data`), Open edX problems, the XBlock. Choices, steps and nodes are addressed by their
position in the view, never by their source id (authors tend to call the right answer ``a``).

Everything here is pure: media are referred to by the flat names the build gives them
(:func:`comptoir.identity.media_name`) under ``media_prefix``.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any, Mapping, Sequence, Union

from .identity import media_name
from .model import (BLANK, FillIn, Item, KeyPoint, Lesson, Matching, Numeric, Ref, ResolvedCourse, Scenario,
                    Sequencing, SingleChoice, TrueFalse)
from .render import last_heading, to_html

BLANK_HTML = '<span class="blank"></span>'
OUTCOME_SCORES = {"success": 1.0, "partial": 0.5, "failure": 0.0}
_PLACEHOLDER = "COMPTOIRBLANKPLACEHOLDER"


# --- views and keys, one pair per item type ---------------------------------------------------

@dataclass(frozen=True)
class TrueFalseView:
    prompt: str


@dataclass(frozen=True)
class TrueFalseKey:
    answer: bool
    feedback: Mapping[str, str]  # "true" / "false": shown to who answered so
    explanation: str


@dataclass(frozen=True)
class ChoiceView:
    prompt: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class ChoiceKey:
    correct: tuple[int, ...]
    feedback: tuple[str, ...]  # per choice
    explanation: str


@dataclass(frozen=True)
class FillInView:
    prompt: str  # holds BLANK_HTML once, where the answer goes


@dataclass(frozen=True)
class FillInKey:
    answers: tuple[str, ...]
    feedback: Mapping[str, str]  # "correct" / "incorrect"
    explanation: str


@dataclass(frozen=True)
class NumericView:
    prompt: str
    unit: str


@dataclass(frozen=True)
class NumericKey:
    answer: float
    tolerance: float
    feedback: Mapping[str, str]
    explanation: str


@dataclass(frozen=True)
class MatchingView:
    prompt: str
    left: tuple[str, ...]
    right: tuple[str, ...]  # in the order shown, never the pairs' order


@dataclass(frozen=True)
class MatchingKey:
    pairs: tuple[int, ...]  # for each left, the position of its right
    feedback: Mapping[str, str]
    explanation: str


@dataclass(frozen=True)
class SequencingView:
    prompt: str
    steps: tuple[str, ...]  # in the order shown, never the right one


@dataclass(frozen=True)
class SequencingKey:
    order: tuple[int, ...]  # shown positions, in the right order
    feedback: Mapping[str, str]
    explanation: str


@dataclass(frozen=True)
class ScenarioNodeView:
    text: str
    choices: tuple[str, ...]
    end: bool


@dataclass(frozen=True)
class ScenarioView:
    prompt: str
    start: int
    nodes: tuple[ScenarioNodeView, ...]


@dataclass(frozen=True)
class ScenarioKey:
    next: tuple[tuple[int, ...], ...]  # per node, per choice: the node it leads to
    outcome: tuple[str | None, ...]  # per node: success | partial | failure on end nodes
    feedback: tuple[tuple[str, ...], ...]  # per node, per choice
    best: tuple[tuple[bool, ...], ...]  # per node, per choice: the move on a shortest path to the best outcome
    reach: tuple[tuple[float, ...], ...]  # per node, per choice: the best outcome score still reachable after it
    explanation: str
    # per node, per choice: a move marked `mistake: true`; a walk through one scores at most "partial".
    # Empty for keys stored before the field existed (every move then counts as sound).
    mistake: tuple[tuple[bool, ...], ...] = ()


View = Union[TrueFalseView, ChoiceView, FillInView, NumericView, MatchingView, SequencingView, ScenarioView]
Key = Union[TrueFalseKey, ChoiceKey, FillInKey, NumericKey, MatchingKey, SequencingKey, ScenarioKey]


# --- the presented course ---------------------------------------------------------------------

@dataclass(frozen=True)
class PresentedItem:
    id: str
    type: str
    lesson: str
    competencies: tuple[Ref, ...]  # the course units it trains
    aligned: tuple[Ref, ...]  # every competency it is aligned to, in every framework
    view: View
    key: Key


@dataclass(frozen=True)
class PresentedBlock:
    kind: str  # prose | key-point | item
    html: str = ""
    cue: str = ""  # key-point: the heading it follows, inline HTML
    index: int = 0  # key-point: its position among the lesson's key points
    item: str = ""  # item: its id


@dataclass(frozen=True)
class PresentedLesson:
    id: str
    title: str
    minutes: int
    competencies: tuple[Ref, ...]
    aligned: tuple[Ref, ...]
    blocks: tuple[PresentedBlock, ...]


@dataclass(frozen=True)
class PresentedCompetency:
    ref: Ref
    code: str
    title: str
    domain: str
    domain_title: str


@dataclass(frozen=True)
class PresentedCourse:
    id: str
    title: str
    description: str  # HTML
    language: str
    region: str
    threshold: float
    competencies: tuple[PresentedCompetency, ...]
    lessons: tuple[PresentedLesson, ...]
    items: tuple[PresentedItem, ...]


# --- presenting --------------------------------------------------------------------------------

def scrambled(seed: str, ids: Sequence[str]) -> tuple[int, ...]:
    """Positions of ``ids`` in a fixed order that is never the right one, so the order shown never
    gives the answer away; the same item id and ids give the same order in every build and target."""
    order = sorted(range(len(ids)), key=lambda i: hashlib.sha256(f"{seed}/{ids[i]}".encode()).digest())
    right = list(range(len(ids)))
    return tuple(order[1:] + order[:1]) if order == right and len(ids) > 1 else tuple(order)


def choice_value(choice, reached: float) -> float:
    """What a move is worth given the best score reachable after it: a mistake caps it at partial."""
    return min(reached, OUTCOME_SCORES["partial"]) if choice.mistake else reached


def outcome_scores(item: Scenario) -> dict[str, tuple[float, int]]:
    """Each node's best reachable outcome score and the fewest moves that reach it (the graph is
    acyclic, checked by the reader); a path through a mistake is worth at most partial."""
    nodes = {n.id: n for n in item.nodes}
    found: dict[str, tuple[float, int]] = {}

    def visit(node_id: str) -> tuple[float, int]:
        if node_id not in found:
            node = nodes[node_id]
            if node.is_end:
                found[node_id] = (OUTCOME_SCORES[node.outcome], 0)
            else:
                score, moves = max((choice_value(c, visit(c.next)[0]), -visit(c.next)[1]) for c in node.choices)
                found[node_id] = (score, 1 - moves)
        return found[node_id]

    for node_id in nodes:
        visit(node_id)
    return found


class Presenter:
    """Presents one localised course; ``media_prefix`` is where the target puts media files."""

    def __init__(self, course: ResolvedCourse, media_prefix: str = "") -> None:
        self.course = course
        self.prefix = media_prefix

    def html(self, lesson: Lesson, markdown: str, inline: bool = False) -> str:
        images = tuple(sorted((src, self.prefix + media_name(lesson.id, src)) for src in lesson.media))
        return to_html(markdown, images, inline, typography=self.course.locale) if markdown else ""

    def inline(self, lesson: Lesson, markdown: str) -> str:
        return self.html(lesson, markdown, inline=True)

    def feedback(self, lesson: Lesson, feedback: Mapping[str, str], *keys: str, inline: bool = False) -> dict[str, str]:
        return {k: self.html(lesson, feedback.get(k, ""), inline) for k in keys}

    def view_and_key(self, lesson: Lesson, item: Item) -> tuple[View, Key]:
        prompt = self.html(lesson, item.prompt)
        why = self.html(lesson, item.explanation)
        if isinstance(item, TrueFalse):
            return TrueFalseView(prompt), TrueFalseKey(item.answer, self.feedback(lesson, item.feedback, "true", "false",
                                                                                  inline=True),
                                                       why)
        if isinstance(item, SingleChoice):
            return (ChoiceView(prompt, tuple(self.inline(lesson, c.text) for c in item.choices)),
                    ChoiceKey(tuple(i for i, c in enumerate(item.choices) if c.correct),
                              tuple(self.inline(lesson, c.feedback) for c in item.choices), why))
        fb = self.feedback(lesson, getattr(item, "feedback", {}), "correct", "incorrect")
        if isinstance(item, FillIn):
            shown = self.html(lesson, item.prompt.replace(BLANK, _PLACEHOLDER, 1)).replace(_PLACEHOLDER, BLANK_HTML, 1)
            return FillInView(shown), FillInKey(item.answers, fb, why)
        if isinstance(item, Numeric):
            return NumericView(prompt, item.unit), NumericKey(item.answer, item.tolerance, fb, why)
        if isinstance(item, Matching):
            shown = scrambled(item.id, [p.id for p in item.pairs])
            return (MatchingView(prompt, tuple(self.inline(lesson, p.left) for p in item.pairs),
                                 tuple(self.inline(lesson, item.pairs[i].right) for i in shown)),
                    MatchingKey(tuple(shown.index(i) for i in range(len(item.pairs))), fb, why))
        if isinstance(item, Sequencing):
            shown = scrambled(item.id, [s.id for s in item.steps])
            return (SequencingView(prompt, tuple(self.inline(lesson, item.steps[i].text) for i in shown)),
                    SequencingKey(tuple(shown.index(i) for i in range(len(item.steps))), fb, why))
        if isinstance(item, Scenario):
            return self.scenario(lesson, item, prompt, why)
        raise TypeError(f"no presentation for item type {item.type!r}")

    def scenario(self, lesson: Lesson, item: Scenario, prompt: str, why: str) -> tuple[ScenarioView, ScenarioKey]:
        position = {n.id: i for i, n in enumerate(item.nodes)}
        value = outcome_scores(item)
        view = ScenarioView(prompt, position[item.start], tuple(
            ScenarioNodeView(self.html(lesson, n.text), tuple(self.inline(lesson, c.text) for c in n.choices), n.is_end)
            for n in item.nodes))
        key = ScenarioKey(
            next=tuple(tuple(position[c.next] for c in n.choices) for n in item.nodes),
            outcome=tuple(n.outcome for n in item.nodes),
            feedback=tuple(tuple(self.inline(lesson, c.feedback) for c in n.choices) for n in item.nodes),
            best=tuple(tuple((choice_value(c, value[c.next][0]), value[c.next][1]) == (value[n.id][0], value[n.id][1] - 1)
                             for c in n.choices) for n in item.nodes),
            reach=tuple(tuple(choice_value(c, value[c.next][0]) for c in n.choices) for n in item.nodes),
            explanation=why,
            mistake=tuple(tuple(c.mistake for c in n.choices) for n in item.nodes)
            if any(c.mistake for n in item.nodes for c in n.choices) else ())
        return view, key

    def item(self, lesson: Lesson, item: Item) -> PresentedItem:
        view, key = self.view_and_key(lesson, item)
        return PresentedItem(item.id, item.type, lesson.id, self.course.units_of(item.competencies),
                             self.course.aligned(item.competencies), view, key)

    def lesson(self, lesson: Lesson) -> tuple[PresentedLesson, list[PresentedItem]]:
        """The lesson's blocks in order, and the items of it that train a course unit."""
        blocks, items, heading = [], [], ""
        for block in lesson.blocks:
            if isinstance(block, KeyPoint):
                blocks.append(PresentedBlock("key-point", self.html(lesson, block.markdown),
                                             self.inline(lesson, heading), block.index))
            elif isinstance(block, Item):
                if self.course.units_of(block.competencies):
                    items.append(self.item(lesson, block))
                    blocks.append(PresentedBlock("item", item=block.id))
            else:
                heading = last_heading(block.markdown) or heading
                blocks.append(PresentedBlock("prose", self.html(lesson, block.markdown)))
        return (PresentedLesson(lesson.id, lesson.title, lesson.minutes, self.course.units_of(lesson.competencies),
                                self.course.aligned(lesson.competencies), tuple(blocks)), items)

    def competency(self, ref: Ref) -> PresentedCompetency:
        framework = self.course.framework
        unit = next(u for u in self.course.units if framework.ref(u) == ref)
        domain = framework.domain_of(unit)
        language = self.course.locale
        return PresentedCompetency(ref, unit.key, unit.text_in(language), domain.key, domain.text_in(language))


def present(course: ResolvedCourse, media_prefix: str = "") -> PresentedCourse:
    """The whole localised course as its targets show it."""
    presenter = Presenter(course, media_prefix)
    lessons, items = [], []
    for lesson in course.lessons:
        shown, its = presenter.lesson(lesson)
        lessons.append(shown)
        items.extend(its)
    c = course.course
    return PresentedCourse(c.id, c.title, to_html(c.description, typography=course.locale) if c.description else "", course.locale,
                           course.region, c.mastery_threshold,
                           tuple(presenter.competency(ref) for ref in course.unit_refs()), tuple(lessons), tuple(items))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def to_data(value: Any) -> Any:
    """Plain JSON-ready data (dicts, lists, camelCase keys) from presentation dataclasses."""
    if dataclasses.is_dataclass(value):
        return {_camel(f.name): to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    return value


#: The key class of each item type, for reading keys back from :func:`to_data`'s JSON.
KEY_TYPES: Mapping[str, type] = {
    "true-false": TrueFalseKey, "single": ChoiceKey, "multiple": ChoiceKey, "fill-in": FillInKey,
    "numeric": NumericKey, "matching": MatchingKey, "sequencing": SequencingKey, "scenario": ScenarioKey,
}


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, Mapping):
        return {str(k): _frozen(v) for k, v in value.items()}
    return value


def key_from_data(item_type: str, data: Mapping[str, Any]) -> Key:
    """The key of an item of ``item_type`` from its :func:`to_data` form: a host that stores keys
    as JSON (the XBlock, which scores on the server) scores them with :func:`comptoir.scoring.score`
    like a freshly presented key. KeyError or TypeError if the data is not such a key."""
    cls = KEY_TYPES[item_type]
    return cls(**{f.name: _frozen(data[_camel(f.name)]) for f in dataclasses.fields(cls)
                  if f.default is dataclasses.MISSING or _camel(f.name) in data})

