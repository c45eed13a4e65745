"""Golden files: the framework exporters' output for a small source tree, byte for byte.

A deliberate change of output is reviewed by regenerating: ``COMPTOIR_UPDATE_GOLDEN=1 pytest
tests/test_golden.py`` rewrites ``tests/data/golden/`` and ``git diff`` shows what changed.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from comptoir.cli import main

DATA = Path(__file__).parent / "data"
SOURCES = DATA / "anki"  # the small two-framework tree also used by the Anki round trips
GOLDEN = DATA / "golden"
EXPECTED = ["case/tf.fr.json", "case/tf.it.json", "case/tg.fr.json",
            "taxonomy/tf.fr.csv", "taxonomy/tf.it.csv", "taxonomy/tg.fr.csv"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "dist"
    os.environ["SOURCE_DATE_EPOCH"] = "1767225600"  # 2026-01-01: golden files do not depend on mtimes
    try:
        assert main(["--content", str(SOURCES), "build", "--quiet", "--target", "case", "--target", "taxonomy",
                     "--out", str(out)]) == 0
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    return out


@pytest.mark.parametrize("name", EXPECTED)
def test_output_matches_golden_file(built, name):
    produced = (built / name).read_bytes()
    golden = GOLDEN / name
    if os.environ.get("COMPTOIR_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(produced)
    assert produced == golden.read_bytes(), f"{name} differs from {golden}; regenerate if intended"


def test_nothing_else_is_built(built):
    produced = sorted(p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file())
    assert produced == sorted(EXPECTED + ["manifest.json"])
