"""Open edX capa problems from presented items (:mod:`comptoir.present`): one ``<problem>`` per item.

A serialiser of views and keys, like the Anki exporter; the choices of mapping:

- single, true-false (two choices, the words "Vrai"/"Faux" in the course language): a
  ``multiplechoiceresponse``; multiple: a ``choiceresponse`` with a ``checkboxgroup``. Each choice's
  feedback is its ``choicehint`` (for a checkbox, shown when the learner ticked it).
- fill-in: a ``stringresponse type="ci"``: the first accepted answer as ``answer``, every other one
  as ``additional_answer``, plus each answer written with a typographic apostrophe (’) when the
  author wrote a straight one, since capa compares case-insensitively but character for character
  (comptoir's own scoring treats both apostrophes as equal). The correct-answer feedback is a
  ``correcthint``.
- numeric: a ``numericalresponse`` with ``responseparam type="tolerance"`` (absolute, 0 allowed).
- matching: one ``optionresponse`` per left, its ``optioninput`` offering every right in the shown
  order; sequencing: one ``optionresponse`` per position (1., 2., …) offering every step. Capa
  gives a point per dropdown (partial credit), where the engine counts the item as a whole.
  Option texts are plain text (a ``<select>`` shows no markup), with straight apostrophes written
  typographically: capa rebuilds options as a quoted list in which a straight apostrophe next to an
  accented letter ends the option.
- scenario: capa cannot branch, so a scenario is a ``multiplechoiceresponse`` on its start node whose
  correct choices are the best moves (``key.best[start]``), each choice with the author's feedback,
  and the best path in the ``<solution>``; the full branching walk lives in the adaptive XBlock (and
  the browser player of the other targets).

Every problem: the explanation (and, where a type has no per-choice hints, the feedback) in a
``<solution>`` shown by "Show answer"; ``weight="1"`` (an item counts once, whatever its number of
dropdowns); ``showanswer="finished"``; ``max_attempts`` 1 when two options leave nothing to find on
a second try (true-false, two-choice items), 3 for typed answers (a typo or a decimal comma is not
a misconception), 2 otherwise. No ``markdown`` attribute, so Studio opens the XML editor.

The presentation layer's HTML (HTML5, e.g. ``<input type="checkbox">`` in a checklist) is re-parsed
and written as well-formed XML; an empty non-void element gets a space, because capa re-serialises
problems as XML and a browser reads ``<span/>`` as an unclosed span.
"""
from __future__ import annotations

import html as html_lib
import re
from typing import Callable, Iterable, Sequence

from lxml import etree
from lxml import html as lxml_html

from comptoir.present import (BLANK_HTML, ChoiceKey, ChoiceView, FillInKey, FillInView, MatchingKey, MatchingView,
                              NumericKey, NumericView, PresentedItem, ScenarioKey, ScenarioView, SequencingKey,
                              SequencingView, TrueFalseKey, TrueFalseView)

#: The software's words this module shows (comptoir.po), French when untranslated.
WORDS = ("Vrai", "Faux", "Vrai ou faux ?", "Une seule bonne réponse.", "Plusieurs bonnes réponses possibles.",
         "Associez chaque élément à sa correspondance.", "Remettez les étapes dans l'ordre.",
         "Répondez par un nombre.", "Que faites-vous ?", "Pourquoi", "Si vous vous êtes trompé",
         "Le meilleur parcours", "Réussite", "Réussite partielle", "Échec")
OUTCOME_LABEL = {"success": "Réussite", "partial": "Réussite partielle", "failure": "Échec"}

BLANK_SHOWN = '<span class="blank">______</span>'
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
#: capa's own elements whose children are laid out on their own lines (HTML inside them is left as is).
LAYOUT = frozenset("problem multiplechoiceresponse choiceresponse stringresponse numericalresponse optionresponse "
                   "choicegroup checkboxgroup optioninput".split())
TITLE_LENGTH = 70
SPACES = re.compile(r"\s+")


# --- HTML fragments as XML --------------------------------------------------------------------

def _fragment(markup: str) -> etree._Element:
    holder = lxml_html.fragment_fromstring(markup, create_parent="div")
    for element in holder.iter():
        if isinstance(element.tag, str) and element.tag not in VOID and not len(element) and not element.text:
            element.text = " "
    return holder


def append_html(parent: etree._Element, markup: str) -> None:
    """Append an HTML fragment to ``parent`` as XML elements and text."""
    if not markup or not markup.strip():
        return
    holder = _fragment(markup)
    append_text(parent, holder.text or "")
    for child in list(holder):
        parent.append(child)  # moves the child with its tail


