"""`comptoir build`: manifest, determinism, the timestamp rule, and the CASE/taxonomy framework exports."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from comptoir.cli import main

from .conftest import CONTENT

FRAMEWORK_TARGETS = ["--target", "case", "--target", "taxonomy"]
UNITS = {"ch-arc": 40, "fr-mcavd": 19, "be-occ": 10, "fr-accueil": 35}


def _build(out: Path, *args: str, content: Path = CONTENT) -> dict:
    assert main(["--content", str(content), "build", "--quiet", "--out", str(out), *args]) == 0
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def framework_dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist") / "dist"
    _build(out, *FRAMEWORK_TARGETS)
    return out


def test_manifest_lists_exactly_the_artifacts_with_sizes_and_hashes(framework_dist):
    manifest = json.loads((framework_dist / "manifest.json").read_text(encoding="utf-8"))
    listed = {a["path"] for a in manifest["artifacts"]}
    on_disk = {p.relative_to(framework_dist).as_posix() for p in framework_dist.rglob("*") if p.is_file()}
    assert on_disk - {"manifest.json"} == listed
    for artifact in manifest["artifacts"]:
        data = (framework_dist / artifact["path"]).read_bytes()
        assert artifact["bytes"] == len(data)
        assert artifact["sha256"] == hashlib.sha256(data).hexdigest()
        assert artifact["target"] in ("case", "taxonomy")
        assert set(artifact) == {"course", "target", "locale", "path", "bytes", "sha256"}


def test_case_packages_hold_exactly_the_official_competency_codes(framework_dist):
    for framework, count in UNITS.items():
        package = json.loads((framework_dist / "case" / f"{framework}.fr.json").read_text(encoding="utf-8"))
        competencies = [i["humanCodingScheme"] for i in package["CFItems"] if i["CFItemType"] == "Competency"]
        assert len(competencies) == len(set(competencies)) == count, framework
        for key in ("identifier", "uri", "creator", "title", "lastChangeDateTime", "CFPackageURI"):
            assert package["CFDocument"][key], key
        ids = {i["identifier"] for i in package["CFItems"]} | {package["CFDocument"]["identifier"]}
        for association in package["CFAssociations"]:
            if association["associationType"] == "isChildOf":
                assert association["originNodeURI"]["identifier"] in ids
                assert association["destinationNodeURI"]["identifier"] in ids


def test_case_crosswalk_associations_follow_the_relation(framework_dist):
    package = json.loads((framework_dist / "case" / "ch-arc.fr.json").read_text(encoding="utf-8"))
    related = [a for a in package["CFAssociations"] if a["associationType"] in ("exactMatchOf", "isRelatedTo")]
    rows = []
    for path in sorted((CONTENT / "crosswalks").glob("ch-arc__*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += [r for r in csv.DictReader(handle) if r["source"] and r["target"]]
    assert len(related) == len(rows)
    for association in related:
        assert association["notes"].startswith("skos:")
        exact = association["notes"].startswith("skos:exactMatch")
        assert (association["associationType"] == "exactMatchOf") == exact


def test_swiss_italian_package_carries_the_ordinance_wording(framework_dist, seeds_dir):
    seed = next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8")
    italian = seed[seed.index("Art. 4 Competenze operative"):]
    # Independent oracle: "N.\n<wording>;" blocks of the Italian article, per domain letter.
    wording = {}
    for letter, block in re.findall(r"^([a-g])\.\n(.*?)(?=^[a-g]\.\n|\Z)", italian, flags=re.M | re.S):
        for number, text in re.findall(r"^(\d)\.\n(.+)$", block, flags=re.M):
            wording[f"{letter}.{number}"] = text.strip().rstrip(";.").strip()
    assert len(wording) == 40
    package = json.loads((framework_dist / "case" / "ch-arc.it.json").read_text(encoding="utf-8"))
    exported = {i["humanCodingScheme"]: i["fullStatement"] for i in package["CFItems"]
                if i["CFItemType"] == "Competency"}
    assert exported == wording
    assert package["CFDocument"]["language"] == "it"
    assert "Ordinanza della SEFRI" in package["CFDocument"]["title"]


def test_taxonomy_csv_has_at_most_three_levels_and_unique_values(framework_dist):
    for path in (framework_dist / "taxonomy").glob("*.csv"):
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        parents = {r["id"]: r["parent_id"] for r in rows}
        assert len({r["value"] for r in rows}) == len(rows)
        for row in rows:
            depth, node = 1, row["id"]
            while parents[node]:
                node, depth = parents[node], depth + 1
            assert depth <= 3
        framework = path.name.split(".")[0]
        leaves = [r for r in rows if r["id"] not in parents.values()]
        assert len(leaves) == UNITS[framework]


def test_two_builds_of_every_target_are_byte_identical(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    first = _build(tmp_path / "one", content=content)
    second = _build(tmp_path / "two", content=content)
    assert {a["target"] for a in first["artifacts"]} >= {"anki", "case", "taxonomy"}
    assert first == second
    for artifact in first["artifacts"]:
        assert (tmp_path / "one" / artifact["path"]).read_bytes() == (tmp_path / "two" / artifact["path"]).read_bytes()


def test_timestamp_is_source_date_epoch_else_the_newest_source(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pinned = _build(tmp_path / "pinned", "--target", "case", content=content)
    package = json.loads((tmp_path / "pinned" / "case" / "ch-arc.fr.json").read_text(encoding="utf-8"))
    assert package["CFDocument"]["lastChangeDateTime"] == "2023-11-14T22:13:20+00:00"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    newest = 1800000000
    os.utime(content / "frameworks" / "be-occ.yaml", (newest, newest))
    _build(tmp_path / "touched", "--target", "case", content=content)
    package = json.loads((tmp_path / "touched" / "case" / "ch-arc.fr.json").read_text(encoding="utf-8"))
    assert package["CFDocument"]["lastChangeDateTime"] == "2027-01-15T08:00:00+00:00"
    assert pinned != _build(tmp_path / "again", "--target", "case", content=content)


def test_a_build_with_errors_writes_nothing_and_keeps_the_previous_output(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = tmp_path / "dist"
    _build(out, "--target", "case", content=content)
    before = (out / "manifest.json").read_bytes()
    (content / "courses" / "broken.yaml").write_text("title: x\nframework: nope\n", encoding="utf-8")
    assert main(["--content", str(content), "build", "--quiet", "--out", str(out)]) == 1
    assert "broken.yaml" in capsys.readouterr().err
    assert (out / "manifest.json").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist-")]


def test_unknown_target_is_a_clear_error(tmp_path, capsys):
    assert main(["--content", str(CONTENT), "build", "--target", "pdf", "--out", str(tmp_path / "d")]) == 2
    assert "unknown target 'pdf'" in capsys.readouterr().err
