"""Compact, versioned learner-state encoding that fits SCORM 1.2's 4,096-char suspend_data.

Format (version 1), base64url digits, fields separated by '.':

    1.<step:5>.<competency records>.<answered item keys>.<seen lesson keys>

Records are keyed by a 24-bit FNV-1a hash of the reference or id (4 digits), not by position,
so a content update that keeps ids keeps every learner's mastery, and unknown keys (removed
content) are skipped. A competency record is key(4) + P(L) quantised to 18 bits (3) + review
stage (1), followed by its due step (5) when the stage is above 0; competencies still at their
prior are left out. Worst case for 40 competencies, 80 exactMatch ones, 400 items and 40
lessons: 40×13 + 80×8 + 400×4 + 40×4 + 11 ≈ 2,930 characters.
"""
from __future__ import annotations

from ..identity import state_key
from .course import EngineCourse
from .engine import LearnerState, initial_state

VERSION = "1"
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


def _codes(course: EngineCourse) -> tuple[list[int], list[str], list[str]]:
    """The course's competency keys, and its item and lesson keys as their 4-digit codes,
    computed once per course object (like ``engine.items_of``): a server encodes and decodes a
    state on every request, and hashing every id each time was most of that work."""
    cached = course.__dict__.get("_state_codes")
    if cached is None:
        cached = (_keys(course.competencies, "competencies"),
                  [_num(k, 4) for k in _keys([i.id for i in course.items], "items")],
                  [_num(k, 4) for k in _keys([les.id for les in course.lessons], "lessons")])
        object.__setattr__(course, "_state_codes", cached)
    return cached


def encode_state(course: EngineCourse, state: LearnerState) -> str:
    comp_keys, item_codes, lesson_codes = _codes(course)
    records = []
    for c, key in enumerate(comp_keys):
        if state.p[c] == course.params[c].prior and state.stage[c] == 0:
            continue
        rec = _num(key, 4) + _num(quantise(state.p[c]), 3) + _num(state.stage[c], 1)
        if state.stage[c] > 0:
            rec += _num(state.due[c], 5)
        records.append(rec)
    answered = "".join(code for code, a in zip(item_codes, state.answered) if a)
    seen = "".join(code for code, s in zip(lesson_codes, state.seen) if s)
    return ".".join([VERSION, _num(state.step, 5), "".join(records), answered, seen])


def decode_state(course: EngineCourse, text: str) -> LearnerState:
    """Inverse of encode_state, up to the 18-bit quantisation of P(L); ValueError if malformed."""
    parts = text.split(".")
    if len(parts) != 5 or parts[0] != VERSION:
        raise ValueError(f"learner state: expected version {VERSION} with 5 fields")
    state = initial_state(course)
    state.step = _parse(parts[1], 0, 5, "step")
    comp_keys, item_codes, lesson_codes = _codes(course)
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
    for field, codes, flags in ((parts[3], item_codes, state.answered), (parts[4], lesson_codes, state.seen)):
        index = {code: i for i, code in enumerate(codes)}
        if len(field) % 4:
            raise ValueError("learner state: truncated key list")
        for pos in range(0, len(field), 4):
            i = index.get(field[pos:pos + 4])
            if i is not None:
                flags[i] = True
            else:
                _parse(field, pos, 4, "key")  # a key of removed content is skipped; a bad digit is an error
    return state
