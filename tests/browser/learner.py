"""A scripted learner: answers what the player shows, right or wrong on purpose, with the mouse
or with the keyboard only, and replays every step through the Python engine to check that the
player sequenced and recorded exactly what comptoir.adaptive concludes.

Also here, shared by the browser tests: what a SCORM LMS must read back after those answers
(:func:`expected_cmi`, :func:`check_reported`, :func:`check_sessions`), and the per-screen audit
(axe-core, width) of the phone-width runs."""
from __future__ import annotations

import re
from typing import Any, Callable

from comptoir.adaptive.engine import initial_state, items_of, next_activity, record_lesson, record_response
from comptoir.adaptive.state import decode_state, encode_state
from comptoir.identity import objective_id

from .harness import Browser, engine_course

ITEM_TYPES = {"true-false", "single", "multiple", "fill-in", "numeric", "matching", "sequencing", "scenario"}

SCREEN = """() => {
  const a = document.querySelector('#comptoir-main .activity');
  if (!a) return null;
  const kind = a.classList.contains('lesson') ? 'lesson' : a.classList.contains('item') ? 'item' : 'end';
  const active = document.activeElement;
  return {kind, id: a.dataset.item || a.dataset.lesson || null, type: a.dataset.type || null,
          heading: a.querySelector('h2').textContent,
          verdict: a.querySelector('.verdict') ? a.querySelector('.verdict').textContent : null,
          focus: active ? (active.matches('h2') ? 'h2' : active.matches('.verdict') ? 'verdict' : active.tagName) : null};
}"""

Policy = Callable[[dict, int], bool]  # (item, times already answered) → answer right?


def first_wrong(item: dict, seen: int) -> bool:
    """Wrong the first time an item comes, right afterwards: every type appears in the fixture."""
    return seen > 0


def always_right(item: dict, seen: int) -> bool:
    return True


class Covering:
    """Right and wrong answers for every item type of a course, in few steps: an item of a type
    never answered wrong is answered wrong, then (with `both`) one of a type never answered right
    is answered right; otherwise wrong while a competency it serves still has an item type not
    yet covered (the engine, kept from mastery, goes on offering that competency's other items),
    right after that. A policy, `(item, times seen) → right?`; `.right`, `.wrong`: the types so far."""

    def __init__(self, bundle: dict, both: bool = True) -> None:
        self.both = both
        self.types_of: dict[str, set[str]] = {}
        for item in bundle["items"]:
            for ref in item["competencies"]:
                self.types_of.setdefault(ref, set()).add(item["type"])
        self.right: set[str] = set()
        self.wrong: set[str] = set()

    def covered(self, kind: str) -> bool:
        return kind in self.wrong and (kind in self.right or not self.both)

    def __call__(self, item: dict, seen: int) -> bool:
        kind = item["type"]
        if kind not in self.wrong:
            self.wrong.add(kind)
            return False
        if self.both and kind not in self.right:
            self.right.add(kind)
            return True
        right = all(self.covered(t) for ref in item["competencies"] for t in self.types_of[ref])
        (self.right if right else self.wrong).add(kind)
        return right


def scenario_path(view: dict, key: dict, goal: str) -> list[int]:
    """Choices from the start to an end node with outcome `goal` (depth first); a walk meant to
    succeed avoids the moves marked as mistakes, which would cap it at partial."""
    mistake = key.get("mistake") or []

    def search(node: int) -> list[int] | None:
        if view["nodes"][node]["end"]:
            return [] if key["outcome"][node] == goal else None
        for k, nxt in enumerate(key["next"][node]):
            if goal == "success" and mistake and mistake[node][k]:
                continue
            rest = search(nxt)
            if rest is not None:
                return [k, *rest]
        return None
    path = search(view["start"])
    assert path is not None, f"no path to {goal}"
    return path


def swiss_number(value: float) -> str:
    """As a learner in Switzerland types it: decimal comma, ’ between thousands (`1’250,5`)."""
    whole, _, decimals = f"{abs(value):.6f}".rstrip("0").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return ("-" if value < 0 else "") + "’".join([whole, *groups]) + ("," + decimals if decimals else "")


