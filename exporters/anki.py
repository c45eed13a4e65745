"""Anki decks: one ``.apkg`` per course and content language, updating in place when rebuilt.

A thin serialiser of the presentation layer (:mod:`comptoir.present`) into Anki notes. What makes a
rebuilt deck update a learner's collection instead of duplicating it:

- a note's GUID comes from its stable id and the language (an item's id; a key point's lesson id
  and position; :func:`comptoir.identity.note_guid`), never from its wording, so an edited item keeps
  its note and review history;
- deck and note-type ids are hashes of stable names (:func:`comptoir.identity.anki_id`);
- every modification time in the package is the build timestamp (DESIGN §6): Anki only updates a
  note from a package whose note is newer, and an unchanged course gives a byte-identical file.

Decks: ``<course title>::<domain>``, the domain being the top-level node of the course framework
above the unit a note teaches. Tags: ``comptoir::<framework>::<top-level code>::<unit code>`` for
every competency the note is aligned to in every framework (directly or by an exactMatch /
closeMatch crosswalk link), a framework with intermediate levels contributing its top level only
(``comptoir::fr-accueil::A2::T22.7``); plus ``comptoir::lesson::<lesson id>`` and
``comptoir::type::<item type>``.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import genanki
from babel.numbers import format_decimal

from comptoir.identity import TAG_ROOT, anki_id, note_guid
from comptoir.model import Ref, ResolvedCourse
from comptoir.present import (BLANK_HTML, ChoiceKey, ChoiceView, FillInKey, FillInView, MatchingKey, MatchingView,
                              NumericKey, NumericView, PresentedCourse, PresentedItem, PresentedLesson, ScenarioKey,
                              ScenarioView, SequencingKey, SequencingView, TrueFalseKey, TrueFalseView, present)

from .anki_models import models
from .anki_package import apkg
from .base import Artifact, BuildContext, CourseExporter

OUTCOME_LABEL = {"success": "Réussite", "partial": "Réussite partielle", "failure": "Échec"}


def letter(index: int) -> str:
    return chr(ord("A") + index)


def tag_part(text: str) -> str:
    """Anki tags cannot hold spaces; '::' separates levels."""
    return "_".join(text.replace("::", ":").split())


def deck_name(title: str) -> str:
    return " ".join(title.replace("::", ":").split())


@dataclass(frozen=True)
class NoteSpec:
    """One note before it becomes a genanki note: which note type, which deck (domain code), what it says."""

    kind: str
    guid: str
    deck: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]


def options(texts: Iterable[str], marks: Iterable[str] | None = None) -> str:
    marks = marks or (letter(i) for i in range(1 << 16))
    rows = [f'<li><span class="mark">{mark}</span>{text}</li>' for mark, text in zip(marks, texts)]
    return f'<ol class="options">{"".join(rows)}</ol>'


def verdict(correct: bool | None) -> str:
    """✓ for a right move, ✗ for a wrong one, nothing when the move is neither (a scenario detour)."""
    return {True: '<span class="ok">✓</span> ', False: '<span class="ko">✗</span> ', None: ""}[correct]


def feedback_list(marks: Sequence[str], verdicts: Sequence[bool | None], texts: Sequence[str]) -> str:
    rows = "".join(f'<li><span class="mark">{m}</span>{verdict(v)}{t}</li>' for m, v, t in zip(marks, verdicts, texts))
    return f'<ul class="feedback">{rows}</ul>'


class DeckBuilder:
    """Turns one presented course into note specs."""

    def __init__(self, course: ResolvedCourse, shown: PresentedCourse, t: Callable[[str], str]) -> None:
        self.rc = course
        self.shown = shown
        self.t = t
        self.language = course.locale
        self.lineage = {fid: fw.lineage() for fid, fw in course.frameworks.items()}
        self.domain = {c.ref: c.domain for c in shown.competencies}
        self.titles = {c.ref: c.title for c in shown.competencies}

    def tags(self, aligned: tuple[Ref, ...], lesson: str, kind: str) -> tuple[str, ...]:
        tags = []
        for ref in aligned:
            fid, _, code = ref.partition(":")
            chain = self.lineage.get(fid, {}).get(code, ())
            parts = (fid, chain[0].key, code) if chain else (fid, code)
            tags.append("::".join((TAG_ROOT, *(tag_part(p) for p in parts))))
        tags += [f"{TAG_ROOT}::lesson::{tag_part(lesson)}", f"{TAG_ROOT}::type::{kind}"]
        return tuple(dict.fromkeys(tags))

    def context(self, lesson: PresentedLesson, units: tuple[Ref, ...]) -> str:
        """The card's footer: its lesson and the course competencies it trains."""
        listed = "; ".join(html.escape(f"{ref.partition(':')[2]} {self.titles[ref]}") for ref in units)
        return (f'<div><span class="label">{self.t("Leçon")}</span>{html.escape(lesson.title)}</div>'
                f'<div><span class="label">{self.t("Compétences")}</span>{listed}</div>')

    def notes(self) -> list[NoteSpec]:
        items = {item.id: item for item in self.shown.items}
        specs = []
        for lesson in self.shown.lessons:
            for block in lesson.blocks:
                if block.kind == "key-point" and lesson.competencies:
                    cue = html.escape(lesson.title) + (f" — {block.cue}" if block.cue else "")
                    fields = (cue, block.html, self.context(lesson, lesson.competencies),
                              f"{lesson.id}/key-point.{block.index}")
                    specs.append(NoteSpec("concept", note_guid(self.language, lesson.id, "key-point", str(block.index)),
                                          self.domain[lesson.competencies[0]], fields,
                                          self.tags(lesson.aligned, lesson.id, "key-point")))
                elif block.kind == "item":
                    specs.append(self.item(lesson, items[block.item]))
        return specs

    def item(self, lesson: PresentedLesson, item: PresentedItem) -> NoteSpec:
        kind, fields = getattr(self, item.type.replace("-", "_"))(item.view, item.key)
        fields = (*fields, self.context(lesson, item.competencies), item.id)
        return NoteSpec(kind, note_guid(self.language, item.id), self.domain[item.competencies[0]], fields,
                        self.tags(item.aligned, lesson.id, item.type))

    # --- one method per item type: its view and key as note fields ------------------------------

    def choices(self, prompt: str, instruction: str, shown: Sequence[str], right: Sequence[int],
                verdicts: Sequence[bool], feedback: Sequence[str], why: str) -> tuple[str, tuple[str, ...]]:
        marks = [letter(i) for i in range(len(shown))]
        answer = "".join(f'<div><span class="mark">{marks[i]}</span>{shown[i]}</div>' for i in right)
        return "choice", (prompt, self.t(instruction), options(shown, marks), answer,
                          feedback_list(marks, verdicts, feedback), why)

    def single(self, view: ChoiceView, key: ChoiceKey) -> tuple[str, tuple[str, ...]]:
        return self.choices(view.prompt, "Une seule bonne réponse.", view.choices, key.correct,
                            [i in key.correct for i in range(len(view.choices))], key.feedback, key.explanation)

    def multiple(self, view: ChoiceView, key: ChoiceKey) -> tuple[str, tuple[str, ...]]:
        return self.choices(view.prompt, "Plusieurs bonnes réponses possibles.", view.choices, key.correct,
                            [i in key.correct for i in range(len(view.choices))], key.feedback, key.explanation)

    def true_false(self, view: TrueFalseView, key: TrueFalseKey) -> tuple[str, tuple[str, ...]]:
        right = 0 if key.answer else 1
        return self.choices(view.prompt, "Vrai ou faux ?", (self.t("Vrai"), self.t("Faux")), (right,),
                            (right == 0, right == 1), (key.feedback["true"], key.feedback["false"]), key.explanation)

    @staticmethod
    def why(feedback: dict, explanation: str) -> str:
        return feedback["correct"] + explanation

    def question(self, prompt: str, instruction: str, body: str, answer: str, feedback: dict,
                 explanation: str) -> tuple[str, tuple[str, ...]]:
        return "question", (prompt, self.t(instruction), body, answer, self.why(feedback, explanation),
                            feedback["incorrect"])

    def fill_in(self, view: FillInView, key: FillInKey) -> tuple[str, tuple[str, ...]]:
        first, *others = key.answers
        text = view.prompt.replace(BLANK_HTML, "{{c1::" + html.escape(first).replace("}}", "} }") + "}}", 1)
        return "cloze", (text, html.escape(", ".join(others)), self.why(key.feedback, key.explanation),
                         key.feedback["incorrect"])

    def matching(self, view: MatchingView, key: MatchingKey) -> tuple[str, tuple[str, ...]]:
        numbers = [str(i + 1) for i in range(len(view.left))]
        marks = [letter(i) for i in range(len(view.right))]
        body = options(view.left, numbers) + options(view.right, marks)
        rows = "".join(f"<tr><td>{n}. {left}</td><td>{marks[r]}. {view.right[r]}</td></tr>"
                       for n, left, r in zip(numbers, view.left, key.pairs))
        return self.question(view.prompt, "Associez chaque élément à sa correspondance.", body,
                             f"<table>{rows}</table>", key.feedback, key.explanation)

    def sequencing(self, view: SequencingView, key: SequencingKey) -> tuple[str, tuple[str, ...]]:
        marks = [letter(i) for i in range(len(view.steps))]
        answer = options((view.steps[i] for i in key.order), (marks[i] for i in key.order))
        return self.question(view.prompt, "Remettez les étapes dans l'ordre.", options(view.steps, marks), answer,
                             key.feedback, key.explanation)

    def numeric(self, view: NumericView, key: NumericKey) -> tuple[str, tuple[str, ...]]:
        def number(value: float) -> str:
            return format_decimal(value, locale=self.rc.region)

        unit = f" {html.escape(view.unit)}" if view.unit else ""
        answer = f"<div>{number(key.answer)}{unit}</div>"
        if key.tolerance:
            answer += f'<div><span class="label">{self.t("Tolérance")}</span>± {number(key.tolerance)}{unit}</div>'
        return self.question(view.prompt, "Répondez par un nombre.", "", answer, key.feedback, key.explanation)

    def scenario(self, view: ScenarioView, key: ScenarioKey) -> tuple[str, tuple[str, ...]]:
        start = view.start
        node = view.nodes[start]
        marks = [letter(i) for i in range(len(node.choices))]
        best = max(key.reach[start])
        verdicts = [True if first else (None if reach == best else False)  # a detour that can still recover
                    for first, reach in zip(key.best[start], key.reach[start])]
        feedback = feedback_list(marks, verdicts, key.feedback[start])
        steps, at = [], start
        while key.outcome[at] is None:
            choice = key.best[at].index(True)
            text = "" if at == start else view.nodes[at].text
            steps.append(f"<li>{text}<div><strong>{view.nodes[at].choices[choice]}</strong></div>"
                         f"<div>{key.feedback[at][choice]}</div></li>")
            at = key.next[at][choice]
        steps.append(f'<li><span class="label">{self.t(OUTCOME_LABEL[key.outcome[at]])}</span>'
                     f"{view.nodes[at].text}</li>")
        return "scenario", (view.prompt + node.text, options(node.choices), f'<ol class="path">{"".join(steps)}</ol>',
                            feedback)


