"""Reading one source file: text decoding and YAML parsing, problems reported, never raised."""
from __future__ import annotations

from pathlib import Path

from ..diagnostics import Report
from . import yamlsrc


def read_text(path: Path, report: Report) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        report.error(path, line, "encoding", f"not valid UTF-8 ({exc.reason})", "save the file as UTF-8")
    except OSError as exc:
        report.error(path, 1, "unreadable", f"cannot read the file: {exc.strerror}", "check its permissions")
    return None


def load_yaml(text: str, path: Path, report: Report, line_offset: int = 0) -> tuple[object, bool]:
    """The parsed value and whether parsing succeeded (an empty document parses to None)."""
    value, problem = yamlsrc.load(text, line_offset)
    if problem is not None:
        report.error(path, problem.line, "yaml-syntax", problem.message, problem.hint, problem.col)
        return None, False
    return value, True


def read_yaml(path: Path, report: Report) -> tuple[object, bool]:
    text = read_text(path, report)
    return (None, False) if text is None else load_yaml(text, path, report)
