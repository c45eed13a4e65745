"""The adaptive block's request logic, without XBlock or Django: what ``next``, ``read``, ``step``,
``answer`` and ``release`` do to one learner's record, and what they answer.

The browser never decides or scores anything here: the server asks the Python engine
(:mod:`comptoir.adaptive`) what comes next, remembers it as *offered*, and accepts a lesson read or
an answer only for the offered activity; it scores with :func:`comptoir.scoring.score` from keys
that never left the server, and sends a key only in the answer to its item.

Every function takes the learner's record (:class:`Learner`, immutable) and returns the payload
with the new record; a bad request raises :class:`RequestError` (HTTP 400 for a request that can
never succeed, 409 for one that conflicts with the learner's state) *before* anything is claimed,
so the caller keeps the old record: a rejected request changes nothing.

**Duplicates.** Each change of a learner's record has a number, ``seq``, that the client echoes
back. A replayed request carries an old number (409 ``stale``); a replayed answer also carries its
``answer_id`` again (409 ``duplicate``). Two copies of one request sent at once both carry the
current number and may both read the record before either writes it (runtimes load a block's
fields before the handler runs): the caller's ``claim(seq)`` decides, atomically across processes
(the Django cache's ``add`` in Open edX), which one may write change ``seq``; the other gets 409
``concurrent``.
"""
from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from comptoir.adaptive.engine import (LearnerState, initial_state, items_of, needs_trainer, next_activity,
                                      record_lesson, record_response, release_competency)
from comptoir.adaptive.state import decode_state, encode_state
from comptoir.present import ScenarioKey
from comptoir.scoring import ResponseError, score

from .content import BlockCourse

log = logging.getLogger(__name__)

Claim = Callable[[int], bool]


class RequestError(Exception):
    """A request the block refuses: ``status`` 400 or 409, a stable ``code`` for clients, a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message}


@dataclass(frozen=True)
class Learner:
    """One learner's record in one block (``Scope.user_state``)."""

    state: str = ""  # encode_state text; "" before the first activity
    offered: str = ""  # "item:<id>" or "lesson:<id>": the only activity that may be read or answered
    walk: tuple[int, ...] = ()  # the offered scenario's choices taken so far
    seq: int = 0  # changes so far (answers, lessons read, scenario steps)
    last_answer: str = ""  # the answer_id of the last answer recorded
    #: (item id, 1 right / 0 wrong) per answer, in order: the evidence `comptoir calibrate --format
    #: xblock` fits the course's parameters from (the engine state keeps only counts and P(L)).
    #: Kept up to MAX_HISTORY answers; later ones still count for the learner, not for calibration.
    history: tuple[tuple[str, int], ...] = ()


#: A learner's answers kept for calibration (~20 characters each in the stored state).
MAX_HISTORY = 2000


# --- reading requests ---------------------------------------------------------------------------

