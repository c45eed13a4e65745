"""The sequencing benchmark: protocol invariants on small runs (the figures live in bench/)."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

pytest.importorskip("numpy")

import numpy as np  # noqa: E402

from comptoir.adaptive.engine import next_activity  # noqa: E402
from comptoir.adaptive import simulate as sim  # noqa: E402
from comptoir.adaptive.simulate import (FAMILIES, HELD_OUT, REFERENCE, TUNING, BKTBatch,  # noqa: E402
                                        ClairvoyantBatch,
                                        FixedBatch, OracleBatch, at_criterion, engine_point,
                                        items_at_criterion, make_learners, make_world,
                                        run_batch, run_engine, summarise, trainer_bound,
                                        world_course)


def test_worlds_follow_their_family_and_are_fixed_by_their_seed() -> None:
    for fam in FAMILIES.values():
        world = make_world(fam, "teach_first", 4)
        n = len(fam.prerequisites)
        assert world.n == n and all(q < c for c, qs in enumerate(fam.prerequisites) for q in qs)
        assert all(fam.prior[0] <= p <= fam.prior[1] for p in world.prior)
        assert all(fam.learn[0] <= x <= fam.learn[1] for x in world.learn)
        assert all(len(t) == fam.pool for t in world.types)
        assert all(fam.slip[0] <= s <= fam.slip[1] for row in world.slips for s in row)
        assert make_world(fam, "teach_first", 4) == world
        assert make_world(fam, "teach_first", 5) != world
    assert set(TUNING) | set(HELD_OUT) == set(FAMILIES) and not set(TUNING) & set(HELD_OUT)


def test_the_comptoir_policy_is_the_engine_with_its_shipped_defaults() -> None:
    world = make_world(REFERENCE, "answer_first", 1)
    course = world_course(world, 0.95)
    from comptoir.adaptive.course import (DEFAULT_MAX_PASSES, DEFAULT_REPEAT_MEMORY,
                                          DEFAULT_REVIEW_BASE, DEFAULT_TRAINER_ANSWERS)
    assert (course.review_base, course.repeat_memory, course.max_passes, course.trainer_answers) == (
        DEFAULT_REVIEW_BASE, DEFAULT_REPEAT_MEMORY, DEFAULT_MAX_PASSES, DEFAULT_TRAINER_ANSWERS)
    assert sim.ENGINE_POLICIES["comptoir"] == {}


def test_run_engine_calls_next_activity_until_the_course_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world(REFERENCE, "answer_first", 1)
    people = make_learners(world, 12, seed=3)
    calls = {"next": 0, "none": 0}

    def spy(course, state):
        calls["next"] += 1
        act = next_activity(course, state)
        calls["none"] += act is None
        return act

    monkeypatch.setattr(sim, "next_activity", spy)
    result = run_engine(world, people, world_course(world, 0.95))
    # every learner's course ended on None, and every other call was one item
    assert calls["none"] == 12 and result["stuck"] == 0.0
    assert calls["next"] - 12 == pytest.approx(result["items_per_learner"] * 12)


def test_run_engine_logs_every_answer_as_an_lms_would() -> None:
    world = make_world(FAMILIES["third"], "answer_first", 2)
    people = make_learners(world, 20, seed=6)
    log: list[tuple[int, int, int, bool]] = []
    result = run_engine(world, people, world_course(world, 0.9), log)
    assert len(log) == pytest.approx(result["items_per_learner"] * 20)
    pool = world.family.pool
    assert all(i // pool == c for _, c, i, _ in log) and {lr for lr, *_ in log} == set(range(20))
    assert 0 < sum(right for *_, right in log) < len(log)


def test_reviews_cost_items_and_are_counted() -> None:
    world = make_world(REFERENCE, "teach_first", 2)
    people = make_learners(world, 60, seed=3)
    with_reviews = engine_point(world, people, "comptoir", 0.95)
    without = engine_point(world, people, "comptoir_no_reviews", 0.95)
    assert with_reviews["items_per_learner"] > without["items_per_learner"]


def test_oracle_is_exact_and_the_trainer_bound_caps_every_policy() -> None:
    world = make_world(FAMILIES["third"], "answer_first", 1)
    people = make_learners(world, 300, seed=3)
    oracle = run_batch(world, people, lambda size: OracleBatch(world, size), oracle=True)
    assert oracle["false_mastery"] == 0.0 and oracle["over_practice_per_learner"] == 0.0
    assert oracle["truly_mastered"] == 1.0  # what the learner did not learn, the trainer taught
    bound = trainer_bound(world)
    assert bound == max(3 * world.family.pool, 18)
    assert oracle["items_per_learner"] <= bound * world.n
    fixed = run_batch(world, people, lambda size: FixedBatch(world, size, 5))
    assert fixed["items_per_learner"] == 5 * world.n and fixed["trainer_sessions_per_learner"] == 0


def test_recall_of_repeated_items_fools_bkt_that_counts_repeats_as_new() -> None:
    """In a family where learners recall repeated items, item-aware BKT's verdicts go wrong."""
    recall = make_world(FAMILIES["second"], "answer_first", 1)
    people = make_learners(recall, 300, seed=3)
    fooled = run_batch(recall, people, lambda size: BKTBatch(recall, size, 0.95))
    honest = run_batch(replace(recall, family=replace(recall.family, recall=0.0)), people,
                       lambda size: BKTBatch(recall, size, 0.95))
    assert fooled["false_mastery"] > honest["false_mastery"] + 0.05


