"""libyaml and PyYAML give the same values, lines and diagnostics: which parser ran never shows."""
from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.readers import yamlsrc

from .conftest import CONTENT

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML was built without libyaml")

SAMPLE = """\
title: Reformuler
competencies: [ch-arc:c.1, 'ch-arc:b.6']
minutes: 5
nodes:
  - id: n1
    text: |
      « C'est la troisième fois ! »
    choices:
      - {id: a, text: "S'excuser.", next: fin}
      - id: b
        text: >-
          Lui demander
          de rappeler.
        next: n2
  - &end {id: fin, outcome: success}
feedback:
  correct: Oui.
  incorrect: ~
"""
# Texts the two parsers read differently: tabs, stray byte-order marks, an empty '!' node.
DIVERGENT = ["a:\t1", "a: b\n  \t", "a: b\n\ufeff", "a: !\nb: 1", "- !", "x: &a !", "\ufeff\n\ufeff"]


def _shape(value: object) -> object:
    """A parsed value with every recorded line, comparable with ==."""
    if isinstance(value, yamlsrc.LocatedDict):
        return ("map", value.line, dict(value.key_lines), {k: _shape(v) for k, v in value.items()})
    if isinstance(value, yamlsrc.LocatedList):
        return ("seq", value.line, list(value.item_lines), [_shape(v) for v in value])
    return (type(value).__name__, value)


def _outcome(text: str, fast: bool) -> object:
    try:
        return _shape(yamlsrc.parse(text, fast))
    except yaml.YAMLError as exc:
        return str(exc)


def test_both_loaders_record_the_same_lines_on_a_sample():
    fast, slow = (yaml.load(SAMPLE, Loader=loader) for loader in (yamlsrc._CLoader, yamlsrc._Loader))  # noqa: S506
    assert _shape(fast) == _shape(slow)
    assert fast.key_lines == {"title": 1, "competencies": 2, "minutes": 3, "nodes": 4, "feedback": 16}
    assert fast["nodes"].item_lines == [5, 15]
    assert fast["nodes"][0]["choices"][1].key_lines == {"id": 10, "text": 11, "next": 14}


def test_both_loaders_agree_on_every_yaml_source_of_the_content():
    for path in sorted(CONTENT.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert _outcome(text, fast=True) == _outcome(text, fast=False), path


@pytest.mark.parametrize("text", DIVERGENT)
def test_texts_libyaml_reads_differently_are_read_by_pyyaml(text):
    assert yamlsrc._PYYAML_ONLY.search(text)
    assert _outcome(text, fast=True) == _outcome(text, fast=False)


PIECES = ["a: b", "a: b : c", "- x", "  - y", "prompt: |", "  Le client dit : « non »", "\t", "é", "k: 'open",
          'k: "x', "[a, b", "{a: 1", "a: 1\na: 2", "---", "...", "? x", "&a x", "*a", "!!str x", "! x", "!", "  ",
          "b:", "  c: d", ":::", "# c", "- a: b\n  c", "\ufeff", "\u2028", "\r", "|", ">-", '"\\q"', "@x", "a:b",
          "<<: *a", "Bonjour !", "1.0", "~", "{? a}", "- id: a\n  correct: true"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=10).map("\n".join))
def test_diagnostics_never_depend_on_the_parser(text):
    assert _outcome(text, fast=True) == _outcome(text, fast=False)
