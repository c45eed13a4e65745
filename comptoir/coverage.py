"""Coverage: lessons, items, item types and minutes per competency of every course.

``comptoir check`` uses :func:`course_coverage` to fail a course whose unit has fewer than
:data:`MIN_LESSONS` lesson or :data:`MIN_ITEMS` items, and to warn (``thin-bank``) below
:data:`ADAPTIVE_ITEMS`; ``comptoir coverage`` (:mod:`comptoir.commands.coverage`) prints it as a
table, JSON or an HTML heat map.

Why two thresholds: 6 items is the least a unit can be taught and checked with, so below it the
course is refused; but the engine keeps asking a competency's items until the learner masters it,
and in `comptoir simulate`'s worlds a learner answers 8.5–9.5 items per competency on average
(1.8–1.9 × the oracle's ~5, docs/adaptive.md) — with fewer, many meet the same questions again,
which the engine must discount. 10 is where the
bank stops running out for most learners, so the shipped courses meet it and ``check`` says
where a course does not.
"""
from __future__ import annotations

import html

from .model import ITEM_TYPES, Content, ResolvedCourse
from .resolve import resolve

MIN_LESSONS = 1
MIN_ITEMS = 6
ADAPTIVE_ITEMS = 10


def course_coverage(course: ResolvedCourse) -> dict:
    """``{"framework", "framework_title", "title", "titles": {code: title},
    "competencies": {code: {"lessons", "items", "item_types", "minutes"}}}``.

    Titles (the course's, the framework's and each competency's official wording, in French) sit
    beside the counts rather than in the rows, so the rows keep their shape for scripts that read them.
    """
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
    language = course.framework.languages[0]
    return {"framework": course.framework.id, "framework_title": course.framework.title.get(language, ""),
            "title": course.course.title, "titles": {u.key: u.text_in(language) for u in course.units},
            "competencies": table}


def gaps(coverage: dict) -> list[tuple[str, dict]]:
    return [(code, row) for code, row in coverage["competencies"].items()
            if row["lessons"] < MIN_LESSONS or row["items"] < MIN_ITEMS]


def thin(coverage: dict) -> list[tuple[str, dict]]:
    """Units taught but with fewer items than the engine needs to adapt without repeating."""
    return [(code, row) for code, row in coverage["competencies"].items()
            if MIN_ITEMS <= row["items"] < ADAPTIVE_ITEMS and row["lessons"] >= MIN_LESSONS]


def all_coverage(content: Content) -> dict:
    return {"courses": {cid: course_coverage(resolve(content, cid)) for cid in sorted(content.courses)}}


def text_table(report: dict) -> str:
    lines = []
    for cid, cov in report["courses"].items():
        rows = cov["competencies"]
        gap_codes = {code for code, _ in gaps(cov)}
        thin_codes = {code for code, _ in thin(cov)}
        lines.append(f"{cid} ({cov['framework']}): {len(rows)} competencies, "
                     f"{len(gap_codes)} below {MIN_LESSONS} lesson / {MIN_ITEMS} items, "
                     f"{len(thin_codes)} below the {ADAPTIVE_ITEMS} items adaptive practice needs")
        if cov.get("title"):
            lines.append(f"  « {cov['title']} »")
        lines.append(f"  {'code':<18}{'lessons':>8}{'items':>7}{'min':>5}  {'competency':<42}  types")
        for code, row in rows.items():
            flag = "  ← gap" if code in gap_codes else "  ← thin" if code in thin_codes else ""
            types = ", ".join(f"{t} {n}" for t, n in row["item_types"].items())
            title = _short(cov.get("titles", {}).get(code, ""), 42)
            lines.append(f"  {code:<18}{row['lessons']:>8}{row['items']:>7}{row['minutes']:>5}  {title:<42}  "
                         f"{types}{flag}")
        lines.append("")
    return "\n".join(lines)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _cell(value: int, top: int) -> str:
    alpha = 0 if top == 0 else min(value / top, 1)
    ink = ";color:#fff" if alpha > 0.55 else ""  # dark cells keep their figure readable
    return f'<td style="background:rgba(0,110,180,{alpha:.2f}){ink}">{value or ""}</td>'


def html_page(report: dict) -> str:
    """The heat map an instructor reads: per course (by its title), one row per competency (code and
    official wording), darker cells holding more content, gaps in red."""
    parts = ["<!doctype html><html lang=en><meta charset=utf-8><title>comptoir coverage</title>",
             "<style>body{font:14px system-ui;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
             "td,th{border:1px solid #ccc;padding:2px 6px;text-align:center}td.name{text-align:left;max-width:32em}"
             "td.name code{font-weight:bold;margin-right:.5em}.gap{color:#b00}.gap::after{content:' ← gap';"
             "font-weight:bold}h2 small{color:#555;font-weight:normal}</style>", "<h1>Coverage</h1>",
             f"<p>Each competency needs ≥ {MIN_LESSONS} lesson and ≥ {MIN_ITEMS} items, and ≥ {ADAPTIVE_ITEMS} "
             "items for adaptive practice without repeats (marked thin); darker cells hold more content.</p>"]
    for cid, cov in report["courses"].items():
        rows = cov["competencies"]
        top = max([r["items"] for r in rows.values()] + [1])
        missing = {code for code, _ in gaps(cov)}
        titles = cov.get("titles", {})
        heading = html.escape(cov.get("title") or cid)
        framework = html.escape(cov.get("framework_title") or cov["framework"])
        parts.append(f"<h2>{heading} <small>(course {html.escape(cid)} · {framework})</small></h2>"
                     f"<p>{len(rows)} competencies, {len(missing)} below the minimum.</p><table>")
        parts.append("<tr><th>competency</th><th>lessons</th><th>items</th><th>minutes</th>"
                     + "".join(f"<th>{t}</th>" for t in ITEM_TYPES) + "</tr>")
        for code, row in rows.items():
            gap = ' gap' if code in missing else ''
            name = f'<td class="name{gap}"><code>{html.escape(code)}</code>{html.escape(titles.get(code, ""))}</td>'
            parts.append("<tr>" + name + _cell(row["lessons"], 3) + _cell(row["items"], top)
                         + f"<td>{row['minutes']}</td>"
                         + "".join(_cell(row["item_types"].get(t, 0), 4) for t in ITEM_TYPES) + "</tr>")
        parts.append("</table>")
    return "\n".join(parts) + "\n"
