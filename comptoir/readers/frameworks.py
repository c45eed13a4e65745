"""Framework files (``content/frameworks/<id>.yaml``) → :class:`Framework`."""
from __future__ import annotations

from pathlib import Path

from ..diagnostics import Report
from ..model import Framework, Node, frozen_map
from . import schema
from .common import read_yaml

_HINT = "see docs/frameworks.md for the framework format"


def _node(data: dict) -> Node:
    return Node(
        kind=data["kind"],
        text=frozen_map(data.get("text", {})),
        code=data.get("code"),
        id=data.get("id"),
        incomplete=data.get("incomplete"),
        children=tuple(_node(c) for c in data.get("children", ())),
        line=data.line,
    )


def read_framework(path: Path, report: Report) -> Framework | None:
    data, parsed = read_yaml(path, report)
    if not parsed or not schema.check(data, "framework", path, report, _HINT):
        return None
    if data["id"] != path.stem:
        report.error(path, data.line_of("id"), "id-mismatch",
                     f"framework id '{data['id']}' differs from the file name '{path.stem}'",
                     f"rename the file to {data['id']}.yaml or set id: {path.stem}")
    fid = data["id"]
    prerequisites = data.get("prerequisites", {})
    return Framework(
        id=fid,
        title=frozen_map(data["title"]),
        issuer=data["issuer"],
        reference=data["reference"],
        languages=tuple(data["languages"]),
        levels=tuple(data["levels"]),
        nodes=tuple(_node(n) for n in data["nodes"]),
        prerequisites=frozen_map({f"{fid}:{k}": tuple(f"{fid}:{v}" for v in vs) for k, vs in prerequisites.items()}),
        path=path,
        sources=tuple(data.get("sources", ())),
        prerequisite_lines=frozen_map({f"{fid}:{k}": prerequisites.line_of(k) for k in prerequisites}),
    )

