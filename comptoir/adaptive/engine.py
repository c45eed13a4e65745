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
#: Answer counts per item are kept up to this (one base64url digit in the learner state).
MAX_COUNT = 63

#: Why `next_activity` offers what it offers (the third element of an Activity).
LESSON = "lesson"              # the competency's lesson, first time
LESSON_AGAIN = "lesson_again"  # every item answered, not mastered: read the lesson again
NEW = "new"                    # an item this learner has not answered yet
REPEAT = "repeat"              # every item answered already: one comes again, its evidence discounted
REVIEW = "review"              # spaced review of a mastered competency
REASONS = (LESSON, LESSON_AGAIN, NEW, REPEAT, REVIEW)

#: Per-competency status codes of `competency_status`.
MASTERED = "mastered"
OPEN = "open"                    # in the outer fringe, first pass through its items
REPEATING = "repeating"          # in the outer fringe, every item answered at least once
NEEDS_TRAINER = "needs_trainer"  # not mastered after max_passes passes (trainer_answers answers)
LOCKED = "locked"                # a prerequisite is not mastered yet
NO_ITEMS = "no_items"            # nothing to practise (never gates, never offered)
STATUSES = (MASTERED, OPEN, REPEATING, NEEDS_TRAINER, LOCKED, NO_ITEMS)


class Activity(tuple):
    """What to do next: the pair (kind, index) — "lesson" or "item" and its index, so
    `kind, index = next_activity(...)` keeps working — with `reason` (one of REASONS) and the
    own `competency` it serves as attributes. engine.js returns [kind, index, reason, competency].
    Compares equal to the plain pair."""

    reason: str
    competency: int

    def __new__(cls, kind: str, index: int, reason: str, competency: int) -> "Activity":
        obj = super().__new__(cls, (kind, index))
        obj.reason = reason
        obj.competency = competency
        return obj

    @property
    def kind(self) -> str:
        return self[0]

    @property
    def index(self) -> int:
        return self[1]

    def full(self) -> tuple[str, int, str, int]:
        """(kind, index, reason, competency), as engine.js's array."""
        return (self[0], self[1], self.reason, self.competency)

    def __repr__(self) -> str:
        return f"Activity{self.full()!r}"


@dataclass
class LearnerState:
    """Mutable per-learner state; `comptoir.adaptive.state` packs it for suspend_data.

    `answered[i]` counts the answers given to item i (0 = never answered; capped at MAX_COUNT).
    """

    step: int
    p: list[float]
    stage: list[int]
    due: list[int]
    answered: list[int]
    seen: list[bool] = field(default_factory=list)


