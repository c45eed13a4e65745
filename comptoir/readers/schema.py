"""JSON Schema validation of YAML sources, each error reported at the line of the field."""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator

from ..diagnostics import Report
from .yamlsrc import LocatedDict, LocatedList


@cache
def validator(name: str) -> Draft202012Validator:
    text = resources.files("comptoir.schemas").joinpath(f"{name}.json").read_text(encoding="utf-8")
    return Draft202012Validator(json.loads(text))


def _line(instance: object, path: tuple) -> int:
    """The line of the deepest located value on ``path``."""
    line, node = getattr(instance, "line", 1), instance
    for step in path:
        if isinstance(node, LocatedDict) and step in node:
            line, node = node.line_of(step), node[step]
        elif isinstance(node, LocatedList) and isinstance(step, int) and step < len(node):
            line, node = node.item_lines[step], node[step]
        else:
            break
    return line


def _describe(error) -> str:
    where = "/".join(str(p) for p in error.absolute_path)
    message = error.message
    if error.validator == "additionalProperties":
        message = message.replace("Additional properties are not allowed", "unknown key(s)")
    return f"{where}: {message}" if where else message


def check(instance: object, name: str, path: Path, report: Report, hint: str) -> bool:
    """Validate ``instance`` against schema ``name``; report every error; True when valid."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors:
        report.error(path, _line(instance, tuple(error.absolute_path)), "schema", _describe(error), hint)
    return not errors