def response_for(item: dict, right: bool) -> Any:
    """A response the key scores 1 (right) or 0 (wrong), built from the key, not the player."""
    key, view, kind = item["key"], item["view"], item["type"]
    if kind == "true-false":
        return key["answer"] if right else not key["answer"]
    if kind in ("single", "multiple"):
        wrong = next(i for i in range(len(view["choices"])) if i not in key["correct"])
        return (sorted(key["correct"]) if kind == "multiple" else key["correct"][:1]) if right else [wrong]
    if kind == "fill-in":
        # Capitals and stray spaces must not matter (normaliseAnswer); a different word must.
        if right:
            return f"  {key['answers'][0].upper()} "
        return next(w for w in ("répéter", "zzz") if w not in {a.casefold() for a in key["answers"]})
    if kind == "numeric":
        value = key["answer"] if right else key["answer"] + key["tolerance"] + 10
        return swiss_number(value)
    if kind == "matching":
        return list(key["pairs"]) if right else key["pairs"][1:] + key["pairs"][:1]
    if kind == "sequencing":
        shown = list(range(len(view["steps"])))
        return list(key["order"]) if right else (shown if shown != key["order"] else shown[::-1])
    if kind == "scenario":
        return scenario_path(view, key, "success" if right else "failure")
    raise AssertionError(kind)


