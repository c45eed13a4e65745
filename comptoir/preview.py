"""What ``comptoir preview`` serves, decided without a socket: the pure half of the preview.

An author previews a course exactly as learners get it: each page is the ``web`` target's
package, built in memory by the same functions the exporter uses
(:func:`~comptoir.exporters.player_package.bundle` and
:func:`~comptoir.exporters.player_package.files_for`, which ``package_files`` composes — the
bundle is kept because the overlay's jump list and answer keys are read from it). Around the
player, and only in its page, the preview adds an overlay (``comptoir/assets/preview.js``): a
course and locale switch, a jump list of every lesson and item (through the player's
``#lesson=<id>`` / ``#item=<id>`` links), a switch revealing each item's key, the diagnostics of
a broken source, and a reload as soon as a source changes.

:class:`Site` holds the last reading of the project and answers a request path with a
:class:`Response`. Only the in-memory package's own paths and four ``/__comptoir/`` paths exist:
a path is looked up, never joined to a folder, so no request can reach a file on disk. The socket
side (an HTTP server, the thread that watches the sources) is :mod:`comptoir.preview_server`.
"""
from __future__ import annotations

import html
import json
import mimetypes
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote, unquote, urlsplit

from comptoir.exporters.player_package import PAGE, bundle, files_for
from comptoir.exporters.web import WebExporter

from .answer_key import readable_keys
from .build import course_context
from .diagnostics import Diagnostic, Report, Severity
from .i18n import localise
from .model import Content
from .player import bundle_json
from .progress import Callback, silent
from .project import load_content, locales_dir
from .resolve import resolve

PREFIX = "__comptoir"
#: Error codes that do not stop the preview: a course short of items is what an author is writing.
NON_BLOCKING = frozenset({"coverage"})
ASSETS = {"preview.js": "text/javascript; charset=utf-8", "preview.css": "text/css; charset=utf-8"}
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Loaded:
    """One reading of the project: its content when a preview can be built from it, and every diagnostic."""

    content: Content | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def blocking(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR and d.code not in NON_BLOCKING)


def load(root: Path, progress: Callback = silent) -> Loaded:
    """Read and check the project at ``root`` (its ``content/`` folder); never raises on bad content."""
    report = Report(root.parent)
    content = load_content(root, report, progress)
    loaded = Loaded(content, tuple(report.sorted()))
    return loaded if not loaded.blocking else Loaded(None, loaded.diagnostics)


@dataclass(frozen=True)
class Package:
    """One course in one language as the ``web`` target packages it, and the bundle inside it."""

    files: Mapping[str, bytes]
    bundle: Mapping[str, Any]


def package(content: Content, course_id: str, language: str) -> Package:
    """Build the web package of one course and language in memory.

    The context's timestamp is 0: it only dates zip entries, and a preview zips nothing.
    """
    resolved = resolve(content, course_id)
    localised, _ = localise(resolved, language, locales_dir(content))
    context = course_context(resolved, 0, language)
    data = bundle(localised, context)
    files = files_for(data, context, WebExporter.transport)
    return Package({**files, **WebExporter().extra_files(data, files)}, data)


