"""The adaptive XBlock's answer handler: latency with a full course state, and throughput with 20
concurrent learners, on the XBlock SDK workbench.

    python bench/xblock_answer.py [--course ch-arc] [--requests 300] [--learners 20] [--seconds 10]

1. **Latency** (budget: p99 ≤ 20 ms). The block of the course's OLX export (``ch-arc``: 40
   competencies, 291 items) in the workbench, in this process, through Django's test client — URL
   routing, the block's fields read from the workbench's SQLite store, the handler, the fields
   saved. Before each timed request (untimed) the learner's record is reset to a *full* state:
   every lesson read, every item answered but one per competency, every competency with a P(L)
   and half of them in spaced review (the largest ``encode_state`` text the course gives). Also
   printed: the same answer through the request logic alone (``xblocks/handlers.py``: engine +
   scoring + state encoding), and the first request after start (the course parsed and cached).
2. **Throughput**. The workbench's ``runserver`` (threaded, a subprocess on a loopback port);
   ``--learners`` threads, each its own student with its own session and CSRF token, ask ``next``
   and answer or read what is offered (right or wrong by a seeded coin) for ``--seconds``
   (bounded in time and count). Prints requests per second, answers per second and the answer
   latency under load.

Needs the test extra (xblock-sdk). Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lxml import etree  # noqa: E402

from comptoir.adaptive.course import EngineCourse  # noqa: E402
from comptoir.adaptive.engine import initial_state, items_of, next_activity  # noqa: E402
from comptoir.adaptive.state import encode_state  # noqa: E402
from comptoir.xblocks import handlers  # noqa: E402
from comptoir.xblocks.content import loads, narrow  # noqa: E402
from tests.browser.learner import response_for  # noqa: E402
from tests.xblock_workbench import SCENARIO, Workbench, add_scenario, block_xml, setup_django  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def figures(label: str, ms: list[float]) -> None:
    print(f"{label:44} n={len(ms):4}  p50 {statistics.median(ms):6.2f} ms  p99 {percentile(ms, 0.99):6.2f} ms  "
          f"max {max(ms):6.2f} ms")


def full_state(engine: EngineCourse):
    """Every lesson read, every item answered but the first of each competency, P(L) spread below
    and above the threshold, every other competency in review: the largest state the course gives."""
    state = initial_state(engine)
    state.seen = [True] * len(engine.lessons)
    state.answered = [1] * len(engine.items)
    for c, its in enumerate(items_of(engine)):
        if its:
            state.answered[its[0]] = 0
    for c in range(len(engine.competencies)):
        state.p[c] = 0.5 + 0.49 * ((c * 37) % 100) / 100
        if c % 2 and c < engine.n_own:
            state.p[c] = max(state.p[c], engine.threshold)
            state.stage[c], state.due[c] = 3, 10_000
    state.step = 5_000
    return state


def api_response(item: dict, right: bool):
    response = response_for(item, right)
    return float(response.replace(",", ".")) if item["type"] == "numeric" else response


def latency(course_name: str, requests: int) -> None:
    xml = block_xml(course_name)
    data, keys = loads(etree.fromstring(xml).text)
    items = {it["id"]: {**it, "key": keys[it["id"]]} for it in data["items"]}
    setup_django(Path(tempfile.mkdtemp(prefix="comptoir-bench-")))
    from django.test import Client
    from workbench.runtime import WorkbenchRuntime

    usage = add_scenario(xml)
    engine = EngineCourse.from_dict(data["engine"])
    state = full_state(engine)
    text = encode_state(engine, state)
    kind, index = next_activity(engine, state)[:2]
    assert kind == "item"
    offered = engine.items[index].id
    print(f"course {course_name}: {len(data['items'])} items, {engine.n_own} competencies, "
          f"state {len(text)} characters, course data {len(xml) / 1024:.0f} KB")

    def reset(student: str, seq: int) -> None:
        block = WorkbenchRuntime(student).get_block(usage)
        block.learner_state, block.offered, block.walk, block.seq, block.last_answer = \
            text, f"item:{offered}", [], seq, ""
        block.save()

    client = Client()
    rng = random.Random(7)
    timings, first = [], None
    for n in range(requests + 1):
        reset("bench", n)
        body = json.dumps({"item": offered, "response": api_response(items[offered], rng.random() < 0.7),
                           "seq": n, "answer_id": f"b{n}"})
        start = time.perf_counter()
        response = client.post(f"/handler/{usage}/answer/?student=bench", data=body, content_type="application/json")
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.content[:300]
        if n == 0:
            first = elapsed
        else:
            timings.append(elapsed)
    print(f"{'first answer (course parsed and cached)':44} {first:.1f} ms")
    figures("answer handler, workbench (Django + SQLite)", timings)

    in_memory(xml, text, offered, items, requests)

    course = narrow(data, keys)
    learner = handlers.Learner(text, f"item:{offered}", (), 0, "")
    pure = []
    for n in range(requests):
        body = {"item": offered, "response": api_response(items[offered], n % 3 > 0), "seq": 0, "answer_id": "x"}
        start = time.perf_counter()
        handlers.answer(course, dataclasses.replace(learner), body, lambda seq: True)
        pure.append((time.perf_counter() - start) * 1000)
    figures("answer, request logic alone (handlers.py)", pure)


def in_memory(xml: str, text: str, offered: str, items: dict, requests: int) -> None:
    """The answer handler as the platform runs it once it has loaded the block: the XBlock runtime's
    handle() with the fields in memory (no storage; Open edX caches a block's definition and
    loads the learner's record once per request)."""
    import webob
    from xblock.runtime import DictKeyValueStore, KvsFieldData
    from workbench.runtime import WorkbenchRuntime

    class MemoryRuntime(WorkbenchRuntime):
        def __init__(self, user_id=None):
            super().__init__(user_id)
            self._services["field-data"] = KvsFieldData(DictKeyValueStore())

        def publish(self, block, event_type, event_data):
            pass

    runtime = MemoryRuntime("memory")
    block = runtime.get_block(runtime.parse_xml_string(xml))
    rng = random.Random(3)
    timings = []
    for n in range(requests + 1):
        block.learner_state, block.offered, block.walk, block.seq, block.last_answer = \
            text, f"item:{offered}", [], n, ""
        block.save()
        request = webob.Request.blank("/", method="POST", body=json.dumps(
            {"item": offered, "response": api_response(items[offered], rng.random() < 0.7), "seq": n,
             "answer_id": f"m{n}"}).encode())
        start = time.perf_counter()
        response = runtime.handle(block, "answer", request)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.body[:300]
        if n:
            timings.append(elapsed)
    figures("answer handler, fields in memory (XBlock)", timings)


def throughput(course_name: str, learners: int, seconds: float) -> None:
    import requests as http

    xml = block_xml(course_name)
    data, keys = loads(etree.fromstring(xml).text)
    items = {it["id"]: {**it, "key": keys[it["id"]]} for it in data["items"]}
    server = Workbench(Path(tempfile.mkdtemp(prefix="comptoir-bench-wb-")), xml)
    counts, answer_ms, errors = [], [], []
    lock = threading.Lock()
    try:
        page = http.get(f"{server.url}/view/{SCENARIO}/?student=warmup", timeout=60)
        init = json.loads(page.text.split('class="xblock_json_init_args">')[1].split("</script>")[0])
        usage = init["urls"]["next"].split("/handler/")[1].split("/")[0]
        deadline = time.monotonic() + seconds

        def learner(k: int) -> None:
            rng = random.Random(k)
            student = f"learner{k}"
            session = http.Session()
            session.get(f"{server.url}/view/{SCENARIO}/?student={student}", timeout=60)
            headers = {"X-CSRFToken": session.cookies["csrftoken"], "Content-Type": "application/json"}

            def post(name: str, body: dict) -> dict:
                r = session.post(f"{server.url}/handler/{usage}/{name}/?student={student}", data=json.dumps(body),
                                 headers=headers, timeout=60)
                if r.status_code != 200:
                    with lock:
                        errors.append((r.status_code, r.text[:200]))
                    raise RuntimeError(r.text[:200])
                return r.json()

            done, mine = 0, []
            reply = post("next", {})
            done += 1
            while time.monotonic() < deadline and done < 100_000 and reply["activity"] is not None:
                act = reply["activity"]
                if act["kind"] == "lesson":
                    reply = post("read", {"lesson": act["id"], "seq": reply["seq"]})
                else:
                    body = {"item": act["id"], "response": api_response(items[act["id"]], rng.random() < 0.75),
                            "seq": reply["seq"], "answer_id": f"{student}-{done}"}
                    start = time.perf_counter()
                    reply = post("answer", body)
                    mine.append((time.perf_counter() - start) * 1000)
                done += 1
            with lock:
                counts.append(done)
                answer_ms.extend(mine)

        threads = [threading.Thread(target=learner, args=(k,)) for k in range(learners)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 120)
        took = time.monotonic() - began
    finally:
        server.close()
    total = sum(counts)
    print(f"{learners} concurrent learners for {took:.1f} s on runserver: {total} requests, "
          f"{total / took:.0f} requests/s, {len(answer_ms) / took:.0f} answers/s, {len(errors)} errors")
    if answer_ms:
        figures("answer under load (client side)", answer_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", default="ch-arc")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    latency(args.course, args.requests)
    throughput(args.course, args.learners, args.seconds)


if __name__ == "__main__":
    main()
