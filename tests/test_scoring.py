"""The response policies every target shares, scored from presented keys.

Responses are built from the source item (which choice the author marked correct, the pairs and
steps in the author's order) and the view's order, not from the key under test.
"""
from __future__ import annotations


import pytest

from comptoir.model import (Choice, FillIn, Matching, MultipleChoice, Numeric, Pair, Scenario, ScenarioChoice,
                            ScenarioNode, Sequencing, Step, TrueFalse)
from comptoir.present import Presenter, key_from_data, to_data
from comptoir.scoring import ResponseError, normalise_answer, score


COMMON = dict(competencies=("ch-arc:a.1",), lesson="t", prompt="Question ?")


class _Course:
    """What the presenter asks of a course when it presents one item."""

    locale = "fr"

    def units_of(self, refs):
        return refs

    def aligned(self, refs):
        return refs


class _Lesson:
    id = "t"
    media: dict = {}


def shown(item):
    presented = Presenter(_Course()).item(_Lesson(), item)
    return presented.view, presented.key


@pytest.mark.parametrize("given, ok", [
    ("reformuler", True), ("  Reformuler ", True), ("REFORMULER", True), ("ré formuler", False),
    ("l’écoute active", True), ("l'écoute   active", True), ("l'ecoute active", False), ("", False),
    ("l'écoute\u00a0active", True), ("reformuler\t", True)])
def test_fill_in_policy(given, ok):
    _, key = shown(FillIn(id="t-q1", **{**COMMON, "prompt": "On ___."}, answers=("reformuler", "l'écoute active")))
    assert score(key, given) == (1.0 if ok else 0.0)


def test_fill_in_view_has_one_blank_and_no_answer():
    view, _ = shown(FillIn(id="t-q1", **{**COMMON, "prompt": "On **___** le client."}, answers=("salue",)))
    assert view.prompt.count('<span class="blank"></span>') == 1 and "salue" not in view.prompt


def test_normalisation_uses_nfc():
    assert normalise_answer("e\u0301coute") == normalise_answer("écoute")


def test_numeric_tolerance_is_absolute_and_inclusive():
    _, key = shown(Numeric(id="t-q1", **COMMON, answer=80.0, tolerance=2.0))
    assert score(key, 82.0) == score(key, 78.0) == 1.0 and score(key, 82.5) == 0.0
    with pytest.raises(ResponseError):
        score(key, "80")


def test_true_false():
    _, key = shown(TrueFalse(id="t-q1", **COMMON, answer=False))
    assert score(key, False) == 1.0 and score(key, True) == 0.0


def test_choices_are_scored_by_position():
    item = MultipleChoice(id="t-q1", **COMMON, choices=(Choice("a", "A", "f", True), Choice("b", "B", "f"),
                                                       Choice("c", "C", "f", True)))
    view, key = shown(item)
    right = [view.choices.index(c.text) for c in item.choices if c.correct]
    assert score(key, right[::-1]) == 1.0 and score(key, right[:1]) == 0.0
    with pytest.raises(ResponseError):
        score(key, ["a", "c"])  # source ids never address a choice


def test_matching_and_sequencing_are_shown_out_of_order_and_scored_by_position():
    pairs = Matching(id="t-q1", **COMMON, pairs=(Pair("p1", "l1", "r1"), Pair("p2", "l2", "r2"), Pair("p3", "l3", "r3")))
    view, key = shown(pairs)
    assert list(view.right) != ["r1", "r2", "r3"]
    assert score(key, [view.right.index(f"r{i}") for i in (1, 2, 3)]) == 1.0
    assert score(key, [view.right.index(f"r{i}") for i in (2, 1, 3)]) == 0.0
    steps = Sequencing(id="t-q2", **COMMON, steps=(Step("s1", "x"), Step("s2", "y"), Step("s3", "z")))
    view, key = shown(steps)
    assert list(view.steps) != ["x", "y", "z"]
    assert score(key, [view.steps.index(t) for t in "xyz"]) == 1.0
    assert score(key, [view.steps.index(t) for t in "yxz"]) == 0.0


def test_scenario_score_follows_the_path_and_marks_the_shortest_best_move():
    item = Scenario(id="t-s1", **COMMON, start="n1", nodes=(
        ScenarioNode("n1", "t", (ScenarioChoice("b", "detour", "n2", "f"), ScenarioChoice("a", "direct", "ok", "f"),
                                 ScenarioChoice("c", "worse", "half", "f"))),
        ScenarioNode("n2", "t", (ScenarioChoice("a", "back", "ok", "f"),)),
        ScenarioNode("ok", "t", outcome="success"), ScenarioNode("half", "t", outcome="partial")))
    view, key = shown(item)
    assert view.start == 0 and [n.end for n in view.nodes] == [False, False, True, True]
    assert score(key, [1], view.start) == 1.0 and score(key, [0, 0], view.start) == 1.0
    assert score(key, [2], view.start) == 0.5
    assert key.best[0] == (False, True, False) and key.reach[0] == (1.0, 1.0, 0.5)
    with pytest.raises(ResponseError, match="stops at decision node 1"):
        score(key, [0], view.start)


def test_a_move_marked_as_a_mistake_caps_the_walk_at_partial_however_it_ends():
    item = Scenario(id="t-s2", **COMMON, start="n1", nodes=(
        ScenarioNode("n1", "t", (ScenarioChoice("a", "rude", "n2", "f", mistake=True),
                                 ScenarioChoice("b", "polite", "n2", "f"))),
        ScenarioNode("n2", "t", (ScenarioChoice("a", "apologise", "ok", "f"), ScenarioChoice("b", "argue", "ko", "f"))),
        ScenarioNode("ok", "t", outcome="success"), ScenarioNode("ko", "t", outcome="failure")))
    view, key = shown(item)
    assert key.mistake[0] == (True, False)
    assert score(key, [1, 0], view.start) == 1.0  # the sound path
    assert score(key, [0, 0], view.start) == 0.5  # recovered after a mistake: partial, not success
    assert score(key, [0, 1], view.start) == 0.0  # the cap never raises a failure
    assert key.best[0] == (False, True) and key.reach[0] == (0.5, 1.0)
    # a key stored before the field existed (the XBlock keeps keys as JSON) reads as "no mistakes"
    data = to_data(key)
    del data["mistake"]
    assert score(key_from_data("scenario", data), [0, 0], view.start) == 1.0
    assert shown(Scenario(id="t-s3", **COMMON, start="n2", nodes=item.nodes[1:]))[1].mistake == ()