def outline(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The jump list: each lesson with its items (id, type, prompt HTML), in course order."""
    items = {item["id"]: item for item in data["items"]}
    return [{"id": lesson["id"], "title": lesson["title"],
             "items": [{"id": b["id"], "type": items[b["id"]]["type"], "prompt": items[b["id"]]["view"]["prompt"]}
                       for b in lesson["blocks"] if b["kind"] == "item" and b["id"] in items]}
            for lesson in data["lessons"]]


def diagnostic_data(diagnostic: Diagnostic) -> dict[str, Any]:
    return {"path": diagnostic.path, "line": diagnostic.line, "col": diagnostic.col,
            "severity": diagnostic.severity.value, "code": diagnostic.code, "message": diagnostic.message,
            "hint": diagnostic.hint}


def overlay(config: Mapping[str, Any]) -> bytes:
    """What the preview adds at the end of a page's body: its data, its style and its script."""
    return (f'<link rel="stylesheet" href="/{PREFIX}/preview.css">'
            f'<script type="application/json" id="comptoir-preview">{bundle_json(config)}</script>'
            f'<script type="module" src="/{PREFIX}/preview.js"></script>\n').encode("utf-8")


def inject(page: bytes, config: Mapping[str, Any]) -> bytes:
    """``page`` with the overlay before its last ``</body>``; the player's own markup is untouched."""
    at = page.rfind(b"</body>")
    if at < 0:
        raise ValueError("the player's page has no </body>")
    return page[:at] + overlay(config) + page[at:]


def bare_page(config: Mapping[str, Any], message: str) -> bytes:
    """A page without a player (nothing has built yet, or no such course), still with the overlay."""
    return (b'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>comptoir preview</title></head>'
            b'<body><main class="comptoir-preview-empty"><p>' + html.escape(message).encode("utf-8")
            + b"</p></main></body></html>\n").replace(b"</body>", overlay(config) + b"</body>")


def segments(raw: str) -> tuple[str, ...] | None:
    """The decoded segments of a request path, or None when one could climb out of where it is looked up.

    ``..`` and ``.`` (written plainly or percent-encoded), an encoded ``/`` or ``\\`` and NUL are
    refused outright rather than normalised: a well-formed page never asks for them.
    """
    path = urlsplit(raw).path
    if not path.startswith("/"):
        return None
    try:
        parts = tuple(unquote(part, errors="strict") for part in path[1:].split("/"))
    except UnicodeDecodeError:  # percent-encoded bytes that are not UTF-8 name nothing here
        return None
    if any(p in (".", "..") or "/" in p or "\\" in p or "\0" in p for p in parts):
        return None
    return parts


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    location: str | None = None


def not_found(what: str = "not found") -> Response:
    return Response(404, "text/plain; charset=utf-8", f"{what}\n".encode("utf-8"))


def page_url(course: str, language: str) -> str:
    return f"/c/{quote(course)}/{quote(language)}/{PAGE}"


@dataclass
class Site:
    """The preview's state: the last good reading, the latest diagnostics, the packages built from them.

    :meth:`update` takes a new reading (the watcher calls it); :meth:`respond` answers one request.
    Packages are built when first asked for and kept until the next good reading, so switching
    back and forth between locales costs nothing.
    """

    course: str | None = None
    language: str | None = None
    version: int = 0
    good: Content | None = None
    latest: Loaded | None = None
    packages: dict[tuple[str, str], Package] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def update(self, loaded: Loaded) -> None:
        with self.lock:
            self.version += 1
            self.latest = loaded
            if loaded.content is not None:
                self.good = loaded.content
                self.packages.clear()

    # --- what pages show ------------------------------------------------------------------
    def default(self) -> tuple[str, str] | None:
        """The course and language ``/`` opens: the ones asked for on the command line, else the first."""
        if self.good is None or not self.good.courses:
            return None
        course = self.course if self.course in self.good.courses else sorted(self.good.courses)[0]
        locales = list(self.good.courses[course].locales)
        return course, self.language if self.language in locales else locales[0]

    def config(self, course: str | None, language: str | None, data: Mapping[str, Any] | None) -> dict[str, Any]:
        latest = self.latest
        blocking = bool(latest and latest.blocking)
        courses = [] if self.good is None else [
            {"id": c.id, "title": c.title, "locales": list(c.locales)} for _, c in sorted(self.good.courses.items())]
        return {"version": self.version, "course": course, "language": language, "courses": courses,
                "stale": blocking and self.good is not None,
                "diagnostics": [diagnostic_data(d) for d in (latest.diagnostics if latest else ())],
                "outline": outline(data) if data else [], "keys": readable_keys(data) if data else {}}

    def package(self, course: str, language: str) -> Package | None:
        with self.lock:
            content = self.good
            if content is None or course not in content.courses or language not in content.courses[course].locales:
                return None
            if (course, language) not in self.packages:
                self.packages[(course, language)] = package(content, course, language)
            return self.packages[(course, language)]

    # --- requests ---------------------------------------------------------------------------
    def respond(self, raw_path: str) -> Response:
        parts = segments(raw_path)
        if parts is None:
            return not_found()
        if parts in ((), ("",)):
            return self._home()
        if parts[0] == PREFIX and len(parts) == 2:
            return self._own(parts[1])
        if parts[0] == "c" and (len(parts) == 3 or parts[3:] == ("",)):
            return Response(302, "text/plain", b"", page_url(parts[1], parts[2]))
        if parts[0] == "c" and len(parts) >= 4:
            return self._package_file(parts[1], parts[2], "/".join(parts[3:]))
        return not_found()

    def _home(self) -> Response:
        with self.lock:
            opened = self.default()
            if opened is None:
                message = ("The project has errors and nothing has been built yet: fix what the banner shows."
                           if self.latest is not None and self.latest.blocking else "The project has no course yet.")
                return Response(200, TYPES[".html"], bare_page(self.config(None, None, None), message))
        return Response(302, "text/plain", b"", page_url(*opened))

    def _own(self, name: str) -> Response:
        if name == "version":
            return Response(200, "application/json", json.dumps({"version": self.version}).encode("utf-8"))
        if name in ASSETS:
            return Response(200, ASSETS[name], (resources.files("comptoir") / "assets" / name).read_bytes())
        return not_found()

    def _package_file(self, course: str, language: str, path: str) -> Response:
        with self.lock:
            built = self.package(course, language)
            if built is None:
                if path != PAGE:
                    return not_found()
                message = f"There is no course '{course}' in '{language}' in the last good build."
                return Response(404, TYPES[".html"], bare_page(self.config(None, None, None), message))
            if path == PAGE:
                return Response(200, TYPES[".html"], inject(built.files[PAGE], self.config(course, language,
                                                                                            built.bundle)))
        data = built.files.get(path)
        if data is None:
            return not_found()
        suffix = path[path.rfind("."):] if "." in path else ""
        return Response(200, TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream", data)