class Learner:
    def __init__(self, browser: Browser, bundle: dict, *, keyboard: bool = False, frame: str | None = None,
                 policy: Policy = first_wrong, read_state: Callable[[], str] | None = None,
                 on_screen: Callable[[str, dict], None] | None = None) -> None:
        self.b, self.bundle, self.keyboard, self.frame = browser, bundle, keyboard, frame
        self.policy, self.read_state, self.on_screen = policy, read_state, on_screen
        self.course = engine_course(bundle["engine"])
        self.state = initial_state(self.course)
        self.items = {it["id"]: it for it in bundle["items"]}
        self.seen: dict[str, int] = {}
        self.log: list[tuple[str, str, bool | None]] = []  # (kind, id or type, right)

    # -- the page --------------------------------------------------------------------------
    def js(self, fn: str, arg: Any = None) -> Any:
        return self.b.eval(fn, arg, frame=self.frame)

    def screen(self) -> dict:
        self.b.call("waitFor", selector="#comptoir-main .activity h2", frame=self.frame)
        return self.js(SCREEN)

    def press(self, key: str) -> None:
        self.b.call("press", key=key)

    def tab_to(self, css: str) -> None:
        for _ in range(150):
            if self.js("(css) => !!document.activeElement && document.activeElement.matches(css)", css):
                return
            self.press("Tab")
        raise AssertionError(f"Tab never reached {css}")

    def activate(self, css: str) -> None:
        if self.keyboard:
            self.tab_to(css)
            self.press("Enter")
        else:
            self.b.call("click", selector=css, frame=self.frame)

    # -- one activity ----------------------------------------------------------------------
    def expected(self) -> tuple[str, str] | None:
        act = next_activity(self.course, self.state)
        if act is None:
            return None
        kind, index = act[0], act[1]  # (kind, index[, why]): only the first two are the activity
        return kind, (self.course.lessons[index].id if kind == "lesson" else self.course.items[index].id)

    def step(self) -> str:
        """Do what the screen asks; return "lesson", "item" or "end"."""
        screen = self.screen()
        assert screen["focus"] == "h2", f"focus not moved to the new {screen['kind']}: {screen}"
        expected = self.expected()
        if expected is None:
            assert screen["kind"] == "end", screen
            self.log.append(("end", screen["heading"], None))
            if self.on_screen:
                self.on_screen("end", screen)
            return "end"
        assert (screen["kind"], screen["id"]) == expected, f"player shows {screen}, Python engine says {expected}"
        if self.on_screen:
            self.on_screen(screen["kind"], screen)
        if screen["kind"] == "lesson":
            self.activate(".activity.lesson .actions button")
            record_lesson(self.course, self.state, [les.id for les in self.course.lessons].index(screen["id"]))
            self.log.append(("lesson", screen["id"], None))
        else:
            self.answer(self.items[screen["id"]])
        self.check_state()
        return screen["kind"]

    def answer(self, item: dict) -> None:
        right = self.policy(item, self.seen.get(item["id"], 0))
        self.seen[item["id"]] = self.seen.get(item["id"], 0) + 1
        response = response_for(item, right)
        getattr(self, "_" + item["type"].replace("-", "_"))(item, response)
        if item["type"] != "scenario":
            self.activate(".item-form > button.primary")
        self.b.call("waitFor", selector=".result .verdict", frame=self.frame)
        screen = self.js(SCREEN)
        assert screen["focus"] == "verdict", f"focus not moved to the feedback: {screen}"
        want = "Bonne réponse" if right else "Réponse incorrecte"
        assert self.bundle["ui"].get(want, want) in screen["verdict"], (item["id"], screen["verdict"])
        index = [i.id for i in self.course.items].index(item["id"])
        record_response(self.course, self.state, index, right)
        self.log.append(("item", item["type"], right))
        if self.on_screen:
            self.on_screen("feedback", screen)

    def go_on(self) -> None:
        self.activate(".up-next button")

    def check_state(self) -> None:
        """The player's saved learner state must be the Python engine's, character for character."""
        if self.read_state is not None:
            assert self.read_state() == encode_state(self.course, self.state)

    def reloaded(self) -> None:
        """After a reload the player runs on the decoded (quantised) state; so does the mirror."""
        self.state = decode_state(self.course, encode_state(self.course, self.state))

    def run(self, limit: int = 200, stop_after: int | None = None,
            until: Callable[[Learner], bool] | None = None) -> list:
        """Work through the course (or `stop_after` activities, or until `until(learner)` holds
        before an activity); returns the log."""
        for count in range(limit):
            if stop_after is not None and count >= stop_after:
                return self.log
            if until is not None and until(self):
                return self.log
            kind = self.step()
            if kind == "end":
                return self.log
            if kind == "item":
                self.go_on()
        raise AssertionError("the course never ended")

    # -- per type: put `response` on the page ------------------------------------------------
    def _pick(self, css: str, positions: list[int], radio: bool) -> None:
        if not self.keyboard:
            for k in positions:
                self.b.call("click", selector=f"{css}[value='{k}']", frame=self.frame)
            return
        if radio:  # Tab enters the group on its first radio; arrows move and select
            self.tab_to(css)
            k = positions[0]
            self.press("Space") if k == 0 else [self.press("ArrowDown") for _ in range(k)]
        else:
            for k in sorted(positions):
                self.tab_to(f"{css}[value='{k}']")
                self.press("Space")
        checked = self.js("(css) => [...document.querySelectorAll(css)].filter(i => i.checked).map(i => +i.value)", css)
        assert checked == sorted(positions), (checked, positions)

    def _true_false(self, item: dict, response: bool) -> None:
        self._pick("input[type=radio]", [0 if response else 1], True)

    def _single(self, item: dict, response: list[int]) -> None:
        self._pick("input[type=radio]", response, True)

    def _multiple(self, item: dict, response: list[int]) -> None:
        self._pick("input[type=checkbox]", response, False)

    def _type_into(self, css: str, text: str) -> None:
        if self.keyboard:
            self.tab_to(css)
            self.b.call("type", text=text)
        else:
            self.b.call("fill", selector=css, value=text, frame=self.frame)

    def _fill_in(self, item: dict, response: str) -> None:
        self._type_into(".blank-input", response)

    def _numeric(self, item: dict, response: str) -> None:
        self._type_into(".number-input", response)

    def _matching(self, item: dict, response: list[int]) -> None:
        for i, k in enumerate(response):
            css = f".pairs li:nth-child({i + 1}) select"
            if self.keyboard:  # a closed <select> steps through its options with the arrow keys
                self.tab_to(css)
                for _ in range(k + 1):
                    self.press("ArrowDown")
            else:
                self.b.call("select", selector=css, value=str(k), frame=self.frame)
        chosen = self.js("() => [...document.querySelectorAll('.pairs select')].map(s => +s.value)")
        assert chosen == response

    def _sequencing(self, item: dict, response: list[int]) -> None:
        order_js = "() => [...document.querySelectorAll('.steps li')].map(li => +li.dataset.step)"
        for p, step in enumerate(response):
            q = self.js(order_js).index(step)
            for moved in range(q - p):
                css = f".steps li:nth-child({q - moved + 1}) button.up"
                if self.keyboard:  # focus stays on the moved step's "up" button
                    if moved == 0:
                        self.tab_to(css)
                    self.press("Enter")
                else:
                    self.b.call("click", selector=css, frame=self.frame)
        assert self.js(order_js) == response

    def _scenario(self, item: dict, response: list[int]) -> None:
        for k in response:
            self.activate(f".node-choices button:nth-child({k + 1})")


