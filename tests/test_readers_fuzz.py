"""Readers never crash: arbitrary text and broken structures always give diagnostics, not tracebacks."""
from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.diagnostics import Report
from comptoir.readers.courses import read_course
from comptoir.readers.crosswalks import read_crosswalk
from comptoir.readers.frameworks import read_framework
from comptoir.readers.lessons import read_lesson

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, width=32),
                    st.text(max_size=12), st.sampled_from(["a", "single", "b6-q1", "ch-arc:b.6", "true", "n1"]))
keys = st.sampled_from(["type", "prompt", "choices", "id", "text", "correct", "feedback", "answer", "answers",
                        "pairs", "left", "right", "steps", "start", "nodes", "next", "outcome", "tolerance",
                        "competencies", "title", "minutes", "framework", "include", "locales", "code", "kind",
                        "children", "levels", "languages", "issuer", "reference", "prerequisites", "x"])
structures = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(keys, inner, max_size=6)), max_leaves=25)
markdownish = st.lists(st.one_of(st.text(max_size=40), st.sampled_from(
    ["---", ":::", ":::{quiz} q1", ":::{scenario} s1", ":::{key-point}", ":::{nope}", "type: single", "prompt: |",
     "  Le client dit : « non »", "title: T", "competencies: [ch-arc:a.1]", "minutes: 5", "![x](y.png)", "- id: a",
     "    correct: true", "\t", "\x00", "é"])), max_size=25).map("\n".join)


def _lesson(path: Path, report: Report) -> None:
    read_lesson(path, report, path.parent)


def _run(reader, name: str, text: str) -> Report:
    report = Report()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(text.encode("utf-8", errors="replace"))
        reader(path, report)
    for diagnostic in report.diagnostics:
        assert diagnostic.line >= 1 and diagnostic.code and diagnostic.message
    return report


@SETTINGS
@given(markdownish)
def test_lesson_reader_never_raises(text):
    _run(_lesson, "fuzz-lesson.md", text)


@SETTINGS
@given(structures)
def test_item_bodies_of_any_shape_give_diagnostics(body):
    """The same body as a quiz and as a scenario is always wrong at least once, where it is wrong.

    The quiz schema requires ``type``, the scenario schema forbids it (and anything not a mapping
    is neither): a body without ``type`` is reported inside the quiz, one with it inside the scenario.
    """
    dumped = yaml.safe_dump(body, allow_unicode=True)
    front = "---\ntitle: T\ncompetencies: [ch-arc:a.1]\nminutes: 5\n---\nTexte.\n\n"
    quiz = ":::{quiz} fz-q1\n" + dumped + ":::\n\n"
    text = front + quiz + ":::{scenario} fz-s1\n" + dumped + ":::\n"
    quiz_lines = range(front.count("\n") + 1, (front + quiz).count("\n") + 1)
    scenario_lines = range(quiz_lines.stop, text.count("\n") + 1)
    report = _run(_lesson, "fuzz-items.md", text)
    lines = {d.line for d in report.errors}
    assert lines and lines <= set(quiz_lines) | set(scenario_lines), report.sorted()
    if not isinstance(body, dict) or "type" not in body:
        assert lines & set(quiz_lines), report.sorted()
    if not isinstance(body, dict) or "type" in body:
        assert lines & set(scenario_lines), report.sorted()


@SETTINGS
@given(st.one_of(structures, st.text(max_size=200)))
def test_framework_and_course_readers_never_raise(data):
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    _run(read_framework, "fuzz.yaml", text)
    _run(read_course, "fuzz.yaml", text)


@SETTINGS
@given(st.lists(st.lists(st.one_of(st.text(max_size=15), st.sampled_from(
    ["ch-arc:a.1", "exactMatch", "noMatch", "", '"', "source", "target", "relation", "rationale"])),
    max_size=5), max_size=6))
def test_crosswalk_reader_never_raises(rows):
    header = "source,target,relation,rationale\n"
    _run(read_crosswalk, "ch-arc__x.csv", header + "\n".join(",".join(r) for r in rows))


def test_invalid_utf8_is_a_diagnostic(tmp_path):
    path = tmp_path / "bad.md"
    path.write_bytes(b"---\ntitle: caf\xe9\n---\n")
    report = Report()
    assert read_lesson(path, report, tmp_path) is None
    assert [d.code for d in report.diagnostics] == ["encoding"]
