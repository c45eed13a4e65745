"""Nothing French where it should not be (issue 14): the Italian and English artifacts speak Italian
and English.

Every IT and EN artifact of the player targets (``web``: the player's page and the course bundle it
shows, all the learner-facing text the SCORM packages also carry) and of ``anki`` (the notes' fields,
deck names and descriptions, card templates, read from the collection's SQLite) is built for every
course with that locale. Its learner-facing text is cut into *blocks* (an HTML paragraph, list item,
table cell or heading, a choice, a step, a feedback, a title) with the HTML stripped, and each block
of at least :data:`MIN_WORDS` words goes through a language identifier restricted to French, Italian
and English (``lingua-language-detector``: statistical models shipped inside the wheel, no download,
made for short texts). A block identified as French is a failure, except:

- text inside an element with a French ``lang`` attribute: a deliberate quotation or an official
  French title is written ``<q lang="fr">…</q>`` (or ``<span lang="fr">…</span>``) in the
  translation, which also tells screen readers to read it in French;
- a block listed in ``tests/data/french_allowed.txt`` (proper nouns, titles shown in French as such;
  each line a block as it is shown, or ``re:`` and a regular expression the whole block matches,
  under a ``#`` comment that says why).

Texts whose translation is missing or fuzzy fall back to French: they are exactly what this test
catches. A (course, locale) whose catalog is incomplete today (counted here as ``comptoir i18n
stats`` and the build do: texts that fell back) is marked ``xfail(strict=True)`` in
:data:`INCOMPLETE`: it still runs and reports its French blocks, and once its translation is complete
and no French is left it passes, which fails the run until the mark is removed.
"""
from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import warnings
import zipfile
from functools import cache
from pathlib import Path

import pytest
from lxml import html as lxml_html

from comptoir.build import Request, build
from comptoir.diagnostics import Report
from comptoir.i18n import localise
from comptoir.project import load_content, locales_dir
from comptoir.resolve import resolve

from .conftest import CONTENT

LANGUAGES = ("it", "en")
TARGETS = ("web", "anki")
MIN_WORDS = 6
ALLOWED = Path(__file__).parent / "data" / "french_allowed.txt"

#: (course, locale) pairs whose catalog is incomplete today: texts fall back to French. Remove a pair
#: once its translation is complete (its test then passes and, strict, fails the run as a reminder).
INCOMPLETE: set[tuple[str, str]] = set()  # every course is complete in every language

_BLOCK_TAGS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "blockquote", "figcaption",
               "caption", "pre", "div", "tr", "table", "ul", "ol", "section", "summary", "label", "button", "option"}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


# --- the artifacts --------------------------------------------------------------------------

@cache
def content():
    report = Report(CONTENT.parent)
    loaded = load_content(CONTENT, report)
    assert not report.errors, [d.format() for d in report.errors]
    return loaded


def cases() -> list[tuple[str, str]]:
    return [(course.id, language) for course in sorted(content().courses.values(), key=lambda c: c.id)
            for language in LANGUAGES if language in course.locales]


@cache
def built() -> Path:
    """Every IT and EN web and anki artifact of every course, built once per test session."""
    out = Path(tempfile.mkdtemp(prefix="comptoir-langid-")) / "dist"
    build(content(), out, Request(TARGETS, LANGUAGES), Report(CONTENT.parent))
    return out


@cache
def fallbacks(course: str, language: str) -> int:
    """How many of the course's texts have no current ``language`` translation (missing or fuzzy)."""
    _, missing = localise(resolve(content(), course), language, locales_dir(content()))
    return sum(missing.values())


# --- learner-facing text, in blocks -----------------------------------------------------------

