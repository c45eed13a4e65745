"""Coverage: lessons, items, item types and minutes per competency of every course.

``comptoir check`` uses :func:`course_coverage` to fail a course whose unit has fewer than
:data:`MIN_LESSONS` lesson or :data:`MIN_ITEMS` items; ``comptoir coverage``
(:mod:`comptoir.commands.coverage`) prints it as a table, JSON or an HTML heat map.
"""
from __future__ import annotations

import html

from .model import ITEM_TYPES, Content, ResolvedCourse
from .resolve import resolve

MIN_LESSONS = 1
MIN_ITEMS = 6


def course_coverage(course: ResolvedCourse) -> dict:
    """``{"framework": id, "competencies": {code: {"lessons", "items", "item_types", "minutes"}}}``."""
    table = {u.key: {"lessons": 0, "items": 0, "item_types": {}, "minutes": 0} for u in course.units}
    prefix = f"{course.framework.id}:"
    for lesson in course.lessons:
        for ref in course.units_of(lesson.competencies):
            row = table[ref.removeprefix(prefix)]
            row["lessons"] += 1
            row["minutes"] += lesson.minutes
        for item in lesson.items:
            for ref in course.units_of(item.competencies):
                row = table[ref.removeprefix(prefix)]
                row["items"] += 1
                row["item_types"][item.type] = row["item_types"].get(item.type, 0) + 1
    for row in table.values():
        row["item_types"] = dict(sorted(row["item_types"].items()))
    return {"framework": course.framework.id, "competencies": table}


def gaps(coverage: dict) -> list[tuple[str, dict]]:
    return [(code, row) for code, row in coverage["competencies"].items()
            if row["lessons"] < MIN_LESSONS or row["items"] < MIN_ITEMS]


def all_coverage(content: Content) -> dict:
    return {"courses": {cid: course_coverage(resolve(content, cid)) for cid in sorted(content.courses)}}


def text_table(report: dict) -> str:
    lines = []
    for cid, cov in report["courses"].items():
        rows = cov["competencies"]
        lines.append(f"{cid} ({cov['framework']}): {len(rows)} competencies, "
                     f"{len(gaps(cov))} below {MIN_LESSONS} lesson / {MIN_ITEMS} items")
        lines.append(f"  {'code':<18}{'lessons':>8}{'items':>7}{'min':>5}  types")
        for code, row in rows.items():
            flag = "  ← gap" if (code, row) in gaps(cov) else ""
            types = ", ".join(f"{t} {n}" for t, n in row["item_types"].items())
            lines.append(f"  {code:<18}{row['lessons']:>8}{row['items']:>7}{row['minutes']:>5}  {types}{flag}")
        lines.append("")
    return "\n".join(lines)


def _cell(value: int, top: int) -> str:
    alpha = 0 if top == 0 else min(value / top, 1)
    return f'<td style="background:rgba(0,110,180,{alpha:.2f})">{value or ""}</td>'


def html_page(report: dict) -> str:
    parts = ["<!doctype html><meta charset=utf-8><title>comptoir coverage</title>",
             "<style>body{font:14px system-ui;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
             "td,th{border:1px solid #ccc;padding:2px 6px;text-align:center}td:first-child{text-align:left}"
             ".gap{color:#b00;font-weight:bold}</style>", "<h1>Coverage</h1>",
             f"<p>Each competency needs ≥ {MIN_LESSONS} lesson and ≥ {MIN_ITEMS} items; "
             "darker cells hold more content.</p>"]
    for cid, cov in report["courses"].items():
        rows = cov["competencies"]
        top = max([r["items"] for r in rows.values()] + [1])
        missing = {code for code, _ in gaps(cov)}
        parts.append(f"<h2>{html.escape(cid)} <small>({html.escape(cov['framework'])})</small></h2><table>")
        parts.append("<tr><th>competency</th><th>lessons</th><th>items</th><th>minutes</th>"
                     + "".join(f"<th>{t}</th>" for t in ITEM_TYPES) + "</tr>")
        for code, row in rows.items():
            name = f'<td class="gap">{html.escape(code)}</td>' if code in missing else f"<td>{html.escape(code)}</td>"
            parts.append("<tr>" + name + _cell(row["lessons"], 3) + _cell(row["items"], top)
                         + f"<td>{row['minutes']}</td>"
                         + "".join(_cell(row["item_types"].get(t, 0), 4) for t in ITEM_TYPES) + "</tr>")
        parts.append("</table>")
    return "\n".join(parts) + "\n"
