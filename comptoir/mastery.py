"""``comptoir mastery``: per-competency mastery from a learner's Anki review log or from an LRS.

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

From an LRS (a cmi5 package's statements, :mod:`comptoir.xapi_statements`): each ``answered``
statement of the registration is one response, right when ``result.success`` is true — exactly
what the player recorded in its engine — in the order of the statements' timestamps. The item is
found by its activity IRI (:func:`comptoir.identity.item_iri`, under the course's IRI base).

Both sources end in the same replay (:func:`replay_responses`) and the same report.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Collection, Iterable

from .adaptive.course import engine_course
from .adaptive.engine import initial_state, mastery, record_response
from .anki_collection import MasteryError, Review
from .identity import course_iri, item_iri, note_guid
from .model import Content, ResolvedCourse
from .resolve import resolve
from .xapi_statements import Answer

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
    source: str = "anki"  # "anki" (a review log) or "lrs" (answered statements)

    def to_json(self) -> dict:
        return {"course": self.course, "model": "bkt", "source": self.source, "threshold": self.threshold,
                "reviews": {"counted": self.counted, "ignored": self.ignored},
                "competencies": [row.__dict__ for row in self.rows]}


# --- replay -------------------------------------------------------------------------------------

def item_guids(course: ResolvedCourse) -> dict[str, str]:
    """GUID → item id, for every language the course is built in."""
    return {note_guid(language, item.id): item.id for language in course.course.locales for item in course.items}


def replay_responses(course: ResolvedCourse, responses: Iterable[tuple[str | None, bool]], ignored: int = 0,
                     source: str = "anki") -> Result:
    """Feed (item id, right) responses, in order, to the course's BKT model; a response whose item
    is not the course's (None or unknown) is ignored."""
    engine = engine_course(course)
    state = initial_state(engine)
    index = {item.id: i for i, item in enumerate(engine.items)}
    per_competency = [0] * len(engine.competencies)
    counted = 0
    for item_id, right in responses:
        position = index.get(item_id) if item_id is not None else None
        if position is None:
            ignored += 1
            continue
        record_response(engine, state, position, right)
        for c in engine.items[position].competencies:
            per_competency[c] += 1
        counted += 1
    p = mastery(engine, state)
    titles = {course.framework.ref(u): u.text_in(course.locale) for u in course.units}
    rows = tuple(Row(ref, titles.get(ref, ""), p[ref], p[ref] >= engine.threshold, per_competency[i])
                 for i, ref in enumerate(engine.competencies[:engine.n_own]))
    return Result(course.course.id, engine.threshold, rows, counted, ignored, source)


def replay(course: ResolvedCourse, reviews: list[Review]) -> Result:
    """Feed the first review of each card per day to the course's BKT model, in time order."""
    items = item_guids(course)
    seen: set[tuple[int, int]] = set()
    responses: list[tuple[str | None, bool]] = []
    for review in reviews:
        item_id = items.get(review.guid)
        key = (review.card, review.at_ms // DAY_MS)
        if item_id is None or key in seen:
            responses.append((None, False))
            continue
        seen.add(key)
        responses.append((item_id, review.ease >= 2))
    return replay_responses(course, responses)


def item_iris(course: ResolvedCourse) -> dict[str, str]:
    """Item activity IRI → item id (one IRI per item, whatever the language)."""
    base = course_iri(course.course.id, course.course.iri)
    return {item_iri(base, item.id): item.id for item in course.items}


def replay_answers(course: ResolvedCourse, answers: list[Answer]) -> Result:
    """Feed a registration's answered statements, in time order, to the course's BKT model."""
    items = item_iris(course)
    return replay_responses(course, [(items.get(a.activity), a.correct) for a in answers], source="lrs")


def _choose(content: Content, wanted: str | None, found: list[str],
            keys: Callable[[ResolvedCourse], Collection[str]], nothing: str) -> ResolvedCourse:
    known = sorted(content.courses)
    if wanted is not None:
        if wanted not in content.courses:
            raise MasteryError(f"unknown course '{wanted}' (known: {', '.join(known)})")
        return resolve(content, wanted)
    scored = [(sum(k in ids for k in found), course_id, course)
              for course_id in known
              for course in (resolve(content, course_id),)
              for ids in (keys(course),)]
    best = max(scored, key=lambda s: s[0], default=(0, "", None))
    if best[0] == 0:
        raise MasteryError(f"{nothing}; choose one with --course ({', '.join(known) or 'none'})")
    return best[2]


def choose_course(content: Content, wanted: str | None, reviews: list[Review]) -> ResolvedCourse:
    """The course named by ``--course``, else the one whose notes have the most reviews."""
    return _choose(content, wanted, [review.guid for review in reviews], lambda c: item_guids(c).keys(),
                   "no review in this collection is of a course's notes")


def choose_course_of_answers(content: Content, wanted: str | None, answers: list[Answer]) -> ResolvedCourse:
    """The course named by ``--course``, else the one whose items have the most answers."""
    return _choose(content, wanted, [a.activity for a in answers], lambda c: item_iris(c).keys(),
                   "no answered statement of this registration is about a course's items")


def table(result: Result) -> str:
    width = max((len(r.ref) for r in result.rows), default=0)
    width = max(width, len("competency"))
    lines = [f"{'competency':<{width}}  P(L)   {'':20}  {'answers' if result.source == 'lrs' else 'reviews'}  title"]
    for row in result.rows:
        bar = "█" * round(row.p * 20)
        mark = "✓" if row.mastered else " "
        lines.append(f"{row.ref:<{width}}  {row.p:5.1%} {bar:<20}{mark}  {row.reviews:7d}  {row.title[:60]}")
    ignored = ("answer(s) counted", "ignored (other courses' items)") if result.source == "lrs" else \
        ("review(s) counted", "ignored (other notes, key points, same-day repeats)")
    lines.append(f"{sum(r.mastered for r in result.rows)}/{len(result.rows)} mastered at P(L) ≥ "
                 f"{result.threshold:.0%}; {result.counted} {ignored[0]}, {result.ignored} {ignored[1]}")
    return "\n".join(lines)
