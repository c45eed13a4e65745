"""Robustness of the sequencing result across world draws of the same protocols.

    python bench/adaptive_worlds.py [--worlds 6] [--learners 3000]

`comptoir simulate` uses one fixed world per generator; this draws the worlds again with other
seeds (same protocol, same learners' seed) and prints, per world, comptoir's items ÷ oracle at
the accuracy criterion, the best baseline's, and the saving (cheapest grid setting, and
interpolated between settings).
"""
from __future__ import annotations

import argparse
import json
from dataclasses import replace

from comptoir.adaptive.simulate import REFERENCE, SECOND, run_generator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=6)
    parser.add_argument("--learners", type=int, default=3000)
    args = parser.parse_args()
    rows = []
    for gen in (REFERENCE, SECOND):
        for seed in range(1, args.worlds + 1):
            t = run_generator(replace(gen, seed=seed), args.learners, 20240601)["target"]
            rows.append({"generator": gen.name, "world_seed": seed,
                         "comptoir_vs_oracle": t["comptoir"] and round(t["comptoir"]["items_vs_oracle"], 3),
                         "baseline": t["best_baseline"] and t["best_baseline"]["family"],
                         "baseline_vs_oracle": t["best_baseline"] and round(t["best_baseline"]["items_vs_oracle"], 3),
                         "saving": t["saving"] and round(t["saving"], 3),
                         "saving_interpolated": t.get("saving_interpolated") and round(t["saving_interpolated"], 3)})
            print(json.dumps(rows[-1]), flush=True)


if __name__ == "__main__":
    main()
