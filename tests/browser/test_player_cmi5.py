"""The cmi5 package end to end: the real ``comptoir build --target cmi5`` of the demo course (French
and Italian) launched in headless Chromium by a test LMS with real cmi5 launch parameters, sending
its statements to a real LRS (Ralph) on loopback (tests/browser/lms.py says which parts are a
stand-in). A scripted learner works through the course while the LRS is cut off and restored and
while the page is closed offline; then every statement is checked — against Learning Locker's xAPI
validator, against cmi5's rules, and against the learner's own answers — and ``comptoir mastery
--lrs`` must give what the Python engine concludes from those answers."""
from __future__ import annotations

import json
import re
import subprocess
import time
import uuid
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from lxml import etree

from comptoir.adaptive.engine import initial_state, mastery, record_response
from comptoir.cli import main
from comptoir.xapi import CATEGORY_CMI5, CATEGORY_MOVEON, EXTENSION_MASTERY_SCORE, EXTENSION_SESSION_ID, OBJECTIVE

from .harness import REPO, BrowserError, engine_course
from .learner import Learner, always_right, first_wrong
from .lms import LMS_HOME, RALPH_PASSWORD, RALPH_USER, Lms, Ralph, Unavailable, verb_name

CONTENT = REPO / "content"
BUNDLE = re.compile(r'<script type="application/json" id="comptoir-course">(.*?)</script>', re.S)
CMI5_NS = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}
DEFINED = {"initialized", "completed", "passed", "failed", "terminated"}


@pytest.fixture(scope="session")
def ralph(tmp_path_factory, node_modules):
    try:
        lrs = Ralph(tmp_path_factory.mktemp("ralph"))
    except Unavailable as exc:
        pytest.skip(str(exc))
    yield lrs
    lrs.close()


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cmi5") / "dist"
    assert main(["--content", str(CONTENT), "build", "--quiet", "--out", str(out), "--target", "cmi5",
                 "--course", "demo", "--locale", "fr", "--locale", "it"]) == 0
    return out / "cmi5"


@pytest.fixture()
def lms(ralph):
    server = Lms(ralph)
    yield server
    server.close()


