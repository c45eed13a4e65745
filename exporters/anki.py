"""Anki decks: one ``.apkg`` per course and content language, updating in place when rebuilt.

What makes a rebuilt deck update a learner's collection instead of duplicating it:

- a note's GUID comes from its stable id and the language (an item's id; a key point's lesson id
  and position), never from its wording, so an edited item keeps its note and review history;
- deck and note-type ids are hashes of stable names (see :func:`anki_models.stable_id`);
- every modification time in the package is the build timestamp (DESIGN §6): Anki only updates a
  note from a package whose note is newer, and an unchanged course gives a byte-identical file
  (the SQLite image is serialised from memory and zipped with fixed dates and attributes).

Decks: ``<course title>::<domain>``, the domain being the top-level node of the course framework
above the unit a note teaches. Tags: ``comptoir::<framework>::<top-level code>::<unit code>`` for
every competency the note is aligned to in every framework (directly or by an exactMatch /
closeMatch crosswalk link), a framework with intermediate levels contributing its top level only
(``comptoir::fr-accueil::A2::T22.7``); plus ``comptoir::lesson::<lesson id>`` and
``comptoir::type::<item type>``.
"""
from __future__ import annotations

import hashlib
import html
import itertools
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Iterable

import genanki
from babel.numbers import format_decimal
from markdown_it import MarkdownIt

from comptoir.i18n import node_text, ui
from comptoir.model import Framework, Item, KeyPoint, Lesson, Node, Ref, ResolvedCourse, ScenarioChoice, ScenarioNode
from comptoir.readers.items import BLANK
from comptoir.render import to_html
from comptoir.scoring import OUTCOME_SCORES

from .anki_models import models, stable_id
from .anki_package import apkg
from .base import Artifact, CourseExporter

TAG_ROOT = "comptoir"
_PLACEHOLDER = "COMPTOIRBLANKPLACEHOLDER"
OUTCOME_LABEL = {"success": "Réussite", "partial": "Réussite partielle", "failure": "Échec"}


def letter(index: int) -> str:
    return chr(ord("A") + index)


def note_guid(language: str, *stable: str) -> str:
    """The note's GUID: stable ids and the language only, so a rewording keeps the note."""
    return genanki.guid_for(TAG_ROOT, language, *stable)


def tag_part(text: str) -> str:
    """Anki tags cannot hold spaces; '::' separates levels."""
    return "_".join(text.replace("::", ":").split())


