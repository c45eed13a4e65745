"""The competency graph of a course, drawn by Graphviz: domains as boxes, prerequisites as arrows.

Why Graphviz: laying out a directed graph readably (ranks, few crossings) is its whole job, and
``dot`` writes SVG and PNG; the ``graphviz`` Python package (the ``reports`` extra) only writes
the DOT text and runs ``dot``, which comes from the system (``apt-get install graphviz``).

Each competency shows its code, its official wording and its coverage (lessons, items); one
short of the coverage rule is drawn in red, so the graph also says where lessons are missing.
"""
from __future__ import annotations

import textwrap
from typing import Any

from ..coverage import course_coverage, gaps
from ..model import ResolvedCourse

FORMATS = ("svg", "png")
WRAP = 30


class GraphError(Exception):
    """The graph cannot be drawn here (a missing package or program); the message says how to fix it."""


def _label(*lines: str) -> str:
    """A DOT label of several lines: backslashes doubled (DOT escapes), lines joined by DOT's ``\\n``."""
    return "\\n".join(line.replace("\\", "\\\\") for line in lines)


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError as exc:
        raise GraphError("drawing the graph needs the graphviz package: pip install 'comptoir[reports]'") from exc
    return graphviz


def course_graph(course: ResolvedCourse) -> Any:
    """The course's competency graph as a ``graphviz.Digraph`` (not yet rendered)."""
    graphviz = _graphviz()
    coverage = course_coverage(course)
    missing = {code for code, _ in gaps(coverage)}
    framework = course.framework
    language = framework.languages[0]
    names = {framework.ref(u): f"u{i}" for i, u in enumerate(course.units)}
    graph = graphviz.Digraph(name=course.course.id, graph_attr={
        "rankdir": "TB", "fontname": "DejaVu Sans", "labelloc": "t", "fontsize": "14", "nodesep": "0.25",
        "newrank": "true",
        "label": _label(course.course.title, *textwrap.wrap(framework.title.get(language, framework.id), 100),
                        "an arrow leads from a prerequisite to the competency that needs it")},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "DejaVu Sans", "fontsize": "10"},
        edge_attr={"color": "#4f5868"})
    domains: dict[str, list] = {}
    for unit in course.units:
        domains.setdefault(framework.domain_of(unit).key, []).append(unit)
    for index, (domain_key, units) in enumerate(domains.items()):
        domain = framework.domain_of(units[0])
        with graph.subgraph(name=f"cluster_{index}") as box:
            title = domain.text_in(language) if domain is not units[0] else ""
            box.attr(label=_label(*textwrap.wrap(f"{domain_key} {title}".strip(), 60)), style="rounded",
                     color="#9aa4b2", fontsize="12")
            for unit in units:
                row = coverage["competencies"][unit.key]
                gap = unit.key in missing
                box.node(names[framework.ref(unit)], _label(
                    unit.key, *textwrap.wrap(unit.text_in(language), WRAP),
                    f"{row['lessons']} lesson(s) · {row['items']} item(s)" + (" — gap" if gap else "")),
                    fillcolor="#f9d9d9" if gap else "#e3eefb", color="#a4262c" if gap else "#0b5cad")
    for unit, needs in sorted(course.prerequisites.items()):
        for need in needs:
            if need in names and unit in names:
                graph.edge(names[need], names[unit])
    return graph


def render(course: ResolvedCourse, fmt: str) -> bytes:
    """The graph as SVG or PNG bytes, drawn by Graphviz's ``dot``."""
    if fmt not in FORMATS:
        raise GraphError(f"unknown graph format '{fmt}': use a file name ending in .svg or .png")
    graphviz = _graphviz()
    try:
        return course_graph(course).pipe(format=fmt)
    except graphviz.ExecutableNotFound as exc:
        raise GraphError("Graphviz's 'dot' program is not installed: apt-get install graphviz (Debian, Ubuntu), "
                         "brew install graphviz (macOS), or see https://graphviz.org/download/") from exc
