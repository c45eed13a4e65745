"""The engine's own view of a course: competencies, items, lessons and BKT parameters.

The engine depends on nothing but this small immutable structure, so it can be fed from the
resolved course model (`engine_course`), from a generated test course, or — through `to_json` —
to the hand-written JavaScript twin in `engine.js`. Every probability is resolved here, once, in
Python; both engines then read the same numbers.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

#: Chance of answering right without the competency, by item type: a 4-choice item guesses
#: far more often than a fill-in. Instructors override these per course and per item.
DEFAULT_GUESS: Mapping[str, float] = {
    "true-false": 0.5,
    "single": 0.25,
    "multiple": 0.1,
    "matching": 0.1,
    "sequencing": 0.05,
    "fill-in": 0.03,
    "numeric": 0.03,
    "scenario": 0.2,
}
DEFAULT_SLIP = 0.1
DEFAULT_PRIOR = 0.2
DEFAULT_LEARN = 0.15
DEFAULT_FORGET = 0.0
DEFAULT_THRESHOLD = 0.95
#: Items answered between mastery and the first spaced review; doubles after each success.
DEFAULT_REVIEW_BASE = 12
#: Chance that a learner who does not know the competency answers an item right because they
#: remember it from an earlier answer (per earlier answer: 1 − (1 − m)^k after k answers).
DEFAULT_REPEAT_MEMORY = 0.5
#: Passes through a competency's item pool, without mastery, before it is referred to a trainer
#: (0: never) ...
DEFAULT_MAX_PASSES = 3
#: ... and never before this many answers on it, so a thin pool is not a quick referral ...
DEFAULT_TRAINER_ANSWERS = 18
#: ... and only while P(L) is below this (whatever P(L), after twice max_passes passes).
DEFAULT_TRAINER_BELOW = 0.5

#: An item's guess and slip are fitted only from at least this many learners' first answers to it;
#: below, it keeps its defaults (its type's, or the course's). Why 50: about half of a first-answer
#: sample is learners who know the competency, half who do not, so each rate rests on ~25
#: answers and its standard error is √(p(1−p)/25): 0.06 for a slip of 0.1, 0.09 for a guess of
#: 0.25 — enough to tell a slip of 0.4 from 0.1, not much less. Fewer answers would flag
#: sound items by chance.
MIN_ITEM_RESPONSES = 50
#: The bad-item report: a fitted slip above this (learners who know get it wrong) ...
BAD_SLIP = 0.3
#: ... or a fitted guess above this (learners who do not know get it right).
BAD_GUESS = 0.5


@dataclass(frozen=True)
class Params:
    """Per-competency BKT parameters (guess and slip live on items)."""

    prior: float
    learn: float
    forget: float = 0.0


@dataclass(frozen=True)
class EngineItem:
    id: str
    competencies: tuple[int, ...]
    guess: float
    slip: float


@dataclass(frozen=True)
class EngineLesson:
    id: str
    competencies: tuple[int, ...]


@dataclass(frozen=True)
class EngineCourse:
    """Everything the engine needs, indices instead of references.

    `competencies` lists the course's own competencies first (`n_own` of them), then the
    competencies of other frameworks reached through `exactMatch` links, which receive evidence
    but are never offered. `repeat_memory`, `max_passes`, `trainer_answers` and `trainer_below` govern item pools
    that run out (docs/adaptive.md, "When the items run out").
    """

    competencies: tuple[str, ...]
    n_own: int
    params: tuple[Params, ...]
    prerequisites: tuple[tuple[int, ...], ...]
    exact_matches: tuple[tuple[int, ...], ...]
    items: tuple[EngineItem, ...]
    lessons: tuple[EngineLesson, ...]
    threshold: float = DEFAULT_THRESHOLD
    review_base: int = DEFAULT_REVIEW_BASE
    repeat_memory: float = DEFAULT_REPEAT_MEMORY
    max_passes: int = DEFAULT_MAX_PASSES
    trainer_answers: int = DEFAULT_TRAINER_ANSWERS
    trainer_below: float = DEFAULT_TRAINER_BELOW

    def to_json(self) -> str:
        """Serialise for engine.js; floats are written with repr, which round-trips exactly."""
        return json.dumps(self.to_dict(), separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "competencies": list(self.competencies),
            "nOwn": self.n_own,
            "params": [[p.prior, p.learn, p.forget] for p in self.params],
            "prerequisites": [list(x) for x in self.prerequisites],
            "exactMatches": [list(x) for x in self.exact_matches],
            "items": [[i.id, list(i.competencies), i.guess, i.slip] for i in self.items],
            "lessons": [[les.id, list(les.competencies)] for les in self.lessons],
            "threshold": self.threshold,
            "reviewBase": self.review_base,
            "repeatMemory": self.repeat_memory,
            "maxPasses": self.max_passes,
            "trainerAnswers": self.trainer_answers,
            "trainerBelow": self.trainer_below,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "EngineCourse":
        """The inverse of :meth:`to_dict`, for hosts that keep the course as JSON (the XBlock);
        a setting the data lacks (written by an older comptoir) takes its default."""
        optional = {"threshold": ("threshold", float), "reviewBase": ("review_base", int),
                    "repeatMemory": ("repeat_memory", float), "maxPasses": ("max_passes", int),
                    "trainerAnswers": ("trainer_answers", int), "trainerBelow": ("trainer_below", float)}
        return cls(
            competencies=tuple(data["competencies"]), n_own=int(data["nOwn"]),
            params=tuple(Params(*(float(x) for x in p)) for p in data["params"]),
            prerequisites=tuple(tuple(x) for x in data["prerequisites"]),
            exact_matches=tuple(tuple(x) for x in data["exactMatches"]),
            items=tuple(EngineItem(i[0], tuple(i[1]), float(i[2]), float(i[3])) for i in data["items"]),
            lessons=tuple(EngineLesson(les[0], tuple(les[1])) for les in data["lessons"]),
            **{name: kind(data[key]) for key, (name, kind) in optional.items() if key in data})


def restricted(course: EngineCourse, refs: Iterable[str]) -> EngineCourse:
    """The course narrowed to the own competencies in ``refs`` (course order kept).

    What an instructor's selection means: the items and lessons that train none of the kept
    competencies go, the others keep only the kept ones; a prerequisite left out of the
    selection no longer gates (the instructor chose not to ask for it); exactMatch competencies
    stay only when a kept competency links to them. Indices change but ids do not, and learner
    state is keyed by id (:mod:`.state`), so a learner's mastery survives a change of selection.
    Every other setting is kept as it is.
    """
    wanted = set(refs)
    keep = [c for c in range(course.n_own) if course.competencies[c] in wanted]
    linked = [m for m in range(course.n_own, len(course.competencies))
              if any(m in course.exact_matches[c] for c in keep)]
    old = keep + linked
    new = {c: i for i, c in enumerate(old)}

    def mapped(indices: Iterable[int]) -> tuple[int, ...]:
        return tuple(new[c] for c in indices if c in new)

    items = tuple(EngineItem(it.id, mapped(it.competencies), it.guess, it.slip)
                  for it in course.items if any(c in new and c < course.n_own for c in it.competencies))
    lessons = tuple(EngineLesson(les.id, mapped(les.competencies))
                    for les in course.lessons if any(c in new for c in les.competencies))
    return dataclasses.replace(
        course, competencies=tuple(course.competencies[c] for c in old), n_own=len(keep),
        params=tuple(course.params[c] for c in old),
        prerequisites=tuple(mapped(course.prerequisites[c]) for c in old),
        exact_matches=tuple(mapped(course.exact_matches[c]) for c in old), items=items, lessons=lessons)


def _type_defaults(learner_model: Mapping[str, Any], key: str, base: Mapping[str, float] | float) -> Any:
    """A course may override guess/slip with one number or with a mapping by item type."""
    value = learner_model.get(key)
    if value is None:
        return base
    if isinstance(value, Mapping):
        if isinstance(base, Mapping):
            return {**base, **{k: float(v) for k, v in value.items()}}
        return {k: float(v) for k, v in value.items()} | {"*": base}
    return float(value)


def _for_type(table: Mapping[str, float] | float, item_type: str, fallback: float) -> float:
    if isinstance(table, Mapping):
        return float(table.get(item_type, table.get("*", fallback)))
    return float(table)


def _unit_ref(rc: Any, unit: Any) -> str:
    """`framework-id:code`, through the framework's own `ref` when it has one."""
    if hasattr(rc.framework, "ref"):
        return str(rc.framework.ref(unit))
    return f"{rc.framework.id}:{unit.code}"


