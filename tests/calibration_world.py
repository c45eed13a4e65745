"""Simulated learners with known parameters, and their answers written as comptoir's LMS targets
write them: the cmi5 player's statements and the XBlock's exported state. Shared by the calibration
tests (tests/test_adaptive_calibrate_lms.py) and anything else that needs such files.

The learners follow the engine exactly as the player runs it (`next_activity` / `record_response`,
default settings, except that no competency is referred to a trainer: a trainer's teaching is no
BKT transition). Each learner is a standard BKT learner per competency — known at the start with
the competency's prior, a right answer with 1 − slip when known and with guess when not, then
learning with the competency's learn rate — with the item's own guess and slip, and recalls a
repeated item's answer as the engine assumes (1 − (1 − repeat_memory)^k after k earlier answers).
So the model `comptoir calibrate` fits is the one that generated the data, and its parameters
should come back.

The statement shape is the one `player/transport-cmi5.js` sends, as an LRS stores it (compare
tests/data/cmi5-demo-statements.json, captured from tests/browser/test_player_cmi5.py against Ralph).
"""
from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

from comptoir.adaptive.course import DEFAULT_GUESS, DEFAULT_SLIP, EngineCourse, EngineItem, Params
from comptoir.adaptive.engine import initial_state, next_activity, record_lesson, record_response
from comptoir.identity import course_iri, item_iri
from comptoir.xapi import EXTENSION_SESSION_ID, INTERACTION, VERBS, competency_activity

