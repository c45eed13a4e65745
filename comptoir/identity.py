"""Every stable identifier comptoir derives, in one place.

Learner state, review history and LMS records hang on these ids, so each is a function of stable
source ids only (an item's id, a lesson id, a competency reference, a language), never of
wording or position: an edit that keeps the ids keeps every learner's history. Changing a scheme
here orphans that history; don't, except with a new name.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

from .model import Ref

#: Anki: the root of every tag and of every note GUID.
TAG_ROOT = "comptoir"
#: IMS CASE: UUIDv5 namespace of framework items, documents and associations.
CASE_NAMESPACE = uuid.UUID("6f1c4f2e-9a0b-5c7d-8e3f-2a4b6c8d0e1f")


def note_guid(language: str, *stable: str) -> str:
    """An Anki note's GUID (genanki's scheme over the language and stable ids): an item's note in one
    language survives any rewording, and the French and Italian decks never share a note."""
    import genanki  # only the Anki paths pay for genanki

    return genanki.guid_for(TAG_ROOT, language, *stable)


def anki_id(*parts: str) -> int:
    """A 31-bit deck or note-type id in genanki's recommended range [2**30, 2**31), from SHA-256."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def case_identifier(*parts: str) -> str:
    """A CASE identifier (UUIDv5): another framework's item can be referred to without its package."""
    return str(uuid.uuid5(CASE_NAMESPACE, "/".join(parts)))


def state_key(text: str) -> int:
    """The learner-state key of a competency, item or lesson id: a 24-bit fold of 32-bit FNV-1a over
    UTF-8. ``engine.js`` computes the same with Math.imul; both must agree bit for bit."""
    h = 0x811C9DC5
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return (h ^ (h >> 24)) & 0xFFFFFF


_KEPT = re.compile(r"[A-Za-z0-9.:-]{1,255}")


def objective_id(ref: Ref) -> str:
    """The SCORM objective id of a competency (``objectiveId`` in ``player/scorm-api.js``, the same rule).

    The reference itself (``ch-arc:b.1``) when it holds only ASCII letters, digits, ``.``, ``:`` and
    ``-`` and at most 255 characters — every comptoir reference does, codes being space-free — which
    is a SCORM 1.2 CMIIdentifier, a SCORM 2004 long identifier and an ``xs:anyURI``. Anything else has
    each other UTF-8 byte written ``_`` + two hex digits: kept ids hold no ``_``, so the two never collide.
    """
    if _KEPT.fullmatch(ref):
        return ref
    return "".join(chr(b) if _KEPT.fullmatch(chr(b)) else f"_{b:02X}" for b in ref.encode("utf-8"))


_UNSAFE_URL_NAME = re.compile(r"[^A-Za-z0-9.-]")


def olx_block_id(kind: str, *stable: str) -> str:
    """An Open edX block's ``url_name``: its kind, then its stable ids (``competency_ch-arc_b.1``), so a
    re-imported course keeps every learner's answers and the XBlock's state."""
    return "_".join((kind, *(_UNSAFE_URL_NAME.sub("-", part) for part in stable)))


#: The namespace of competency IRIs: ``urn:comptoir:`` + a competency reference. It is the prefix of the
#: SCORM 2004 global objectives too (``exporters/scorm2004.py``), so a competency has one identity in
#: every package, course, language and LRS.
COMPETENCY_IRI_BASE = "urn:comptoir:"
#: The default IRI base of a course without an ``iri`` key: ``urn:comptoir:course:<course id>``.
COURSE_IRI_PREFIX = "urn:comptoir:course:"


def _iri_segment(text: str) -> str:
    """``text`` as one IRI path segment: unreserved ASCII and ``:`` kept, every other UTF-8 byte
    percent-encoded (comptoir ids and references need no escape: ``ch-arc:b.1`` stays as it is)."""
    return quote(text, safe=":")


def competency_iri(base: str, ref: Ref) -> str:
    """The IRI of a competency: ``base`` + the reference (``urn:comptoir:`` + ``ch-arc:b.1`` →
    ``urn:comptoir:ch-arc:b.1``).

    A competency belongs to its framework, not to a course: pass :data:`COMPETENCY_IRI_BASE` (the
    cmi5 exporter does) so that every course and language that teaches ``ch-arc:b.1`` reports it
    under one IRI, the same as its SCORM 2004 global objective. References are space-free ASCII,
    so they are kept as they are; anything else is percent-encoded.
    """
    return base + _iri_segment(ref)


def course_iri(course_id: str, iri: str | None = None) -> str:
    """The IRI base of a course: its ``iri`` key (a trailing ``/`` dropped) or ``urn:comptoir:course:<id>``.

    Every cmi5 id of the course hangs under it: :func:`package_iri`, :func:`au_iri`, :func:`item_iri`.
    """
    return iri.rstrip("/") if iri else COURSE_IRI_PREFIX + course_id


def package_iri(base: str, language: str) -> str:
    """The cmi5 course id of one package (a course in one language): ``<base>/<language>``.

    Each language is its own zip, so each gets its own course id: an LMS that keys courses by id
    keeps the French and the Italian package apart instead of replacing one with the other.
    """
    return f"{base}/{language}"


def au_iri(base: str, language: str) -> str:
    """The publisher id of a package's assignable unit: ``<base>/<language>/au``."""
    return f"{package_iri(base, language)}/au"


def item_iri(base: str, item_id: str) -> str:
    """The activity id of an item: ``<base>/item/<item id>``, the same in every language, so the
    answers to one question are one activity in the LRS whatever language the learner used."""
    return f"{base}/item/{_iri_segment(item_id)}"


def item_of_iri(iri: str) -> str | None:
    """The item id an activity IRI names (the inverse of :func:`item_iri`, whatever the base), or None
    when it is no item's IRI: statements read back from an LRS name items only by their IRI."""
    base, sep, segment = iri.rpartition("/item/")
    return unquote(segment) if sep and base and segment and "/" not in segment else None


def competency_of_iri(iri: str) -> Ref | None:
    """The competency reference of an IRI made by :func:`competency_iri` under
    :data:`COMPETENCY_IRI_BASE`, or None."""
    if not iri.startswith(COMPETENCY_IRI_BASE) or iri.startswith(COURSE_IRI_PREFIX):
        return None
    ref = unquote(iri[len(COMPETENCY_IRI_BASE):])
    return ref or None


def media_name(lesson_id: str, src: str) -> str:
    """The flat, package-unique name of a lesson's image (Anki stores media flat; packages put it
    under ``media/``): the lesson id keeps two lessons' ``schema.png`` apart."""
    return f"{lesson_id}-{PurePosixPath(src).name}"
