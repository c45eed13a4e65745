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
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .course import BAD_GUESS, BAD_SLIP, DEFAULT_REPEAT_MEMORY, DEFAULT_SLIP, MIN_ITEM_RESPONSES
from .data import Response

MODELS = ("standard", "forgetting", "ability", "history")
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


def _forward(seqs: Sequences, P: np.ndarray,
             emit: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, ...]:
    """Filtered P(L_t | o_1..t), scale factors c_t, predicted P(L_t | o_<t), emissions.

    P is (R, K, 5); every returned array is (R, M) over flat positions. `emit`, when given, is
    the (guess, slip) of every flat position, (R, M) each — per item rather than per competency
    (`ItemTable.emissions`); otherwise each position takes its competency's.
    """
    prior, learn, forget, guess, slip = (P[:, :, j] for j in range(5))
    g, s = emit if emit is not None else (guess[:, seqs.skill], slip[:, seqs.skill])
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


@dataclass(frozen=True)
class Tying:
    """Rows of the parameter table that share some of their parameters.

    A row is usually one competency; a model can instead give a competency several rows (the
    ability model: one per class of learner) that differ in some parameters and share the others.
    Shared parameters are fitted on the pooled expected counts of their group's rows — the exact
    M-step of the tied model, so EM stays monotone — and a group picks its restart as one. With
    `shrink` > 0 a row's own parameters are MAP estimates under a Beta prior centred on the
    group's current pooled rate (a moving centre: the likelihood alone is then not guaranteed
    to rise every iteration, the stopping rule still applies).
    """

    group: np.ndarray          # (K,) the group (competency) of each row
    shared: tuple[str, ...]    # names in NAMES pooled over a group's rows
    shrink: float = 0.0        # pseudo-opportunities pulling a row's own values to its group's