# --- the web transport ----------------------------------------------------------------------------

def stored_progress(browser: Browser, course: str, language: str) -> dict | None:
    """The web transport's record in localStorage (docs/player.md, "web")."""
    return browser.eval("(k) => JSON.parse(localStorage.getItem(k) || 'null')", f"comptoir:{course}:{language}")


def stored_state(browser: Browser, course: str, language: str) -> Callable[[], str]:
    return lambda: stored_progress(browser, course, language)["state"]


def page_errors(browser: Browser, warnings: bool = False) -> list[dict]:
    """Console errors (a 404 included) and uncaught exceptions since the last call; with
    `warnings`, console warnings too (the SCORM transports log each refused call as one)."""
    kinds = ("error", "pageerror", "warning") if warnings else ("error", "pageerror")
    return [e for e in browser.call("events") if e["kind"] in kinds]


# --- what a SCORM LMS reads back -------------------------------------------------------------------

SCORM = {
    "12": {"transport": "scorm12", "suspend": "cmi.suspend_data", "finish": "LMSFinish", "commit": "LMSCommit",
           "set": "LMSSetValue", "exit": ("cmi.core.exit", ""), "entry": "cmi.core.entry",
           "location": "cmi.core.lesson_location",
           "time": ("cmi.core.session_time", r"^\d{4}:\d{2}:\d{2}\.\d{2}$")},
    "2004": {"transport": "scorm2004", "suspend": "cmi.suspend_data", "finish": "Terminate", "commit": "Commit",
             "set": "SetValue", "exit": ("cmi.exit", "normal"), "entry": "cmi.entry", "location": "cmi.location",
             "time": ("cmi.session_time", r"^PT\d+H\d+M\d+\.\d{2}S$")},
}
#: Tolerances of the player's decimals: 2 places for raw scores (0-100), 4 for scaled values.
RAW, SCALED = 0.005 + 1e-9, 0.00005 + 1e-9


def lms_store(browser: Browser, version: str) -> dict:
    """What lms.html keeps for SCORM `version`: {"sessions", "cmi" (at the last commit), "carry", "log"}."""
    return browser.eval("(key) => JSON.parse(localStorage.getItem(key))", f"lms:{version}")


def live_cmi(browser: Browser, version: str) -> dict:
    """The LMS's run-time data now, saved or not yet committed."""
    return browser.eval("(v) => (v === '12' ? window.API : window.API_1484_11).getFlattenedCMI()", version)


def committed_state(browser: Browser, version: str) -> Callable[[], str]:
    return lambda: browser.eval("(key) => JSON.parse(localStorage.getItem(key)).cmi['cmi.suspend_data']",
                                f"lms:{version}")


def expected_cmi(learner: Learner) -> dict:
    """What the player must report, computed from the Python engine's state (docs/player.md)."""
    course, state = learner.course, learner.state
    practised = [c for c in range(course.n_own) if items_of(course)[c]]
    mastered = [state.p[c] >= course.threshold for c in range(course.n_own)]

    def progress(c: int) -> float:
        prior = course.params[c].prior
        if mastered[c]:
            return 1.0
        if course.threshold <= prior:
            return 0.0
        return min(max((state.p[c] - prior) / (course.threshold - prior), 0.0), 1.0)

    scaled = sum(state.p[c] for c in practised) / len(practised)
    passed = all(mastered[c] for c in practised)
    completed = passed or next_activity(course, state) is None
    return {"passed": passed, "completed": completed, "scaled": scaled,
            "progress": sum(progress(c) for c in practised) / len(practised),
            "objectives": [(objective_id(course.competencies[c]), state.p[c], mastered[c], progress(c))
                           for c in range(course.n_own)]}


