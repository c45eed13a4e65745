"""The adaptive block's request logic without XBlock or Django (xblocks/handlers.py, content.py):
the demo course as the OLX export carries it, a learner record, and every refusal leaving it as
it was. The same logic behind the real workbench: tests/test_xblock.py."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.adaptive.course import EngineCourse, restricted
from comptoir.adaptive.engine import (LearnerState, initial_state, needs_trainer, next_activity, record_lesson,
                                      record_response, release_competency)
from comptoir.adaptive.state import encode_state
from comptoir.xblocks import handlers
from comptoir.xblocks.content import ContentError, block_course, dumps, fingerprint, loads, narrow
from comptoir.xblocks.handlers import Learner, RequestError

from .xblock_workbench import block_xml


def carried(name: str = "demo"):
    from lxml import etree
    return loads(etree.fromstring(block_xml(name)).text)


def always(seq: int) -> bool:
    return True


@pytest.fixture(scope="module")
def course():
    data, keys = carried()
    return narrow(data, keys)


def test_the_olx_text_round_trips_and_carries_no_key_in_the_course():
    data, keys = carried()
    assert loads(dumps(data, keys)) == (data, keys)
    assert all("key" not in item for item in data["items"])
    assert set(keys) == {item["id"] for item in data["items"]}


@pytest.mark.parametrize("text, message", [
    ("not json", "not JSON"),
    ("[]", "must be a JSON object"),
    ('{"course": {}, "keys": {}}', "format"),
])
def test_unreadable_data_is_refused_with_a_reason(text, message):
    with pytest.raises(ContentError, match=message):
        loads(text)


def test_a_course_holding_a_key_is_refused():
    data, keys = carried()
    data["items"][0] = {**data["items"][0], "key": keys[data["items"][0]["id"]]}
    with pytest.raises(ContentError, match="holds keys"):
        loads(dumps(data, keys))


def test_narrowed_courses_are_cached_by_fingerprint_and_settings():
    data, keys = carried()
    digest = fingerprint(data, keys)
    loads_made = []

    def load():
        loads_made.append(1)
        return data, keys

    one = block_course(digest, load, (), None)
    assert block_course(digest, load, (), None) is one and len(loads_made) == 1
    assert block_course(digest, load, ("ch-arc:b.1",), None) is not one and len(loads_made) == 2


def test_restricting_keeps_ids_items_and_lessons_of_the_selection(course):
    engine = course.engine
    only = restricted(engine, ["ch-arc:c.1"])
    assert only.competencies[:only.n_own] == ("ch-arc:c.1",)
    c1 = engine.competencies.index("ch-arc:c.1")
    assert [i.id for i in only.items] == [i.id for i in engine.items if c1 in i.competencies]
    assert [les.id for les in only.lessons] == [les.id for les in engine.lessons if c1 in les.competencies]
    assert all(p == () for p in only.prerequisites[:only.n_own])  # a prerequisite left out no longer gates
    assert EngineCourse.from_dict(only.to_dict()) == only


def test_next_offers_what_the_engine_asks_and_keeps_offering_it(course):
    payload, learner = handlers.next_(course, Learner())
    kind, index = next_activity(course.engine, initial_state(course.engine))[:2]
    assert (payload["activity"]["kind"], payload["activity"]["index"]) == (kind, index)
    assert learner.offered == f"{kind}:{course.engine.lessons[index].id}"
    again, same = handlers.next_(course, learner)
    assert again == payload and same == learner


def test_refusals_leave_the_record_as_it_was(course):
    _, learner = handlers.next_(course, Learner())
    lesson = learner.offered.partition(":")[2]
    item = course.engine.items[0].id
    cases = [
        (handlers.read, {"lesson": "nope", "seq": 0}, 400, "unknown-lesson"),
        (handlers.answer, {"item": "nope", "response": True, "seq": 0}, 400, "unknown-item"),
        (handlers.answer, {"item": item, "response": True, "seq": 0}, 409, "not-offered"),
        (handlers.read, {"lesson": lesson, "seq": 5}, 409, "stale"),
        (handlers.read, {"lesson": lesson, "seq": "0"}, 400, "malformed"),
        (handlers.step, {"item": item, "path": [0], "seq": 0}, 409, "not-offered"),
    ]
    for action, body, status, code in cases:
        with pytest.raises(RequestError) as caught:
            action(course, learner, body, always)
        assert (caught.value.status, caught.value.code) == (status, code), body
    with pytest.raises(RequestError) as caught:
        handlers.read(course, learner, {"lesson": lesson, "seq": 0}, lambda seq: False)
    assert caught.value.code == "concurrent"


def test_reading_moves_on_and_counts_a_change(course):
    _, learner = handlers.next_(course, Learner())
    lesson = learner.offered.partition(":")[2]
    payload, after = handlers.read(course, learner, {"lesson": lesson, "seq": 0}, always)
    state = initial_state(course.engine)
    record_lesson(course.engine, state, course.lessons[lesson])
    kind, index = next_activity(course.engine, state)[:2]
    assert after.seq == 1 and payload["seq"] == 1
    assert (payload["activity"]["kind"], payload["activity"]["index"]) == (kind, index)
    assert "key" not in payload["activity"] and "key" not in str(payload["activity"].get("view", ""))


def offer(course, item_id: str) -> Learner:
    return dataclasses.replace(Learner(), offered=f"item:{item_id}")


def test_a_scenario_is_walked_one_choice_at_a_time_then_answered():
    course = narrow(*carried("sample"))  # the demo course has no scenario
    i = next(n for n, item in enumerate(course.data["items"]) if item["type"] == "scenario")
    item, key = course.data["items"][i], course.keys[i]
    learner = offer(course, item["id"])
    node, path = item["view"]["start"], []
    while key.outcome[node] is None:
        k = 0
        payload, learner = handlers.step(course, learner, {"item": item["id"], "path": path + [k], "seq": learner.seq},
                                         always)
        assert payload["node"] == key.next[node][k] and payload["feedback"] == key.feedback[node][k]
        node, path = key.next[node][k], path + [k]
        with pytest.raises(RequestError, match="walk so far"):  # no going back on a choice
            handlers.step(course, learner, {"item": item["id"], "path": [1 - k], "seq": learner.seq}, always)
    shown, _ = handlers.next_(course, learner)
    assert [s["choice"] for s in shown["activity"]["walk"]] == path
    with pytest.raises(RequestError) as caught:
        handlers.answer(course, learner, {"item": item["id"], "response": [1 - path[0]], "seq": learner.seq}, always)
    assert caught.value.code == "walk"
    payload, after = handlers.answer(course, learner, {"item": item["id"], "response": path, "seq": learner.seq},
                                     always)
    assert payload["key"] == course.key_data[item["id"]] and after.walk == ()


def test_a_replayed_answer_is_a_duplicate(course):
    item = course.data["items"][0]
    learner = offer(course, item["id"])
    response = course.key_data[item["id"]]
    body = {"item": item["id"], "response": response.get("answer", [0]), "seq": 0, "answer_id": "a-1"}
    if item["type"] == "fill-in":
        body["response"] = response["answers"][0]
    _, after = handlers.answer(course, learner, body, always)
    with pytest.raises(RequestError) as caught:
        handlers.answer(course, after, body, always)
    assert (caught.value.status, caught.value.code) == (409, "duplicate")


def test_malformed_bodies():
    for body in (b"{", b"\xff", b"[1]", b"null"):
        with pytest.raises(RequestError) as caught:
            handlers.parse(body)
        assert (caught.value.status, caught.value.code) == (400, "malformed")


json_values = st.recursive(st.none() | st.booleans() | st.integers(-3, 300) | st.floats(allow_nan=True)
                           | st.text(max_size=20), lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(action=st.sampled_from(["read", "step", "answer", "release"]), body=st.fixed_dictionaries(
    {}, optional={"item": st.sampled_from(["b1-q1", "nope"]) | json_values,
                  "competency": st.sampled_from(["ch-arc:b.1", "nope"]) | json_values,
                  "lesson": st.sampled_from(["b1-accueillir-nouveaux-clients"]) | json_values,
                  "response": st.lists(st.integers(0, 3), max_size=3) | json_values, "path": json_values, "seq": st.integers(-1, 2) | json_values,
                  "answer_id": json_values}))
def test_any_request_is_answered_or_refused_never_raised(course, action, body):
    """Whatever a client sends, the request logic answers or raises RequestError (a 4xx), nothing else."""
    assert course.engine.items[0].id == "b1-q1"  # a single choice: lists of positions are its responses
    for offered in ("", "lesson:b1-accueillir-nouveaux-clients", "item:b1-q1"):
        learner = Learner(offered=offered)
        try:
            getattr(handlers, action)(course, learner, body, always)
        except RequestError as exc:
            assert exc.status in (400, 409)


def test_answers_are_kept_in_order_for_calibration_and_refusals_keep_none(course):
    """The learner's record holds (item, right) per answer in order: what `comptoir calibrate
    --format xblock` reads from the exported state."""
    item = course.data["items"][0]
    learner = offer(course, item["id"])
    body = {"item": item["id"], "response": "certainly not a key", "seq": 0, "answer_id": "a-1"}
    try:
        payload, after = handlers.answer(course, learner, body, always)
    except RequestError:  # a response of the wrong kind for this item type: try an empty choice
        payload, after = handlers.answer(course, learner, {**body, "response": []}, always)
    assert after.history == ((item["id"], int(payload["correct"])),)
    with pytest.raises(RequestError):
        handlers.answer(course, after, body, always)  # a duplicate changes nothing
    assert after.history == ((item["id"], int(payload["correct"])),)


def referred(course) -> tuple[LearnerState, int]:
    """The engine's state of a learner wrong every time, at the first referral to a trainer."""
    engine = course.engine
    state = initial_state(engine)
    while not any(needs_trainer(engine, state, c) for c in range(engine.n_own)):
        act = next_activity(engine, state)
        if act[0] == "lesson":
            record_lesson(engine, state, act[1])
        else:
            record_response(engine, state, act[1], False)
    return state, next(c for c in range(engine.n_own) if needs_trainer(engine, state, c))


def test_a_referred_competency_is_released_once_and_only_when_referred(course):
    engine = course.engine
    state, c = referred(course)
    learner = Learner(state=encode_state(engine, state), seq=7)
    ref = engine.competencies[c]
    other = next(engine.competencies[d] for d in range(engine.n_own) if d != c)
    for body, status, code in [({"competency": "nope", "seq": 7}, 400, "unknown-competency"),
                               ({"competency": other, "seq": 7}, 409, "not-referred"),
                               ({"competency": ref, "seq": 6}, 409, "stale")]:
        with pytest.raises(RequestError) as caught:
            handlers.release(course, learner, body, always)
        assert (caught.value.status, caught.value.code) == (status, code), body
    payload, after = handlers.release(course, learner, {"competency": ref, "seq": 7}, always)
    release_competency(engine, state, c)
    kind, index = next_activity(engine, state)[:2]
    assert after.seq == 8 and after.state == encode_state(engine, state)
    assert (payload["activity"]["kind"], payload["activity"]["index"]) == ("lesson", index) and kind == "lesson"
    assert c in engine.lessons[index].competencies
    with pytest.raises(RequestError) as caught:  # released: no longer waiting for a trainer
        handlers.release(course, after, {"competency": ref, "seq": 8}, always)
    assert caught.value.code == "not-referred"
