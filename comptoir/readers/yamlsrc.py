"""YAML with line numbers: every mapping remembers where it and each of its keys start.

PyYAML's SafeLoader already knows the marks; we keep them on a ``dict`` subclass so that checks
far from the parser can still name the line of a field. Parsing uses libyaml (``CSafeLoader``, several
times faster: YAML was most of a build) when PyYAML has it, the pure-Python loader otherwise and
for every text libyaml would read differently, so diagnostics do not depend on which one ran.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml


class LocatedDict(dict):
    """A mapping from YAML, with ``line`` (its own first line) and ``key_lines`` (per key), 1-based."""

    line: int = 1
    key_lines: dict

    def line_of(self, key: object) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list):
    line: int = 1
    item_lines: list


class _Loader(yaml.SafeLoader):
    pass


class _CLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


# libyaml accepts tabs and stray byte-order marks PyYAML rejects, and reads an empty node tagged '!'
# as '' where PyYAML reads null: such texts go to PyYAML. (Errors always come from PyYAML, below.)
_PYYAML_ONLY = re.compile(r"[\t\ufeff]|(?:^|[-:?,\[{]|&\S+)[ ]*!(?=[ \r\n,\]}]|$)", re.M)


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LocatedDict:
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark)
        # Keys are names, never numbers or booleans: `1.1:` and `true:` mean the strings.
        key = key_node.value
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


for _loader in (_Loader, _CLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


@dataclass(frozen=True)
class YamlProblem:
    line: int
    col: int
    message: str
    hint: str


_COLON_HINT = ("French typography puts a space before ':', which YAML reads as a new key: write the "
               "text as a block scalar ('prompt: |' and the text indented on the next line) or quote it")


def parse(text: str, fast: bool = True) -> object:
    """One YAML document, by libyaml when ``fast`` and it reads ``text`` as PyYAML does, else by PyYAML.

    A text libyaml rejects is parsed again by PyYAML, whose error (message, line, column) is the one
    reported: diagnostics are PyYAML's whichever parser ran.
    """
    if fast and yaml.__with_libyaml__ and not _PYYAML_ONLY.search(text):
        try:
            return yaml.load(text, Loader=_CLoader)  # noqa: S506 - CSafeLoader
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader


def load(text: str, line_offset: int = 0) -> tuple[object, YamlProblem | None]:
    """Parse one YAML document; on a syntax error return the problem instead of raising."""
    try:
        return shift(parse(text), line_offset), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        col = mark.column + 1 if mark else 1
        problem = exc.problem or str(exc)
        hint = "check indentation and quoting around this line"
        if "mapping values are not allowed" in problem:
            hint = _COLON_HINT
        elif "duplicate key" in problem:
            hint = "each key may appear once in a mapping"
        return None, YamlProblem(line, col, f"YAML syntax: {problem}", hint)
    except yaml.YAMLError as exc:  # reader errors (e.g. control characters) carry no mark
        return None, YamlProblem(line_offset + 1, 1, f"YAML syntax: {exc}", "remove control characters")


def shift(value: object, offset: int) -> object:
    """Move the recorded lines of a parsed value by ``offset`` (for YAML embedded in a Markdown file)."""
    if isinstance(value, LocatedDict):
        value.line += offset
        value.key_lines = {k: v + offset for k, v in value.key_lines.items()}
        for child in value.values():
            shift(child, offset)
    elif isinstance(value, LocatedList):
        value.line += offset
        value.item_lines = [v + offset for v in value.item_lines]
        for child in value:
            shift(child, offset)
    return value
