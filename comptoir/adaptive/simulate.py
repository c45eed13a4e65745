"""Sequencing benchmark: simulated learners, the engine run as the player runs it, named baselines.

**Worlds.** A world *family* fixes a course graph and the ranges its parameters are drawn from;
a *world* is one draw (a seed) of a family in one *order*: `answer_first` (the answer is drawn,
then the item is a learning opportunity — BKT's own assumption) or `teach_first` (the item
teaches, then the answer is drawn). A world holds the true prior and learn rate per
competency, an item pool per competency whose types set the true guess rate, and a true slip
per item. Each learner starts knowing each competency with its prior, has a personal learn
multiplier (lognormal, unknown to every policy), learns at a reduced rate while a prerequisite
is truly unmastered, and — in families with `recall` > 0 — may recall the answer of an item
answered before: after k earlier answers with probability 1 − (1 − recall)^k, known or not
(a recalled answer is right). No forgetting: a known competency stays known.

**Policies** see what a course declares: the item types (so the type's guess rate), the default
slip 0.1, each competency's prior and learn (as if calibrated), the prerequisite graph.

- `comptoir`: the engine exactly as the browser player calls it — `next_activity` /
  `record_response` over the whole course, default settings (spaced reviews from 12 items on,
  later for a verdict with a margin; repeats discounted; referral to a trainer after 3
  passes), no item cap. Review items count.
- `comptoir_no_reviews`: the same with reviews off (review_base 0), for a like-for-like view;
  `repeats_as_new_no_reviews`: reviews off and repeated items counted as new evidence, never a
  referral — the engine before pools could run out, as the earlier benchmark ran it.
- `item_bkt` (item-aware BKT): per-item guess and slip, items in authored order (cycling),
  stop at P(L) ≥ threshold, competencies in course order, no reviews.
- `individual_bkt` (individualised BKT): `item_bkt` plus an online estimate of the learner's
  learning speed — a 5-point grid posterior over the learn multiplier, carried from one
  competency to the next; mastery when the mixture's P(L) reaches the threshold.
- `plain_bkt`: one guess per competency (the pool's mean), otherwise as `item_bkt`.
- `n_in_a_row`: mastered after n consecutive right answers; `fixed_sequence`: n items.
- `oracle`: knows the true state, stops the moment the competency is known.
- `clairvoyant_bound` — a bound, not a baseline: the exact posterior under the world's *true*
  model (true guess and slip of every item, the world's recall, this learner's own learn rate
  with the prerequisite effect, the world's order), the engine's item rule, stop at P(L) ≥
  threshold. No policy that infers the hidden state from answers and stops on a posterior
  threshold can be expected to need fewer items: it measures what is left to gain by knowing
  the parameters better, and where a goal lies below it, no threshold policy can reach it.

Nothing is capped as a stopping rule. A learner still practising one competency after
`SAFETY_CAP` items is **stuck**: counted and reported (the course stops for that learner),
never silently treated as done. All policies meet the same learners and the same random
numbers: the j-th item a learner answers on competency c uses draw (c, j) whichever item it is.

**Measures** (at the end of each learner's course): items per learner ÷ the oracle's; share of
(learner, competency) pairs truly known; false mastery = share of "mastered" verdicts (P(L) ≥
threshold at the end) on a competency not truly known; referred = share of learners with a
competency referred to a trainer; stuck. The **criterion** is ≥ 95 % truly mastered and ≤ 3 %
false mastery; each policy's items at the criterion are interpolated between the settings of
its curve (thresholds, n) that bracket it.
"""
from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Any, Callable, Iterable

import numpy as np

from .course import DEFAULT_GUESS, DEFAULT_SLIP, EngineCourse, EngineItem, Params
from .course import DEFAULT_MAX_PASSES, DEFAULT_TRAINER_ANSWERS
from .engine import (initial_state, needs_trainer, next_activity, record_lesson, record_response,
                     release_competency)

TYPE_GUESS = {t: DEFAULT_GUESS[t] for t in
              ("single", "true-false", "multiple", "fill-in", "sequencing", "numeric")}
SAFETY_CAP = 150  # items on one competency before a learner counts as stuck
ORDERS = ("answer_first", "teach_first")
TARGET_MASTERED, TARGET_FALSE = 0.95, 0.03


@dataclass(frozen=True)
class Family:
    name: str
    prerequisites: tuple[tuple[int, ...], ...]  # topologically ordered (course order)
    prior: tuple[float, float]
    learn: tuple[float, float]
    pool: int
    shares: tuple[tuple[str, float], ...]
    slip: tuple[float, float]
    sigma: float          # learners' learn multiplier: lognormal(0, sigma)
    prereq_factor: float  # learn rate × this while a prerequisite is truly unmastered
    recall: float         # chance per earlier answer of recalling a repeated item's answer


