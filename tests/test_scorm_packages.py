"""The player-based targets (scorm12, scorm2004, web), built by the real ``comptoir build``.

Proven with the official SCORM XSDs (lxml, offline, ../shared/schemas/README.md) and with oracles
the exporters did not produce: the competencies a 2004 manifest declares are computed here from
the course file's ``include`` list and the framework file; the items a package carries are counted
from the lesson files' directive fences and parsed from their YAML blocks. The manifests of the
small ``tests/data/anki`` course are golden files (regenerate with ``COMPTOIR_UPDATE_GOLDEN=1``).

The browser player (``comptoir.player``) is developed on its own branch; where it is not installed
these tests put ``tests/player_stub.py`` in its place (same two functions, no behaviour), so what
they prove is the exporters' part: manifests, file lists, bundle, determinism.
"""
from __future__ import annotations

import html
import json
import os
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from lxml import etree

from comptoir.cli import main
from comptoir.identity import objective_id

from .player_stub import install_if_absent

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
COURSES = ("demo", "sample")
LOCALES = ("fr", "it")
TARGETS = ("scorm12", "scorm2004", "web")
SCORM = ("scorm12", "scorm2004")
PACKAGES = [(t, c, lang) for t in TARGETS for c in COURSES for lang in LOCALES]
SCORM_PACKAGES = [p for p in PACKAGES if p[0] in SCORM]

XML_NS = "http://www.w3.org/XML/1998/namespace"
NS = {
    "scorm12": {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
                "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2"},
    "scorm2004": {"cp": "http://www.imsglobal.org/xsd/imscp_v1p1", "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
                  "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3", "imsss": "http://www.imsglobal.org/xsd/imsss"},
}
#: Each SCORM version's schemas, by namespace (xml.xsd first so that nothing is fetched).
SCHEMAS = {
    "scorm12": [(XML_NS, "xml.xsd"), (NS["scorm12"]["cp"], "imscp_rootv1p1p2.xsd"),
                (NS["scorm12"]["adlcp"], "adlcp_rootv1p2.xsd")],
    "scorm2004": [(XML_NS, "xml.xsd"), (NS["scorm2004"]["cp"], "imscp_v1p1.xsd"),
                  (NS["scorm2004"]["adlcp"], "adlcp_v1p3.xsd"), (NS["scorm2004"]["adlseq"], "adlseq_v1p3.xsd"),
                  ("http://www.adlnet.org/xsd/adlnav_v1p3", "adlnav_v1p3.xsd"),
                  (NS["scorm2004"]["imsss"], "imsss_v1p0.xsd")],
}
FENCE = re.compile(r"^:::\{(quiz|scenario)\}[ \t]*(\S+)[ \t]*\n(.*?)^:::[ \t]*$", re.M | re.S)
FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
MEDIA_LINK = re.compile(r'(?:src|href)="(media/[^"]*)"')
BUNDLE = re.compile(r'<script type="application/json"[^>]*>(.*?)</script>', re.S)
#: What an item's view may hold, by type: what the learner sees before answering, nothing that scores.
VIEW_FIELDS = {
    "true-false": {"prompt"}, "single": {"prompt", "choices"}, "multiple": {"prompt", "choices"},
    "fill-in": {"prompt"}, "numeric": {"prompt", "unit"}, "matching": {"prompt", "left", "right"},
    "sequencing": {"prompt", "steps"}, "scenario": {"prompt", "start", "nodes"},
}


# --- builds ------------------------------------------------------------------------------------

def build(out: Path, content: Path = CONTENT, targets=TARGETS, courses=COURSES, locales=LOCALES) -> Path:
    args = ["--content", str(content), "build", "--quiet", "--out", str(out)]
    for flag, values in (("--target", targets), ("--course", courses), ("--locale", locales)):
        for value in values:
            args += [flag, value]
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def player():
    """The real player when installed, else the stand-in for the duration of this module."""
    with pytest.MonkeyPatch.context() as patch:
        yield "stand-in" if install_if_absent(patch) else "real"


@pytest.fixture(scope="module")
def built(player, tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("packages") / "dist")


