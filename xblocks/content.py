"""What the adaptive block sequences: the course it carries, read once and narrowed to its settings.

Pure (no XBlock, no Django), so the OLX exporter can write the block's data with the same code the
block reads it with, and tests need no runtime.

**The data a block carries** (``Scope.content``) is the player's course bundle
(:func:`comptoir.exporters.player_package.course_data`, format 1) split in two by
:func:`~comptoir.exporters.player_package.without_keys`: ``course`` without any item key, and
``keys``, item id → key. Only ``course`` ever reaches a page; keys stay on the server, which scores.
In OLX the block's element holds both as one JSON object, its text::

    <comptoir_adaptive competencies="ch-arc:b.1 …" threshold="0.9">{"course": {…}, "keys": {…}}</comptoir_adaptive>

**A :class:`BlockCourse`** is that data narrowed to the instructor's settings (the competencies
selected, the mastery threshold) with what each request needs ready: the engine's course
(:func:`comptoir.adaptive.course.restricted`), items and lessons by id, keys as
:mod:`comptoir.present` dataclasses. Building one parses and converts the whole course, so
:func:`block_course` keeps the few in use, keyed by a fingerprint of the data and the settings:
an answer then costs the engine's work, not the course's size.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from comptoir.adaptive.course import EngineCourse, restricted
from comptoir.present import Key, key_from_data

FORMAT = 1
#: How many narrowed courses a process keeps (one per block and settings actually in use).
CACHE_SIZE = 32


class ContentError(ValueError):
    """The block's data is not a comptoir course (a hand-edited OLX, a wrong paste in Studio)."""


def dumps(course: Mapping[str, Any], keys: Mapping[str, Any]) -> str:
    """The block's data as its OLX text: one JSON object, sorted keys, so a build is byte-identical."""
    return json.dumps({"course": course, "keys": keys}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(course, keys)`` from the OLX text; :class:`ContentError` saying what is wrong otherwise."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ContentError(f"the block's data is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("course"), dict) or not isinstance(data.get("keys"), dict):
        raise ContentError('the block\'s data must be a JSON object {"course": {…}, "keys": {…}}')
    check(data["course"], data["keys"])
    return data["course"], data["keys"]


def check(course: Mapping[str, Any], keys: Mapping[str, Any]) -> None:
    """The checks the player and the engine rely on (format, ids in engine order, one key per item)."""
    if course.get("format") != FORMAT:
        raise ContentError(f"the course data has format {course.get('format')!r}; this comptoir reads format {FORMAT}")
    for field in ("course", "competencies", "lessons", "items", "engine"):
        if field not in course:
            raise ContentError(f"the course data has no {field!r}")
    engine = course["engine"]
    if [i["id"] for i in course["items"]] != [entry[0] for entry in engine["items"]]:
        raise ContentError("the course data's items are not in the engine's order")
    if [les["id"] for les in course["lessons"]] != [entry[0] for entry in engine["lessons"]]:
        raise ContentError("the course data's lessons are not in the engine's order")
    leaked = [i["id"] for i in course["items"] if "key" in i]
    if leaked:
        raise ContentError(f"the course data holds keys ({', '.join(leaked[:3])}…): keys go in 'keys' only")
    missing = [i["id"] for i in course["items"] if i["id"] not in keys]
    if missing:
        raise ContentError(f"no key for item(s) {', '.join(missing[:5])}")


def fingerprint(course: Mapping[str, Any], keys: Mapping[str, Any]) -> str:
    """A short stable digest of the data, stored beside it so requests need not hash it again."""
    return hashlib.sha256(dumps(course, keys).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class BlockCourse:
    """The course one block sequences, with its settings applied; immutable and shared by requests."""

    data: Mapping[str, Any]  # the key-less course data, narrowed: what a page may show
    engine: EngineCourse
    items: Mapping[str, int]  # id → index in engine.items
    lessons: Mapping[str, int]
    keys: tuple[Key, ...]  # per item, engine order, for scoring
    key_data: Mapping[str, Any]  # item id → key as data, sent with the answer to that item only

    @property
    def competencies(self) -> tuple[str, ...]:
        return self.engine.competencies[:self.engine.n_own]


def narrow(course: Mapping[str, Any], keys: Mapping[str, Any], competencies: Iterable[str] = (),
           threshold: float | None = None) -> BlockCourse:
    """The course narrowed to ``competencies`` (all when empty) with ``threshold`` (the course's when None)."""
    full = EngineCourse.from_dict(course["engine"])
    wanted = [ref for ref in competencies if ref in full.competencies[:full.n_own]]
    engine = restricted(full, wanted) if wanted else full
    if threshold is not None:
        engine = dataclasses.replace(engine, threshold=float(threshold))
    kept_items = {entry.id for entry in engine.items}
    kept_lessons = {entry.id for entry in engine.lessons}
    own = set(engine.competencies[:engine.n_own])
    items = [item for item in course["items"] if item["id"] in kept_items]
    data = {
        **course,
        "course": {**course["course"], "threshold": engine.threshold},
        "competencies": [c for c in course["competencies"] if c["ref"] in own],
        "lessons": [les for les in course["lessons"] if les["id"] in kept_lessons],
        "items": items,
        "engine": engine.to_dict(),
    }
    try:
        parsed = tuple(key_from_data(item["type"], keys[item["id"]]) for item in items)
    except (KeyError, TypeError) as exc:
        raise ContentError(f"an item key does not fit its type: {exc!r}") from exc
    return BlockCourse(data, engine, {entry.id: i for i, entry in enumerate(engine.items)},
                       {entry.id: j for j, entry in enumerate(engine.lessons)}, parsed,
                       {item["id"]: keys[item["id"]] for item in items})


_cache: OrderedDict[tuple, BlockCourse] = OrderedDict()
_lock = threading.Lock()


def block_course(digest: str, load: Callable[[], tuple[Mapping[str, Any], Mapping[str, Any]]],
                 competencies: Iterable[str], threshold: float | None) -> BlockCourse:
    """:func:`narrow`, remembered by ``digest`` (see :func:`fingerprint`) and settings; ``load()``
    gives ``(course, keys)`` and is called only when the course is not cached yet (reading and
    parsing the block's data is what an answer must not pay for)."""
    cache_key = (digest, tuple(competencies), threshold)
    with _lock:
        found = _cache.get(cache_key)
        if found is not None:
            _cache.move_to_end(cache_key)
            return found
    made = narrow(*load(), cache_key[1], threshold)
    with _lock:
        _cache[cache_key] = made
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return made
