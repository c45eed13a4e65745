"""Python ≡ JavaScript: both engines must give bit-identical probabilities and activities.

Hypothesis generates thousands of courses and event sequences; the Python engine runs each one
here, all cases go to one JSON file, node runs engine.js once over that file through a small
driver, and the traces are compared, IEEE-754 bits included.
"""
from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from comptoir.adaptive.course import EngineCourse, EngineItem, EngineLesson, Params
from comptoir.adaptive.engine import (competency_status, initial_state, next_activity,
                                      record_lesson, record_response, release_competency)
from comptoir.adaptive.state import decode_state, encode_state

ENGINE_JS = Path(__file__).resolve().parents[1] / "comptoir" / "adaptive" / "engine.js"
N_CASES = 2500

DRIVER = """
import { readFileSync } from "node:fs";
import * as E from "%s";

function bits(x) {
  const b = new Uint8Array(new Float64Array([x]).buffer);
  return Array.from(b, (v) => v.toString(16).padStart(2, "0")).join("");
}
function snapshot(course, state, activity) {
  return { activity, p: state.p.map(bits), stage: [...state.stage], due: [...state.due],
           step: state.step, answered: [...state.answered], seen: [...state.seen],
           status: E.competencyStatus(course, state) };
}
const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = cases.map(({ course: raw, events }) => {
  const course = E.loadCourse(raw);
  let state = E.initialState(course);
  const trace = [];
  for (const ev of events) {
    let activity = null;
    if (ev[0] === "next") {
      activity = E.nextActivity(course, state);
      if (activity && activity[0] === "lesson") E.recordLesson(course, state, activity[1]);
      else if (activity) E.recordResponse(course, state, activity[1], ev[1]);
    } else if (ev[0] === "item") {
      for (let k = 0; k < ev[3]; k++) E.recordResponse(course, state, ev[1], ev[2]);
    } else if (ev[0] === "release") {
      E.releaseCompetency(course, state, ev[1]);
    } else {
      state = E.decodeState(course, E.encodeState(course, state));
    }
    trace.push(snapshot(course, state, activity));
  }
  return { trace, encoded: E.encodeState(course, state) };
});
process.stdout.write(JSON.stringify(out));
"""


def bits(x: float) -> str:
    return struct.pack("<d", x).hex()


def snapshot(course: EngineCourse, state: Any, activity: Any) -> dict[str, Any]:
    return {"activity": list(activity.full()) if activity else None, "p": [bits(p) for p in state.p],
            "stage": list(state.stage), "due": list(state.due), "step": state.step,
            "answered": list(state.answered), "seen": list(state.seen),
            "status": competency_status(course, state)}


def run_python(course: EngineCourse, events: list[list[Any]]) -> dict[str, Any]:
    state = initial_state(course)
    trace = []
    for ev in events:
        activity = None
        if ev[0] == "next":
            activity = next_activity(course, state)
            if activity and activity[0] == "lesson":
                record_lesson(course, state, activity[1])
            elif activity:
                record_response(course, state, activity[1], ev[1])
        elif ev[0] == "item":
            for _ in range(ev[3]):
                record_response(course, state, ev[1], ev[2])
        elif ev[0] == "release":
            release_competency(course, state, ev[1])
        else:
            state = decode_state(course, encode_state(course, state))
        trace.append(snapshot(course, state, activity))
    return {"trace": trace, "encoded": encode_state(course, state)}


prob = st.floats(min_value=1e-6, max_value=1 - 1e-6, allow_nan=False)


