"""Crosswalk files (``content/crosswalks/<source>__<target>.csv``) → :class:`Crosswalk`."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..diagnostics import Report
from ..model import SKOS_RELATIONS, Crosswalk, Link
from .common import read_text

HEADER = ["source", "target", "relation", "rationale"]


def read_crosswalk(path: Path, report: Report) -> Crosswalk | None:
    if "__" not in path.stem:
        report.error(path, 1, "crosswalk-name", "a crosswalk file is named <source>__<target>.csv",
                     "rename it, e.g. ch-arc__fr-mcavd.csv")
        return None
    source, target = path.stem.split("__", 1)
    text = read_text(path, report)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        report.error(path, reader.line_num, "csv-syntax", f"CSV syntax: {exc}", "quote fields that hold commas")
        return None
    if not rows or rows[0] != HEADER:
        report.error(path, 1, "csv-header", f"the header must be {','.join(HEADER)}",
                     "put exactly this line first")
        return None
    links = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 4:
            report.error(path, line, "csv-columns", f"expected 4 columns, found {len(row)}",
                         "quote the rationale if it holds a comma")
            continue
        src, dst, relation, rationale = (cell.strip() for cell in row)
        allowed = (*SKOS_RELATIONS, "noMatch")
        if relation not in allowed:
            report.error(path, line, "crosswalk-relation", f"unknown relation '{relation}'",
                         f"use one of {', '.join(allowed)}")
            continue
        if relation == "noMatch" and bool(src) == bool(dst):
            report.error(path, line, "crosswalk-nomatch", "a noMatch row names exactly one side",
                         "leave source or target empty")
            continue
        if relation != "noMatch" and not (src and dst):
            report.error(path, line, "crosswalk-side", f"a {relation} row needs both source and target",
                         "fill in both references, or use noMatch")
            continue
        if not rationale:
            report.error(path, line, "crosswalk-rationale", "the rationale is empty",
                         "say what the two official texts share")
        links.append(Link(src or None, dst or None, relation, rationale, line))
    return Crosswalk(source, target, tuple(links), path)