COURSE = "calib"
BASE = course_iri(COURSE)
HOME = "https://lms.test"
START = datetime(2026, 12, 6, 8, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Truth:
    """The generating parameters: per competency (prior, learn), per item (guess, slip)."""

    competencies: dict[str, tuple[float, float]]
    items: dict[str, tuple[float, float]]


#: Three competencies (the second and third need the first), six items each; the items' types set
#: the course's declared guess (what the engine starts from), the truth differs item by item. Two
#: items are planted bad: c.2-q2's key is wrong half the time (slip 0.45), c.3-q3 gives itself
#: away (guess 0.7).
TYPES = ("single", "true-false", "multiple", "single", "fill-in", "single")
REFS = ("calib:c.1", "calib:c.2", "calib:c.3")
PLANTED = {"c.2-q2": "slip", "c.3-q3": "guess"}


def truth(seed: int = 7) -> Truth:
    rng = random.Random(seed)
    comps = {"calib:c.1": (0.35, 0.25), "calib:c.2": (0.2, 0.2), "calib:c.3": (0.25, 0.3)}
    items = {}
    for ref in REFS:
        code = ref.split(":")[1]
        for k, kind in enumerate(TYPES):
            guess = min(0.45, max(0.02, DEFAULT_GUESS[kind] + rng.uniform(-0.1, 0.1)))
            items[f"{code}-q{k}"] = (round(guess, 3), round(rng.uniform(0.04, 0.2), 3))
    items["c.2-q2"] = (items["c.2-q2"][0], 0.45)
    items["c.3-q3"] = (0.7, items["c.3-q3"][1])
    return Truth(comps, items)


def course() -> EngineCourse:
    """The course as declared: type guesses, the default slip, default prior and learn."""
    items = tuple(EngineItem(f"{ref.split(':')[1]}-q{k}", (c,), DEFAULT_GUESS[kind], DEFAULT_SLIP)
                  for c, ref in enumerate(REFS) for k, kind in enumerate(TYPES))
    return EngineCourse(competencies=REFS, n_own=3, params=(Params(0.2, 0.15),) * 3,
                        prerequisites=((), (0,), (0,)), exact_matches=((), (), ()), items=items,
                        lessons=(), max_passes=0)


@dataclass(frozen=True)
class Answer:
    learner: int
    item: str
    correct: bool
    at: datetime


def simulate(world: Truth, learners: int, seed: int = 1, cap: int = 40,
             memory: float | None = None) -> list[Answer]:
    """Every answer of `learners` simulated learners (module docstring), in time order; a learner
    stops when the engine offers nothing more or after `cap` answers. `memory`: how well these
    learners recall a repeated item (default: as the engine assumes)."""
    rng = random.Random(seed)
    engine = course()
    memory = engine.repeat_memory if memory is None else memory
    out = []
    for lr in range(learners):
        known = [rng.random() < world.competencies[ref][0] for ref in REFS]
        state = initial_state(engine)
        answered: dict[str, int] = {}
        at = START + timedelta(minutes=lr)
        for _ in range(cap):
            act = next_activity(engine, state)
            if act is None:
                break
            if act.kind == "lesson":
                record_lesson(engine, state, act.index)
                continue
            item = engine.items[act.index]
            c = item.competencies[0]
            guess, slip = world.items[item.id]
            recalled = rng.random() < 1.0 - (1.0 - memory) ** answered.get(item.id, 0)
            right = recalled or (rng.random() >= slip if known[c] else rng.random() < guess)
            if not known[c] and rng.random() < world.competencies[REFS[c]][1]:
                known[c] = True
            answered[item.id] = answered.get(item.id, 0) + 1
            record_response(engine, state, act.index, right)
            at += timedelta(seconds=20)
            out.append(Answer(lr, item.id, right, at))
    return out


# --- the cmi5 player's statements -----------------------------------------------------------------

def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _competency(ref: str) -> dict[str, Any]:
    code = ref.split(":")[1]
    return competency_activity(ref, code, f"Competency {code}", "en")


def statement(answer: Answer, verb: str = "answered", registration: str | None = None) -> dict[str, Any]:
    """One statement as the cmi5 player sends it and the LRS stores it (transport-cmi5.js,
    `statement()` and `answered()`): the learner's account, the item's activity and definition,
    the AU as parent, the publisher's AU as grouping (the LMS's context template), every aligned
    competency in `other`, the session extension, score and response, then `stored`/`authority`."""
    au = {"objectType": "Activity", "id": f"{HOME}/activities/{COURSE}"}
    ref = next(r for r in REFS if r.split(":")[1] == answer.item.split("-q")[0])
    context = {"contextActivities": {"grouping": [{"objectType": "Activity", "id": f"{BASE}/en/au"}],
                                     "parent": [au]},
               "extensions": {EXTENSION_SESSION_ID: str(uuid.uuid5(uuid.NAMESPACE_URL, f"s{answer.learner}"))},
               "registration": registration or str(uuid.uuid5(uuid.NAMESPACE_URL, f"r{answer.learner}")),
               "language": "en"}
    if verb == "answered":
        context["contextActivities"]["other"] = [_competency(ref)]
        obj = {"objectType": "Activity", "id": item_iri(BASE, answer.item),
               "definition": {"type": INTERACTION, "name": {"en": answer.item}, "interactionType": "choice",
                              "correctResponsesPattern": ["0"]}}
        result = {"success": answer.correct, "score": {"scaled": 1 if answer.correct else 0},
                  "response": "0" if answer.correct else "1", "duration": "PT0H0M12.00S"}
    else:  # the player's verdict on a competency: never evidence
        obj = _competency(ref)
        result = {"success": verb == "mastered", "score": {"scaled": 0.96}}
    return {"actor": {"account": {"homePage": HOME, "name": f"learner-{answer.learner}"}, "objectType": "Agent"},
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{answer.learner}/{answer.at.isoformat()}/{verb}")),
            "object": obj, "verb": {"id": VERBS[verb], "display": {"en-US": verb}}, "context": context,
            "timestamp": _stamp(answer.at), "result": result,
            "stored": _stamp(answer.at + timedelta(milliseconds=40)),
            "authority": {"account": {"homePage": HOME, "name": "lms"}, "objectType": "Agent"}}


def statements(answers: Iterable[Answer], seed: int = 3) -> list[dict[str, Any]]:
    """The statements an LRS would hand over for these answers, in the LRS's order, not the
    learners' — with what a real export also holds: the player's `progressed` verdicts, one answer
    sent twice (same id), and one wrongly recorded answer voided, its corrected copy after it."""
    rng = random.Random(seed)
    answers = list(answers)
    out = [statement(a) for a in answers]
    out += [statement(replace(a, at=a.at + timedelta(milliseconds=5)), verb="progressed") for a in answers[::7]]
    out.append(dict(out[3]))  # sent again after a lost acknowledgement
    wrong = statement(replace(answers[5], correct=not answers[5].correct, at=answers[5].at + timedelta(milliseconds=1)))
    wrong["id"] = str(uuid.uuid4())
    out.append(wrong)
    out.append({"actor": {"account": {"homePage": HOME, "name": "lms"}}, "id": str(uuid.uuid4()),
                "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
                "object": {"objectType": "StatementRef", "id": wrong["id"]}, "timestamp": _stamp(answers[5].at)})
    rng.shuffle(out)
    return out


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records), encoding="utf-8")
    return path


# --- the XBlock's exported state ------------------------------------------------------------------

def xblock_rows(answers: Iterable[Answer]) -> list[dict[str, Any]]:
    """One `{"user", "block", "state"}` per learner, `state` holding the block's user_state fields
    as Open edX stores them (StudentModule.state), `history` in answer order."""
    history: dict[int, list[list[Any]]] = {}
    for a in answers:
        history.setdefault(a.learner, []).append([a.item, int(a.correct)])
    block = "block-v1:Comptoir+CALIB+2026+type@comptoir_adaptive+block@practice"
    return [{"user": f"learner-{lr}", "block": block,
             "state": {"learner_state": "", "offered": "", "walk": [], "seq": len(h), "last_answer": "",
                       "history": h}} for lr, h in sorted(history.items())]