def initial_state(course: EngineCourse) -> LearnerState:
    n = len(course.competencies)
    return LearnerState(step=0, p=[prm.prior for prm in course.params], stage=[0] * n,
                        due=[0] * n, answered=[0] * len(course.items),
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


def repeat_odds(course: EngineCourse, count: int) -> float:
    """P(the learner does not recall the answer) on an item already answered `count` times:
    (1 − repeat_memory)^count, by an integer loop (no pow); 1.0 on a new item."""
    keep = 1.0
    if course.repeat_memory > 0.0:
        for _ in range(count):
            keep = keep * (1.0 - course.repeat_memory)
    return keep


def effective_guess(course: EngineCourse, guess: float, count: int) -> float:
    """P(right | not known) on an item answered `count` times before: recalled, or guessed."""
    if count <= 0 or course.repeat_memory <= 0.0:
        return guess
    return guess + (1.0 - guess) * (1.0 - repeat_odds(course, count))


def effective_slip(course: EngineCourse, slip: float, count: int) -> float:
    """P(wrong | known) on an item answered `count` times before: a recalled answer is no slip."""
    if count <= 0 or course.repeat_memory <= 0.0:
        return slip
    return slip * repeat_odds(course, count)


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


def passes(course: EngineCourse, state: LearnerState, c: int) -> int:
    """Full passes through competency c's items: the fewest answers any of its items has had."""
    least = -1
    for i in items_of(course)[c]:
        if least < 0 or state.answered[i] < least:
            least = state.answered[i]
    return max(least, 0)


def answers(course: EngineCourse, state: LearnerState, c: int) -> int:
    """Answers given to competency c's items (each item's count stops at MAX_COUNT)."""
    total = 0
    for i in items_of(course)[c]:
        total = total + state.answered[i]
    return total


def needs_trainer(course: EngineCourse, state: LearnerState, c: int) -> bool:
    """c is referred to a trainer, and no longer offered (max_passes 0: never).

    After `max_passes` passes through c's items (and at least `trainer_answers` answers on
    them), if P(L) is still below `trainer_below` — the learner is more likely stuck than
    nearly there; whatever P(L), after twice as many passes without mastery.
    """
    if course.max_passes <= 0 or not items_of(course)[c] or state.p[c] >= course.threshold:
        return False
    done = passes(course, state, c)
    if done < course.max_passes or answers(course, state, c) < course.trainer_answers:
        return False
    return state.p[c] < course.trainer_below or done >= 2 * course.max_passes


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


def margin_stage(course: EngineCourse, p: float) -> int:
    """The review stage a verdict at P(L) = p has earned: 1, plus one for every doubling of
    the doubt 1 − p that stays within the threshold's own doubt 1 − threshold.

    A verdict just over the threshold is the one most likely to be false and is checked after
    review_base items; one at 0.99 for a threshold of 0.95 has a fifth of the doubt and waits
    two more doublings (stage 3). Without forgetting (forget 0, the default) a review of a
    confident verdict mostly costs an item.
    """
    doubt, room, stage = 1.0 - p, 1.0 - course.threshold, 1
    while stage < MAX_STAGE and doubt + doubt <= room:
        doubt = doubt + doubt
        stage = stage + 1
    return stage


def _reoffer_lessons(course: EngineCourse, state: LearnerState, c: int) -> None:
    for j, lesson in enumerate(course.lessons):
        if c in lesson.competencies:
            state.seen[j] = False


def record_response(course: EngineCourse, state: LearnerState, item_index: int,
                    correct: bool) -> None:
    """Update every competency the response is evidence for, review stages and answer counts.

    A repeated item's evidence is discounted: the learner may recall its answer, known or not
    (`effective_guess`, `effective_slip`), so a right answer says less, a wrong one as much.
    Reaching mastery, or a right answer to a due review, sets the review stage the verdict's
    margin has earned (`margin_stage`), and a due review moves at least one stage on. When the
    answer completes a pass through an own competency's items and that competency is still not
    mastered, its lessons are offered again.
    """
    item = course.items[item_index]
    thr = course.threshold
    after = state.step + 1
    count = state.answered[item_index]
    guess = effective_guess(course, item.guess, count)
    slip = effective_slip(course, item.slip, count)
    before = [passes(course, state, c) for c in item.competencies]
    for c in evidence_targets(course, item_index):
        old = state.p[c]
        new = bkt_update(old, course.params[c], guess, slip, correct)
        state.p[c] = new
        if c >= course.n_own or course.review_base <= 0:
            continue
        if new >= thr and old < thr:
            state.stage[c] = margin_stage(course, new)
            state.due[c] = after + review_interval(course, state.stage[c])
        elif new >= thr and state.stage[c] > 0 and state.due[c] <= state.step:
            state.stage[c] = max(min(state.stage[c] + 1, MAX_STAGE), margin_stage(course, new))
            state.due[c] = after + review_interval(course, state.stage[c])
        elif new < thr:
            state.stage[c] = 0
            state.due[c] = 0
    state.step = after
    state.answered[item_index] = min(count + 1, MAX_COUNT)
    for c, old_passes in zip(item.competencies, before):
        if state.p[c] < thr and passes(course, state, c) > old_passes:
            _reoffer_lessons(course, state, c)


def record_lesson(course: EngineCourse, state: LearnerState, lesson_index: int) -> None:
    state.seen[lesson_index] = True


def release_competency(course: EngineCourse, state: LearnerState, c: int) -> None:
    """A trainer has worked on competency c with the learner: one more pass, lessons first.

    Every answer count of c's items is brought down to at most max_passes − 1 (so c is offered
    again for at least one pass before it can be referred again), and its lessons are offered
    again. P(L) is unchanged.
    """
    keep = course.max_passes - 1 if course.max_passes > 1 else 0
    for i in items_of(course)[c]:
        if state.answered[i] > keep:
            state.answered[i] = keep
    _reoffer_lessons(course, state, c)


def separation(course: EngineCourse, i: int, count: int = 0) -> float:
    """How much a right answer says about mastery: P(right | known) − P(right | not known)."""
    item = course.items[i]
    return (1.0 - effective_slip(course, item.slip, count)) - effective_guess(course, item.guess, count)


def pick_item(course: EngineCourse, state: LearnerState, c: int) -> int:
    """Practise with the least telling of the least answered items; test with the most telling.

    Candidates are c's items answered the fewest times (new items first, then one more pass).
    While no single right answer could lift competency c to the threshold, every item is mainly
    a learning opportunity, so the weakest separator is used and the strong ones are kept; as
    soon as one right answer could establish mastery, the item that best separates mastered
    from not is asked. Ties go to the lowest index.
    """
    least = passes(course, state, c)
    prm, p, thr = course.params[c], state.p[c], course.threshold
    best = weakest = -1
    best_score = weakest_score = 0.0
    ready = False
    for i in items_of(course)[c]:
        if state.answered[i] != least:
            continue
        item = course.items[i]
        guess = effective_guess(course, item.guess, least)
        slip = effective_slip(course, item.slip, least)
        score = (1.0 - slip) - guess
        if best < 0 or score > best_score:
            best, best_score = i, score
        if weakest < 0 or score < weakest_score:
            weakest, weakest_score = i, score
        if not ready and bkt_update(p, prm, guess, slip, True) >= thr:
            ready = True
    return best if ready else weakest


def _gated(course: EngineCourse, state: LearnerState, c: int) -> bool:
    per_comp = items_of(course)
    return any(per_comp[q] and state.p[q] < course.threshold for q in course.prerequisites[c])


def next_activity(course: EngineCourse, state: LearnerState) -> Optional[Activity]:
    """Due review first, then the first competency of the outer fringe: its lesson, then an item.

    The outer fringe holds the unmastered competencies whose prerequisites are mastered; a
    prerequisite with no item can never be practised and so never gates; a competency that
    needs a trainer is skipped (and keeps gating its dependants). None: nothing left to offer
    (`competency_status` says whether that is because everything is mastered).
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
            return Activity("item", pick_item(course, state, due_c), REVIEW, due_c)
    for c in range(course.n_own):
        if state.p[c] >= thr or not per_comp[c]:
            continue
        if _gated(course, state, c) or needs_trainer(course, state, c):
            continue
        for j, lesson in enumerate(course.lessons):
            if c in lesson.competencies and not state.seen[j]:
                return Activity("lesson", j, LESSON_AGAIN if passes(course, state, c) > 0
                                else LESSON, c)
        i = pick_item(course, state, c)
        return Activity("item", i, REPEAT if state.answered[i] > 0 else NEW, c)
    return None


def competency_status(course: EngineCourse, state: LearnerState) -> list[str]:
    """One of STATUSES per own competency, in course order (for the player's progress view)."""
    out = []
    for c in range(course.n_own):
        if not items_of(course)[c]:
            out.append(NO_ITEMS)
        elif state.p[c] >= course.threshold:
            out.append(MASTERED)
        elif needs_trainer(course, state, c):
            out.append(NEEDS_TRAINER)
        elif _gated(course, state, c):
            out.append(LOCKED)
        else:
            out.append(REPEATING if passes(course, state, c) > 0 else OPEN)
    return out


def mastery(course: EngineCourse, state: LearnerState) -> dict[str, float]:
    """P(L) per competency reference, own and exactMatch ones alike."""
    return dict(zip(course.competencies, state.p))