def objective_slots(cmi: dict) -> dict[str, int]:
    """Objective id → its n in cmi.objectives.n, as the LMS holds them."""
    count = int(cmi.get("cmi.objectives._count") or 0) or sum(
        1 for key in cmi if re.fullmatch(r"cmi\.objectives\.\d+\.id", key))
    return {cmi[f"cmi.objectives.{n}.id"]: n for n in range(count)}


def check_reported(data: dict, learner: Learner, version: str) -> dict:
    """The LMS's data at the last commit is what the Python engine concludes: state, status, score,
    progress and every objective (id, status, score; progress in 2004)."""
    cmi = data["cmi"]
    want = expected_cmi(learner)
    assert cmi["cmi.suspend_data"] == encode_state(learner.course, learner.state)
    ids = objective_slots(cmi)
    assert set(ids) == {oid for oid, *_ in want["objectives"]} and len(ids) == len(want["objectives"]), ids
    if version == "12":
        assert cmi["cmi.core.lesson_status"] == ("passed" if want["passed"] else "incomplete")
        assert abs(float(cmi["cmi.core.score.raw"]) - want["scaled"] * 100) <= RAW
        assert (cmi["cmi.core.score.min"], cmi["cmi.core.score.max"]) == ("0", "100")
        for oid, p, mastered, _ in want["objectives"]:
            n = ids[oid]
            assert cmi[f"cmi.objectives.{n}.status"] == ("passed" if mastered else "incomplete"), oid
            assert abs(float(cmi[f"cmi.objectives.{n}.score.raw"]) - p * 100) <= RAW, oid
            assert (cmi[f"cmi.objectives.{n}.score.min"], cmi[f"cmi.objectives.{n}.score.max"]) == ("0", "100")
    else:
        success = "passed" if want["passed"] else "failed" if want["completed"] else "unknown"
        assert cmi["cmi.success_status"] == success
        assert cmi["cmi.completion_status"] == ("completed" if want["completed"] else "incomplete")
        assert abs(float(cmi["cmi.score.scaled"]) - want["scaled"]) <= SCALED
        assert abs(float(cmi["cmi.score.raw"]) - want["scaled"] * 100) <= RAW
        assert abs(float(cmi["cmi.progress_measure"]) - want["progress"]) <= SCALED
        for oid, p, mastered, progress in want["objectives"]:
            n = ids[oid]
            assert cmi[f"cmi.objectives.{n}.success_status"] == ("passed" if mastered else "unknown"), oid
            assert abs(float(cmi[f"cmi.objectives.{n}.score.scaled"]) - p) <= SCALED, oid
            assert abs(float(cmi[f"cmi.objectives.{n}.progress_measure"]) - progress) <= SCALED, oid
    return want


def check_sessions(data: dict, version: str, sessions: int) -> None:
    """Per session: Initialize first, a commit right before the end, nothing after it; every
    write accepted, suspend data within 4,096 characters, session time well formed."""
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


# --- phone width and axe-core ----------------------------------------------------------------------

def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


class ScreenAudit:
    """An `on_screen` hook: on the first lesson, the first item of each type, the first feedback of
    each type and the end screen, the page's width (no sideways scrolling at `width`) and axe-core's
    serious and critical violations. `checked`: label → violations."""

    def __init__(self, browser: Browser, width: int, frame: str | None = None) -> None:
        self.b, self.width, self.frame = browser, width, frame
        self.checked: dict[str, list] = {}
        self.wide: dict[str, int] = {}

    def __call__(self, kind: str, screen: dict) -> None:
        label = f"{kind}:{screen['type']}" if kind in ("item", "feedback") else kind
        if label in self.checked:
            return
        overflow = self.b.eval("() => document.documentElement.scrollWidth", frame=self.frame)
        if overflow > self.width:
            self.wide[label] = overflow
        self.checked[label] = serious(self.b.call("axe", frame=self.frame))

    def problems(self) -> dict:
        """{label: violations or "N px wide"} for every audited screen that fails."""
        out: dict[str, Any] = {label: v for label, v in self.checked.items() if v}
        out.update({label: f"{px}px wide on a {self.width}px screen" for label, px in self.wide.items()})
        return out
