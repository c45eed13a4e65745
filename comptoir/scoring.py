"""Scoring a learner's response from an item's presented key: one definition for every target.

The XBlock scores with this module on the server; the browser player scores with its twin
``scoring.js``, which must agree on every key and response (``tests/test_scoring_parity.py``).
Responses address choices by their position in the view (see :mod:`comptoir.present`):

- true-false: a boolean;  single, multiple: the positions chosen;  fill-in: the text typed;
- numeric: a number;  matching: for each left, the position of the right chosen;
- sequencing: the shown positions in the learner's order;
- scenario: the position of the choice taken at each node, from the start to an end node.

The fill-in policy (docs/markup.md): Unicode NFC, typographic apostrophes equal to straight ones,
runs of whitespace collapsed, surrounding spaces removed, case ignored (``lower``, which both
languages define by Unicode's default mapping; ``casefold`` has no JavaScript twin); accents count.
Final sigma (ς) is folded into σ after lower-casing: which one ``lower`` gives for Σ depends on the
neighbouring characters' Cased and Case_Ignorable properties, and those changed between Python's
Unicode and JavaScript's for a few characters (U+0295 ʕ, U+1171E); the fold makes the result
independent of them (as ``casefold`` would). The twins agree on every character both runtimes'
Unicode versions have assigned (Python 3.11 has Unicode 14; browsers and node are newer); a
character newer than Python's Unicode may normalise or lower-case differently.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Sequence

from .present import (OUTCOME_SCORES, ChoiceKey, FillInKey, Key, MatchingKey, NumericKey, ScenarioKey,
                      SequencingKey, TrueFalseKey)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'"})
#: Spaces are listed, not ``\s``: Python's and JavaScript's ``\s`` differ, and both twins must agree.
WHITESPACE = " \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_SPACES = re.compile(f"[{WHITESPACE}]+")


class ResponseError(ValueError):
    """A response that does not fit the item (wrong shape, a position that does not exist)."""


def normalise_answer(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    return _SPACES.sub(" ", text).strip(" ").lower().replace("\u03c2", "\u03c3")  # ς -> σ


def _positions(response: Any, count: int) -> list[int]:
    if not isinstance(response, (list, tuple)) or not all(
            isinstance(p, int) and not isinstance(p, bool) and 0 <= p < count for p in response):
        raise ResponseError(f"expected a list of positions below {count}")
    return list(response)


def scenario_path_score(key: ScenarioKey, start: int, path: Sequence[int]) -> float:
    """The outcome score of a walk: the choice positions taken node after node from ``start``;
    a walk through a move marked as a mistake scores at most partial, however it ends."""
    node, erred = start, False
    for step in _positions(path, 1 << 30):
        if step >= len(key.next[node]):
            raise ResponseError(f"node {node} has no choice {step}")
        erred = erred or bool(key.mistake and key.mistake[node][step])
        node = key.next[node][step]
    if key.outcome[node] is None:
        raise ResponseError(f"the walk stops at decision node {node}")
    score = OUTCOME_SCORES[key.outcome[node]]
    return min(score, OUTCOME_SCORES["partial"]) if erred else score


def score(key: Key, response: Any, start: int = 0) -> float:
    """The score of ``response`` in [0, 1]; 1 means correct (the engine counts only that as right).

    ``start`` is the scenario's start node (from its view). Raises :class:`ResponseError` when the
    response has the wrong shape."""
    if isinstance(key, TrueFalseKey):
        if not isinstance(response, bool):
            raise ResponseError("expected true or false")
        return 1.0 if response is key.answer else 0.0
    if isinstance(key, ChoiceKey):
        return 1.0 if set(_positions(response, len(key.feedback))) == set(key.correct) else 0.0
    if isinstance(key, FillInKey):
        if not isinstance(response, str):
            raise ResponseError("expected a text")
        given = normalise_answer(response)
        return 1.0 if any(normalise_answer(a) == given for a in key.answers) else 0.0
    if isinstance(key, NumericKey):
        if isinstance(response, bool) or not isinstance(response, (int, float)) or response != response:
            raise ResponseError("expected a number")
        try:
            value = float(response)
        except OverflowError:  # an integer beyond any double: as far from the answer as JS's Infinity
            return 0.0
        return 1.0 if abs(value - key.answer) <= key.tolerance else 0.0
    if isinstance(key, MatchingKey):
        chosen = _positions(response, len(key.pairs))
        return 1.0 if chosen == list(key.pairs) else 0.0
    if isinstance(key, SequencingKey):
        return 1.0 if _positions(response, len(key.order)) == list(key.order) else 0.0
    if isinstance(key, ScenarioKey):
        return scenario_path_score(key, start, response)
    raise TypeError(f"no scoring for {type(key).__name__}")
