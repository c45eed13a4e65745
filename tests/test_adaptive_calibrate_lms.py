"""Calibration from comptoir's own LMS targets: the cmi5 player's statements and the XBlock's state.

The round trip: learners simulated with known per-competency and per-item parameters
(tests/calibration_world.py) → the statements the cmi5 player would send for their answers, in
an LRS's order with duplicates, verdicts and a voided answer → `comptoir calibrate` → the
parameters back, within the tolerances below. Shapes are checked against a statement file
captured from the cmi5 end-to-end test (tests/data/cmi5-demo-statements.json).
"""
from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")

from comptoir.adaptive.calibrate import fit_items, fit_recall  # noqa: E402
from comptoir.adaptive.course import engine_course  # noqa: E402
from comptoir.adaptive.data import DataError, read_answers, responses_of  # noqa: E402
from comptoir.cli import main  # noqa: E402
from comptoir.commands import adaptive as commands  # noqa: E402
from comptoir.diagnostics import Report  # noqa: E402
from comptoir.project import load_content  # noqa: E402
from comptoir.resolve import resolve  # noqa: E402

from .calibration_world import (  # noqa: E402
    PLANTED,
    REFS,
    Answer,
    simulate,
    statement,
    statements,
    truth,
    write_jsonl,
    xblock_rows,
)

REPO = Path(__file__).resolve().parents[1]
CAPTURED = REPO / "tests" / "data" / "cmi5-demo-statements.json"
LEARNERS = 2000
#: Tolerances, with 2000 learners (≈ 40,000 answers, 650–2,000 learners per item). The largest
#: errors measured over five simulation seeds (1–5) were 0.043 (prior), 0.017 (learn), 0.066
#: (guess) and 0.062 (slip): the worst of 36 item rates, each fitted from a few hundred answers of
#: learners in the matching state, whose sampling standard error is 0.02–0.03. So the bound on
#: the worst item rate is 0.08 (about three standard errors), and the mean item error, which
#: a bias would move, must stay within 0.03 (measured 0.014–0.023).
TOLERANCE = {"prior": 0.06, "learn": 0.03, "guess": 0.08, "slip": 0.08}
MEAN_ITEM_TOLERANCE = 0.03


@pytest.fixture(scope="module")
def world():
    return truth()


@pytest.fixture(scope="module")
def answers(world) -> list[Answer]:
    return simulate(world, LEARNERS, seed=1)


@pytest.fixture(scope="module")
def fitted(answers, tmp_path_factory) -> tuple[dict[str, Any], str]:
    """`comptoir calibrate --format cmi5 --json` over the statements of the simulated learners."""
    folder = tmp_path_factory.mktemp("cmi5")
    data = write_jsonl(folder / "statements.jsonl", statements(answers))
    out = folder / "calibration.json"
    assert commands.main(["calibrate", "--data", str(data), "--format", "cmi5", "--out", str(out)]) == 0
    return json.loads(out.read_text()), str(data)


def test_parameters_come_back_from_the_cmi5_statements(world, fitted):
    doc, _ = fitted
    errors = {name: 0.0 for name in TOLERANCE}
    for ref, (prior, learn) in world.competencies.items():
        errors["prior"] = max(errors["prior"], abs(doc["skills"][ref]["prior"] - prior))
        errors["learn"] = max(errors["learn"], abs(doc["skills"][ref]["learn"] - learn))
    item_errors = []
    for item, (guess, slip) in world.items.items():
        assert doc["items"][item]["fitted"], item
        item_errors += [abs(doc["items"][item]["guess"] - guess), abs(doc["items"][item]["slip"] - slip)]
        errors["guess"] = max(errors["guess"], item_errors[-2])
        errors["slip"] = max(errors["slip"], item_errors[-1])
    assert all(errors[n] <= TOLERANCE[n] for n in TOLERANCE), errors
    assert sum(item_errors) / len(item_errors) <= MEAN_ITEM_TOLERANCE, item_errors


