"""The cmi5 target, built by the real ``comptoir build``: ``cmi5.xml`` against cmi5's official
CourseStructure.xsd (lxml, offline), and against oracles the exporter did not produce — the course
files' titles and thresholds, the Italian and English catalogs read with Babel, the competencies
computed from the course's ``include`` list and the framework file. The small ``tests/data/anki``
course's structure is a golden file (regenerate with ``COMPTOIR_UPDATE_GOLDEN=1``)."""
from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from lxml import etree

from comptoir.cli import main
from comptoir.identity import COMPETENCY_IRI_BASE, competency_iri, course_iri, item_iri
from comptoir.readers.courses import DEFAULT_THRESHOLD
from comptoir.xapi import INTERACTION, OBJECTIVE, VERBS, interaction
from exporters.cmi5 import mastery_score
from exporters.scorm2004 import global_objective_id

from .test_scorm_packages import BUNDLE, course_file, course_refs

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
GOLDEN = Path(__file__).parent / "data" / "golden" / "cmi5"
SMALL = Path(__file__).parent / "data" / "anki"
NS = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}
COURSES = ("demo", "sample", "be-occ")
INTERACTION_TYPES = {"true-false": "true-false", "single": "choice", "multiple": "choice", "fill-in": "fill-in",
                     "numeric": "numeric", "matching": "matching", "sequencing": "sequencing", "scenario": "other"}


def build(out: Path, content: Path = CONTENT, courses=COURSES, locales=()) -> Path:
    args = ["--content", str(content), "build", "--quiet", "--out", str(out), "--target", "cmi5"]
    for course in courses:
        args += ["--course", course]
    for language in locales:
        args += ["--locale", language]
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("cmi5") / "dist")


@pytest.fixture(scope="module")
def schema(shared_dir: Path) -> etree.XMLSchema:
    xsd = shared_dir / "schemas" / "cmi5" / "CourseStructure.xsd"
    if not xsd.is_file():
        pytest.skip(f"{xsd} is absent: cmi5's official schema is not available to validate against")
    return etree.XMLSchema(etree.parse(str(xsd), etree.XMLParser(no_network=True)))


def packages(built: Path) -> list[tuple[str, str]]:
    return [(course, language) for course in COURSES for language in course_file(course)["locales"]]


def structure(archive: zipfile.ZipFile) -> etree._Element:
    return etree.fromstring(archive.read("cmi5.xml"), etree.XMLParser(no_network=True, resolve_entities=False))


def langstrings(element: etree._Element, tag: str) -> dict[str, str]:
    return {ls.get("lang"): ls.text for ls in element.findall(f"c:{tag}/c:langstring", NS)}


def catalog_text(language: str, msgctxt: str, fallback: str) -> str:
    """The course text in ``language`` from the content catalog, read with Babel (French: the source)."""
    if language == "fr":
        return fallback
    with (REPO / "locales" / language / "LC_MESSAGES" / "content.po").open("rb") as handle:
        message = read_po(handle, locale=language).get(fallback, context=msgctxt)
    return message.string if message is not None and message.string and not message.fuzzy else fallback


def test_every_language_of_every_course_is_one_zip(built):
    manifest = json.loads((built / "manifest.json").read_text())
    listed = {(a["course"], a["locale"], a["path"]) for a in manifest["artifacts"] if a["target"] == "cmi5"}
    assert listed == {(c, lang, f"cmi5/{c}.{lang}.zip") for c, lang in packages(built)}


def test_course_structure_is_valid_against_the_official_schema(built, schema):
    for course, language in packages(built):
        with zipfile.ZipFile(built / "cmi5" / f"{course}.{language}.zip") as archive:
            root = structure(archive)
        assert schema.validate(root), f"{course}.{language}: {schema.error_log}"


@pytest.mark.parametrize("course", COURSES)
def test_titles_and_descriptions_in_every_language_of_the_course(built, course):
    spec = course_file(course)
    regions = {lang: region.replace("_", "-") for lang, region in spec["locales"].items()}
    for language in spec["locales"]:
        with zipfile.ZipFile(built / "cmi5" / f"{course}.{language}.zip") as archive:
            root = structure(archive)
        course_el = root.find("c:course", NS)
        titles = langstrings(course_el, "title")
        assert list(titles)[0] == regions[language], "the package's own language comes first"
        assert set(titles) == set(regions.values())
        for lang, region in regions.items():
            assert titles[region] == catalog_text(lang, f"course.{course}/title", spec["title"].strip())
        descriptions = langstrings(course_el, "description")
        assert set(descriptions) == set(regions.values()) and all(descriptions.values())
        french = " ".join(spec["description"].split())
        shown = re.sub("[\u00a0\u202f]", " ", descriptions[regions["fr"]])  # French typography's spaces
        assert shown == french  # plain text: these descriptions hold no Markdown
        au = root.find("c:au", NS)
        assert langstrings(au, "title") == titles


