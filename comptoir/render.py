"""Markdown → HTML for every output, with the dialect the lesson reader parses (``commonmark``).

One renderer means an Anki card, an Open edX problem and a SCORM page show the same markup for the
same source. Rendering is cached: the same text in the same language is rendered once per build,
however many courses and targets show it.
"""
from __future__ import annotations

from functools import lru_cache

from .commonmark import block_parser, parser

_PARAGRAPH_OPEN, _PARAGRAPH_CLOSE = "<p>", "</p>\n"


@lru_cache(maxsize=1 << 16)
def to_html(markdown: str, images: tuple[tuple[str, str], ...] = (), inline: bool = False) -> str:
    """Render ``markdown`` as HTML.

    ``images`` maps image sources as written to the ones the output uses (pairs, to be hashable).
    ``inline`` drops the paragraph around a text that is a single paragraph (a choice, a step), so
    it sits in a list item or a table cell without extra margins.
    """
    md = parser()
    tokens = md.parse(markdown)
    if images:
        rename = dict(images)
        for token in tokens:
            for child in token.children or ():
                if child.type == "image":
                    src = str(child.attrGet("src") or "")
                    child.attrSet("src", rename.get(src, src))
    html = md.renderer.render(tokens, md.options, {})
    if inline and html.startswith(_PARAGRAPH_OPEN) and html.endswith(_PARAGRAPH_CLOSE) \
            and html.count(_PARAGRAPH_OPEN) == 1:
        html = html[len(_PARAGRAPH_OPEN):-len(_PARAGRAPH_CLOSE)]
    return html.strip()


def last_heading(markdown: str) -> str:
    """The Markdown of the last heading in a prose block ('' if none): a key point's cue."""
    tokens = block_parser().parse(markdown)
    found = ""
    for before, token in zip(tokens, tokens[1:]):
        if before.type == "heading_open" and token.type == "inline":
            found = token.content
    return found
