"""Writing an Anki package: genanki's collection schema, made reproducible.

genanki stamps notes, cards and note types with ``time.time()`` and zips a temporary file with its
modification date. Here every id and time derives from the build timestamp, the SQLite database is
serialised from memory, and zip entries carry fixed dates and attributes (:mod:`.zipfile_writer`):
the same course and timestamp give the same bytes, and a newer timestamp makes Anki update the
notes in place.
"""
from __future__ import annotations

import itertools
import json
import sqlite3

import genanki

from .zipfile_writer import zip_bytes


def apkg(decks: list[genanki.Deck], media: dict[str, bytes], timestamp: int) -> bytes:
    """A byte-for-byte reproducible ``.apkg``: ids and times from ``timestamp``, fixed zip metadata."""
    connection = sqlite3.connect(":memory:")
    try:
        genanki.Package(decks).write_to_db(connection.cursor(), timestamp, itertools.count(timestamp * 1000))
        connection.commit()
        database = connection.serialize()
    finally:
        connection.close()
    names = sorted(media)
    entries = [("collection.anki2", database),
               ("media", json_bytes({str(i): name for i, name in enumerate(names)})),
               *((str(i), media[name]) for i, name in enumerate(names))]
    return zip_bytes(entries, timestamp)  # Anki's own order: the collection, the media map, the files


def json_bytes(value: dict) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")