def append_text(parent: etree._Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def plain(markup: str) -> str:
    """The text an HTML fragment shows, whitespace collapsed."""
    if not markup or not markup.strip():
        return ""
    return SPACES.sub(" ", _fragment(markup).text_content()).strip()


def option_text(markup: str) -> str:
    """A dropdown option: plain text, straight apostrophes made typographic (see the module doc)."""
    return plain(markup).replace("'", "\u2019")


def excerpt(text: str, length: int = TITLE_LENGTH) -> str:
    if len(text) <= length:
        return text
    cut = text[:length - 1].rsplit(" ", 1)[0] if " " in text[:length - 1] else text[:length - 1]
    return cut.rstrip(" ,;:.") + "…"


def number(value: float) -> str:
    """A number as capa's calculator reads it: ``12``, ``82.5``, ``1e-05``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def sub(parent: etree._Element, tag: str, text: str = "", **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attributes.items()})
    if text:
        element.text = text
    return element


def layout(element: etree._Element, level: int = 0) -> None:
    """Indent capa's structure for a reader of the XML; HTML content is left untouched."""
    if element.tag not in LAYOUT or not len(element) or (element.text or "").strip():
        return
    inner = "\n" + "  " * (level + 1)
    element.text = inner
    for child in element:
        layout(child, level + 1)
        if not (child.tail or "").strip():
            child.tail = inner
    element[-1].tail = "\n" + "  " * level


# --- problems ---------------------------------------------------------------------------------

class ProblemWriter:
    """Writes one presented item as a capa problem, with the software's words in the course language."""

    def __init__(self, words: Callable[[str], str]) -> None:
        self.t = words

    def problem(self, item: PresentedItem) -> bytes:
        root = etree.Element("problem")
        attempts = getattr(self, item.type.replace("-", "_"))(root, item.view, item.key)
        title = excerpt(plain(item.view.prompt.replace(BLANK_HTML, " … "))) or item.id
        for name, value in (("display_name", title), ("max_attempts", str(attempts)),
                            ("showanswer", "finished"), ("weight", "1")):
            root.set(name, value)
        layout(root)
        return etree.tostring(root, encoding="utf-8") + b"\n"

    # -- shared parts --

    def label(self, response: etree._Element, markup: str) -> None:
        append_html(sub(response, "label"), markup)

    def description(self, response: etree._Element, text: str) -> None:
        sub(response, "description", text)

    def solution(self, parent: etree._Element, sections: Iterable[tuple[str, str]]) -> None:
        """A ``<solution>`` with a titled section per non-empty (word, HTML) pair; none when all are empty."""
        sections = [(word, markup) for word, markup in sections if markup and markup.strip()]
        if not sections:
            return
        box = sub(sub(parent, "solution"), "div", class_="detailed-solution")
        for word, markup in sections:
            sub(sub(box, "p"), "strong", self.t(word))
            append_html(box, markup)

    def choices(self, root: etree._Element, response_tag: str, group_tag: str, prompt: str, instruction: str,
                texts: Sequence[str], correct: Sequence[bool], hints: Sequence[str],
                sections: Iterable[tuple[str, str]], checkbox: bool = False) -> etree._Element:
        response = sub(root, response_tag)
        self.label(response, prompt)
        self.description(response, instruction)
        group = sub(response, group_tag, **({} if checkbox else {"type": "MultipleChoice"}))
        for text, right, hint in zip(texts, correct, hints):
            choice = sub(group, "choice", correct="true" if right else "false")
            append_html(choice, text)
            if hint and hint.strip():
                append_html(sub(choice, "choicehint", **({"selected": "true"} if checkbox else {})), hint)
        self.solution(response, sections)
        return response

    @staticmethod
    def choice_attempts(count: int) -> int:
        return 1 if count <= 2 else 2

    # -- one method per item type --

    def single(self, root: etree._Element, view: ChoiceView, key: ChoiceKey) -> int:
        self.choices(root, "multiplechoiceresponse", "choicegroup", view.prompt, self.t("Une seule bonne réponse."),
                     view.choices, [i in key.correct for i in range(len(view.choices))], key.feedback,
                     [("Pourquoi", key.explanation)])
        return self.choice_attempts(len(view.choices))

    def multiple(self, root: etree._Element, view: ChoiceView, key: ChoiceKey) -> int:
        self.choices(root, "choiceresponse", "checkboxgroup", view.prompt,
                     self.t("Plusieurs bonnes réponses possibles."), view.choices,
                     [i in key.correct for i in range(len(view.choices))], key.feedback,
                     [("Pourquoi", key.explanation)], checkbox=True)
        return 2

    def true_false(self, root: etree._Element, view: TrueFalseView, key: TrueFalseKey) -> int:
        self.choices(root, "multiplechoiceresponse", "choicegroup", view.prompt, self.t("Vrai ou faux ?"),
                     (self.t("Vrai"), self.t("Faux")), (key.answer, not key.answer),
                     (key.feedback["true"], key.feedback["false"]), [("Pourquoi", key.explanation)])
        return 1

    def fill_in(self, root: etree._Element, view: FillInView, key: FillInKey) -> int:
        accepted = list(dict.fromkeys(a for answer in key.answers
                                      for a in (answer, answer.replace("'", "\u2019"))))
        response = sub(root, "stringresponse", answer=accepted[0], type="ci")
        self.label(response, view.prompt.replace(BLANK_HTML, BLANK_SHOWN))
        for answer in accepted[1:]:
            sub(response, "additional_answer", answer=answer)
        if key.feedback["correct"].strip():
            append_html(sub(response, "correcthint"), key.feedback["correct"])
        sub(response, "textline", size="40")
        self.solution(response, [("Si vous vous êtes trompé", key.feedback["incorrect"]),
                                 ("Pourquoi", key.explanation)])
        return 3

    def numeric(self, root: etree._Element, view: NumericView, key: NumericKey) -> int:
        response = sub(root, "numericalresponse", answer=number(key.answer))
        self.label(response, view.prompt)
        instruction = self.t("Répondez par un nombre.")
        self.description(response, f"{instruction} ({view.unit})" if view.unit else instruction)
        sub(response, "responseparam", type="tolerance", default=number(key.tolerance))
        sub(response, "formulaequationinput")
        self.solution(response, [("Pourquoi", key.feedback["correct"] + key.explanation),
                                 ("Si vous vous êtes trompé", key.feedback["incorrect"])])
        return 3

    def dropdowns(self, root: etree._Element, prompt: str, instruction: str, labels: Sequence[str],
                  options: Sequence[str], right: Sequence[int], feedback: dict, explanation: str) -> int:
        """One optionresponse per label, each offering ``options`` with ``right[i]`` correct."""
        shown = [option_text(o) for o in options]
        if len(set(shown)) != len(shown):
            raise ValueError(f"two options read the same once shown as plain text: {shown}")
        prompt_box = sub(root, "div", class_="comptoir-prompt")
        append_html(prompt_box, prompt)
        sub(root, "p", instruction)
        for label, answer in zip(labels, right):
            response = sub(root, "optionresponse")
            append_html(sub(response, "label"), label)
            select = sub(response, "optioninput")
            for position, text in enumerate(shown):
                sub(select, "option", text, correct="True" if position == answer else "False")
        self.solution(root, [("Pourquoi", feedback["correct"] + explanation),
                             ("Si vous vous êtes trompé", feedback["incorrect"])])
        return 2

    def matching(self, root: etree._Element, view: MatchingView, key: MatchingKey) -> int:
        return self.dropdowns(root, view.prompt, self.t("Associez chaque élément à sa correspondance."), view.left,
                              view.right, key.pairs, key.feedback, key.explanation)

    def sequencing(self, root: etree._Element, view: SequencingView, key: SequencingKey) -> int:
        return self.dropdowns(root, view.prompt, self.t("Remettez les étapes dans l'ordre."),
                              [f"{n}." for n in range(1, len(key.order) + 1)], view.steps, key.order,
                              key.feedback, key.explanation)

    def scenario(self, root: etree._Element, view: ScenarioView, key: ScenarioKey) -> int:
        start = view.start
        node = view.nodes[start]
        self.choices(root, "multiplechoiceresponse", "choicegroup", view.prompt + node.text,
                     self.t("Que faites-vous ?"), node.choices, key.best[start], key.feedback[start],
                     [("Le meilleur parcours", self.best_path(view, key)), ("Pourquoi", key.explanation)])
        return self.choice_attempts(len(node.choices))

    def best_path(self, view: ScenarioView, key: ScenarioKey) -> str:
        """The best moves from the start to an end node, each with what follows, as an ordered list."""
        steps, at = [], view.start
        while key.outcome[at] is None:
            choice = key.best[at].index(True)
            said = "" if at == view.start else view.nodes[at].text
            steps.append(f"<li>{said}<p><strong>{view.nodes[at].choices[choice]}</strong></p>"
                         f"<p>{key.feedback[at][choice]}</p></li>")
            at = key.next[at][choice]
        outcome = html_lib.escape(self.t(OUTCOME_LABEL[key.outcome[at]]))
        steps.append(f"<li><p><strong>{outcome}</strong></p>{view.nodes[at].text}</li>")
        return f"<ol>{''.join(steps)}</ol>"
