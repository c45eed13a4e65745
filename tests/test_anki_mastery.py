"""``comptoir mastery --anki``: scripted reviews in a real Anki collection → per-competency mastery."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from comptoir.cli import main

from .test_anki import DATA, apkg, fences, import_into, review

pytest.importorskip("anki.collection", reason="the official anki package (test extra) is needed")
from anki.collection import Collection  # noqa: E402
from anki.scheduler.v3 import CardAnswer  # noqa: E402

LESSON_UNIT = {"x1-saluer": "tf:x.1", "x2-monnaie": "tf:x.2", "y1-apaiser": "tf:y.1"}


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collection where x.1 items are all answered right, x.2 half, y.1 all wrong; key points
    are failed (they must not count) and one x.1 card is repeated the same day (counted once)."""
    tmp = tmp_path_factory.mktemp("mastery")
    col = Collection(str(tmp / "collection.anki2"))
    import_into(col, apkg(DATA, "it", 1_700_000_000), tmp, "demo.apkg")
    plan = {"x1-saluer": [CardAnswer.GOOD], "x2-monnaie": [CardAnswer.GOOD, CardAnswer.AGAIN],
            "y1-apaiser": [CardAnswer.AGAIN]}
    for lesson, ratings in plan.items():
        for i, nid in enumerate(sorted(col.find_notes(f"tag:comptoir::lesson::{lesson} -tag:comptoir::type::key-point"))):
            review(col, col.get_note(nid).cards()[0].id, ratings[i % len(ratings)])
        for nid in col.find_notes(f"tag:comptoir::lesson::{lesson} tag:comptoir::type::key-point"):
            review(col, col.get_note(nid).cards()[0].id, CardAnswer.AGAIN)
    repeat = col.find_notes('"Id:x1-q1"')[0]
    review(col, col.get_note(repeat).cards()[0].id, CardAnswer.GOOD)
    col.export_collection_package(str(tmp / "export.colpkg"), include_media=True, legacy=False)
    col.reopen()
    col.close()
    return tmp


def mastery_json(path: Path, capsys: pytest.CaptureFixture, *extra: str) -> dict:
    assert main(["--content", str(DATA), "mastery", "--anki", str(path), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", ["collection.anki2", "export.colpkg"])
def test_mastery_orders_competencies_by_evidence(reviewed: Path, capsys: pytest.CaptureFixture, name: str) -> None:
    result = mastery_json(reviewed / name, capsys)
    p = {row["ref"]: row["p"] for row in result["competencies"]}
    assert p["tf:x.1"] > p["tf:x.2"] > p["tf:y.1"]
    assert p["tf:y.1"] < 0.2 < p["tf:x.1"]  # below / above the course prior
    items = {lesson: sum(kind != "key-point" for kind, _ in found) for lesson, found in fences(DATA).items()}
    reviews = {row["ref"]: row["reviews"] for row in result["competencies"]}
    assert reviews == {LESSON_UNIT[lesson]: n for lesson, n in items.items()}
    key_points = sum(kind == "key-point" for found in fences(DATA).values() for kind, _ in found)
    assert result["reviews"] == {"counted": sum(items.values()), "ignored": key_points + 1}


def test_table_and_png_chart(reviewed: Path, capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    chart = tmp_path / "mastery.png"
    assert main(["--content", str(DATA), "mastery", "--anki", str(reviewed / "collection.anki2"),
                 "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "tf:x.1" in out and "tf:y.1" in out and "mastered" in out
    image = Image.open(chart).convert("RGB")
    bars = {(40, 120, 80), (70, 110, 200)}  # mastered / not yet (comptoir.charts)
    rows = [y for y in range(image.height) if any(image.getpixel((x, y)) in bars for x in range(image.width))]
    runs = sum(1 for a, b in zip([-2] + rows, rows) if b != a + 1)
    assert runs == 3  # one bar per competency of the course


def test_unreadable_input_names_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "nothing.colpkg"
    assert main(["--content", str(DATA), "mastery", "--anki", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err
    empty = tmp_path / "empty.anki2"
    Collection(str(empty)).close()
    assert main(["--content", str(DATA), "mastery", "--anki", str(empty)]) == 2
    assert "choose one with --course (demo)" in capsys.readouterr().err
    assert main(["--content", str(DATA), "mastery", "--anki", str(empty), "--course", "demo", "--json"]) == 0
    assert {row["reviews"] for row in json.loads(capsys.readouterr().out)["competencies"]} == {0}
