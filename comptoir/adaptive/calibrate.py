"""Fit and evaluate per-competency BKT parameters by EM (numpy; `pip install comptoir[calibrate]`).

A *sequence* is one student's responses on one competency, in order, and each sequence starts
from the prior: students are never glued together. (pyBKT's preprocessed ASSISTments file uses
the response count as `user_id`, so every student with the same count becomes one long
sequence per skill; its forgetting model partly recovers by "forgetting" at each hidden student
boundary.)

The forward-backward pass runs over *all* sequences of *all* competencies and *all* restarts at
once: sequences are sorted by length, so step t touches only the n_t sequences still running,
and every step is a handful of numpy operations over an (restarts × n_t) array. Restarts: one
fixed start (prior 0.5, learn 0.1, guess 0.2, slip 0.1, forget 0.05) plus `restarts − 1` random
ones (seeded); per competency the restart with the highest log-likelihood wins. Convergence:
stop when no competency's log-likelihood improves by more than `tol` per response between two
iterations, or after `max_iter` iterations.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .data import Response

MODELS = ("standard", "forgetting")
NAMES = ("prior", "learn", "forget", "guess", "slip")
EPS = 1e-4


@dataclass
class Sequences:
    """Responses arranged time-major in flat arrays for vectorised filtering.

    Sequences are sorted by length, longest first; the `n[t]` sequences still running at step t
    occupy flat positions `offset[t] : offset[t] + n[t]`, in sequence order. `where` maps each
    flat position back to the index of the response in the original list.
    """

    skills: list[str]
    seq_skill: np.ndarray   # (N,) skill of each sequence
    lengths: np.ndarray     # (N,)
    n: np.ndarray           # (T,) sequences running at each step
    offset: np.ndarray      # (T,) flat start of each step
    obs: np.ndarray         # (M,) bool, flat
    skill: np.ndarray       # (M,) skill of each flat response
    where: np.ndarray       # (M,) original response index
    src: np.ndarray         # flat positions that have a successor in their sequence
    dst: np.ndarray         # ... and that successor


def build_sequences(responses: Sequence[Response], skills: list[str] | None = None) -> Sequences:
    """Group by (student, competency), keeping order; `skills` fixes the competency indexing."""
    skills = list(skills) if skills is not None else sorted({r.competency for r in responses})
    skill_index = {s: k for k, s in enumerate(skills)}
    groups: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(responses):
        groups.setdefault((r.student, r.competency), []).append(i)
    keys = sorted(groups, key=lambda key: -len(groups[key]))
    correct = np.fromiter((r.correct for r in responses), dtype=bool, count=len(responses))
    seq_skill = np.array([skill_index.get(k[1], -1) for k in keys], dtype=np.int64)
    lengths = np.array([len(groups[k]) for k in keys], dtype=np.int64)
    max_len = int(lengths[0]) if len(lengths) else 0
    n = np.searchsorted(-lengths, -np.arange(1, max_len + 1), side="right")
    offset = np.concatenate(([0], np.cumsum(n)[:-1])).astype(np.int64)
    # positions in sequence-major order, then scattered to their time-major flat slots
    seq_major_seq = np.repeat(np.arange(len(keys)), lengths)
    seq_major_step = np.arange(len(seq_major_seq)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    flat = offset[seq_major_step] + seq_major_seq if len(keys) else seq_major_seq
    where = np.empty(len(flat), dtype=np.int64)
    seq_of, step_of = np.empty_like(where), np.empty_like(where)
    if len(keys):
        where[flat] = np.concatenate([groups[k] for k in keys])
    seq_of[flat], step_of[flat] = seq_major_seq, seq_major_step
    src = np.flatnonzero(step_of < lengths[seq_of] - 1)
    dst = offset[step_of[src] + 1] + seq_of[src]
    return Sequences(skills, seq_skill, lengths, n, offset, correct[where], seq_skill[seq_of],
                     where, src, dst)


def _forward(seqs: Sequences, P: np.ndarray) -> tuple[np.ndarray, ...]:
    """Filtered P(L_t | o_1..t), scale factors c_t, predicted P(L_t | o_<t), emissions.

    P is (R, K, 5); every returned array is (R, M) over flat positions.
    """
    prior, learn, forget, guess, slip = (P[:, :, j] for j in range(5))
    g, s = guess[:, seqs.skill], slip[:, seqs.skill]
    e_l = np.where(seqs.obs, 1.0 - s, s)
    e_u = np.where(seqs.obs, g, 1.0 - g)
    keep, lr = 1.0 - forget[:, seqs.skill], learn[:, seqs.skill]
    alpha, scale, before = np.empty_like(e_l), np.empty_like(e_l), np.empty_like(e_l)
    pred = prior[:, seqs.seq_skill]
    for off, n in zip(seqs.offset.tolist(), seqs.n.tolist()):
        sl = slice(off, off + n)
        p_l = pred[:, :n]
        before[:, sl] = p_l
        lik_l = p_l * e_l[:, sl]
        c = lik_l + (1.0 - p_l) * e_u[:, sl]
        a = lik_l / c
        alpha[:, sl], scale[:, sl] = a, c
        pred = a * keep[:, sl] + (1.0 - a) * lr[:, sl]
    return alpha, scale, before, e_l, e_u, keep, lr


def _em_step(seqs: Sequences, params: np.ndarray, forgetting: bool) -> tuple[np.ndarray, np.ndarray]:
    """One EM iteration for every restart and skill; returns new params and log-likelihoods."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _em_step_unguarded(seqs, params, forgetting)


