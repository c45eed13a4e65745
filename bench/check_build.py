"""Wall time of `comptoir check` and of a full `comptoir build`, as a user runs them.

    python bench/check_build.py [--content content] [--repeat 3]

Each command runs in a fresh interpreter (startup and imports count, as they do for a user), the
build into a new folder of a temporary directory; the median of ``--repeat`` runs is printed next
to the figures before YAML went through libyaml. Prints figures; asserts nothing (DESIGN §8).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Measured before libyaml, on 2 cores: (seconds, what).
PREVIOUS = {"check": 1.45, "build": 3.3}


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--content", default="content", help="the content folder (default: ./content)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per command; the median is shown")
    args = parser.parse_args()
    content = str(Path(args.content).resolve())
    comptoir = [sys.executable, "-m", "comptoir", "--content", content]
    with tempfile.TemporaryDirectory() as tmp:
        runs = {
            "check": [wall_time([*comptoir, "check"]) for _ in range(args.repeat)],
            "build": [wall_time([*comptoir, "build", "--quiet", "--out", f"{tmp}/dist-{i}"])
                      for i in range(args.repeat)],
        }
    print(f"{os.cpu_count()} core(s), median of {args.repeat} run(s)")
    for name, times in runs.items():
        median = statistics.median(times)
        print(f"comptoir {name:<6} {median:6.2f} s   (before libyaml: {PREVIOUS[name]:.2f} s on 2 cores; "
              f"{median / PREVIOUS[name]:.0%} of it)")


if __name__ == "__main__":
    main()