@pytest.mark.parametrize("course", COURSES)
def test_one_au_passed_at_the_course_threshold_with_every_competency_as_objective(built, course):
    spec = course_file(course)
    refs = course_refs(course)
    base = f"urn:comptoir:course:{course}"
    threshold = spec.get("mastery_threshold", DEFAULT_THRESHOLD)
    for language in spec["locales"]:
        with zipfile.ZipFile(built / "cmi5" / f"{course}.{language}.zip") as archive:
            root = structure(archive)
            names = set(archive.namelist())
            data = json.loads(BUNDLE.findall(archive.read("index.html").decode("utf-8"))[0])
        assert root.find("c:course", NS).get("id") == f"{base}/{language}"
        (au,) = root.findall(".//c:au", NS)
        assert root.findall(".//c:block", NS) == []
        assert au.get("id") == f"{base}/{language}/au"
        assert au.get("moveOn") == "Passed" and au.get("launchMethod") == "AnyWindow"
        assert float(au.get("masteryScore")) == threshold
        assert au.findtext("c:url", namespaces=NS) in names
        declared = [o.get("id") for o in root.findall("c:objectives/c:objective", NS)]
        assert declared == [f"urn:comptoir:{ref}" for ref in refs]
        assert [o.get("idref") for o in au.findall("c:objectives/c:objective", NS)] == declared
        for objective in root.findall("c:objectives/c:objective", NS):
            assert langstrings(objective, "title") and langstrings(objective, "description")
        assert '<html lang="' + spec["locales"][language].replace("_", "-") in archive_page(built, course, language)
        assert 'data-transport="cmi5"' in archive_page(built, course, language)
        assert data["xapi"]["course"] == base


def archive_page(built: Path, course: str, language: str) -> str:
    with zipfile.ZipFile(built / "cmi5" / f"{course}.{language}.zip") as archive:
        return archive.read("index.html").decode("utf-8")


def test_bundle_gives_the_player_every_iri_and_interaction(built):
    # the sample course has a lesson per item type, so every interaction type is mapped
    with zipfile.ZipFile(built / "cmi5" / "sample.it.zip") as archive:
        data = json.loads(BUNDLE.findall(archive.read("index.html").decode("utf-8"))[0])
    x = data["xapi"]
    assert x["vocabulary"]["verbs"] == VERBS
    assert set(x["items"]) == {item["id"] for item in data["items"]}
    for item in data["items"]:
        entry = x["items"][item["id"]]
        assert entry["id"] == f"urn:comptoir:course:sample/item/{item['id']}"
        assert entry["definition"]["type"] == INTERACTION
        assert entry["definition"]["interactionType"] == INTERACTION_TYPES[item["type"]]
        assert set(item["competencies"]) <= set(entry["competencies"])
        for ref in entry["competencies"]:
            assert x["competencies"][ref]["id"] == "urn:comptoir:" + ref
            assert x["competencies"][ref]["definition"]["type"] == OBJECTIVE
    assert {item["type"] for item in data["items"]} == set(INTERACTION_TYPES)
    own = x["competencies"]["ch-arc:b.1"]["definition"]["name"]
    assert list(own) == ["it-CH"] and own["it-CH"].startswith("b.1 Offrire")
    # a competency of another framework is named in Italian too (the project's translation of its units)
    foreign = [c for ref, c in x["competencies"].items() if ref.startswith("fr-")]
    assert foreign and all(list(c["definition"]["name"]) == ["it-CH"] for c in foreign)


def test_builds_are_reproducible(built, tmp_path):
    again = build(tmp_path / "again", courses=("demo",))
    for language in course_file("demo")["locales"]:
        path = f"cmi5/demo.{language}.zip"
        assert (again / path).read_bytes() == (built / path).read_bytes(), path


def test_competency_iris_are_the_scorm_2004_global_objectives():
    refs = set()
    for path in (CONTENT / "crosswalks").glob("*.csv"):
        refs |= set(re.findall(r"[a-z0-9-]+:[A-Za-z0-9.-]+", path.read_text(encoding="utf-8")))
    assert len(refs) > 50
    for ref in refs:
        assert competency_iri(COMPETENCY_IRI_BASE, ref) == global_objective_id(ref) == "urn:comptoir:" + ref
    assert competency_iri(COMPETENCY_IRI_BASE, "x y:é") == "urn:comptoir:x%20y:%C3%A9"