def _em_step_unguarded(seqs: Sequences, params: np.ndarray,
                       forgetting: bool) -> tuple[np.ndarray, np.ndarray]:
    R, K, _ = params.shape
    alpha, scale, _, e_l, e_u, keep, lr = _forward(seqs, params)
    f = 1.0 - keep
    w_l, w_u = e_l / scale, e_u / scale        # emission over scale, reused by beta and xi
    beta_l, beta_u = np.ones_like(alpha), np.ones_like(alpha)
    T = len(seqs.n)
    for t in range(T - 2, -1, -1):
        n1, off, off1 = int(seqs.n[t + 1]), int(seqs.offset[t]), int(seqs.offset[t + 1])
        nx = slice(off1, off1 + n1)
        el, eu = w_l[:, nx] * beta_l[:, nx], w_u[:, nx] * beta_u[:, nx]
        cur = slice(off, off + n1)
        b_l = keep[:, cur] * el + f[:, cur] * eu
        b_u = lr[:, cur] * el + (1.0 - lr[:, cur]) * eu
        norm = b_l + b_u                      # any per-step scale cancels in gamma and xi
        beta_l[:, cur], beta_u[:, cur] = b_l / norm, b_u / norm
    gl = alpha * beta_l
    gu = (1.0 - alpha) * beta_u
    tot = gl + gu
    gl, gu = np.nan_to_num(gl / tot, nan=0.5), np.nan_to_num(gu / tot, nan=0.5)
    src, dst = seqs.src, seqs.dst
    ap = alpha[:, src]
    el, eu = w_l[:, dst] * beta_l[:, dst], w_u[:, dst] * beta_u[:, dst]
    xi_ul = (1.0 - ap) * lr[:, src] * el
    xi_uu = (1.0 - ap) * (1.0 - lr[:, src]) * eu
    xi_lu = ap * f[:, src] * eu
    xi_ll = ap * keep[:, src] * el
    norm = xi_ul + xi_uu + xi_lu + xi_ll

    def by_skill(values: np.ndarray, skill: np.ndarray) -> np.ndarray:
        return np.stack([np.bincount(skill, values[r], minlength=K) for r in range(R)])

    sk, sk_src = seqs.skill, seqs.skill[src]
    first = slice(0, int(seqs.n[0]))
    updates = {
        "prior": by_skill(gl[:, first], seqs.seq_skill) / np.bincount(seqs.seq_skill, minlength=K),
        "learn": by_skill(xi_ul / norm, sk_src) / by_skill((xi_ul + xi_uu) / norm, sk_src),
        "forget": (by_skill(xi_lu / norm, sk_src) / by_skill((xi_lu + xi_ll) / norm, sk_src)
                   if forgetting else np.zeros((R, K))),
        "guess": by_skill(np.where(seqs.obs, gu, 0.0), sk) / by_skill(gu, sk),
        "slip": by_skill(np.where(seqs.obs, 0.0, gl), sk) / by_skill(gl, sk),
    }
    new = params.copy()
    for j, name in enumerate(NAMES):
        value = np.where(np.isfinite(updates[name]), updates[name], params[:, :, j])
        low = EPS if (name != "forget" or forgetting) else 0.0
        new[:, :, j] = np.clip(value, low, 1 - EPS)
    return new, by_skill(np.log(scale), sk)


