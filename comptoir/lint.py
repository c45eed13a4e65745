"""Item-writing linter: warnings for items a learner can answer without the knowledge they test.

Pure functions over the model (no file is read here): :func:`lint_content` appends warnings to a
:class:`~comptoir.diagnostics.Report`, never errors. Each rule has its own code; every threshold is a
module constant below, justified in docs/diagnostics.md ("Item-writing warnings"), after Haladyna,
Downing & Rodriguez (2002) and Haladyna & Rodriguez (2013).

An author acknowledges an item-level warning in the item itself::

    lint-ignore: [key-longest]
    lint-reason: "Le distracteur court est volontairement lapidaire : c'est l'erreur typique."

The ignore takes effect only with a reason; without one, ``lint-ignore-reason`` is reported and the
warning stays.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache

from .diagnostics import Report
from .model import (Content, FillIn, Item, KeyPoint, Lesson, Matching, Prose, Scenario, Sequencing, SingleChoice,
                    TrueFalse)
from .resolve import resolve

# --- thresholds (justified in docs/diagnostics.md, "Item-writing warnings") -------------------------

#: key-longest: a key is "conspicuously" the longest when it is both this many times as long as the
#: longest distractor and this many characters longer (visible characters, spaces collapsed).
KEY_LONGEST_RATIO = 1.25
KEY_LONGEST_MIN_EXTRA = 15

#: true-false-balance: share of true-false items keyed « Vrai » accepted in a course, and the fewest
#: true-false items a course needs before the share is judged.
TRUE_SHARE_RANGE = (0.40, 0.60)
TRUE_FALSE_MIN_ITEMS = 5

#: option-duplicate: two options are near-duplicates at this difflib ratio (or more) of their
#: normalised texts, unless they differ in a number.
DUPLICATE_RATIO = 0.9

#: stem-echo: a content word has at least this many letters (accents folded) and is no stopword.
ECHO_MIN_LETTERS = 5

#: pair-echo: a matching item is reported from this many pairs whose two sides share a word that
#: no other right side shares (with 3–5 pairs, two given away leave the rest to elimination).
PAIR_ECHO_MIN = 2

#: lesson-minutes: silent reading speed of instructional French (words per minute), minutes per item
#: by type (reading, answering and reading the feedback), minutes per decision of a scenario (on its
#: longest path), and the band of declared/estimated outside which the lesson is reported.
READING_WPM = 180
ITEM_MINUTES = {"true-false": 0.5, "single": 1.0, "multiple": 1.5, "fill-in": 0.75, "numeric": 1.0,
                "matching": 1.5, "sequencing": 1.5}
SCENARIO_MINUTES_PER_DECISION = 1.0
MINUTES_RATIO_RANGE = (0.6, 1.8)
MINUTES_MIN_GAP = 1.0  # and at least this far apart, so rounding to whole minutes is never flagged

#: Hedging qualifiers (folded: lower case, no accents). The right answer of a careless item is often
#: the only carefully qualified one.
HEDGES = ("generalement", "en general", "en regle generale", "souvent", "en principe", "peut-etre", "il se peut",
          "il est possible", "parfois", "selon", "si necessaire", "si besoin", "le cas echeant",
          "dans la mesure du possible", "habituellement", "normalement", "la plupart", "eventuellement",
          "dans certains cas", "il arrive que")

#: Absolute words ("specific determiners"), folded. « non seulement » is not an absolute.
ABSOLUTES = ("toujours", "jamais", "aucun", "aucune", "aucuns", "aucunes", "tous", "toutes", "systematiquement",
             "uniquement", "seulement", "exclusivement", "sans exception")

#: French function words of five letters or more, folded: they never make a stem echo.
STOPWORDS = frozenset("""
    apres aupres aussi autant autre autres avant avoir avons avait avaient avec celle celles celui cette ceux
    chaque comme comment contre dans depuis devant devez devrait doivent donc dont duquel elles encore entre
    etaient etait etant etes faire faites leurs lequel laquelle lesquels lesquelles lorsque lorsqu mieux moins
    notre nous parce parmi pendant peuvent plusieurs pourquoi pouvez puisque quand quelle quelles quels
    quelque quelques quelqu selon serait seront sinon sous toute toutes votre vous ainsi alors memes
    suivant suivante suivantes suivants convient reponse reponses affirmation affirmations proposition
    propositions phrase phrases correct correcte correctes exact exacte laquelle auquel desquels dessous dessus
    voici voila tandis jusqu jusque plutot tres
    """.split())

#: Codes an item's ``lint-ignore`` may name (the course- and lesson-level ones cannot be ignored there).
ITEM_CODES = ("key-longest", "key-qualified", "absolute-in-key", "stem-echo", "fill-in-single", "option-duplicate",
              "pair-echo")
CODES = ITEM_CODES + ("true-false-balance", "lesson-minutes", "lint-ignore-reason", "lint-ignore-unknown")

_IGNORE_HINT = "or, if it is deliberate, add 'lint-ignore: [{code}]' and 'lint-reason: \"…\"' to the item"


# --- text helpers -----------------------------------------------------------------------------------

@cache
def fold(text: str) -> str:
    """Lower case, accents removed, typographic apostrophes straightened: for comparing words.
    Cached: every option is folded by several rules."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'")).casefold()
    return "".join(c for c in text if not unicodedata.combining(c))


