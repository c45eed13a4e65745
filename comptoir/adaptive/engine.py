"""The reference adaptive engine: BKT per competency, prerequisite gating, next-activity choice.

`engine.js` mirrors every function here with the same order of floating-point operations, so
both give the same IEEE-754 bits: only + − × ÷ on doubles, no `sum()`, no exp/log/pow, and no
randomness at all (selection is deterministic; ties go to the lowest index). Change one, change
the other, and run `tests/test_adaptive_parity.py`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .course import EngineCourse, Params

#: A review stage never grows past this, so intervals stay far below 2**31 items.
MAX_STAGE = 16

Activity = tuple[str, int]  # ("lesson", lesson index) or ("item", item index)


@dataclass
class LearnerState:
    """Mutable per-learner state; `comptoir.adaptive.state` packs it for suspend_data."""

    step: int
    p: list[float]
    stage: list[int]
    due: list[int]
    answered: list[bool]
    seen: list[bool] = field(default_factory=list)


def initial_state(course: EngineCourse) -> LearnerState:
    n = len(course.competencies)
    return LearnerState(step=0, p=[prm.prior for prm in course.params], stage=[0] * n,
                        due=[0] * n, answered=[False] * len(course.items),
                        seen=[False] * len(course.lessons))


def predict_correct(p: float, guess: float, slip: float) -> float:
    """P(correct) before the response: known and no slip, or unknown and a lucky guess."""
    return p * (1.0 - slip) + (1.0 - p) * guess


def bkt_update(p: float, prm: Params, guess: float, slip: float, correct: bool) -> float:
    """Posterior P(L) given one response, then one learning/forgetting transition."""
    if correct:
        num = p * (1.0 - slip)
        den = num + (1.0 - p) * guess
    else:
        num = p * slip
        den = num + (1.0 - p) * (1.0 - guess)
    post = num / den if den > 0.0 else p
    return post * (1.0 - prm.forget) + (1.0 - post) * prm.learn


def items_of(course: EngineCourse) -> list[list[int]]:
    """Item indices per competency, in course order (computed once per course object)."""
    cached = course.__dict__.get("_items_of")
    if cached is None:
        cached = [[] for _ in course.competencies]
        for i, item in enumerate(course.items):
            for c in item.competencies:
                cached[c].append(i)
        object.__setattr__(course, "_items_of", cached)
    return cached


def evidence_targets(course: EngineCourse, item_index: int) -> list[int]:
    """The item's competencies, then their exactMatch competencies (one hop), without repeats."""
    comps = course.items[item_index].competencies
    out = list(dict.fromkeys(comps))
    for c in comps:
        for m in course.exact_matches[c]:
            if m not in out:
                out.append(m)
    return out


def review_interval(course: EngineCourse, stage: int) -> int:
    """review_base × 2^(stage−1), by integer doubling (no pow)."""
    interval = course.review_base
    for _ in range(stage - 1):
        interval = interval * 2
    return interval


def record_response(course: EngineCourse, state: LearnerState, item_index: int,
                    correct: bool) -> None:
    """Update every competency the response is evidence for, review stages and the item round."""
    item = course.items[item_index]
    thr = course.threshold
    after = state.step + 1
    for c in evidence_targets(course, item_index):
        old = state.p[c]
        new = bkt_update(old, course.params[c], item.guess, item.slip, correct)
        state.p[c] = new
        if c >= course.n_own or course.review_base <= 0:
            continue
        if new >= thr and old < thr:
            state.stage[c] = 1
            state.due[c] = after + review_interval(course, 1)
        elif new >= thr and state.stage[c] > 0 and state.due[c] <= state.step:
            state.stage[c] = min(state.stage[c] + 1, MAX_STAGE)
            state.due[c] = after + review_interval(course, state.stage[c])
        elif new < thr:
            state.stage[c] = 0
            state.due[c] = 0
    state.step = after
    state.answered[item_index] = True
    per_comp = items_of(course)
    for c in item.competencies:
        if all(state.answered[i] for i in per_comp[c]):
            for i in per_comp[c]:
                state.answered[i] = False


def record_lesson(course: EngineCourse, state: LearnerState, lesson_index: int) -> None:
    state.seen[lesson_index] = True


def separation(course: EngineCourse, i: int) -> float:
    """How much a right answer says about mastery: P(right | known) − P(right | not known)."""
    return (1.0 - course.items[i].slip) - course.items[i].guess


def pick_item(course: EngineCourse, state: LearnerState, c: int) -> int:
    """Practise with the least telling unanswered item; test with the most telling one.

    While no single right answer could lift competency c to the threshold, every item is mainly
    a learning opportunity, so the weakest separator is used and the strong ones are kept; as
    soon as one right answer could establish mastery, the item that best separates mastered
    from not is asked. Ties go to the lowest index.
    """
    candidates = items_of(course)[c]
    fresh = [i for i in candidates if not state.answered[i]] or candidates
    best = weakest = fresh[0]
    best_score = weakest_score = separation(course, fresh[0])
    ready = False
    for i in fresh:
        score = separation(course, i)
        if score > best_score:
            best, best_score = i, score
        if score < weakest_score:
            weakest, weakest_score = i, score
        item = course.items[i]
        if bkt_update(state.p[c], course.params[c], item.guess, item.slip, True) >= course.threshold:
            ready = True
    return best if ready else weakest


def next_activity(course: EngineCourse, state: LearnerState) -> Optional[Activity]:
    """Due review first, then the first competency of the outer fringe: its lesson, then an item.

    The outer fringe holds the unmastered competencies whose prerequisites are mastered; a
    prerequisite with no item can never be practised and so never gates. None: nothing left.
    """
    thr = course.threshold
    per_comp = items_of(course)
    if course.review_base > 0:
        due_c = -1
        for c in range(course.n_own):
            if (state.stage[c] > 0 and state.p[c] >= thr and state.due[c] <= state.step
                    and per_comp[c] and (due_c < 0 or state.due[c] < state.due[due_c])):
                due_c = c
        if due_c >= 0:
            return ("item", pick_item(course, state, due_c))
    for c in range(course.n_own):
        if state.p[c] >= thr or not per_comp[c]:
            continue
        if any(per_comp[q] and state.p[q] < thr for q in course.prerequisites[c]):
            continue
        for j, lesson in enumerate(course.lessons):
            if c in lesson.competencies and not state.seen[j]:
                return ("lesson", j)
        return ("item", pick_item(course, state, c))
    return None


def mastery(course: EngineCourse, state: LearnerState) -> dict[str, float]:
    """P(L) per competency reference, own and exactMatch ones alike."""
    return dict(zip(course.competencies, state.p))
