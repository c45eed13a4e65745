"""The response policies every exporter shares."""
from __future__ import annotations

import pytest

from comptoir.model import Choice, Item, Pair, ScenarioChoice, ScenarioNode, Step
from comptoir.scoring import (choices_correct, fill_in_correct, matching_correct, normalise_answer, numeric_correct,
                              scenario_score, sequencing_correct)


def _item(**kwargs) -> Item:
    return Item(id="t-q1", type=kwargs.pop("type", "fill-in"), prompt="p ___", competencies=("ch-arc:a.1",),
                lesson="t", **kwargs)


@pytest.mark.parametrize("given, ok", [
    ("reformuler", True), ("  Reformuler ", True), ("REFORMULER", True), ("ré formuler", False),
    ("l’écoute active", True), ("l'écoute   active", True), ("l'ecoute active", False), ("", False)])
def test_fill_in_policy(given, ok):
    assert fill_in_correct(_item(answers=("reformuler", "l'écoute active")), given) is ok


def test_normalisation_uses_nfc():
    assert normalise_answer("e\u0301coute") == normalise_answer("écoute")


def test_numeric_tolerance_is_absolute_and_inclusive():
    item = _item(type="numeric", answer=80.0, tolerance=2.0)
    assert numeric_correct(item, 82.0) and numeric_correct(item, 78.0) and not numeric_correct(item, 82.5)


def test_choice_matching_sequencing():
    item = _item(type="multiple", choices=(Choice("a", "A", "f", True), Choice("b", "B", "f"), Choice("c", "C", "f", True)))
    assert choices_correct(item, ["c", "a"]) and not choices_correct(item, ["a"]) and not choices_correct(item, "abc")
    pairs = _item(type="matching", pairs=(Pair("p1", "l1", "r1"), Pair("p2", "l2", "r2")))
    assert matching_correct(pairs, {"p1": "p1", "p2": "p2"}) and not matching_correct(pairs, {"p1": "p2", "p2": "p1"})
    steps = _item(type="sequencing", steps=(Step("s1", "x"), Step("s2", "y")))
    assert sequencing_correct(steps, ["s1", "s2"]) and not sequencing_correct(steps, ["s2", "s1"])


def test_scenario_score_follows_the_path():
    item = _item(type="scenario", start="n1", nodes=(
        ScenarioNode("n1", "t", (ScenarioChoice("a", "x", "ok", "f"), ScenarioChoice("b", "y", "n2", "f"))),
        ScenarioNode("n2", "t", (ScenarioChoice("a", "x", "half", "f"),)),
        ScenarioNode("ok", "t", outcome="success"), ScenarioNode("half", "t", outcome="partial")))
    assert scenario_score(item, ["a"]) == 1.0 and scenario_score(item, ["b", "a"]) == 0.5
    with pytest.raises(ValueError, match="stops at decision node 'n2'"):
        scenario_score(item, ["b"])
