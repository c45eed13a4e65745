"""The adaptive XBlock in the XBlock SDK workbench, through Django's test client.

The block is the ``comptoir_adaptive`` element of the demo course's OLX export. Every bad request
gets a 4xx JSON answer and leaves the learner's record as it was; a learner who answers until
mastery gets the grade the Python engine concludes from the same answers, replayed here through
:mod:`comptoir.adaptive.engine` (the block persists its state through ``encode_state`` between
requests, so the replay does too) and averaged here, not by the block's code.
"""
from __future__ import annotations

import json
import math

import pytest
from lxml import etree

pytest.importorskip("workbench", reason="the XBlock SDK (xblock-sdk, test extra) runs the block's workbench")
pytestmark = [pytest.mark.filterwarnings("ignore:Runtime.user_id is deprecated"),  # the SDK's own use
              pytest.mark.filterwarnings("ignore:'cgi' is deprecated:DeprecationWarning")]  # WebOb's

from comptoir.adaptive.course import EngineCourse  # noqa: E402
from comptoir.adaptive.engine import initial_state, items_of, next_activity, record_lesson, record_response  # noqa: E402
from comptoir.adaptive.state import decode_state, encode_state  # noqa: E402
from comptoir.xblocks.content import loads  # noqa: E402

from .browser.learner import response_for  # noqa: E402
from .xblock_workbench import add_scenario, block_xml, setup_django  # noqa: E402


@pytest.fixture(scope="module")
def usage(tmp_path_factory):
    setup_django(tmp_path_factory.mktemp("workbench"))
    return add_scenario(block_xml("demo"))


@pytest.fixture()
def published(monkeypatch):
    """Every event the block publishes: (student, type, data)."""
    from workbench.runtime import WorkbenchRuntime
    events = []
    monkeypatch.setattr(WorkbenchRuntime, "publish",
                        lambda self, block, kind, data: events.append((block.scope_ids.user_id, kind, data)))
    return events


@pytest.fixture()
def client():
    from django.test import Client
    return Client()


def carried(name="demo"):
    return loads(etree.fromstring(block_xml(name)).text)


def call(client, usage, handler, body, student, raw=False):
    data = body if raw else json.dumps(body)
    response = client.post(f"/handler/{usage}/{handler}/?student={student}", data=data,
                           content_type="application/json")
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.status_code, json.loads(response.content)


def record(usage, student):
    """The learner's record as the workbench stored it."""
    from workbench.runtime import WorkbenchRuntime
    block = WorkbenchRuntime(student).get_block(usage)
    return (block.learner_state, block.offered, list(block.walk), block.seq, block.last_answer)


def api_response(item, right):
    """What the browser sends: response_for() builds it from the key; numbers arrive parsed."""
    response = response_for(item, right)
    return float(response.replace(",", ".")) if item["type"] == "numeric" else response


def first_item(client, usage, student):
    """Read lessons until an item is offered; that item (with its key, from the test's copy)."""
    data, keys = carried()
    status, body = call(client, usage, "next", {}, student)
    while body["activity"]["kind"] == "lesson":
        status, body = call(client, usage, "read", {"lesson": body["activity"]["id"], "seq": body["seq"]}, student)
        assert status == 200, body
    item = next(it for it in data["items"] if it["id"] == body["activity"]["id"])
    return {**item, "key": keys[item["id"]]}, body


# --- refusals ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("payload, status, code", [
    (b"{not json", 400, "malformed"),
    (b"", 400, "malformed"),
    (b"\xff\xfe", 400, "malformed"),
    (b"[1, 2]", 400, "malformed"),
    (b'{"item": "no-such-item", "response": true, "seq": 0}', 400, "unknown-item"),
    (b'{"item": 42, "response": true, "seq": 0}', 400, "unknown-item"),
])
def test_bad_answers_are_4xx_json_and_change_nothing(client, usage, payload, status, code):
    student = f"bad-{abs(hash(payload))}"
    first_item(client, usage, student)
    before = record(usage, student)
    got, body = call(client, usage, "answer", payload, student, raw=True)
    assert (got, body["error"]) == (status, code), body
    assert record(usage, student) == before


def test_an_item_that_was_not_offered_cannot_be_answered(client, usage):
    data, keys = carried()
    student = "not-offered"
    status, body = call(client, usage, "next", {}, student)  # a lesson is on offer
    assert body["activity"]["kind"] == "lesson"
    before = record(usage, student)
    item = {**data["items"][0], "key": keys[data["items"][0]["id"]]}
    status, answer = call(client, usage, "answer", {"item": item["id"], "response": api_response(item, True),
                                                    "seq": body["seq"], "answer_id": "x"}, student)
    assert (status, answer["error"]) == (409, "not-offered")
    assert record(usage, student) == before


def test_a_response_of_the_wrong_shape_is_refused(client, usage):
    item, body = first_item(client, usage, "shape")
    before = record(usage, "shape")
    status, answer = call(client, usage, "answer", {"item": item["id"], "response": {"no": 1}, "seq": body["seq"]},
                          "shape")
    assert (status, answer["error"]) == (400, "bad-response")
    assert record(usage, "shape") == before