class Au:
    """One learner's registration for one package, and the browser that runs its AU."""

    def __init__(self, browser, lms: Lms, served, packages: Path, language: str) -> None:
        root, url = served
        target = root / language
        if not target.exists():
            zipfile.ZipFile(packages / f"demo.{language}.zip").extractall(target)
        self.b, self.lms, self.origin = browser, lms, url
        self.bundle = json.loads(BUNDLE.search((target / "index.html").read_text(encoding="utf-8")).group(1))
        structure = etree.parse(str(target / "cmi5.xml"))
        self.au = structure.find("c:au", CMI5_NS)
        self.url = f"{url}/{language}/{self.au.findtext('c:url', namespaces=CMI5_NS)}"
        self.registration = str(uuid.uuid4())
        name = f"learner-{uuid.uuid4().hex[:8]}"
        self.actor = {"objectType": "Agent", "account": {"homePage": LMS_HOME, "name": name}}
        self.activity = f"{LMS_HOME}/activities/{uuid.uuid4()}"  # the LMS's id, never the publisher's (cmi5 §8.1.5)
        self.key = f"comptoir:cmi5:{lms.endpoint}|{self.registration}|{self.activity}"
        self.answers: list[tuple[str, bool]] = []  # (item id, right), in order
        self._shown: list[str] = []

    def launch(self, **launch) -> None:
        launch.setdefault("mastery_score", float(self.au.get("masteryScore")))
        url = self.lms.launch(self.url, actor=self.actor, registration=self.registration, activity_id=self.activity,
                              publisher_id=self.au.get("id"), **launch)
        self.b.call("goto", url=url)
        self.b.call("waitFor", selector="[data-ready]")

    def learner(self, policy) -> Learner:
        def seen(kind, screen):
            if kind == "item":
                self._shown.append(screen["id"])
        learner = Learner(self.b, self.bundle, policy=policy, read_state=self.state, on_screen=seen)
        return learner

    def record(self, learner: Learner) -> None:
        """The (item, right) pairs the learner gave, from its log and what it was shown."""
        rights = [right for kind, _, right in learner.log if kind == "item"]
        self.answers = list(zip(self._shown, rights))

    # -- what the browser keeps ------------------------------------------------------------------
    def outbox(self) -> dict | None:
        return self.b.eval("(k) => JSON.parse(localStorage.getItem(k) || 'null')", self.key)

    def pending(self) -> int:
        box = self.outbox()
        return 0 if not box else len(box["statements"]) + (1 if box["state"] else 0)

    def wait_drained(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while self.pending():
            assert time.monotonic() < deadline, f"the outbox still holds {self.pending()} record(s)"
            time.sleep(0.1)

    def state(self) -> str:
        """The learner state as saved last: still in the outbox, or already with the LMS."""
        box = self.outbox()
        if box and box.get("state"):
            return box["state"]["state"]
        return self.lms.learner_state(self.activity, self.actor, self.registration)["state"]

    def wait_for(self, verb: str, timeout: float = 20) -> list[str]:
        """The verbs of the AU's statements in the LRS, once one of them is ``verb``."""
        deadline = time.monotonic() + timeout
        while True:
            verbs = [verb_name(s) for s in self.statements() if verb_name(s) != "launched"]
            if verb in verbs:
                return verbs
            assert time.monotonic() < deadline, f"no {verb} statement in the LRS: {verbs}"
            time.sleep(0.2)

    def statements(self) -> list[dict]:
        found = self.lms.ralph.statements(self.registration)
        return sorted(found, key=lambda s: s["timestamp"])

    def leave(self) -> None:
        """The learner closes the page (pagehide), then the test returns to the package's origin."""
        self.b.call("goto", url="about:blank")
        self.b.call("goto", url=self.origin + "/")


def engine_replay(bundle: dict, answers: list[tuple[str, bool]]) -> dict[str, float]:
    """The oracle: the Python engine fed the learner's answers, nothing of the cmi5 code."""
    course = engine_course(bundle["engine"])
    state = initial_state(course)
    index = {item.id: i for i, item in enumerate(course.items)}
    for item_id, right in answers:
        record_response(course, state, index[item_id], right)
    p = mastery(course, state)
    return {ref: p[ref] for ref in course.competencies[:course.n_own]}


def validate(statements: list[dict]) -> list:
    done = subprocess.run(["node", str(Path(__file__).with_name("validate_xapi.mjs"))], input=json.dumps(statements),
                          capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(done.stdout)


def sent_by_au(lms: Lms) -> list[dict]:
    """Each statement the AU sent, once (a retried one arrives again with the same id and body)."""
    bodies: dict[str, dict] = {}
    for _, _, statement_id, body in lms.received:
        assert statement_id == body["id"]
        assert bodies.setdefault(body["id"], body) == body, f"statement {body['id']} sent with two bodies"
    return list(bodies.values())


def categories(statement: dict) -> set[str]:
    found = statement["context"].get("contextActivities", {}).get("category", [])
    return {a["id"] for a in ([found] if isinstance(found, dict) else found)}


def check_cmi5(au: Au, statements: list[dict], sessions: int) -> dict[str, list[dict]]:
    """cmi5's rules over a registration's statements; returns them by session id."""
    ids = [s["id"] for s in statements]
    assert len(ids) == len(set(ids)), "a statement id is stored twice"
    by_session: dict[str, list[dict]] = defaultdict(list)
    for s in statements:
        by_session[s["context"]["extensions"][EXTENSION_SESSION_ID]].append(s)
    assert len(by_session) == sessions
    for session, items in by_session.items():
        mine = [s for s in items if verb_name(s) != "launched"]  # "launched" is the LMS's
        verbs = [verb_name(s) for s in mine]
        assert verbs[0] == "initialized" and verbs[-1] == "terminated", (session, verbs)
        assert verbs.count("initialized") == verbs.count("terminated") == 1
        assert sum(v in ("passed", "failed") for v in verbs) <= 1
        for s in mine:
            name = verb_name(s)
            assert s["actor"] == au.actor and s["context"]["registration"] == au.registration
            grouping = s["context"]["contextActivities"]["grouping"]
            assert {"objectType": "Activity", "id": au.au.get("id")} in grouping  # the template, unaltered
            if name in DEFINED:
                assert s["object"]["id"] == au.activity
                judged = name in ("passed", "failed", "completed")
                want = {CATEGORY_CMI5, CATEGORY_MOVEON} if judged else {CATEGORY_CMI5}
                assert categories(s) == want, (name, categories(s))
            else:
                assert not categories(s) & {CATEGORY_CMI5, CATEGORY_MOVEON}, name
                assert {"objectType": "Activity", "id": au.activity} in s["context"]["contextActivities"]["parent"]
            if name == "terminated":
                assert re.fullmatch(r"PT\d+H\d+M\d+\.\d{2}S", s["result"]["duration"])
    verbs = Counter(verb_name(s) for s in statements)
    assert verbs["passed"] <= 1 and verbs["completed"] <= 1
    return by_session


def check_answers(au: Au, statements: list[dict]) -> None:
    """One answered statement per answer, in order, about the right item, right or wrong as given,
    naming the item's competencies by their IRIs."""
    answered = [s for s in statements if verb_name(s) == "answered"]
    base = au.bundle["xapi"]["course"]
    assert [(s["object"]["id"], s["result"]["success"]) for s in answered] == \
        [(f"{base}/item/{item}", right) for item, right in au.answers]
    items = {item["id"]: item for item in au.bundle["items"]}
    for s, (item_id, right) in zip(answered, au.answers):
        other = {a["id"] for a in s["context"]["contextActivities"]["other"]}
        assert {f"urn:comptoir:{ref}" for ref in items[item_id]["competencies"]} <= other
        assert all(a["definition"]["type"] == OBJECTIVE for a in s["context"]["contextActivities"]["other"])
        definition = s["object"]["definition"]
        if right and definition["interactionType"] in ("true-false", "choice", "matching", "sequencing"):
            assert s["result"]["response"] in definition["correctResponsesPattern"], (item_id, s["result"])
        assert s["result"]["score"]["scaled"] == (1 if right else 0)


def check_mastery(au: Au, capsys, tmp_path: Path, course: str | None = "demo") -> dict:
    chart = tmp_path / f"mastery-{au.registration}.png"
    args = ["--content", str(CONTENT), "mastery", "--lrs", au.lms.ralph.url, "--registration", au.registration,
            "--lrs-user", RALPH_USER, "--lrs-password", RALPH_PASSWORD, "--json", "--chart", str(chart)]
    capsys.readouterr()
    assert main(args + (["--course", course] if course else [])) == 0
    report = json.loads(capsys.readouterr().out)
    want = engine_replay(au.bundle, au.answers)
    assert report["source"] == "lrs" and report["course"] == "demo"
    assert {row["ref"]: row["p"] for row in report["competencies"]} == want  # exactly: same engine, same order
    assert report["reviews"] == {"counted": len(au.answers), "ignored": 0}
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return report


def test_offline_queue_relaunch_and_mastery_from_the_lrs(browser, served, packages, lms, capsys, tmp_path):
    au = Au(browser, lms, served, packages, "fr")
    browser.new_page()
    au.launch()
    learner = au.learner(first_wrong)
    learner.run(stop_after=5)
    au.wait_drained()
    stored = len(au.statements())

    # The LRS is cut off: the learner goes on, the outbox grows, the LRS receives nothing.
    lms.down = True
    learner.run(stop_after=6)
    answered_offline = sum(1 for kind, _, _ in learner.log[-6:] if kind == "item")
    assert answered_offline >= 2
    box = au.outbox()
    assert len(box["statements"]) >= answered_offline and box["state"]
    assert browser.eval("() => document.querySelector('.tools [data-pending]').dataset.pending") == str(au.pending())
    assert len(au.statements()) == stored and lms.refused > 0

    # Back: the next answer's commit drains the outbox.
    lms.down = False
    learner.run(stop_after=2)
    au.wait_drained()
    assert browser.eval("() => document.querySelector('.tools [data-pending]').dataset.pending") == "0"

    # Stored, but the LRS's answer is lost on the way: the AU sends the same statements again.
    lms.lose_answers = 3
    learner.run(stop_after=2)
    au.wait_drained(timeout=30)
    assert lms.lose_answers == 0
    puts = Counter(i for _, method, i, _ in lms.received if method == "PUT")
    resent = [i for i, n in puts.items() if n > 1]
    assert resent and sum(puts[i] - 1 for i in resent) >= 3  # three lost answers, three more tries

    # Cut off again, and the learner closes the page: the queue stays in the browser.
    lms.down = True
    learner.run(stop_after=3)
    before = learner.screen()
    au.leave()
    box = au.outbox()
    assert box["statements"] and verb_name(box["statements"][-1]) == "terminated"
    lms.down = False

    # The next launch (a new session) sends the old queue first, then resumes where the learner was.
    au.launch()
    learner.reloaded()
    after = learner.screen()
    assert (after["kind"], after["id"]) == (before["kind"], before["id"])
    au.wait_drained()
    learner.run()
    assert learner.log[-1] == ("end", "Cours réussi", None)
    au.wait_drained()
    au.leave()
    au.record(learner)

    statements = au.statements()
    sessions = check_cmi5(au, statements, sessions=2)
    first, second = sorted(sessions.values(), key=lambda items: items[0]["timestamp"])
    assert any(verb_name(s) == "answered" for s in first) and any(verb_name(s) == "answered" for s in second)
    check_answers(au, statements)
    verbs = Counter(verb_name(s) for s in statements)
    assert verbs["passed"] == verbs["completed"] == 1 and verbs["failed"] == 0
    passed = next(s for s in statements if verb_name(s) == "passed")
    mastery_score = float(au.au.get("masteryScore"))
    assert passed["context"]["extensions"][EXTENSION_MASTERY_SCORE] == mastery_score
    assert passed["result"]["success"] is True and passed["result"]["score"]["scaled"] >= mastery_score
    assert verbs["mastered"] >= len(au.bundle["competencies"])  # each competency reached the threshold once at least
    progress = [s for s in statements if verb_name(s) in ("progressed", "mastered")]
    assert all(s["object"]["definition"]["type"] == OBJECTIVE and 0 <= s["result"]["score"]["scaled"] <= 1
               for s in progress)

    # Nothing twice: every statement the AU sent — some of them twice or more — is stored once, and
    # the LRS holds nothing else of it.
    sent = sent_by_au(lms)
    assert all(sum(s["id"] == i for s in statements) == 1 for i in resent)
    assert {s["id"] for s in sent} == {s["id"] for s in statements if verb_name(s) != "launched"}
    assert validate(sent) == []

    # The learner state the LMS keeps is the Python engine's, and says what was reported.
    doc = lms.learner_state(au.activity, au.actor, au.registration)
    assert doc["reported"] == {"passed": True, "completed": True, "failed": False}

    report = check_mastery(au, capsys, tmp_path)
    assert all(row["mastered"] for row in report["competencies"])
    check_mastery(au, capsys, tmp_path, course=None)  # the course is found from the statements


def test_italian_learner_passes_in_one_session(browser, served, packages, lms, capsys, tmp_path):
    au = Au(browser, lms, served, packages, "it")
    browser.new_page()
    au.launch()
    learner = au.learner(always_right)
    learner.run()
    au.wait_drained()
    au.leave()
    au.record(learner)
    assert learner.log[-1][0] == "end"
    statements = au.statements()
    check_cmi5(au, statements, sessions=1)
    check_answers(au, statements)
    answered = [s for s in statements if verb_name(s) == "answered"]
    assert all(set(s["object"]["definition"]["name"]) == {"it-CH"} for s in answered)
    assert validate(sent_by_au(lms)) == []
    check_mastery(au, capsys, tmp_path)


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_send_no_scoring_statements(browser, served, packages, lms, mode):
    au = Au(browser, lms, served, packages, "fr")
    browser.new_page()
    au.launch(mode=mode)
    assert "Mode consultation" in browser.eval("() => document.querySelector('.notice').textContent")
    learner = au.learner(first_wrong)
    learner.read_state = None  # nothing is saved in these modes
    learner.run(stop_after=6)
    au.leave()  # "terminated" goes with the page (a keepalive request), or at the next launch
    verbs = au.wait_for("terminated")
    assert verbs == ["initialized", "terminated"]
    assert lms.learner_state(au.activity, au.actor, au.registration) is None
    assert validate(sent_by_au(lms)) == []


def test_return_url_ends_the_session_and_goes_back_to_the_lms(browser, served, packages, lms):
    au = Au(browser, lms, served, packages, "fr")
    back = f"{served[1]}/?back-to-lms"
    browser.new_page()
    au.launch(return_url=back)
    learner = au.learner(first_wrong)
    learner.run(stop_after=2)
    browser.call("click", selector=".tools button.exit")
    for _ in range(100):
        try:
            if browser.eval("() => location.href") == back:
                break
        except BrowserError:  # asked while the page was navigating
            pass
        time.sleep(0.1)
    assert browser.eval("() => location.href") == back
    verbs = [verb_name(s) for s in au.statements() if verb_name(s) != "launched"]
    assert verbs[0] == "initialized" and verbs[-1] == "terminated" and verbs.count("terminated") == 1
    assert validate(sent_by_au(lms)) == []


def test_outside_an_lms_the_package_runs_on_the_browser_with_a_notice(browser, served, packages, lms):
    au = Au(browser, lms, served, packages, "fr")
    browser.new_page()
    browser.call("goto", url=au.url)
    browser.call("waitFor", selector="[data-ready]")
    assert "Aucune plateforme de formation" in browser.eval("() => document.querySelector('.notice').textContent")


def test_a_used_fetch_url_is_refused_and_the_course_still_opens(browser, served, packages, lms):
    """cmi5 §8.2: the fetch URL gives its token once; a reload of the launch URL gets an error."""
    au = Au(browser, lms, served, packages, "fr")
    browser.new_page()
    au.launch()
    browser.call("reload")
    browser.call("waitFor", selector="[data-ready]")
    assert "n'a pas ouvert la session" in browser.eval("() => document.querySelector('.notice').textContent")
