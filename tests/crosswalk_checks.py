"""Checks every crosswalk file must pass, shared by the seed tests of the three other frameworks."""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

RELATIONS = {"exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch", "noMatch"}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["source", "target", "relation", "rationale"]
        return list(reader)


def assert_well_formed(rows: list[dict[str, str]], target: str) -> None:
    """Allowed relations, one side exactly for noMatch, right frameworks, no repeated pair or rationale."""
    for row in rows:
        assert row["relation"] in RELATIONS, row
        assert row["rationale"].strip(), row
        sides = [bool(row["source"]), bool(row["target"])]
        assert sides.count(True) == (1 if row["relation"] == "noMatch" else 2), row
        assert not row["source"] or row["source"].startswith("ch-arc:"), row
        assert not row["target"] or row["target"].startswith(f"{target}:"), row
    pairs = Counter((row["source"], row["target"]) for row in rows)
    assert [pair for pair, count in pairs.items() if count > 1] == []
    rationales = Counter(row["rationale"] for row in rows)
    assert [text for text, count in rationales.items() if count > 1] == []
