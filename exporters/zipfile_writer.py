"""Reproducible zip archives: the same entries and build timestamp give the same bytes.

``zipfile`` stamps entries with the current time, the host's file system and its umask. Here
every entry carries the build timestamp (DESIGN §6; 1980-01-01 when older, the earliest date a zip
entry can hold), Unix as the creating system and mode 0644, and is deflated. Used by every
exporter that writes a zip (Anki packages, SCORM packages, web sites).
"""
from __future__ import annotations

import io
import time
import zipfile
from typing import Iterable, Mapping

ZIP_EPOCH = 315532800  # 1980-01-01, the earliest date a zip entry can carry


def zip_bytes(entries: Iterable[tuple[str, bytes]], timestamp: int) -> bytes:
    """A zip of ``entries`` (name, data) in the order given, with fixed dates and attributes.

    Names are '/'-separated paths relative to the archive's root; an absolute name, a '..' part or a
    name given twice is a bug in the caller and raises ``ValueError``.
    """
    buffer = io.BytesIO()
    stamp = time.gmtime(max(timestamp, ZIP_EPOCH))[:6]
    seen: set[str] = set()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            if not name or name.startswith("/") or ".." in name.split("/") or "\\" in name:
                raise ValueError(f"zip entry name {name!r} is not a relative '/'-separated path")
            if name in seen:
                raise ValueError(f"zip entry {name!r} is given twice")
            seen.add(name)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def sorted_zip(files: Mapping[str, bytes], timestamp: int) -> bytes:
    """A zip of ``files`` (path → bytes) with its entries in sorted path order."""
    return zip_bytes(sorted(files.items()), timestamp)