def package(built: Path, target: str, course: str, language: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(built / target / f"{course}.{language}.zip")


def manifest_of(archive: zipfile.ZipFile) -> etree._Element:
    return etree.fromstring(archive.read("imsmanifest.xml"), etree.XMLParser(no_network=True, resolve_entities=False))


def bundle_of(archive: zipfile.ZipFile) -> dict:
    found = BUNDLE.findall(archive.read("index.html").decode("utf-8"))
    assert len(found) == 1, "index.html should inline the course bundle in one JSON script element"
    return json.loads(found[0])


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


# --- oracles from the sources --------------------------------------------------------------------

def course_file(course: str, content: Path = CONTENT) -> dict:
    return yaml.safe_load((content / "courses" / f"{course}.yaml").read_text(encoding="utf-8"))


def course_refs(course: str, content: Path = CONTENT) -> list[str]:
    """The course's competencies from its ``include`` list and the framework file, in document order:
    competency-level nodes named by ``include`` or under a node it names (``all`` or none: every one)."""
    spec = course_file(course, content)
    fw = yaml.safe_load((content / "frameworks" / f"{spec['framework']}.yaml").read_text(encoding="utf-8"))
    include = spec.get("include")
    wanted = None if include in (None, "all") else set(map(str, include))
    unit_kind = fw["levels"][-1]
    refs: list[str] = []

    def walk(nodes: list, named: bool) -> None:
        for node in nodes or ():
            key = str(node.get("code") or node.get("id"))
            here = named or wanted is None or key in wanted
            if node["kind"] == unit_kind and here:
                refs.append(f"{fw['id']}:{key}")
            walk(node.get("children"), here)

    walk(fw["nodes"], False)
    return refs


def covering(content: Path) -> dict[str, set[str]]:
    """exactMatch / closeMatch crosswalk links, both ways (they carry teaching across frameworks)."""
    links: dict[str, set[str]] = {}
    for path in sorted((content / "crosswalks").glob("*.csv")):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            source, target, relation = (line.split(",") + ["", "", ""])[:3]
            if relation in ("exactMatch", "closeMatch") and source and target:
                links.setdefault(source, set()).add(target)
                links.setdefault(target, set()).add(source)
    return links


def source_items(course: str, content: Path = CONTENT) -> dict[str, dict]:
    """Item id → its YAML block, for every item of the course, read from the lesson files."""
    spec = course_file(course, content)
    refs = set(course_refs(course, content))
    links = covering(content)

    def teaches(aligned) -> bool:
        return any(r in refs or links.get(r, set()) & refs for r in aligned or ())

    listed = spec.get("lessons")
    items: dict[str, dict] = {}
    for path in sorted((content / "lessons").rglob("*.md")):
        if listed is not None and path.stem not in listed:
            continue
        text = path.read_text(encoding="utf-8")
        front = yaml.safe_load(FRONT.match(text).group(1))
        if not teaches(front.get("competencies")):
            continue
        for directive, item_id, body in FENCE.findall(text):
            block = yaml.safe_load(body) or {}
            if teaches(block.get("competencies") or front.get("competencies")):
                assert item_id not in items, f"item id {item_id} appears twice in the sources"
                items[item_id] = block
    return items


# --- the official schemas -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def schemas(shared_dir: Path) -> dict[str, etree.XMLSchema]:
    """One wrapper schema per SCORM version importing each namespace from a local file URI."""
    root = shared_dir / "schemas"
    if not root.is_dir():
        pytest.skip(f"{root} is absent: the official SCORM schemas are not available to validate against")
    found = {}
    for version, imports in SCHEMAS.items():
        folder = root / version
        wrapper = ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
                   + "".join(f'<xs:import namespace="{ns}" schemaLocation="{(folder / name).as_uri()}"/>'
                             for ns, name in imports)
                   + "</xs:schema>")
        parser = etree.XMLParser(no_network=True)
        found[version] = etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=folder.as_uri() + "/"))
    return found