def engine_course(rc: Any, fitted: Mapping[str, Mapping[str, float]] | None = None,
                  review_base: int = DEFAULT_REVIEW_BASE,
                  repeat_memory: float = DEFAULT_REPEAT_MEMORY,
                  max_passes: int = DEFAULT_MAX_PASSES,
                  trainer_answers: int = DEFAULT_TRAINER_ANSWERS,
                  trainer_below: float = DEFAULT_TRAINER_BELOW,
                  calibrated: bool = True) -> EngineCourse:
    """Build an EngineCourse from a resolved course (duck-typed, see the module docstring).

    Item and lesson competencies go through `rc.units_of` when the course has it, so content
    aligned to another framework's competency reaches the course unit it is linked to.
    Parameters are resolved, most specific first: the guess/slip the course's calibration fitted
    for the item (`learner_model.calibration`, items with `applied` true), the item's own
    guess/slip, the course's `learner_model`, then `DEFAULT_GUESS` / `DEFAULT_SLIP`;
    per-competency prior/learn/forget come from `fitted` (keyed by reference) when given, else
    from the calibration's `skills`, else from the course's `learner_model`, else the defaults.
    Measured values come first: they are what learners did with these very items. The
    calibration's `repeat_memory` replaces the argument too: its items' guess and slip were fitted
    under it (and it is measured when calibrate ran with `--repeat-memory fit`).
    `calibrated=False` ignores the calibration (what `comptoir calibrate` starts from).
    """
    own = [_unit_ref(rc, u) for u in rc.units]
    to_units = getattr(rc, "units_of", None)  # maps lesson-side references onto course units

    def own_refs(refs: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(to_units(tuple(refs))) if to_units else tuple(refs)

    refs = list(own)
    index = {ref: i for i, ref in enumerate(refs)}
    matches_by_ref = rc.exact_matches or {}
    for ref in own:
        for other in matches_by_ref.get(ref, ()):
            if other not in index:
                index[other] = len(refs)
                refs.append(other)
    lm = dict(rc.course.learner_model or {})
    calibration = (getattr(rc.course, "calibration", None) or {}) if calibrated else {}
    fitted = fitted or calibration.get("skills", {})
    fitted_items = {i: v for i, v in calibration.get("items", {}).items() if v.get("applied", True)}

    def params_for(ref: str) -> Params:
        f = fitted.get(ref, {})
        return Params(prior=float(f.get("prior", lm.get("prior", DEFAULT_PRIOR))),
                      learn=float(f.get("learn", lm.get("learn", DEFAULT_LEARN))),
                      forget=float(f.get("forget", lm.get("forget", DEFAULT_FORGET))))

    guess_table = _type_defaults(lm, "guess", DEFAULT_GUESS)
    slip_table = _type_defaults(lm, "slip", DEFAULT_SLIP)
    items = []
    for it in rc.items:
        comps = tuple(index[c] for c in own_refs(it.competencies)
                      if c in index and index[c] < len(own))
        guess = it.guess if it.guess is not None else _for_type(guess_table, it.type, 0.2)
        slip = it.slip if it.slip is not None else _for_type(slip_table, it.type, DEFAULT_SLIP)
        if it.id in fitted_items:
            guess, slip = fitted_items[it.id]["guess"], fitted_items[it.id]["slip"]
        items.append(EngineItem(it.id, comps, float(guess), float(slip)))
    lessons = tuple(EngineLesson(les.id, tuple(index[c] for c in own_refs(les.competencies)
                                               if c in index and index[c] < len(own)))
                    for les in rc.lessons)
    prereqs = tuple(tuple(index[p] for p in rc.prerequisites.get(ref, ()) if p in index)
                    for ref in refs)
    exact = tuple(tuple(index[m] for m in matches_by_ref.get(ref, ()) if m in index)
                  for ref in refs)
    threshold = getattr(rc.course, "mastery_threshold", None) or DEFAULT_THRESHOLD
    return EngineCourse(
        competencies=tuple(refs), n_own=len(own), params=tuple(params_for(r) for r in refs),
        prerequisites=prereqs, exact_matches=exact, items=tuple(items), lessons=lessons,
        threshold=float(threshold), review_base=review_base,
        repeat_memory=float(calibration.get("repeat_memory", repeat_memory)),
        max_passes=int(max_passes), trainer_answers=int(trainer_answers),
        trainer_below=float(trainer_below))
