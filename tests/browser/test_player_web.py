"""The standalone player in headless Chromium: a scripted learner works through the fixture
course, every step checked against the Python engine; keyboard only, phone width, axe-core."""
from __future__ import annotations

import json

from .harness import build_package, load_bundle
from .learner import Learner, always_right, first_wrong

ITEM_TYPES = {"true-false", "single", "multiple", "fill-in", "numeric", "matching", "sequencing", "scenario"}
STORED = "() => JSON.parse(localStorage.getItem('comptoir:demo-accueil:fr') || 'null')"


def open_course(browser, served, bundle, transport="web", width=1280, height=900):
    root, url = served
    build_package(root / "pkg", bundle, transport)
    browser.new_page(width, height)
    browser.call("goto", url=f"{url}/pkg/index.html")
    browser.call("waitFor", selector="[data-ready]")
    return f"{url}/pkg/index.html"


def stored_state(browser):
    return lambda: browser.eval(STORED)["state"]


def errors(browser):
    return [e for e in browser.call("events") if e["kind"] in ("error", "pageerror")]


def test_keyboard_only_learner_works_through_every_item_type(browser, served):
    bundle = load_bundle("fr")
    open_course(browser, served, bundle)
    learner = Learner(browser, bundle, keyboard=True, policy=first_wrong, read_state=stored_state(browser))
    log = learner.run()
    types = {what for kind, what, _ in log if kind == "item"}
    assert types == ITEM_TYPES
    assert {right for kind, _, right in log if kind == "item"} == {True, False}
    assert log[-1] == ("end", "Cours réussi", None)
    assert browser.eval("() => [...document.querySelectorAll('.mastery li')].every(li => li.classList.contains('mastered'))")
    assert errors(browser) == []
