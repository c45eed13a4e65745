"""The SCORM 1.2 and 2004 transports against scorm-again as the LMS, in headless Chromium: what
the LMS reads back (status, score, objectives, suspend data) is what the Python engine
concludes from the same answers; resume after a reload; nothing sent after the session ends."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from comptoir.adaptive.engine import items_of
from comptoir.adaptive.state import encode_state
from comptoir.identity import objective_id

from .harness import NODE_MODULES, build_package, load_bundle
from .learner import Learner, always_right, first_wrong

SCORM = {
    "12": {"transport": "scorm12", "dist": "scorm12.js", "suspend": "cmi.suspend_data",
           "finish": "LMSFinish", "commit": "LMSCommit", "set": "LMSSetValue",
           "time": ("cmi.core.session_time", r"^\d{4}:\d{2}:\d{2}\.\d{2}$")},
    "2004": {"transport": "scorm2004", "dist": "scorm2004.js", "suspend": "cmi.suspend_data",
             "finish": "Terminate", "commit": "Commit", "set": "SetValue",
             "time": ("cmi.session_time", r"^PT\d+H\d+M\d+\.\d{2}S$")},
}


def launch(browser, served, version, bundle, refuse=None, mode=None):
    root, url = served
    spec = SCORM[version]
    if not (root / "pkg" / "index.html").exists():
        build_package(root / "pkg", bundle, spec["transport"])
        shutil.copyfile(NODE_MODULES / "scorm-again" / "dist" / spec["dist"], root / "scorm-again.js")
        shutil.copyfile(Path(__file__).with_name("lms.html"), root / "lms.html")
    page = (f"{url}/lms.html?v={version}&src=pkg/index.html" + (f"&refuse={refuse}" if refuse else "")
            + (f"&mode={mode}" if mode else ""))
    browser.call("goto", url=page)
    browser.call("waitFor", selector="[data-ready]", frame="sco")
    return page


def lms(browser, version):
    return browser.eval("(key) => JSON.parse(localStorage.getItem(key))", f"lms:{version}")


def committed_state(browser, version):
    return lambda: lms(browser, version)["cmi"]["cmi.suspend_data"]


def expected_cmi(learner):
    """What the player must report, computed from the Python engine's state (docs/player.md)."""
    course, state = learner.course, learner.state
    practised = [c for c in range(course.n_own) if items_of(course)[c]]
    mastered = [state.p[c] >= course.threshold for c in range(course.n_own)]
    scaled = 0.0
    for c in practised:
        scaled += state.p[c]
    scaled /= len(practised)
    passed = all(mastered[c] for c in practised)
    return {"passed": passed, "scaled": scaled,
            "objectives": [(objective_id(course.competencies[c]), state.p[c], mastered[c]) for c in range(course.n_own)]}


def check_reported(data, learner, version):
    cmi = data["cmi"]
    want = expected_cmi(learner)
    assert cmi["cmi.suspend_data"] == encode_state(learner.course, learner.state)
    ids = {cmi[f"cmi.objectives.{n}.id"]: n for n in range(len(want["objectives"]))}
    assert set(ids) == {oid for oid, _, _ in want["objectives"]}
    if version == "12":
        assert cmi["cmi.core.lesson_status"] == ("passed" if want["passed"] else "incomplete")
        assert abs(float(cmi["cmi.core.score.raw"]) - want["scaled"] * 100) <= 0.005
        assert (cmi["cmi.core.score.min"], cmi["cmi.core.score.max"]) == ("0", "100")
        for oid, p, mastered in want["objectives"]:
            n = ids[oid]
            assert cmi[f"cmi.objectives.{n}.status"] == ("passed" if mastered else "incomplete")
            assert abs(float(cmi[f"cmi.objectives.{n}.score.raw"]) - p * 100) <= 0.005
    else:
        assert cmi["cmi.success_status"] == ("passed" if want["passed"] else "unknown")
        assert cmi["cmi.completion_status"] == ("completed" if want["passed"] else "incomplete")
        assert abs(float(cmi["cmi.score.scaled"]) - want["scaled"]) <= 0.00005
        for oid, p, mastered in want["objectives"]:
            n = ids[oid]
            assert cmi[f"cmi.objectives.{n}.success_status"] == ("passed" if mastered else "unknown")
            assert abs(float(cmi[f"cmi.objectives.{n}.score.scaled"]) - p) <= 0.00005
    return want


def check_sessions(data, version, sessions):
    """Per session: Initialize first, a commit right before the end, nothing after it."""
    spec = SCORM[version]
    for s in range(1, sessions + 1):
        calls = [entry[1:] for entry in data["log"] if entry[0] == s]
        assert calls[0][0] in ("LMSInitialize", "Initialize") and calls[0][-1] == "true"
        ends = [i for i, call in enumerate(calls) if call[0] == spec["finish"]]
        assert len(ends) == 1, f"session {s}: {len(ends)} calls to {spec['finish']}"
        assert ends[0] == len(calls) - 1, f"session {s}: calls after {spec['finish']}: {calls[ends[0] + 1:]}"
        assert calls[ends[0] - 1][0] == spec["commit"]
        writes = [call for call in calls if call[0] == spec["set"]]
        for element, value, result in (call[1:4] for call in writes):
            assert result == "true", (element, value)
            if element == spec["suspend"]:
                assert len(value) <= 4096
            if element == spec["time"][0]:
                assert re.match(spec["time"][1], value), value


