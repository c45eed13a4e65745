"""The sequencing benchmark: protocol invariants on a small run (the full figures live in bench/)."""
from __future__ import annotations

import pytest

pytest.importorskip("numpy")

from comptoir.adaptive.simulate import (REFERENCE, SECOND, Fixed, Oracle, make_learners,  # noqa: E402
                                        make_world, run_generator, run_policy, verdict)


def test_reference_world_follows_the_protocol() -> None:
    world = make_world(REFERENCE)
    assert len(world.prior) == 8 and all(0.05 <= p <= 0.4 for p in world.prior)
    assert all(0.08 <= x <= 0.3 for x in world.learn)
    assert all(len(t) == 12 for t in world.types)
    assert all(0.05 <= s <= 0.15 for row in world.slips for s in row)
    assert all(q < c for c, qs in enumerate(REFERENCE.prerequisites) for q in qs)  # a DAG
    assert make_world(REFERENCE) == world  # fixed seed


def test_oracle_never_over_practises_and_fixed_sequence_counts_items() -> None:
    world = make_world(REFERENCE)
    people = make_learners(world, 150, seed=3)
    oracle = run_policy(world, people, lambda: Oracle(world))
    assert oracle["false_mastery"] == 0.0 and oracle["over_practice_per_learner"] == 0.0
    fixed = run_policy(world, people, lambda: Fixed(world, 5))
    assert fixed["items_per_learner"] == 5 * 8
    assert fixed["truly_mastered"] < oracle["truly_mastered"]


def test_small_run_is_deterministic_and_thresholds_trade_items_for_accuracy() -> None:
    a = run_generator(SECOND, 120, seed=5)
    b = run_generator(SECOND, 120, seed=5)
    assert a == b
    ours = a["curves"]["comptoir"]
    assert ours[0]["items_per_learner"] < ours[-1]["items_per_learner"]
    assert ours[0]["false_mastery"] > ours[-1]["false_mastery"]
    assert set(a["curves"]) == {"comptoir", "plain_bkt", "n_in_a_row", "fixed_sequence",
                                "ablation_item_guess_authored_order"}


def point(items: float, mastered: float, false: float, setting: float = 0.0) -> dict[str, float]:
    return {"items_per_learner": items, "truly_mastered": mastered, "false_mastery": false,
            "setting": setting}


def test_verdict_compares_cheapest_settings_meeting_the_accuracy_criterion() -> None:
    curves = {"comptoir": [point(8, 0.94, 0.02), point(9, 0.96, 0.02)],
              "plain_bkt": [point(9.5, 0.97, 0.01), point(11, 0.98, 0.01)],
              "n_in_a_row": [point(7, 0.90, 0.08)]}
    v = verdict(curves)
    assert v["comptoir"]["items_per_learner"] == 9
    assert v["best_baseline"]["family"] == "plain_bkt"
    assert v["saving"] == pytest.approx(1 - 9 / 9.5) and v["met"] is False


def test_items_at_criterion_interpolates_where_the_binding_constraint_is_met() -> None:
    from comptoir.adaptive.simulate import items_at_criterion
    curve = [point(10, 0.93, 0.04), point(12, 0.97, 0.02), point(15, 0.99, 0.01)]
    # mastered crosses 0.95 halfway, false crosses 0.03 halfway: 11 items
    assert items_at_criterion(curve) == pytest.approx(11.0)
    curve = [point(10, 0.96, 0.05), point(14, 0.97, 0.01)]  # only false binds, at 1/2
    assert items_at_criterion(curve) == pytest.approx(12.0)
    assert items_at_criterion([point(10, 0.9, 0.1)]) is None
