"""A one-line progress bar for long commands, on stderr, only when a person is watching.

Why not tqdm: twenty lines cover what comptoir needs (a count, a bar, the current step), and one
less dependency is one less thing a school's IT has to approve. Why only on a terminal: a build
run by CI or piped into a log file gets no carriage-return noise; the final summary line each
command prints is the record.

Work reports ``progress(done, total, what)`` — *done* steps finished out of *total*, *what* being
the step now under way — and the bar redraws itself; :func:`silent` is the callback that ignores
everything (tests, ``--quiet``).
"""
from __future__ import annotations

import shutil
import sys
from typing import Callable, TextIO

#: ``progress(done, total, what)``: *done* of *total* steps finished, *what* is under way.
Callback = Callable[[int, int, str], None]
WIDTH = 24


def silent(done: int, total: int, what: str) -> None:
    """The callback for work nobody watches."""


class Bar:
    """Draws ``label [#####-----] 3/8 what`` over itself; :meth:`close` clears the line.

    Inactive (it writes nothing) unless ``stream`` is a terminal, so the same code serves a person
    at a terminal and a CI log.
    """

    def __init__(self, label: str, stream: TextIO | None = None, active: bool | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.active = self.stream.isatty() if active is None else active
        self.drawn = False

    def __call__(self, done: int, total: int, what: str) -> None:
        if not self.active:
            return
        filled = WIDTH * done // total if total else 0
        line = f"{self.label} [{'#' * filled}{'-' * (WIDTH - filled)}] {done}/{total} {what}"
        columns = shutil.get_terminal_size((100, 20)).columns
        self.stream.write("\r" + line[:columns - 1].ljust(columns - 1))
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """Erase the bar, so the command's own last line is what stays on screen."""
        if self.drawn:
            columns = shutil.get_terminal_size((100, 20)).columns
            self.stream.write("\r" + " " * (columns - 1) + "\r")
            self.stream.flush()
            self.drawn = False

    def __enter__(self) -> "Bar":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
