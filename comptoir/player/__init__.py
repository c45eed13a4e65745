"""The browser player shared by the web, SCORM and cmi5 outputs (and later the XBlock).

Pure: nothing here writes a file. Exporters call `files()` for the static part of a package
(every player module, plus copies of the adaptive engine and the scoring rules, which the player
imports as siblings) and `page()` for the one page that carries the course. docs/player.md
describes the package layout, the bundle contract and the transports.
"""
from __future__ import annotations

import html
import json
import re
from importlib import resources
from typing import Any, Mapping

TRANSPORTS = ("web", "scorm12", "scorm2004", "cmi5")
#: Shown by browsers that run no JavaScript; a msgid of comptoir.po like every player word.
NOSCRIPT = "Ce cours a besoin de JavaScript. Activez-le dans votre navigateur, puis rechargez la page."
#: Shown when the modules cannot load, typically index.html opened from disk (browsers refuse ES
#: modules from file://).
UNLOADED = ("Ce cours ne peut pas démarrer depuis un fichier ouvert sur l'ordinateur : publiez-le sur un "
            "serveur web ou dans une plateforme de formation (LMS).")
_SLOT = re.compile(r"\{\{(lang|transport|title|noscript|unloaded|preload|bundle)\}\}")

#: Package paths of the two modules the player imports but does not own: the engine and the
#: scoring rules have one definition each, shared with the Python side (DESIGN §5).
_SIBLINGS = (("comptoir.adaptive", "engine.js"), ("comptoir", "scoring.js"))


def _own_files() -> dict[str, bytes]:
    root = resources.files(__name__)
    return {f"player/{entry.name}": entry.read_bytes()
            for entry in sorted(root.iterdir(), key=lambda e: e.name)
            if entry.is_file() and entry.name.endswith((".js", ".css"))}


def _sibling(package: str, name: str) -> bytes:
    source = resources.files(package) / name
    if not source.is_file():
        raise FileNotFoundError(
            f"{package.replace('.', '/')}/{name} is missing: the player imports it as "
            f"player/{name}, so no package can be built without it")
    return source.read_bytes()


def files() -> dict[str, bytes]:
    """Package path → bytes for every static file the player needs, in sorted path order."""
    out = _own_files()
    for package, name in _SIBLINGS:
        out[f"player/{name}"] = _sibling(package, name)
    return dict(sorted(out.items()))


def bundle_json(bundle: Mapping[str, Any]) -> str:
    """The bundle as JSON that is safe inside a <script> element.

    Escaping every `<` (and the two line separators JavaScript once rejected in literals) makes
    `</script>` and `<!--` impossible whatever the course text holds; JSON.parse restores them.
    """
    text = json.dumps(bundle, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page(bundle: Mapping[str, Any], transport: str, title: str, lang: str) -> bytes:
    """index.html for one course: the template with the bundle, the language and the transport."""
    if transport not in TRANSPORTS:
        raise ValueError(f"unknown player transport {transport!r}; expected one of {', '.join(TRANSPORTS)}")
    template = (resources.files(__name__) / "index.html").read_text(encoding="utf-8")
    ui = bundle.get("ui", {})

    def word(msgid: str) -> str:
        return html.escape(ui[msgid] if isinstance(ui.get(msgid), str) and ui[msgid] else msgid)

    # Every module is announced up front, so the browser fetches them in parallel instead of
    # discovering the import graph level by level.
    modules = sorted([p for p in _own_files() if p.endswith(".js")] + [f"player/{n}" for _, n in _SIBLINGS])
    preload = "\n".join(f'<link rel="modulepreload" href="{m}">' for m in modules)
    values = {"lang": html.escape(lang, quote=True), "transport": transport,
              "title": html.escape(title, quote=True), "noscript": word(NOSCRIPT), "unloaded": word(UNLOADED),
              "preload": preload, "bundle": bundle_json(bundle)}
    # One pass, so a title that happens to contain "{{bundle}}" stays text.
    return _SLOT.sub(lambda m: values[m.group(1)], template).encode("utf-8")
