"""A translation must not give away an answer the French does not: the item linter's
language-independent cue — a key longer by far than every distractor (`key-longest`) — run on
every shipped course's Italian and English items, against the same items in French."""
from __future__ import annotations

from pathlib import Path

import pytest

from comptoir.diagnostics import Report
from comptoir.i18n import localise
from comptoir.lint import item_findings
from comptoir.project import load_content
from comptoir.resolve import resolve

from .conftest import CONTENT

LOCALES = CONTENT.parent / "locales"


def _cued(items) -> set[str]:
    return {item.id for item in items if any(f[0] == "key-longest" for f in item_findings(item))}


@pytest.mark.parametrize("language", ["it", "en"])
def test_no_translation_makes_the_key_the_longest_option_by_far(language: str) -> None:
    content = load_content(CONTENT, Report(CONTENT.parent))
    added: dict[str, list[str]] = {}
    for course in sorted(content.courses):
        french = resolve(content, course)
        translated, _ = localise(french, language, LOCALES)
        extra = _cued(translated.items) - _cued(french.items)
        if extra:
            added[course] = sorted(extra)
    assert not added, (f"{language}: the key is longer by far than every distractor in the translation, "
                       f"not in French — shorten it or balance the options: {added}")