def test_the_schemas_have_teeth(schemas):
    """The wrapper really validates (an invalid SCO type and an unknown sequencing element are refused)."""
    bad12 = (f'<manifest xmlns="{NS["scorm12"]["cp"]}" xmlns:adlcp="{NS["scorm12"]["adlcp"]}" identifier="m">'
             '<organizations/><resources><resource identifier="r" type="webcontent" adlcp:scormtype="lesson"/>'
             "</resources></manifest>")
    cp, ss = NS["scorm2004"]["cp"], NS["scorm2004"]["imsss"]
    bad2004 = (f'<manifest xmlns="{cp}" xmlns:imsss="{ss}" identifier="m"><organizations><organization '
               'identifier="o"><item identifier="i"><imsss:sequencing><imsss:objectivez/></imsss:sequencing></item>'
               "</organization></organizations><resources/></manifest>")
    assert not schemas["scorm12"].validate(etree.fromstring(bad12))
    assert not schemas["scorm2004"].validate(etree.fromstring(bad2004))


# --- the packages ----------------------------------------------------------------------------------

def test_one_zip_per_target_course_and_language(built):
    produced = sorted(p.relative_to(built).as_posix() for p in built.rglob("*.zip"))
    assert produced == sorted(f"{t}/{c}.{lang}.zip" for t, c, lang in PACKAGES)
    listed = json.loads((built / "manifest.json").read_text(encoding="utf-8"))["artifacts"]
    assert sorted((a["target"], a["course"], a["locale"]) for a in listed) == sorted(PACKAGES)


@pytest.mark.parametrize("target,course,language", SCORM_PACKAGES)
def test_manifest_is_valid_against_the_official_schemas(built, schemas, target, course, language):
    manifest = manifest_of(package(built, target, course, language))
    schema = schemas[target]
    assert schema.validate(manifest), f"{target}/{course}.{language}: {schema.error_log}"


@pytest.mark.parametrize("target,course,language", SCORM_PACKAGES)
def test_manifest_lists_every_file_of_the_package_and_nothing_else(built, target, course, language):
    archive = package(built, target, course, language)
    manifest = manifest_of(archive)
    ns = NS[target]
    organizations = manifest.findall("cp:organizations/cp:organization", ns)
    items = manifest.findall(".//cp:item", ns)
    resources = manifest.findall("cp:resources/cp:resource", ns)
    assert len(organizations) == 1 and len(items) == 1 and len(resources) == 1
    assert manifest.find("cp:organizations", ns).get("default") == organizations[0].get("identifier")
    (resource,) = resources
    assert items[0].get("identifierref") == resource.get("identifier")
    scorm_type = resource.get(f"{{{ns['adlcp']}}}{'scormtype' if target == 'scorm12' else 'scormType'}")
    assert (scorm_type, resource.get("href"), resource.get("type")) == ("sco", "index.html", "webcontent")
    listed = [unquote(f.get("href")) for f in resource.findall("cp:file", ns)]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(set(archive.namelist()) - {"imsmanifest.xml"})
    assert "index.html" in listed
    assert {"player/engine.js", "player/scoring.js"} <= set(listed)
    assert manifest.findtext("cp:metadata/cp:schema", namespaces=ns) == "ADL SCORM"
    version = {"scorm12": "1.2", "scorm2004": "2004 4th Edition"}[target]
    assert manifest.findtext("cp:metadata/cp:schemaversion", namespaces=ns) == version


@pytest.mark.parametrize("target,course,language", SCORM_PACKAGES)
def test_manifest_title_and_mastery_follow_the_course(built, target, course, language):
    archive = package(built, target, course, language)
    manifest, data = manifest_of(archive), bundle_of(archive)
    ns = NS[target]
    title = data["course"]["title"]
    assert manifest.findtext("cp:organizations/cp:organization/cp:title", namespaces=ns) == title
    assert manifest.findtext(".//cp:item/cp:title", namespaces=ns) == title
    spec = course_file(course)
    if "mastery_threshold" in spec:
        assert data["course"]["threshold"] == spec["mastery_threshold"]
    # One rule decides "passed" (every competency mastered) and the player applies it: no manifest
    # lets the LMS decide from the mean score instead.
    if target == "scorm12":
        assert manifest.find(".//cp:item/adlcp:masteryscore", ns) is None
    else:
        primary = manifest.find(".//cp:item/imsss:sequencing/imsss:objectives/imsss:primaryObjective", ns)
        assert primary.get("satisfiedByMeasure") == "false" and primary.find("imsss:minNormalizedMeasure", ns) is None