REFERENCE = Family(
    name="reference",
    prerequisites=((), (0,), (0,), (1, 2), (2,), (3,), (4,), (5, 6)),
    prior=(0.05, 0.4), learn=(0.08, 0.3), pool=12,
    shares=(("single", 0.40), ("true-false", 0.20), ("multiple", 0.25), ("fill-in", 0.15)),
    slip=(0.05, 0.15), sigma=0.5, prereq_factor=0.25, recall=0.0)

#: A longer, deeper graph, more varied learners, smaller pools dominated by guessable items,
#: wider slips, and learners who recall repeated items well.
SECOND = Family(
    name="second",
    prerequisites=((), (0,), (1,), (1,), (2, 3), (4,), (0,), (6,), (5, 7), (8,), (9,), (10, 3)),
    prior=(0.0, 0.5), learn=(0.06, 0.25), pool=8,
    shares=(("single", 0.45), ("true-false", 0.30), ("multiple", 0.15), ("fill-in", 0.10)),
    slip=(0.02, 0.2), sigma=0.7, prereq_factor=0.5, recall=0.6)

#: Held out: fixed before any policy work of the current round and used only for reporting.
#: Pools of 6 like most shipped competencies, more item types, two roots.
THIRD = Family(
    name="third",
    prerequisites=((), (), (0,), (0, 1), (2,), (3,), (3, 4), (5,), (6, 7), (8,)),
    prior=(0.02, 0.45), learn=(0.07, 0.28), pool=6,
    shares=(("single", 0.35), ("true-false", 0.15), ("multiple", 0.20), ("fill-in", 0.15),
            ("sequencing", 0.10), ("numeric", 0.05)),
    slip=(0.03, 0.18), sigma=0.6, prereq_factor=0.35, recall=0.35)

FAMILIES = {f.name: f for f in (REFERENCE, SECOND, THIRD)}
TUNING = ("reference", "second")
HELD_OUT = ("third",)


@dataclass(frozen=True)
class World:
    family: Family
    order: str
    seed: int
    prior: tuple[float, ...]
    learn: tuple[float, ...]
    types: tuple[tuple[str, ...], ...]      # per competency, authored order
    slips: tuple[tuple[float, ...], ...]

    @property
    def teach_first(self) -> bool:
        return self.order == "teach_first"

    @property
    def n(self) -> int:
        return len(self.prior)

    def guesses(self) -> np.ndarray:
        return np.array([[TYPE_GUESS[t] for t in ts] for ts in self.types])


def make_world(family: Family, order: str = "answer_first", seed: int = 1) -> World:
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}")
    rng = np.random.default_rng(seed)
    n = len(family.prerequisites)
    prior = tuple(float(x) for x in rng.uniform(*family.prior, n))
    learn = tuple(float(x) for x in rng.uniform(*family.learn, n))
    names = [t for t, _ in family.shares]
    probs = np.array([s for _, s in family.shares])
    types = tuple(tuple(names[k] for k in rng.choice(len(names), family.pool, p=probs / probs.sum()))
                  for _ in range(n))
    slips = tuple(tuple(float(x) for x in rng.uniform(*family.slip, family.pool)) for _ in range(n))
    return World(family, order, seed, prior, learn, types, slips)


@dataclass(frozen=True)
class Learners:
    known: np.ndarray   # (L, n) bool: known at the start
    factor: np.ndarray  # (L,) learn multiplier
    draws: np.ndarray   # (L, n, SAFETY_CAP, 2): (response, learning) uniforms per trial


def make_learners(world: World, count: int, seed: int) -> Learners:
    """The same learners for every policy in a world (the seed mixes in the world's seed)."""
    rng = np.random.default_rng([seed, world.seed, len(world.prior)])
    known = rng.random((count, world.n)) < np.array(world.prior)
    factor = rng.lognormal(0.0, world.family.sigma, count)
    draws = rng.random((count, world.n, SAFETY_CAP, 2))
    return Learners(known, factor, draws)


def world_course(world: World, threshold: float, **settings: Any) -> EngineCourse:
    """The course as an author would declare it: item types, default slip, fitted prior/learn.
    Everything else is the engine's default unless `settings` overrides an EngineCourse field."""
    n, pool = world.n, world.family.pool
    items = tuple(EngineItem(f"c{c}-q{k}", (c,), TYPE_GUESS[world.types[c][k]], DEFAULT_SLIP)
                  for c in range(n) for k in range(pool))
    return EngineCourse(
        competencies=tuple(f"sim:c{c}" for c in range(n)), n_own=n,
        params=tuple(Params(world.prior[c], world.learn[c]) for c in range(n)),
        prerequisites=world.family.prerequisites, exact_matches=((),) * n, items=items,
        lessons=(), threshold=threshold, **settings)


def _recalled(recall: float, count: int) -> float:
    return 1.0 - (1.0 - recall) ** count if count > 0 and recall > 0 else 0.0


