"""A scripted learner: answers what the player shows, right or wrong on purpose, with the mouse
or with the keyboard only, and replays every step through the Python engine to check that the
player sequenced and recorded exactly what comptoir.adaptive concludes."""
from __future__ import annotations

from typing import Any, Callable

from comptoir.adaptive.engine import initial_state, next_activity, record_lesson, record_response
from comptoir.adaptive.state import decode_state, encode_state

from .harness import Browser, engine_course

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


def scenario_path(view: dict, key: dict, goal: str) -> list[int]:
    """Choices from the start to an end node with outcome `goal` (depth first)."""
    def search(node: int) -> list[int] | None:
        if view["nodes"][node]["end"]:
            return [] if key["outcome"][node] == goal else None
        for k, nxt in enumerate(key["next"][node]):
            rest = search(nxt)
            if rest is not None:
                return [k, *rest]
        return None
    path = search(view["start"])
    assert path is not None, f"no path to {goal}"
    return path


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
        return f"  {key['answers'][0].upper()} " if right else "répéter"
    if kind == "numeric":
        value = key["answer"] if right else key["answer"] + key["tolerance"] + 10
        return f"{value:g}".replace(".", ",")
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
        kind, index = act
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

    def run(self, limit: int = 200, stop_after: int | None = None) -> list:
        """Work through the course (or `stop_after` activities); returns the log."""
        for count in range(limit):
            if stop_after is not None and count >= stop_after:
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