@pytest.mark.parametrize("version", ["12", "2004"])
def test_scorm_learner_with_reload_matches_the_python_engine(browser, served, version):
    bundle = load_bundle("fr")
    browser.new_page()
    page = launch(browser, served, version, bundle)
    learner = Learner(browser, bundle, frame="sco", policy=first_wrong, read_state=committed_state(browser, version))
    learner.run(stop_after=9)
    before = learner.screen()
    check_reported(lms(browser, version), learner, version)
    browser.call("goto", url=page)  # the LMS page reloads: the package is launched again
    browser.call("waitFor", selector="[data-ready]", frame="sco")
    learner.reloaded()
    after = learner.screen()
    assert (after["kind"], after["id"]) == (before["kind"], before["id"])
    entry = "cmi.core.entry" if version == "12" else "cmi.entry"
    live = browser.eval("(v) => (v === '12' ? window.API : window.API_1484_11).getFlattenedCMI()", version)
    assert live[entry] == "resume"
    learner.run()
    assert learner.log[-1] == ("end", "Cours réussi", None)
    data = lms(browser, version)
    want = check_reported(data, learner, version)
    assert want["passed"]
    check_sessions(data, version, 2)
    commits = sum(1 for entry in data["log"] if entry[1] == SCORM[version]["commit"])
    answers = sum(1 for kind, _, _ in learner.log if kind == "item")
    assert commits >= answers
    exit_element = "cmi.core.exit" if version == "12" else "cmi.exit"
    assert data["cmi"][exit_element] == ("" if version == "12" else "normal")


@pytest.mark.parametrize("version", ["12", "2004"])
def test_scorm_learner_right_every_time_passes_every_objective(browser, served, version):
    bundle = load_bundle("fr")
    browser.new_page()
    launch(browser, served, version, bundle)
    learner = Learner(browser, bundle, frame="sco", policy=always_right, read_state=committed_state(browser, version))
    learner.run()
    data = lms(browser, version)
    want = check_reported(data, learner, version)
    assert want["passed"] and all(mastered for _, _, mastered in want["objectives"])
    check_sessions(data, version, 1)
    browser.call("goto", url="about:blank")  # leaving after the end sends nothing more
    browser.call("goto", url=served[1] + "/lms.html?v=none")  # same origin, to read the store
    assert lms(browser, version)["log"] == data["log"]


@pytest.mark.parametrize("version", ["12", "2004"])
def test_unfinished_scorm_session_suspends(browser, served, version):
    bundle = load_bundle("fr")
    browser.new_page()
    launch(browser, served, version, bundle)
    learner = Learner(browser, bundle, frame="sco", policy=first_wrong, read_state=committed_state(browser, version))
    learner.run(stop_after=3)
    browser.call("goto", url="about:blank")  # the learner closes the course: pagehide
    browser.call("goto", url=served[1] + "/lms.html?v=none")  # same origin, to read the store
    data = lms(browser, version)
    check_sessions(data, version, 1)
    check_reported(data, learner, version)
    exit_element = "cmi.core.exit" if version == "12" else "cmi.exit"
    assert data["cmi"][exit_element] == "suspend"


@pytest.mark.parametrize("version", ["12", "2004"])
def test_missing_api_falls_back_to_the_browser_with_a_notice(browser, served, version):
    root, url = served
    bundle = load_bundle("fr")
    build_package(root / "pkg", bundle, SCORM[version]["transport"])
    browser.new_page()
    browser.call("goto", url=f"{url}/pkg/index.html")
    browser.call("waitFor", selector="[data-ready]")
    notice = browser.eval("() => document.querySelector('.notice').textContent")
    assert "Aucune plateforme de formation" in notice
    learner = Learner(browser, bundle, policy=first_wrong,
                      read_state=lambda: browser.eval("() => JSON.parse(localStorage.getItem('comptoir:demo-accueil:fr')).state"))
    learner.run(stop_after=3)
    assert browser.eval("() => document.querySelector('.tools button') !== null")


def test_a_refused_write_is_logged_and_the_course_goes_on(browser, served):
    bundle = load_bundle("fr")
    browser.new_page()
    browser.call("events")
    launch(browser, served, "12", bundle, refuse="cmi.core.session_time")
    learner = Learner(browser, bundle, frame="sco", policy=always_right, read_state=committed_state(browser, "12"))
    learner.run()
    warnings = [e["text"] for e in browser.call("events") if e["kind"] == "warning"]
    assert any("cmi.core.session_time" in w and "refused" in w for w in warnings)
    assert lms(browser, "12")["cmi"]["cmi.core.lesson_status"] == "passed"


@pytest.mark.parametrize("version", ["12", "2004"])
def test_review_mode_records_nothing(browser, served, version):
    """An LMS launching in review mode gets no status, score or state: only the session's ends."""
    bundle = load_bundle("fr")
    browser.new_page()
    launch(browser, served, version, bundle, mode="review")
    notice = browser.eval("() => document.querySelector('.notice').textContent", frame="sco")
    assert "Mode consultation" in notice
    learner = Learner(browser, bundle, frame="sco", policy=first_wrong)
    learner.run(stop_after=4)
    browser.call("goto", url="about:blank")
    browser.call("goto", url=served[1] + "/lms.html?v=none")
    calls = {entry[1] for entry in lms(browser, version)["log"]}
    spec = SCORM[version]
    assert spec["set"] not in calls and spec["commit"] not in calls
    assert spec["finish"] in calls