def test_titles_are_in_the_course_language(built):
    for target in SCORM:
        ns = NS[target]
        titles = {lang: manifest_of(package(built, target, "demo", lang)).findtext(
            "cp:organizations/cp:organization/cp:title", namespaces=ns) for lang in LOCALES}
        assert titles == {"fr": "Découvrir comptoir — premier appel client",
                          "it": "Scoprire comptoir — la prima chiamata di un cliente"}


@pytest.mark.parametrize("course", COURSES)
@pytest.mark.parametrize("language", LOCALES)
def test_scorm2004_declares_one_global_objective_per_competency(built, course, language):
    ns = NS["scorm2004"]
    manifest = manifest_of(package(built, "scorm2004", course, language))
    sequencing = manifest.find(".//cp:item/imsss:sequencing", ns)
    objectives = sequencing.findall("imsss:objectives/imsss:objective", ns)
    refs = course_refs(course)
    assert refs, "the oracle found no competency: the course file or the framework changed shape"
    assert [o.get("objectiveID") for o in objectives] == [objective_id(r) for r in refs]
    for objective, ref in zip(objectives, refs):
        (mapping,) = objective.findall("imsss:mapInfo", ns)
        assert mapping.get("targetObjectiveID") == f"urn:comptoir:{ref}"
        assert mapping.get("writeSatisfiedStatus") == mapping.get("writeNormalizedMeasure") == "true"
    delivery = sequencing.find("imsss:deliveryControls", ns)
    assert delivery.get("completionSetByContent") == delivery.get("objectiveSetByContent") == "true"
    organization = manifest.find("cp:organizations/cp:organization", ns)
    assert organization.get(f"{{{ns['adlseq']}}}objectivesGlobalToSystem") == "true"


# --- the bundle inside index.html -------------------------------------------------------------------

@pytest.mark.parametrize("target,course,language", PACKAGES)
def test_bundle_carries_every_item_once_and_the_course_competencies(built, target, course, language):
    data = bundle_of(package(built, target, course, language))
    assert data["format"] == 1
    expected = source_items(course)
    ids = [item["id"] for item in data["items"]]
    assert sorted(ids) == sorted(expected), "items differ from those counted in the lesson files"
    assert len(ids) == len(set(ids))
    assert [c["ref"] for c in data["competencies"]] == course_refs(course)
    assert [entry[0] for entry in data["engine"]["items"]] == ids
    assert [entry[0] for entry in data["engine"]["lessons"]] == [lesson["id"] for lesson in data["lessons"]]
    in_lessons = [b["id"] for lesson in data["lessons"] for b in lesson["blocks"] if b["kind"] == "item"]
    assert in_lessons == ids, "every item appears once in its lesson, in the engine's order"
    assert data["course"]["language"] == language
    assert data["course"]["region"] == course_file(course)["locales"][language].replace("_", "-")
    for item in data["items"]:
        assert set(item) == {"id", "type", "lesson", "competencies", "view", "key"}
        assert item["type"] == expected[item["id"]].get("type", "scenario")
    for lesson in data["lessons"]:
        assert set(lesson) == {"id", "title", "minutes", "competencies", "blocks"}
        for block in lesson["blocks"]:
            assert set(block) == ({"kind", "id"} if block["kind"] == "item" else {"kind", "html"})
            assert block["kind"] in ("prose", "key-point", "item")


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


