"""The standalone player in headless Chromium: a scripted learner works through the fixture
course, every step checked against the Python engine; keyboard only, phone width, axe-core."""
from __future__ import annotations

import json

from comptoir.adaptive.engine import (initial_state, needs_trainer, next_activity, record_lesson, record_response,
                                      release_competency)
from comptoir.adaptive.state import encode_state

from .harness import build_package, engine_course, load_bundle
from .learner import (ITEM_TYPES, Learner, ScreenAudit, always_right, first_wrong, page_errors, stored_progress,
                      stored_state)

COURSE = ("demo-accueil", "fr")  # the fixture's id and language: its localStorage key


def open_course(browser, served, bundle, transport="web", width=1280, height=900):
    root, url = served
    build_package(root / "pkg", bundle, transport)
    browser.new_page(width, height)
    browser.call("goto", url=f"{url}/pkg/index.html")
    browser.call("waitFor", selector="[data-ready]")
    return f"{url}/pkg/index.html"


def test_keyboard_only_learner_works_through_every_item_type(browser, served):
    bundle = load_bundle("fr")
    open_course(browser, served, bundle)
    why: dict[str, list[str]] = {}

    def reasons(kind, screen):
        if kind in ("lesson", "item"):
            text = browser.eval("() => document.querySelector('.activity .why').textContent")
            why.setdefault(screen["id"], []).append(text)

    learner = Learner(browser, bundle, keyboard=True, policy=first_wrong, read_state=stored_state(browser, *COURSE),
                      on_screen=reasons)
    log = learner.run()
    # Why each activity comes now: a new competency, one unlocked by its prerequisite, a review, and
    # the lesson again once every question of a competency was answered without mastering it.
    assert why["b1-accueillir-appel"][0] == ("Nouvelle compétence : « servir les nouveaux clients et les personnes "
                                             "intéressées conformément aux directives énoncées par l’entreprise ».")
    assert why["c4-proposer-solution"][0] == ("Nouvelle compétence, débloquée parce que vous maîtrisez « analyser "
                                              "les requêtes des clients au moyen de méthodes connues ».")
    lessons = {lesson["id"] for lesson in bundle["lessons"]}
    again = [text for key, texts in why.items() if key in lessons for text in texts[1:]]  # a lesson offered again
    assert all(text.startswith("Vous avez répondu à toutes les questions sur") for text in again), why
    assert any(text.startswith("Révision : vous maîtrisez") for texts in why.values() for text in texts)
    types = {what for kind, what, _ in log if kind == "item"}
    assert types == ITEM_TYPES
    assert {right for kind, _, right in log if kind == "item"} == {True, False}
    assert log[-1] == ("end", "Cours réussi", None)
    assert browser.eval("() => [...document.querySelectorAll('.mastery li')].every(li => li.classList.contains('mastered'))")
    assert page_errors(browser) == []


def test_phone_width_and_axe_on_every_screen(browser, served):
    """360×640, mouse: no sideways scrolling and no serious or critical axe-core violation on a
    lesson, each item type (before and after answering) and the end screen."""
    bundle = load_bundle("fr")
    open_course(browser, served, bundle, width=360, height=640)
    audit = ScreenAudit(browser, 360)
    learner = Learner(browser, bundle, policy=first_wrong, read_state=stored_state(browser, *COURSE), on_screen=audit)
    learner.run()
    assert {"lesson", "end", *(f"item:{t}" for t in ITEM_TYPES)} <= set(audit.checked)
    assert any(label.startswith("feedback") for label in audit.checked)
    assert audit.problems() == {}
    assert page_errors(browser) == []


def test_feedback_marks_every_choice_and_explains(browser, served):
    """A wrong multiple-choice answer: ✓ on the right choices, ✗ on the wrong pick, the key's
    feedback under every choice, the explanation, and the verdict in the live region."""
    bundle = load_bundle("fr")
    url = open_course(browser, served, bundle)
    learner = Learner(browser, bundle, policy=first_wrong, read_state=stored_state(browser, *COURSE))
    while True:
        screen = learner.screen()
        if screen["kind"] == "item" and screen["type"] == "multiple":
            break
        learner.step()
        if screen["kind"] == "item":
            learner.go_on()
    item = learner.items[screen["id"]]
    learner.answer(item)  # first time: wrong on purpose (one wrong choice ticked)
    seen = browser.eval("""() => [...document.querySelectorAll('.option')].map(row => ({
        marks: [...row.querySelectorAll('.mark')].map(m => m.classList.contains('ok') ? 'ok' : 'ko'),
        feedback: row.querySelector('.choice-feedback') ? row.querySelector('.choice-feedback').innerHTML : null}))""")
    wrong = next(i for i in range(len(item["view"]["choices"])) if i not in item["key"]["correct"])
    for i, row in enumerate(seen):
        assert row["feedback"] == item["key"]["feedback"][i]
        want = ["ok"] if i in item["key"]["correct"] else (["ko"] if i == wrong else [])
        assert row["marks"] == want, (i, row)
    result = browser.eval("""() => { const r = document.querySelector('.result');
        return {live: r.getAttribute('aria-live'), explanation: r.querySelector('.explanation').innerHTML,
                next: r.querySelector('.up-next').textContent}; }""")
    assert result["live"] == "polite"
    assert item["key"]["explanation"].strip() in result["explanation"]
    assert result["next"].startswith("À suivre")
    assert url


