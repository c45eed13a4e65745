"""End to end: the packages `comptoir build` makes from the shipped content (content/, locales/),
unzipped and served over http on loopback, run in headless Chromium.

- In scorm-again (lms.html), SCORM 1.2 and 2004: a scripted learner works through the French and
  the Italian `demo` course and the French `sample` course (every item type), right and wrong on
  purpose, answering from the keys inlined in the built index.html. What the LMS reads back —
  suspend data, status, score, progress, every per-competency objective — is what the Python
  engine concludes from the same answers; a reload mid-course resumes on the same activity with
  the same state; a learner right every time ends passed with every objective passed; SCORM 2004
  objective ids are the objectiveIDs of the built imsmanifest.xml.
- The French `sample` web package: keyboard only; at 360×640 with axe-core on a lesson, every item
  type, feedback and the end screen.

One build and one server for the module (the build takes a few seconds).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from lxml import etree

from comptoir.identity import objective_id

from .harness import Browser, Server, comptoir_build, inlined_bundle, install_lms, lms_url, unzip
from .learner import (ITEM_TYPES, SCORM, Covering, Learner, ScreenAudit, always_right, check_reported, check_sessions,
                      committed_state, live_cmi, lms_store, page_errors, stored_progress, stored_state)

pytestmark = pytest.mark.slow

TARGETS = ["scorm12", "scorm2004", "web"]
COURSES = ["demo", "sample"]
#: The packages the learner works through (course, language), and what each must show.
PACKAGES = [("demo", "fr"), ("demo", "it"), ("sample", "fr")]
#: The mixed learner's runs (version, course, language, every item type answered right *and* wrong):
#: `sample` (every item type) in both versions, each `demo` in one; the learner right every time
#: runs every package in both versions. Item types play alike in both, the transports differ.
MIXED = [("12", "demo", "fr", True), ("2004", "demo", "it", True), ("2004", "sample", "fr", True),
         ("12", "sample", "fr", False)]
PASSED = {"fr": "Cours réussi", "it": "Corso superato"}
IMSSS = "http://www.imsglobal.org/xsd/imsss"
#: The side panel's mastery rows (P(L), mastered or not) and whether each is marked mastered.
PANEL = "() => [...document.querySelectorAll('.side .mastery li')].map(li => li.textContent)"
PANEL_MASTERED = "() => [...document.querySelectorAll('.side .mastery li')].map(li => li.classList.contains('mastered'))"
#: The images of the activity on screen: src → decoded (loaded and readable).
IMAGES = """async () => Object.fromEntries(await Promise.all([...document.querySelectorAll('#comptoir-main img')]
  .map(async (img) => [img.getAttribute('src'), await img.decode().then(() => img.naturalWidth > 0, () => false)])))"""


@dataclass
class Built:
    dist: Path  # the build's output folder
    www: Path   # its web root: <target>/<course>.<language>/ unzipped, lms.html beside the SCORM ones
    url: str

    def root(self, target: str, course: str, language: str) -> Path:
        return self.www / target / f"{course}.{language}"

    def bundle(self, target: str, course: str, language: str) -> dict:
        """The course as the player reads it: the JSON inlined in the built index.html."""
        return inlined_bundle((self.root(target, course, language) / "index.html").read_bytes())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, node_modules: Path) -> Iterator[Built]:
    dist = tmp_path_factory.mktemp("dist")
    artifacts = comptoir_build(dist, TARGETS, COURSES)
    assert {(a["target"], a["course"], a["locale"]) for a in artifacts} >= {
        (t, c, lang) for t in TARGETS for c, lang in PACKAGES}
    www = tmp_path_factory.mktemp("www")
    for target in TARGETS:
        for course, language in PACKAGES:
            unzip(dist / target / f"{course}.{language}.zip", www / target / f"{course}.{language}")
    install_lms(www / "scorm12", "12")
    install_lms(www / "scorm2004", "2004")
    server = Server(www)
    yield Built(dist, www, server.url)
    server.close()


def launch(browser: Browser, built: Built, version: str, course: str, language: str) -> str:
    """A new browser context (empty LMS store) and the LMS launching the package: its page URL."""
    page = lms_url(f"{built.url}/scorm{version}", version, f"{course}.{language}/index.html")
    browser.new_page()
    browser.call("events")
    relaunch(browser, page)
    return page


def relaunch(browser: Browser, page: str) -> None:
    browser.call("goto", url=page)
    browser.call("waitFor", selector="[data-ready]", frame="sco")


def manifest_objective_ids(root: Path) -> list[str]:
    tree = etree.parse(str(root / "imsmanifest.xml"))
    return [o.get("objectiveID") for o in tree.iter(f"{{{IMSSS}}}objective")]


def written_objective_ids(data: dict, version: str) -> list[str]:
    """The objective ids the player set through the API, in the order it set them."""
    return [value for _, method, element, value, *_ in data["log"]
            if method == SCORM[version]["set"] and element.startswith("cmi.objectives.") and element.endswith(".id")]


def item_log(learner: Learner) -> list[tuple[str, bool]]:
    return [(what, right) for kind, what, right in learner.log if kind == "item"]


def mid_course(learner: Learner) -> bool:
    """Where the learner leaves: on an item, after right and wrong answers, a competency mastered."""
    answers = {right for _, right in item_log(learner)}
    mastered = any(p >= learner.course.threshold for p in learner.state.p[:learner.course.n_own])
    return answers == {True, False} and mastered and learner.screen()["kind"] == "item"


def test_every_target_inlines_the_same_course(built):
    """The learner answers from one bundle: the web and both SCORM pages carry the same course, and
    every item has a key it can answer from (every item type in `sample`)."""
    for course, language in PACKAGES:
        bundles = [built.bundle(target, course, language) for target in TARGETS]
        assert bundles[0] == bundles[1] == bundles[2]
        bundle = bundles[0]
        assert (bundle["course"]["id"], bundle["course"]["language"]) == (course, language)
        assert [it["id"] for it in bundle["items"]] == [entry[0] for entry in bundle["engine"]["items"]]
        assert all(it["key"] for it in bundle["items"])
    assert {it["type"] for it in built.bundle("web", "sample", "fr")["items"]} == ITEM_TYPES
    for version in ("12", "2004"):
        page = (built.root(f"scorm{version}", "demo", "fr") / "index.html").read_text(encoding="utf-8")
        assert f'data-transport="scorm{version}"' in page


@pytest.mark.parametrize("version,course,language,both", MIXED, ids=[f"{v}-{c}.{lang}" for v, c, lang, _ in MIXED])
def test_learner_in_the_lms_matches_the_python_engine(browser, built, version, course, language, both):
    """Right and wrong on purpose (every item type of the course answered wrong, and with `both`
    right too), a reload of the LMS page mid-course, then on to the end: the LMS holds what the
    Python engine concludes, step after step (the suspend data at each commit) and at the end
    (status, score, progress, objectives)."""
    bundle = built.bundle(f"scorm{version}", course, language)
    page = launch(browser, built, version, course, language)
    policy = Covering(bundle, both)
    learner = Learner(browser, bundle, frame="sco", policy=policy, read_state=committed_state(browser, version))
    learner.run(until=mid_course)
    before = learner.screen()
    assert before["kind"] == "item", f"the course ended before the reload point: {learner.log}"
    panel = browser.eval(PANEL, frame="sco")
    assert live_cmi(browser, version)[SCORM[version]["location"]] == before["id"]
    data = lms_store(browser, version)
    check_reported(data, learner, version)
    state = data["cmi"]["cmi.suspend_data"]

    relaunch(browser, page)  # the learner comes back: the LMS launches the package again
    learner.reloaded()
    after = learner.screen()
    assert (after["kind"], after["id"]) == (before["kind"], before["id"])
    assert browser.eval(PANEL, frame="sco") == panel
    live = live_cmi(browser, version)
    assert live[SCORM[version]["entry"]] == "resume"
    assert live["cmi.suspend_data"] == state  # the state the player resumed on is the one it left

    learner.run()
    assert learner.log[-1] == ("end", PASSED[language], None)
    types = {what for what, _ in item_log(learner)}
    assert types == {it["type"] for it in bundle["items"]}
    assert policy.wrong == types and (policy.right == types or not both)
    data = lms_store(browser, version)
    want = check_reported(data, learner, version)
    assert want["passed"]
    check_sessions(data, version, 2)
    assert data["cmi"][SCORM[version]["exit"][0]] == SCORM[version]["exit"][1]
    refs = [objective_id(c["ref"]) for c in bundle["competencies"]]
    if version == "2004":
        assert refs == manifest_objective_ids(built.root("scorm2004", course, language))
    # Written once, the course's competencies in order; the resumed session reuses the LMS's slots.
    assert written_objective_ids(data, version) == refs
    assert not written_objective_ids({"log": [e for e in data["log"] if e[0] == 2]}, version)
    assert page_errors(browser, warnings=True) == []


@pytest.mark.parametrize("course,language", PACKAGES, ids=[f"{c}.{lang}" for c, lang in PACKAGES])
@pytest.mark.parametrize("version", ["12", "2004"])
def test_right_every_time_passes_with_every_objective(browser, built, version, course, language):
    bundle = built.bundle(f"scorm{version}", course, language)
    launch(browser, built, version, course, language)
    learner = Learner(browser, bundle, frame="sco", policy=always_right, read_state=committed_state(browser, version))
    learner.run()
    assert learner.log[-1] == ("end", PASSED[language], None)
    data = lms_store(browser, version)
    want = check_reported(data, learner, version)
    assert want["passed"] and all(mastered for _, _, mastered, _ in want["objectives"])
    check_sessions(data, version, 1)
    cmi = data["cmi"]
    if version == "12":
        assert cmi["cmi.core.lesson_status"] == "passed"
        statuses = {cmi[f"cmi.objectives.{n}.id"]: cmi[f"cmi.objectives.{n}.status"]
                    for n in range(len(want["objectives"]))}
        assert statuses == {objective_id(c["ref"]): "passed" for c in bundle["competencies"]}
    else:
        assert (cmi["cmi.completion_status"], cmi["cmi.success_status"]) == ("completed", "passed")
        declared = manifest_objective_ids(built.root("scorm2004", course, language))
        assert written_objective_ids(data, version) == declared
        statuses = {cmi[f"cmi.objectives.{n}.id"]: cmi[f"cmi.objectives.{n}.success_status"]
                    for n in range(len(declared))}
        assert statuses == dict.fromkeys(declared, "passed")
    assert page_errors(browser, warnings=True) == []


def open_web(browser: Browser, built: Built, width: int = 1280, height: int = 900) -> None:
    browser.new_page(width, height)
    browser.call("events")
    browser.call("goto", url=f"{built.url}/web/sample.fr/index.html")
    browser.call("waitFor", selector="[data-ready]")


def test_keyboard_only_learner_works_through_the_sample_course(browser, built):
    """Tab, arrows, Space and Enter only, every item type answered right and wrong: focus goes to
    each new activity's heading and to each verdict (Learner.step), the course ends passed."""
    bundle = built.bundle("web", "sample", "fr")
    open_web(browser, built)
    policy = Covering(bundle)
    learner = Learner(browser, bundle, keyboard=True, policy=policy, read_state=stored_state(browser, "sample", "fr"))
    learner.run()
    assert learner.log[-1] == ("end", PASSED["fr"], None)
    assert {what for what, _ in item_log(learner)} == ITEM_TYPES
    assert policy.right == policy.wrong == ITEM_TYPES
    assert browser.eval(PANEL_MASTERED) == [True] * len(bundle["competencies"])
    assert stored_progress(browser, "sample", "fr")["course"] == "sample"
    assert page_errors(browser, warnings=True) == []


