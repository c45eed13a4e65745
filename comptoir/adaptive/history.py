"""BKT with forgetting whose parameters follow the learner's history (`calibrate --model history`).

Two things the ability model (ability.py) leaves out, both read from answers the learner gave
*before* the one predicted:

- **Which earlier competencies are related.** The class of a sequence (one learner, one
  competency) is the learner's accuracy on the competencies answered before it, each weighted by
  how related it is to this one: the correlation, over the training learners who answered both
  (at least `MIN_COMMON`), between a learner's share of right answers on the one and on the
  other, raised to `POWER` (negative correlations weigh nothing). A learner with no earlier
  answer is `new`; one whose earlier competencies are all unrelated falls back to their plain
  earlier accuracy (the ability model's rule). The weighted accuracy is cut at `THRESHOLDS`.
- **The streak.** Within a sequence, each answer is also placed in a *streak band*: how many
  identical answers (all right or all wrong) came just before it in this sequence — `first`
  (none: the sequence's first answer), 1–2, 3–4, 5–9, 10–19, 20 or more (`STREAKS`). A learner
  who has answered the same way many times running is in a settled phase, where a 2-state BKT
  with one guess and slip per competency is too noisy; a row per band lets guess, slip, learn
  and forget differ there.

Every BKT parameter is fitted per (competency, class, streak band), by calibrate.py's EM on a
table with one row per triple (the row of an answer is a function of earlier answers only, so
the forward-backward pass is still exact), each row pulled towards its competency's pooled
values by `SHRINK` pseudo-opportunities (`calibrate.Tying`). The prior only applies at a
sequence's first answer, hence only in the `first` band. Nothing comes from the answer
predicted or a later one (tested); the correlations are parameters, fitted on the training
learners and written into the document with the rest.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from .ability import class_names
from .calibrate import (NAMES, Sequences, Tying, _iterate, _starts, build_sequences, known_sequences, predicted,
                        split_rows)
from .data import Response

#: Related-accuracy cut points between the classes (fixed, the ability model's).
THRESHOLDS = (0.6, 0.7, 0.8)
#: Streak band edges: identical answers just before, 0 (first answer) | 1–2 | 3–4 | 5–9 | 10–19 | 20+.
STREAKS = (1, 3, 5, 10, 20)
#: Relatedness = correlation ** POWER (a sharper weighting than the correlation itself).
POWER = 4
#: Learners in common below which two competencies are not related (weight 0).
MIN_COMMON = 30
#: Pseudo-opportunities at the competency's pooled rate added to every row.
SHRINK = 20.0


def streak_names(streaks: Sequence[int]) -> list[str]:
    """`first`, then one name per band, e.g. `1-2`, `3-4`, `5-9`, `10-19`, `20+`."""
    return ["first"] + [f"{a}-{b - 1}" if b - 1 > a else f"{a}" for a, b in pairwise(streaks)] \
        + [f"{streaks[-1]}+"]


def correlations(responses: Sequence[Response], skills: list[str],
                 min_common: int = MIN_COMMON) -> np.ndarray:
    """(K, K): for two competencies, the correlation across learners who answered both (at least
    `min_common` of them) of their share of right answers on each; 0 otherwise and on the
    diagonal. Rounded to 4 decimals, as written into the document."""
    index = {s: k for k, s in enumerate(skills)}
    students = {s: i for i, s in enumerate(dict.fromkeys(r.student for r in responses))}
    rows = np.fromiter((students[r.student] for r in responses), dtype=np.int64, count=len(responses))
    cols = np.fromiter((index[r.competency] for r in responses), dtype=np.int64, count=len(responses))
    right = np.fromiter((r.correct for r in responses), dtype=float, count=len(responses))
    K = len(skills)
    n = np.zeros((len(students), K))
    k = np.zeros((len(students), K))
    np.add.at(n, (rows, cols), 1.0)
    np.add.at(k, (rows, cols), right)
    have = n > 0
    acc = np.where(have, k / np.maximum(n, 1), 0.0)
    out = np.zeros((K, K))
    for a in range(K):
        both = have[:, [a]] & have                     # (students, K)
        m = both.sum(axis=0)
        x = np.where(both, acc[:, [a]], 0.0)
        z = np.where(both, acc, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            mx, mz = x.sum(axis=0) / m, z.sum(axis=0) / m
            cov = (x * z).sum(axis=0) / m - mx * mz
            vx = (x * x).sum(axis=0) / m - mx * mx
            vz = (z * z).sum(axis=0) / m - mz * mz
            r = cov / np.sqrt(vx * vz)
        ok = (m >= min_common) & (vx > 1e-12) & (vz > 1e-12) & np.isfinite(r)
        out[a] = np.where(ok, r, 0.0)
    np.fill_diagonal(out, 0.0)
    return np.round(out, 4)


def related_class(responses: Sequence[Response], skills: list[str], corr: np.ndarray,
                  thresholds: Sequence[float] = THRESHOLDS, power: float = POWER) -> np.ndarray:
    """The class of every response's sequence, from the learner's answers on *other*
    competencies before the sequence's first answer: 0 (`new`) without any, else 1 + the
    number of `thresholds` reached by the accuracy on each earlier competency weighted by
    max(corr, 0) ** power (the plain earlier accuracy when no weight is positive). A competency
    outside `skills` weighs nothing and has no related ones."""
    index = {s: k for k, s in enumerate(skills)}
    weight = np.maximum(corr, 0.0) ** power
    per_comp: dict[str, dict[int, list[int]]] = {}   # learner -> competency index -> [answers, right]
    total: dict[str, list[int]] = {}
    start: dict[tuple[str, str], int] = {}
    cuts = np.asarray(thresholds, dtype=float)
    out = np.empty(len(responses), dtype=np.int64)
    for i, r in enumerate(responses):
        key = (r.student, r.competency)
        if key not in start:
            n_all, k_all = total.get(r.student, [0, 0])
            if n_all == 0:
                start[key] = 0
            else:
                b = index.get(r.competency, -1)
                num = den = 0.0
                if b >= 0:
                    for a, (n, k) in per_comp.get(r.student, {}).items():
                        w = float(weight[b, a]) if a >= 0 else 0.0
                        num += w * k / n
                        den += w
                accuracy = num / den if den > 0.0 else k_all / n_all
                start[key] = 1 + int(np.searchsorted(cuts, accuracy, side="right"))
        out[i] = start[key]
        counts = per_comp.setdefault(r.student, {}).setdefault(index.get(r.competency, -1), [0, 0])
        counts[0] += 1
        counts[1] += r.correct
        tot = total.setdefault(r.student, [0, 0])
        tot[0] += 1
        tot[1] += r.correct
    return out


def streak_band(responses: Sequence[Response], streaks: Sequence[int] = STREAKS) -> np.ndarray:
    """Per response, the band of the number of identical answers just before it in its sequence
    (0 at the sequence's first answer)."""
    last: dict[tuple[str, str], tuple[int, int]] = {}   # sequence -> (last answer, run length)
    run = np.empty(len(responses), dtype=np.int64)
    for i, r in enumerate(responses):
        key = (r.student, r.competency)
        answer, length = last.get(key, (-1, 0))
        run[i] = length
        last[key] = (r.correct, length + 1 if r.correct == answer else 1)
    return np.searchsorted(np.asarray(streaks), run, side="right")


def fit_history(responses: Sequence[Response], restarts: int = 4, explore_iter: int = 8,
                max_iter: int = 150, tol: float = 1e-6, seed: int = 0,
                thresholds: Sequence[float] = THRESHOLDS, streaks: Sequence[int] = STREAKS,
                power: float = POWER, min_common: int = MIN_COMMON,
                shrink: float = SHRINK) -> dict[str, Any]:
    """Fit by the tied EM (calibrate's options; the others as in the module's constants)."""
    C, S = len(thresholds) + 2, len(streaks) + 1
    seqs = build_sequences(responses)
    K = len(seqs.skills)
    corr = correlations(responses, seqs.skills, min_common)
    row = related_class(responses, seqs.skills, corr, thresholds, power) * S + streak_band(responses, streaks)
    seqs = split_rows(seqs, row, C * S)
    tying = Tying(np.repeat(np.arange(K), C * S), (), shrink)
    params = np.repeat(_starts(K, restarts, True, seed), C * S, axis=1)
    params, ll, _, iterations = _iterate(seqs, params, True, explore_iter, max_iter, tol, tying=tying)
    doc = _document(seqs, params[0].reshape(K, C, S, len(NAMES)), corr)
    doc.update({"restarts": restarts, "iterations": iterations, "log_likelihood": float(ll.sum())})
    doc["history"].update({"thresholds": list(thresholds), "classes": class_names(thresholds),
                           "streaks": list(streaks), "streak_bands": streak_names(streaks),
                           "power": power, "min_common": min_common, "shrink": shrink})
    return doc


def _document(seqs: Sequences, table: np.ndarray, corr: np.ndarray) -> dict[str, Any]:
    """The params.json document. `skills` and `default` hold what a reader that knows no class
    or band (the engine, `calibrate`'s report) can use: per competency, the prior of its
    first-answer rows averaged over classes by sequences, the other parameters averaged over
    every row by answers. `history.skills` holds per competency and parameter a [class][band]
    table and the answers of each row (`answers`), `history.default` the same table for a
    competency the fit never saw (each row averaged over the competencies by answers; a row no
    answer reached, plain mean), `history.related` the positive correlations."""
    K, C, S, _ = table.shape
    answers = np.bincount(seqs.skill, minlength=K * C * S).reshape(K, C, S).astype(float)
    sequences = np.bincount(seqs.seq_skill, minlength=K * C * S).reshape(K, C, S)[:, :, 0]
    w_ans = answers.reshape(K, -1) / np.maximum(answers.reshape(K, -1).sum(axis=1, keepdims=True), 1)
    marginal = np.einsum("kr,krj->kj", w_ans, table.reshape(K, C * S, -1))
    w_seq = sequences / np.maximum(sequences.sum(axis=1, keepdims=True), 1)
    marginal[:, 0] = np.einsum("kc,kc->k", w_seq, table[:, :, 0, 0])
    mass = answers.sum(axis=(1, 2))
    mass = mass / mass.sum()
    in_row = answers.sum(axis=0)                                           # (C, S)
    per_row = np.where(in_row > 0, answers / np.maximum(in_row, 1), 1.0 / K)
    unseen = np.einsum("kcs,kcsj->csj", per_row, table)
    related = {s: {seqs.skills[a]: float(corr[k, a]) for a in np.flatnonzero(corr[k] > 0)}
               for k, s in enumerate(seqs.skills)}
    return {"format": "comptoir-bkt-params/1", "model": "history",
            "default": {n: float(mass @ marginal[:, j]) for j, n in enumerate(NAMES)},
            "skills": {s: {**{n: float(marginal[k, j]) for j, n in enumerate(NAMES)},
                           "n": int(answers[k].sum())} for k, s in enumerate(seqs.skills)},
            "history": {"default": {n: unseen[:, :, j].tolist() for j, n in enumerate(NAMES)},
                        "skills": {s: {**{n: table[k, :, :, j].tolist() for j, n in enumerate(NAMES)},
                                       "answers": answers[k].astype(int).tolist()}
                                   for k, s in enumerate(seqs.skills)},
                        "related": related}}


def predict_history(doc: dict[str, Any], responses: Sequence[Response]) -> np.ndarray:
    """P(correct) for every response, before it is seen; class and band from earlier answers."""
    h = doc["history"]
    thresholds, streaks = h["thresholds"], h["streaks"]
    C, S = len(thresholds) + 2, len(streaks) + 1
    skills = list(doc["skills"])
    index = {s: k for k, s in enumerate(skills)}
    corr = np.zeros((len(skills), len(skills)))
    for s, others in h["related"].items():
        for o, r in others.items():
            corr[index[s], index[o]] = r
    rows = [h["skills"][s] for s in skills] + [h["default"]]
    table = np.array([[row[n] for n in NAMES] for row in rows])            # (K+1, 5, C, S)
    table = table.transpose(0, 2, 3, 1).reshape(-1, len(NAMES))
    row = related_class(responses, skills, corr, thresholds, h["power"]) * S + streak_band(responses, streaks)
    return predicted(split_rows(known_sequences(responses, skills), row, C * S), table)
