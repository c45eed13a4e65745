"""Charts for instructors, drawn with matplotlib (the optional ``charts`` extra).

A PNG is reproducible: the Agg backend, a fixed size and DPI, and no date or software version in
its metadata, so the same result gives the same bytes.
"""
from __future__ import annotations

import io

from .mastery import Result


class ChartsUnavailable(Exception):
    """matplotlib is not installed; the message says how to install it."""


def mastery_chart(result: Result) -> bytes:
    """A horizontal bar per competency (P(mastery), green once mastered) and the threshold as a line."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ChartsUnavailable("charts need matplotlib: pip install 'comptoir[charts]'") from exc
    rows = result.rows
    figure = Figure(figsize=(8, 0.9 + 0.32 * max(len(rows), 1)), dpi=100)
    axes = figure.add_subplot()
    labels = [f"{row.ref.partition(':')[2]}  {row.title[:48]}" for row in rows]
    positions = range(len(rows))
    axes.barh(positions, [row.p for row in rows], color=["#287850" if row.mastered else "#466ec8" for row in rows])
    axes.axvline(result.threshold, color="#888888", linewidth=1, linestyle="--")
    axes.set_yticks(list(positions), labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.set_xlabel(f"P(mastery) — mastered at ≥ {result.threshold:.0%}")
    axes.set_title(f"{result.course}: {sum(r.mastered for r in rows)}/{len(rows)} mastered", fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