def test_a_replayed_answer_is_refused_and_changes_nothing(client, usage, published):
    item, body = first_item(client, usage, "replay")
    answer = {"item": item["id"], "response": api_response(item, True), "seq": body["seq"], "answer_id": "r-1"}
    assert call(client, usage, "answer", answer, "replay")[0] == 200
    after = record(usage, "replay")
    status, again = call(client, usage, "answer", answer, "replay")
    assert (status, again["error"]) == (409, "duplicate")
    status, again = call(client, usage, "answer", {**answer, "answer_id": "r-2"}, "replay")
    assert status == 409 and again["error"] in ("stale", "not-offered")
    assert record(usage, "replay") == after
    assert len([e for e in published if e[0] == "replay" and e[1] == "grade"]) == 1


def test_a_concurrent_duplicate_is_refused_even_when_both_read_the_old_record(client, usage):
    """Two copies of one answer whose blocks both loaded the learner's record before either wrote."""
    import webob
    from workbench.runtime import WorkbenchRuntime
    item, body = first_item(client, usage, "twins")
    blocks = [WorkbenchRuntime("twins").get_block(usage) for _ in range(2)]
    for block in blocks:
        block.learner()  # the fields are read, as a runtime does before the handler runs
    answer = json.dumps({"item": item["id"], "response": api_response(item, True), "seq": body["seq"],
                         "answer_id": "same"}).encode()
    results = []
    for block in blocks:
        request = webob.Request.blank("/", method="POST", body=answer)
        response = block.runtime.handle(block, "answer", request)
        results.append((response.status_code, json.loads(response.body)))
    assert results[0][0] == 200
    assert (results[1][0], results[1][1]["error"]) == (409, "concurrent")
    assert record(usage, "twins")[3] == body["seq"] + 1  # recorded once


def test_only_post(client, usage):
    response = client.get(f"/handler/{usage}/answer/?student=get")
    assert response.status_code == 405 and json.loads(response.content)["error"] == "method"


def test_django_refuses_a_post_without_the_csrf_token_the_player_sends(usage):
    from django.test import Client
    strict = Client(enforce_csrf_checks=True)
    page = strict.get("/view/comptoir_adaptive.demo/?student=csrf")
    assert page.status_code == 200
    url = f"/handler/{usage}/next/?student=csrf"
    assert strict.post(url, data="{}", content_type="application/json").status_code == 403
    token = strict.cookies["csrftoken"].value  # what session-remote.js reads from document.cookie
    assert strict.post(url, data="{}", content_type="application/json", HTTP_X_CSRFTOKEN=token).status_code == 200


# --- a learner until mastery ------------------------------------------------------------------------

def test_a_learner_answers_until_mastery_and_gets_the_engines_grade(client, usage, published):
    data, keys = carried()
    engine = EngineCourse.from_dict(data["engine"])
    state = initial_state(engine)
    items = {it["id"]: {**it, "key": keys[it["id"]]} for it in data["items"]}
    student, seen, log = "mastery", {}, []
    status, body = call(client, usage, "next", {}, student)
    for _ in range(300):
        act = body["activity"]
        expected = next_activity(engine, state)
        if act is None:
            assert expected is None
            break
        assert (act["kind"], act["index"]) == tuple(expected[:2])
        if act["kind"] == "lesson":
            status, body = call(client, usage, "read", {"lesson": act["id"], "seq": body["seq"]}, student)
            record_lesson(engine, state, act["index"])
        else:
            item = items[act["id"]]
            assert act["view"] == item["view"] and "key" not in act
            right = seen.get(item["id"], 0) > 0  # wrong the first time an item comes, right afterwards
            seen[item["id"]] = seen.get(item["id"], 0) + 1
            status, body = call(client, usage, "answer", {"item": item["id"], "response": api_response(item, right),
                                                          "seq": body["seq"], "answer_id": f"a{len(log)}"}, student)
            assert status == 200, body
            assert body["score"] == (1.0 if right else 0.0) and body["key"] == keys[item["id"]]
            record_response(engine, state, act["index"], right)
            log.append((item["id"], right))
        assert status == 200, body
        state = decode_state(engine, encode_state(engine, state))  # the block keeps encode_state's text
        assert body["state"] == encode_state(engine, state)
    else:
        raise AssertionError("the course never ended")

    practised = [c for c in range(engine.n_own) if items_of(engine)[c]]
    expected_grade = math.fsum(state.p[c] for c in practised) / len(practised)
    assert all(state.p[c] >= engine.threshold for c in practised)
    grades = [data for who, kind, data in published if who == student and kind == "grade"]
    assert len(grades) == len(log)
    assert grades[-1]["max_value"] == 1.0
    assert grades[-1]["value"] == pytest.approx(expected_grade, abs=1e-12)
    completions = [data for who, kind, data in published if who == student and kind == "completion"]
    assert completions and completions[-1] == {"completion": 1.0}
    assert {right for _, right in log} == {True, False}
    from workbench.runtime import WorkbenchRuntime
    view_data = WorkbenchRuntime(student).get_block(usage).student_view_data()
    assert view_data["passed"] is True and view_data["scaled"] == pytest.approx(expected_grade, abs=1e-12)


