"""The adaptive XBlock end to end: the XBlock SDK workbench's ``runserver`` (a subprocess on a
loopback port) plays the demo course's block (its OLX element) and a scripted learner in headless
Chromium works through it until every competency is mastered.

Each activity shown is the Python engine's, replayed here; the state the server returns after each
change is the replay's, character for character; and no page, request or response ever holds the
feedback or explanation of an item the learner has not answered yet.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from lxml import etree

pytest.importorskip("workbench", reason="the XBlock SDK (xblock-sdk, test extra) runs the block's workbench")

from comptoir.adaptive.state import decode_state, encode_state  # noqa: E402
from comptoir.xblocks.content import loads  # noqa: E402

from ..xblock_workbench import SCENARIO, Workbench, block_xml  # noqa: E402
from .learner import SCREEN, Learner, first_wrong  # noqa: E402

LESSON_BUTTON = ".activity.lesson .actions button"
CONTINUE = ".up-next button"


@pytest.fixture()
def workbench(tmp_path: Path):
    server = Workbench(tmp_path / "workbench", block_xml("demo"))
    yield server
    server.close()


def key_texts(key) -> set[str]:
    """An item's feedback and explanation texts: what only its answer may bring to the browser."""
    out: set[str] = set()

    def walk(value, name=""):
        if isinstance(value, str) and name in ("feedback", "explanation") and len(value) >= 12:
            out.add(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, name if name == "feedback" else k)
        elif isinstance(value, list):
            for v in value:
                walk(v, name)

    walk(key)
    return out


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def readable(text: str) -> str:
    """What a text carries once decoded: a JSON body's strings, a page's inlined course's strings
    (escaped there, \\u003c for <), or the text itself."""
    try:
        return "\n".join(strings(json.loads(text)))
    except ValueError:
        pass
    marker = 'class="comptoir-course">'
    if marker in text:
        start = text.index(marker) + len(marker)
        return text + "\n" + "\n".join(strings(json.loads(text[start:text.index("</script>", start)])))
    return text


class RemoteLearner(Learner):
    """The scripted learner of the player tests, against a host that answers over the network:
    it waits for each new activity, mirrors the server's state quantisation (the block keeps
    encode_state's text between requests) and watches every exchange for keys."""

    def __init__(self, browser, bundle, keys):
        super().__init__(browser, bundle, policy=first_wrong)
        self.keys = keys
        self.answered: set[str] = set()
        self.changes = 0
        self.exchanges: list[dict] = []
        self.leaks: list[tuple[str, str]] = []

    def screen(self) -> dict:
        self.b.call("waitFor", selector="#comptoir-main .activity:not([data-done]) h2")
        return self.js(SCREEN)

    def activate(self, css: str) -> None:
        if css in (LESSON_BUTTON, CONTINUE):  # what follows replaces this activity, after a request
            self.js("() => { document.querySelector('#comptoir-main .activity').dataset.done = '1'; }")
        super().activate(css)

    def answer(self, item: dict) -> None:
        super().answer(item)
        self.answered.add(item["id"])

    def check_state(self) -> None:
        self.changes += 1
        self.state = decode_state(self.course, encode_state(self.course, self.state))
        deadline = time.monotonic() + 10
        while True:
            self.exchanges += self.b.call("network")
            replies = [json.loads(x["body"]) for x in self.exchanges
                       if "/handler/" in x["url"] and x["type"].startswith("application/json") and x["status"] == 200]
            if replies and replies[-1].get("seq") == self.changes:
                break
            assert time.monotonic() < deadline, f"no reply for change {self.changes}: {replies[-1:]}"
            time.sleep(0.05)
        assert replies[-1]["state"] == encode_state(self.course, self.state)
        self.audit()

    def audit(self) -> None:
        """No exchange so far carries a text of a key whose item was not answered before it."""
        allowed = set().union(*(key_texts(self.keys[i]) for i in self.answered)) if self.answered else set()
        forbidden = set().union(*(key_texts(k) for i, k in self.keys.items() if i not in self.answered)) - allowed
        for x in self.exchanges:
            for part in (x["request"] or "", x["body"] or ""):
                text = readable(part)
                self.leaks += [(x["url"], t) for t in forbidden if t in text]
        self.exchanges = self.exchanges[-1:]  # the last reply stays, for the next change's wait


def test_a_learner_masters_the_demo_course_in_the_workbench_without_seeing_a_key_first(browser, workbench):
    data, keys = loads(etree.fromstring(block_xml("demo")).text)
    bundle = {**data, "items": [{**item, "key": keys[item["id"]]} for item in data["items"]], "ui": {}}
    browser.new_page()
    browser.call("goto", url=f"{workbench.url}/view/{SCENARIO}/?student=e2e")
    browser.call("waitFor", selector="[data-ready]")
    page = browser.eval("() => document.documentElement.outerHTML")
    every_key = set().union(*(key_texts(k) for k in keys.values()))
    assert not [t for t in every_key if t in page]

    learner = RemoteLearner(browser, bundle, keys)
    log = learner.run()
    assert log[-1] == ("end", "Cours réussi", None)
    assert {right for kind, _, right in log if kind == "item"} == {True, False}
    assert learner.leaks == []
    assert browser.eval("() => [...document.querySelectorAll('.mastery li')]"
                        ".every(li => li.classList.contains('mastered'))")
    failures = [x for x in learner.exchanges + browser.call("network") if x["status"] >= 400
                and not x["url"].endswith("/favicon.ico")]
    assert failures == []
    errors = [e for e in browser.call("events") if e["kind"] == "pageerror"
              or e["kind"] == "error" and "favicon" not in e["text"] and "404" not in e["text"]]
    assert errors == []
