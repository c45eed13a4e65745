"""Python ≡ JavaScript scoring: scoring.py and its twin scoring.js agree on every key and response.

Hypothesis generates thousands of (item type, key, response) cases — malformed responses, tricky
text, numeric boundaries, random scenario graphs, odd positions; Python scores each one here (a
score, or ``ResponseError``), all cases go to one JSON file, node runs scoring.js once over it
through a small driver, and the results are compared, IEEE-754 bits included. The fill-in
normalisation is also compared string for string, on every generated text and on every code point
Python's Unicode database knows, alone and in the contexts where NFC and lower-casing look around.

How a response crosses to JavaScript (:func:`wire`): JavaScript has one number type, so an int
arrives as the nearest double (what a browser holds) and an integral float such as ``1.0`` would
arrive as the integer ``1``, which Python rejects as a position and JavaScript cannot tell apart
(a browser's ``JSON.stringify`` never sends ``1.0`` either). So floats travel as their bits, which
keeps NaN, the infinities and -0.0, and floats drawn *inside position lists* are never integral.
Numeric responses stay within the float range: a larger int overflows Python's int → float
conversion (``OverflowError``), where JSON gives JavaScript an infinity.

Text is drawn from the characters assigned in Python's Unicode database (``unicodedata``): the
JavaScript runtime's Unicode is usually newer, and characters one side does not know yet are
normalised and lower-cased differently; on the characters both know, the twins agree.
"""
from __future__ import annotations

import json
import math
import shutil
import struct
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from comptoir.present import (OUTCOME_SCORES, ChoiceKey, FillInKey, MatchingKey, NumericKey, ScenarioKey,
                              SequencingKey, TrueFalseKey, to_data)
from comptoir.scoring import WHITESPACE, ResponseError, normalise_answer, scenario_path_score, score

SCORING_JS = Path(__file__).resolve().parents[1] / "comptoir" / "scoring.js"
N_CASES = 5000
ERROR = "ResponseError"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: no JavaScript to compare")

DRIVER = """
import { readFileSync } from "node:fs";
import * as S from "%s";

function bits(x) {
  const b = new Uint8Array(new Float64Array([x]).buffer);
  return Array.from(b, (v) => v.toString(16).padStart(2, "0")).join("");
}
function decode(v) {  // the inverse of wire() in the test
  if (Array.isArray(v)) return v.map(decode);
  if (v === null || typeof v !== "object") return v;
  if ("float" in v) {
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 8; i++) view.setUint8(i, parseInt(v.float.slice(2 * i, 2 * i + 2), 16));
    return view.getFloat64(0);
  }
  return Object.fromEntries(Object.entries(v.dict).map(([k, x]) => [k, decode(x)]));
}
function result(f) {
  try {
    const value = f();
    return typeof value === "number" ? bits(value) : `not a number: ${value}`;
  } catch (e) {
    return e instanceof S.ResponseError ? "ResponseError" : `${e.name}: ${e.message}`;
  }
}
const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = { whitespace: S.WHITESPACE };
if (input.cases) {
  out.cases = input.cases.map(({ type, key, response, start, texts }) => {
    const given = decode(response);
    const row = {
      score: result(() => (start === undefined ? S.score(type, key, given) : S.score(type, key, given, start))),
      normalised: texts.map(S.normaliseAnswer),
    };
    if (type === "scenario") row.path = result(() => S.scenarioPathScore(key, start ?? 0, given));
    return row;
  });
}
if (input.chars) {  // every code point in every context: only the disagreements come back
  out.mismatches = [];
  input.chars.forEach((ch, i) => input.contexts.forEach(([before, after], k) => {
    const js = S.normaliseAnswer(before + ch + after);
    if (js !== input.expected[i][k]) out.mismatches.push([ch.codePointAt(0), k, js]);
  }));
}
process.stdout.write(JSON.stringify(out));
"""