@pytest.mark.parametrize("course", COURSES)
def test_views_hold_no_key_and_no_source_ids(built, course):
    data = bundle_of(package(built, "web", course, "fr"))
    sources = source_items(course)
    for item in data["items"]:
        view, key = item["view"], item["key"]
        assert set(view) <= VIEW_FIELDS[item["type"]], f"{item['id']}: view fields {sorted(view)}"
        assert "id" not in _keys(view), f"{item['id']}: a source id reached the view"
        assert not _keys(view) & {"correct", "answer", "answers", "pairs", "order", "next", "outcome", "best",
                                  "reach", "feedback", "explanation"}, f"{item['id']}: key data in the view"
        assert key and "explanation" in key
        source = sources[item["id"]]
        if item["type"] in ("single", "multiple"):
            # The key's positions point at the choices the source marks correct (French, from the text).
            right = {_text(c["text"]) for c in source["choices"] if c.get("correct")}
            shown = {_text(view["choices"][i]) for i in key["correct"]}
            assert len(shown) == len(right) and all(any(r in s or s in r for r in right) for s in shown), item["id"]
        if item["type"] == "sequencing":
            assert key["order"] != list(range(len(view["steps"]))), f"{item['id']}: steps shown in the right order"
        if item["type"] == "matching":
            assert key["pairs"] != list(range(len(view["left"]))), f"{item['id']}: right column in pair order"


@pytest.mark.parametrize("target,course,language", PACKAGES)
def test_every_image_the_html_uses_is_in_the_package(built, target, course, language):
    archive = package(built, target, course, language)
    data = bundle_of(archive)
    linked = {unquote(html.unescape(m)) for s in strings(data) for m in MEDIA_LINK.findall(s)}
    shipped = {n for n in archive.namelist() if n.startswith("media/")}
    assert linked <= shipped, f"missing from the package: {sorted(linked - shipped)}"
    assert shipped <= linked, f"shipped but never shown: {sorted(shipped - linked)}"
    if course == "sample":
        assert linked, "the sample course shows an image (phases-appel.svg): the check above must see it"


@pytest.mark.parametrize("course", COURSES)
def test_web_site_is_the_player_package_without_manifest(built, course):
    web = set(package(built, "web", course, "fr").namelist())
    scorm = set(package(built, "scorm12", course, "fr").namelist())
    assert "index.html" in web and "imsmanifest.xml" not in web
    assert scorm - web == {"imsmanifest.xml"} and web <= scorm


def test_zip_entries_are_sorted_dated_and_0644(built):
    archive = package(built, "scorm2004", "sample", "fr")
    names = archive.namelist()
    assert names == sorted(names)
    for info in archive.infolist():
        assert (info.external_attr >> 16) == 0o644 and info.create_system == 3
    assert len({info.date_time for info in archive.infolist()}) == 1


def test_two_builds_are_byte_identical(built, tmp_path):
    again = build(tmp_path / "again")
    for target, course, language in PACKAGES:
        path = f"{target}/{course}.{language}.zip"
        assert (again / path).read_bytes() == (built / path).read_bytes(), path


# --- golden manifests --------------------------------------------------------------------------------

SMALL = DATA / "anki"  # the small two-framework tree of the Anki and golden tests
PLAYER_FILE = re.compile(rb'^\s*<file href="player/[^"]*"/>\n', re.M)


@pytest.fixture(scope="module")
def small(player, tmp_path_factory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        return build(tmp_path_factory.mktemp("golden") / "dist", SMALL, SCORM, ("demo",), ("fr",))


@pytest.mark.parametrize("target", SCORM)
def test_manifest_matches_golden_file(small, schemas, target):
    """The manifest of tests/data/anki's demo course (fr), byte for byte — except the player's own
    files (``player/…``), which belong to comptoir.player and are checked by the file-list test."""
    produced = PLAYER_FILE.sub(b"", package(small, target, "demo", "fr").read("imsmanifest.xml"))
    golden = GOLDEN / target / "demo.fr.imsmanifest.xml"
    if os.environ.get("COMPTOIR_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(produced)
    assert produced == golden.read_bytes(), f"{target} manifest differs from {golden}; regenerate if intended"
    assert schemas[target].validate(etree.fromstring(golden.read_bytes())), schemas[target].error_log
    assert b"media/x1-saluer-comptoir.png" in produced


def test_small_course_objectives_follow_include_all():
    assert course_refs("demo", SMALL) == ["tf:x.1", "tf:x.2", "tf:y.1"]
