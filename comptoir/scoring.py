"""Scoring a learner's response to an item: one definition, shared by every exporter and the engine.

The fill-in policy (docs/markup.md): Unicode NFC, surrounding spaces removed and inner runs of
whitespace collapsed, case ignored, typographic apostrophes equal to straight ones; accents count.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from .model import Item

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'"})
_SPACES = re.compile(r"\s+")
OUTCOME_SCORES = {"success": 1.0, "partial": 0.5, "failure": 0.0}


def normalise_answer(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    return _SPACES.sub(" ", text).strip().casefold()


def fill_in_correct(item: Item, response: str) -> bool:
    given = normalise_answer(response)
    return any(normalise_answer(accepted) == given for accepted in item.answers)


def numeric_correct(item: Item, response: float) -> bool:
    return abs(response - float(item.answer)) <= item.tolerance


def choices_correct(item: Item, chosen: Sequence[str]) -> bool:
    """Single and multiple choice: exactly the correct choices, nothing else."""
    return set(chosen) == {c.id for c in item.choices if c.correct}


def matching_correct(item: Item, pairs: dict[str, str]) -> bool:
    """``pairs`` maps each left (by pair id) to the pair id of the right chosen for it."""
    return all(pairs.get(p.id) == p.id for p in item.pairs)


def sequencing_correct(item: Item, order: Sequence[str]) -> bool:
    return list(order) == [s.id for s in item.steps]


def scenario_score(item: Item, path: Sequence[str]) -> float:
    """Score of a walk through a scenario given as the ids of the choices taken, node after node."""
    nodes = {n.id: n for n in item.nodes}
    node = nodes[item.start]
    for choice_id in path:
        choice = next((c for c in node.choices if c.id == choice_id), None)
        if choice is None:
            raise ValueError(f"node '{node.id}' of '{item.id}' has no choice '{choice_id}'")
        node = nodes[choice.next]
    if not node.is_end:
        raise ValueError(f"the walk through '{item.id}' stops at decision node '{node.id}'")
    return OUTCOME_SCORES[node.outcome]
