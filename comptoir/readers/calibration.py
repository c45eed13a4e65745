"""A course's calibration file (``learner_model: {calibration: calibration/<course>.json}``), read and
checked for the content reader.

The file is what ``comptoir calibrate --course ID --out PATH`` writes (docs/adaptive.md,
"Calibrating from your LMS"): ``skills`` maps a competency reference to its fitted ``prior``,
``learn`` and ``forget``; ``items`` maps an item id to its ``guess`` and ``slip``, with
``applied: false`` for an item too few learners answered or whose fit makes no sense (the course
then keeps its defaults for it); ``repeat_memory``, when present, is the recall of repeated
items the items were fitted under, and the engine uses it. The path is relative to the content folder, so every course finds its file the same way
whatever folder comptoir runs from. A bad file is a content error at the ``learner_model`` line of
the course, naming the file and what to do, never a crash at build time.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Mapping

from ..diagnostics import Report

FORMAT = "comptoir-bkt-params/1"
HINT = "write it with `comptoir calibrate --course ID --out PATH` (docs/adaptive.md, 'Calibrating from your LMS')"


def _probability(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
        and 0.0 <= value <= 1.0


def problems(doc: Any) -> list[str]:
    """What is wrong with a parsed calibration document (empty when nothing is)."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return [f"not a calibration file (no \"format\": \"{FORMAT}\")"]
    out = []
    skills, items = doc.get("skills", {}), doc.get("items", {})
    if not isinstance(skills, dict) or not isinstance(items, dict):
        return ["\"skills\" and \"items\" must be objects"]
    for ref, v in skills.items():
        bad = [k for k in ("prior", "learn", "forget") if k in v and not _probability(v[k])] \
            if isinstance(v, dict) else ["prior"]
        if bad:
            out.append(f"skills.{ref}.{bad[0]} must be a number from 0 to 1")
    memory = doc.get("repeat_memory", 0.0)
    if not _probability(memory) or memory >= 1.0:
        out.append("repeat_memory must be a number from 0 to below 1")
    for item, v in items.items():
        if not isinstance(v, dict) or not all(_probability(v.get(k)) for k in ("guess", "slip")):
            out.append(f"items.{item} needs guess and slip, numbers from 0 to 1")
        elif v.get("applied", True) and v["guess"] + v["slip"] >= 1.0:
            out.append(f"items.{item}: guess + slip ≥ 1 would make a right answer evidence against "
                       "mastery; set \"applied\": false for it (its defaults apply) or fix the item")
    return out


def read_calibration(course_path: Path, line: int, relative: str, report: Report) -> Mapping[str, Any] | None:
    """The checked document, or None after reporting why at the course file's ``line``."""
    root = course_path.parent.parent
    path = root / relative
    where = f"learner_model.calibration '{relative}' (relative to {root.name}/)"
    if not path.is_file():
        report.error(course_path, line, "calibration", f"{where} does not exist", HINT)
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        report.error(course_path, line, "calibration", f"{where} is not UTF-8 text", HINT)
        return None
    except json.JSONDecodeError as exc:
        report.error(course_path, line, "calibration",
                     f"{where}: invalid JSON at {path.name}:{exc.lineno}:{exc.colno}: {exc.msg}", HINT)
        return None
    found = problems(doc)
    for problem in found[:5]:
        report.error(course_path, line, "calibration", f"{where}: {problem}", HINT)
    return None if found else doc
