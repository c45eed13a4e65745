"""What the player-based targets share: the course bundle, the package's files, the exporter skeleton.

The web, SCORM 1.2 and SCORM 2004 targets (and later cmi5) ship the same browser player
(:mod:`comptoir.player`) with one course inlined in its page; they differ only by the player's
host transport and by the manifest a SCORM package adds. This module builds, for one localised
course:

- the *bundle* the player reads (:func:`bundle`), from the presentation layer
  (:func:`comptoir.present.present` with media under ``media/``) and the adaptive engine's view of
  the course (:meth:`EngineCourse.to_dict`), whose item and lesson lists it must match index for
  index;
- the package's files (:func:`package_files`): ``index.html`` (the player's page with the bundle),
  the player's scripts and styles under ``player/``, the course's images under ``media/``;
- the zip artifact (:class:`PlayerExporter`; :class:`ScormExporter` adds a manifest), reproducible like every artifact
  (:mod:`.zipfile_writer`).

Bundle, format 1::

    {"format": 1,
     "course": {"id", "title", "description" (HTML), "language", "region" (BCP 47, "fr-CH"), "threshold"},
     "competencies": [{"ref", "code", "title", "domain", "domainTitle"}],   # course units, course order
     "lessons": [{"id", "title", "minutes", "competencies",
                  "blocks": [{"kind": "prose" | "key-point", "html"} | {"kind": "item", "id"}]}],
     "items": [{"id", "type", "lesson", "competencies", "view", "key"}],  # engine order
     "engine": EngineCourse.to_dict(),
     "ui": the software's words in the course language (French msgid → translation)}

An item's ``view`` is what the learner sees (choices by position, never by source id) and its
``key`` what scores it; the player shows the key only after an answer.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, ClassVar, Iterable, Mapping
from urllib.parse import quote

from lxml import etree

from comptoir.model import ResolvedCourse
from comptoir.adaptive.course import EngineCourse
from comptoir.present import PresentedCourse, present, to_data

from .base import Artifact, BuildContext, CourseExporter
from .zipfile_writer import sorted_zip

FORMAT = 1
MEDIA_PREFIX = "media/"
PAGE = "index.html"
PLAYER_MODULE = "comptoir.player"


class PackageError(RuntimeError):
    """A player package cannot be built: a bug or a missing part of comptoir, never the content's fault."""


