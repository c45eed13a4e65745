"""Compact, versioned learner-state encoding that fits SCORM 1.2's 4,096-char suspend_data.

Format (version 2), base64url digits, fields separated by '.':

    2.<step:5>.<competency records>.<items answered once>.<seen lesson keys>.<items answered again>


Records are keyed by a 24-bit FNV-1a hash of the reference or id (4 digits), not by position,
so a content update that keeps ids keeps every learner's mastery, and unknown keys (removed
content) are skipped. A competency record is key(4) + P(L) quantised to 18 bits (3) + review
stage (1), followed by its due step (5) when the stage is above 0; competencies still at their
prior are left out. Items answered exactly once are listed by key (4); items answered two times
or more by key and count (5; counts stop at 63). Worst case for 40 competencies, 80 exactMatch
ones, 400 items all answered again and 40 lessons: 40×13 + 80×8 + 400×5 + 40×4 + 12 ≈ 3,330
characters.

Version 1 (five fields, the items of the current round listed once) is still read: its answered
items count as answered once.
"""
from __future__ import annotations

from ..identity import state_key
from .course import EngineCourse
from .engine import MAX_COUNT, LearnerState, initial_state

VERSION = "2"
FIELDS = {"1": 5, "2": 6}  # versions this module reads, and their number of fields
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_DIGIT = {ch: i for i, ch in enumerate(ALPHABET)}
QMAX = (1 << 18) - 1
SUSPEND_DATA_LIMIT = 4096


def _num(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        out.append(ALPHABET[value & 63])
        value >>= 6
    return "".join(reversed(out))


def _parse(text: str, pos: int, width: int, where: str) -> int:
    chunk = text[pos:pos + width]
    if len(chunk) != width or any(ch not in _DIGIT for ch in chunk):
        raise ValueError(f"learner state: truncated or invalid {where} at character {pos}")
    value = 0
    for ch in chunk:
        value = value * 64 + _DIGIT[ch]
    return value


def quantise(p: float) -> int:
    """Round half up with floor, identically in both engines (Python's round() is banker's)."""
    q = int(p * QMAX + 0.5)
    return min(max(q, 0), QMAX)


def _keys(names: tuple[str, ...] | list[str], what: str) -> list[int]:
    keys = [state_key(n) for n in names]
    seen: dict[int, str] = {}
    for name, key in zip(names, keys):
        if key in seen:
            raise ValueError(f"{what} {seen[key]!r} and {name!r} share a learner-state key; "
                             "rename one of them")
        seen[key] = name
    return keys


def _course_keys(course: EngineCourse) -> tuple[list[int], list[str], list[str]]:
    """The course's competency keys, and its item and lesson keys written as their 4 digits,
    computed once per course object (like ``engine.items_of``): a server encodes and decodes a
    state on every request (the XBlock), and hashing and writing every id each time was most of
    that work."""
    cached = course.__dict__.get("_state_keys")
    if cached is None:
        cached = (_keys(course.competencies, "competencies"),
                  [_num(k, 4) for k in _keys([i.id for i in course.items], "items")],
                  [_num(k, 4) for k in _keys([les.id for les in course.lessons], "lessons")])
        object.__setattr__(course, "_state_keys", cached)
    return cached


def _lookup(index: dict[str, int], field: str, pos: int) -> int | None:
    """The position of the 4-digit key at ``pos``: None for a key of removed content (skipped),
    ValueError for digits that are no key at all."""
    found = index.get(field[pos:pos + 4])
    if found is None:
        _parse(field, pos, 4, "key")
    return found


def encode_state(course: EngineCourse, state: LearnerState) -> str:
    comp_keys, item_keys, lesson_keys = _course_keys(course)
    records = []
    for c, key in enumerate(comp_keys):
        if state.p[c] == course.params[c].prior and state.stage[c] == 0:
            continue
        rec = _num(key, 4) + _num(quantise(state.p[c]), 3) + _num(state.stage[c], 1)
        if state.stage[c] > 0:
            rec += _num(state.due[c], 5)
        records.append(rec)
    once = "".join(k for k, a in zip(item_keys, state.answered) if a == 1)
    again = "".join(k + _num(min(a, MAX_COUNT), 1) for k, a in zip(item_keys, state.answered) if a > 1)
    seen = "".join(k for k, s in zip(lesson_keys, state.seen) if s)
    return ".".join([VERSION, _num(state.step, 5), "".join(records), once, seen, again])


def decode_state(course: EngineCourse, text: str) -> LearnerState:
    """Inverse of encode_state, up to the 18-bit quantisation of P(L); ValueError if malformed."""
    parts = text.split(".")
    if FIELDS.get(parts[0]) != len(parts):
        raise ValueError("learner state: expected version 2 with 6 fields (or 1 with 5)")
    state = initial_state(course)
    state.step = _parse(parts[1], 0, 5, "step")
    comp_keys, item_keys, lesson_keys = _course_keys(course)
    comp_index = {k: i for i, k in enumerate(comp_keys)}
    recs, pos = parts[2], 0
    while pos < len(recs):
        key = _parse(recs, pos, 4, "competency key")
        q = _parse(recs, pos + 4, 3, "probability")
        stage = _parse(recs, pos + 7, 1, "stage")
        pos += 8
        due = 0
        if stage > 0:
            due = _parse(recs, pos, 5, "due step")
            pos += 5
        c = comp_index.get(key)
        if c is not None:
            state.p[c] = q / QMAX
            state.stage[c] = stage
            state.due[c] = due
    item_index = {k: i for i, k in enumerate(item_keys)}
    lesson_index = {k: j for j, k in enumerate(lesson_keys)}
    for pos in _positions(parts[3], 4):
        i = _lookup(item_index, parts[3], pos)
        if i is not None:
            state.answered[i] = 1
    for pos in _positions(parts[4], 4):
        j = _lookup(lesson_index, parts[4], pos)
        if j is not None:
            state.seen[j] = True
    if len(parts) == 6:
        for pos in _positions(parts[5], 5):
            i = _lookup(item_index, parts[5], pos)
            count = _parse(parts[5], pos + 4, 1, "count")
            if i is not None:
                state.answered[i] = count
    return state


def _positions(field: str, width: int) -> range:
    if len(field) % width:
        raise ValueError("learner state: truncated key list")
    return range(0, len(field), width)
