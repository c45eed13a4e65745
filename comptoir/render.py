"""Markdown → HTML for every output, with the dialect the lesson reader parses (``commonmark``).

One renderer means an Anki card, an Open edX problem and a SCORM page show the same markup for the
same source. Rendering is cached: the same text in the same language is rendered once per build,
however many courses and targets show it.
"""
from __future__ import annotations

from functools import lru_cache

from markdown_it.token import Token

from .commonmark import block_parser, parser

_PARAGRAPH_OPEN, _PARAGRAPH_CLOSE = "<p>", "</p>\n"

NNBSP = "\u202f"  # NARROW NO-BREAK SPACE: French thin space before ; : ! ? and inside « »
_SPACES = frozenset(" \t\u00a0\u2009\u202f\n")  # typed spaces, no-break spaces, a soft line break
_SIGNS = frozenset(";:!?»")
_BARRIERS = frozenset({"code_inline", "html_inline", "image", "hardbreak"})  # never joined nor changed


def _runs(children: list[Token]) -> list[list[Token]]:
    """The text and soft-break tokens of an inline token, in runs that typography may join: code spans,
    inline HTML, images, hard breaks and autolinks (a URL as text) end a run and are left alone;
    emphasis and link marks are transparent (their attributes are never touched)."""
    runs: list[list[Token]] = [[]]
    in_autolink = False
    for token in children:
        if token.type == "link_open" and token.markup == "autolink":
            in_autolink = True
        elif token.type == "link_close" and in_autolink:
            in_autolink = False
            runs.append([])
        elif in_autolink or token.type in _BARRIERS:
            runs.append([])
        elif token.type in ("text", "softbreak"):
            runs[-1].append(token)
    return [run for run in runs if run]


def _french_run(run: list[Token]) -> None:
    """French spacing over one run: the spaces (or soft line break) before ; : ! ? » and after « become
    one U+202F; a guillemet typed without a space gets one. A sign with no space before it is left as
    typed (14:30, ?!, a URL)."""
    owners = [(k, c) for k, token in enumerate(run) for c in (token.content if token.type == "text" else "\n")]
    chars = [c for _, c in owners]
    out = list(chars)

    def squeeze(start: int, end: int) -> None:  # chars[start:end] are spaces: one NNBSP for them all
        out[start] = NNBSP
        for j in range(start + 1, end):
            out[j] = ""

    for i, c in enumerate(chars):
        if c in _SIGNS:
            j = i
            while j > 0 and chars[j - 1] in _SPACES:
                j -= 1
            if j < i:
                squeeze(j, i)
            elif c == "»" and i > 0:
                out[i - 1] += NNBSP
        elif c == "«":
            j = i + 1
            while j < len(chars) and chars[j] in _SPACES:
                j += 1
            if j > i + 1:
                squeeze(i + 1, j)
            elif j < len(chars):
                out[i] += NNBSP
    texts = [""] * len(run)
    for (k, _), piece in zip(owners, out):
        texts[k] += piece
    for token, text in zip(run, texts):
        if token.type == "softbreak":
            if text == "\n":
                continue
            token.type, token.tag, token.markup = "text", "", ""
        token.content = text


def french_typography(tokens: list[Token]) -> None:
    """Apply French spacing to the text of parsed Markdown, in place."""
    for token in tokens:
        if token.type == "inline" and token.children:
            for run in _runs(token.children):
                _french_run(run)


@lru_cache(maxsize=1 << 16)
def to_html(markdown: str, images: tuple[tuple[str, str], ...] = (), inline: bool = False,
            typography: str = "") -> str:
    """Render ``markdown`` as HTML.

    ``images`` maps image sources as written to the ones the output uses (pairs, to be hashable).
    ``inline`` drops the paragraph around a text that is a single paragraph (a choice, a step), so
    it sits in a list item or a table cell without extra margins.
    ``typography`` is the language code of the text: ``"fr"`` applies French spacing (U+202F before
    ; : ! ? and inside « », so no line starts with one of them); any other value leaves the text as
    written. Code spans, code blocks, URLs and HTML are never changed.
    """
    md = parser()
    tokens = md.parse(markdown)
    if typography == "fr":
        french_typography(tokens)
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


@lru_cache(maxsize=1 << 14)
def last_heading(markdown: str) -> str:
    """The Markdown of the last heading in a prose block ('' if none): a key point's cue.
    Cached like :func:`to_html`: every target presents every lesson."""
    tokens = block_parser().parse(markdown)
    found = ""
    for before, token in zip(tokens, tokens[1:]):
        if before.type == "heading_open" and token.type == "inline":
            found = token.content
    return found