def test_sample_course_at_phone_width_passes_axe(browser, built):
    """360×640: no sideways scrolling, no serious or critical axe-core violation on a lesson, each
    item type, the feedback of each and the end screen; the lessons' images load from media/."""
    bundle = built.bundle("web", "sample", "fr")
    open_web(browser, built, 360, 640)
    audit = ScreenAudit(browser, 360)
    images: dict[str, bool] = {}

    def on_screen(kind: str, screen: dict) -> None:
        audit(kind, screen)
        if kind == "lesson":
            images.update(browser.eval(IMAGES))

    policy = Covering(bundle, both=False)  # every type answered, each once wrong: the fuller feedback
    learner = Learner(browser, bundle, policy=policy, read_state=stored_state(browser, "sample", "fr"),
                      on_screen=on_screen)
    learner.run()
    assert {"lesson", "end", *(f"item:{t}" for t in ITEM_TYPES), *(f"feedback:{t}" for t in ITEM_TYPES)} <= set(
        audit.checked)
    assert audit.problems() == {}
    assert policy.wrong == ITEM_TYPES
    media = {f"media/{p.name}" for p in (built.root("web", "sample", "fr") / "media").iterdir()}
    assert images and set(images) <= media and all(images.values()), images
    assert page_errors(browser, warnings=True) == []
