"""Course files (``content/courses/<id>.yaml``) → :class:`Course`."""
from __future__ import annotations

from pathlib import Path

from ..diagnostics import Report
from ..model import Course, frozen_map
from . import schema
from .calibration import read_calibration
from .common import read_yaml
from .lessons import ID_RE

DEFAULT_THRESHOLD = 0.95


def read_course(path: Path, report: Report) -> Course | None:
    if not ID_RE.match(path.stem):
        report.error(path, 1, "malformed-id", f"course id '{path.stem}' (the file name) is malformed",
                     "use lowercase letters, digits, '.' and '-'")
        return None
    data, parsed = read_yaml(path, report)
    if not parsed or not schema.check(data, "course", path, report, "see docs/markup.md, 'Courses'"):
        return None
    include = data["include"]
    fid = data["framework"]
    prerequisites = data.get("prerequisites")
    model = data.get("learner_model", {})
    calibration = None
    if "calibration" in model:
        calibration = read_calibration(path, model.line_of("calibration") if hasattr(model, "line_of")
                                       else data.key_lines.get("learner_model", 1), model["calibration"], report)
    return Course(
        id=path.stem,
        title=data["title"].strip(),
        description=data.get("description", "").strip(),
        framework=fid,
        include=() if include == "all" else tuple(str(code) for code in include),
        lesson_ids=tuple(data.get("lessons", ())),
        locales=frozen_map(data["locales"]),
        mastery_threshold=float(data.get("mastery_threshold", DEFAULT_THRESHOLD)),
        learner_model=frozen_map(data.get("learner_model", {})),
        prerequisites=None if prerequisites is None else frozen_map(
            {f"{fid}:{k}": tuple(f"{fid}:{v}" for v in vs) for k, vs in prerequisites.items()}),
        path=path,
        iri=data["iri"].rstrip("/") if "iri" in data else None,
        calibration=calibration,
        lines=frozen_map({**data.key_lines, **({f"{fid}:{k}": prerequisites.line_of(k) for k in prerequisites}
                                                  if prerequisites else {})}),
    )
