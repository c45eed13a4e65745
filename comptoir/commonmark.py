"""The one Markdown dialect of comptoir: what the lesson reader parses and every output renders.

CommonMark with front matter and colon-fence directives (for the reader), tables and task lists
("- [ ] …", how lessons write do/don't grids and checklists).
"""
from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin


@cache
def parser() -> MarkdownIt:
    return (MarkdownIt("commonmark").use(front_matter_plugin).use(colon_fence_plugin).use(tasklists_plugin)
            .enable("table"))


@cache
def block_parser() -> MarkdownIt:
    """CommonMark without inline parsing: finding headings needs only the block structure."""
    return MarkdownIt("commonmark").disable("inline")