def test_course_and_item_iris():
    assert course_iri("demo") == "urn:comptoir:course:demo"
    assert course_iri("demo", "https://ecole.example/comptoir/demo/") == "https://ecole.example/comptoir/demo"
    assert item_iri("urn:comptoir:course:demo", "b1-q1") == "urn:comptoir:course:demo/item/b1-q1"


@pytest.mark.parametrize("threshold, expected", [(0.95, "0.95"), (0.9, "0.9"), (0.8, "0.8"), (0.91234, "0.9124"),
                                                 (0.99999, "1")])
def test_mastery_score_never_accepts_less_than_the_threshold(threshold, expected):
    assert mastery_score(threshold) == expected
    assert float(expected) >= threshold


def test_interaction_patterns_by_type():
    numeric = {"id": "n", "type": "numeric", "view": {"prompt": "<p>Taux ?</p>", "unit": "%"},
               "key": {"answer": 80, "tolerance": 0.5}}
    assert interaction(numeric, "fr-CH")["correctResponsesPattern"] == ["79.5[:]80.5"]
    exact = {**numeric, "key": {"answer": 12.5, "tolerance": 0}}
    assert interaction(exact, "fr-CH")["correctResponsesPattern"] == ["12.5"]
    fill = {"id": "f", "type": "fill-in", "view": {"prompt": '<p>Faire <span class="blank"></span>.</p>'},
            "key": {"answers": ["épeler", "epeler"]}}
    got = interaction(fill, "fr-CH")
    assert got["correctResponsesPattern"] == ["{case_matters=false}épeler", "{case_matters=false}epeler"]
    assert got["description"] == {"fr-CH": "Faire ____."}
    long = {"id": "t", "type": "true-false", "view": {"prompt": "<p>" + "mot " * 60 + "</p>"}, "key": {"answer": True}}
    name = interaction(long, "fr-CH")["name"]["fr-CH"]
    assert len(name) == 120 and name.endswith("…")


# --- the course file's iri key, and the golden structure --------------------------------------------

@pytest.fixture()
def small_tree(tmp_path) -> Path:
    tree = tmp_path / "content"
    shutil.copytree(SMALL, tree)
    return tree


def test_an_iri_base_in_the_course_file_names_the_course_au_and_items(small_tree, tmp_path):
    course = small_tree / "courses" / "demo.yaml"
    course.write_text(course.read_text(encoding="utf-8") + "iri: https://ecole.example/comptoir/demo/\n",
                      encoding="utf-8")
    out = build(tmp_path / "dist", small_tree, ("demo",), ("fr",))
    with zipfile.ZipFile(out / "cmi5" / "demo.fr.zip") as archive:
        root = structure(archive)
        data = json.loads(BUNDLE.findall(archive.read("index.html").decode("utf-8"))[0])
    assert root.find("c:course", NS).get("id") == "https://ecole.example/comptoir/demo/fr"
    assert root.find("c:au", NS).get("id") == "https://ecole.example/comptoir/demo/fr/au"
    items = data["xapi"]["items"].values()
    assert all(entry["id"].startswith("https://ecole.example/comptoir/demo/item/") for entry in items)
    assert [o.get("id") for o in root.findall("c:objectives/c:objective", NS)] == \
        ["urn:comptoir:tf:x.1", "urn:comptoir:tf:x.2", "urn:comptoir:tf:y.1"]  # competencies stay framework-wide


@pytest.mark.parametrize("iri", ["https://ecole.example/c?id=3", "pas une iri", "https://ecole.example/c#x"])
def test_a_malformed_iri_is_an_error_naming_the_course_file(small_tree, iri, capsys):
    course = small_tree / "courses" / "demo.yaml"
    course.write_text(course.read_text(encoding="utf-8") + f"iri: '{iri}'\n", encoding="utf-8")
    assert main(["--content", str(small_tree), "check"]) == 1
    assert "courses/demo.yaml" in capsys.readouterr().err


def test_structure_matches_golden_file(small_tree, tmp_path, schema, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    out = build(tmp_path / "dist", small_tree, ("demo",), ("fr",))
    with zipfile.ZipFile(out / "cmi5" / "demo.fr.zip") as archive:
        produced = archive.read("cmi5.xml")
    golden = GOLDEN / "demo.fr.cmi5.xml"
    if os.environ.get("COMPTOIR_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(produced)
    assert produced == golden.read_bytes(), f"cmi5.xml differs from {golden}; regenerate if intended"
    assert schema.validate(etree.fromstring(produced)), schema.error_log