@pytest.mark.parametrize("family,order", [("second", "answer_first"), ("third", "teach_first")])
def test_the_clairvoyant_bound_is_the_exact_posterior(family: str, order: str) -> None:
    """Under the true model its P(known) is calibrated — the number of false verdicts matches the
    sum of 1 − P(known) at each verdict, in a world with recall (a weak check of the order, which
    the enumeration test below pins down)."""
    world = make_world(FAMILIES[family], order, 2)
    people = make_learners(world, 400, seed=11)
    doubt: list[float] = []

    class Recording(ClairvoyantBatch):
        def observe(self, c, rows, k, correct):  # type: ignore[no-untyped-def]
            super().observe(c, rows, k, correct)
            p = self.p[rows]
            doubt.extend((1.0 - p[p >= self.threshold]).tolist())

        def taught(self, rows):  # type: ignore[no-untyped-def]
            super().taught(rows)  # a trainer's verdict: known for sure
            doubt.extend([0.0] * len(rows))

    got = run_batch(world, people, lambda size: Recording(world, size, 0.9))
    assert got["stuck"] == 0.0
    declared = len(doubt)
    expected, spread = sum(doubt), sum(d * (1 - d) for d in doubt) ** 0.5
    assert declared == pytest.approx(world.n * 400, rel=0.01)  # (a few start mastered)
    assert sum(d == 0.0 for d in doubt) > 100  # the trainer rule was exercised
    assert abs(got["false_mastery"] * declared - expected) < 4 * spread + 2


@pytest.mark.parametrize("order", ["answer_first", "teach_first"])
def test_the_clairvoyant_posterior_matches_enumerating_when_the_learner_learned(order: str) -> None:
    """Independent check of the bound's filter, step by step: P(known) by summing over every moment
    the learner may have learned (known at the start, at step j's learning, never), each answer's
    likelihood taken with the world's recall of its item and the world's order (learning before
    the answer in teach_first, after it in answer_first)."""
    world = make_world(FAMILIES["third"], order, 3)
    c, rate, prior, recall = 4, 0.23, world.prior[4], world.family.recall
    script = [(0, False), (2, True), (0, True), (5, False), (2, True), (0, True), (3, True)]
    bound = ClairvoyantBatch(world, 1, 0.95)
    bound.begin(c, np.array([rate]))
    seen: dict[int, int] = {}
    steps = []
    for k, right in script:
        r = 1.0 - (1.0 - recall) ** seen.get(k, 0)
        seen[k] = seen.get(k, 0) + 1
        g, s = world.guesses()[c, k], world.slips[c][k]
        steps.append((r + (1 - r) * (1 - s) if right else (1 - r) * s,   # P(answer | known)
                      r + (1 - r) * g if right else (1 - r) * (1 - g)))  # P(answer | not known)
        bound.observe(c, np.array([0]), np.array([k]), np.array([right]))
        n = len(steps)
        # learned at "moment" m: 0 = known at the start, j = at step j's learning, n + 1 = not yet
        weights = [prior] + [(1 - prior) * (1 - rate) ** (j - 1) * rate for j in range(1, n + 1)] \
            + [(1 - prior) * (1 - rate) ** n]
        joint = []
        for m, w in enumerate(weights):
            for t, (if_known, if_not) in enumerate(steps, start=1):
                known = m <= t if order == "teach_first" else m < t
                w *= if_known if known else if_not
            joint.append(w)
        assert bound.p[0] == pytest.approx(sum(joint[:n + 1]) / sum(joint), rel=1e-12)