# --- what reaches the browser ---------------------------------------------------------------------------

def key_texts(keys):
    """The feedback and explanations of every key: texts no page may show before the answer."""
    out = set()

    def walk(value, name=""):
        if isinstance(value, str) and name in ("feedback", "explanation") and len(value) >= 12:
            out.add(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, name if name == "feedback" else k)
        elif isinstance(value, list):
            for v in value:
                walk(v, name)

    for key in keys.values():
        walk(key)
    return out


def bundle_of(page: str) -> dict:
    start = page.index('class="comptoir-course">') + len('class="comptoir-course">')
    return json.loads(page[start:page.index("</script>", start)])


def test_the_page_and_next_carry_no_key(client, usage):
    data, keys = carried()
    page = client.get("/view/comptoir_adaptive.demo/?student=leak").content.decode()
    bundle = bundle_of(page)
    assert all(set(item) == {"id", "type", "lesson", "competencies"} for item in bundle["items"])
    texts = key_texts(keys)
    assert len(texts) > 40
    shown = json.dumps(bundle, ensure_ascii=False)
    assert not [t for t in texts if t in page or t in shown]
    item, body = first_item(client, usage, "leak")
    assert not [t for t in texts if t in json.dumps(body, ensure_ascii=False)]


def test_student_view_data_has_the_outline_and_mastery_but_no_item(usage):
    from workbench.runtime import WorkbenchRuntime
    data = WorkbenchRuntime("mobile").get_block(usage).student_view_data()
    assert [c["ref"] for c in data["mastery"]] == ["ch-arc:b.1", "ch-arc:b.6", "ch-arc:c.1"]
    course, _ = carried()
    assert data["passed"] is False and data["items"] == len(course["items"]) > 20
    text = json.dumps(data, ensure_ascii=False)
    assert '"view"' not in text and '"key"' not in text


def test_player_files_are_served_as_immutable_modules(client, usage):
    page = client.get("/view/comptoir_adaptive.demo/?student=files").content.decode()
    entry = json.loads(page.split('class="xblock_json_init_args">')[1].split("</script>")[0])["entry"]
    response = client.get(entry)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert "immutable" in response["Cache-Control"]
    engine = client.get(entry.replace("xblock.js", "engine.js"))
    assert b"export function nextActivity" in engine.content
    assert client.get(entry.replace("xblock.js", "../../etc/passwd")).status_code == 404


# --- OLX and Studio ----------------------------------------------------------------------------------------

def test_olx_round_trips_through_parse_xml_and_add_xml_to_node(usage):
    from workbench.runtime import WorkbenchRuntime
    original = etree.fromstring(block_xml("demo"))
    runtime = WorkbenchRuntime("olx")
    block = runtime.get_block(runtime.parse_xml_string(block_xml("demo")))
    node = etree.Element("x")
    block.add_xml_to_node(node)
    assert node.tag == "comptoir_adaptive"
    for name in ("competencies", "threshold", "display_name"):
        assert node.get(name) == original.get(name), name
    assert node.text == original.text
    assert not {"course_data", "keys", "course_hash"} & set(node.attrib)


def test_studio_shows_the_item_bank_and_saves_only_valid_settings(client):
    from workbench.runtime import WorkbenchRuntime
    studio = add_scenario(block_xml("demo"), "comptoir_adaptive.studio")
    data, _ = carried()
    view = client.get("/view/comptoir_adaptive.studio/studio_view/?student=author").content.decode()
    assert all(item["id"] in view for item in data["items"])
    assert view.count('name="competency"') == 3
    status, body = call(client, studio, "studio_submit", {"display_name": "Maîtrise", "competencies": ["ch-arc:c.1"],
                                                          "threshold": 0.8, "weight": 2}, "author")
    assert (status, body) == (200, {"result": "success"})
    block = WorkbenchRuntime("author").get_block(studio)
    assert (block.competencies, block.threshold, block.weight) == (["ch-arc:c.1"], 0.8, 2.0)
    status, body = call(client, studio, "next", {}, "learner")
    lessons_c1 = [les["id"] for les in data["lessons"] if "ch-arc:c.1" in les["competencies"]]
    assert body["activity"]["id"] == lessons_c1[0] and [m["ref"] for m in body["mastery"]] == ["ch-arc:c.1"]
    for bad in ({"threshold": 2}, {"competencies": ["ch-arc:zz"]}, {"weight": -1}, {"display_name": ""},
                {"data": "{not json"}):
        status, body = call(client, studio, "studio_submit", bad, "author")
        assert status == 400, bad
        block = WorkbenchRuntime("author").get_block(studio)
        assert (block.competencies, block.threshold, block.weight, block.display_name) == \
            (["ch-arc:c.1"], 0.8, 2.0, "Maîtrise")
