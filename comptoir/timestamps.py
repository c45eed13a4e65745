"""The build timestamp: a property of the sources, not of the checkout (DESIGN §6).

``SOURCE_DATE_EPOCH`` when set; else, when every source is committed unchanged in a git work tree,
the time of the newest commit touching them — the same in every clone, whatever the files' mtimes;
else (an edited or untracked source, no git) the newest modification time, so an edited course is
always newer than its last build and Anki updates its notes. A shallow clone knows only the commits
it fetched: its boundary commit stands for older ones (set ``SOURCE_DATE_EPOCH`` in such a CI job).
"""
from __future__ import annotations

import os
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Iterable


def _mtime(paths: Iterable[Path]) -> int:
    return max((int(p.stat().st_mtime) for p in paths if p.exists()), default=0)


def _entries(folder: Path) -> set[Path] | None:
    try:
        return set(folder.iterdir())
    except OSError:
        return None


def pathspecs(paths: Iterable[Path]) -> list[Path]:
    """``paths`` with each folder whose every entry is listed replaced by the folder, bottom up.

    One git call takes them all; folders keep the command line short (a course lists every lesson,
    framework, crosswalk and catalog). A folder stands for exactly the files it holds, so nothing
    outside the list can make the sources look modified.
    """
    remaining = {p.absolute() for p in paths if p.exists()}
    while True:
        by_folder: dict[Path, set[Path]] = defaultdict(set)
        for path in remaining:
            by_folder[path.parent].add(path)
        complete = {folder for folder, listed in by_folder.items()
                    if folder not in remaining and _entries(folder) == listed}
        if not complete:
            return sorted(remaining)
        remaining = {p for p in remaining if p.parent not in complete} | complete


def _git(folder: Path, *args: str) -> str | None:
    """A git command's output, or None when git is missing, the folder is not in a work tree, or it fails."""
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def commit_time(paths: Iterable[Path]) -> int | None:
    """The newest commit time of ``paths`` when git tracks them all unchanged, else None."""
    specs = [str(p) for p in pathspecs(paths)]
    if not specs:
        return None
    folder = Path(os.path.commonpath(specs))
    folder = folder if folder.is_dir() else folder.parent
    # --ignored: an ignored source is not committed either; any line means "use the mtimes".
    status = _git(folder, "status", "--porcelain", "--ignored", "--untracked-files=all", "--", *specs)
    if status is None or status.strip():
        return None
    newest = _git(folder, "log", "-1", "--format=%ct", "--", *specs)
    return int(newest) if newest and newest.strip().isdigit() else None


def timestamp(paths: Iterable[Path]) -> int:
    """The build timestamp of an artifact made from ``paths`` (seconds since the epoch)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return int(epoch)
    paths = list(paths)
    committed = commit_time(paths)
    return _mtime(paths) if committed is None else committed
