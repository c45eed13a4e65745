"""content/frameworks/ch-arc.yaml against its two seed documents, parsed here independently.

The oracle is the seed text itself (000: the ordinance, FR and IT; 001: the training plan), read
with regexes written for this test only, so an error in the YAML cannot be reproduced by the code
that checks it.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

FRAMEWORK = Path(__file__).resolve().parents[1] / "content" / "frameworks" / "ch-arc.yaml"
ORDINANCE = "000_ee80fb6696ceb699.txt"
PLAN = "001_c65d4117c054318a.txt"

# Competencies per domain a–g, as seeds/README.md states them.
DOMAIN_SIZES = (7, 7, 7, 6, 5, 4, 4)
# Extraction errors of 001 that the YAML repairs (seeds/README.md and the YAML comments).
REPAIRS = {"reconqu岸rir": "reconquérir", "1^{er}": "1er"}
# Objectives 001 cuts (seeds/README.md): the only ones whose text may be partial.
CUT_OBJECTIVES = {"5.5", "6.4"}

Ordinance = dict[str, tuple[str, list[str]]]  # domain letter → (domain title, competency texts)


def _strip_list_punctuation(item: str) -> str:
    """The YAML's rule: ordinance items lose the ';' or '.' that closes them in the enumeration."""
    return re.sub(r"[;.]$", "", item.strip())


def _parse_article_4(section: str) -> Ordinance:
    """Read 'a.' / title / '1.' / text pairs of lines from one language's Art. 4."""
    domains: Ordinance = {}
    current = ""
    for match in re.finditer(r"^(?:([a-g])|(\d))\.\n(.+)$", section, re.MULTILINE):
        letter, number, text = match.groups()
        if letter:
            current = letter
            domains[letter] = (text.strip(), [])
        else:
            items = domains[current][1]
            assert int(number) == len(items) + 1, f"{current}.{number} out of order in the seed"
            items.append(_strip_list_punctuation(text))
    return domains


@pytest.fixture(scope="module")
def ordinance(seeds_dir: Path) -> dict[str, Ordinance]:
    text = (seeds_dir / ORDINANCE).read_text(encoding="utf-8")
    fr_start = text.index("Art. 4 Compétences opérationnelles")
    it_start = text.index("Art. 4 Competenze operative")
    it_end = text.index("Ceci n’est pas une publication officielle")
    return {"fr": _parse_article_4(text[fr_start:it_start]),
            "it": _parse_article_4(text[it_start:it_end])}


@pytest.fixture(scope="module")
def objectives(seeds_dir: Path) -> dict[str, str]:
    """'1.1' → objective text of 001, with the documented extraction repairs applied."""
    text = (seeds_dir / PLAN).read_text(encoding="utf-8")
    found: dict[str, str] = {}
    pattern = r"^(?:<p>)?(\d\.\d)\.? Objectif général ?[:.]? ?(.*?)(?:</p>)?$"
    for code, body in re.findall(pattern, text, re.MULTILINE):
        for wrong, right in REPAIRS.items():
            body = body.replace(wrong, right)
        assert code not in found, f"objective {code} twice in the seed"
        found[code] = body
    return found


@pytest.fixture(scope="module")
def framework() -> dict[str, Any]:
    return yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))


def _competencies(framework: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["code"]: c for d in framework["nodes"] for c in d.get("children", [])
            if c["kind"] == "competency"}


def test_seed_has_the_documented_shape(ordinance: dict[str, Ordinance],
                                       objectives: dict[str, str]) -> None:
    for lang in ("fr", "it"):
        assert tuple(len(items) for _, items in ordinance[lang].values()) == DOMAIN_SIZES
    assert len(objectives) == sum(DOMAIN_SIZES)


def test_domains_and_counts(framework: dict[str, Any], ordinance: dict[str, Ordinance]) -> None:
    assert framework["levels"] == ["domain", "competency"]
    domains = framework["nodes"]
    assert [d["code"] for d in domains] == list(ordinance["fr"])
    assert tuple(len(d["children"]) for d in domains) == DOMAIN_SIZES
    for domain in domains:
        assert domain["kind"] == "domain"
        for lang in ("fr", "it"):
            assert domain["text"][lang] == ordinance[lang][domain["code"]][0]


def test_all_40_codes(framework: dict[str, Any], ordinance: dict[str, Ordinance]) -> None:
    expected = {f"{letter}.{n}" for letter, (_, items) in ordinance["fr"].items()
                for n in range(1, len(items) + 1)}
    assert len(expected) == 40
    assert set(_competencies(framework)) == expected


@pytest.mark.parametrize("lang", ["fr", "it"])
def test_competency_wording_is_the_ordinance(framework: dict[str, Any],
                                             ordinance: dict[str, Ordinance], lang: str) -> None:
    competencies = _competencies(framework)
    for letter, (_, items) in ordinance[lang].items():
        for n, text in enumerate(items, 1):
            assert competencies[f"{letter}.{n}"]["text"][lang] == text, f"{letter}.{n} ({lang})"


def test_each_competency_has_its_objective(framework: dict[str, Any],
                                           objectives: dict[str, str]) -> None:
    """1.x sits under a.x, …, 7.x under g.x; every objective of the plan is used once."""
    placed = []
    for code, competency in _competencies(framework).items():
        letter, n = code.split(".")
        expected_code = f"{'abcdefg'.index(letter) + 1}.{n}"
        children = competency["children"]
        assert [(c["kind"], c["code"]) for c in children] == [("objective", expected_code)], code
        placed.append(expected_code)
    assert sorted(placed) == sorted(objectives)


def test_objective_text_is_the_plan(framework: dict[str, Any], objectives: dict[str, str]) -> None:
    """Verbatim where whole; a true prefix where cut, the dropped part belonging to another objective."""
    marked = set()
    for competency in _competencies(framework).values():
        objective = competency["children"][0]
        code, text = objective["code"], objective["text"]["fr"]
        seed = objectives[code]
        if "incomplete" not in objective:
            assert text == seed, code
            continue
        marked.add(code)
        assert objective["incomplete"].strip()
        assert text and seed.startswith(text), code
        dropped = seed[len(text):].strip()
        if dropped:
            others = [t for c, t in objectives.items() if c != code]
            assert any(dropped in other for other in others), \
                f"{code}: dropped text « {dropped} » found in no other objective"
    assert marked == CUT_OBJECTIVES


def test_no_extraction_artefact_left(framework: dict[str, Any]) -> None:
    raw = FRAMEWORK.read_text(encoding="utf-8")
    body = "\n".join(line for line in raw.splitlines() if not line.lstrip().startswith("#"))
    for artefact in (*REPAIRS, "<p>", "</p>", "**"):
        assert artefact not in body, artefact


def test_prerequisites_are_a_dag_of_known_codes(framework: dict[str, Any]) -> None:
    prerequisites: dict[str, list[str]] = framework["prerequisites"]
    codes = set(_competencies(framework))
    edges = [(unit, before) for unit, befores in prerequisites.items() for before in befores]
    assert 10 <= len(edges) <= 20
    assert {u for e in edges for u in e} <= codes
    state: dict[str, str] = {}

    def visit(code: str) -> None:
        assert state.get(code) != "open", f"prerequisite cycle through {code}"
        if state.get(code) == "done":
            return
        state[code] = "open"
        for before in prerequisites.get(code, []):
            visit(before)
        state[code] = "done"

    for code in prerequisites:
        visit(code)
