"""Anki note types for comptoir decks: fields, card templates and CSS, one set per content language.

A note type's id is derived from its name and the language, never drawn at random: a rebuilt deck
then updates the note types already in a learner's collection instead of adding copies, and a
French and an Italian deck can live side by side (their labels differ). The labels the templates
show come from the software's catalog (``comptoir.po``), handed over by the build.

Field lists are part of the contract with existing collections: renaming, adding or reordering a
field changes the note type's schema and Anki then asks the learner for a full sync. Change them
only with a new note type name.
"""
from __future__ import annotations

from typing import Callable

import genanki

from comptoir.identity import anki_id

#: Every word the note types and notes show, so tests can prove each one is translated.
WORDS = (
    "Bonne réponse", "Pourquoi", "Si vous vous êtes trompé", "Retour sur chaque choix",
    "Vrai", "Faux", "Vrai ou faux ?", "Une seule bonne réponse.", "Plusieurs bonnes réponses possibles.",
    "Point clé", "Rappelez-vous le point clé de cette partie.", "Leçon", "Compétences",
    "Associez chaque élément à sa correspondance.", "Remettez les étapes dans l'ordre.", "Répondez par un nombre.",
    "Tolérance", "Autres réponses acceptées", "Que faites-vous ?", "Le meilleur parcours", "Réussite",
    "Réussite partielle", "Échec",
)

# Colours are variables so night mode swaps one block. Desktop Anki and AnkiMobile put
# ``nightMode`` on the card, AnkiDroid ``night_mode`` (older) or ``nightMode`` (newer) on body/card.
CSS = """\
.card {
  --fg: #1d2330; --muted: #5b6475; --bg: #ffffff; --panel: #f3f5f9; --rule: #d8dde6;
  --ok: #17723b; --ko: #a3262d; --accent: #2a5db0;
  font-family: -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
  font-size: 19px; line-height: 1.45; color: var(--fg); background: var(--bg);
  text-align: left; margin: 0; padding: 12px 16px;
}
.card.nightMode, .nightMode .card, .card.night_mode, .night_mode .card {
  --fg: #e6e9ef; --muted: #a5adbb; --bg: #1e2127; --panel: #2a2e36; --rule: #3b414c;
  --ok: #6cd49a; --ko: #ff8a8f; --accent: #8fb4ff;
}
.comptoir { max-width: 42em; margin: 0 auto; }
.comptoir p { margin: 0.4em 0; }
.comptoir img { max-width: 100%; height: auto; }
.comptoir blockquote { margin: 0.5em 0; padding: 0.2em 0.8em; border-left: 3px solid var(--rule); color: var(--muted); }
.comptoir table { border-collapse: collapse; margin: 0.5em 0; }
.comptoir td, .comptoir th { border: 1px solid var(--rule); padding: 0.25em 0.5em; vertical-align: top; }
.kicker { font-size: 0.75em; letter-spacing: 0.06em; text-transform: uppercase; color: var(--accent); margin-bottom: 0.3em; }
.instruction { font-size: 0.85em; color: var(--muted); font-style: italic; margin: 0.4em 0; }
.options { margin: 0.6em 0; padding-left: 0; list-style: none; }
.options li { background: var(--panel); border: 1px solid var(--rule); border-radius: 8px; padding: 0.45em 0.7em; margin: 0.35em 0; }
.mark { font-weight: 600; color: var(--accent); margin-right: 0.4em; }
hr#answer { border: 0; border-top: 1px solid var(--rule); margin: 1em 0; }
.block { margin: 0.8em 0; }
.label { display: block; font-size: 0.75em; font-weight: 700; letter-spacing: 0.04em; text-transform: uppercase; color: var(--muted); margin-bottom: 0.2em; }
.answer { border-left: 4px solid var(--ok); padding-left: 0.7em; }
.ok { color: var(--ok); font-weight: 700; }
.ko { color: var(--ko); font-weight: 700; }
.feedback li { margin: 0.35em 0; }
.point { font-size: 1.1em; border-left: 4px solid var(--accent); padding-left: 0.7em; }
.cue { font-size: 1.15em; font-weight: 600; }
.context { margin-top: 1.2em; font-size: 0.75em; color: var(--muted); }
.cloze { font-weight: 700; color: var(--accent); }
.path li { margin: 0.45em 0; }
@media (max-width: 480px) { .card { font-size: 17px; padding: 8px 10px; } }
"""


