"""The SCORM 1.2 and 2004 transports against scorm-again as the LMS, in headless Chromium: what
the LMS reads back (status, score, objectives, suspend data) is what the Python engine
concludes from the same answers; resume after a reload; nothing sent after the session ends."""
from __future__ import annotations

import pytest

from .harness import build_package, install_lms, lms_url, load_bundle
from .learner import (SCORM, Learner, always_right, check_reported, check_sessions, committed_state, first_wrong,
                      live_cmi, lms_store)


def launch(browser, served, version, bundle, refuse=None, mode=None):
    root, url = served
    if not (root / "pkg" / "index.html").exists():
        build_package(root / "pkg", bundle, SCORM[version]["transport"])
        install_lms(root, version)
    page = lms_url(url, version, "pkg/index.html", refuse=refuse, mode=mode)
    browser.call("goto", url=page)
    browser.call("waitFor", selector="[data-ready]", frame="sco")
    return page


@pytest.mark.parametrize("version", ["12", "2004"])
def test_scorm_learner_with_reload_matches_the_python_engine(browser, served, version):
    bundle = load_bundle("fr")
    browser.new_page()
    page = launch(browser, served, version, bundle)
    learner = Learner(browser, bundle, frame="sco", policy=first_wrong, read_state=committed_state(browser, version))
    learner.run(stop_after=9)
    before = learner.screen()
    check_reported(lms_store(browser, version), learner, version)
    browser.call("goto", url=page)  # the LMS page reloads: the package is launched again
    browser.call("waitFor", selector="[data-ready]", frame="sco")
    learner.reloaded()
    after = learner.screen()
    assert (after["kind"], after["id"]) == (before["kind"], before["id"])
    entry = SCORM[version]["entry"]
    live = live_cmi(browser, version)
    assert live[entry] == "resume"
    learner.run()
    assert learner.log[-1] == ("end", "Cours réussi", None)
    data = lms_store(browser, version)
    want = check_reported(data, learner, version)
    assert want["passed"]
    check_sessions(data, version, 2)
    commits = sum(1 for entry in data["log"] if entry[1] == SCORM[version]["commit"])
    answers = sum(1 for kind, _, _ in learner.log if kind == "item")
    assert commits >= answers
    exit_element, normal = SCORM[version]["exit"]
    assert data["cmi"][exit_element] == normal


@pytest.mark.parametrize("version", ["12", "2004"])
def test_scorm_learner_right_every_time_passes_every_objective(browser, served, version):
    bundle = load_bundle("fr")
    browser.new_page()
    launch(browser, served, version, bundle)
    learner = Learner(browser, bundle, frame="sco", policy=always_right, read_state=committed_state(browser, version))
    learner.run()
    data = lms_store(browser, version)
    want = check_reported(data, learner, version)
    assert want["passed"] and all(mastered for _, _, mastered, _ in want["objectives"])
    check_sessions(data, version, 1)
    browser.call("goto", url="about:blank")  # leaving after the end sends nothing more
    browser.call("goto", url=served[1] + "/lms.html?v=none")  # same origin, to read the store
    assert lms_store(browser, version)["log"] == data["log"]


@pytest.mark.parametrize("version", ["12", "2004"])
def test_unfinished_scorm_session_suspends(browser, served, version):
    bundle = load_bundle("fr")
    browser.new_page()
    launch(browser, served, version, bundle)
    learner = Learner(browser, bundle, frame="sco", policy=first_wrong, read_state=committed_state(browser, version))
    learner.run(stop_after=3)
    browser.call("goto", url="about:blank")  # the learner closes the course: pagehide
    browser.call("goto", url=served[1] + "/lms.html?v=none")  # same origin, to read the store
    data = lms_store(browser, version)
    check_sessions(data, version, 1)
    check_reported(data, learner, version)
    assert data["cmi"][SCORM[version]["exit"][0]] == "suspend"


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
    assert lms_store(browser, "12")["cmi"]["cmi.core.lesson_status"] == "passed"


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
    calls = {entry[1] for entry in lms_store(browser, version)["log"]}
    spec = SCORM[version]
    assert spec["set"] not in calls and spec["commit"] not in calls
    assert spec["finish"] in calls
