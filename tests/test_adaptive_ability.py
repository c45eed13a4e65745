"""The ability model (`calibrate --model ability`): recovery of class-specific parameters on
simulated learners, no leakage from later answers, the CLI, and the older models unchanged; the
history model (`--model history`): its classes, bands and correlations against hand counts, no
leakage, its document and CLI."""
from __future__ import annotations

import json
import random
from pathlib import Path
from statistics import correlation

import pytest

np = pytest.importorskip("numpy")

from comptoir.adaptive.ability import ability_class, class_names, earlier_record  # noqa: E402
from comptoir.adaptive.calibrate import cross_validate, fit, predict  # noqa: E402
from comptoir.adaptive.history import correlations, related_class, streak_band, streak_names  # noqa: E402
from comptoir.adaptive.data import Response  # noqa: E402
from comptoir.commands import adaptive as commands  # noqa: E402

from .test_adaptive_calibrate import synthetic  # noqa: E402

THRESHOLD = (0.5,)                   # classes: new, <0.5, >=0.5
PRIOR = {0: 0.5, 1: 0.15, 2: 0.8}    # per class, the same for every competency
LEARN, GUESS, SLIP = 0.1, 0.15, 0.1


def ability_learners(n_students: int, seed: int, competencies: int = 4,
                     length: int = 6) -> list[Response]:
    """Learners answering competency after competency, each sequence's prior drawn from its class
    computed online by the model's own rule (earlier accuracy against `THRESHOLD`): the data the
    ability model describes exactly, so its fit must find `PRIOR` again."""
    rng = random.Random(seed)
    out: list[Response] = []
    for s in range(n_students):
        answered = right = 0
        for k in range(competencies):
            cls = 0 if answered == 0 else 1 + int(right / answered >= THRESHOLD[0])
            known = rng.random() < PRIOR[cls]
            for _ in range(length):
                correct = rng.random() >= SLIP if known else rng.random() < GUESS
                out.append(Response(f"s{s}", f"k{k}", int(correct)))
                answered, right = answered + 1, right + int(correct)
                known = known or rng.random() < LEARN
    return out


def test_classes_follow_the_stated_rule() -> None:
    data = [Response("a", "x", 1), Response("a", "x", 0), Response("a", "y", 0),
            Response("a", "z", 1), Response("b", "y", 1)]
    assert earlier_record(data)[0].tolist() == [0, 0, 2, 3, 0]
    # a: x is new; y after 1/2 right (0.5 -> >=0.5); z after 1/3 (<0.5); b's first is new
    assert ability_class(data, THRESHOLD).tolist() == [0, 0, 2, 1, 0]
    assert class_names((0.6, 0.7, 0.8)) == ["new", "<0.6", "0.6-0.7", "0.7-0.8", ">=0.8"]


def test_recovers_class_specific_priors_from_simulated_learners() -> None:
    """2,000 learners, default shrinkage. Tolerances from seeds 1–5: worst prior error 0.068 (a
    class of 585 sequences; most under 0.03) → 0.08; worst learn error 0.028 → 0.04; guess and
    slip (averaged over classes) within 0.004 → 0.02."""
    doc = fit(ability_learners(2000, seed=1), "ability", restarts=2, thresholds=THRESHOLD)
    ability = doc["ability"]
    assert ability["classes"] == ["new", "<0.5", ">=0.5"]
    for k, values in ability["skills"].items():
        present = [c for c in range(3) if values["sequences"][c] >= 300]
        assert (k == "k0") == (present == [0])   # only a first competency is "new"
        for c in present:
            assert values["prior"][c] == pytest.approx(PRIOR[c], abs=0.08), (k, c)
            assert values["learn"][c] == pytest.approx(LEARN, abs=0.04), (k, c)
    for name, want in (("guess", GUESS), ("slip", SLIP)):
        assert doc["default"][name] == pytest.approx(want, abs=0.02)


def _flip_s7_from_answer_8(doc, data):
    """Predictions before and after learner s7's answers are flipped from their 9th on, checking
    that no earlier prediction and no other learner's changed (predictions only look back)."""
    base = predict(doc, data)
    mine = [j for j, r in enumerate(data) if r.student == "s7"]
    i = mine[8]
    flipped = [Response(r.student, r.competency, 1 - r.correct) if j >= i and r.student == "s7" else r
               for j, r in enumerate(data)]
    again = predict(doc, flipped)
    assert np.array_equal(again[: i + 1], base[: i + 1])
    others = [j for j, r in enumerate(data) if r.student != "s7"]
    assert np.array_equal(again[others], base[others])
    return base, again, mine, i