def player() -> ModuleType:
    """The browser player's Python side: ``files()`` and ``page(bundle, transport, title, lang)``."""
    try:
        return importlib.import_module(PLAYER_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name not in (PLAYER_MODULE, "comptoir"):
            raise
        raise PackageError("the browser player (comptoir.player) is not installed, so the web, scorm12 and "
                           "scorm2004 targets cannot be built; build other targets with --target, or install a "
                           "comptoir that ships the player") from exc


def bcp47(region: str) -> str:
    """A POSIX locale name as a BCP 47 tag: ``fr_CH`` → ``fr-CH``."""
    return region.replace("_", "-")


def plain(value: Any) -> Any:
    """Read-only mappings (the catalog's) as dicts, so the bundle is plain JSON data."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _block(block: Mapping[str, Any]) -> dict[str, Any]:
    if block["kind"] == "item":
        return {"kind": "item", "id": block["item"]}
    return {"kind": block["kind"], "html": block["html"]}


def _check_order(kind: str, engine_ids: list[str], shown_ids: list[str]) -> None:
    if engine_ids != shown_ids:
        at = next((i for i, (a, b) in enumerate(zip(engine_ids, shown_ids)) if a != b),
                  min(len(engine_ids), len(shown_ids)))
        raise PackageError(
            f"the adaptive engine's {kind} and the presented {kind} differ at position {at} "
            f"(engine: {engine_ids[at:at + 1] or 'none'}, presented: {shown_ids[at:at + 1] or 'none'}; "
            f"{len(engine_ids)} vs {len(shown_ids)} in all): the player addresses {kind} by index in both "
            "lists, so this is a bug in comptoir.present or comptoir.adaptive.course")


def course_data(shown: PresentedCourse, engine: EngineCourse) -> dict[str, Any]:
    """The bundle without the software's words: what the course itself is (format 1).

    Shared by :func:`bundle` and the OLX export, which carries it (keys apart, see
    :func:`without_keys`) inside the adaptive XBlock's element; the XBlock adds the words of the
    comptoir it runs on."""
    data = to_data(shown)
    engine_data = engine.to_dict()
    lessons = [{"id": lesson["id"], "title": lesson["title"], "minutes": lesson["minutes"],
                "competencies": lesson["competencies"], "blocks": [_block(b) for b in lesson["blocks"]]}
               for lesson in data["lessons"]]
    items = [{key: item[key] for key in ("id", "type", "lesson", "competencies", "view", "key")}
             for item in data["items"]]
    _check_order("items", [entry[0] for entry in engine_data["items"]], [item["id"] for item in items])
    _check_order("lessons", [entry[0] for entry in engine_data["lessons"]], [lesson["id"] for lesson in lessons])
    return {
        "format": FORMAT,
        "course": {"id": data["id"], "title": data["title"], "description": data["description"],
                   "language": data["language"], "region": bcp47(data["region"]),
                   "threshold": data["threshold"]},
        "competencies": data["competencies"],
        "lessons": lessons,
        "items": items,
        "engine": engine_data,
    }


def bundle(course: ResolvedCourse, context: BuildContext) -> dict[str, Any]:
    """The course as the player reads it (format 1, see the module docstring)."""
    return {**course_data(present(course, MEDIA_PREFIX), context.engine), "ui": plain(context.words.messages)}


def without_keys(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``data`` with every item's key taken out, and the keys by item id.

    For hosts that score on a server (the XBlock): what reaches the browser before an answer is
    built from the first part only, so no serialisation slip can leak a key."""
    keys = {item["id"]: item["key"] for item in data["items"]}
    items = [{k: v for k, v in item.items() if k != "key"} for item in data["items"]]
    return {**data, "items": items}, keys


def _add(files: dict[str, bytes], more: Mapping[str, bytes], what: str) -> None:
    clash = sorted(set(files) & set(more))
    if clash:
        raise PackageError(f"{what} would overwrite {', '.join(clash)} in the package")
    files.update(more)


def files_for(data: Mapping[str, Any], context: BuildContext, transport: str) -> dict[str, bytes]:
    """Every file of a player package for the bundle ``data``, path → bytes, in sorted path order."""
    shown = player()
    course = data["course"]
    files = {PAGE: shown.page(data, transport, course["title"], course["region"])}
    _add(files, shown.files(), "the player's files")
    _add(files, {MEDIA_PREFIX + name: media.data for name, media in context.media.items()}, "the course's media")
    return dict(sorted(files.items()))


def package_files(course: ResolvedCourse, context: BuildContext, transport: str) -> dict[str, bytes]:
    """The files of the player package of one localised course: index.html, player/*, media/*."""
    return files_for(bundle(course, context), context, transport)


# --- what the SCORM manifests share -------------------------------------------------------------

MANIFEST = "imsmanifest.xml"


def package_id(data: Mapping[str, Any]) -> str:
    """A manifest's identifier, ``comptoir.<course>.<language>`` (an xs:ID: course ids are
    ``[a-z0-9][a-z0-9.-]*``, so the prefix makes it start with a letter)."""
    return f"comptoir.{data['course']['id']}.{data['course']['language']}"


def href(path: str) -> str:
    """A package path as a manifest href (a URI reference: non-ASCII and spaces percent-encoded)."""
    return quote(path, safe="/")


def xml_bytes(root: etree._Element) -> bytes:
    """A manifest as UTF-8 bytes with a declaration, indented, newline-terminated: same tree, same bytes."""
    etree.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", xml_declaration=False,
                                                                  pretty_print=True)


# --- the exporters' common skeleton --------------------------------------------------------------

class PlayerExporter(CourseExporter):
    """One zip per course and language: the player package plus what :meth:`extra_files` adds."""

    transport: ClassVar[str]

    def __init__(self) -> None:
        player()  # the build creates exporters before any work: a missing player stops it there

    def extra_files(self, data: Mapping[str, Any], files: Mapping[str, bytes]) -> dict[str, bytes]:
        """Files beside the player package (a SCORM manifest), given the bundle and the package's files."""
        return {}

    def export(self, course: ResolvedCourse, context: BuildContext) -> Iterable[Artifact]:
        data = bundle(course, context)
        files = files_for(data, context, self.transport)
        _add(files, self.extra_files(data, files), f"the {self.name} files")
        cid, language = course.course.id, course.locale
        yield Artifact(cid, self.name, language, f"{self.name}/{cid}.{language}.zip",
                       sorted_zip(files, context.timestamp))


class ScormExporter(PlayerExporter):
    """A player package with an ``imsmanifest.xml`` at its root that lists every other file."""

    def manifest(self, data: Mapping[str, Any], paths: list[str]) -> bytes:
        raise NotImplementedError

    def extra_files(self, data: Mapping[str, Any], files: Mapping[str, bytes]) -> dict[str, bytes]:
        return {MANIFEST: self.manifest(data, sorted(files))}
