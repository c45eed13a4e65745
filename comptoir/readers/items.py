"""Directive bodies → one :class:`~comptoir.model.Item` subclass per type, with the checks that need only the item itself."""
from __future__ import annotations

from pathlib import Path

from ..diagnostics import Report
from ..model import (BLANK, ITEM_CLASSES, Choice, FillIn, Item, Matching, Numeric, Pair, Ref, Scenario, ScenarioChoice,
                     ScenarioNode, Sequencing, Step, TrueFalse, frozen_map)
from . import schema
from .yamlsrc import LocatedDict

_HINT = "see docs/markup.md for the keys of each item type"


def _duplicates(entries: list, key: str) -> list[tuple[object, object]]:
    """Entries whose ``key`` value was already seen, with that value."""
    seen, repeats = set(), []
    for entry in entries:
        value = entry.get(key)
        if value is not None and value in seen:
            repeats.append((entry, value))
        seen.add(value)
    return repeats


def _check_choices(data: LocatedDict, item_id: str, path: Path, report: Report) -> None:
    choices = data["choices"]
    for entry, value in _duplicates(choices, "id"):
        report.error(path, entry.line, "duplicate-id", f"choice id '{value}' repeats in item '{item_id}'",
                     "give each choice its own id (a, b, c…)")
    correct = [c for c in choices if c.get("correct") is True]
    if data["type"] == "single" and len(correct) != 1:
        report.error(path, data.line_of("choices"), "single-correct-count",
                     f"single-choice item '{item_id}' has {len(correct)} correct choices; it needs exactly one",
                     "mark one choice 'correct: true', or make it a 'multiple' item")
    if data["type"] == "multiple" and not 0 < len(correct) < len(choices):
        report.error(path, data.line_of("choices"), "multiple-correct-count",
                     f"multiple-choice item '{item_id}' needs at least one correct and one wrong choice",
                     "a question whose every option is right (or wrong) tests nothing")


def _check_pairs(data: LocatedDict, item_id: str, path: Path, report: Report) -> None:
    for pair in data["pairs"]:
        missing = [side for side in ("left", "right") if side not in pair]
        if missing:
            report.error(path, pair.line, "matching-partner",
                         f"pair '{pair['id']}' of item '{item_id}' has no {missing[0]} side",
                         "every pair needs both 'left' and 'right'")
    for key in ("id", "left", "right"):
        for entry, value in _duplicates(data["pairs"], key):
            report.error(path, entry.line, "matching-duplicate", f"pair {key} '{value}' repeats in item '{item_id}'",
                         "each left and each right must be unique, or the matching is ambiguous")


def _check_steps(data: LocatedDict, item_id: str, path: Path, report: Report) -> None:
    for key in ("id", "text"):
        for entry, value in _duplicates(data["steps"], key):
            report.error(path, entry.line, "sequencing-duplicate", f"step {key} '{value}' repeats in item '{item_id}'",
                         "two identical steps make the order ambiguous")


def _reachable(seeds: set[str], edges: dict[str, list[str]]) -> set[str]:
    """Nodes reachable from ``seeds`` along ``edges`` (seeds included)."""
    found, todo = set(seeds), list(seeds)
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in found:
                found.add(nxt)
                todo.append(nxt)
    return found


