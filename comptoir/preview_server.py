"""The socket half of ``comptoir preview``: an HTTP server on loopback and a thread watching the sources.

Why polling and not inotify: it needs no dependency, works the same on every system and on
network or synced folders, and a project of a few hundred files is stat-ed in milliseconds.
Why the page polls ``/__comptoir/version`` rather than listening to Server-Sent Events: a
``ThreadingHTTPServer`` would hold one thread per open tab for ever, and a twice-a-second poll of
a few bytes is as quick for an author. Every answer comes from :class:`comptoir.preview.Site`;
this module never opens a file it is asked for.
"""
from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

from .preview import Loaded, Site

POLL_SECONDS = 0.4
#: A changed tree is read again once it has stayed the same this long: an editor that truncates,
#: then writes, or saves several files at once, causes one reload, not a broken one in between.
SETTLE_SECONDS = 0.15

Fingerprint = frozenset[tuple[str, int, int]]


def fingerprint(folders: list[Path]) -> Fingerprint:
    """(path, mtime in ns, size) of every file under ``folders``; any edit, addition or removal changes it."""
    found = set()
    for folder in folders:
        for dirpath, _, names in os.walk(folder):
            for name in names:
                path = os.path.join(dirpath, name)
                try:
                    stat = os.stat(path)
                except OSError:  # removed between the listing and the stat: the next poll sees it gone
                    continue
                found.add((path, stat.st_mtime_ns, stat.st_size))
    return frozenset(found)


class Watcher(threading.Thread):
    """Reads the project again whenever a file under ``folders`` changes, and hands the reading to the site."""

    def __init__(self, folders: list[Path], seen: Fingerprint, reload: Callable[[], Loaded], site: Site,
                 on_reload: Callable[[Loaded], None] = lambda _: None) -> None:
        """``seen`` is the fingerprint taken *before* the site's current reading, so an edit made
        while that reading ran is not missed."""
        super().__init__(name="comptoir-preview-watcher", daemon=True)
        self.folders, self.seen, self.reload, self.site, self.on_reload = folders, seen, reload, site, on_reload
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(POLL_SECONDS):
            now = fingerprint(self.folders)
            if now == self.seen:
                continue
            while not self.stopped.wait(SETTLE_SECONDS) and (later := fingerprint(self.folders)) != now:
                now = later
            self.seen = now
            loaded = self.reload()
            self.site.update(loaded)
            self.on_reload(loaded)

    def stop(self) -> None:
        self.stopped.set()


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD only; everything the server knows is in ``server.site``."""

    server: "PreviewServer"
    protocol_version = "HTTP/1.1"

    def _answer(self, body: bool) -> None:
        response = self.server.site.respond(self.path)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if response.location:
            self.send_header("Location", response.location)
        self.end_headers()
        if body:
            self.wfile.write(response.body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(False)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the version poll would fill the terminal; problems show in the page


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Site, port: int) -> None:
        self.site = site
        super().__init__(("127.0.0.1", port), Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a tab closed mid-answer is not the author's problem

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


def serve(server: PreviewServer, watcher: Watcher) -> None:
    """Serve until interrupted (Ctrl-C), the watcher reading the project again as it changes."""
    watcher.start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        watcher.stop()
        server.server_close()
