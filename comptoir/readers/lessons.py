"""Lesson files (Markdown + YAML front matter + colon-fence directives) → :class:`Lesson`.

Parsing is markdown-it-py's (CommonMark, front-matter and colon-fence plugins); nothing here
scans Markdown with regexes. Directive bodies are YAML with lines mapped back to the file.
"""
from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from markdown_it.token import Token

from ..commonmark import parser
from ..diagnostics import Report
from ..model import Block, KeyPoint, Lesson, Prose, frozen_map
from . import schema
from .common import load_yaml, read_text
from .items import read_item

ID_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
DIRECTIVES = ("quiz", "scenario", "key-point")
_INFO_RE = re.compile(r"^\{(?P<name>[^}]*)\}\s*(?P<arg>.*)$")
_OPENING_RE = re.compile(r"^ {0,3}(?P<colons>:{3,})\{")


def _opening_inside(fence: Token) -> int | None:
    """How many lines below ``fence`` a line opens another directive with as many colons, if one does.

    Such a fence was never closed: markdown-it ends it at the next directive's closing ':::' and
    the directive in between becomes part of its body (a YAML error one directive later). Fewer
    colons is nesting, which a longer outer fence allows.
    """
    for offset, text in enumerate(fence.content.splitlines(), start=1):
        match = _OPENING_RE.match(text)
        if match and len(match["colons"]) >= len(fence.markup):
            return offset
    return None


def _images(tokens: list[Token]) -> list[tuple[str, int]]:
    found = []
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                found.append((str(child.attrs.get("src", "")), (token.map or [0])[0] + 1))
    return found


def _texts(value: object) -> Iterator[str]:
    """Every string of a parsed item, whatever its type: prompts, choices and feedback are Markdown."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _texts(getattr(value, field.name))
    elif isinstance(value, Mapping):
        for child in value.values():
            yield from _texts(child)
    elif isinstance(value, (tuple, list)):
        for child in value:
            yield from _texts(child)


def _item_images(item: object, line: int) -> list[tuple[str, int]]:
    """The images of an item's texts, at the item's line (an exporter renders them like the lesson's)."""
    return [(src, line) for text in _texts(item) if "![" in text for src, _ in _images(parser().parse(text))]


def _media(images: list[tuple[str, int]], lesson_dir: Path, path: Path, report: Report,
           root: Path) -> dict[str, Path]:
    """The media files a lesson uses: relative paths resolving (symbolic links too) to files inside ``root``.

    Exporters pack these files into artifacts, so one outside the content folder (``../../etc/passwd``,
    a link to a home folder) would publish it.
    """
    root = root.resolve()
    media = {}
    for src, line in images:
        if re.match(r"^[a-z]+:", src) or src.startswith("/"):
            report.error(path, line, "media-not-relative", f"media '{src}' is not a relative path",
                         "put the file beside the lesson and reference it relatively; builds never download")
            continue
        target = (lesson_dir / src).resolve()
        if not target.is_relative_to(root):
            via = " through a symbolic link" if Path(os.path.normpath(lesson_dir / src)).is_relative_to(root) else ""
            report.error(path, line, "media-outside-content",
                         f"media '{src}' leads{via} to {target}, outside the content folder",
                         "keep media files inside content/, e.g. beside the lesson (a symbolic link must point "
                         "inside content/ too)")
        elif not target.is_file():
            report.error(path, line, "missing-media", f"media file '{src}' does not exist",
                         f"add it beside the lesson ({lesson_dir.name}/) or fix the name")
        else:
            media[src] = target
    return media


def read_lesson(path: Path, report: Report, root: Path) -> Lesson | None:
    """Read one lesson of the content folder ``root`` (its media must stay inside it)."""
    lesson_id = path.stem
    if not ID_RE.match(lesson_id):
        report.error(path, 1, "malformed-id", f"lesson id '{lesson_id}' (the file name) is malformed",
                     "use lowercase letters, digits, '.' and '-', starting with a letter or digit")
        return None
    text = read_text(path, report)
    if text is None:
        return None
    tokens = parser().parse(text)
    lines = text.splitlines()
    if not tokens or tokens[0].type != "front_matter":
        report.error(path, 1, "front-matter", "the lesson has no YAML front matter",
                     "start the file with '---', the title/competencies/minutes keys, and '---'")
        return None
    front, parsed = load_yaml(tokens[0].content, path, report, line_offset=1)
    if not parsed or not schema.check(front, "lesson", path, report, "see docs/markup.md, 'Front matter'"):
        return None
    refs = tuple(front["competencies"])
    blocks: list[Block] = []
    images: list[tuple[str, int]] = []
    key_points = 0

    for token in tokens[1:]:
        if token.level != 0 or token.type.endswith("_close"):
            if token.type == "inline":
                images.extend(_images([token]))
            continue
        if token.type != "colon_fence":
            # One prose block per top-level Markdown block: the unit a translator sees (DESIGN §4).
            start, end = token.map
            blocks.append(Prose("\n".join(lines[start:end]).strip(), start + 1))
            continue
        line = token.map[0] + 1
        inner = _opening_inside(token)
        if inner is not None:
            report.error(path, line, "directive-unclosed",
                         f"this directive is never closed: the directive on line {line + inner} starts inside it",
                         "end it with a line holding only ':::' before the next directive")
            continue
        closing = lines[token.map[1] - 1].strip() if token.map[1] - 1 > token.map[0] else ""
        if not closing or closing.strip(":"):
            report.error(path, line, "directive-unclosed", "this directive is never closed",
                         "end it with a line holding only ':::'")
            continue
        match = _INFO_RE.match(token.info.strip())
        if not match or match["name"] not in DIRECTIVES:
            report.error(path, line, "directive-unknown", f"unknown directive '{token.info.strip()}'",
                         f"use one of: {', '.join('{' + d + '}' for d in DIRECTIVES)}")
            continue
        name, arg = match["name"], match["arg"].strip()
        if name == "key-point":
            images.extend(_images(parser().parse(token.content)))
            blocks.append(KeyPoint(token.content.strip(), key_points, line))
            key_points += 1
            continue
        if not arg:
            report.error(path, line, "missing-id", f"the {name} directive has no id",
                         f"write ':::{{{name}}} {lesson_id}-q1' (ids are unique across all content)")
            continue
        if not ID_RE.match(arg):
            report.error(path, line, "malformed-id", f"item id '{arg}' is malformed",
                         "use lowercase letters, digits, '.' and '-', starting with a letter or digit")
            continue
        body, parsed = load_yaml(token.content, path, report, line_offset=line)
        if parsed:
            item = read_item(name, arg, body, lesson_id, refs, line, path, report)
            if item is not None:
                blocks.append(item)
                images.extend(_item_images(item, line))
    media = _media(images, path.parent, path, report, root)
    return Lesson(lesson_id, front["title"].strip(), refs, front["minutes"], tuple(blocks), path, frozen_map(media),
                  front.line_of("competencies"))

