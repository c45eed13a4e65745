"""Charts for instructors, drawn with matplotlib (the optional ``charts`` extra).

A PNG is reproducible: the Agg backend, a fixed size and DPI, and no date or software version in
its metadata, so the same result gives the same bytes.
"""
from __future__ import annotations

import io
import textwrap

from .mastery import Result

LABEL_WIDTH = 46  # characters per line of a competency's label; two lines at most


class ChartsUnavailable(Exception):
    """matplotlib is not installed; the message says how to install it."""


def label(code: str, title: str) -> str:
    """``code`` and the official wording on at most two lines, cut at a word with an ellipsis: an
    instructor reads competencies by their wording, not by their code."""
    lines = textwrap.wrap(f"{code}  {title}", LABEL_WIDTH) or [code]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LABEL_WIDTH, placeholder=" …")]
    return "\n".join(lines)


def mastery_chart(result: Result, title: str | None = None) -> bytes:
    """A horizontal bar per competency (P(mastery), green once mastered, its percentage beside it) and
    the threshold as a line; ``title`` is the course's title (else its id)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ChartsUnavailable("charts need matplotlib: pip install 'comptoir[charts]'") from exc
    rows = result.rows
    figure = Figure(figsize=(9, 1.1 + 0.42 * max(len(rows), 1)), dpi=100)
    axes = figure.add_subplot()
    labels = [label(row.ref.partition(":")[2], row.title) for row in rows]
    positions = range(len(rows))
    axes.barh(positions, [row.p for row in rows], color=["#287850" if row.mastered else "#466ec8" for row in rows])
    for y, row in zip(positions, rows):
        axes.text(min(row.p + 0.01, 0.9), y, f"{row.p:.0%}", va="center", fontsize=8)
    axes.axvline(result.threshold, color="#888888", linewidth=1, linestyle="--")
    axes.set_yticks(list(positions), labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.set_xlabel(f"P(mastery) — mastered at ≥ {result.threshold:.0%}")
    heading = f"{title} ({result.course})" if title else result.course
    axes.set_title(f"{textwrap.shorten(heading, 90, placeholder=' …')}: "
                   f"{sum(r.mastered for r in rows)}/{len(rows)} mastered", fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
