"""The crosswalk report: a framework × framework matrix, then every link with its relation and rationale.

Why a matrix first: an instructor choosing a framework for a course wants to see at a glance which
other frameworks' lessons will count (``exactMatch`` and ``closeMatch`` links) before reading any
single link; the tables below then show, for each pair, what both texts share in the authors' words.
"""
from __future__ import annotations

import html
from collections import Counter

from ..model import SKOS_RELATIONS, Content, Crosswalk, Framework, Ref

RELATIONS = (*SKOS_RELATIONS, "noMatch")
#: What each relation means to an instructor (SKOS, in plain words).
MEANINGS = {
    "exactMatch": "the same competency: evidence of mastery carries over",
    "closeMatch": "nearly the same: lessons count for both",
    "broadMatch": "the target is broader",
    "narrowMatch": "the target is narrower",
    "relatedMatch": "related, not interchangeable",
    "noMatch": "no counterpart",
}
COLOURS = {"exactMatch": "#17663a", "closeMatch": "#2f7d4f", "broadMatch": "#0b5cad", "narrowMatch": "#0b5cad",
           "relatedMatch": "#6b5b00", "noMatch": "#888"}
STYLE = ("body{font:14px system-ui;margin:2em;max-width:90em}table{border-collapse:collapse;margin:0.5em 0 2em}"
         "td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}"
         ".rel{color:#fff;border-radius:3px;padding:0 4px;white-space:nowrap;font-size:0.9em}"
         "td.count{text-align:center}code{font-weight:bold}small{color:#555}")


def _title(framework: Framework | None, fallback: str) -> str:
    if framework is None:
        return fallback
    return framework.title.get(framework.languages[0], fallback)


def _unit_titles(content: Content) -> dict[Ref, str]:
    return {fw.ref(u): u.text_in(fw.languages[0]) for fw in content.frameworks.values() for u in fw.units()}


def _badge(relation: str) -> str:
    return (f'<span class="rel" style="background:{COLOURS.get(relation, "#555")}" '
            f'title="{html.escape(MEANINGS.get(relation, ""))}">{html.escape(relation)}</span>')


def _side(ref: Ref | None, titles: dict[Ref, str]) -> str:
    if not ref:
        return "<td><small>—</small></td>"
    code = ref.partition(":")[2]
    return f"<td><code>{html.escape(code)}</code> {html.escape(titles.get(ref, ''))}</td>"


def _anchor(crosswalk: Crosswalk) -> str:
    return f"cw-{crosswalk.source}--{crosswalk.target}"


def _matrix(content: Content) -> list[str]:
    ids = sorted({*content.frameworks, *(side for cw in content.crosswalks for side in (cw.source, cw.target))})
    by_pair = {(cw.source, cw.target): cw for cw in content.crosswalks}
    rows = ["<table><tr><th>from \\ to</th>" + "".join(f"<th>{html.escape(i)}</th>" for i in ids) + "</tr>"]
    for source in ids:
        cells = []
        for target in ids:
            cw = by_pair.get((source, target))
            if source == target:
                cells.append('<td class="count">—</td>')
            elif cw is None:
                cells.append("<td></td>")
            else:
                counts = Counter(link.relation for link in cw.links)
                summary = "<br>".join(f"{counts[r]} {_badge(r)}" for r in RELATIONS if counts[r])
                cells.append(f'<td><a href="#{_anchor(cw)}">{len(cw.links)} links</a><br>{summary}</td>')
        name = html.escape(_title(content.frameworks.get(source), source))
        rows.append(f"<tr><th>{html.escape(source)}<br><small>{name}</small></th>{''.join(cells)}</tr>")
    return rows + ["</table>"]


def _links(crosswalk: Crosswalk, content: Content, titles: dict[Ref, str]) -> list[str]:
    source = _title(content.frameworks.get(crosswalk.source), crosswalk.source)
    target = _title(content.frameworks.get(crosswalk.target), crosswalk.target)
    order = {r: i for i, r in enumerate(RELATIONS)}
    links = sorted(crosswalk.links, key=lambda link: (order.get(link.relation, len(order)), link.line))
    out = [f'<h2 id="{_anchor(crosswalk)}">{html.escape(crosswalk.source)} → {html.escape(crosswalk.target)}</h2>',
           f"<p>{html.escape(source)} → {html.escape(target)}: {len(links)} links "
           f"(<code>{html.escape(crosswalk.path.name)}</code>).</p>",
           f"<table><tr><th>{html.escape(crosswalk.source)}</th><th>relation</th>"
           f"<th>{html.escape(crosswalk.target)}</th><th>rationale</th></tr>"]
    for link in links:
        out.append("<tr>" + _side(link.source, titles) + f"<td>{_badge(link.relation)}</td>"
                   + _side(link.target, titles) + f"<td>{html.escape(link.rationale)}</td></tr>")
    return out + ["</table>"]


def crosswalk_page(content: Content) -> str:
    """The whole report as one self-contained HTML page (no script, no external file)."""
    titles = _unit_titles(content)
    legend = "".join(f"<li>{_badge(r)} {html.escape(MEANINGS[r])}</li>" for r in RELATIONS)
    parts = ["<!doctype html><html lang=en><meta charset=utf-8><title>comptoir crosswalks</title>",
             f"<style>{STYLE}</style><h1>Crosswalks</h1>",
             "<p>Links between the competencies of two frameworks. A course for one framework includes the "
             "lessons aligned to another through <b>exactMatch</b> or <b>closeMatch</b>; only <b>exactMatch</b> "
             "carries mastery evidence.</p>", f"<ul>{legend}</ul>", *_matrix(content)]
    for crosswalk in sorted(content.crosswalks, key=lambda cw: (cw.source, cw.target)):
        parts.extend(_links(crosswalk, content, titles))
    if not content.crosswalks:
        parts.append("<p>No crosswalk yet: add <code>content/crosswalks/&lt;source&gt;__&lt;target&gt;.csv</code>.</p>")
    return "\n".join(parts) + "\n"
