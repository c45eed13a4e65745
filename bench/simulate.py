"""Sequencing benchmark (same as `comptoir simulate`): policies side by side on simulated learners.

    python bench/simulate.py [--json] [--learners 1000] [--worlds 3] [--jobs N]
"""
from __future__ import annotations

import sys

from comptoir.commands.adaptive import main

if __name__ == "__main__":
    sys.exit(main(["simulate", *sys.argv[1:]]))
