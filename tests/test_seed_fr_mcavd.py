"""fr-mcavd against its seed (002) and the ch-arc crosswalk against both seeds (000, 002).

The seed text is the independent oracle: it is parsed here with its own regexes, never with the code
that produced ``content/frameworks/fr-mcavd.yaml``, and the YAML is read with ``yaml.safe_load``
only. The YAML's editorial conventions (sentence-cased titles, footnote calls dropped, sub-headings
prefixed to each condition) are re-applied to the seed text here, so any other change of wording
fails.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from .crosswalk_checks import assert_well_formed, read_rows

REPO = Path(__file__).resolve().parents[1]
FRAMEWORK = REPO / "content" / "frameworks" / "fr-mcavd.yaml"
CROSSWALK = REPO / "content" / "crosswalks" / "ch-arc__fr-mcavd.csv"
RELATIONS = {"exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch", "noMatch"}
FOOTNOTE_CALL = "⁽¹⁾"

Node = dict[str, Any]


# --- the seed, parsed independently ----------------------------------------------------------


@dataclass
class SeedSavoirFaire:
    code: str
    title: str  # as printed (capitals), footnote call included
    bullets: list[str]  # ▪ and ➢ items, in document order


@dataclass
class SeedTable:
    competence: str  # "C1"
    savoir_faire: list[SeedSavoirFaire]
    conditions: list[str] = field(default_factory=list)  # "Sub-heading : item"
    criteria: list[str] = field(default_factory=list)
    knowledge: list[str] = field(default_factory=list)  # one <p> paragraph each


def _text(html: str) -> str:
    """Tags out, whitespace collapsed: the seed is HTML-flavoured plain text."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _seed_file(seeds_dir: Path, prefix: str) -> str:
    (path,) = seeds_dir.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _parse_savoir_faire(column: str) -> list[SeedSavoirFaire]:
    """Split the savoir-faire column on its « <p>1.1. TITLE</p> » headings, then on ▪/➢ bullets."""
    pieces = re.split(r"<p>(\d\.\d)\. ([^<]+)</p>", column)
    result = []
    for code, title, body in zip(pieces[1::3], pieces[2::3], pieces[3::3]):
        bullets = [_text(b) for b in re.split(r"[▪➢]", _text(body))[1:]]
        result.append(SeedSavoirFaire(code, title.strip(), bullets))
    return result


def _parse_conditions(column: str) -> list[str]:
    """Each ▪ item, prefixed by the « Dans le cadre : »-style sub-heading that governs it."""
    result = []
    for heading, items in re.findall(r"<p>([^<]+)</p>\s*<ul[^>]*>([^<]*)", column):
        result += [f"{heading.strip()} {_text(i)}" for i in items.split("▪")[1:]]
    return result


def _parse_criteria(column: str) -> list[str]:
    """Paragraphs minus the « + » separator, the « ⇒ » bullet glyph and inline <i> tags."""
    paragraphs = [_text(re.sub(r"</?i>", "", p)) for p in re.findall(r"<p[^>]*>(.*?)</p>", column)]
    return [re.sub(r"\s*\+$", "", p.removeprefix("⇒").strip()) for p in paragraphs if p != "+"]


def parse_seed_tables(seed: str) -> list[SeedTable]:
    """Every four-column row of the seed, under the last « C n. » header seen."""
    tables, competence = [], ""
    for line in seed.splitlines():
        header = re.match(r"C (\d)\. ", line)
        if header:
            competence = f"C{header.group(1)}"
        columns = line.split("\t")
        if len(columns) == 4 and not columns[0].startswith("SAVOIR-FAIRE"):
            tables.append(SeedTable(
                competence,
                _parse_savoir_faire(columns[0]),
                _parse_conditions(columns[1]),
                _parse_criteria(columns[2]),
                [_text(p) for p in re.findall(r"<p>(.*?)</p>", columns[3])],
            ))
    return tables


def parse_seed_competences(seed: str) -> dict[str, list[str]]:
    """« C n. TITLE » headers, every occurrence (they repeat before each table)."""
    found: dict[str, list[str]] = {}
    for number, title in re.findall(r"^C (\d)\. (.+)$", seed, flags=re.M):
        found.setdefault(f"C{number}", []).append(title.strip())
    return found


def parse_ch_arc_codes(seed: str) -> list[str]:
    """Competency codes a.1…g.4 from the French part of the ordinance's Art. 4."""
    french = seed.split("Art. 4 Compétences opérationnelles", 1)[1].split("Art. 4 Competenze", 1)[0]
    codes, domain = [], ""
    for line in french.splitlines():
        if re.fullmatch(r"[a-g]\.", line.strip()):
            domain = line.strip()[0]
        elif re.fullmatch(r"\d\.", line.strip()):
            codes.append(f"{domain}.{line.strip()[0]}")
    return codes


def sentence_case(title: str) -> str:
    """The YAML's documented typographic normalisation of the capitalised source titles."""
    title = title.replace(FOOTNOTE_CALL, "").strip()
    return title[0] + title[1:].lower()


# --- the YAML --------------------------------------------------------------------------------


def walk(nodes: list[Node], parents: tuple[Node, ...] = ()) -> Iterator[tuple[Node, tuple[Node, ...]]]:
    for node in nodes:
        yield node, parents
        yield from walk(node.get("children", []), parents + (node,))


def bullets_of(node: Node) -> list[str]:
    """Bullet texts under a savoir-faire, sub-bullets included, in document order."""
    return [n["text"]["fr"] for n, _ in walk(node.get("children", [])) if n["kind"] == "bullet"]


@pytest.fixture(scope="module")
def seed(seeds_dir: Path) -> str:
    return _seed_file(seeds_dir, "002")