# --- the engine, as the player runs it --------------------------------------------------------

def run_engine(world: World, people: Learners, course: EngineCourse,
               log: list[tuple[int, int, int, bool]] | None = None) -> dict[str, float]:
    """Drive `next_activity` / `record_response` to the end of the course for every learner;
    every answer goes to `log` as (learner, competency, item, right) when one is given — what an
    LMS would record, for calibration.

    When the engine refers a competency to a trainer (`needs_trainer`), the trainer teaches it
    (the learner knows it from then on) and releases it (`release_competency`), as a player with
    a trainer would; the session is counted. An engine that never refers (max_passes 0) gets
    the protocol's trainer at `trainer_bound` items without mastery, like the baselines.
    """
    n, pool, fam = world.n, world.family.pool, world.family
    learn = world.learn
    guess = [[TYPE_GUESS[t] for t in ts] for ts in world.types]
    slips = world.slips
    thr = course.threshold
    bound = trainer_bound(world) if course.max_passes <= 0 else -1
    count = len(people.factor)
    items = over = stuck = sessions = referred = declared = false = known_end = 0
    knowns, factors = people.known.tolist(), people.factor.tolist()
    for lr in range(count):
        known = knowns[lr]
        factor = factors[lr]
        draws = people.draws[lr].tolist()
        trials = [0] * n
        answered = [0] * (n * pool)
        state = initial_state(course)
        steps = mine = 0
        while True:
            act = next_activity(course, state)
            if act is None:
                break
            if act[0] == "lesson":
                record_lesson(course, state, act[1])
                continue
            i = act[1]
            c, k = divmod(i, pool)
            t = trials[c]
            if t >= SAFETY_CAP:
                stuck += 1
                break
            trials[c] = t + 1
            u_resp, u_learn = draws[c][t]
            if known[c]:
                over += 1
            if world.teach_first:
                _learn_one(known, c, u_learn, learn[c] * factor, fam)
            r = _recalled(fam.recall, answered[i])
            if known[c]:
                correct = u_resp >= slips[c][k] * (1.0 - r)
            else:
                correct = u_resp < guess[c][k] + (1.0 - guess[c][k]) * r
            if not world.teach_first:
                _learn_one(known, c, u_learn, learn[c] * factor, fam)
            answered[i] += 1
            record_response(course, state, i, correct)
            if log is not None:
                log.append((lr, c, i, correct))
            steps += 1
            if needs_trainer(course, state, c):
                known[c] = True
                mine += 1
                release_competency(course, state, c)
            elif t + 1 == bound and state.p[c] < thr:
                known[c] = True  # the protocol's trainer, for an engine that never refers
                mine += 1
        items += steps
        sessions += mine
        referred += mine > 0
        for c in range(n):
            if state.p[c] >= thr:
                declared += 1
                false += not known[c]
        known_end += sum(known)
    return _summary(count, n, items, over, declared, false, known_end, stuck, sessions, referred)


def _learn_one(known: list[bool], c: int, u: float, rate: float, fam: Family) -> None:
    if known[c]:
        return
    if any(not known[q] for q in fam.prerequisites[c]):
        rate *= fam.prereq_factor
    known[c] = u < rate


def _summary(count: int, n: int, items: float, over: float, declared: float, false: float,
             known_end: float, stuck: float, sessions: float, referred: float) -> dict[str, float]:
    return {"items_per_learner": float(items) / count,
            "truly_mastered": float(known_end) / (count * n),
            "false_mastery": float(false) / float(declared) if declared else 0.0,
            "over_practice_per_learner": float(over) / count, "stuck": float(stuck) / count,
            "trainer_sessions_per_learner": float(sessions) / count,
            "referred": float(referred) / count}


# --- baselines: one competency after the other, vectorised over learners ----------------------

class Batch:
    """A baseline's per-learner state for the current competency, as arrays over learners."""

    def __init__(self, world: World, size: int) -> None:
        self.world, self.size = world, size

    def begin(self, c: int, rate: np.ndarray) -> None:
        """Competency c starts; `rate` is each learner's true learn rate on it (only a bound
        may look at it)."""
        raise NotImplementedError

    def choose(self, c: int, rows: np.ndarray, t: int) -> np.ndarray:
        """The item each learner in `rows` answers as their t-th on c: authored order, cycling."""
        return np.full(len(rows), t % self.world.family.pool)

    def observe(self, c: int, rows: np.ndarray, k: np.ndarray, correct: np.ndarray) -> None:
        raise NotImplementedError

    def taught(self, rows: np.ndarray) -> None:
        """A trainer has just taught the current competency to `rows`. Policies carry on to
        their own verdict from the answers, as the engine does after a release (ADR-14)."""

    def mastered(self) -> np.ndarray:
        raise NotImplementedError