def _starts(K: int, restarts: int, forgetting: bool, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    params = np.empty((restarts, K, 5))
    params[0] = (0.5, 0.1, 0.05, 0.2, 0.1)
    if restarts > 1:
        lo = np.array([0.05, 0.01, 0.0, 0.02, 0.02])
        hi = np.array([0.95, 0.5, 0.2, 0.4, 0.4])
        params[1:] = lo + (hi - lo) * rng.random((restarts - 1, K, 5))
    if not forgetting:
        params[:, :, 2] = 0.0
    return params


def fit(responses: Sequence[Response], model: str = "standard", restarts: int = 4,
        explore_iter: int = 8, max_iter: int = 150, tol: float = 1e-6,
        seed: int = 0) -> dict[str, Any]:
    """Fit by EM; returns the params.json document (skills → parameters, plus a default).

    All `restarts` run together for `explore_iter` iterations; per skill the best one then runs
    alone until the total log-likelihood gains less than `tol` per response in one iteration,
    or `max_iter` iterations in all.
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}")
    forgetting = model == "forgetting"
    seqs = build_sequences(responses)
    K = len(seqs.skills)
    params = _starts(K, restarts, forgetting, seed)
    iterations = 0
    for iterations in range(1, min(explore_iter, max_iter) + 1):
        params, ll = _em_step(seqs, params, forgetting)
    params = params[np.argmax(ll, axis=0), np.arange(K)][None]
    prev = -np.inf
    while iterations < max_iter:
        iterations += 1
        params, ll = _em_step(seqs, params, forgetting)
        total = float(ll.sum())
        if total - prev < tol * len(seqs.obs):
            break
        prev = total
    counts = np.bincount(seqs.seq_skill, seqs.lengths, minlength=K)
    chosen = params[0]
    skills = {s: {**{n: float(chosen[k, j]) for j, n in enumerate(NAMES)}, "n": int(counts[k])}
              for k, s in enumerate(seqs.skills)}
    weights = counts / counts.sum()
    default = {n: float(np.dot(weights, chosen[:, j])) for j, n in enumerate(NAMES)}
    return {"format": "comptoir-bkt-params/1", "model": model, "restarts": restarts,
            "iterations": iterations, "log_likelihood": float(ll.sum()),
            "default": default, "skills": skills}


def predict(doc: dict[str, Any], responses: Sequence[Response]) -> np.ndarray:
    """P(correct) for every response, each computed before that response is seen."""
    skills = list(doc["skills"])
    seqs = build_sequences(responses, skills + ["\0default"])
    table = np.array([[doc["skills"][s][n] for n in NAMES] for s in skills]
                     + [[doc["default"][n] for n in NAMES]])
    seqs.seq_skill = np.where(seqs.seq_skill < 0, len(skills), seqs.seq_skill)
    seqs.skill = np.where(seqs.skill < 0, len(skills), seqs.skill)
    _, _, before, _, _, _, _ = _forward(seqs, table[None])
    g, s = table[seqs.skill, 3], table[seqs.skill, 4]
    out = np.empty(len(seqs.where))
    out[seqs.where] = before[0] * (1.0 - s) + (1.0 - before[0]) * g
    return out


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Pooled ROC AUC by the rank-sum formula, ties given their average rank."""
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    sorted_p = p[order]
    boundaries = np.flatnonzero(np.diff(sorted_p)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(p)]))
    avg = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(avg, ends - starts)
    pos = y.astype(bool)
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """Pooled AUC (None when only one class is present), RMSE, log-loss and count."""
    q = np.clip(p, 1e-15, 1 - 1e-15)
    area = auc(y, p)
    return {"auc": area if np.isfinite(area) else None, "rmse": float(np.sqrt(np.mean((y - p) ** 2))),
            "log_loss": float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))), "n": int(len(y))}


def evaluate(doc: dict[str, Any], responses: Sequence[Response]) -> dict[str, float]:
    y = np.array([r.correct for r in responses], dtype=float)
    return metrics(y, predict(doc, responses))


def cross_validate(responses: Sequence[Response], model: str, folds: int = 5, seed: int = 0,
                   progress: Callable[[str], None] | None = None,
                   **fit_options: Any) -> dict[str, Any]:
    """Student-level k-fold CV: fit on k−1 folds of students, predict the held-out students."""
    students = sorted({r.student for r in responses})
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(students, rng.permutation(len(students)) % folds))
    y = np.array([r.correct for r in responses], dtype=float)
    pred = np.empty(len(responses))
    per_fold = []
    for f in range(folds):
        if progress:
            progress(f"fold {f + 1}/{folds}: fitting {model} on the other folds")
        test_idx = [i for i, r in enumerate(responses) if fold_of[r.student] == f]
        train = [r for r in responses if fold_of[r.student] != f]
        doc = fit(train, model, seed=seed, **fit_options)
        p = predict(doc, [responses[i] for i in test_idx])
        pred[test_idx] = p
        per_fold.append(metrics(y[test_idx], p))
    return {**metrics(y, pred), "folds": folds, "model": model, "per_fold_auc": [m["auc"] for m in per_fold]}