@pytest.mark.parametrize("memory", [0.0, 0.25, 0.7])
def test_how_well_learners_recall_repeated_items_comes_back(world, memory, tmp_path, capsys):
    """`--repeat-memory fit` measures the recall that generated the answers (the engine assumes
    0.5; these learners recall less, or more); `fit_recall`'s golden-section search stops within
    0.02 and 1,000 learners answer about 7,000 repeats, so 0.06 is three times the spread
    measured over seeds."""
    data = write_jsonl(tmp_path / "statements.jsonl", statements(simulate(world, 1000, seed=4, memory=memory)))
    out = tmp_path / "calibration.json"
    assert commands.main(["calibrate", "--data", str(data), "--format", "cmi5", "--out", str(out),
                          "--repeat-memory", "fit"]) == 0
    doc = json.loads(out.read_text())
    assert doc["repeat_memory"] == pytest.approx(memory, abs=0.06), doc["repeat_memory_fit"]
    assert doc["repeat_memory_fit"]["repeated_answers"] > 3000
    assert f"repeat_memory {doc['repeat_memory']:.2f}: fitted on" in capsys.readouterr().out


def test_the_recall_setting_is_kept_without_repeated_answers(world, tmp_path):
    first = {}
    for a in simulate(world, 300, seed=5):
        first.setdefault((a.learner, a.item), a)
    data = write_jsonl(tmp_path / "statements.jsonl", statements(sorted(first.values(), key=lambda a: a.at)))
    out = tmp_path / "calibration.json"
    assert commands.main(["calibrate", "--data", str(data), "--format", "cmi5", "--out", str(out),
                          "--repeat-memory", "fit"]) == 0
    doc = json.loads(out.read_text())
    assert doc["repeat_memory"] == 0.5 and doc["repeat_memory_fit"] == {"repeated_answers": 0, "kept": 0.5}


def test_an_item_of_two_competencies_is_not_a_repeat():
    """One answer to an item aligned to two competencies is one response per competency, not a
    repeated answer: with no learner meeting an item twice, the course's setting stays."""
    from comptoir.adaptive.data import Response

    responses = [Response(f"s{n}", comp, (n + k) % 3 > 0, f"q{k}")
                 for n in range(60) for k in range(4) for comp in ("x:a", "x:b")]
    doc = fit_recall(responses, {}, setting=0.4)
    assert doc["repeat_memory"] == 0.4 and doc["repeat_memory_fit"] == {"repeated_answers": 0, "kept": 0.4}


def test_every_answer_is_read_once_and_nothing_else(answers, fitted):
    """Verdicts (`progressed`), the duplicate and the voided copy are not answers."""
    doc, data = fitted
    found = read_answers(data, "cmi5")
    assert len(found) == len(answers) == doc["answers"]["read"]
    assert _by_learner((a.student.rpartition("-")[2], a.item, a.correct) for a in found) == \
        _by_learner((str(a.learner), a.item, int(a.correct)) for a in answers)


def _by_learner(rows) -> dict[str, list[tuple[str, int]]]:
    """Each learner's answers in order (learners answer at the same time, so only this is fixed)."""
    out: dict[str, list[tuple[str, int]]] = {}
    for who, item, correct in rows:
        out.setdefault(who, []).append((item, correct))
    return out


def test_the_bad_item_report_names_the_planted_items_only(fitted):
    doc, _ = fitted
    flagged = {b["item"]: b for b in doc["bad_items"]}
    assert set(flagged) == set(PLANTED)
    assert flagged["c.2-q2"]["slip"] > 0.3 and "key" in flagged["c.2-q2"]["hint"]
    assert flagged["c.3-q3"]["guess"] > 0.5 and "distractors" in flagged["c.3-q3"]["hint"]
    assert flagged["c.2-q2"]["competencies"] == ["calib:c.2"] and flagged["c.2-q2"]["first_answers"] >= 50


def test_the_xblock_state_gives_the_same_fit(answers, fitted, tmp_path):
    """The XBlock's exported history holds the same answers: same responses, same parameters."""
    doc, _ = fitted
    path = write_jsonl(tmp_path / "state.jsonl", xblock_rows(answers))
    found = read_answers(path, "xblock")
    assert _by_learner((a.student.split("|")[0].rpartition("-")[2], a.item, a.correct) for a in found) == \
        _by_learner((str(a.learner), a.item, int(a.correct)) for a in answers)
    of = {f"{ref.split(':')[1]}-q{k}": (ref,) for ref in REFS for k in range(6)}
    again = fit_items(responses_of(found, of.get), {}, repeat_memory=doc["repeat_memory"])  # as fitted
    for ref in REFS:
        assert again["skills"][ref]["learn"] == pytest.approx(doc["skills"][ref]["learn"], abs=1e-6)
    assert {b["item"] for b in again["bad_items"]} == set(PLANTED)