def run_node(tmp_path: Path, payload: dict[str, Any]) -> dict[str, Any]:
    (tmp_path / "cases.json").write_text(json.dumps(payload))
    (tmp_path / "driver.mjs").write_text(DRIVER % SCORING_JS.as_uri())
    done = subprocess.run(["node", str(tmp_path / "driver.mjs"), str(tmp_path / "cases.json")],
                          capture_output=True, text=True, check=True)
    out = json.loads(done.stdout)
    assert out["whitespace"] == WHITESPACE
    return out


def bits(x: float) -> str:
    return struct.pack("<d", x).hex()


def wire(value: Any) -> Any:
    """JSON that ``decode`` in the driver turns into the same value in JavaScript: floats as their
    big-endian bits, objects tagged so that a float never passes for a dict."""
    if isinstance(value, float):
        return {"float": struct.pack(">d", value).hex()}
    if isinstance(value, dict):
        return {"dict": {k: wire(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return [wire(v) for v in value]
    return value  # None, bool, int, str


def python_result(f: Any) -> str:
    try:
        value = f()
    except ResponseError:
        return ERROR
    assert isinstance(value, float)
    return bits(value)


# --- text ------------------------------------------------------------------------------------

TRICKY = (
    "e\u0301", "é", "E\u0301", "o\u0308", "ö", "\u212b", "Å", "\u2126", "\u212a", "ﬁ", "ǅ", "Ⅻ", "ǰ",
    "'", "\u2019", "\u2018", "\u02bc", "\u00b4", "`", "l’écoute", "L'ÉCOUTE",
    " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u202f", "\u2009", "\u3000", "\ufeff", "\u1680", "\u2028",
    "\u200b", "\u0085", "\u180e", "\u001c",  # not in WHITESPACE (\x1c, \x85 are in Python's \s)
    "İ", "i", "I", "ı", "i\u0307", "ß", "ẞ", "SS", "ss",
    "Σ", "σ", "ς", "ΟΔΟΣ", "ὈΔΥΣΣΕΎΣ", "Σ.", "ΑΣ'Β", "\u0345",
    "\u0295", "AΣ\u0295", "\u0295Σ", "\U0001171e", "AΣ\U0001171eB",  # their Cased, Case_Ignorable changed after 14
    "😀", "👍🏽", "🇫🇷", "👩\u200d💻", "\U0001d400", "a", "Z", "1", "-",
)
# every character Python's Unicode database has assigned, surrogates aside
assigned = st.characters(exclude_categories=("Cs", "Cn"))
piece = st.one_of(st.sampled_from(TRICKY), st.sampled_from(TRICKY), assigned, st.text(assigned, max_size=4))
texts = st.lists(piece, max_size=8).map("".join)


@st.composite
def variant(draw: Any, text: str) -> str:
    """``text`` as a learner might type it: other case, decomposed, other apostrophes and spaces."""
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.sampled_from(("upper", "lower", "swapcase", "title", "nfd", "nfc", "apostrophe",
                                    "spaces", "pad", "edit")))
        if how in ("upper", "lower", "swapcase", "title"):
            text = getattr(text, how)()
        elif how in ("nfd", "nfc"):
            text = unicodedata.normalize(how.upper(), text)
        elif how == "apostrophe":
            text = text.replace("'", draw(st.sampled_from(("\u2019", "\u02bc", "\u00b4", "`"))))
        elif how == "spaces":
            text = text.replace(" ", draw(st.sampled_from((" \t ", "\u00a0", "\u3000\u2002", "\u200b", "\n"))))
        elif how == "pad":
            text = draw(st.sampled_from(("", " ", "\t", "\u00a0 "))) + text + draw(st.sampled_from(("", " ", "\n")))
        elif text:
            i = draw(st.integers(0, len(text) - 1))
            text = text[:i] + draw(piece) + text[i + 1:]
    return text


# --- responses that do not fit ---------------------------------------------------------------

# floats that stay floats in JavaScript (see the module docstring); NaN and the infinities included
odd_floats = st.floats().filter(lambda x: not (math.isfinite(x) and x.is_integer()))
small_ints = st.integers(-3, 12)
big_ints = st.one_of(st.integers(-(2 ** 2000), 2 ** 2000),
                     st.sampled_from((2 ** 30 - 1, 2 ** 30, 2 ** 53, 2 ** 53 + 1, 2 ** 63, -(2 ** 31))))
leaf = st.one_of(st.none(), st.booleans(), small_ints, big_ints, odd_floats, st.text(max_size=3))
# an element of a position list that is not a position
bad_position = st.one_of(leaf, st.lists(small_ints, max_size=2), st.dictionaries(st.text(max_size=2), small_ints,
                                                                                  max_size=1))
junk = st.one_of(st.none(), st.booleans(), small_ints, big_ints, st.floats(), texts,
                 st.dictionaries(st.text(max_size=3), leaf, max_size=2),
                 st.lists(leaf, max_size=4), st.lists(st.lists(small_ints, max_size=2), max_size=2))


@st.composite
def spoilt(draw: Any, positions: list[int], count: int) -> Any:
    """A position list made wrong: an element out of range or not a position, one too many or few."""
    positions = list(positions)
    how = draw(st.sampled_from(("out", "bad", "extra", "drop", "swap", "bool")))
    if how == "out":
        out = draw(st.one_of(st.integers(count, count + 3), st.integers(-3, -1), big_ints))
        positions.insert(draw(st.integers(0, len(positions))), out)
    elif how == "bad":
        positions.insert(draw(st.integers(0, len(positions))), draw(bad_position))
    elif how == "bool" and positions:  # True/False where a 1/0 would do
        i = draw(st.integers(0, len(positions) - 1))
        positions[i] = draw(st.booleans())
    elif how == "extra" and count:
        positions.append(draw(st.integers(0, count - 1)))
    elif how == "drop" and positions:
        del positions[draw(st.integers(0, len(positions) - 1))]
    elif how == "swap" and len(positions) > 1:
        i, j = draw(st.lists(st.integers(0, len(positions) - 1), min_size=2, max_size=2, unique=True))
        positions[i], positions[j] = positions[j], positions[i]
    return positions


def either(*options: Any) -> Any:
    """One of ``options``, each as likely (``st.one_of`` flattens nested choices, so ``junk`` with its
    many branches would crowd out the responses that fit)."""
    return st.sampled_from(options).flatmap(lambda option: option)


def texts_of(n: int) -> Any:
    return st.lists(st.text(max_size=5), min_size=n, max_size=n).map(tuple)


# --- cases per item type ---------------------------------------------------------------------

@st.composite
def true_false(draw: Any) -> tuple[str, Any, Any, int | None]:
    key = TrueFalseKey(draw(st.booleans()), {"true": draw(st.text(max_size=5)), "false": ""}, "")
    response = draw(either(st.booleans(), st.booleans(), st.sampled_from((0, 1, 0.5, "true", None, [True])), junk))
    return "true-false", key, response, None


@st.composite
def choice(draw: Any) -> tuple[str, Any, Any, int | None]:
    n = draw(st.integers(1, 6))
    kind = draw(st.sampled_from(("single", "multiple")))
    if kind == "single":
        correct = (draw(st.integers(0, n - 1)),)
    else:
        correct = tuple(sorted(draw(st.sets(st.integers(0, n - 1)))))
    key = ChoiceKey(correct, draw(texts_of(n)), "")
    right = list(correct) + draw(st.lists(st.sampled_from(correct), max_size=2)) if correct else []
    response = draw(either(
        st.permutations(right), st.lists(st.integers(0, n - 1), max_size=n + 1),
        spoilt(right, n), spoilt(draw(st.lists(st.integers(0, n - 1), max_size=n)), n), junk))
    return kind, key, list(response) if isinstance(response, tuple) else response, None


@st.composite
def fill_in(draw: Any) -> tuple[str, Any, Any, int | None]:
    answers = tuple(draw(st.lists(texts, min_size=1, max_size=3)))
    key = FillInKey(answers, {"correct": "", "incorrect": ""}, "")
    response = draw(either(variant(draw(st.sampled_from(answers))), variant(draw(texts)), texts, junk))
    return "fill-in", key, response, None


@st.composite
def numeric(draw: Any) -> tuple[str, Any, Any, int | None]:
    answer = draw(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-200, 200).map(float),
                            st.sampled_from((80.0, -0.0, 0.1, 5e-324, 1e308, -1e308))))
    tolerance = draw(st.one_of(st.just(0.0), st.floats(0, 10), st.floats(0, allow_infinity=False),
                               st.sampled_from((0.5, 2.0, 0.1, 5e-324))))
    key = NumericKey(answer, tolerance, {"correct": "", "incorrect": ""}, "")
    edge = draw(st.sampled_from((answer + tolerance, answer - tolerance, tolerance - answer, answer)))
    near = draw(st.sampled_from((edge, math.nextafter(edge, math.inf), math.nextafter(edge, -math.inf))))
    as_int = [int(near)] if math.isfinite(near) and abs(near) < 2 ** 1023 else []
    response = draw(either(
        st.just(near), st.sampled_from([near, -near] + as_int), st.floats(),
        st.sampled_from((math.inf, -math.inf, math.nan, -0.0, 2 ** 53 + 1, -(2 ** 1023), 10 ** 300)),
        st.integers(-(2 ** 64), 2 ** 64), junk.filter(lambda r: not isinstance(r, int) or abs(r) < 2 ** 1023)))
    return "numeric", key, response, None


