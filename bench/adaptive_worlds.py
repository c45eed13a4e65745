"""Spread of the sequencing figures over more world draws than `comptoir simulate` uses.

    python bench/adaptive_worlds.py [--worlds 8] [--learners 1000] [--jobs N] [--out report.json]

Same protocol as `comptoir simulate` (docs/adaptive.md, "Sequencing benchmark"), world seeds
1..N for every family and order; prints the summary table and writes the full JSON report.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from comptoir.adaptive.simulate import format_table, run_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=8)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", default="adaptive_worlds.json")
    args = parser.parse_args()
    report = run_all(learners=args.learners, worlds=args.worlds, jobs=args.jobs,
                     progress=lambda m: print(m, file=sys.stderr, flush=True))
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=1)
    print(format_table(report))


if __name__ == "__main__":
    main()
