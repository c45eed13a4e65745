"""Diagnostics: every problem of a run, reported as ``path:line:col: error[CODE]: message``.

Readers and checks never raise on bad content; they append a :class:`Diagnostic` to a
:class:`Report` and carry on, so one run shows every problem at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
import sys
from pathlib import Path


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int
    code: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.severity.value}[{self.code}]: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


@dataclass
class Report:
    """Collects diagnostics; paths are shown relative to ``root`` when they lie under it."""

    root: Path | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def _show(self, path: Path | str) -> str:
        path = Path(path)
        if self.root is not None:
            try:
                return path.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        return path.as_posix()

    def error(self, path: Path | str, line: int, code: str, message: str, hint: str = "", col: int = 1) -> None:
        self.diagnostics.append(Diagnostic(self._show(path), max(line, 1), max(col, 1), code, message, hint))

    def warning(self, path: Path | str, line: int, code: str, message: str, hint: str = "", col: int = 1) -> None:
        self.diagnostics.append(
            Diagnostic(self._show(path), max(line, 1), max(col, 1), code, message, hint, Severity.WARNING))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.diagnostics))


class ContentError(Exception):
    """Raised by the build when the content has errors: carries the report, never a traceback."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} error(s) in the content")
        self.report = report


def print_report(report: Report) -> None:
    for diagnostic in report.sorted():
        print(diagnostic.format(), file=sys.stderr)