def html_blocks(fragment: str) -> list[str]:
    """The text of an HTML fragment, one string per block element (paragraph, list item, table
    cell, heading, line break), tags stripped; elements with a French ``lang`` attribute (a
    deliberate quotation) and choice marks (``<span class="mark">A</span>``) left out. Line breaks of the source inside a paragraph are spaces."""
    if not fragment or not fragment.strip():
        return []
    if "<" not in fragment:
        return [" ".join(fragment.split())]
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        element.text = element.text and element.text.replace("\n", " ")
        element.tail = element.tail and element.tail.replace("\n", " ")
        if (element.get("lang") or "").lower().startswith("fr") or "mark" in (element.get("class") or "").split():
            tail = element.tail
            element.clear()
            element.tail = tail
        elif element.tag == "br" or element.tag in _BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
        else:  # inline elements end a word
            element.tail = " " + (element.tail or "")
    return [" ".join(line.split()) for line in root.text_content().split("\n") if line.strip()]


#: What a block says apart from names: proper nouns (capitalised words that do not start a sentence
#: or a quotation) and French street addresses (« 14 rue des Amandiers », « Chemin des Vignes 12 »)
#: are taken out before the words are counted and the language identified, so a sentence naming
#: « Énergie Trois-Lacs SA » in Lausanne is read for its own words.
_SENTENCE_START = re.compile(r"(?:^|[.!?:;…«“\"(—–-]\s*)$")
_NAME = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_ADDRESS = re.compile(r"\b\d+[a-z]?,?\s+(?:rue|quai|cours|avenue|boulevard|bd|chemin|place|allée|impasse|route|"
                      r"voie|square|passage|rempart)\b(?:\s+(?:de la|de l'|du|des|de|d'|la|le|les))?", re.I)


def without_names(block: str) -> str:
    block = _ADDRESS.sub(" ", block)
    out, last = [], 0
    for match in _NAME.finditer(block):
        word = match.group(0)
        before = block[last:match.start()]
        out.append(before)
        starts = _SENTENCE_START.search("".join(out).rstrip(" ") + " ".strip()) is not None
        if word[0].isupper() and not starts:
            out.append(" ")
        else:
            out.append(word)
        last = match.end()
    out.append(block[last:])
    return " ".join("".join(out).split())


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def web_texts(path: Path) -> list[tuple[str, str]]:
    """(where, HTML or text) of everything the player shows from ``index.html``: the page's own
    words, the course, its competencies, lessons, items (view and key: feedback, explanation,
    accepted answers) and the player's words (``ui``). Ids, refs and the engine's data are not text."""
    with zipfile.ZipFile(path) as archive:
        page = archive.read("index.html").decode("utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="comptoir-course">(.*?)</script>', page,
                                re.S).group(1))
    shell = re.sub(r'<script type="application/json" id="comptoir-course">.*?</script>', "", page, flags=re.S)
    texts = [("page", shell)]
    course = data["course"]
    texts += [("course/title", course["title"]), ("course/description", course["description"])]
    for unit in data["competencies"]:
        texts += [(f"competency {unit['ref']}", unit["title"]), (f"competency {unit['ref']}", unit["domainTitle"])]
    for lesson in data["lessons"]:
        texts.append((f"{lesson['id']}/title", lesson["title"]))
        texts += [(lesson["id"], block["html"]) for block in lesson["blocks"] if block.get("html")]
    for item in data["items"]:
        for part in ("view", "key"):
            texts += [(f"{item['id']}/{part}", s) for s in _strings(item[part])]
    texts += [("ui", s) for s in _strings(data["ui"])]
    return texts