@st.composite
def courses(draw: Any) -> EngineCourse:
    n_own = draw(st.integers(1, 6))
    n_ext = draw(st.integers(0, 3))
    n = n_own + n_ext
    refs = tuple(f"fw:{c}" for c in range(n_own)) + tuple(f"other:{c}" for c in range(n_ext))
    params = tuple(Params(draw(prob), draw(prob), draw(st.one_of(st.just(0.0), prob)))
                   for _ in range(n))
    prereqs = tuple(tuple(sorted(draw(st.sets(st.integers(0, c - 1), max_size=2)))) if c else ()
                    for c in range(n_own)) + ((),) * n_ext
    exact = tuple(tuple(draw(st.lists(st.integers(0, n - 1), max_size=2, unique=True)))
                  for _ in range(n))
    items = tuple(EngineItem(f"u{c}-q{k}", tuple(draw(st.lists(st.integers(0, n_own - 1),
                                                               min_size=1, max_size=2,
                                                               unique=True))),
                             draw(prob), draw(prob))
                  for c in range(n_own) for k in range(draw(st.integers(0, 4))))
    lessons = tuple(EngineLesson(f"lesson-{c}", (c,)) for c in range(n_own)
                    if draw(st.booleans()))
    return EngineCourse(refs, n_own, params, prereqs, exact, items, lessons,
                        threshold=draw(st.floats(0.5, 0.99)), review_base=draw(st.integers(0, 4)),
                        repeat_memory=draw(st.one_of(st.just(0.0), st.just(0.5), prob)),
                        max_passes=draw(st.one_of(st.just(0), st.just(3), st.integers(1, 3))),
                        trainer_answers=draw(st.one_of(st.just(0), st.integers(1, 20))),
                        trainer_below=draw(st.one_of(st.just(1.0), st.just(0.5), prob)))


@st.composite
def cases(draw: Any) -> tuple[EngineCourse, list[list[Any]]]:
    course = draw(courses())
    follow = st.tuples(st.just("next"), st.booleans()).map(list)
    others = st.one_of(st.just(["roundtrip"]),
                       st.tuples(st.just("release"), st.integers(0, course.n_own - 1)).map(list))
    event = st.one_of(follow, follow, follow, others)
    if course.items:
        # one answer, a few, or enough to reach the answer-count cap (MAX_COUNT)
        times = st.one_of(st.just(1), st.just(1), st.integers(2, 4), st.just(70))
        event = st.one_of(follow, follow, follow, follow, follow, others,
                          st.tuples(st.just("item"), st.integers(0, len(course.items) - 1),
                                    st.booleans(), times).map(list))
    return course, draw(st.lists(event, min_size=10, max_size=60))


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_python_and_javascript_engines_agree_bit_for_bit(tmp_path: Path) -> None:
    collected: list[tuple[EngineCourse, list[list[Any]], dict[str, Any]]] = []

    @settings(max_examples=N_CASES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(cases())
    def collect(case: tuple[EngineCourse, list[list[Any]]]) -> None:
        course, events = case
        collected.append((course, events, run_python(course, events)))

    collect()
    assert len(collected) >= 1000
    payload = [{"course": c.to_dict(), "events": ev} for c, ev, _ in collected]
    (tmp_path / "cases.json").write_text(json.dumps(payload))
    (tmp_path / "driver.mjs").write_text(DRIVER % ENGINE_JS.as_uri())
    done = subprocess.run(["node", str(tmp_path / "driver.mjs"), str(tmp_path / "cases.json")],
                          capture_output=True, text=True, check=True)
    js_results = json.loads(done.stdout)
    assert len(js_results) == len(collected)
    activities = 0
    reasons: set[str] = set()
    statuses: set[str] = set()
    for (course, events, py), js in zip(collected, js_results):
        assert js == py, f"engines differ on course {course.to_json()} events {events}"
        activities += sum(1 for t in py["trace"] if t["activity"])
        reasons |= {t["activity"][2] for t in py["trace"] if t["activity"]}
        statuses |= {s for t in py["trace"] for s in t["status"]}
    assert activities > 2 * len(collected)  # the cases exercised selection, not just empty courses
    # every reason code and every status was reached (pools that run out included)
    assert reasons == {"lesson", "lesson_again", "new", "repeat", "review"}, reasons
    assert statuses == {"mastered", "open", "repeating", "needs_trainer", "locked", "no_items"}
    assert any(max(t["answered"], default=0) == 63 for _, _, py in collected for t in py["trace"])