class OracleBatch(Batch):
    def begin(self, c: int, rate: np.ndarray) -> None:
        self.done = np.zeros(self.size, bool)

    def observe(self, c: int, rows: np.ndarray, k: np.ndarray, correct: np.ndarray,
                known_after: np.ndarray | None = None) -> None:
        pass

    def mastered(self) -> np.ndarray:
        return self.done


class StreakBatch(Batch):
    def __init__(self, world: World, size: int, n: int) -> None:
        super().__init__(world, size)
        self.n = n

    def begin(self, c: int, rate: np.ndarray) -> None:
        self.run = np.zeros(self.size, int)

    def observe(self, c: int, rows: np.ndarray, k: np.ndarray, correct: np.ndarray) -> None:
        self.run[rows] = np.where(correct, self.run[rows] + 1, 0)

    def mastered(self) -> np.ndarray:
        return self.run >= self.n


class FixedBatch(Batch):
    def __init__(self, world: World, size: int, n: int) -> None:
        super().__init__(world, size)
        self.n = n

    def begin(self, c: int, rate: np.ndarray) -> None:
        self.count = np.zeros(self.size, int)

    def observe(self, c: int, rows: np.ndarray, k: np.ndarray, correct: np.ndarray) -> None:
        self.count[rows] += 1

    def mastered(self) -> np.ndarray:
        return self.count >= self.n


class BKTBatch(Batch):
    """item_bkt (per-item guess, slip 0.1) or plain_bkt (one guess per competency)."""

    def __init__(self, world: World, size: int, threshold: float, per_item: bool = True) -> None:
        super().__init__(world, size)
        self.threshold, self.per_item = threshold, per_item
        self.guess = world.guesses()

    def begin(self, c: int, rate: np.ndarray) -> None:
        self.p = np.full(self.size, self.world.prior[c])

    def _guess(self, c: int, k: np.ndarray) -> np.ndarray:
        return self.guess[c, k] if self.per_item else np.full(len(k), self.guess[c].mean())

    def observe(self, c: int, rows: np.ndarray, k: np.ndarray, correct: np.ndarray) -> None:
        g, s, p = self._guess(c, k), DEFAULT_SLIP, self.p[rows]
        like_k = np.where(correct, 1 - s, s)
        like_u = np.where(correct, g, 1 - g)
        post = p * like_k / (p * like_k + (1 - p) * like_u)
        self.p[rows] = post + (1 - post) * self.world.learn[c]

    def mastered(self) -> np.ndarray:
        return self.p >= self.threshold


#: The individualised baseline's grid over the learner's learn multiplier, and its prior weights
#: (a lognormal(0, 0.6) discretised: the policy knows learners differ, not by how much).
SPEED_GRID = np.array([0.3, 0.55, 1.0, 1.8, 3.3])
SPEED_PRIOR = np.exp(-np.log(SPEED_GRID) ** 2 / (2 * 0.6 ** 2))
SPEED_PRIOR = SPEED_PRIOR / SPEED_PRIOR.sum()


class IndividualBatch(BKTBatch):
    """Item-aware BKT with a posterior over the learner's speed, carried across competencies."""

    def __init__(self, world: World, size: int, threshold: float) -> None:
        super().__init__(world, size, threshold, per_item=True)
        self.w = np.tile(SPEED_PRIOR, (size, 1))

    def begin(self, c: int, rate: np.ndarray) -> None:
        self.pf = np.full((self.size, len(SPEED_GRID)), self.world.prior[c])
        self.rate = np.minimum(self.world.learn[c] * SPEED_GRID, 1.0)

    def observe(self, c: int, rows: np.ndarray, k: np.ndarray, correct: np.ndarray) -> None:
        g, s = self._guess(c, k)[:, None], DEFAULT_SLIP
        p = self.pf[rows]
        cor = correct[:, None]
        like_k = np.where(cor, 1 - s, s)
        like_u = np.where(cor, g, 1 - g)
        joint = p * like_k + (1 - p) * like_u
        w = self.w[rows] * joint
        self.w[rows] = w / w.sum(axis=1, keepdims=True)
        post = p * like_k / joint
        self.pf[rows] = post + (1 - post) * self.rate

    def mastered(self) -> np.ndarray:
        return (self.w * self.pf).sum(axis=1) >= self.threshold


