"""Test helpers: run the checker on a content tree and collect its diagnostics."""
from __future__ import annotations

from pathlib import Path

from comptoir.project import load_content
from comptoir.diagnostics import Report


def check_tree(root: Path) -> list:
    """The errors (item-writing warnings are tested in test_lint.py)."""
    report = Report(root.parent)
    load_content(root, report)
    return sorted(set(report.errors))
