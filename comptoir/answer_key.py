"""An item's key as a reviewer reads it: the right answer in words, from the player's bundle.

The bundle (:func:`comptoir.exporters.player_package.bundle`) addresses choices, steps and
scenario moves by their position in the view, which is what the player needs and what no person
can check at a glance. ``comptoir preview``'s "reveal keys" switch shows this instead, so a
reviewer sees in one place what each item accepts, in the language on screen, without answering
it. The texts are the bundle's own HTML (rendered and sanitised by the build); only the markup
around them is added here.
"""
from __future__ import annotations

import html
from typing import Any, Callable, Mapping

Item = Mapping[str, Any]


def _li(parts: list[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{part}</li>" for part in parts) + f"</{tag}>"


def _true_false(view: Mapping, key: Mapping) -> str:
    return f"<p><b>{'true' if key['answer'] else 'false'}</b></p>"


def _choices(view: Mapping, key: Mapping) -> str:
    return _li([f"✓ {view['choices'][i]}" for i in key["correct"]])


def _fill_in(view: Mapping, key: Mapping) -> str:
    return "<p>accepted: " + " | ".join(f"<b>{html.escape(answer)}</b>" for answer in key["answers"]) + "</p>"


def _numeric(view: Mapping, key: Mapping) -> str:
    tolerance = f" ± {key['tolerance']:g}" if key["tolerance"] else ""
    unit = f" {html.escape(view['unit'])}" if view.get("unit") else ""
    return f"<p><b>{key['answer']:g}{tolerance}{unit}</b></p>"


def _matching(view: Mapping, key: Mapping) -> str:
    return _li([f"{left} → {view['right'][key['pairs'][i]]}" for i, left in enumerate(view["left"])])


def _sequencing(view: Mapping, key: Mapping) -> str:
    return _li([view["steps"][position] for position in key["order"]], ordered=True)


def _scenario(view: Mapping, key: Mapping) -> str:
    """The author's intended path: from the start, the move marked best at each node, to its end."""
    moves, node, seen = [], view["start"], set()
    while not view["nodes"][node]["end"] and node not in seen:
        seen.add(node)
        choice = next((k for k, best in enumerate(key["best"][node]) if best), 0)
        moves.append(view["nodes"][node]["choices"][choice])
        node = key["next"][node][choice]
    return _li(moves, ordered=True) + f"<p>→ <b>{html.escape(key['outcome'][node] or '')}</b></p>"


_BY_TYPE: dict[str, Callable[[Mapping, Mapping], str]] = {
    "true-false": _true_false, "single": _choices, "multiple": _choices, "fill-in": _fill_in,
    "numeric": _numeric, "matching": _matching, "sequencing": _sequencing, "scenario": _scenario,
}


def readable_key(item: Item) -> str:
    """HTML saying what ``item`` (a bundle item) accepts as right."""
    return _BY_TYPE[item["type"]](item["view"], item["key"])


def readable_keys(bundle: Mapping[str, Any]) -> dict[str, str]:
    """Item id → :func:`readable_key`, for every item of a bundle."""
    return {item["id"]: readable_key(item) for item in bundle["items"]}
