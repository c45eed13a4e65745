"""The presentation layer: a golden file of the small demo course as every target receives it, and
the properties that hold for the whole shipped content (views never give the key away).

``COMPTOIR_UPDATE_GOLDEN=1 pytest tests/test_present.py`` rewrites the golden file; review the diff.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from comptoir.diagnostics import Report
from comptoir.i18n import localise
from comptoir.present import present, to_data
from comptoir.project import load_content
from comptoir.resolve import resolve

from .conftest import CONTENT

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden" / "present" / "demo.it.json"


def presented(root: Path, course: str, language: str):
    report = Report(root.parent)
    content = load_content(root, report)
    assert not report.errors
    localised, _ = localise(resolve(content, course), language, root.parent / "locales")
    return content, present(localised, "media/")


def test_demo_course_matches_golden_file():
    _, shown = presented(DATA / "anki", "demo", "it")
    produced = json.dumps(to_data(shown), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if os.environ.get("COMPTOIR_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(produced, encoding="utf-8")
    assert produced == GOLDEN.read_text(encoding="utf-8"), "regenerate with COMPTOIR_UPDATE_GOLDEN=1 if intended"


@pytest.fixture(scope="module")
def shipped():
    report = Report(CONTENT.parent)
    content = load_content(CONTENT, report)
    return content, {cid: present(resolve(content, cid)) for cid in sorted(content.courses)}


def test_every_course_item_is_presented_once_with_its_lesson(shipped):
    content, courses = shipped
    for cid, shown in courses.items():
        expected = [item.id for item in resolve(content, cid).items]  # the resolver's own selection
        assert [item.id for item in shown.items] == expected, cid
        in_blocks = [b.item for lesson in shown.lessons for b in lesson.blocks if b.kind == "item"]
        assert in_blocks == expected, cid


def test_views_address_choices_by_position_and_never_show_the_key(shipped):
    content, courses = shipped
    source = {item.id: item for lesson in content.lessons.values() for item in lesson.items}
    for shown in courses.values():
        for item in shown.items:
            data = json.dumps(to_data(item.view), ensure_ascii=False)
            assert '"correct"' not in data and '"answers"' not in data and '"outcome"' not in data
            original = source[item.id]
            if item.type in ("single", "multiple"):
                assert len(item.view.choices) == len(original.choices)
                right = {i for i, c in enumerate(original.choices) if c.correct}  # authors' order is kept
                assert set(item.key.correct) == right
            if item.type == "fill-in":
                assert not any(re.search(rf"\b{re.escape(a)}\b", item.view.prompt) for a in original.answers
                               if len(a) > 3 and a not in original.prompt)
            if item.type == "sequencing":
                assert [item.view.steps[i] for i in item.key.order] != list(item.view.steps)  # never shown in order
            if item.type == "matching":
                assert list(item.key.pairs) != list(range(len(item.key.pairs)))


def test_every_scenario_best_path_reaches_its_best_outcome(shipped):
    _, courses = shipped
    for shown in courses.values():
        for item in (i for i in shown.items if i.type == "scenario"):
            view, key = item.view, item.key
            node, moves = view.start, 0
            while key.outcome[node] is None:
                assert any(key.best[node]), (item.id, node)
                move = key.best[node].index(True)
                assert key.reach[node][move] == max(key.reach[node])
                node, moves = key.next[node][move], moves + 1
            assert max(key.reach[view.start]) == {"success": 1.0, "partial": 0.5, "failure": 0.0}[key.outcome[node]]