class ClairvoyantBatch(Batch):
    """`clairvoyant_bound`: the exact posterior under every true parameter, the engine's item rule
    (`engine.pick_item`: among the least-answered items, the weakest separator until a right
    answer to any of them could reach the threshold, then the best), vectorised over learners."""

    def __init__(self, world: World, size: int, threshold: float) -> None:
        super().__init__(world, size)
        self.threshold = threshold
        self.guess, self.slip = world.guesses(), np.array(world.slips)

    def begin(self, c: int, rate: np.ndarray) -> None:
        self.p = np.full(self.size, self.world.prior[c])
        self.rate = np.minimum(rate, 1.0)
        self.count = np.zeros((self.size, self.world.family.pool), int)

    def _odds(self, guess: np.ndarray, slip: np.ndarray,
              count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P(right | known), P(right | not known) of items answered `count` times before."""
        r = 1.0 - (1.0 - self.world.family.recall) ** count
        return 1.0 - slip * (1.0 - r), guess + (1.0 - guess) * r

    def _update(self, p: np.ndarray, rate: np.ndarray, right_k: np.ndarray, right_u: np.ndarray,
                correct: np.ndarray | bool) -> np.ndarray:
        """P(known) after one answer, in the world's order (arrays broadcast)."""
        if self.world.teach_first:
            p = p + (1.0 - p) * rate
        like_k = np.where(correct, right_k, 1.0 - right_k)
        like_u = np.where(correct, right_u, 1.0 - right_u)
        post = p * like_k / (p * like_k + (1.0 - p) * like_u)
        return post if self.world.teach_first else post + (1.0 - post) * rate

    def choose(self, c: int, rows: np.ndarray, t: int) -> np.ndarray:
        count = self.count[rows]
        right_k, right_u = self._odds(self.guess[c], self.slip[c], count)
        least = count == count.min(axis=1, keepdims=True)
        sep = right_k - right_u
        best = np.argmax(np.where(least, sep, -np.inf), axis=1)
        weakest = np.argmin(np.where(least, sep, np.inf), axis=1)
        after_right = self._update(self.p[rows][:, None], self.rate[rows][:, None], right_k, right_u, True)
        ready = (least & (after_right >= self.threshold)).any(axis=1)
        return np.where(ready, best, weakest)

    def observe(self, c: int, rows: np.ndarray, k: np.ndarray, correct: np.ndarray) -> None:
        right_k, right_u = self._odds(self.guess[c, k], self.slip[c, k], self.count[rows, k])
        self.p[rows] = self._update(self.p[rows], self.rate[rows], right_k, right_u, correct)
        self.count[rows, k] += 1

    def taught(self, rows: np.ndarray) -> None:
        self.p[rows] = 1.0  # it knows the protocol: taught means known

    def mastered(self) -> np.ndarray:
        return self.p >= self.threshold


def trainer_bound(world: World) -> int:
    """Items on one competency without mastery after which every policy hands the learner to a
    trainer: the engine's default rule (3 passes through the pool, and at least 18 answers)."""
    return max(DEFAULT_MAX_PASSES * world.family.pool, DEFAULT_TRAINER_ANSWERS)


def run_batch(world: World, people: Learners, make: Callable[[int], Batch],
              oracle: bool = False) -> dict[str, float]:
    """Competencies in course order, each practised until the policy declares mastery.

    At `trainer_bound` items without mastery the trainer teaches the competency (the learner
    knows it from then on) and the policy goes on to its own verdict, as with the engine.
    """
    fam, n, pool = world.family, world.n, world.family.pool
    size = len(people.factor)
    bound = trainer_bound(world)
    known = people.known.copy()
    guess = world.guesses()
    slips = np.array(world.slips)
    items = np.zeros(size)
    over = np.zeros(size)
    sessions = np.zeros(size)
    stuck = np.zeros(size, bool)
    declared = np.zeros((size, n), bool)
    policy = make(size)
    for c in range(n):
        prereq = np.ones(size, bool)
        for q in fam.prerequisites[c]:
            prereq &= known[:, q]
        rate = world.learn[c] * people.factor * np.where(prereq, 1.0, fam.prereq_factor)
        policy.begin(c, rate)
        count = np.zeros((size, pool), int)  # answers per item so far: what recall feeds on
        done = known[:, c].copy() if oracle else policy.mastered()
        for t in range(SAFETY_CAP):
            rows = np.flatnonzero(~stuck & ~done)
            if len(rows) == 0:
                break
            if t == bound:  # a trainer for everyone still practising c
                sessions[rows] += 1
                known[rows, c] = True
                if oracle:
                    done[rows] = True
                    continue
                policy.taught(rows)
                done = policy.mastered()
                rows = np.flatnonzero(~stuck & ~done)
                if len(rows) == 0:
                    break
            k = policy.choose(c, rows, t)
            u_resp, u_learn = people.draws[rows, c, t, 0], people.draws[rows, c, t, 1]
            kn = known[rows, c]
            over[rows] += kn
            if world.teach_first:
                kn = kn | (u_learn < rate[rows])
            r = 1.0 - (1.0 - fam.recall) ** count[rows, k]
            count[rows, k] += 1
            correct = np.where(kn, u_resp >= slips[c, k] * (1 - r),
                               u_resp < guess[c, k] + (1 - guess[c, k]) * r)
            if not world.teach_first:
                kn = kn | (u_learn < rate[rows])
            known[rows, c] = kn
            items[rows] += 1
            if oracle:
                done[rows] = kn
            else:
                policy.observe(c, rows, k, correct)
                done = policy.mastered()
        practising = ~stuck
        stuck |= practising & ~done
        declared[:, c] = practising & done
    if oracle:
        declared[:] = False
    false = (declared & ~known).sum()
    return _summary(size, n, items.sum(), over.sum(), declared.sum(), false, known.sum(),
                    stuck.sum(), sessions.sum(), (sessions > 0).sum())


# --- curves, criterion, report ----------------------------------------------------------------

COMPTOIR_THRESHOLDS = (0.7, 0.8, 0.9, 0.95, 0.97, 0.99)  # each a full engine run: a coarser grid
BKT_THRESHOLDS = (0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995)
STREAKS = (2, 3, 4, 5, 6)
FIXED = (4, 6, 8, 10, 12)
#: comptoir as shipped; without reviews; and the engine before pools could run out (repeats
#: counted as new evidence, no referral) without reviews, as the earlier benchmark ran it.
ENGINE_POLICIES = {"comptoir": {}, "comptoir_no_reviews": {"review_base": 0},
                   "repeats_as_new_no_reviews": {"review_base": 0, "repeat_memory": 0.0,
                                                 "max_passes": 0}}
BASELINES = ("item_bkt", "individual_bkt", "plain_bkt", "n_in_a_row", "fixed_sequence")
BOUND = "clairvoyant_bound"


def at_criterion(points: list[dict[str, Any]], key: str = "items_per_learner") -> float | None:
    """`key` (items per learner by default) where the curve first meets the criterion,
    interpolated between settings.

    Points are in order of increasing strictness; between the last point that misses and the
    first that meets, each constraint's crossing is found linearly and the later one binds.
    """
    for k, q in enumerate(points):
        if q["truly_mastered"] >= TARGET_MASTERED and q["false_mastery"] <= TARGET_FALSE:
            if k == 0:
                return q[key]
            p = points[k - 1]
            t = 0.0
            for name, goal, up in (("truly_mastered", TARGET_MASTERED, True),
                                   ("false_mastery", TARGET_FALSE, False)):
                missed = p[name] < goal if up else p[name] > goal
                if missed and q[name] != p[name]:
                    t = max(t, (goal - p[name]) / (q[name] - p[name]))
            return p[key] + t * (q[key] - p[key])
    return None


def items_at_criterion(points: list[dict[str, Any]]) -> float | None:
    return at_criterion(points, "items_per_learner")


def baseline_curves(world: World, people: Learners) -> dict[str, list[dict[str, Any]]]:
    specs: list[tuple[str, float, Callable[[int], Batch]]] = []
    for thr in BKT_THRESHOLDS:
        specs.append(("item_bkt", thr, lambda size, thr=thr: BKTBatch(world, size, thr)))
        specs.append(("individual_bkt", thr, lambda size, thr=thr: IndividualBatch(world, size, thr)))
        specs.append(("plain_bkt", thr, lambda size, thr=thr: BKTBatch(world, size, thr, False)))
        specs.append((BOUND, thr, lambda size, thr=thr: ClairvoyantBatch(world, size, thr)))
    for n in STREAKS:
        specs.append(("n_in_a_row", n, lambda size, n=n: StreakBatch(world, size, n)))
    for n in FIXED:
        specs.append(("fixed_sequence", n, lambda size, n=n: FixedBatch(world, size, n)))
    curves: dict[str, list[dict[str, Any]]] = {name: [] for name in (*BASELINES, BOUND)}
    for name, setting, make in specs:
        curves[name].append({"setting": setting, **run_batch(world, people, make)})
    return curves


def engine_point(world: World, people: Learners, policy: str, threshold: float,
                 settings: dict[str, Any] | None = None) -> dict[str, Any]:
    course = world_course(world, threshold, **(settings if settings is not None
                                                else ENGINE_POLICIES[policy]))
    return {"setting": threshold, **run_engine(world, people, course)}


@dataclass(frozen=True)
class Task:
    """One unit of work, picklable for a process pool: a world, a policy, one or all settings."""

    family: str
    order: str
    seed: int
    learners: int
    learner_seed: int
    policy: str            # an ENGINE_POLICIES key, "baselines", or a name for `settings`
    threshold: float = 0.0
    settings: tuple[tuple[str, Any], ...] | None = None


_CACHE: dict[tuple, tuple[World, Learners]] = {}


def _world_and_people(task: Task) -> tuple[World, Learners]:
    key = (task.family, task.order, task.seed, task.learners, task.learner_seed)
    if key not in _CACHE:
        _CACHE.clear()
        world = make_world(FAMILIES[task.family], task.order, task.seed)
        _CACHE[key] = (world, make_learners(world, task.learners, task.learner_seed))
    return _CACHE[key]


def run_task(task: Task) -> tuple[Task, Any]:
    world, people = _world_and_people(task)
    if task.policy == "oracle":
        return task, run_batch(world, people, lambda size: OracleBatch(world, size), oracle=True)
    if task.policy == "baselines":
        return task, baseline_curves(world, people)
    settings = dict(task.settings) if task.settings is not None else None
    return task, engine_point(world, people, task.policy, task.threshold, settings)


def tasks_for(family: str, order: str, seed: int, learners: int, learner_seed: int,
              engine_policies: dict[str, dict[str, Any]] | None = None,
              thresholds: Iterable[float] = COMPTOIR_THRESHOLDS) -> list[Task]:
    base = dict(family=family, order=order, seed=seed, learners=learners, learner_seed=learner_seed)
    out = [Task(policy="oracle", **base), Task(policy="baselines", **base)]
    for name, settings in (engine_policies or ENGINE_POLICIES).items():
        for thr in thresholds:
            out.append(Task(policy=name, threshold=thr,
                            settings=tuple(sorted(settings.items())), **base))
    return out


def _map(tasks: list[Task], jobs: int, progress: Callable[[str], None] | None) -> list[tuple[Task, Any]]:
    # slowest first, so the pool is not left waiting on one long task at the end
    tasks = sorted(tasks, key=lambda t: (t.policy in ("oracle", "baselines"), -t.threshold))
    done: list[tuple[Task, Any]] = []
    if jobs <= 1:
        for k, t in enumerate(tasks):
            done.append(run_task(t))
            if progress and (k + 1) % 10 == 0:
                progress(f"{k + 1}/{len(tasks)} runs")
        return done
    import multiprocessing as mp
    with mp.get_context("fork").Pool(jobs) as pool:
        for k, result in enumerate(pool.imap_unordered(run_task, tasks)):
            done.append(result)
            if progress and (k + 1) % 10 == 0:
                progress(f"{k + 1}/{len(tasks)} runs")
    return done


def assemble(results: list[tuple[Task, Any]]) -> list[dict[str, Any]]:
    """Group task results into one record per world: oracle, curves, items at the criterion."""
    worlds: dict[tuple, dict[str, Any]] = {}
    for task, value in results:
        key = (task.family, task.order, task.seed)
        w = worlds.setdefault(key, {"family": task.family, "order": task.order,
                                    "world_seed": task.seed, "learners": task.learners,
                                    "recall": FAMILIES[task.family].recall, "curves": {}})
        if task.policy == "oracle":
            w["oracle"] = value
        elif task.policy == "baselines":
            w["curves"].update(value)
        else:
            w["curves"].setdefault(task.policy, []).append(value)
    out = []
    for key in sorted(worlds, key=lambda k: (list(FAMILIES).index(k[0]), ORDERS.index(k[1]), k[2])):
        w = worlds[key]
        base = w["oracle"]["items_per_learner"]
        w["oracle"]["items_vs_oracle"] = 1.0
        for points in w["curves"].values():
            points.sort(key=lambda p: p["setting"])
            for p in points:
                p["items_vs_oracle"] = p["items_per_learner"] / base
        w["at_criterion"] = {}
        w["sessions_at_criterion"] = {"oracle": w["oracle"]["trainer_sessions_per_learner"]}
        for name, points in w["curves"].items():
            x = items_at_criterion(points)
            w["at_criterion"][name] = None if x is None else x / base
            w["sessions_at_criterion"][name] = at_criterion(points, "trainer_sessions_per_learner")
        out.append(w)
    return out


def _spread(values: list[float | None]) -> dict[str, Any]:
    got = [v for v in values if v is not None]
    return {"min": min(got) if got else None, "median": median(got) if got else None,
            "max": max(got) if got else None, "reached": len(got), "of": len(values)}


def _saving(ours: float | None, theirs: float | None) -> float | None:
    return None if ours is None or theirs is None else 1 - ours / theirs


def summarise(worlds: list[dict[str, Any]], against: str = "item_bkt",
              default_threshold: float = 0.95) -> dict[str, Any]:
    """Per family and order: spread over world draws of items ÷ oracle at the criterion, of the
    saving of each engine policy against `against`, against the cheapest baseline and against
    the clairvoyant bound (negative: more items than the bound), and of every policy's figures
    at the shipped threshold."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for w in worlds:
        groups.setdefault(f"{w['family']}/{w['order']}", []).append(w)
    out: dict[str, Any] = {}
    for name, ws in groups.items():
        entry: dict[str, Any] = {"worlds": len(ws), "at_criterion": {}, "saving": {}}
        policies = sorted({p for w in ws for p in w["curves"]})
        for p in policies:
            entry["at_criterion"][p] = _spread([w["at_criterion"].get(p) for w in ws])
        entry["trainer_sessions_at_criterion"] = {
            p: _spread([w["sessions_at_criterion"].get(p) for w in ws]) for p in ["oracle", *policies]}
        for p in [q for q in policies if q not in BASELINES and q != BOUND]:
            vs_item, vs_best, vs_bound = [], [], []
            for w in ws:
                at = w["at_criterion"]
                ours = at.get(p)
                best = [v for b, v in at.items() if b in BASELINES and v is not None]
                vs_item.append(_saving(ours, at.get(against)))
                vs_best.append(_saving(ours, min(best) if best else None))
                vs_bound.append(_saving(ours, at.get(BOUND)))
            entry["saving"][p] = {f"vs_{against}": _spread(vs_item), "vs_best_baseline": _spread(vs_best),
                                  f"vs_{BOUND}": _spread(vs_bound)}
        default = {}
        for p in policies:
            pts = [next((q for q in w["curves"][p] if abs(q["setting"] - default_threshold) < 1e-9), None)
                   for w in ws]
            if all(q is not None for q in pts):
                default[p] = {k: _spread([q[k] for q in pts]) for k in
                              ("items_vs_oracle", "truly_mastered", "false_mastery", "referred",
                               "trainer_sessions_per_learner", "stuck")}
        entry["at_threshold_0.95"] = default
        out[name] = entry
    return out


def run_all(learners: int = 1000, worlds: int = 3, seed: int = 20240601, jobs: int = 1,
            families: Iterable[str] = tuple(FAMILIES), orders: Iterable[str] = ORDERS,
            engine_policies: dict[str, dict[str, Any]] | None = None,
            thresholds: Iterable[float] = COMPTOIR_THRESHOLDS,
            progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    families, orders, thresholds = list(families), list(orders), tuple(thresholds)
    tasks = [t for fam in families for order in orders for s in range(1, worlds + 1)
             for t in tasks_for(fam, order, s, learners, seed, engine_policies, thresholds)]
    if progress:
        progress(f"{len(tasks)} runs: {len(families)} families × {len(orders)} orders × {worlds} "
                 f"worlds, {learners} learners each")
    ws = assemble(_map(tasks, jobs, progress))
    return {"learner_seed": seed, "learners": learners, "world_seeds": list(range(1, worlds + 1)),
            "criterion": {"truly_mastered_min": TARGET_MASTERED, "false_mastery_max": TARGET_FALSE},
            "families": {name: {"recall": f.recall, "pool": f.pool,
                                "competencies": len(f.prerequisites),
                                "held_out": name in HELD_OUT} for name, f in FAMILIES.items()},
            "summary": summarise(ws), "worlds": ws}


def _fmt(x: Any, pct: bool = False) -> str:
    if x is None:
        return "—"
    return f"{x:.1%}" if pct else f"{x:.2f}"


def _span(s: dict[str, Any], pct: bool = False) -> str:
    if s["median"] is None:
        return f"not reached (0/{s['of']})"
    extra = "" if s["reached"] == s["of"] else f" [{s['reached']}/{s['of']}]"
    return f"{_fmt(s['median'], pct)} ({_fmt(s['min'], pct)}–{_fmt(s['max'], pct)}){extra}"


def format_table(report: dict[str, Any]) -> str:
    lines = [f"{report['learners']} learners per world, world seeds {report['world_seeds']}; "
             f"criterion: ≥ {TARGET_MASTERED:.0%} truly mastered, ≤ {TARGET_FALSE:.0%} false mastery",
             "items ÷ oracle at the criterion, median (min–max) over world draws; [k/n]: reached on k of n", ""]
    for name, entry in report["summary"].items():
        lines.append(f"== {name} ({entry['worlds']} worlds)")
        sessions = entry["trainer_sessions_at_criterion"]
        lines.append(f"  {'oracle':22} 1.00; trainer sessions/learner {_span(sessions['oracle'])}")
        for p, s in entry["at_criterion"].items():
            lines.append(f"  {p:22} {_span(s)}; trainer sessions/learner {_span(sessions[p])}")
        for p, sv in entry["saving"].items():
            lines.append(f"  saving of {p} vs item_bkt: {_span(sv['vs_item_bkt'], True)}; "
                         f"vs the cheapest baseline: {_span(sv['vs_best_baseline'], True)}; "
                         f"vs the clairvoyant bound: {_span(sv[f'vs_{BOUND}'], True)}")
        for p, d in entry["at_threshold_0.95"].items():
            if p not in BASELINES and p != BOUND:
                lines.append(f"  {p} at the shipped threshold 0.95: {_span(d['items_vs_oracle'])} × oracle, "
                             f"truly mastered {_span(d['truly_mastered'], True)}, false {_span(d['false_mastery'], True)}, "
                             f"referred {_span(d['referred'], True)}, stuck {_span(d['stuck'], True)}")
        lines.append("")
    return "\n".join(lines)


def with_settings(policies: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """ENGINE_POLICIES plus extra named engine settings (bench scripts)."""
    return {**ENGINE_POLICIES, **policies}

