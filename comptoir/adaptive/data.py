"""Readers for learner response logs: Piech three-line files, plain CSV, xAPI statements, the cmi5
target's statements and the Open edX XBlock's exported state.

Every reader returns the responses in the order they happened, one `Response` per answer and
competency; any malformed input raises `DataError` naming the file and the line, which the CLI
prints as one line (exit status 2).

Fields read from generic xAPI statements (`xapi`: one JSON array, or one statement per line):
- student: `actor.account.homePage` + `actor.account.name`, else `actor.mbox`,
  `actor.mbox_sha1sum`, `actor.openid`, else `actor.name`;
- competency: the first context extension whose IRI ends in `/competency` (a string, or the first
  of a list), else `object.id`;
- correct: `result.success` (statements without it, e.g. `launched`, are skipped);
- order: `timestamp` when every kept statement has one (ISO 8601, sorted as text after
  normalising `Z`), else file order.

The item-level formats (`cmi5`, `xblock`) know which item each answer was given to, which
per-item calibration needs; they are read as `ItemAnswer`s (`read_answers`) and spread over the
item's competencies by `responses_of`:
- `cmi5`: what comptoir's cmi5 player sends (docs/cmi5.md), read by the same code as
  `comptoir mastery --lrs` (`comptoir.xapi_statements.answers`): the `answered` statements only
  (the player's `mastered`/`progressed` verdicts are not evidence), in `timestamp` then `stored`
  order, each statement id once, voided ones skipped; the item from `object.id`
  (`identity.item_of_iri`), its competencies from `context.contextActivities.other`.
- `xblock`: JSON lines `{"user": …, "block": …, "state": {…}}`, `state` being the XBlock's
  per-learner fields as Open edX stores them (docs/adaptive.md, "Calibrating from your LMS"),
  whose `history` lists `[item id, 1 or 0]` in answer order. It names no competency: the course
  gives them (`comptoir calibrate --course`).
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..identity import item_of_iri
from ..xapi_statements import VERBS, actor_key, answers

FORMATS = ("piech", "csv", "xapi", "cmi5", "xblock")
#: Formats that name the item of each answer (per-item guess and slip can be fitted).
ITEM_FORMATS = ("cmi5", "xblock")


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
    item: str | None = None  # the item answered, when the format says (per-item calibration)


@dataclass(frozen=True)
class ItemAnswer:
    """One answer to one item, before it is spread over the item's competencies."""

    student: str
    item: str
    competencies: tuple[str, ...]
    correct: int


def responses_of(found: Iterable[ItemAnswer],
                 competencies: Callable[[str], tuple[str, ...]] | None = None) -> list[Response]:
    """One Response per answer and competency, as the engine counts them: an answer to an item
    aligned to two competencies is evidence for both. `competencies` (item id → references, e.g.
    the course engine's own view) replaces what the answers name; an item it maps to nothing is
    left out."""
    out = []
    for a in found:
        for ref in (competencies(a.item) if competencies else a.competencies):
            out.append(Response(a.student, ref, a.correct, a.item))
    return out


def _text(path: Path | str) -> tuple[Path, str]:
    path = Path(path)
    if not path.is_file():
        raise DataError(path, None, "no such file")
    try:
        return path, path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(path, None, f"not UTF-8 text ({exc.reason})") from None


