"""Calibration: readers, EM recovery on synthetic learners, honest evaluation, CLI behaviour."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")

from comptoir.commands import adaptive as commands  # noqa: E402
from comptoir.adaptive.calibrate import auc, cross_validate, evaluate, fit, predict  # noqa: E402
from comptoir.adaptive.data import DataError, Response, read_responses  # noqa: E402

TRUE = {"k1": dict(prior=0.3, learn=0.2, forget=0.0, guess=0.2, slip=0.1),
        "k2": dict(prior=0.1, learn=0.08, forget=0.0, guess=0.1, slip=0.05)}


def synthetic(n_students: int, seed: int, length: int = 12) -> list[Response]:
    """Learners drawn from known BKT parameters, skills interleaved per student."""
    rng = random.Random(seed)
    out = []
    for s in range(n_students):
        state = {k: rng.random() < p["prior"] for k, p in TRUE.items()}
        for t in range(length):
            for k, p in TRUE.items():
                known = state[k]
                correct = rng.random() >= p["slip"] if known else rng.random() < p["guess"]
                out.append(Response(f"s{s}", k, int(correct)))
                if not known and rng.random() < p["learn"]:
                    state[k] = True
    return out


def test_em_recovers_generating_parameters() -> None:
    doc = fit(synthetic(2500, seed=1), "standard", restarts=3)
    for k, want in TRUE.items():
        got = doc["skills"][k]
        for name in ("prior", "learn", "guess", "slip"):
            assert got[name] == pytest.approx(want[name], abs=0.04), (k, name)
        assert got["forget"] == 0.0


def test_forgetting_model_finds_little_forgetting_where_there_is_none() -> None:
    doc = fit(synthetic(1500, seed=2), "forgetting", restarts=2)
    assert all(doc["skills"][k]["forget"] < 0.05 for k in TRUE)


def test_predictions_never_see_the_response_they_predict() -> None:
    data = synthetic(60, seed=3)
    doc = fit(data, "standard", restarts=1, max_iter=20)
    base = predict(doc, data)
    flipped = list(data)
    i = 37
    flipped[i] = Response(data[i].student, data[i].competency, 1 - data[i].correct)
    again = predict(doc, flipped)
    assert again[i] == base[i]
    later = [j for j in range(i + 1, len(data))
             if data[j].student == data[i].student and data[j].competency == data[i].competency]
    assert later and again[later[0]] != base[later[0]]


def test_auc_matches_pairwise_definition() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = np.round(rng.random(300), 1)  # many ties
    pos, neg = p[y == 1], p[y == 0]
    pairs = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    assert auc(y, p) == pytest.approx(pairs / (len(pos) * len(neg)))


def test_cross_validation_beats_chance_on_learners_who_learn() -> None:
    res = cross_validate(synthetic(400, seed=4), "standard", folds=3, restarts=1, max_iter=30)
    assert res["n"] == 400 * 12 * 2 and len(res["per_fold_auc"]) == 3
    assert res["auc"] > 0.7 and 0 < res["rmse"] < 0.5


def test_unknown_competency_falls_back_to_default_parameters() -> None:
    doc = fit(synthetic(100, seed=5), "standard", restarts=1, max_iter=10)
    res = evaluate(doc, [Response("z", "never-seen", 1), Response("z", "never-seen", 0)])
    assert res["n"] == 2 and np.isfinite(res["log_loss"])


def test_readers_agree_on_the_same_responses(tmp_path: Path) -> None:
    piech = tmp_path / "p.csv"
    piech.write_text("3\n7,7,9,\n0,1,1,\n2\n9,9\n1,0\n")
    plain = tmp_path / "c.csv"
    plain.write_text("student,competency,correct\n0,7,0\n0,7,1\n0,9,1\n1,9,1\n1,9,0\n")
    stmts = [{"actor": {"account": {"homePage": "https://lms", "name": s}},
              "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
              "object": {"id": f"https://x/items/{k}"},
              "context": {"extensions": {"https://w3id.org/comptoir/competency": [k]}},
              "result": {"success": bool(c)}, "timestamp": f"2024-01-01T00:00:0{i}Z"}
             for i, (s, k, c) in enumerate([("0", "7", 0), ("0", "7", 1), ("0", "9", 1),
                                            ("1", "9", 1), ("1", "9", 0)])]
    stmts.insert(2, {"actor": {"mbox": "mailto:a@b"}, "verb": {"id": "launched"},
                     "object": {"id": "x"}})
    xapi = tmp_path / "s.jsonl"
    xapi.write_text("\n".join(json.dumps(s) for s in stmts))
    seqs = []
    for path, fmt in ((piech, "piech"), (plain, "csv"), (xapi, "xapi")):
        rs = read_responses(path, fmt)
        seqs.append([(r.competency, r.correct) for r in rs])
        assert len({r.student for r in rs}) == 2
    assert seqs[0] == seqs[1] == seqs[2]


@pytest.mark.parametrize("fmt,text,line", [
    ("piech", "3\n7,7,9\n0,1\n", 3),
    ("piech", "2\n7,7\n0,2\n", 3),
    ("csv", "a,k,1\nb,k\n", 2),
    ("csv", "a,k,1\nb,k,yes\n", 2),
    ("xapi", '{"actor": {"name": "a"}, "result": {"success": true}}\n{oops\n', 2),
])
def test_malformed_input_names_file_and_line(tmp_path: Path, fmt: str, text: str, line: int) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(DataError, match=rf"bad\.txt:{line}: "):
        read_responses(path, fmt)


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,k,1\nb,k,7\n")
    code = commands.main(["calibrate", "--data", str(bad), "--format", "csv",
                          "--out", str(tmp_path / "p.json")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and f"{bad}:2" in err
    code = commands.main(["evaluate", "--params", str(tmp_path / "missing.json"),
                          "--data", str(bad), "--format", "csv"])
    assert code == 2


def test_cli_calibrate_then_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d.csv"
    data.write_text("".join(f"{r.student},{r.competency},{r.correct}\n"
                            for r in synthetic(200, seed=6)))
    out = tmp_path / "params.json"
    assert commands.main(["calibrate", "--data", str(data), "--format", "csv",
                          "--model", "forgetting", "--out", str(out), "--restarts", "2"]) == 0
    doc = json.loads(out.read_text())
    assert set(doc["skills"]) == {"k1", "k2"} and doc["model"] == "forgetting"
    capsys.readouterr()
    assert commands.main(["evaluate", "--params", str(out), "--data", str(data),
                          "--format", "csv"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) >= {"auc", "rmse", "log_loss", "n"} and result["n"] == 200 * 24


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for cmd in ("calibrate", "evaluate", "simulate"):
        with pytest.raises(SystemExit):
            commands.main([cmd, "--help"])
        assert "examples:" in capsys.readouterr().out


def test_assistments_cross_validation_if_available(shared_dir: Path) -> None:
    """Two folds with few iterations: a smoke test; the full figures live in bench/."""
    data = read_responses(shared_dir / "data" / "assistments2009" / "builder_train.csv", "piech")
    assert len(data) == 407967 and len({r.student for r in data}) == 3361
    sample = [r for r in data if int(r.student) % 10 == 0]
    res = cross_validate(sample, "forgetting", folds=2, restarts=1, max_iter=15)
    assert res["auc"] > 0.72