def visible(text: str) -> str:
    """The option as a learner sees it, near enough: Markdown emphasis marks dropped, spaces collapsed."""
    return " ".join(re.sub(r"[*_`]", "", text).split())


def words(text: str) -> list[str]:
    """Words of a text (« l'agent » is one word; numbers count)."""
    return re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", text)


def _phrase_re(phrases: Iterable[str]) -> re.Pattern:
    alternatives = sorted((re.escape(p).replace(r"\ ", r"\s+") for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")


_HEDGE_RE = _phrase_re(HEDGES)
_ABSOLUTE_RE = _phrase_re(ABSOLUTES)
_NOT_ONLY_RE = re.compile(r"non\s+seulement")
_QUOTED_RE = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")


def claims(text: str) -> str:
    """The option's own wording, folded, without quoted speech: « Il peut venir samedi ? » qualifies
    nothing, it is what the customer says."""
    return fold(_QUOTED_RE.sub(" ", text))


def hedges(text: str) -> list[str]:
    return _HEDGE_RE.findall(claims(text))


def absolutes(text: str) -> list[str]:
    return _ABSOLUTE_RE.findall(_NOT_ONLY_RE.sub(" ", claims(text)))


def content_words(text: str) -> dict[str, str]:
    """Non-stopwords of at least ECHO_MIN_LETTERS letters, folded, keyed by their form without a final
    plural s/x (so « tarif » echoes « tarifs »), each with the word as found (folded)."""
    found: dict[str, str] = {}
    for word in re.findall(r"[^\W\d_]+", fold(text)):
        if len(word) >= ECHO_MIN_LETTERS and word not in STOPWORDS:
            found.setdefault(word[:-1] if word[-1] in "sx" and len(word) > ECHO_MIN_LETTERS else word, word)
    return found


def normalised(text: str) -> str:
    """Text for duplicate detection: folded, punctuation and quotes dropped, spaces collapsed."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", fold(visible(text))).split())


def near_duplicates(a: str, b: str) -> bool:
    na, nb = normalised(a), normalised(b)
    if na == nb:
        return True
    if re.findall(r"\d+", na) != re.findall(r"\d+", nb):
        return False  # « 260 francs » / « 290 francs »: numeric distractors are meant to differ by little
    matcher = difflib.SequenceMatcher(None, na, nb, autojunk=False)
    # The two quick ratios are upper bounds of ratio(): most pairs are ruled out without the
    # quadratic matching (lint runs on every check).
    return (matcher.real_quick_ratio() >= DUPLICATE_RATIO and matcher.quick_ratio() >= DUPLICATE_RATIO
            and matcher.ratio() >= DUPLICATE_RATIO)


def _quote(text: str, limit: int = 60) -> str:
    text = visible(text)
    return f"« {text[:limit - 1]}… »" if len(text) > limit else f"« {text} »"


# --- item rules -------------------------------------------------------------------------------------

Finding = tuple[str, str, str]  # code, message, hint


def _cued(item: SingleChoice, cue) -> list:
    """Choices bearing a cue, when they are exactly the correct ones: picking (for a multiple-choice
    item: ticking) the cued options then scores full marks without the knowledge."""
    cued = [c for c in item.choices if cue(c)]
    return cued if cued and {c.id for c in cued} == {c.id for c in item.choices if c.correct} else []


def _ids(choices) -> str:
    return ("the correct choice " if len(choices) == 1 else "the correct choices ") + \
        ", ".join(f"'{c.id}'" for c in choices)


def _key_longest(item: SingleChoice) -> Iterator[Finding]:
    keys = [c for c in item.choices if c.correct]
    distractors = [c for c in item.choices if not c.correct]
    if not keys or not distractors:
        return
    # single: the key against the longest distractor; multiple: the shortest key (every key is longer)
    key = min(keys, key=lambda c: len(visible(c.text)))
    longest = max(len(visible(c.text)) for c in distractors)
    length = len(visible(key.text))
    if length >= KEY_LONGEST_RATIO * longest and length - longest >= KEY_LONGEST_MIN_EXTRA:
        which = _ids(keys)
        yield ("key-longest",
               f"item '{item.id}': {which} {'is' if len(keys) == 1 else 'are'} longer by far than any distractor "
               f"({length} characters{'' if len(keys) == 1 else ' at least'}, the longest distractor {longest}); "
               f"{'picking the longest option' if len(keys) == 1 else 'ticking the long options'} is right",
               f"shorten {which} (move the detail to the feedback) or make the distractors as specific and as "
               f"long, {_IGNORE_HINT.format(code='key-longest')}")


def _key_qualified(item: SingleChoice) -> Iterator[Finding]:
    hedged = _cued(item, lambda c: hedges(c.text))
    if hedged:
        found = sorted({h for c in hedged for h in hedges(c.text)})
        yield ("key-qualified",
               f"item '{item.id}': only {_ids(hedged)} {'is' if len(hedged) == 1 else 'are'} qualified "
               f"({', '.join(found)}); the nuanced option looks right to a test-wise learner",
               "qualify a distractor as carefully, or state the key plainly, "
               + _IGNORE_HINT.format(code="key-qualified"))


def _absolute_in_key(item: SingleChoice) -> Iterator[Finding]:
    keys = [c for c in item.choices if c.correct and absolutes(c.text)]
    if not keys or all(absolutes(c.text) for c in item.choices):
        return  # none in the keys, or in every option alike: no cue
    found = sorted({a for c in keys for a in absolutes(c.text)})
    yield ("absolute-in-key",
           f"item '{item.id}': {_ids(keys)} {'holds' if len(keys) == 1 else 'hold'} an absolute "
           f"({', '.join(found)}); test-wise learners reject absolutes, and a rule without exception is rarely "
           "true at the counter",
           "say when the key applies instead of « toujours »/« jamais », or put the absolute in a distractor "
           "as well, " + _IGNORE_HINT.format(code="absolute-in-key"))


def _stem_echo(item: SingleChoice) -> Iterator[Finding]:
    stem = content_words(item.prompt)
    echoes = {c.id: sorted(stem[key] for key in stem.keys() & content_words(c.text).keys()) for c in item.choices}
    echoing = _cued(item, lambda c: echoes[c.id])
    if echoing:
        shared = sorted({w for c in echoing for w in echoes[c.id]})
        yield ("stem-echo",
               f"item '{item.id}': only {_ids(echoing)} {'repeats' if len(echoing) == 1 else 'repeat'} words of "
               f"the prompt ({', '.join(shared)}); the shared words point to the answer",
               "reword the key, or let a distractor use the prompt's words too, "
               + _IGNORE_HINT.format(code="stem-echo"))


def _pair_echo(item: Matching) -> Iterator[Finding]:
    """Pairs whose two sides share a word that no other right side shares with that left side: the
    word, not the knowledge, makes the match (« PET » ↔ « bouteilles en PET »). One such pair is a
    coincidence; from PAIR_ECHO_MIN on, the rest follow by elimination."""
    lefts = {p.id: content_words(p.left) for p in item.pairs}
    rights = {p.id: content_words(p.right) for p in item.pairs}
    given = {}
    for pair in item.pairs:
        shared = lefts[pair.id].keys() & rights[pair.id].keys()
        unique = {w for w in shared if not any(w in rights[o.id] for o in item.pairs if o.id != pair.id)}
        if unique:
            given[pair.id] = sorted(lefts[pair.id][w] for w in unique)
    if len(given) >= PAIR_ECHO_MIN:
        shown = "; ".join(f"'{pid}' ({', '.join(words)})" for pid, words in given.items())
        yield ("pair-echo",
               f"item '{item.id}': {len(given)} of {len(item.pairs)} pairs repeat a word on both sides "
               f"({shown}); a learner matches them by the word",
               "reword one side so the match needs the knowledge (a situation, an example, a consequence "
               "rather than the name), " + _IGNORE_HINT.format(code="pair-echo"))


def _option_duplicates(item: Item, options: list[tuple[str, str]], what: str) -> Iterator[Finding]:
    for i, (id_a, text_a) in enumerate(options):
        for id_b, text_b in options[i + 1:]:
            if text_a != text_b and near_duplicates(text_a, text_b):  # identical texts are reader errors
                yield ("option-duplicate",
                       f"item '{item.id}': {what} '{id_a}' and '{id_b}' say nearly the same thing "
                       f"({_quote(text_a)} / {_quote(text_b)})",
                       "make each option a distinct idea (a learner can eliminate twins), "
                       + _IGNORE_HINT.format(code="option-duplicate"))


def _fill_in_single(item: FillIn) -> Iterator[Finding]:
    # the fill-in matching policy (docs/markup.md): NFC, spaces collapsed, case ignored, ’ = '; accents count
    accepted = {" ".join(unicodedata.normalize("NFC", a).replace("’", "'").casefold().split()) for a in item.answers}
    if len(accepted) != 1:
        return
    if item.strict and item.strict_reason:
        return
    why = ("'strict: true' needs a 'strict-reason:'" if item.strict
           else "a correct synonym or variant will be marked wrong")
    yield ("fill-in-single",
           f"item '{item.id}': the fill-in accepts a single answer ({_quote(item.answers[0])}); {why}",
           "list the synonyms and spelling variants a learner who knows would write in 'answers:', "
           "or, if only that word is right, add 'strict: true' and 'strict-reason: \"…\"'")


def item_findings(item: Item) -> list[Finding]:
    """Every item-level warning of one item, before its ``lint-ignore`` is applied."""
    found: list[Finding] = []
    if isinstance(item, SingleChoice):  # single and multiple
        for rule in (_key_longest, _key_qualified, _absolute_in_key, _stem_echo):
            found.extend(rule(item))
        found.extend(_option_duplicates(item, [(c.id, c.text) for c in item.choices], "choices"))
    elif isinstance(item, FillIn):
        found.extend(_fill_in_single(item))
    elif isinstance(item, Sequencing):
        found.extend(_option_duplicates(item, [(s.id, s.text) for s in item.steps], "steps"))
    elif isinstance(item, Matching):
        found.extend(_pair_echo(item))
        found.extend(_option_duplicates(item, [(p.id, p.left) for p in item.pairs], "the left sides of pairs"))
        found.extend(_option_duplicates(item, [(p.id, p.right) for p in item.pairs], "the right sides of pairs"))
    return found


def lint_item(item: Item, path, report: Report) -> None:
    ignored = set(item.lint_ignore)
    for code in item.lint_ignore:
        if code not in ITEM_CODES:
            report.warning(path, item.line, "lint-ignore-unknown",
                           f"item '{item.id}': lint-ignore names '{code}', which is no item-level warning",
                           f"use one of: {', '.join(ITEM_CODES)}")
    if ignored and not item.lint_reason:
        report.warning(path, item.line, "lint-ignore-reason",
                       f"item '{item.id}': 'lint-ignore' without 'lint-reason'; the warnings stay",
                       "say in 'lint-reason: \"…\"' why the item is right as it is (a reviewer reads it)")
    elif item.lint_reason and not ignored:
        report.warning(path, item.line, "lint-ignore-reason",
                       f"item '{item.id}': 'lint-reason' without 'lint-ignore'",
                       "name the acknowledged warnings in 'lint-ignore: [code, …]', or remove the reason")
    for code, message, hint in item_findings(item):
        if code in ignored and item.lint_reason:
            continue
        report.warning(path, item.line, code, message, hint)


# --- lesson and course rules --------------------------------------------------------------------------

def _longest_path(item: Scenario) -> int:
    """Decisions on the longest path from the start (the graph is acyclic, checked by the reader)."""
    nodes = {n.id: n for n in item.nodes}
    memo: dict[str, int] = {}

    def depth(node_id: str) -> int:
        if node_id not in memo:
            node = nodes.get(node_id)
            memo[node_id] = 0 if node is None or node.is_end else 1 + max(
                (depth(c.next) for c in node.choices), default=0)
        return memo[node_id]

    return depth(item.start)


def lesson_word_count(lesson: Lesson) -> int:
    return sum(len(words(b.markdown)) for b in lesson.blocks if isinstance(b, (Prose, KeyPoint)))


def item_minutes(item: Item) -> float:
    if isinstance(item, Scenario):
        return SCENARIO_MINUTES_PER_DECISION * _longest_path(item)
    return ITEM_MINUTES.get(item.type, 1.0)


def estimated_minutes(lesson: Lesson) -> float:
    """Reading time of the prose and key points at READING_WPM, plus each item's time."""
    return lesson_word_count(lesson) / READING_WPM + sum(item_minutes(i) for i in lesson.items)


def lint_lesson(lesson: Lesson, report: Report) -> None:
    for item in lesson.items:
        lint_item(item, lesson.path, report)
    estimate = estimated_minutes(lesson)
    low, high = MINUTES_RATIO_RANGE
    declared = lesson.minutes
    if estimate > 0 and abs(declared - estimate) >= MINUTES_MIN_GAP \
            and not low * estimate <= declared <= high * estimate:
        words_ = lesson_word_count(lesson)
        way = "under" if declared < estimate else "over"
        report.warning(lesson.path, 1, "lesson-minutes",
                       f"lesson '{lesson.id}' declares 'minutes: {declared}' but takes about {estimate:.0f} min "
                       f"({words_} words at {READING_WPM} words/min and {len(lesson.items)} item(s)); "
                       f"the declared time is {way}stated",
                       f"set 'minutes: {max(1, round(estimate))}' in the front matter, or "
                       + ("cut the lesson in two" if declared < estimate else "check that nothing is missing"))


def true_share(items: Iterable[Item]) -> tuple[int, int]:
    """(true-false items keyed true, true-false items)."""
    answers = [i.answer for i in items if isinstance(i, TrueFalse)]
    return sum(answers), len(answers)


def lint_courses(content: Content, report: Report) -> None:
    low, high = TRUE_SHARE_RANGE
    for course in content.courses.values():
        if course.framework not in content.frameworks:
            continue  # reported by the checks
        true, total = true_share(resolve(content, course.id).items)
        if total < TRUE_FALSE_MIN_ITEMS or low <= true / total <= high:
            continue
        keyed = "true" if true / total > high else "false"
        report.warning(course.path, 1, "true-false-balance",
                       f"course '{course.id}': {true} of its {total} true-false items are keyed true "
                       f"({100 * true / total:.0f} %, outside {100 * low:.0f}–{100 * high:.0f} %); answering "
                       f"'{keyed}' to every one scores {100 * max(true, total - true) / total:.0f} %",
                       f"rewrite some statements keyed {keyed} so that the opposite is the right answer "
                       "(negate them, or turn a misconception into a correct statement)")


def lint_content(content: Content, report: Report) -> None:
    """Every item-writing warning of a content tree (warnings only; see docs/diagnostics.md)."""
    for lesson in content.lessons.values():
        lint_lesson(lesson, report)
    lint_courses(content, report)