def parse(body: bytes) -> dict[str, Any]:
    """A request body as a JSON object; 400 ``malformed`` for anything else."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise RequestError(400, "malformed", f"the request body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise RequestError(400, "malformed", "the request body must be a JSON object")
    return data


def _field(data: Mapping[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise RequestError(400, "malformed", f"{name!r} must be a {kind.__name__}")
    return value


def _expect(learner: Learner, data: Mapping[str, Any]) -> None:
    seq = _field(data, "seq", int)
    if seq != learner.seq:
        raise RequestError(409, "stale", f"this request answers change {seq}, the learner is at change {learner.seq}: "
                                         "it was sent twice, or from an old page")


def _claim(claim: Claim, learner: Learner) -> None:
    if not claim(learner.seq):
        raise RequestError(409, "concurrent", "another copy of this request is being recorded")


# --- the learner's state --------------------------------------------------------------------------

def engine_state(course: BlockCourse, learner: Learner) -> LearnerState:
    """The engine's state of the record; a state this engine cannot read starts the course over.

    Only the server writes the state, so an unreadable one means a comptoir whose state format
    changed; records are keyed by id, so content changes never make it unreadable."""
    if not learner.state:
        return initial_state(course.engine)
    try:
        return decode_state(course.engine, learner.state)
    except ValueError:
        log.warning("comptoir: unreadable learner state %r, starting over", learner.state[:40])
        return initial_state(course.engine)


def summary(course: BlockCourse, state: LearnerState) -> dict[str, Any]:
    """What the player's ``summarise`` (progress.js) reports, in Python: the grade's source.

    ``scaled`` is the mean P(L) over the own competencies that have items (a competency without
    items can never be practised, so it neither counts nor blocks); ``passed`` when each of them
    is mastered. The same rule as the SCORM and web packages."""
    engine = course.engine
    per_comp = items_of(engine)
    practised = [c for c in range(engine.n_own) if per_comp[c]]
    total = 0.0
    for c in practised:
        total += state.p[c]
    return {
        "scaled": total / (len(practised) or 1),
        "passed": all(state.p[c] >= engine.threshold for c in practised),
        "competencies": [{"ref": engine.competencies[c], "p": state.p[c], "mastered": state.p[c] >= engine.threshold}
                         for c in range(engine.n_own)],
    }


def _plain(act: Any) -> tuple | None:
    """``(kind, index, why, competency)`` from the engine's activity, a (kind, index) pair that may
    carry ``reason`` and ``competency`` attributes (None when an engine does not say)."""
    if act is None:
        return None
    return act[0], act[1], getattr(act, "reason", None), getattr(act, "competency", None)


def _offered(course: BlockCourse, learner: Learner, state: LearnerState) -> tuple | None:
    """The offered activity when it still exists, else what the engine asks for now."""
    kind, _, ident = learner.offered.partition(":")
    index = (course.items if kind == "item" else course.lessons if kind == "lesson" else {}).get(ident)
    act = _plain(next_activity(course.engine, state))
    if index is None or act is not None and (act[0], act[1]) == (kind, index):
        return act
    table = course.engine.items if kind == "item" else course.engine.lessons
    return kind, index, "new" if kind == "item" else "lesson", (table[index].competencies or (None,))[0]


def _label(course: BlockCourse, act: tuple | None) -> str:
    if act is None:
        return ""
    kind, index = act[0], act[1]
    return f"{kind}:{(course.engine.items if kind == 'item' else course.engine.lessons)[index].id}"


def walk_steps(key: ScenarioKey, start: int, path: tuple[int, ...] | list[int]) -> list[dict[str, Any]]:
    """Each choice of a scenario walk with what the learner learns on taking it: the node it leads
    to, whether it was a best move, its feedback, and the outcome once an end node is reached."""
    steps, node = [], start
    for k in path:
        if key.outcome[node] is not None or not isinstance(k, int) or isinstance(k, bool) \
                or not 0 <= k < len(key.next[node]):
            raise RequestError(400, "bad-response", f"node {node} has no choice {k!r}")
        after = key.next[node][k]
        steps.append({"choice": k, "node": after, "best": key.best[node][k], "feedback": key.feedback[node][k],
                      "outcome": key.outcome[after]})
        node = after
    return steps


def _activity(course: BlockCourse, act: tuple | None, learner: Learner) -> dict[str, Any] | None:
    """What the browser needs to show the activity: a lesson's blocks, or an item's view (no key)."""
    if act is None:
        return None
    kind, index = act[0], act[1]
    # why it comes now and for which competency, when the engine says (the player shows it)
    why = {"why": act[2], "competency": act[3]}
    if kind == "lesson":
        lesson = course.data["lessons"][index]
        return {"kind": "lesson", "index": index, "id": lesson["id"], "blocks": lesson["blocks"], **why}
    item = course.data["items"][index]
    shown = {"kind": "item", "index": index, "id": item["id"], "type": item["type"], "view": item["view"], **why}
    if item["type"] == "scenario" and learner.walk:
        shown["walk"] = walk_steps(course.keys[index], item["view"]["start"], learner.walk)
    return shown


def _report(course: BlockCourse, state: LearnerState, learner: Learner) -> dict[str, Any]:
    s = summary(course, state)
    return {"seq": learner.seq, "state": learner.state, "mastery": s["competencies"], "grade": s["scaled"],
            "passed": s["passed"]}


def _moved_on(course: BlockCourse, state: LearnerState, learner: Learner,
              **changes: Any) -> tuple[Learner, LearnerState, Any]:
    """The record after a change: the new state, the engine's next activity offered, seq + 1;
    and the state as stored (P(L) quantised by encode_state), which every figure reports, so
    the grade published now is the one the stored state gives later."""
    act = _plain(next_activity(course.engine, state))
    moved = dataclasses.replace(learner, state=encode_state(course.engine, state), offered=_label(course, act),
                                walk=(), seq=learner.seq + 1, **changes)
    return moved, decode_state(course.engine, moved.state), act


# --- the handlers -----------------------------------------------------------------------------------

def next_(course: BlockCourse, learner: Learner) -> tuple[dict[str, Any], Learner]:
    """The activity on offer (kept until it is read or answered, so a reload cannot skip it)."""
    state = engine_state(course, learner)
    act = _offered(course, learner, state)
    label = _label(course, act)
    moved = learner if label == learner.offered else dataclasses.replace(learner, offered=label, walk=())
    return {**_report(course, state, moved), "activity": _activity(course, act, moved)}, moved


def _offered_index(course: BlockCourse, learner: Learner, kind: str, ident: Any) -> int:
    table = course.items if kind == "item" else course.lessons
    if not isinstance(ident, str) or ident not in table:
        raise RequestError(400, f"unknown-{kind}", f"this block has no {kind} {ident!r}")
    if learner.offered != f"{kind}:{ident}":
        raise RequestError(409, "not-offered", f"{kind} {ident!r} is not the activity on offer")
    return table[ident]


def read(course: BlockCourse, learner: Learner, data: Mapping[str, Any], claim: Claim) -> tuple[dict, Learner]:
    """The learner has read the offered lesson."""
    j = _offered_index(course, learner, "lesson", data.get("lesson"))
    _expect(learner, data)
    _claim(claim, learner)
    state = engine_state(course, learner)
    record_lesson(course.engine, state, j)
    moved, stored, act = _moved_on(course, state, learner)
    return {**_report(course, stored, moved), "activity": _activity(course, act, moved)}, moved


def release(course: BlockCourse, learner: Learner, data: Mapping[str, Any], claim: Claim) -> tuple[dict, Learner]:
    """The learner has worked on a competency the engine referred to a trainer: practise it again.

    Any learner may ask (there is no trainer role in the page): a release never raises mastery,
    it only gives the competency another pass (docs/adaptive.md, "Then a trainer")."""
    ref = data.get("competency")
    engine = course.engine
    if not isinstance(ref, str) or ref not in engine.competencies[:engine.n_own]:
        raise RequestError(400, "unknown-competency", f"this block has no competency {ref!r}")
    c = engine.competencies.index(ref)
    state = engine_state(course, learner)
    if not needs_trainer(engine, state, c):
        raise RequestError(409, "not-referred", f"competency {ref!r} is not waiting for a trainer")
    _expect(learner, data)
    _claim(claim, learner)
    release_competency(engine, state, c)
    moved, stored, act = _moved_on(course, state, learner)
    return {**_report(course, stored, moved), "activity": _activity(course, act, moved)}, moved


def step(course: BlockCourse, learner: Learner, data: Mapping[str, Any], claim: Claim) -> tuple[dict, Learner]:
    """One choice in the offered scenario: ``path`` is the walk so far plus this choice."""
    i = _offered_index(course, learner, "item", data.get("item"))
    key = course.keys[i]
    if not isinstance(key, ScenarioKey):
        raise RequestError(400, "not-a-scenario", f"item {data['item']!r} is not a scenario")
    path = data.get("path")
    if not isinstance(path, list) or len(path) != len(learner.walk) + 1 or tuple(path[:-1]) != learner.walk:
        raise RequestError(409, "walk", f"the path must be the walk so far {list(learner.walk)} and one more choice")
    steps = walk_steps(key, course.data["items"][i]["view"]["start"], path)
    _expect(learner, data)
    _claim(claim, learner)
    moved = dataclasses.replace(learner, walk=tuple(path), seq=learner.seq + 1)
    return {"seq": moved.seq, **steps[-1]}, moved


def answer(course: BlockCourse, learner: Learner, data: Mapping[str, Any], claim: Claim) -> tuple[dict, Learner]:
    """Score the answer to the offered item, record it, and say what comes next.

    The payload holds the score, the item's key (for the feedback), the mastery per competency
    and the next activity; the caller publishes the grade from ``summary``."""
    answer_id = data.get("answer_id", "")
    if not isinstance(answer_id, str) or len(answer_id) > 100:
        raise RequestError(400, "malformed", "'answer_id' must be a text of at most 100 characters")
    if answer_id and answer_id == learner.last_answer:
        raise RequestError(409, "duplicate", "this answer was already recorded")
    i = _offered_index(course, learner, "item", data.get("item"))
    _expect(learner, data)
    if "response" not in data:
        raise RequestError(400, "malformed", "'response' is missing")
    response = data["response"]
    item = course.data["items"][i]
    key = course.keys[i]
    if isinstance(key, ScenarioKey) and (not isinstance(response, list)
                                         or tuple(response[:len(learner.walk)]) != learner.walk):
        raise RequestError(409, "walk", f"the answer must continue the walk so far {list(learner.walk)}")
    try:
        value = score(key, response, item["view"].get("start", 0))
    except ResponseError as exc:
        raise RequestError(400, "bad-response", str(exc)) from exc
    _claim(claim, learner)
    state = engine_state(course, learner)
    record_response(course.engine, state, i, value == 1)
    history = learner.history + ((item["id"], int(value == 1)),) if len(learner.history) < MAX_HISTORY \
        else learner.history
    moved, stored, act = _moved_on(course, state, learner, last_answer=answer_id, history=history)
    payload = {**_report(course, stored, moved), "item": item["id"], "score": value, "correct": value == 1,
               "key": course.key_data[item["id"]],
               "activity": _activity(course, act, moved)}
    return payload, moved