def genanki_decks(course: ResolvedCourse, shown: PresentedCourse, specs: list[NoteSpec],
                  kinds: dict[str, genanki.Model]) -> list[genanki.Deck]:
    """The course deck (holding the description) and one subdeck per domain, with their notes."""
    cid, language = course.course.id, course.locale
    title = deck_name(shown.title)
    parent = genanki.Deck(anki_id("comptoir-deck", cid, language), title, shown.description)
    domains = {c.domain: c.domain_title for c in shown.competencies}
    subdecks: dict[str, genanki.Deck] = {}
    for position, spec in enumerate(specs):
        if spec.deck not in subdecks:
            name = f"{title}::{deck_name(spec.deck + ' · ' + domains[spec.deck])}"
            subdecks[spec.deck] = genanki.Deck(anki_id("comptoir-deck", cid, language, spec.deck), name)
        subdecks[spec.deck].add_note(genanki.Note(model=kinds[spec.kind], fields=list(spec.fields),
                                                  tags=list(spec.tags), guid=spec.guid, due=position))
    return [parent, *subdecks.values()]


class AnkiExporter(CourseExporter):
    name = "anki"

    def export(self, course: ResolvedCourse, context: BuildContext) -> Iterable[Artifact]:
        shown = present(course)
        specs = DeckBuilder(course, shown, context.words).notes()
        decks = genanki_decks(course, shown, specs, models(course.locale, context.words))
        shown_media = {name: m.data for name, m in context.media.items()
                       if any(name in text for spec in specs for text in spec.fields)}  # prose images aren't cards
        data = apkg(decks, shown_media, context.timestamp)
        yield Artifact(course.course.id, self.name, course.locale,
                       f"anki/{course.course.id}.{course.locale}.apkg", data)
