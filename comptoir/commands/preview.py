"""``comptoir preview``: the player on 127.0.0.1, rebuilt as the sources change."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..preview import Loaded, Site, load
from ..preview_server import PreviewServer, Watcher, fingerprint, serve
from ..progress import Bar
from ..project import catalogs_folder

LOCALES = ("fr", "it", "en")

EPILOG = """examples:
  comptoir preview                              open http://127.0.0.1:8765/ in a browser
  comptoir preview --course sample --locale it  start on the Italian sample course
  comptoir --content ~/ecole/content preview --port 9000

The page is the web target's player, exactly as learners get it, built in memory (nothing is
written to disk). A bar above it adds, for authors and reviewers only:
  - a course and a locale switch;
  - "Jump to": every lesson and item of the course (the player's #lesson=<id> / #item=<id> links);
  - "Reveal keys": what each item accepts as right, and the key of the item on screen;
  - "Reset progress": forget this browser's answers for the course, start again.
Save a file under content/ or locales/ and the page reloads on the new build. When a source is
broken, the page keeps the last good build and shows each problem (file:line, message, hint)
above it. The server listens on 127.0.0.1 only and serves nothing but the built package.
Stop it with Ctrl-C.
"""


def _summary(loaded: Loaded) -> str:
    errors = sum(d.severity.value == "error" for d in loaded.diagnostics)
    if loaded.blocking:
        return f"{len(loaded.blocking)} blocking error(s) ({loaded.blocking[0].format().splitlines()[0]}); " \
               "the page keeps the last good build"
    return f"built, {errors} error(s), {len(loaded.diagnostics) - errors} warning(s)"


def cmd_preview(args: argparse.Namespace) -> int:
    root = Path(args.content).resolve()
    folders = [root, catalogs_folder(root)]
    seen = fingerprint(folders)  # before reading: an edit made during the first reading is not lost
    with Bar("reading") as bar:
        loaded = load(root, bar)
    if args.course and loaded.content is not None and args.course not in loaded.content.courses:
        known = ", ".join(sorted(loaded.content.courses)) or "none"
        print(f"comptoir preview: unknown course '{args.course}' (known: {known})", file=sys.stderr)
        return 2
    site = Site(args.course, args.locale)
    site.update(loaded)
    try:
        server = PreviewServer(site, args.port)
    except OSError as exc:
        print(f"comptoir preview: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}; "
              "choose another port with --port", file=sys.stderr)
        return 2

    def reloaded(again: Loaded) -> None:
        print(f"{time.strftime('%H:%M:%S')} sources changed: {_summary(again)}", file=sys.stderr, flush=True)

    watcher = Watcher(folders, seen, lambda: load(root), site, reloaded)
    print(f"comptoir preview: {_summary(loaded)}", file=sys.stderr)
    print(f"comptoir preview: serving {server.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        serve(server, watcher)
    except KeyboardInterrupt:
        print("comptoir preview: stopped", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("preview", help="see any lesson or item as learners will, reloaded as you edit",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
                       description="Serve the player on 127.0.0.1 with every course of the content folder, "
                                   "rebuilt whenever a source or catalog changes.")
    p.add_argument("--course", metavar="C", help="the course the page opens on (default: the first by id)")
    p.add_argument("--locale", metavar="L", choices=LOCALES,
                   help="the content language it opens in (default: the course's first)")
    p.add_argument("--port", type=int, default=8765, metavar="P",
                   help="the port on 127.0.0.1 (default: 8765; 0 picks a free one)")
    p.set_defaults(func=cmd_preview)
