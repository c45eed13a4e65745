"""Instructor reports: the crosswalk page, the competency graph, the coverage heat map and the mastery
chart name competencies by their wording; progress bars; every command's --help has examples."""
from __future__ import annotations

import argparse
import csv
import html
import io
import re
import shutil

import pytest
import yaml
from comptoir.charts import label
from comptoir.cli import main, parser
from comptoir.diagnostics import Report
from comptoir.progress import Bar
from comptoir.project import load_content
from comptoir.reports.crosswalks import crosswalk_page
from comptoir.resolve import resolve

from .conftest import CONTENT, REPO

DATA = REPO / "tests" / "data" / "anki"


@pytest.fixture(scope="module")
def shipped():
    return load_content(CONTENT, Report(CONTENT.parent))


def test_crosswalk_page_shows_every_link_with_relation_and_rationale(shipped):
    page = crosswalk_page(shipped)
    for path in sorted((CONTENT / "crosswalks").glob("*.csv")):  # the oracle: the CSV files themselves
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        source, target = path.stem.split("__")
        assert f'<h2 id="cw-{source}--{target}">' in page
        assert f"{len(rows)} links" in page
        for row in rows:
            assert html.escape(row["rationale"]) in page, row
    # Competencies by wording, not codes only.
    assert "servir les nouveaux clients" in page


def test_crosswalk_command_writes_the_page(tmp_path, capsys):
    out = tmp_path / "cw.html"
    assert main(["--content", str(DATA), "report", "crosswalks", "--html", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "tf:x.1" not in page and "<code>x.1</code> saluer le client" in page and "Both are the greeting." in page


def test_graph_draws_each_prerequisite_as_an_arrow():
    pytest.importorskip("graphviz")
    from comptoir.reports.graph import course_graph

    content = load_content(DATA, Report())
    source = course_graph(resolve(content, "demo")).source
    prerequisites = yaml.safe_load((DATA / "frameworks" / "tf.yaml").read_text(encoding="utf-8"))["prerequisites"]
    names = dict(re.findall(r'(u\d+) \[label="([^\\"]+)', source))  # node → its code (first line)
    by_code = {code: node for node, code in names.items()}
    for unit, needs in prerequisites.items():
        for need in needs:
            assert f"{by_code[need]} -> {by_code[unit]}" in source
    assert "saluer le client" in source and "6 item(s)" in source


def test_graph_command_writes_svg_and_png(tmp_path):
    pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is absent (apt-get install graphviz)")
    assert main(["--content", str(DATA), "report", "graph", "--course", "demo", "--out", str(tmp_path / "g.svg")]) == 0
    svg = (tmp_path / "g.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "apaiser un client" in svg
    assert main(["--content", str(DATA), "report", "graph", "--course", "demo", "--out", str(tmp_path / "g.png")]) == 0
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_graph_without_dot_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    pytest.importorskip("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot anywhere
    assert main(["--content", str(DATA), "report", "graph", "--course", "demo", "--out", str(tmp_path / "g.svg")]) == 2
    assert "apt-get install graphviz" in capsys.readouterr().err
    assert not (tmp_path / "g.svg").exists()
    assert main(["--content", str(DATA), "report", "graph", "--course", "demo", "--out", str(tmp_path / "g.pdf")]) == 2
    assert main(["--content", str(DATA), "report", "graph", "--course", "nope", "--out", str(tmp_path / "g.svg")]) == 2


def test_coverage_heat_map_names_courses_and_competencies(tmp_path, capsys):
    out = tmp_path / "coverage.html"
    assert main(["--content", str(DATA), "coverage", "--html", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<h2>Cours de démonstration <small>(course demo · Référentiel de test)</small></h2>" in page
    assert "<code>y.1</code>apaiser un client mécontent" in page


def test_mastery_chart_labels_keep_the_wording_readable():
    assert label("b.1", "servir les nouveaux clients") == "b.1  servir les nouveaux clients"
    long = label("b.2", "mener de manière proactive les entretiens avec de nouveaux clients et des personnes "
                        "intéressées, en présentant les avantages du produit")
    lines = long.split("\n")
    assert len(lines) == 2 and lines[0].startswith("b.2  mener") and lines[1].endswith("…")


def test_progress_bar_only_on_a_terminal():
    quiet = io.StringIO()
    Bar("reading", quiet)(1, 4, "a.md")  # a StringIO is no terminal
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    with Bar("reading", shown, active=True) as bar:
        bar(2, 4, "b.md")
        assert shown.getvalue().startswith("\rreading [" + "#" * 12 + "-" * 12 + "] 2/4 b.md")
    assert shown.getvalue().endswith("\r")  # the bar is erased at the end


def _commands(top: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _commands(sub, (*path, name))


def test_every_command_help_has_examples():
    found = dict(_commands(parser()))
    assert {("preview",), ("init",), ("course", "new"), ("report", "crosswalks"), ("report", "graph")} <= set(found)
    for path, sub in found.items():
        assert "example" in (sub.epilog or ""), f"comptoir {' '.join(path)} --help has no example"
        assert "comptoir " in sub.epilog, path
