"""The output folder (``dist/``): comptoir writes into a folder only when it is comptoir's, and never half-way.

A folder is comptoir's when it is absent, empty, or holds a comptoir ``manifest.json`` and nothing
that manifest does not list. Anything else — a user's folder (``--out ~/Documents``), the project
(``--out .``), a file someone dropped into ``dist/`` — is refused before any work, because the
build replaces the folder as a whole. The content root is never inside, above or equal to it.

Artifacts are written into a staging folder beside the output, the artifacts a partial build keeps
are linked into it, and the staging folder is swapped in at the end: a failed or interrupted build
leaves the previous output as it was and no staging folder behind.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Collection, Iterable

if TYPE_CHECKING:
    from comptoir.exporters.base import Artifact

    from .build import Request

MANIFEST = "manifest.json"
FIELDS = frozenset({"course", "target", "locale", "path", "bytes", "sha256"})
FIX = "choose a new or empty folder with --out (default: dist)"


class OutputError(Exception):
    """The output folder is refused or cannot be written; the message is one line for the user."""


@dataclass(frozen=True)
class Scope:
    """What a build replaces: the existing artifacts of its targets, courses and locales (empty = any).

    Every other artifact of the previous manifest is kept byte for byte, so ``--target anki
    --locale it`` never deletes the French decks or the CASE packages.
    """

    targets: frozenset[str] = frozenset()
    courses: frozenset[str] = frozenset()
    locales: frozenset[str] = frozenset()

    @classmethod
    def of(cls, request: Request, known_targets: Collection[str]) -> Scope:
        """A request's scope; asking for every known target is no target filter (stale targets go too)."""
        targets = frozenset(request.targets)
        return cls(frozenset() if targets >= set(known_targets) else targets,
                   frozenset(request.courses), frozenset(request.locales))

    def covers(self, entry: dict) -> bool:
        return all(not wanted or entry[key] in wanted
                   for key, wanted in (("target", self.targets), ("course", self.courses), ("locale", self.locales)))


def _is_relative_path(path: object) -> bool:
    """A manifest path comptoir could have written: relative, normalised, never leaving the folder."""
    if not isinstance(path, str) or path == MANIFEST:
        return False
    pure = PurePosixPath(path)
    return str(pure) == path and not pure.is_absolute() and ".." not in pure.parts and path not in ("", ".")


def _manifest(out: Path) -> list[dict] | None:
    """The entries of ``out/manifest.json`` when it is a comptoir manifest, else None."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entries = data.get("artifacts") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and FIELDS <= set(e) and _is_relative_path(e["path"]) for e in entries):
        return None
    return entries


def _files(folder: Path) -> list[str]:
    """Every entry under ``folder`` that is not a directory, '/'-separated and sorted; links are not followed."""
    found = []
    with os.scandir(folder) as listing:
        for entry in listing:
            if entry.is_dir(follow_symlinks=False):
                found.extend(f"{entry.name}/{name}" for name in _files(Path(entry.path)))
            else:
                found.append(entry.name)
    return sorted(found)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def claim(out: Path, content_root: Path | None = None) -> list[dict]:
    """The manifest entries already in ``out`` when comptoir may replace it; raise :class:`OutputError` otherwise.

    Called by the CLI before reading any content, and again just before writing.
    """
    out = out.resolve()
    if content_root is not None:
        root = content_root.resolve()
        if _inside(root, out):
            raise OutputError(f"refusing to use {out} as the output folder: it holds the content folder {root}, "
                              f"which a build would replace; {FIX}")
        if _inside(out, root):
            raise OutputError(f"refusing to use {out} as the output folder: it is inside the content folder "
                              f"{root}; {FIX}")
    if _inside(Path.cwd(), out):
        raise OutputError(f"refusing to use {out} as the output folder: it is the current folder or holds it; {FIX}")
    if not out.exists():
        return []
    if not out.is_dir():
        raise OutputError(f"refusing to use {out} as the output folder: it is a file; {FIX}")
    try:
        files = _files(out)
        entries = _manifest(out) if files else []
    except OSError as exc:
        raise OutputError(f"cannot read {out}: {exc.strerror or exc}") from None
    if entries is None:
        raise OutputError(f"refusing to use {out} as the output folder: it holds files and no comptoir "
                          f"{MANIFEST} (e.g. {files[0]}), and a build replaces the whole folder; {FIX}")
    unlisted = sorted(set(files) - {e["path"] for e in entries} - {MANIFEST})
    if unlisted:
        raise OutputError(f"refusing to use {out} as the output folder: {out / unlisted[0]} is not listed in its "
                          f"{MANIFEST} and a build would delete it; move it elsewhere (or choose another --out)")
    return entries


def _umask() -> int:
    """The process umask; reading it means setting it, so it is set back at once."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove(folder: Path) -> None:
    """Delete a folder of ours, finishing the job even if Ctrl-C arrives during it."""
    try:
        shutil.rmtree(folder, ignore_errors=True)
    except KeyboardInterrupt:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _entry(artifact: Artifact) -> dict:
    return {"course": artifact.course, "target": artifact.target, "locale": artifact.locale, "path": artifact.path,
            "bytes": len(artifact.data), "sha256": hashlib.sha256(artifact.data).hexdigest()}


def _put(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _keep(source: Path, target: Path) -> None:
    """Carry a kept artifact into the staging folder: a hard link where the file system allows, else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` in the place of ``out``; the previous ``out`` comes back if the second rename fails."""
    if not out.exists():
        staging.rename(out)
        return
    old = staging.with_name(f"{staging.name}-old")
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)
        raise
    _remove(old)


def write(artifacts: Iterable[Artifact], out: Path, scope: Scope = Scope(),
          content_root: Path | None = None) -> list[dict]:
    """Replace ``out`` with ``artifacts``, the previous artifacts ``scope`` does not cover, and the manifest of both.

    Returns the manifest entries, sorted by path (the manifest's bytes depend on the artifacts only).
    """
    out = out.resolve()
    previous = claim(out, content_root)
    fresh = {artifact.path: artifact for artifact in artifacts}
    kept = [e for e in previous if not scope.covers(e) and e["path"] not in fresh
            and (out / e["path"]).is_file() and not (out / e["path"]).is_symlink()]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it 0700; dist/ is as shareable as any folder
        for path in sorted(fresh):
            _put(staging / path, fresh[path].data)
        for entry in kept:
            _keep(out / entry["path"], staging / entry["path"])
        entries = sorted([*kept, *map(_entry, fresh.values())], key=lambda e: e["path"])
        manifest = json.dumps({"artifacts": entries}, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        (staging / MANIFEST).write_text(manifest, encoding="utf-8")
        _swap(staging, out)
    except OSError as exc:
        _remove(staging)
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None
    except BaseException:
        _remove(staging)
        raise
    return entries
