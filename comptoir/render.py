"""Markdown → HTML for every exporter, with the same parser the lesson reader uses.

One renderer means an Anki card, an Open edX problem and a SCORM page show the same markup for the
same source. Image sources can be rewritten (an Anki deck stores media flat, under unique names).
"""
from __future__ import annotations

from typing import Callable

from .readers.lessons import parser

_PARAGRAPH_OPEN, _PARAGRAPH_CLOSE = "<p>", "</p>\n"


def to_html(markdown: str, *, image_src: Callable[[str], str] | None = None, inline: bool = False) -> str:
    """Render ``markdown`` as HTML.

    ``image_src`` maps each image's source as written to the one the output uses. ``inline`` drops
    the paragraph around a text that is a single paragraph (a choice, a step), so it sits in a list
    item or a table cell without extra margins.
    """
    md = parser()
    tokens = md.parse(markdown)
    if image_src is not None:
        for token in tokens:
            for child in token.children or ():
                if child.type == "image":
                    child.attrSet("src", image_src(str(child.attrGet("src") or "")))
    html = md.renderer.render(tokens, md.options, {})
    if inline and html.startswith(_PARAGRAPH_OPEN) and html.endswith(_PARAGRAPH_CLOSE) \
            and html.count(_PARAGRAPH_OPEN) == 1:
        html = html[len(_PARAGRAPH_OPEN):-len(_PARAGRAPH_CLOSE)]
    return html.strip()
