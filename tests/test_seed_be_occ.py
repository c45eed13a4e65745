"""content/frameworks/be-occ.yaml against seed 003, and the ch-arc → be-occ crosswalk.

The oracle is the seed text, read here with regexes written for this test only. The crosswalk is
checked for completeness (every competency-level unit of both frameworks), well-formed SKOS
relations, and rationales whose « quotations » really occur in the official texts.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from .crosswalk_checks import assert_well_formed, read_rows

CONTENT = Path(__file__).resolve().parents[1] / "content"
FRAMEWORK = CONTENT / "frameworks" / "be-occ.yaml"
CH_ARC = CONTENT / "frameworks" / "ch-arc.yaml"
CROSSWALK = CONTENT / "crosswalks" / "ch-arc__be-occ.csv"
SEED = "003_4a0c53145197e4f0.txt"
CH_ARC_SEEDS = ("000_ee80fb6696ceb699.txt", "001_c65d4117c054318a.txt")

RELATIONS = {"exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch"}
# "- Text of the activity (D140801 Id17425) :" — activities start upper-case, their items do not.
KNOWLEDGE = "2.2.1. Connaissances"
ACTIVITY = re.compile(r"- ([A-ZÉ][^;]*?) \(((?:D140801 Id|co )\d+)\) : ")

Activity = tuple[str, str, list[str]]  # (code without spaces, text, sub-activity texts)


def _items(flat_list: str) -> list[str]:
    """Split a flattened '- a ; - b ; - c.' list; drop the list punctuation, keep any '...'."""
    items = []
    for raw in re.split(r"(?:^|\s)- ", flat_list.strip()):
        item = re.sub(r"\s*;\s*$", "", raw.strip())
        if item.endswith(".") and not item.endswith("..."):
            item = item[:-1]
        if item:
            items.append(item)
    return items


def _code(raw: str) -> str:
    """'D140801 Id17425' → 'D140801-Id17425', 'co 01669' → 'co01669' (DESIGN §3)."""
    return raw.replace("D140801 Id", "D140801-Id").replace("co ", "co")


def _parse_group(section: str) -> list[Activity]:
    matches = list(ACTIVITY.finditer(section))
    activities = []
    for match, following in zip(matches, [*matches[1:], None]):
        end = following.start() if following else len(section)
        activities.append((_code(match[2]), match[1], _items(section[match.end():end])))
    return activities


@pytest.fixture(scope="module")
def seed(seeds_dir: Path) -> str:
    return (seeds_dir / SEED).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_groups(seed: str) -> dict[str, list[Activity]]:
    basic = seed[seed.index("ACTIVITES DE BASE"):seed.index("ACTIVITES SPECIFIQUES")]
    specific = seed[seed.index("ACTIVITES SPECIFIQUES"):seed.index("2.2. Description")]
    return {"basic": _parse_group(basic), "specific": _parse_group(specific)}


@pytest.fixture(scope="module")
def framework() -> dict[str, Any]:
    return yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))


def _node(framework: dict[str, Any], code: str) -> dict[str, Any]:
    return next(n for n in framework["nodes"] if n.get("code") == code)


def _units(path: Path) -> set[str]:
    """Codes of a framework's competency-level nodes (the last of its `levels`)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    level = data["levels"][-1]
    found: set[str] = set()

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node["kind"] == level:
                found.add(node["code"])
            walk(node.get("children", []))

    walk(data["nodes"])
    return found


def test_seed_has_the_documented_shape(seed_groups: dict[str, list[Activity]]) -> None:
    assert [len(seed_groups["basic"]), len(seed_groups["specific"])] == [7, 3]


def test_ten_activity_codes_and_texts(framework: dict[str, Any],
                                      seed_groups: dict[str, list[Activity]]) -> None:
    assert framework["levels"] == ["group", "activity"]
    for group, activities in seed_groups.items():
        node = _node(framework, group)
        assert node["kind"] == "group"
        encoded = [(a["code"], a["text"]["fr"]) for a in node["children"]]
        assert encoded == [(code, text) for code, text, _ in activities]
    assert len(_units(FRAMEWORK)) == 10


def test_sub_activities_verbatim_with_positional_ids(framework: dict[str, Any],
                                                     seed_groups: dict[str, list[Activity]]) -> None:
    for group, activities in seed_groups.items():
        encoded = {a["code"]: a["children"] for a in _node(framework, group)["children"]}
        for code, _, subs in activities:
            assert subs, f"{code}: no sub-activity parsed"
            assert [(s["kind"], s["id"], s["text"]["fr"]) for s in encoded[code]] == \
                [("sub-activity", f"{code}.s{i}", text) for i, text in enumerate(subs, 1)]


def test_knowledge_and_skills_verbatim(framework: dict[str, Any], seed: str) -> None:
    knowledge = _items(seed[seed.index(KNOWLEDGE) + len(KNOWLEDGE):seed.index("2.2.2.")])
    encoded = _node(framework, "2.2.1")["children"]
    assert [(k["kind"], k["id"], k["text"]["fr"]) for k in encoded] == \
        [("knowledge", f"k{i}", text) for i, text in enumerate(knowledge, 1)]

    headings = ["Compétences cognitives", "Aptitudes à résoudre des problèmes",
                "Aptitudes en matière de motricité", "2.2.3. Contexte"]
    bounds = [seed.index(h) for h in headings]
    categories = _node(framework, "2.2.2")["children"]
    assert [c["text"]["fr"] for c in categories] == headings[:3]
    number = 0
    for category, start, end, heading in zip(categories, bounds, bounds[1:], headings):
        skills = _items(seed[start + len(heading):end])
        assert skills
        for skill, text in zip(category["children"], skills, strict=True):
            number += 1
            assert (skill["kind"], skill["id"], skill["text"]["fr"]) == ("skill", f"sk{number}", text)


def test_prerequisites_name_activities(framework: dict[str, Any]) -> None:
    units = _units(FRAMEWORK)
    for unit, befores in framework["prerequisites"].items():
        assert unit in units and set(befores) <= units and unit not in befores


# --- the crosswalk ch-arc → be-occ -----------------------------------------------------------

@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read_rows(CROSSWALK)


def test_crosswalk_covers_every_unit_of_both_frameworks(rows: list[dict[str, str]]) -> None:
    sources = {r["source"] for r in rows if r["source"]}
    targets = {r["target"] for r in rows if r["target"]}
    assert sources == {f"ch-arc:{c}" for c in _units(CH_ARC)}
    assert targets == {f"be-occ:{c}" for c in _units(FRAMEWORK)}
    assert len(sources) == 40 and len(targets) == 10


def test_crosswalk_rows_are_well_formed(rows: list[dict[str, str]]) -> None:
    assert_well_formed(rows, "be-occ")


def test_crosswalk_quotations_occur_in_the_official_texts(rows: list[dict[str, str]],
                                                          seeds_dir: Path, seed: str) -> None:
    """Every « … » in a rationale quotes the seeds (apostrophes and spacing normalised)."""
    def normalise(text: str) -> str:
        return re.sub(r"\s+", " ", text.replace("’", "'"))

    corpus = normalise(" ".join([seed, *((seeds_dir / s).read_text(encoding="utf-8")
                                         for s in CH_ARC_SEEDS)]))
    quoted = 0
    for row in rows:
        for quotation in re.findall(r"«\s*(.*?)\s*»", row["rationale"]):
            for fragment in quotation.split("…"):
                fragment = normalise(fragment.strip(" ,"))
                if fragment:
                    quoted += 1
                    assert fragment in corpus, (row["source"], row["target"], fragment)
    assert quoted >= len(rows)