def test_prediction_never_uses_later_answers() -> None:
    """Flip every answer of one learner from answer i on: the predictions up to i (i itself
    included) are unchanged, and a later sequence's first prediction does change (its class
    moved), so the test can see a leak."""
    data = ability_learners(300, seed=2)
    doc = fit(data, "ability", restarts=1, max_iter=20, thresholds=THRESHOLD)
    base, again, mine, i = _flip_s7_from_answer_8(doc, data)  # third answer of the second sequence
    next_start = mine[12]                        # first answer of the third sequence
    assert again[next_start] != base[next_start]


def test_cross_validation_beats_the_forgetting_model_on_learners_who_differ() -> None:
    data = ability_learners(600, seed=3)
    options = {"folds": 3, "restarts": 1, "max_iter": 30}
    ability = cross_validate(data, "ability", thresholds=THRESHOLD, **options)
    forgetting = cross_validate(data, "forgetting", **options)
    assert ability["auc"] > forgetting["auc"] + 0.01
    assert ability["log_loss"] < forgetting["log_loss"]


def test_engine_sees_per_competency_values_and_unknown_competencies_fall_back() -> None:
    doc = fit(ability_learners(200, seed=4), "ability", restarts=1, max_iter=10, thresholds=THRESHOLD)
    for values in doc["skills"].values():          # what `learner_model.calibration` reads
        assert all(0.0 <= values[n] <= 1.0 for n in ("prior", "learn", "forget", "guess", "slip"))
    p = predict(doc, [Response("z", "never-seen", 1), Response("z", "never-seen", 0),
                      Response("z", "also-new", 1)])
    assert np.all(np.isfinite(p)) and p[0] != p[2]  # new class, then a class from 1/2 right


# The standard and forgetting models as fitted before the ability model existed (main at
# a365ecd); the tied EM must leave them bit for bit the same.
PINNED = {"standard": (-2138.2062408417733, 10, 0.2169769821998116, 681.9638660091625),
          "forgetting": (-2138.26929803817, 25, 0.21669133226042248, 681.627458483172)}


@pytest.mark.parametrize("model", sorted(PINNED))
def test_existing_models_unchanged(model: str) -> None:
    doc = fit(synthetic(200, seed=7), model, restarts=2, max_iter=40)
    ll, iterations, prior, total = PINNED[model]
    assert (doc["log_likelihood"], doc["iterations"], doc["skills"]["k1"]["prior"]) == (ll, iterations, prior)
    assert float(predict(doc, synthetic(50, seed=8)).sum()) == total


def calibrate_cli(tmp_path: Path, model: str) -> tuple[dict, Path, Path]:
    """`comptoir calibrate --model MODEL` on 150 simulated learners: (document, data file, document file)."""
    data = tmp_path / "log.csv"
    data.write_text("".join(f"{r.student},{r.competency},{r.correct}\n" for r in ability_learners(150, seed=5)))
    out = tmp_path / "params.json"
    assert commands.main(["calibrate", "--data", str(data), "--format", "csv", "--model", model,
                          "--restarts", "1", "--max-iter", "10", "--out", str(out)]) == 0
    return json.loads(out.read_text()), data, out


