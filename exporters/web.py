"""The web target: the browser player as a static site, one zip per course and language.

``web/<course>.<language>.zip`` holds ``index.html`` (the course inlined), ``player/`` and
``media/``, all at the root of the archive: a school without an LMS unzips it into a folder of any
web server (or opens it from a local folder served over HTTP) and gives learners the folder's
address. The player keeps each learner's progress in their browser (the ``web`` transport); see
docs/scorm.md for what that implies.
"""
from __future__ import annotations

from .player_package import PlayerExporter


class WebExporter(PlayerExporter):
    name = "web"
    transport = "web"