def test_the_xblock_format_needs_the_course(tmp_path, capsys):
    path = write_jsonl(tmp_path / "state.jsonl", xblock_rows([Answer(0, "c.1-q0", True, None)]))
    code = commands.main(["calibrate", "--data", str(path), "--format", "xblock", "--out", str(tmp_path / "o.json")])
    err = capsys.readouterr().err
    assert code == 2 and "--course" in err and "Traceback" not in err


def _shape(value: Any) -> Any:
    """The keys of a JSON value, recursively (lists by their first element), without the values."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def test_generated_statements_have_the_shape_of_the_players():
    """The statements the tests generate are shaped like those the cmi5 player really sent to Ralph
    in the end-to-end test (only the item definition's own fields differ by item type)."""
    real = next(s for s in json.loads(CAPTURED.read_text()) if s["verb"]["id"].endswith("/answered"))
    made = statement(Answer(0, "c.1-q0", True, datetime(2026, 1, 1)))
    for s in (real, made):
        s["object"].pop("definition")
        for a in s["context"]["contextActivities"]["other"]:
            a["definition"]["name"] = {}
    assert _shape(made) == _shape(real)


def test_the_captured_player_statements_are_read(tmp_path):
    """The real file: three answers, the player's `mastered` verdicts ignored; with the course,
    each item counts for its own competency only (the statement also names linked frameworks')."""
    found = read_answers(CAPTURED, "cmi5")
    assert [(a.item, a.correct) for a in found] == [("b1-q5", 1), ("b6-q6", 1), ("c1-q6", 1)]
    assert "fr-mcavd:1.1" in found[0].competencies and len({a.student for a in found}) == 1


def test_timestamp_then_stored_order_voided_and_duplicates(tmp_path):
    one = statement(Answer(1, "c.1-q0", True, datetime(2026, 1, 1, 9)))
    two = statement(Answer(1, "c.1-q1", False, datetime(2026, 1, 1, 9)))
    two["id"] = "second"
    one["stored"], two["stored"] = "2026-01-01T09:00:01Z", "2026-01-01T09:00:02Z"
    three = json.loads(json.dumps(two))
    three["id"], three["object"]["id"] = "voided-one", three["object"]["id"].replace("q1", "q2")
    void = {"actor": one["actor"], "id": "v", "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
            "object": {"objectType": "StatementRef", "id": "voided-one"}}
    path = write_jsonl(tmp_path / "s.jsonl", [two, void, three, one, two])
    assert [a.item for a in read_answers(path, "cmi5")] == ["c.1-q0", "c.1-q1"]


@pytest.mark.parametrize("text,line,what", [
    ('{"verb": {"id": "x"}}\n{"oops"\n', 2, "invalid JSON"),
    (('{"verb": {"id": "http://adlnet.gov/expapi/verbs/answered"}, "object": {"id": "urn:c/item/q"},'
      ' "result": {"success": true}}\n'), 1, "names no actor"),
])
def test_bad_input_is_one_line_naming_file_and_line(tmp_path, capsys, text, line, what):
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    with pytest.raises(DataError, match=rf"bad\.jsonl:{line}: .*{what}"):
        read_answers(path, "cmi5")
    code = commands.main(["calibrate", "--data", str(path), "--format", "cmi5", "--out", str(tmp_path / "o.json")])
    err = capsys.readouterr().err
    assert code == 2 and f"bad.jsonl:{line}: " in err and "Traceback" not in err and err.count("\n") == 1


# --- the course side: learner_model.calibration ---------------------------------------------------

@pytest.fixture(scope="module")
def content_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("project") / "content"
    shutil.copytree(REPO / "content", root)
    return root


def _with_calibration(root: Path, doc: Any, text: str | None = None) -> Path:
    """The demo course naming a calibration file holding `doc` (or `text`)."""
    (root / "calibration").mkdir(exist_ok=True)
    (root / "calibration" / "demo.json").write_text(text if text is not None else json.dumps(doc))
    course = root / "courses" / "demo.yaml"
    source = (REPO / "content" / "courses" / "demo.yaml").read_text()
    course.write_text(source + "learner_model: {calibration: calibration/demo.json}\n")
    return course


def test_calibrate_course_writes_what_the_course_reads(content_copy, capsys, tmp_path):
    """`calibrate --course demo` maps items to the course's own competencies and writes the file
    that `learner_model.calibration` names; every target's engine then takes its values."""
    out = content_copy / "calibration" / "demo.json"
    code = main(["--content", str(content_copy), "calibrate", "--course", "demo", "--data", str(CAPTURED),
                 "--format", "cmi5", "--out", str(out), "--min-responses", "1"])
    text = capsys.readouterr().out
    assert code == 0 and "bad items" in text
    doc = json.loads(out.read_text())
    assert set(doc["skills"]) == {"ch-arc:b.1", "ch-arc:b.6", "ch-arc:c.1"} and doc["course"] == "demo"
    doc["items"]["b1-q5"].update(guess=0.31, slip=0.07, applied=True)
    doc["skills"]["ch-arc:b.1"].update(prior=0.42, learn=0.11)
    _with_calibration(content_copy, doc)
    report = Report(content_copy.parent)
    engine = engine_course(resolve(load_content(content_copy, report), "demo"))
    assert not report.errors, report.errors
    b1 = engine.competencies.index("ch-arc:b.1")
    item = next(i for i in engine.items if i.id == "b1-q5")
    assert (engine.params[b1].prior, engine.params[b1].learn, item.guess, item.slip) == (0.42, 0.11, 0.31, 0.07)
    other = next(i for i in engine.items if i.id == "b6-q6")  # not applied (guess + slip = 1): defaults
    assert other.guess < 0.5
    assert engine.repeat_memory == doc["repeat_memory"] == 0.5  # the course's setting, as fitted under
    _with_calibration(content_copy, {**doc, "repeat_memory": 0.2})
    assert engine_course(resolve(load_content(content_copy, Report(content_copy.parent)), "demo")).repeat_memory == 0.2


@pytest.mark.parametrize("doc,text,message", [
    (None, "{ nope", "invalid JSON at demo.json:1:3"),
    ({"format": "something else"}, None, "not a calibration file"),
    ({"format": "comptoir-bkt-params/1", "skills": {"ch-arc:b.1": {"prior": 2}}, "items": {}}, None,
     "skills.ch-arc:b.1.prior must be a number from 0 to 1"),
    ({"format": "comptoir-bkt-params/1", "skills": {}, "items": {}, "repeat_memory": 1}, None,
     "repeat_memory must be a number from 0 to below 1"),
])
def test_a_bad_calibration_file_is_a_content_error_at_the_course_line(content_copy, doc, text, message):
    course = _with_calibration(content_copy, doc, text)
    report = Report(content_copy.parent)
    load_content(content_copy, report)
    found = [d for d in report.errors if d.code == "calibration"]
    line = course.read_text().splitlines().index("learner_model: {calibration: calibration/demo.json}") + 1
    assert found and found[0].line == line and message in found[0].message, report.errors
    assert "comptoir calibrate --course" in found[0].hint


def test_calibrate_reads_every_learner_from_an_lrs(world, monkeypatch, tmp_path, capsys):
    """--lrs: all pages, no registration, the password from the environment, the same answers as
    the file (the LRS reader of `comptoir mastery --lrs`)."""
    from .test_mastery_lrs import PASSWORD, USER, StandInLrs

    few = simulate(world, 40, seed=9)
    lrs = StandInLrs(statements(few), page=200)
    monkeypatch.setenv("COMPTOIR_LRS_PASSWORD", PASSWORD)
    out = tmp_path / "o.json"
    try:
        code = commands.main(["calibrate", "--lrs", lrs.url, "--lrs-user", USER, "--out", str(out), "--json"])
    finally:
        lrs.close()
    assert code == 0, capsys.readouterr().err
    doc = json.loads(capsys.readouterr().out)
    assert doc["answers"]["read"] == len(few) and json.loads(out.read_text())["items"] == doc["items"]
    assert all("registration" not in query for _, query, _ in lrs.queries) and len(lrs.queries) > 1