@st.composite
def ordering(draw: Any) -> tuple[str, Any, Any, int | None]:
    n = draw(st.integers(1, 6))
    order = tuple(draw(st.permutations(range(n))))
    kind = draw(st.sampled_from(("matching", "sequencing")))
    fb = {"correct": "", "incorrect": ""}
    key = MatchingKey(order, fb, "") if kind == "matching" else SequencingKey(order, fb, "")
    response = draw(either(st.just(list(order)), st.permutations(range(n)).map(list), spoilt(list(order), n),
                           st.lists(st.integers(0, n - 1), max_size=n + 1), junk))
    return kind, key, response, None


@st.composite
def scenario(draw: Any) -> tuple[str, Any, Any, int | None]:
    """A random acyclic graph: node t only leads to later nodes, the last node is an end, every end
    node has an outcome; nodes are then shown in a shuffled order, as positions."""
    n = draw(st.integers(1, 8))
    ends = [t == n - 1 or draw(st.integers(0, 2)) == 0 for t in range(n)]
    leads = [[] if ends[t] else draw(st.lists(st.integers(t + 1, n - 1), min_size=1, max_size=4)) for t in range(n)]
    outcome = [draw(st.sampled_from(sorted(OUTCOME_SCORES))) if ends[t] else None for t in range(n)]
    value: dict[int, tuple[float, int]] = {}  # best reachable score, fewest moves (as present.outcome_scores)
    for t in reversed(range(n)):
        if ends[t]:
            value[t] = (OUTCOME_SCORES[outcome[t]], 0)
        else:
            best, moves = max((value[c][0], -value[c][1]) for c in leads[t])
            value[t] = (best, 1 - moves)
    shown = draw(st.permutations(range(n)))  # graph node -> position
    node_at = {p: t for t, p in enumerate(shown)}
    ts = [node_at[p] for p in range(n)]
    key = ScenarioKey(
        next=tuple(tuple(shown[c] for c in leads[t]) for t in ts),
        outcome=tuple(outcome[t] for t in ts),
        feedback=tuple(draw(texts_of(len(leads[t]))) for t in ts),
        best=tuple(tuple(value[c] == (value[t][0], value[t][1] - 1) for c in leads[t]) for t in ts),
        reach=tuple(tuple(value[c][0] for c in leads[t]) for t in ts),
        explanation="",
        # moves marked as mistakes (a walk through one scores at most partial), or none at all
        mistake=tuple(tuple(draw(st.booleans()) for _ in leads[t]) for t in ts) if draw(st.booleans()) else ())
    start = shown[0] if draw(st.booleans()) else draw(st.integers(0, n - 1))
    walk, node = [], start
    while key.next[node]:
        step = draw(st.integers(0, len(key.next[node]) - 1))
        walk.append(step)
        node = key.next[node][step]
    how = draw(st.sampled_from(("walk", "walk", "short", "long", "missing", "spoilt", "junk")))
    if how == "short" and walk:  # stops at a decision node
        walk = walk[:draw(st.integers(0, len(walk) - 1))]
    elif how == "long":  # goes on past the end node
        walk = walk + draw(st.lists(st.integers(0, 3), min_size=1, max_size=2))
    elif how == "missing" and walk:  # a choice the node does not have
        i = draw(st.integers(0, len(walk) - 1))
        walk[i] = draw(st.sampled_from((4, 5, 2 ** 30 - 1, 2 ** 30)))
    response = spoilt(walk, 1 << 30) if how == "spoilt" else junk if how == "junk" else st.just(walk)
    return "scenario", key, draw(response), None if start == 0 and draw(st.booleans()) else start


