"""Reading a learner's Anki collection: the graded reviews of its review log.

A ``.colpkg`` export, an older ``.apkg``/``.colpkg`` zip or a profile's ``collection.anki2`` is
copied into a private folder first, so the learner's collection is never modified (or locked).
"""
from __future__ import annotations

import shutil
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path


class MasteryError(Exception):
    """A problem the user can fix; the message says how."""


@dataclass(frozen=True)
class Review:
    at_ms: int
    card: int
    guid: str
    ease: int


def _from_modern_colpkg(package: Path, workdir: Path) -> Path:
    """A current .colpkg holds a zstd-compressed collection; the official anki library reads it."""
    try:
        from anki._backend import RustBackend
    except ImportError as exc:
        raise MasteryError(
            f"{package} is a current .colpkg (zstd-compressed). Install the 'anki' package (pip install anki), "
            "or pass collection.anki2 from your Anki profile folder, or export with "
            "'Support older Anki versions' ticked") from exc
    target = workdir / "collection.anki2"
    RustBackend().import_collection_package(col_path=str(target), backup_path=str(package),
                                            media_folder=str(workdir / "media"), media_db=str(workdir / "media.db"))
    return target


def collection_file(path: Path, workdir: Path) -> Path:
    """A private SQLite copy of the collection at ``path`` (.colpkg/.apkg zip or collection.anki2)."""
    if not path.is_file():
        raise MasteryError(f"{path} does not exist; pass a .colpkg export or a collection.anki2")
    if not zipfile.is_zipfile(path):
        target = workdir / "collection.anki2"
        shutil.copyfile(path, target)
        wal = path.with_name(path.name + "-wal")  # reviews not yet checkpointed while Anki runs
        if wal.is_file():
            shutil.copyfile(wal, target.with_name(target.name + "-wal"))
        return target
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if "collection.anki21b" in names:
            return _from_modern_colpkg(path, workdir)
        for name in ("collection.anki21", "collection.anki2"):
            if name in names:
                archive.extract(name, workdir)
                return workdir / name
    raise MasteryError(f"{path} is a zip without an Anki collection; export File > Export > Anki Collection Package")


def read_reviews(database: Path) -> list[Review]:
    """Every graded review (ease 1–4; 0 marks manual rescheduling), oldest first."""
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute(
            "SELECT r.id, r.cid, n.guid, r.ease FROM revlog r JOIN cards c ON c.id = r.cid "
            "JOIN notes n ON n.id = c.nid WHERE r.ease BETWEEN 1 AND 4 ORDER BY r.id").fetchall()
    except sqlite3.DatabaseError as exc:
        raise MasteryError(f"cannot read the review log of {database.name}: {exc}") from exc
    finally:
        connection.close()
    return [Review(*row) for row in rows]