def _block(label: str, field: str, css: str = "") -> str:
    """A labelled section of a card's back, omitted when the note leaves ``field`` empty."""
    classes = f"block {css}".strip()
    return (f'{{{{#{field}}}}}<div class="{classes}"><span class="label">{label}</span>{{{{{field}}}}}</div>'
            f"{{{{/{field}}}}}")


def _card(kind: str, body: str) -> str:
    return f'<div class="comptoir {kind}">{body}</div>'


CONTEXT = '{{#Context}}<div class="context">{{Context}}</div>{{/Context}}'


def models(language: str, t: Callable[[str], str]) -> dict[str, genanki.Model]:
    """The five note types in ``language`` (``t`` gives the software's words in it), by the item
    type family they render."""

    def model(name: str, fields: list[str], front: str, back: str, kind: str,
              model_type: int = genanki.Model.FRONT_BACK) -> genanki.Model:
        return genanki.Model(
            anki_id("comptoir-note-type", name, language), f"comptoir {name} ({language})",
            fields=[{"name": f} for f in fields],
            templates=[{"name": name, "qfmt": _card(kind, front), "afmt": _card(kind, back)}],
            css=CSS, model_type=model_type, sort_field_index=0)

    question_front = ('<div class="prompt">{{Prompt}}</div>'
                      '{{#Instruction}}<div class="instruction">{{Instruction}}</div>{{/Instruction}}')
    return {
        "choice": model(
            "choice", ["Prompt", "Instruction", "Choices", "Answer", "Feedback", "Why", "Context", "Id"],
            question_front + '<div class="block">{{Choices}}</div>',
            question_front + '<div class="block">{{Choices}}</div><hr id="answer">'
            + _block(t("Bonne réponse"), "Answer", "answer") + _block(t("Pourquoi"), "Why")
            + _block(t("Retour sur chaque choix"), "Feedback", "feedback") + CONTEXT,
            "choice"),
        "cloze": model(
            "cloze", ["Text", "Accepted", "Why", "IfWrong", "Context", "Id"],
            '<div class="prompt">{{cloze:Text}}</div>',
            '<div class="prompt">{{cloze:Text}}</div><hr id="answer">'
            + _block(t("Autres réponses acceptées"), "Accepted") + _block(t("Pourquoi"), "Why")
            + _block(t("Si vous vous êtes trompé"), "IfWrong") + CONTEXT,
            "cloze", genanki.Model.CLOZE),
        "concept": model(
            "concept", ["Cue", "Point", "Context", "Id"],
            f'<div class="kicker">{t("Point clé")}</div><div class="cue">{{{{Cue}}}}</div>'
            f'<div class="instruction">{t("Rappelez-vous le point clé de cette partie.")}</div>',
            f'<div class="kicker">{t("Point clé")}</div><div class="cue">{{{{Cue}}}}</div><hr id="answer">'
            '<div class="point">{{Point}}</div>' + CONTEXT,
            "concept"),
        "question": model(
            "question", ["Prompt", "Instruction", "Body", "Answer", "Why", "IfWrong", "Context", "Id"],
            question_front + '{{#Body}}<div class="block">{{Body}}</div>{{/Body}}',
            question_front + '{{#Body}}<div class="block">{{Body}}</div>{{/Body}}<hr id="answer">'
            + _block(t("Bonne réponse"), "Answer", "answer") + _block(t("Pourquoi"), "Why")
            + _block(t("Si vous vous êtes trompé"), "IfWrong") + CONTEXT,
            "question"),
        "scenario": model(
            "scenario", ["Situation", "Choices", "Path", "Feedback", "Context", "Id"],
            f'<div class="prompt">{{{{Situation}}}}</div><div class="instruction">{t("Que faites-vous ?")}</div>'
            '<div class="block">{{Choices}}</div>',
            f'<div class="prompt">{{{{Situation}}}}</div><div class="instruction">{t("Que faites-vous ?")}</div>'
            '<div class="block">{{Choices}}</div><hr id="answer">'
            + _block(t("Le meilleur parcours"), "Path", "answer path")
            + _block(t("Retour sur chaque choix"), "Feedback", "feedback") + CONTEXT,
            "scenario"),
    }
