"""STAND-IN for the browser player's two functions, ``comptoir.player.files`` and ``page``.

The player (``comptoir/player/``) is written on another branch. Until it is installed, the tests
of the player-based targets (web, scorm12, scorm2004) put this module in its place: same
signatures, same contract (``player/*.js`` and ``player/*.css`` including ``player/engine.js`` and
``player/scoring.js``; an ``index.html`` with the bundle inlined as JSON in a
``<script type="application/json">`` element), none of the player's behaviour. Tests use it only
when ``comptoir.player`` cannot be imported (:func:`install_if_absent`); it is never shipped.
"""
from __future__ import annotations

import html
import importlib.util
import json
from typing import Any, Mapping

STAND_IN = True
TRANSPORTS = ("web", "scorm12", "scorm2004")


def files() -> dict[str, bytes]:
    names = ("app.js", "engine.js", "player.css", "scoring.js")
    return {f"player/{name}": f"/* stand-in for the comptoir player: {name} */\n".encode() for name in names}


def page(bundle: Mapping[str, Any], transport: str, title: str, lang: str) -> bytes:
    if transport not in TRANSPORTS:
        raise ValueError(f"unknown player transport {transport!r}")
    data = json.dumps(bundle, ensure_ascii=False, sort_keys=True, separators=(",", ":")).replace("<", "\\u003c")
    return (f'<!doctype html>\n<html lang="{html.escape(lang)}" data-transport="{transport}">\n'
            f'<head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<link rel="stylesheet" href="player/player.css"><script type="module" src="player/app.js"></script>'
            f'</head>\n<body><script type="application/json" id="comptoir-course">{data}</script></body>\n'
            f"</html>\n").encode("utf-8")


def install_if_absent(monkeypatch) -> bool:
    """Put this module in place of ``comptoir.player`` when that is not importable; True if it did."""
    try:
        if importlib.util.find_spec("comptoir.player") is not None:
            return False
    except ModuleNotFoundError:
        pass
    import sys

    monkeypatch.setitem(sys.modules, "comptoir.player", sys.modules[__name__])
    return True