def anki_texts(path: Path) -> list[tuple[str, str]]:
    """(where, HTML) of every note field but the last (the note's source id), every deck's name and
    description and every card template's text (``{{Field}}`` references dropped)."""
    with zipfile.ZipFile(path) as archive:
        name = "collection.anki21" if "collection.anki21" in archive.namelist() else "collection.anki2"
        data = archive.read(name)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / name
        db.write_bytes(data)
        with sqlite3.connect(db) as connection:
            notes = connection.execute("select flds from notes order by id").fetchall()
            decks_json, models_json = connection.execute("select decks, models from col").fetchone()
    texts = []
    for (fields,) in notes:
        *shown, source_id = fields.split("\x1f")
        texts += [(source_id, field) for field in shown]
    for deck in json.loads(decks_json).values():
        texts += [("deck", deck.get("name", "")), ("deck", deck.get("desc", ""))]
    for model in json.loads(models_json).values():
        for template in model.get("tmpls", ()):
            for side in ("qfmt", "afmt"):
                texts.append((f"template {model.get('name')}", re.sub(r"\{\{[^}]*\}\}", " ", template[side])))
    return texts


def blocks(course: str, language: str) -> list[tuple[str, str, str]]:
    """(target, where, block) of every block of the course's artifacts in ``language``."""
    out = []
    for target, reader, ext in (("web", web_texts, "zip"), ("anki", anki_texts, "apkg")):
        for where, text in reader(built() / target / f"{course}.{language}.{ext}"):
            out += [(target, where, block) for block in html_blocks(text)]
    return out


# --- the language identifier ------------------------------------------------------------------

@cache
def detector():
    lingua = pytest.importorskip("lingua", reason="pip install -e '.[test]' (lingua-language-detector)")
    return lingua.LanguageDetectorBuilder.from_languages(
        lingua.Language.FRENCH, lingua.Language.ITALIAN, lingua.Language.ENGLISH).build()


def confidences(text: str) -> dict[str, float]:
    values = detector().compute_language_confidence_values(text)
    names = {"FRENCH": "fr", "ITALIAN": "it", "ENGLISH": "en"}
    return {names[v.language.name]: v.value for v in values}


def language_of(text: str) -> str:
    found = confidences(text)
    return max(found, key=found.get)


#: Words that only one of the three languages uses, mostly articles, pronouns and prepositions
#: (words the languages share, « la », « le », « il », « in », « non », « qui », « si », « se »,
#: « sa », « un », « a », « s », « l », « d », « c », are in none).
FUNCTION_WORDS = {
    "fr": frozenset("les des du une et est sont vous nous je elle ils pour avec dans que ne pas au aux sur par ce "
                    "cette ces son ses votre vos notre nos mais ou où leur qu n j été être avez".split()),
    "it": frozenset("lo gli di del della dei delle che per con una uno sono è e ma o al alla nel nella questo "
                    "questa suo sua lei ci come da dal più ha hanno essere".split()),
    "en": frozenset("the and of to is are you your for with on at by or this that it be was has have will from "
                    "an as if not their they we our can what".split()),
}
#: From this confidence on, a block the identifier reads as French is French whatever its words.
#: Below it, it is French only if it also has more French function words than words of the
#: artifact's language: short English blocks holding a French title or name in parentheses
#: (« Additional qualification (mention complémentaire) in remote assistance ») score French up to
#: 0.79, while short French blocks left untranslated (« Envoyer un message d'attente bref au client
#: qui patiente ») may score as little as 0.71, so a threshold alone cannot tell them apart.
SURE = 0.9


def is_french(text: str, language: str) -> bool:
    """Whether ``text`` of an artifact in ``language`` is French (see :data:`SURE`)."""
    found = confidences(text)
    if max(found, key=found.get) != "fr":
        return False
    if found["fr"] >= SURE:
        return True
    words = re.findall(r"[^\W\d_]+", text.lower())
    return sum(w in FUNCTION_WORDS["fr"] for w in words) > sum(w in FUNCTION_WORDS[language] for w in words)


_LEADING_MARKS = re.compile(r"^(?:[✓✗]\s*|\d+\.\s+|[A-Z]\.\s+)+")