@pytest.fixture(scope="module")
def tables(seed: str) -> list[SeedTable]:
    return parse_seed_tables(seed)


@pytest.fixture(scope="module")
def framework() -> dict[str, Any]:
    return yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def yaml_savoir_faire(framework: dict[str, Any]) -> dict[str, tuple[Node, tuple[Node, ...]]]:
    return {n["code"]: (n, p) for n, p in walk(framework["nodes"]) if n["kind"] == "savoir-faire"}


@pytest.fixture(scope="module")
def crosswalk() -> list[dict[str, str]]:
    return read_rows(CROSSWALK)


# --- framework checks ------------------------------------------------------------------------


def test_seed_parser_finds_the_documented_units(tables: list[SeedTable]) -> None:
    per_competence = Counter(t.competence for t in tables for _ in t.savoir_faire)
    assert per_competence == {"C1": 8, "C2": 4, "C3": 3, "C4": 4}  # seeds/README.md


def test_header_and_levels(framework: dict[str, Any]) -> None:
    assert framework["id"] == FRAMEWORK.stem
    assert framework["levels"] == ["competence", "savoir-faire"]
    assert framework["languages"] == ["fr"]
    assert framework["title"] == {"fr": "Mention complémentaire assistance, conseil, vente à distance"}
    assert all(s.startswith("002_") for s in framework["sources"])


def test_competences_match_seed_headers(seed: str, framework: dict[str, Any]) -> None:
    headers = parse_seed_competences(seed)
    roots = {n["code"]: n for n in framework["nodes"]}
    assert list(roots) == list(headers)
    for code, titles in headers.items():
        assert roots[code]["kind"] == "competence"
        assert roots[code]["text"]["fr"] == sentence_case(titles[0])


def test_savoir_faire_codes_titles_and_counts(
    tables: list[SeedTable], yaml_savoir_faire: dict[str, tuple[Node, tuple[Node, ...]]]
) -> None:
    expected = {sf.code: (t.competence, sf.title) for t in tables for sf in t.savoir_faire}
    assert set(yaml_savoir_faire) == set(expected)
    for code, (competence, title) in expected.items():
        node, parents = yaml_savoir_faire[code]
        assert node["text"]["fr"] == sentence_case(title), code
        assert [p["kind"] for p in parents] == ["competence", "table"], code
        assert parents[0]["code"] == competence, code


def test_every_bullet_under_its_savoir_faire(
    tables: list[SeedTable], yaml_savoir_faire: dict[str, tuple[Node, tuple[Node, ...]]]
) -> None:
    for sf in (sf for t in tables for sf in t.savoir_faire):
        assert sf.bullets, sf.code
        assert bullets_of(yaml_savoir_faire[sf.code][0]) == sf.bullets, sf.code


def test_tables_group_as_in_seed_with_conditions_criteria_knowledge(
    tables: list[SeedTable], yaml_savoir_faire: dict[str, tuple[Node, tuple[Node, ...]]]
) -> None:
    for table in tables:
        yaml_tables = {id(yaml_savoir_faire[sf.code][1][-1]) for sf in table.savoir_faire}
        assert len(yaml_tables) == 1, [sf.code for sf in table.savoir_faire]
        node = yaml_savoir_faire[table.savoir_faire[0].code][1][-1]
        by_kind: dict[str, list[str]] = {}
        for child in node["children"]:
            by_kind.setdefault(child["kind"], []).append(child.get("code") or child["text"]["fr"])
        assert by_kind["savoir-faire"] == [sf.code for sf in table.savoir_faire]
        assert table.conditions and by_kind["condition"] == table.conditions
        assert table.criteria and by_kind["criterion"] == table.criteria
        assert table.knowledge and by_kind["knowledge"] == table.knowledge


def test_general_criterion_kept_where_each_table_states_it(tables: list[SeedTable]) -> None:
    """The « Pour toutes les compétences » requirement heads every table's criteria in the seed."""
    assert all(t.criteria[0].startswith("Pour toutes les compétences") for t in tables)


def test_codes_and_ids_unique(framework: dict[str, Any]) -> None:
    keys = [n.get("code") or n.get("id") for n, _ in walk(framework["nodes"])]
    assert None not in keys
    assert [k for k, n in Counter(keys).items() if n > 1] == []


def test_prerequisites_are_savoir_faire_and_acyclic(
    framework: dict[str, Any], yaml_savoir_faire: dict[str, tuple[Node, tuple[Node, ...]]]
) -> None:
    graph: dict[str, list[str]] = framework["prerequisites"]
    assert graph
    assert set(graph) | {p for ps in graph.values() for p in ps} <= set(yaml_savoir_faire)
    done: set[str] = set()

    def visit(code: str, path: tuple[str, ...]) -> None:
        assert code not in path, f"cycle through {path + (code,)}"
        if code not in done:
            for before in graph.get(code, []):
                visit(before, path + (code,))
            done.add(code)

    for code in graph:
        visit(code, ())


# --- crosswalk checks ------------------------------------------------------------------------


def test_crosswalk_covers_every_unit(
    seeds_dir: Path, crosswalk: list[dict[str, str]], tables: list[SeedTable]
) -> None:
    ch_arc = parse_ch_arc_codes(_seed_file(seeds_dir, "000"))
    assert len(ch_arc) == len(set(ch_arc)) == 40
    fr = [sf.code for t in tables for sf in t.savoir_faire]
    assert {r["source"] for r in crosswalk} - {""} == {f"ch-arc:{c}" for c in ch_arc}
    assert {r["target"] for r in crosswalk} - {""} == {f"fr-mcavd:{c}" for c in fr}


def test_crosswalk_rows_are_well_formed(crosswalk: list[dict[str, str]]) -> None:
    assert_well_formed(crosswalk, "fr-mcavd")