def _check_scenario(data: LocatedDict, item_id: str, path: Path, report: Report) -> bool:
    nodes = {}
    for node in data["nodes"]:
        if node["id"] in nodes:
            report.error(path, node.line, "duplicate-id", f"node id '{node['id']}' repeats in scenario '{item_id}'",
                         "give each node its own id")
        nodes[node["id"]] = node
        for entry, value in _duplicates(node.get("choices", []), "id"):
            report.error(path, entry.line, "duplicate-id", f"choice id '{value}' repeats in node '{node['id']}'",
                         "give each choice of a node its own id")
    ok = True
    if data["start"] not in nodes:
        report.error(path, data.line_of("start"), "scenario-start", f"start node '{data['start']}' does not exist",
                     f"use one of: {', '.join(nodes)}")
        return False
    for node in nodes.values():
        for choice in node.get("choices", []):
            if choice["next"] not in nodes:
                report.error(path, choice.line_of("next"), "scenario-next",
                             f"choice '{choice['id']}' of node '{node['id']}' leads to unknown node '{choice['next']}'",
                             f"use one of: {', '.join(nodes)}")
                ok = False
    if not ok:
        return False
    edges = {nid: [c["next"] for c in n.get("choices", [])] for nid, n in nodes.items()}
    reached = _reachable({data["start"]}, edges)
    for nid in nodes:
        if nid not in reached:
            report.error(path, nodes[nid].line, "scenario-unreachable",
                         f"node '{nid}' of scenario '{item_id}' cannot be reached from '{data['start']}'",
                         "link to it from a choice's 'next', or remove it")
            ok = False
    ends = {nid for nid, n in nodes.items() if "outcome" in n}
    if not ends:
        report.error(path, data.line_of("nodes"), "scenario-no-end", f"scenario '{item_id}' has no end node",
                     "add a node with 'outcome: success|partial|failure'")
        return False
    backwards = {nid: [src for src, nexts in edges.items() if nid in nexts] for nid in nodes}
    can_end = _reachable(ends, backwards)
    for nid in nodes:
        if nid not in can_end:
            report.error(path, nodes[nid].line, "scenario-no-end",
                         f"from node '{nid}' of scenario '{item_id}' no path reaches an end",
                         "give it a choice leading towards a node with an 'outcome'")
            ok = False
    state: dict[str, int] = {}

    def cyclic(nid: str) -> bool:
        state[nid] = 1
        for nxt in edges[nid]:
            if state.get(nxt) == 1 or (nxt not in state and cyclic(nxt)):
                return True
        state[nid] = 2
        return False

    if ok and cyclic(data["start"]):
        report.error(path, data.line_of("nodes"), "scenario-cycle", f"scenario '{item_id}' loops back on itself",
                     "a scenario is a path through decisions: make every 'next' move forward")
        ok = False
    return ok


def read_item(kind: str, item_id: str, data: object, lesson_id: str, lesson_refs: tuple[Ref, ...],
              line: int, path: Path, report: Report) -> Item | None:
    """Build one item from its directive body; report every problem, return None if unusable."""
    name = "scenario" if kind == "scenario" else "item"
    if not isinstance(data, LocatedDict):
        report.error(path, line, "schema", f"the body of {kind} '{item_id}' must be a YAML mapping", _HINT)
        return None
    if not schema.check(data, name, path, report, _HINT):
        return None
    item_type = "scenario" if kind == "scenario" else data["type"]
    common = dict(id=item_id, prompt=data["prompt"].strip(), competencies=tuple(data.get("competencies", lesson_refs)),
                  lesson=lesson_id, line=line, explanation=data.get("explanation", "").strip(),
                  guess=data.get("guess"), slip=data.get("slip"), lint_ignore=tuple(data.get("lint-ignore", ())),
                  lint_reason=data.get("lint-reason", "").strip())
    if item_type == "scenario":
        if not _check_scenario(data, item_id, path, report):
            return None
        nodes = tuple(ScenarioNode(n["id"], n["text"].strip(),
                                   tuple(ScenarioChoice(c["id"], c["text"].strip(), c["next"], c["feedback"].strip(),
                                                        c.get("mistake", False))
                                         for c in n.get("choices", [])),
                                   n.get("outcome")) for n in data["nodes"])
        return Scenario(**common, start=data["start"], nodes=nodes)
    common["feedback"] = frozen_map({k: v.strip() for k, v in data.get("feedback", {}).items()})
    if item_type in ("single", "multiple"):
        _check_choices(data, item_id, path, report)
        del common["feedback"]
        choices = tuple(Choice(c["id"], c["text"].strip(), c["feedback"].strip(), c.get("correct", False))
                        for c in data["choices"])
        return ITEM_CLASSES[item_type](**common, choices=choices)
    if item_type == "true-false":
        return TrueFalse(**common, answer=data["answer"])
    if item_type == "fill-in":
        if data["prompt"].count(BLANK) != 1:
            report.error(path, data.line_of("prompt"), "fill-in-blank",
                         f"fill-in item '{item_id}' needs exactly one blank '{BLANK}' in its prompt",
                         "write three underscores where the answer goes")
        return FillIn(**common, answers=tuple(a.strip() for a in data["answers"]), strict=data.get("strict", False),
                      strict_reason=data.get("strict-reason", "").strip())
    if item_type == "matching":
        _check_pairs(data, item_id, path, report)
        return Matching(**common, pairs=tuple(Pair(p["id"], p.get("left", ""), p.get("right", "")) for p in data["pairs"]))
    if item_type == "sequencing":
        _check_steps(data, item_id, path, report)
        return Sequencing(**common, steps=tuple(Step(s["id"], s["text"].strip()) for s in data["steps"]))
    return Numeric(**common, answer=float(data["answer"]), tolerance=float(data.get("tolerance", 0)),
                   unit=data.get("unit", ""))
