"""BKT with forgetting, individualised by ability class (`comptoir calibrate --model ability`).

Learners differ, and per-competency BKT gives every learner the same parameters: on ASSISTments
its worst predictions are the first answers of a sequence, where only the prior speaks. This model
sorts each sequence (one learner, one competency) into an *ability class* from what the learner
did **before** the sequence began — their share of right answers on the competencies answered
earlier — and fits every BKT parameter per (competency, class). A learner's first competency has
no earlier answers: class `new`. The others cut the earlier accuracy at fixed thresholds
(`THRESHOLDS`, written into the document).

The class is computed online, from earlier answers only: nothing leaks from the future, so the
same rule could place a learner at run time (the engine does not, yet: docs/adaptive.md). A
(competency, class) row few sequences reach would be fitted on little evidence, so each row's
values are pulled towards its competency's pooled ones by `SHRINK` pseudo-opportunities. The EM
is calibrate.py's, run on a table with one row per (competency, class) (`calibrate.Tying`).
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from .calibrate import (NAMES, Sequences, Tying, _iterate, _starts, build_sequences, known_sequences, predicted,
                        split_rows)
from .data import Response

#: Earlier accuracy cut points between the classes (fixed, not fitted; near the quartiles of the
#: ASSISTments 2009 sequences, 0.59 / 0.71 / 0.81).
THRESHOLDS = (0.6, 0.7, 0.8)
#: Parameters fitted per (competency, class); the others are pooled per competency.
PER_CLASS = NAMES
#: Pseudo-opportunities at the competency's pooled rate added to every (competency, class) row.
SHRINK = 20.0


def class_names(thresholds: Sequence[float]) -> list[str]:
    """`new`, then one name per accuracy band, e.g. `<0.6`, `0.6-0.7`, `0.7-0.8`, `>=0.8`."""
    bands = [f"<{thresholds[0]:g}"] + [f"{a:g}-{b:g}" for a, b in pairwise(thresholds)]
    return ["new"] + bands + [f">={thresholds[-1]:g}"]


def earlier_record(responses: Sequence[Response]) -> tuple[np.ndarray, np.ndarray]:
    """For every response, the learner's answers and right answers *before its sequence began*
    (the first answer of this learner on this competency): the only evidence a class may use,
    so that a prediction never depends on the answer it predicts or any later one."""
    answered: dict[str, int] = {}
    right: dict[str, int] = {}
    start: dict[tuple[str, str], tuple[int, int]] = {}
    n_before = np.empty(len(responses), dtype=np.int64)
    k_before = np.empty(len(responses), dtype=np.int64)
    for i, r in enumerate(responses):
        key = (r.student, r.competency)
        if key not in start:
            start[key] = (answered.get(r.student, 0), right.get(r.student, 0))
        n_before[i], k_before[i] = start[key]
        answered[r.student] = answered.get(r.student, 0) + 1
        right[r.student] = right.get(r.student, 0) + r.correct
    return n_before, k_before


def ability_class(responses: Sequence[Response], thresholds: Sequence[float]) -> np.ndarray:
    """The class of every response's sequence: 0 (`new`) without earlier answers, else
    1 + the number of thresholds the earlier accuracy reaches."""
    n_before, k_before = earlier_record(responses)
    accuracy = k_before / np.maximum(n_before, 1)
    banded = 1 + np.searchsorted(np.asarray(thresholds, dtype=float), accuracy, side="right")
    return np.where(n_before == 0, 0, banded)


def fit_ability(responses: Sequence[Response], restarts: int = 4, explore_iter: int = 8,
                max_iter: int = 150, tol: float = 1e-6, seed: int = 0,
                thresholds: Sequence[float] = THRESHOLDS, per_class: Sequence[str] = PER_CLASS,
                shrink: float = SHRINK) -> dict[str, Any]:
    """Fit by the tied EM (calibrate's options; `thresholds`, `per_class`, `shrink` as above)."""
    n_classes = len(thresholds) + 2
    seqs = build_sequences(responses)
    K = len(seqs.skills)
    seqs = split_rows(seqs, ability_class(responses, thresholds), n_classes)
    tying = Tying(np.repeat(np.arange(K), n_classes), tuple(n for n in NAMES if n not in per_class),
                  shrink)
    params = np.repeat(_starts(K, restarts, True, seed), n_classes, axis=1)
    params, ll, _, iterations = _iterate(seqs, params, True, explore_iter, max_iter, tol,
                                         tying=tying)
    doc = _document(seqs, params[0].reshape(K, n_classes, len(NAMES)), n_classes)
    doc.update({"restarts": restarts, "iterations": iterations, "log_likelihood": float(ll.sum())})
    doc["ability"].update({"thresholds": list(thresholds), "classes": class_names(thresholds),
                           "per_class": list(per_class), "shrink": shrink})
    return doc


def _document(seqs: Sequences, table: np.ndarray, n_classes: int) -> dict[str, Any]:
    """The params.json document. `skills` and `default` hold what a reader that knows no class
    (the engine, `calibrate`'s report) can use: each competency's values averaged over its
    classes, weighted by sequences. `ability.skills` holds, per competency and parameter, one
    value per class (per-class parameters only) and the sequences of each class;
    `ability.default` the same for a competency the fit never saw (each class's values averaged
    over the competencies by sequences; a class no sequence reached, by answers)."""
    K = len(seqs.skills)
    seq_counts = np.bincount(seqs.seq_skill, minlength=K * n_classes).reshape(K, n_classes)
    answers = np.bincount(seqs.skill, minlength=K * n_classes).reshape(K, n_classes).sum(axis=1)
    per_skill = seq_counts / np.maximum(seq_counts.sum(axis=1, keepdims=True), 1)
    marginal = np.einsum("kc,kcj->kj", per_skill, table)
    mass = answers / answers.sum()
    in_class = seq_counts.sum(axis=0, keepdims=True)
    per_class = np.where(in_class > 0, seq_counts / np.maximum(in_class, 1), mass[:, None])
    unseen = np.einsum("kc,kcj->cj", per_class, table)   # per class, averaged over competencies
    return {"format": "comptoir-bkt-params/1", "model": "ability",
            "default": {n: float(mass @ marginal[:, j]) for j, n in enumerate(NAMES)},
            "skills": {s: {**{n: float(marginal[k, j]) for j, n in enumerate(NAMES)}, "n": int(answers[k])}
                       for k, s in enumerate(seqs.skills)},
            "ability": {"default": {n: unseen[:, j].tolist() for j, n in enumerate(NAMES)},
                        "skills": {s: {**{n: table[k, :, j].tolist() for j, n in enumerate(NAMES)},
                                       "sequences": seq_counts[k].tolist()}
                                   for k, s in enumerate(seqs.skills)}}}


def predict_ability(doc: dict[str, Any], responses: Sequence[Response]) -> np.ndarray:
    """P(correct) for every response, before it is seen; its class from earlier answers only."""
    ability = doc["ability"]
    thresholds = ability["thresholds"]
    n_classes = len(thresholds) + 2
    skills = list(doc["skills"])
    rows = [ability["skills"][s] for s in skills] + [ability["default"]]
    table = np.array([[row[n] for n in NAMES] for row in rows]).transpose(0, 2, 1)  # (K, C, 5)
    seqs = split_rows(known_sequences(responses, skills), ability_class(responses, thresholds),
                       n_classes)
    return predicted(seqs, table.reshape(-1, len(NAMES)))