def _em_step(seqs: Sequences, params: np.ndarray, forgetting: bool,
             items: ItemTable | None = None,
             item_params: np.ndarray | None = None,
             tying: Tying | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One EM iteration for every restart and skill; returns new params, log-likelihoods per
    skill and, with `items`, the new (R, I, 2) per-item guess and slip."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _em_step_unguarded(seqs, params, forgetting, items, item_params, tying)


def _em_step_unguarded(seqs: Sequences, params: np.ndarray, forgetting: bool,
                       items: ItemTable | None,
                       item_params: np.ndarray | None,
                       tying: Tying | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    R, K, _ = params.shape
    emit = items.emissions(item_params) if items is not None else None
    alpha, scale, _, e_l, e_u, keep, lr = _forward(seqs, params, emit)
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
    counts = {  # expected (events, opportunities) per row
        "prior": (by_skill(gl[:, first], seqs.seq_skill),
                  np.broadcast_to(np.bincount(seqs.seq_skill, minlength=K).astype(float), (R, K))),
        "learn": (by_skill(xi_ul / norm, sk_src), by_skill((xi_ul + xi_uu) / norm, sk_src)),
        "forget": ((by_skill(xi_lu / norm, sk_src), by_skill((xi_lu + xi_ll) / norm, sk_src))
                   if forgetting else (np.zeros((R, K)), np.ones((R, K)))),
        "guess": (by_skill(np.where(seqs.obs, gu, 0.0), sk), by_skill(gu, sk)),
        "slip": (by_skill(np.where(seqs.obs, 0.0, gl), sk), by_skill(gl, sk)),
    }
    if tying is not None:
        counts = {name: _tied(num, den, tying, name in tying.shared) for name, (num, den) in counts.items()}
    new = params.copy()
    for j, name in enumerate(NAMES):
        update = counts[name][0] / counts[name][1]
        value = np.where(np.isfinite(update), update, params[:, :, j])
        low = EPS if (name != "forget" or forgetting) else 0.0
        new[:, :, j] = np.clip(value, low, 1 - EPS)
    new_items = items.m_step(item_params, gl, gu, seqs.obs) if items is not None else None
    return new, by_skill(np.log(scale), sk), new_items


def _pooled(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """(R, K) values summed over each row's group, given back to every row of the group."""
    return np.stack([np.bincount(group, v)[group] for v in values])


def _tied(num: np.ndarray, den: np.ndarray, tying: Tying, shared: bool) -> tuple[np.ndarray, np.ndarray]:
    """A parameter's (events, opportunities) under `tying`: pooled over the group when shared,
    else the row's own plus `shrink` opportunities at the group's rate (a Beta prior centred on
    the group, so that a row few sequences reach stays near its competency)."""
    pooled_num, pooled_den = _pooled(num, tying.group), _pooled(den, tying.group)
    if shared:
        return pooled_num, pooled_den
    if tying.shrink <= 0.0:
        return num, den
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.nan_to_num(pooled_num / pooled_den)
    return num + tying.shrink * rate, den + tying.shrink


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


def _iterate(seqs: Sequences, params: np.ndarray, forgetting: bool, explore_iter: int,
             max_iter: int, tol: float, items: ItemTable | None = None,
             item_params: np.ndarray | None = None,
             tying: Tying | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int]:
    """EM: every restart together for `explore_iter` iterations, then per skill the best one alone
    (per item, the one its first competency chose; with `tying`, per group) until the
    log-likelihood gains less than `tol` per response, or `max_iter` iterations in all. Returns
    (1, K, 5) params, the per-skill log-likelihoods, the (1, I, 2) item params (or None) and the
    iterations run."""
    K = params.shape[1]
    iterations = 0
    ll = np.zeros((params.shape[0], K))
    for iterations in range(1, min(explore_iter, max_iter) + 1):
        params, ll, item_params = _em_step(seqs, params, forgetting, items, item_params, tying)
    best = np.argmax(ll if tying is None else _pooled(ll, tying.group), axis=0)
    params = params[best, np.arange(K)][None]
    if items is not None and item_params is not None:
        item_params = item_params[best[items.home], np.arange(len(items.ids))][None]
    prev = -np.inf
    while iterations < max_iter:
        iterations += 1
        params, ll, item_params = _em_step(seqs, params, forgetting, items, item_params, tying)
        total = float(ll.sum())
        if total - prev < tol * len(seqs.obs):
            break
        prev = total
    return params, ll, item_params, iterations


def _document(seqs: Sequences, params: np.ndarray, ll: np.ndarray, model: str, restarts: int,
              iterations: int) -> dict[str, Any]:
    """The params.json document: per-skill parameters and counts, and their count-weighted mean."""
    K = len(seqs.skills)
    counts = np.bincount(seqs.seq_skill, seqs.lengths, minlength=K)
    chosen = params[0]
    skills = {s: {**{n: float(chosen[k, j]) for j, n in enumerate(NAMES)}, "n": int(counts[k])}
              for k, s in enumerate(seqs.skills)}
    weights = counts / counts.sum()
    default = {n: float(np.dot(weights, chosen[:, j])) for j, n in enumerate(NAMES)}
    return {"format": "comptoir-bkt-params/1", "model": model, "restarts": restarts,
            "iterations": iterations, "log_likelihood": float(ll.sum()),
            "default": default, "skills": skills}


def fit(responses: Sequence[Response], model: str = "standard", restarts: int = 4,
        explore_iter: int = 8, max_iter: int = 150, tol: float = 1e-6,
        seed: int = 0, **ability_options: Any) -> dict[str, Any]:
    """Fit by EM; returns the params.json document (skills → parameters, plus a default).

    All `restarts` run together for `explore_iter` iterations; per skill the best one then runs
    alone until the total log-likelihood gains less than `tol` per response in one iteration,
    or `max_iter` iterations in all.
    """
    if model == "ability":  # per (competency, ability class): its own module
        from .ability import fit_ability
        return fit_ability(responses, restarts=restarts, explore_iter=explore_iter,
                           max_iter=max_iter, tol=tol, seed=seed, **ability_options)
    if model == "history":  # per (competency, related-accuracy class, streak band)
        from .history import fit_history
        return fit_history(responses, restarts=restarts, explore_iter=explore_iter,
                           max_iter=max_iter, tol=tol, seed=seed, **ability_options)
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}")
    forgetting = model == "forgetting"
    seqs = build_sequences(responses)
    params = _starts(len(seqs.skills), restarts, forgetting, seed)
    params, ll, _, iterations = _iterate(seqs, params, forgetting, explore_iter, max_iter, tol)
    return _document(seqs, params, ll, model, restarts, iterations)


# --- per-item guess and slip ------------------------------------------------------------------

def earlier_answers(responses: Sequence[Response]) -> np.ndarray:
    """For each response, how many times the learner had answered its item before, on the same
    competency (an answer to a two-competency item is one response per competency, not a repeat)."""
    seen: dict[tuple[str, str, str], int] = {}
    count = np.empty(len(responses), dtype=np.int64)
    for n, r in enumerate(responses):
        key = (r.student, r.competency, str(r.item))
        count[n] = seen.get(key, 0)
        seen[key] = count[n] + 1
    return count


@dataclass
class ItemTable:
    """Which item each flat response position answers, and how the engine weighs a repeat.

    A repeat is modelled as the engine models it (`engine.effective_guess` / `effective_slip`):
    the learner recalls the earlier answer — and so answers right, known or not — with
    probability 1 − (1 − repeat_memory)^count, the course's setting; otherwise the item's own
    guess and slip decide. Whether the answer was recalled is one more hidden variable of the EM,
    so every answer, first or repeated, informs the item's guess and slip, and each iteration
    still never lowers the likelihood.
    """

    ids: list[str]
    flat: np.ndarray      # (M,) item index of each flat position
    odds: np.ndarray      # (M,) (1 − repeat_memory)^count: P(the answer is not recalled)
    free: np.ndarray      # (I,) bool: enough learners answered the item to fit it
    home: np.ndarray      # (I,) the skill index of the item's first occurrence (restart choice)

    @classmethod
    def build(cls, seqs: Sequences, responses: Sequence[Response], ids: list[str],
              repeat_memory: float, learners: np.ndarray, min_responses: int) -> ItemTable:
        index = {item: i for i, item in enumerate(ids)}
        item_of = np.array([index[r.item] for r in responses], dtype=np.int64)
        flat, repeats = item_of[seqs.where], earlier_answers(responses)[seqs.where]
        home = np.zeros(len(ids), dtype=np.int64)
        home[flat[::-1]] = seqs.skill[::-1]  # the first flat position of each item wins
        return cls(ids, flat, (1.0 - repeat_memory) ** repeats, learners >= min_responses, home)

    def emissions(self, item_params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(guess, slip) of every flat position, (R, M) each, discounted for repeats."""
        g, s = item_params[:, self.flat, 0], item_params[:, self.flat, 1]
        return g + (1.0 - g) * (1.0 - self.odds), s * self.odds

    def m_step(self, item_params: np.ndarray, gl: np.ndarray, gu: np.ndarray,
               obs: np.ndarray) -> np.ndarray:
        """New guess = expected lucky guesses ÷ expected unrecalled answers while not known; new
        slip = expected slips ÷ expected unrecalled answers while known. A wrong answer is never
        recalled; a right one was not recalled with odds·g / (1 − (1 − g)·odds) (not known) or
        odds·(1 − s) / (1 − s·odds) (known). Items without enough learners keep their values."""
        R, n_items = item_params.shape[0], len(self.ids)
        g, s, o = item_params[:, self.flat, 0], item_params[:, self.flat, 1], self.odds

        def per_item(values: np.ndarray) -> np.ndarray:
            return np.stack([np.bincount(self.flat, values[r], minlength=n_items) for r in range(R)])

        lucky = per_item(np.where(obs, gu * (o * g / (1.0 - (1.0 - g) * o)), 0.0))
        guess = lucky / (lucky + per_item(np.where(obs, 0.0, gu)))
        slips = per_item(np.where(obs, 0.0, gl))
        slip = slips / (slips + per_item(np.where(obs, gl * (o * (1.0 - s) / (1.0 - s * o)), 0.0)))
        new = item_params.copy()
        for j, value in enumerate((guess, slip)):
            ok = np.isfinite(value) & self.free[None, :]
            new[:, :, j] = np.where(ok, np.clip(value, EPS, 1 - EPS), item_params[:, :, j])
        return new


def fit_items(responses: Sequence[Response], defaults: Mapping[str, tuple[float, float]],
              model: str = "standard", restarts: int = 4, explore_iter: int = 8,
              max_iter: int = 150, tol: float = 1e-6, seed: int = 0,
              min_responses: int = MIN_ITEM_RESPONSES,
              repeat_memory: float = DEFAULT_REPEAT_MEMORY) -> dict[str, Any]:
    """Per-competency prior/learn/forget and per-item guess/slip by one EM (`fit`'s, with the
    emissions of each response taken from its item); returns `fit`'s document plus `items` and
    the `bad_items` report.

    Every response must name its item. `defaults` gives an item's starting guess and slip — what
    the course would use (item, course, type) — which it keeps when fewer than `min_responses`
    learners answered it; an item absent from `defaults` starts at guess 0.2, slip 0.1. The
    competencies' own guess/slip in `skills` are then the items' pooled rates, for `evaluate`.
    """
    if model not in MODELS[:2]:
        raise ValueError(f"per-item calibration fits the standard or forgetting model, not {model!r}")
    if any(r.item is None for r in responses):
        raise ValueError("per-item calibration needs the item of every response")
    forgetting = model == "forgetting"
    seqs = build_sequences(responses)
    ids = sorted({str(r.item) for r in responses})
    counts = _item_counts(responses, ids)
    items = ItemTable.build(seqs, responses, ids, repeat_memory,
                            np.array([counts[i]["first_answers"] for i in ids]), min_responses)
    start = np.array([defaults.get(i, (0.2, DEFAULT_SLIP)) for i in ids], dtype=float)
    item_params = np.broadcast_to(start, (restarts, len(ids), 2)).copy()
    params = _starts(len(seqs.skills), restarts, forgetting, seed)
    params, ll, item_params, iterations = _iterate(seqs, params, forgetting, explore_iter,
                                                   max_iter, tol, items, item_params)
    doc = _document(seqs, params, ll, model, restarts, iterations)
    doc["min_responses"] = min_responses
    doc["repeat_memory"] = repeat_memory
    doc["items"] = {item: _item_entry(counts[item], float(item_params[0, i, 0]),
                                      float(item_params[0, i, 1]), bool(items.free[i]))
                    for i, item in enumerate(ids)}
    doc["bad_items"] = bad_items(doc["items"])
    return doc


RECALL_RANGE = (0.0, 0.9)
RECALL_TOLERANCE = 0.02


def fit_recall(responses: Sequence[Response], defaults: Mapping[str, tuple[float, float]],
               model: str = "standard", setting: float = DEFAULT_REPEAT_MEMORY,
               span: tuple[float, float] = RECALL_RANGE, tol: float = RECALL_TOLERANCE,
               **options: Any) -> dict[str, Any]:
    """`fit_items` at the `repeat_memory` under which the answers are most likely.

    How well learners remember an item they have answered before depends on the course and its
    learners (how soon items come back, whether the feedback showed the key), not on one item:
    one number per course. Recall enters the model as a power of the answer count, so it has no
    closed-form M-step; the EM runs inside a golden-section search over `span` of its final
    log-likelihood (unimodal in every case measured), to within `tol`. Without repeated answers
    (or with a likelihood flat in it) the answers cannot tell, and `setting` (the course's) is
    kept.
    """
    repeated = int((earlier_answers(responses) > 0).sum())
    if not repeated:
        doc = fit_items(responses, defaults, model, repeat_memory=setting, **options)
        doc["repeat_memory_fit"] = {"repeated_answers": 0, "kept": setting}
        return doc
    docs: dict[float, dict[str, Any]] = {}

    def ll(m: float) -> float:
        m = round(m, 4)
        if m not in docs:
            docs[m] = fit_items(responses, defaults, model, repeat_memory=m, **options)
        return float(docs[m]["log_likelihood"])

    ratio = (5 ** 0.5 - 1) / 2
    a, b = span
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    while b - a > tol:
        if ll(c) >= ll(d):
            b, d = d, c
            c = b - ratio * (b - a)
        else:
            a, c = c, d
            d = a + ratio * (b - a)
    for edge in span:  # a maximum on the boundary (no recall at all) is found exactly
        ll(edge)
    evaluated = [[m, docs[m]["log_likelihood"]] for m in sorted(docs)]
    lls = [ll for _, ll in evaluated]
    if max(lls) - min(lls) < 1e-9 * len(responses):  # flat: the answers cannot tell, keep the setting
        doc = fit_items(responses, defaults, model, repeat_memory=setting, **options)
        doc["repeat_memory_fit"] = {"repeated_answers": repeated, "kept": setting, "evaluated": evaluated}
        return doc
    doc = docs[max(docs, key=lambda m: docs[m]["log_likelihood"])]
    doc["repeat_memory_fit"] = {"repeated_answers": repeated, "evaluated": evaluated}
    return doc


def _item_entry(counts: Mapping[str, Any], guess: float, slip: float, fitted: bool) -> dict[str, Any]:
    """One item of the document. `applied` says whether a build uses its guess and slip: only
    fitted ones, and never when guess + slip ≥ 1 — then a right answer would count against
    mastery; such an item keeps its defaults and shows in the bad-item report."""
    return {**counts, "guess": guess, "slip": slip, "fitted": fitted,
            "applied": fitted and guess + slip < 1.0}


def _item_counts(responses: Sequence[Response], ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per item: its competencies, answers, right answers and learners (= first answers). An
    answer appears once per competency of its item in `responses`; it is counted once."""
    comps: dict[str, list[str]] = {i: [] for i in ids}
    hits: dict[str, list[int]] = {i: [0, 0] for i in ids}
    learners: dict[str, set[str]] = {i: set() for i in ids}
    for r in responses:
        item = str(r.item)
        if r.competency not in comps[item]:
            comps[item].append(r.competency)
        if r.competency == comps[item][0]:
            hits[item][0] += 1
            hits[item][1] += r.correct
        learners[item].add(r.student)
    return {i: {"competencies": comps[i], "answers": hits[i][0], "right": hits[i][1],
                "first_answers": len(learners[i])} for i in ids}


def bad_items(items: Mapping[str, Mapping[str, Any]], slip_above: float = BAD_SLIP,
              guess_above: float = BAD_GUESS) -> list[dict[str, Any]]:
    """Fitted items whose slip or guess says the item, not the learner, decides the answer, each
    with a hint in plain words; worst first. Items kept at their defaults are never listed: too
    few answers to say."""
    out = []
    for item, v in items.items():
        if not v.get("fitted"):
            continue
        hints = []
        if v["slip"] > slip_above:
            hints.append(f"learners who master the competency get it wrong {v['slip']:.0%} of the time: "
                         "check the key (is the right answer marked right?), ambiguous wording, or a "
                         "second defensible answer")
        if v["guess"] > guess_above:
            hints.append(f"learners who do not master the competency get it right {v['guess']:.0%} of "
                         "the time: the answer shows through (a giveaway word, implausible "
                         "distractors) or the item asks less than the competency; add or rewrite "
                         "distractors")
        if hints:
            out.append({"item": item, "competencies": list(v["competencies"]), "answers": v["answers"],
                        "right": v["right"], "first_answers": v["first_answers"],
                        "guess": v["guess"], "slip": v["slip"], "hint": "; ".join(hints)})
    return sorted(out, key=lambda b: -max(b["slip"] - slip_above, b["guess"] - guess_above))


def predict(doc: dict[str, Any], responses: Sequence[Response]) -> np.ndarray:
    """P(correct) for every response, each computed before that response is seen."""
    if doc.get("model") == "ability":
        from .ability import predict_ability
        return predict_ability(doc, responses)
    if doc.get("model") == "history":
        from .history import predict_history
        return predict_history(doc, responses)
    skills = list(doc["skills"])
    table = np.array([[doc["skills"][s][n] for n in NAMES] for s in skills]
                     + [[doc["default"][n] for n in NAMES]])
    return predicted(known_sequences(responses, skills), table)


def known_sequences(responses: Sequence[Response], skills: list[str]) -> Sequences:
    """`build_sequences` over a fitted document's competencies; one it does not know takes row
    len(skills), where the document's default goes."""
    seqs = build_sequences(responses, skills + ["\0default"])
    seqs.seq_skill = np.where(seqs.seq_skill < 0, len(skills), seqs.seq_skill)
    seqs.skill = np.where(seqs.skill < 0, len(skills), seqs.skill)
    return seqs


def split_rows(seqs: Sequences, row: np.ndarray, per_skill: int) -> Sequences:
    """Give every answer its own parameter row within its competency: competency · per_skill +
    `row` (per answer). The ability and history models fit one row per (competency, class…)."""
    flat = row[seqs.where]
    seqs.skill = seqs.skill * per_skill + flat
    seqs.seq_skill = seqs.seq_skill * per_skill + flat[: len(seqs.seq_skill)]
    return seqs


def predicted(seqs: Sequences, table: np.ndarray) -> np.ndarray:
    """P(correct) of every response, in the original order, from a (rows, 5) parameter table."""
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