@cache
def allowed() -> tuple[frozenset[str], tuple[re.Pattern, ...], tuple[str, ...]]:
    """tests/data/french_allowed.txt: exact blocks, ``re:`` patterns, ``name:`` proper nouns."""
    exact, patterns, names = set(), [], []
    for line in ALLOWED.read_text(encoding="utf-8").splitlines() if ALLOWED.is_file() else ():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("re:"):
            patterns.append(re.compile(line[3:].strip()))
        elif line.startswith("name:"):
            names.append(line[5:].strip())
        else:
            exact.add(" ".join(line.split()))
    return frozenset(exact), tuple(patterns), tuple(sorted(names, key=len, reverse=True))


def is_allowed(block: str) -> bool:
    """Whether the block, less a leading choice mark, number or verdict (Anki's « 2. », « ✓ »), is
    listed as a whole in tests/data/french_allowed.txt."""
    exact, patterns, _ = allowed()
    shown = _LEADING_MARKS.sub("", block)
    return shown in exact or any(p.fullmatch(shown) for p in patterns)


def without_allowed_names(block: str) -> str:
    for name in allowed()[2]:
        block = block.replace(name, " ")
    return block


def french_blocks(course: str, language: str) -> list[tuple[str, str, str]]:
    """The blocks of at least MIN_WORDS words of the course's ``language`` artifacts identified as French."""
    found, seen = [], set()
    for target, where, block in blocks(course, language):
        words = without_names(without_allowed_names(block))
        if len(_WORD.findall(words)) < MIN_WORDS or is_allowed(block) or (target, block) in seen:
            continue
        seen.add((target, block))
        if is_french(words, language):
            found.append((target, where, block))
    return found


# --- the tests --------------------------------------------------------------------------------

def test_blocks_are_cut_at_block_elements_and_french_quotations_are_left_out():
    fragment = ('<p>Il cliente dice: <q lang="fr">Je voudrais résilier mon abonnement</q>, poi tace.</p>'
                "<ul><li>primo punto</li><li>secondo<br>punto</li></ul><table><tr><td>a</td><td>b</td></tr></table>")
    assert html_blocks(fragment) == ["Il cliente dice: , poi tace.", "primo punto", "secondo", "punto", "a", "b"]


@pytest.mark.parametrize("text, language", [
    ("Le client appelle parce que sa facture est plus élevée que d'habitude.", "fr"),
    ("Il cliente chiama perché la sua fattura è più alta del solito.", "it"),
    ("The customer calls because their bill is higher than usual.", "en"),
])
def test_the_identifier_tells_the_three_languages_apart(text, language):
    assert language_of(text) == language


@pytest.mark.parametrize("course, language", [
    pytest.param(c, lang, id=f"{c}-{lang}", marks=[pytest.mark.xfail(
        strict=True, reason=f"the {lang} catalog of {c} is incomplete: its missing and fuzzy texts show in "
                            "French (remove the pair from INCOMPLETE once it is complete)")]
                 if (c, lang) in INCOMPLETE else [])
    for c, lang in cases()])
def test_nothing_french_in_italian_and_english_artifacts(course, language):
    found = french_blocks(course, language)
    missing = fallbacks(course, language)
    listed = "\n".join(f"  [{target}] {where}: {block[:160]}" for target, where, block in found[:60])
    if found or missing:  # shown in the warnings summary, also while the pair is an expected failure
        warnings.warn(f"{course} [{language}]: {len(found)} French block(s) "
                      f"({sum(t == 'web' for t, _, _ in found)} web, {sum(t == 'anki' for t, _, _ in found)} anki), "
                      f"{missing} text(s) without a current translation", UserWarning, stacklevel=1)
    assert not found and not missing, (
        f"{course} [{language}]: {missing} text(s) without a current translation (comptoir check); "
        f"{len(found)} block(s) of {MIN_WORDS}+ words identified as French "
        f"({sum(t == 'web' for t, _, _ in found)} web, {sum(t == 'anki' for t, _, _ in found)} anki):\n{listed}"
        + ("\n  …" if len(found) > 60 else ""))


def test_the_incomplete_list_names_courses_that_exist():
    assert INCOMPLETE <= set(cases()), INCOMPLETE - set(cases())