cases = either(true_false(), choice(), fill_in(), numeric(), ordering(), scenario())


def test_python_and_javascript_scoring_agree(tmp_path: Path) -> None:
    collected: list[tuple[dict[str, Any], dict[str, Any], Any]] = []

    @settings(max_examples=N_CASES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(cases)
    def collect(case: tuple[str, Any, Any, int | None]) -> None:
        kind, key, response, start = case
        row: dict[str, Any] = {"type": kind, "key": to_data(key), "response": wire(response)}
        args = (key, response) if start is None else (key, response, start)
        if start is not None:
            row["start"] = start
        text = [*key.answers, *([response] if isinstance(response, str) else [])] if kind == "fill-in" else []
        row["texts"] = text
        expected = {"score": python_result(lambda: score(*args)), "normalised": [normalise_answer(t) for t in text]}
        if kind == "scenario":
            expected["path"] = python_result(lambda: scenario_path_score(key, start or 0, response))
        collected.append((row, expected, response))

    collect()
    assert len(collected) >= 3000
    js = run_node(tmp_path, {"cases": [row for row, _, _ in collected]})["cases"]
    assert len(js) == len(collected)
    seen: dict[str, set[str]] = {}
    for (row, expected, response), got in zip(collected, js):
        assert got == expected, f"scoring differs on {row['type']} key {row['key']} response {response!r}"
        seen.setdefault(row["type"], set()).add(expected["score"])
    # every item type was scored right, wrong and refused (and scenarios half right)
    right, wrong, half = bits(1.0), bits(0.0), bits(0.5)
    for kind in ("true-false", "single", "multiple", "fill-in", "numeric", "matching", "sequencing", "scenario"):
        assert {right, wrong, ERROR} <= seen.get(kind, set()), f"{kind}: too few kinds of result {seen.get(kind)}"
    assert half in seen["scenario"]


# --- every code point --------------------------------------------------------------------------

# where NFC and lower-casing look at neighbours: a sigma before or after (final sigma: Cased and
# Case_Ignorable), a base letter before (composition), a combining mark after (composition,
# canonical reordering by combining class)
CONTEXTS = (("", ""), ("AΣ", ""), ("AΣ", "B"), ("", "Σ"), ("e", ""), ("", "\u0301"), ("a", "\u0316"),
            ("a", "\u0334"), ("a\u0301", ""))


def test_every_known_code_point_normalises_alike(tmp_path: Path) -> None:
    chars = [chr(c) for c in range(sys.maxunicode + 1)
             if unicodedata.category(chr(c)) not in ("Cn", "Cs", "Co")]  # private use: no mappings at all
    expected = [[normalise_answer(before + ch + after) for before, after in CONTEXTS] for ch in chars]
    out = run_node(tmp_path, {"chars": chars, "contexts": CONTEXTS, "expected": expected})
    mismatches = [(f"U+{cp:04X} {unicodedata.name(chr(cp), '?')}", CONTEXTS[k], js)
                  for cp, k, js in out["mismatches"]]
    assert not mismatches, f"{len(mismatches)} disagreements (Unicode {unicodedata.unidata_version} in Python): " \
                           f"{mismatches[:20]}"