def test_cli_calibrate_and_evaluate_ability(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc, data, out = calibrate_cli(tmp_path, "ability")
    assert doc["model"] == "ability" and doc["ability"]["thresholds"] == [0.6, 0.7, 0.8]
    capsys.readouterr()
    assert commands.main(["evaluate", "--params", str(out), "--data", str(data), "--format", "csv"]) == 0
    assert 0.5 < json.loads(capsys.readouterr().out)["auc"] <= 1.0
    assert commands.main(["calibrate", "--data", str(data), "--format", "cmi5", "--model", "ability",
                          "--out", str(tmp_path / "x.json")]) == 2
    assert "--model ability fits competencies" in capsys.readouterr().err


# --- the history model (`--model history`): related-accuracy class × streak band -------------

def _hand_made() -> list[Response]:
    a = [("x", c) for c in (1, 0, 0, 0)] + [("y", 1)] * 6 + [("z", 0)]
    b = [("y", 1), ("y", 0), ("y", 1), ("x", 1)]
    return [Response("a", k, c) for k, c in a] + [Response("b", k, c) for k, c in b]


def test_history_classes_and_bands_match_a_hand_count() -> None:
    """The oracle is worked out by hand from the stated rule. z is related to x (corr 0.5 →
    weight 0.5⁴) and negatively to y (weight 0); x and y are unrelated.
    a: x first (new); y: no related earlier competency → plain earlier accuracy 1/4 → <0.6;
    z: related accuracy = x's 1/4 → <0.6, although a's plain earlier accuracy is 7/10 (0.7-0.8).
    b: y first (new); x: y unrelated → plain earlier accuracy 2/3 → 0.6-0.7."""
    skills = ["x", "y", "z"]
    corr = np.zeros((3, 3))
    corr[2, 0], corr[2, 1] = 0.5, -0.2
    data = _hand_made()
    assert related_class(data, skills, corr).tolist() == [0] * 4 + [1] * 6 + [1] + [0] * 3 + [2]
    plain = corr.copy()
    plain[2, 0] = 0.0                                 # nothing related: the ability model's rule
    assert related_class(data, skills, plain).tolist()[10] == 3
    # identical answers just before: x 1,0,0,0 → 0,1,1,2; y six 1s → 0..5; z → 0; b's y 1,0,1 → 0,1,1
    assert streak_band(data).tolist() == [0, 1, 1, 1] + [0, 1, 1, 2, 2, 3] + [0] + [0, 1, 1] + [0]
    assert streak_names((1, 3, 5, 10, 20)) == ["first", "1-2", "3-4", "5-9", "10-19", "20+"]


def test_history_correlations_match_a_plain_pearson() -> None:
    rng = random.Random(11)
    data = [Response(f"s{s}", k, int(rng.random() < 0.3 + 0.4 * (s % 3 == 0) + 0.1 * (k == "q")))
            for s in range(40) for k in ("p", "q", "r") for _ in range(rng.randint(1, 4))
            if not (k == "r" and s >= 25)]                 # r: only 25 learners in common
    acc = {}
    for r in data:
        n, k = acc.get((r.student, r.competency), (0, 0))
        acc[(r.student, r.competency)] = (n + 1, k + r.correct)
    share = {key: k / n for key, (n, k) in acc.items()}
    want = correlation([share[(f"s{s}", "p")] for s in range(40)], [share[(f"s{s}", "q")] for s in range(40)])
    got = correlations(data, ["p", "q", "r"], min_common=30)
    assert got[0, 1] == got[1, 0] == pytest.approx(round(want, 4), abs=1e-12)
    assert got[0, 2] == got[2, 1] == 0.0 and np.all(np.diag(got) == 0.0)
    assert correlations(data, ["p", "q", "r"], min_common=20)[0, 2] != 0.0


def test_history_prediction_never_uses_later_answers() -> None:
    """As for the ability model: flip a learner's answers from answer i on; nothing up to i
    moves, and the next sequence's first prediction and the next answer's band do (the test
    can see a leak)."""
    data = ability_learners(300, seed=2)
    doc = fit(data, "history", restarts=1, max_iter=20, thresholds=THRESHOLD, min_common=10)
    assert doc["model"] == "history" and doc["history"]["related"]
    base, again, mine, i = _flip_s7_from_answer_8(doc, data)
    assert again[mine[12]] != base[mine[12]] and again[i + 1] != base[i + 1]


def test_history_document_and_unknown_competencies() -> None:
    doc = fit(ability_learners(200, seed=4), "history", restarts=1, max_iter=10, thresholds=THRESHOLD)
    h = doc["history"]
    assert h["classes"] == ["new", "<0.5", ">=0.5"] and len(h["streak_bands"]) == 6
    for values in doc["skills"].values():
        assert all(0.0 <= values[n] <= 1.0 for n in ("prior", "learn", "forget", "guess", "slip"))
    k1 = h["skills"]["k1"]
    assert np.array(k1["prior"]).shape == (3, 6) and sum(map(sum, k1["answers"])) == doc["skills"]["k1"]["n"]
    p = predict(doc, [Response("z", "never-seen", 1), Response("z", "never-seen", 0),
                      Response("z", "also-new", 1)])
    assert np.all(np.isfinite(p)) and p[0] != p[2]


def test_cli_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc, data, out = calibrate_cli(tmp_path, "history")
    assert doc["model"] == "history" and doc["history"]["streaks"] == [1, 3, 5, 10, 20]
    capsys.readouterr()
    assert commands.main(["evaluate", "--params", str(out), "--data", str(data), "--format", "csv"]) == 0
    assert 0.5 < json.loads(capsys.readouterr().out)["auc"] <= 1.0
    assert commands.main(["calibrate", "--data", str(data), "--format", "xblock", "--model", "history",
                          "--out", str(tmp_path / "x.json")]) == 2
    assert "--model history fits competencies" in capsys.readouterr().err
