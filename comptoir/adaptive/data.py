"""Readers for learner response logs: Piech three-line files, plain CSV and xAPI statements.

Every reader returns the responses in the order they happened, one `Response` per answer; any
malformed input raises `DataError` naming the file and the line, which the CLI prints as one
line (exit status 2).

Fields read from xAPI statements (one JSON array, or one statement per line):
- student: `actor.account.homePage` + `actor.account.name`, else `actor.mbox`,
  `actor.mbox_sha1sum`, `actor.openid`, else `actor.name`;
- competency: the first context extension whose IRI ends in `/competency` (a string, or the first
  of a list), else `object.id`;
- correct: `result.success` (statements without it, e.g. `launched`, are skipped);
- order: `timestamp` when every kept statement has one (ISO 8601, sorted as text after
  normalising `Z`), else file order.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

FORMATS = ("piech", "csv", "xapi")


class DataError(ValueError):
    """Bad input data; str() is one line naming the file and the line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Response:
    student: str
    competency: str
    correct: int


def read_responses(path: Path | str, fmt: str) -> list[Response]:
    path = Path(path)
    if not path.is_file():
        raise DataError(path, None, "no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(path, None, f"not UTF-8 text ({exc.reason})") from None
    readers = {"piech": _read_piech, "csv": _read_csv, "xapi": _read_xapi}
    if fmt not in readers:
        raise DataError(path, None, f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    responses = list(readers[fmt](path, text))
    if not responses:
        raise DataError(path, None, "no responses found")
    return responses


def _fields(line: str) -> list[str]:
    return [x.strip() for x in line.strip().split(",") if x.strip() != ""]


def _flag(value: str, path: Path, line: int) -> int:
    if value not in ("0", "1"):
        raise DataError(path, line, f"correctness must be 0 or 1, got {value!r}")
    return int(value)


def _read_piech(path: Path, text: str) -> Iterator[Response]:
    """Three lines per student: n; n skill ids; n flags. The block number is the student."""
    lines = text.splitlines()
    i = 0
    block = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        if i + 2 >= len(lines):
            raise DataError(path, i + 1, "incomplete three-line block (count, skills, flags)")
        head = _fields(lines[i])
        if len(head) != 1 or not head[0].isdigit():
            raise DataError(path, i + 1, f"expected a response count, got {lines[i].strip()!r}")
        n = int(head[0])
        skills, flags = _fields(lines[i + 1]), _fields(lines[i + 2])
        if len(skills) != n:
            raise DataError(path, i + 2, f"expected {n} skill ids, found {len(skills)}")
        if len(flags) != n:
            raise DataError(path, i + 3, f"expected {n} correctness flags, found {len(flags)}")
        for skill, flag in zip(skills, flags):
            yield Response(str(block), skill, _flag(flag, path, i + 3))
        block += 1
        i += 3


def _read_csv(path: Path, text: str) -> Iterator[Response]:
    """student,competency,correct[,timestamp]; an optional header; sorted by timestamp if given."""
    rows: list[tuple[str, str, int, str, int]] = []
    for lineno, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not "".join(row).strip():
            continue
        if lineno == 1 and len(row) >= 3 and row[2].strip().lower() not in ("0", "1"):
            continue  # header
        if len(row) not in (3, 4):
            raise DataError(path, lineno, f"expected student,competency,correct[,timestamp], "
                                          f"got {len(row)} fields")
        student, comp = row[0].strip(), row[1].strip()
        if not student or not comp:
            raise DataError(path, lineno, "empty student or competency")
        stamp = row[3].strip() if len(row) == 4 else ""
        rows.append((student, comp, _flag(row[2].strip(), path, lineno), stamp, lineno))
    if rows and all(r[3] for r in rows):
        rows.sort(key=lambda r: r[3])
    for student, comp, correct, _, _ in rows:
        yield Response(student, comp, correct)


def _actor(stmt: dict[str, Any]) -> str | None:
    actor = stmt.get("actor") or {}
    account = actor.get("account")
    if isinstance(account, dict) and account.get("name"):
        return f"{account.get('homePage', '')}|{account['name']}"
    for key in ("mbox", "mbox_sha1sum", "openid", "name"):
        if actor.get(key):
            return str(actor[key])
    return None


def _competency(stmt: dict[str, Any]) -> str | None:
    extensions = ((stmt.get("context") or {}).get("extensions") or {})
    for iri, value in extensions.items():
        if iri.rstrip("/").endswith("/competency"):
            if isinstance(value, list) and value:
                return str(value[0])
            if isinstance(value, str) and value:
                return value
    obj = stmt.get("object") or {}
    return obj.get("id")


def _read_xapi(path: Path, text: str) -> Iterator[Response]:
    stripped = text.lstrip()
    statements: list[tuple[int, Any]]
    if stripped.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
        statements = [(0, s) for s in data]
    else:
        statements = []
        for lineno, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    statements.append((lineno, json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise DataError(path, lineno, f"invalid JSON: {exc.msg}") from None
    kept: list[tuple[str, Response]] = []
    for pos, (lineno, stmt) in enumerate(statements):
        where = lineno or None
        if not isinstance(stmt, dict):
            raise DataError(path, where, f"statement {pos + 1} is not a JSON object")
        success = (stmt.get("result") or {}).get("success")
        if success is None:
            continue
        student, comp = _actor(stmt), _competency(stmt)
        if student is None or comp is None:
            raise DataError(path, where, f"statement {pos + 1} has no actor or no competency "
                                         "(context extension …/competency or object.id)")
        stamp = str(stmt.get("timestamp", "")).replace("Z", "+00:00")
        kept.append((stamp, Response(student, comp, 1 if success else 0)))
    if kept and all(s for s, _ in kept):
        kept.sort(key=lambda x: x[0])
    for _, resp in kept:
        yield resp