@dataclass
class FrameworkIndex:
    """Node lookups of one framework, computed once per export."""

    framework: Framework
    nodes: dict[str, Node] = field(init=False)
    lineage: dict[str, tuple[Node, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.nodes = {n.key: n for n in self.framework.walk()}
        self.lineage = self.framework.lineage()

    def tag(self, code: str) -> str:
        chain = self.lineage.get(code, ())
        parts = (self.framework.id, chain[0].key, code) if chain else (self.framework.id, code)
        return "::".join((TAG_ROOT, *(tag_part(p) for p in parts)))

    def title(self, code: str, language: str) -> str:
        node = self.nodes.get(code)
        if node is None:
            return ""
        return node_text(node, language)


@dataclass(frozen=True)
class NoteSpec:
    """One note before it becomes a genanki note: which note type, which deck, what it says."""

    kind: str
    guid: str
    deck: Node
    fields: tuple[str, ...]
    tags: tuple[str, ...]


class DeckBuilder:
    """Turns one localised course into note specs, deck names and the media they use."""

    def __init__(self, course: ResolvedCourse) -> None:
        self.rc = course
        self.language = course.locale
        self.indexes = {fid: FrameworkIndex(fw) for fid, fw in course.frameworks.items()}
        self.units = {course.framework.ref(u): u for u in course.units}
        self.media: dict[str, Path] = {}

    # --- words and markup ------------------------------------------------------------------------

    def t(self, msgid: str) -> str:
        return ui(self.language, msgid)

    def html(self, lesson: Lesson, markdown: str, inline: bool = False) -> str:
        """Markdown → HTML, with the lesson's images renamed to flat, collection-unique names."""

        def image_src(src: str) -> str:
            path = (lesson.path.parent / src).resolve()
            if not path.is_file():
                return src
            name = f"{lesson.id}-{path.name}"
            self.media[name] = path
            return name

        return to_html(markdown, image_src=image_src, inline=inline)

    def options(self, lesson: Lesson, texts: Iterable[str], marks: Iterable[str] | None = None) -> str:
        rows = [f'<li><span class="mark">{mark}</span>{self.html(lesson, text, inline=True)}</li>'
                for mark, text in zip(marks or (letter(i) for i in itertools.count()), texts)]
        return f'<ol class="options">{"".join(rows)}</ol>'

    @staticmethod
    def verdict(correct: bool) -> str:
        return '<span class="ok">✓</span> ' if correct else '<span class="ko">✗</span> '

    def scenario_verdict(self, choice: ScenarioChoice, chosen: ScenarioChoice, score: dict[str, float]) -> str:
        """✓ the move on the best path, ✗ a move that can no longer reach its outcome, nothing for a
        detour that can still recover (its feedback says what it costs)."""
        if choice is chosen:
            return self.verdict(True)
        return self.verdict(False) if score[choice.next] < score[chosen.next] else ""

    # --- alignment -------------------------------------------------------------------------------

    def deck_of(self, refs: tuple[Ref, ...]) -> Node:
        """The domain (top-level node of the course framework) of the first unit ``refs`` teach."""
        return self.rc.framework.domain_of(self.units[self.rc.units_of(refs)[0]])

    def aligned(self, refs: tuple[Ref, ...]) -> list[Ref]:
        """Every competency ``refs`` are aligned to, in every framework (one crosswalk hop from
        the direct references and from the course units they teach)."""
        found: list[Ref] = []
        links = self.rc.coverage_links
        for ref in (*refs, *self.rc.units_of(refs)):
            for target in (ref, *links.get(ref, ())):
                if target not in found:
                    found.append(target)
        return found

    def tags(self, refs: tuple[Ref, ...], lesson: Lesson, kind: str) -> tuple[str, ...]:
        tags = []
        for ref in self.aligned(refs):
            fid, _, code = ref.partition(":")
            index = self.indexes.get(fid)
            tags.append(index.tag(code) if index else "::".join((TAG_ROOT, tag_part(fid), tag_part(code))))
        tags += [f"{TAG_ROOT}::lesson::{tag_part(lesson.id)}", f"{TAG_ROOT}::type::{kind}"]
        return tuple(dict.fromkeys(tags))

    def context(self, lesson: Lesson, refs: tuple[Ref, ...]) -> str:
        """The card's footer: its lesson and the course competencies it trains."""
        index = self.indexes[self.rc.framework.id]
        codes = [ref.partition(":")[2] for ref in self.rc.units_of(refs)]
        units = "; ".join(html.escape(f"{code} {index.title(code, self.language)}") for code in codes)
        return (f'<div><span class="label">{self.t("Leçon")}</span>{html.escape(lesson.title)}</div>'
                f'<div><span class="label">{self.t("Compétences")}</span>{units}</div>')

    # --- notes -----------------------------------------------------------------------------------

    def notes(self) -> list[NoteSpec]:
        specs = []
        for lesson in self.rc.lessons:
            heading = ""
            for block in lesson.blocks:
                if isinstance(block, KeyPoint):
                    if self.rc.units_of(lesson.competencies):
                        specs.append(self.concept(lesson, block, heading))
                elif isinstance(block, Item):
                    if self.rc.units_of(block.competencies):
                        specs.append(self.item(lesson, block))
                else:
                    heading = last_heading(block.markdown) or heading
        return specs

    def concept(self, lesson: Lesson, point: KeyPoint, heading: str) -> NoteSpec:
        cue = html.escape(lesson.title) + (f" — {self.html(lesson, heading, inline=True)}" if heading else "")
        fields = (cue, self.html(lesson, point.markdown), self.context(lesson, lesson.competencies),
                  f"{lesson.id}/key-point.{point.index}")
        return NoteSpec("concept", note_guid(self.language, lesson.id, "key-point", str(point.index)),
                        self.deck_of(lesson.competencies), fields, self.tags(lesson.competencies, lesson, "key-point"))

    def item(self, lesson: Lesson, item: Item) -> NoteSpec:
        render = {"single": self.choice, "multiple": self.choice, "true-false": self.true_false,
                  "fill-in": self.cloze, "matching": self.matching, "sequencing": self.sequencing,
                  "numeric": self.numeric, "scenario": self.scenario}[item.type]
        kind, fields = render(lesson, item)
        fields = (*fields, self.context(lesson, item.competencies), item.id)
        return NoteSpec(kind, note_guid(self.language, item.id), self.deck_of(item.competencies), fields,
                        self.tags(item.competencies, lesson, item.type))

    def choice(self, lesson: Lesson, item: Item) -> tuple[str, tuple[str, ...]]:
        marks = [letter(i) for i in range(len(item.choices))]
        answer = "".join(f'<div><span class="mark">{m}</span>{self.html(lesson, c.text, inline=True)}</div>'
                         for m, c in zip(marks, item.choices) if c.correct)
        feedback = "".join(f'<li><span class="mark">{m}</span>{self.verdict(c.correct)}'
                           f'{self.html(lesson, c.feedback, inline=True)}</li>' for m, c in zip(marks, item.choices))
        instruction = self.t("Une seule bonne réponse." if item.type == "single"
                             else "Plusieurs bonnes réponses possibles.")
        return "choice", (self.html(lesson, item.prompt), instruction,
                          self.options(lesson, (c.text for c in item.choices), marks), answer,
                          f'<ul class="feedback">{feedback}</ul>', self.html(lesson, item.explanation))

    def true_false(self, lesson: Lesson, item: Item) -> tuple[str, tuple[str, ...]]:
        sides = ((self.t("Vrai"), True, item.feedback.get("true", "")),
                 (self.t("Faux"), False, item.feedback.get("false", "")))
        right = next(i for i, side in enumerate(sides) if side[1] is item.answer)
        feedback = "".join(f'<li><span class="mark">{letter(i)}</span>{self.verdict(i == right)}'
                           f'{self.html(lesson, text, inline=True)}</li>' for i, (_, _, text) in enumerate(sides))
        return "choice", (self.html(lesson, item.prompt), self.t("Vrai ou faux ?"),
                          self.options(lesson, (label for label, _, _ in sides)),
                          f'<div><span class="mark">{letter(right)}</span>{sides[right][0]}</div>',
                          f'<ul class="feedback">{feedback}</ul>', self.html(lesson, item.explanation))

    def why(self, lesson: Lesson, item: Item) -> str:
        return self.html(lesson, item.feedback.get("correct", "")) + self.html(lesson, item.explanation)

    def cloze(self, lesson: Lesson, item: Item) -> tuple[str, tuple[str, ...]]:
        first, *others = item.answers
        text = self.html(lesson, item.prompt.replace(BLANK, _PLACEHOLDER, 1))
        text = text.replace(_PLACEHOLDER, "{{c1::" + html.escape(first).replace("}}", "} }") + "}}", 1)
        return "cloze", (text, html.escape(", ".join(others)), self.why(lesson, item),
                         self.html(lesson, item.feedback.get("incorrect", "")))

    def question(self, lesson: Lesson, item: Item, instruction: str, body: str,
                 answer: str) -> tuple[str, tuple[str, ...]]:
        return "question", (self.html(lesson, item.prompt), self.t(instruction), body, answer,
                            self.why(lesson, item), self.html(lesson, item.feedback.get("incorrect", "")))

    def matching(self, lesson: Lesson, item: Item) -> tuple[str, tuple[str, ...]]:
        rights = scrambled(item.id, [p.id for p in item.pairs])
        mark = {pid: letter(i) for i, pid in enumerate(rights)}
        by_id = {p.id: p for p in item.pairs}
        body = (self.options(lesson, (p.left for p in item.pairs), (str(i + 1) for i in range(len(item.pairs))))
                + self.options(lesson, (by_id[pid].right for pid in rights), (mark[pid] for pid in rights)))
        rows = "".join(f"<tr><td>{i + 1}. {self.html(lesson, p.left, inline=True)}</td>"
                       f"<td>{mark[p.id]}. {self.html(lesson, p.right, inline=True)}</td></tr>"
                       for i, p in enumerate(item.pairs))
        return self.question(lesson, item, "Associez chaque élément à sa correspondance.", body,
                             f"<table>{rows}</table>")

    def sequencing(self, lesson: Lesson, item: Item) -> tuple[str, tuple[str, ...]]:
        shown = scrambled(item.id, [s.id for s in item.steps])
        mark = {sid: letter(i) for i, sid in enumerate(shown)}
        by_id = {s.id: s for s in item.steps}
        body = self.options(lesson, (by_id[sid].text for sid in shown), (mark[sid] for sid in shown))
        answer = self.options(lesson, (s.text for s in item.steps), (mark[s.id] for s in item.steps))
        return self.question(lesson, item, "Remettez les étapes dans l'ordre.", body, answer)

    def numeric(self, lesson: Lesson, item: Item) -> tuple[str, tuple[str, ...]]:
        def number(value: float) -> str:
            return format_decimal(value, locale=self.rc.region)

        unit = f" {html.escape(item.unit)}" if item.unit else ""
        answer = f"<div>{number(float(item.answer))}{unit}</div>"
        if item.tolerance:
            answer += f'<div><span class="label">{self.t("Tolérance")}</span>± {number(item.tolerance)}{unit}</div>'
        return self.question(lesson, item, "Répondez par un nombre.", "", answer)

    def scenario(self, lesson: Lesson, item: Item) -> tuple[str, tuple[str, ...]]:
        nodes = {n.id: n for n in item.nodes}
        score = outcome_scores(nodes)
        start = nodes[item.start]
        chosen = best_choice(start, score)
        feedback = "".join(f'<li><span class="mark">{letter(i)}</span>{self.scenario_verdict(c, chosen, score)}'
                           f'{self.html(lesson, c.feedback, inline=True)}</li>' for i, c in enumerate(start.choices))
        steps, node = [], start
        while not node.is_end:
            choice = best_choice(node, score)
            text = "" if node is start else self.html(lesson, node.text)
            steps.append(f"<li>{text}<div><strong>{self.html(lesson, choice.text, inline=True)}</strong></div>"
                         f"<div>{self.html(lesson, choice.feedback, inline=True)}</div></li>")
            node = nodes[choice.next]
        steps.append(f'<li><span class="label">{self.t(OUTCOME_LABEL[node.outcome])}</span>'
                     f"{self.html(lesson, node.text)}</li>")
        return "scenario", (self.html(lesson, item.prompt) + self.html(lesson, start.text),
                            self.options(lesson, (c.text for c in start.choices)),
                            f'<ol class="path">{"".join(steps)}</ol>', f'<ul class="feedback">{feedback}</ul>')


@cache
def _block_parser() -> MarkdownIt:
    """CommonMark without inline parsing: finding headings needs only the block structure."""
    return MarkdownIt("commonmark").disable("inline")


def last_heading(markdown: str) -> str:
    """The Markdown of the last heading in a prose block ('' if none): a key point's cue."""
    tokens = _block_parser().parse(markdown)
    found = ""
    for before, token in zip(tokens, tokens[1:]):
        if before.type == "heading_open" and token.type == "inline":
            found = token.content
    return found


def best_choice(node: ScenarioNode, score: dict[str, float]) -> ScenarioChoice:
    """The move towards the best reachable outcome; the author's first such move on ties."""
    return max(node.choices, key=lambda c: score[c.next])


def scrambled(seed: str, ids: list[str]) -> list[str]:
    """A fixed order that is not the right one, so the front never gives the answer away."""
    order = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}/{i}".encode()).digest())
    return order[1:] + order[:1] if order == ids and len(ids) > 1 else order


def outcome_scores(nodes: dict[str, ScenarioNode]) -> dict[str, float]:
    """Each node's best reachable outcome score (the graph is acyclic, checked by the reader)."""
    score: dict[str, float] = {}

    def visit(node_id: str) -> float:
        if node_id not in score:
            node = nodes[node_id]
            score[node_id] = OUTCOME_SCORES[node.outcome] if node.is_end else max(visit(c.next) for c in node.choices)
        return score[node_id]

    for node_id in nodes:
        visit(node_id)
    return score


# --- decks -------------------------------------------------------------------------------------

def deck_name(title: str) -> str:
    return " ".join(title.replace("::", ":").split())


def genanki_decks(course: ResolvedCourse, specs: list[NoteSpec]) -> list[genanki.Deck]:
    """The course deck (holding the description) and one subdeck per domain, with their notes."""
    cid, language = course.course.id, course.locale
    title = deck_name(course.course.title)
    parent = genanki.Deck(stable_id("comptoir-deck", cid, language), title, to_html(course.course.description))
    index = FrameworkIndex(course.framework)
    subdecks: dict[str, genanki.Deck] = {}
    kinds = models(language)
    for position, spec in enumerate(specs):
        key = spec.deck.key
        if key not in subdecks:
            name = f"{title}::{deck_name(key + ' · ' + index.title(key, language))}"
            subdecks[key] = genanki.Deck(stable_id("comptoir-deck", cid, language, key), name)
        subdecks[key].add_note(genanki.Note(model=kinds[spec.kind], fields=list(spec.fields), tags=list(spec.tags),
                                            guid=spec.guid, due=position))
    return [parent, *subdecks.values()]


class AnkiExporter(CourseExporter):
    name = "anki"

    def export(self, course: ResolvedCourse, timestamp: int) -> Iterable[Artifact]:
        builder = DeckBuilder(course)
        specs = builder.notes()
        decks = genanki_decks(course, specs)
        media = {name: path.read_bytes() for name, path in builder.media.items()}
        data = apkg(decks, media, timestamp)
        yield Artifact(course.course.id, self.name, course.locale,
                       f"anki/{course.course.id}.{course.locale}.apkg", data)