def read_responses(path: Path | str, fmt: str) -> list[Response]:
    if fmt in ITEM_FORMATS:
        found = read_answers(path, fmt)
        if fmt == "xblock":
            raise DataError(path, None, "the xblock format names items, not competencies: "
                                        "give the course (comptoir calibrate --course ID)")
        return responses_of(found)
    path, text = _text(path)
    readers = {"piech": _read_piech, "csv": _read_csv, "xapi": _read_xapi}
    if fmt not in readers:
        raise DataError(path, None, f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    responses = list(readers[fmt](path, text))
    if not responses:
        raise DataError(path, None, "no responses found")
    return responses


def read_answers(path: Path | str, fmt: str) -> list[ItemAnswer]:
    """The answers of an item-level format (`cmi5` or `xblock`), in the order they were given."""
    path, text = _text(path)
    readers = {"cmi5": _read_cmi5, "xblock": _read_xblock}
    if fmt not in readers:
        raise DataError(path, None, f"format {fmt!r} does not name items (expected one of "
                                    f"{', '.join(ITEM_FORMATS)})")
    found = list(readers[fmt](path, text))
    if not found:
        raise DataError(path, None, "no answers found")
    return found


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


def _records(path: Path, text: str) -> list[tuple[int | None, Any]]:
    """The JSON values of a file holding one JSON array, or one value per line (JSON lines), each
    with its line number (None inside an array: json does not say where an element starts)."""
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
        return [(None, value) for value in data]
    records: list[tuple[int | None, Any]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                records.append((lineno, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise DataError(path, lineno, f"invalid JSON: {exc.msg}") from None
    return records


def _read_xapi(path: Path, text: str) -> Iterator[Response]:
    kept: list[tuple[str, Response]] = []
    for pos, (where, stmt) in enumerate(_records(path, text)):
        if not isinstance(stmt, dict):
            raise DataError(path, where, f"statement {pos + 1} is not a JSON object")
        success = (stmt.get("result") or {}).get("success")
        if success is None:
            continue
        student, comp = actor_key(stmt), _competency(stmt)
        if student is None or comp is None:
            raise DataError(path, where, f"statement {pos + 1} has no actor or no competency "
                                         "(context extension …/competency or object.id)")
        stamp = str(stmt.get("timestamp", "")).replace("Z", "+00:00")
        kept.append((stamp, Response(student, comp, 1 if success else 0)))
    if kept and all(s for s, _ in kept):
        kept.sort(key=lambda x: x[0])
    for _, resp in kept:
        yield resp


def _read_cmi5(path: Path, text: str) -> Iterator[ItemAnswer]:
    """The cmi5 player's `answered` statements (module docstring); checked here, where the line is
    known, then ordered and filtered by the code `comptoir mastery --lrs` uses."""
    statements = []
    for pos, (where, stmt) in enumerate(_records(path, text)):
        if not isinstance(stmt, dict):
            raise DataError(path, where, f"statement {pos + 1} is not a JSON object")
        if (stmt.get("verb") or {}).get("id") == VERBS["answered"]:
            if actor_key(stmt) is None:
                raise DataError(path, where, f"statement {pos + 1} ({stmt.get('id', 'no id')}) names no "
                                             "actor: an answer must say who gave it (actor.account, "
                                             "mbox, mbox_sha1sum or openid)")
            if not isinstance((stmt.get("result") or {}).get("success"), bool):
                raise DataError(path, where, f"statement {pos + 1} ({stmt.get('id', 'no id')}) is an "
                                             "answer without result.success (true or false)")
        statements.append(stmt)
    yield from cmi5_answers(statements)


def cmi5_answers(statements: Iterable[dict[str, Any]]) -> Iterator[ItemAnswer]:
    """The answers among a cmi5 package's statements (from a file or an LRS), in order; a
    statement about an activity that is no comptoir item, or naming nobody, is not one."""
    for a in answers(statements):
        item = item_of_iri(a.activity)
        if item is not None and a.actor is not None:
            yield ItemAnswer(a.actor, item, a.competencies, int(a.correct))


def _read_xblock(path: Path, text: str) -> Iterator[ItemAnswer]:
    """`{"user", "block"?, "state"}` per line; a learner in two blocks is two students (each
    block keeps its own engine state, so their histories are separate sequences)."""
    for pos, (where, row) in enumerate(_records(path, text)):
        state = row.get("state") if isinstance(row, dict) else None
        if isinstance(state, str):  # StudentModule.state is JSON text; accept it as exported
            try:
                state = json.loads(state)
            except json.JSONDecodeError as exc:
                raise DataError(path, where, f"record {pos + 1}: state is not JSON ({exc.msg})") from None
        user = row.get("user") if isinstance(row, dict) else None
        if not isinstance(state, dict) or user in (None, ""):
            raise DataError(path, where, f"record {pos + 1}: expected {{\"user\": …, \"state\": {{…}}}} "
                                         "(one learner's XBlock state per line)")
        history = state.get("history", [])
        if not isinstance(history, list) or not all(
                isinstance(h, list) and len(h) == 2 and isinstance(h[0], str) and h[1] in (0, 1)
                for h in history):
            raise DataError(path, where, f"record {pos + 1}: state.history must be a list of "
                                         "[item id, 1 or 0] pairs")
        student = f"{user}|{row.get('block', '')}"
        for item, correct in history:
            yield ItemAnswer(student, item, (), int(correct))
