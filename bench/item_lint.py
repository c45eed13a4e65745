"""Item-writing warnings over the shipped content: how often each cue appears.

    python bench/item_lint.py [--content content]

Prints, for the content tree: the item-writing warnings per code (count, per 100 items, and per 100
lessons for ``lesson-minutes``), the share of single-choice items whose key is strictly the longest
option (against the share expected if length said nothing: the mean of 1/number of choices), the
share of multiple-choice items where every key is longer than every distractor, and how often an
option longer by far than the others is the key, and the share of true-false items keyed true per
course. Asserts nothing: these are the figures to compare before and
after a content revision (thresholds: comptoir/lint.py; meaning: docs/diagnostics.md).
"""
from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from comptoir.diagnostics import Report
from comptoir.lint import CODES, KEY_LONGEST_MIN_EXTRA, KEY_LONGEST_RATIO, true_share, visible
from comptoir.model import MultipleChoice, SingleChoice
from comptoir.project import load_content
from comptoir.resolve import resolve


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    – "


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", default="content", help="content folder (default: content)")
    args = parser.parse_args(argv)
    root = Path(args.content).resolve()
    report = Report(root.parent)
    content = load_content(root, report)
    if report.errors:
        raise SystemExit(f"{len(report.errors)} error(s) in the content: run 'comptoir check' first")

    lessons = list(content.lessons.values())
    items = [item for lesson in lessons for item in lesson.items]
    counts = Counter(d.code for d in report.diagnostics if d.code in CODES)
    print(f"{root}: {len(lessons)} lessons, {len(items)} items, {len(content.courses)} courses\n")
    print(f"{'warning':<22}{'count':>7}{'per 100 items':>15}")
    for code in CODES:
        extra = f"   ({_pct(counts[code], len(lessons)).strip()} of lessons)" if code == "lesson-minutes" else ""
        print(f"{code:<22}{counts[code]:>7}{100 * counts[code] / max(len(items), 1):>15.1f}{extra}")
    total = sum(counts.values())
    print(f"{'total':<22}{total:>7}{100 * total / max(len(items), 1):>15.1f}")
    flagged = {(d.path, d.line) for d in report.diagnostics if d.code in CODES and d.code not in
               ("lesson-minutes", "true-false-balance")}
    print(f"items with at least one item-level warning: {len(flagged)} ({_pct(len(flagged), len(items)).strip()})\n")

    singles = [i for i in items if type(i) is SingleChoice]
    longest = [i for i in singles
               if len(visible(next(c.text for c in i.choices if c.correct))) >
               max(len(visible(c.text)) for c in i.choices if not c.correct)]
    chance = sum(1 / len(i.choices) for i in singles)
    print(f"single-choice items whose key is strictly the longest option: {len(longest)} of {len(singles)} "
          f"({_pct(len(longest), len(singles)).strip()}; {_pct(chance, len(singles)).strip()} if length said nothing)")
    conspicuous = [(i, c) for i in singles for c in i.choices
                   if (n := len(visible(c.text))) >= KEY_LONGEST_RATIO * (m := max(
                       len(visible(o.text)) for o in i.choices if o is not c)) and n - m >= KEY_LONGEST_MIN_EXTRA]
    keyed = sum(c.correct for _, c in conspicuous)
    print(f"single-choice items with one option longer by far (×{KEY_LONGEST_RATIO} and +{KEY_LONGEST_MIN_EXTRA} "
          f"characters): {len(conspicuous)}; that option is the key in {keyed} "
          f"({_pct(keyed, len(conspicuous)).strip()})")
    multiples = [i for i in items if type(i) is MultipleChoice]
    separated = [i for i in multiples
                 if min(len(visible(c.text)) for c in i.choices if c.correct) >
                 max(len(visible(c.text)) for c in i.choices if not c.correct)]
    print(f"multiple-choice items whose every key is longer than every distractor: {len(separated)} of "
          f"{len(multiples)} ({_pct(len(separated), len(multiples)).strip()})\n")

    true, total = true_share(items)
    print(f"true-false items keyed true: {true} of {total} ({_pct(true, total).strip()}) over the whole content")
    for course_id in sorted(content.courses):
        true, total = true_share(resolve(content, course_id).items)
        print(f"  {course_id:<20} {true:>3} of {total:>3} keyed true ({_pct(true, total).strip()})")


if __name__ == "__main__":
    main()