def test_standalone_progress_survives_a_reload(browser, served):
    bundle = load_bundle("fr")
    url = open_course(browser, served, bundle)
    learner = Learner(browser, bundle, policy=first_wrong, read_state=stored_state(browser, *COURSE))
    learner.run(stop_after=5)
    before = stored_progress(browser, *COURSE)
    shown = learner.screen()
    browser.call("goto", url=url)
    browser.call("waitFor", selector="[data-ready]")
    learner.reloaded()
    after = learner.screen()
    assert (after["kind"], after["id"]) == (shown["kind"], shown["id"])
    assert stored_progress(browser, *COURSE)["state"] == before["state"]
    percentages = browser.eval("() => [...document.querySelectorAll('.mastery .pct')].map(e => e.textContent)")
    assert percentages[0] != "20 %" and all(p.endswith("%") for p in percentages)
    learner.run()
    assert learner.log[-1][0] == "end"


def test_rereading_a_lesson_and_coming_back(browser, served):
    bundle = load_bundle("fr")
    url = open_course(browser, served, bundle)
    learner = Learner(browser, bundle, policy=always_right, read_state=stored_state(browser, *COURSE))
    learner.run(stop_after=2)
    current = learner.screen()
    browser.call("click", selector=".lesson-list li:nth-child(1) button")
    assert learner.screen()["id"] == bundle["lessons"][0]["id"]
    assert stored_progress(browser, *COURSE)["location"] == bundle["lessons"][0]["id"]
    browser.call("goto", url=url)  # a reload while rereading comes back to the same lesson
    browser.call("waitFor", selector="[data-ready]")
    assert learner.screen()["id"] == bundle["lessons"][0]["id"]
    browser.call("click", selector=".activity.lesson .actions button")
    learner.reloaded()
    assert learner.screen()["id"] == current["id"]
    learner.run()
    assert learner.log[-1] == ("end", "Cours réussi", None)


def test_export_then_import_progress_in_a_fresh_browser(browser, served, tmp_path):
    bundle = load_bundle("fr")
    open_course(browser, served, bundle)
    learner = Learner(browser, bundle, policy=first_wrong, read_state=stored_state(browser, *COURSE))
    learner.run(stop_after=4)
    exported = json.loads(browser.call("download", selector=".tools button:nth-of-type(1)"))
    assert exported["course"] == "demo-accueil" and exported["state"] == stored_progress(browser, *COURSE)["state"]
    shown = learner.screen()
    open_course(browser, served, bundle)  # a new browser context: empty storage, first lesson
    assert learner.screen()["id"] == bundle["lessons"][0]["id"]
    path = tmp_path / "progress.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    browser.call("setFiles", selector=".tools input[type=file]", path=str(path))
    browser.call("waitFor", selector="[data-ready]")
    assert learner.screen()["id"] == shown["id"]
    assert stored_progress(browser, *COURSE)["state"] == exported["state"]
    bad = tmp_path / "other.json"
    bad.write_text(json.dumps({**exported, "course": "autre-cours"}), encoding="utf-8")
    browser.call("setFiles", selector=".tools input[type=file]", path=str(bad))
    browser.call("waitFor", selector=".tools .status:not(:empty)")
    assert "ne contient pas" in browser.eval("() => document.querySelector('.tools .status').textContent")


def test_opened_from_disk_the_page_says_how_to_publish_it(browser, tmp_path):
    bundle = load_bundle("fr")
    build_package(tmp_path / "pkg", bundle, "web")
    browser.new_page()
    browser.call("goto", url=(tmp_path / "pkg" / "index.html").as_uri())
    browser.call("waitFor", selector="#comptoir-unloaded")
    text = browser.eval("() => document.getElementById('comptoir-unloaded').textContent")
    assert text.startswith("Ce cours ne peut pas démarrer depuis un fichier")


def test_a_learner_referred_to_a_trainer_takes_the_competency_up_again(browser, served, tmp_path):
    """The Python engine plays a learner wrong every time until a competency is referred to a
    trainer; imported into the page, the state shows the referral with a button, and the button
    gives the competency another pass, lessons first, exactly as release_competency does."""
    bundle = load_bundle("fr")
    course = engine_course(bundle["engine"])
    state = initial_state(course)
    while not any(needs_trainer(course, state, c) for c in range(course.n_own)):
        act = next_activity(course, state)
        assert act is not None
        if act[0] == "lesson":
            record_lesson(course, state, act[1])
        else:
            record_response(course, state, act[1], False)
    c = next(c for c in range(course.n_own) if needs_trainer(course, state, c))
    open_course(browser, served, bundle)
    progress = tmp_path / "progress.json"
    progress.write_text(json.dumps({"format": "comptoir-progress", "version": 1, "course": COURSE[0],
                                    "language": COURSE[1], "state": encode_state(course, state), "location": ""}),
                        encoding="utf-8")
    browser.call("setFiles", selector=".tools input[type=file]", path=str(progress))
    browser.call("waitFor", selector=".side .trainer button")
    title = bundle["competencies"][c]["title"]
    assert title in browser.eval("() => document.querySelector('.side .trainer').textContent")

    browser.call("click", selector=".side .trainer button")
    release_competency(course, state, c)
    kind, index = next_activity(course, state)[:2]
    assert kind == "lesson" and c in course.lessons[index].competencies
    browser.call("waitFor", selector=f".activity[data-lesson='{bundle['lessons'][index]['id']}']")
    assert stored_progress(browser, *COURSE)["state"] == encode_state(course, state)
    assert browser.eval("() => document.querySelector('.side .trainer') === null")
    assert page_errors(browser) == []
