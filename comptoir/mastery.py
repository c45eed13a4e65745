"""``comptoir mastery``: per-competency mastery from a learner's Anki review log.

The review log of the course's notes is replayed through the course's own learner model — the
adaptive engine's Bayesian Knowledge Tracing (``comptoir.adaptive``) — rather than summarised with
FSRS retrievability. Retrievability is the chance of recalling one card today; the question here is
the one the LMS outputs answer: P(the learner masters competency c), with the course's priors,
guess and slip per item type and exactMatch evidence, so an Anki learner and an LMS learner are
judged on the same scale against the same threshold.

Mapping a review to a response: the note is found by its GUID (the exporter derives it from the
item id and the language, so any language's deck counts); Again = wrong, Hard/Good/Easy = right.
Only the first review of a card on a given (UTC) day counts: later same-day reviews are learning
steps taken just after seeing the answer, not independent evidence. Key-point cards are recall of a
statement, not an assessed item, and are ignored.
"""
from __future__ import annotations

from dataclasses import dataclass

from .adaptive.course import engine_course
from .adaptive.engine import initial_state, mastery, record_response
from .anki_collection import MasteryError, Review
from .identity import note_guid
from .model import Content, ResolvedCourse
from .resolve import resolve

DAY_MS = 86_400_000


@dataclass(frozen=True)
class Row:
    ref: str
    title: str
    p: float
    mastered: bool
    reviews: int


@dataclass(frozen=True)
class Result:
    course: str
    threshold: float
    rows: tuple[Row, ...]
    counted: int
    ignored: int

    def to_json(self) -> dict:
        return {"course": self.course, "model": "bkt", "threshold": self.threshold,
                "reviews": {"counted": self.counted, "ignored": self.ignored},
                "competencies": [row.__dict__ for row in self.rows]}


# --- replay -------------------------------------------------------------------------------------

def item_guids(course: ResolvedCourse) -> dict[str, str]:
    """GUID → item id, for every language the course is built in."""
    return {note_guid(language, item.id): item.id for language in course.course.locales for item in course.items}


def replay(course: ResolvedCourse, reviews: list[Review]) -> Result:
    """Feed the first review of each card per day to the course's BKT model, in time order."""
    engine = engine_course(course)
    state = initial_state(engine)
    index = {item.id: i for i, item in enumerate(engine.items)}
    items = item_guids(course)
    seen: set[tuple[int, int]] = set()
    per_competency = [0] * len(engine.competencies)
    counted = ignored = 0
    for review in reviews:
        item_id = items.get(review.guid)
        key = (review.card, review.at_ms // DAY_MS)
        if item_id is None or key in seen:
            ignored += 1
            continue
        seen.add(key)
        position = index[item_id]
        record_response(engine, state, position, review.ease >= 2)
        for c in engine.items[position].competencies:
            per_competency[c] += 1
        counted += 1
    p = mastery(engine, state)
    titles = {course.framework.ref(u): u.text_in(course.locale) for u in course.units}
    rows = tuple(Row(ref, titles.get(ref, ""), p[ref], p[ref] >= engine.threshold, per_competency[i])
                 for i, ref in enumerate(engine.competencies[:engine.n_own]))
    return Result(course.course.id, engine.threshold, rows, counted, ignored)


def choose_course(content: Content, wanted: str | None, reviews: list[Review]) -> ResolvedCourse:
    """The course named by ``--course``, else the one whose notes have the most reviews."""
    known = sorted(content.courses)
    if wanted is not None:
        if wanted not in content.courses:
            raise MasteryError(f"unknown course '{wanted}' (known: {', '.join(known)})")
        return resolve(content, wanted)
    guids = [review.guid for review in reviews]
    scored = [(sum(g in items for g in guids), course_id, course)
              for course_id in known
              for course in (resolve(content, course_id),)
              for items in (item_guids(course).keys(),)]
    best = max(scored, key=lambda s: s[0], default=(0, "", None))
    if best[0] == 0:
        raise MasteryError(f"no review in this collection is of a course's notes; choose one with --course "
                           f"({', '.join(known) or 'none'})")
    return best[2]


def table(result: Result) -> str:
    width = max((len(r.ref) for r in result.rows), default=0)
    width = max(width, len("competency"))
    lines = [f"{'competency':<{width}}  P(L)   {'':20}  reviews  title"]
    for row in result.rows:
        bar = "█" * round(row.p * 20)
        mark = "✓" if row.mastered else " "
        lines.append(f"{row.ref:<{width}}  {row.p:5.1%} {bar:<20}{mark}  {row.reviews:7d}  {row.title[:60]}")
    lines.append(f"{sum(r.mastered for r in result.rows)}/{len(result.rows)} mastered at P(L) ≥ "
                 f"{result.threshold:.0%}; {result.counted} review(s) counted, {result.ignored} ignored "
                 "(other notes, key points, same-day repeats)")
    return "\n".join(lines)
