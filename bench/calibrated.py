"""What a course gets once calibrated from its LMS: the benchmark's worlds, a first cohort's
answers, `comptoir calibrate --repeat-memory fit`'s model, then the engine as the player runs it.

    python bench/calibrated.py [--learners 600] [--cohort 600] [--worlds 3] [--families ...]

For each world: a first cohort of learners (another seed) takes the course with the shipped
engine; its answers are what the LMS holds. `fit_recall` fits every competency's prior and
learn, every item's guess and slip (items answered by 50 learners or more) and the recall of
repeated items, as `comptoir calibrate` does. The calibrated engine — same defaults otherwise —
then meets the benchmark's learners (the same as `comptoir simulate`'s), over the same
thresholds, and its items at the criterion are printed beside the shipped engine's and the
clairvoyant bound's, from bench/results/simulate.json (same learners, same worlds).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from statistics import median

from comptoir.adaptive.calibrate import fit_recall
from comptoir.adaptive.course import EngineCourse, Params
from comptoir.adaptive.data import Response
from comptoir.adaptive.simulate import (COMPTOIR_THRESHOLDS, FAMILIES, ORDERS, OracleBatch, World,
                                        items_at_criterion, make_learners, make_world, run_batch,
                                        run_engine, world_course)

RESULTS = Path(__file__).parent / "results" / "simulate.json"


def calibrated(world: World, threshold: float, doc: dict) -> EngineCourse:
    """The course as `learner_model.calibration` would make it: fitted prior/learn per competency,
    fitted guess/slip per applied item, the fitted recall."""
    base = world_course(world, threshold, repeat_memory=float(doc["repeat_memory"]))
    params = tuple(Params(doc["skills"][ref]["prior"], doc["skills"][ref]["learn"])
                   if ref in doc["skills"] else p for ref, p in zip(base.competencies, base.params))
    items = tuple(replace(it, guess=doc["items"][it.id]["guess"], slip=doc["items"][it.id]["slip"])
                  if doc["items"].get(it.id, {}).get("applied") else it for it in base.items)
    return replace(base, params=params, items=items)


def one_world(family: str, order: str, seed: int, learners: int, cohort: int,
              learner_seed: int) -> dict:
    world = make_world(FAMILIES[family], order, seed)
    log: list[tuple[int, int, int, bool]] = []
    shipped = world_course(world, 0.95)
    run_engine(world, make_learners(world, cohort, learner_seed + 1), shipped, log)
    responses = [Response(str(lr), shipped.competencies[c], int(right), shipped.items[i].id)
                 for lr, c, i, right in log]
    defaults = {it.id: (it.guess, it.slip) for it in shipped.items}
    doc = fit_recall(responses, defaults)
    people = make_learners(world, learners, learner_seed)
    oracle = run_batch(world, people, lambda size: OracleBatch(world, size), oracle=True)
    curve = [{"setting": t, **run_engine(world, people, calibrated(world, t, doc))}
             for t in COMPTOIR_THRESHOLDS]
    at = items_at_criterion(curve)
    return {"family": family, "order": order, "world_seed": seed, "answers": len(log),
            "repeat_memory": doc["repeat_memory"], "recall": FAMILIES[family].recall,
            "calibrated": None if at is None else at / oracle["items_per_learner"]}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--learners", type=int, default=600)
    ap.add_argument("--cohort", type=int, default=600)
    ap.add_argument("--worlds", type=int, default=3)
    ap.add_argument("--families", nargs="+", default=list(FAMILIES))
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args(argv)
    shipped = json.loads(RESULTS.read_text()) if RESULTS.is_file() else None
    for family in args.families:
        for order in ORDERS:
            rows = [one_world(family, order, s, args.learners, args.cohort, args.seed)
                    for s in range(1, args.worlds + 1)]
            got = [r["calibrated"] for r in rows if r["calibrated"] is not None]
            fitted = ", ".join(f"{r['repeat_memory']:.2f}" for r in rows)
            line = (f"{family}/{order}: fitted repeat_memory {fitted} (true recall {rows[0]['recall']}); "
                    f"calibrated comptoir {median(got):.2f} ({min(got):.2f}–{max(got):.2f}) × oracle"
                    if got else f"{family}/{order}: calibrated comptoir does not meet the criterion")
            if len(got) < len(rows):
                line += f" [{len(got)}/{len(rows)} draws]"
            if shipped and (args.learners, args.seed, list(range(1, args.worlds + 1))) == (
                    shipped["learners"], shipped["learner_seed"], shipped["world_seeds"]):
                entry = shipped["summary"][f"{family}/{order}"]["at_criterion"]
                line += (f"; shipped {entry['comptoir']['median']:.2f}, clairvoyant bound "
                         f"{entry['clairvoyant_bound']['median']:.2f}")
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