def test_same_learners_same_figures() -> None:
    world = make_world(FAMILIES["second"], "teach_first", 1)
    a = engine_point(world, make_learners(world, 30, seed=5), "comptoir", 0.9)
    b = engine_point(world, make_learners(world, 30, seed=5), "comptoir", 0.9)
    assert a == b


def point(items: float, mastered: float, false: float, sessions: float = 0.0) -> dict[str, float]:
    return {"items_per_learner": items, "truly_mastered": mastered, "false_mastery": false,
            "trainer_sessions_per_learner": sessions}


def test_items_at_criterion_interpolates_where_the_binding_constraint_is_met() -> None:
    curve = [point(10, 0.93, 0.04, 1.0), point(12, 0.97, 0.02, 2.0), point(15, 0.99, 0.01)]
    # mastered crosses 0.95 halfway, false crosses 0.03 halfway: 11 items, 1.5 sessions
    assert items_at_criterion(curve) == pytest.approx(11.0)
    assert at_criterion(curve, "trainer_sessions_per_learner") == pytest.approx(1.5)
    curve = [point(10, 0.96, 0.05), point(14, 0.97, 0.01)]  # only false binds, at 1/2
    assert items_at_criterion(curve) == pytest.approx(12.0)
    assert items_at_criterion([point(10, 0.9, 0.1)]) is None


def test_summary_reports_the_spread_over_world_draws() -> None:
    def world(seed: int, ours: float | None, theirs: float) -> dict:
        curve = [{"setting": 0.95, "items_vs_oracle": 1.0, "truly_mastered": 0.97,
                  "false_mastery": 0.02, "referred": 0.1, "trainer_sessions_per_learner": 0.1,
                  "stuck": 0.0}]
        return {"family": "reference", "order": "answer_first", "world_seed": seed,
                "curves": {"comptoir": curve, "item_bkt": curve},
                "at_criterion": {"comptoir": ours, "item_bkt": theirs},
                "sessions_at_criterion": {"oracle": 0.1, "comptoir": 0.2, "item_bkt": 0.3}}

    out = summarise([world(1, 1.2, 1.5), world(2, 1.4, 1.4), world(3, None, 1.6)])
    entry = out["reference/answer_first"]
    assert entry["at_criterion"]["comptoir"] == {"min": 1.2, "median": pytest.approx(1.3),
                                                 "max": 1.4, "reached": 2, "of": 3}
    saving = entry["saving"]["comptoir"]["vs_item_bkt"]
    assert saving["min"] == pytest.approx(0.0) and saving["max"] == pytest.approx(0.2)
    assert saving["reached"] == 2


def test_simulate_command_prints_json(capsys: pytest.CaptureFixture) -> None:
    from comptoir.commands.adaptive import main
    assert main(["simulate", "--json", "--learners", "15", "--worlds", "1", "--families",
                 "reference", "--orders", "teach_first", "--jobs", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    (w,) = report["worlds"]
    assert (w["family"], w["order"], w["world_seed"]) == ("reference", "teach_first", 1)
    assert {"comptoir", "comptoir_no_reviews", "repeats_as_new_no_reviews", "item_bkt",
            "individual_bkt", "plain_bkt", "n_in_a_row", "fixed_sequence",
            "clairvoyant_bound"} == set(w["curves"])
    assert "reference/teach_first" in report["summary"]
    assert main(["simulate", "--families", "nowhere"]) == 2
