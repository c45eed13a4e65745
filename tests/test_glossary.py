"""The course catalogs follow docs/glossary.csv (issue 14).

For every glossary row and every catalog message whose French ``msgid`` contains the row's French
term (see :mod:`tests.glossary` for the matcher), the Italian and English translations must contain
one of the accepted renderings of the row for that term, and none of its listed calques. Only what a
learner sees is checked: fuzzy and untranslated messages fall back to French (test_language_id.py
catches those), and a framework unit is skipped in a language the framework is officially written
in (the Swiss ordinance's Italian is used as is).

When rows share a French term (« relance » commerciale and de paiement), the test cannot tell the
senses apart: a translation satisfies them if it holds a rendering of any of them.

A violation names its message by ``msgctxt``, followed for prose (whose msgctxt is the lesson id,
shared by the lesson's paragraphs) by ``#`` and the first 8 hex digits of the SHA-1 of its French
text, and its kind (``missing``: no accepted rendering; ``calque``: a listed calque is used). There
is no list of tolerated violations any more: the 745 known when this test was written were each
resolved, by the translation or by the glossary where it was the glossary that was wrong.
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache

import pytest
import yaml
from babel.messages.pofile import read_po

from .conftest import CONTENT, REPO
from .glossary import LANGS, Alternatives, normalise, read_glossary, term_pattern

GLOSSARY = REPO / "docs" / "glossary.csv"
LOCALES = REPO / "locales"


@dataclass(frozen=True)
class Violation:
    language: str
    message: str  # msgctxt, + '#sha1' for prose
    term: str  # the French term's label
    kind: str  # missing | calque
    expected: str
    found: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.language, self.message, self.term, self.kind

    def format(self) -> str:
        want = f"«{self.expected}»" if self.kind == "missing" else f"no calque «{self.expected}»"
        return f"[{self.language}] {self.message}: {self.term} → expected {want} found «{self.found}»"


def _snippet(text: str, at: int | None = None, width: int = 90) -> str:
    text = " ".join(text.split()) if at is None else text
    if at is None:
        return text if len(text) <= width else text[:width] + "…"
    start = max(0, at - width // 2)
    part = " ".join(text[start:start + width].split())
    return ("…" if start else "") + part + ("…" if start + width < len(text) else "")


@cache
def official_languages() -> dict[str, tuple[str, ...]]:
    """Framework id → the languages it is officially written in (its units' text is never translated)."""
    found = {}
    for path in (CONTENT / "frameworks").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[data.get("id", path.stem)] = tuple(data.get("languages", ()))
    return found


def shown_messages(language: str) -> list[tuple[str, str, str]]:
    """(name, French, translation) of every message a learner sees translated in ``language``."""
    with (LOCALES / language / "LC_MESSAGES" / "content.po").open("rb") as handle:
        catalog = read_po(handle, locale=language, domain="content")
    contexts = Counter(m.context for m in catalog if m.id)
    out = []
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        context = message.context or ""
        framework, colon, _ = context.partition(":")
        if colon and "/" not in context and language in official_languages().get(framework, ()):
            continue
        name = context
        if contexts[message.context] > 1:
            name += "#" + hashlib.sha1(message.id.encode("utf-8")).hexdigest()[:8]
        string = message.string if isinstance(message.string, str) else "\n".join(message.string)
        out.append((name, message.id, string))
    return out


@cache
def requirements():
    """Per French term (its alternatives as a key), the term and, per language, every accepted
    rendering from the rows that share it; and the calques per (term, language)."""
    accepted: dict = defaultdict(lambda: defaultdict(list))
    calques: dict = defaultdict(lambda: defaultdict(list))
    french: dict = {}
    for entry in read_glossary(GLOSSARY):
        for k, fr in enumerate(entry.fr):
            key = (tuple(normalise_term(t) for t in fr.terms), fr.exclusions)
            french.setdefault(key, fr)
            for language in LANGS:
                accepted[key][language].append(entry.targets[language][k])
                if language in entry.calques:
                    calques[key][language].append(entry.calques[language])
    return french, accepted, calques


def normalise_term(term: str) -> str:
    return " ".join(term.split("(")[0].split())


@cache
def violations() -> tuple[Violation, ...]:
    french, accepted, calques = requirements()
    found = []
    for language in LANGS:
        for name, source, string in shown_messages(language):
            fr_text, text = normalise(source), normalise(string)
            for key, fr in french.items():
                if fr.search(fr_text) is None:
                    continue
                options = accepted[key][language]
                if not any(option.search(text) for option in options):
                    found.append(Violation(language, name, fr.label, "missing",
                                           " | ".join(t for o in options for t in o.terms), _snippet(string)))
                for calque in calques[key][language]:
                    hit = calque.search(text)
                    if hit is not None:
                        found.append(Violation(language, name, fr.label, "calque", " | ".join(calque.terms),
                                               _snippet(text, hit.start())))
    return tuple(dict.fromkeys(found))


# --- the matcher, on the examples of its documentation ----------------------------------------

@pytest.mark.parametrize("term, language, text, hit", [
    ("appel entrant", "fr", "les appels entrants du lundi", True),
    ("chargé de clientèle", "fr", "deux chargées de clientèle", True),
    ("signal d'achat", "fr", "repérer les signaux d’achat", True),
    ("interlocuteur", "fr", "l'interlocuteur attend", True),
    ("interlocuteur", "fr", "ses interlocuteurs", True),
    ("enquête", "fr", "la personne enquêtée", False),  # accents are significant
    ("avoir", "fr", "avoirs", True),
    ("reformul*", "fr", "Reformulez la demande", True),
    ("réclamation", "fr", "une réclamations", True),
    ("réclamation", "fr", "des préréclamations", False),  # whole words only
    ("tak* _ call", "en", "she takes the call", True),
    ("tak* _ call", "en", "take the customer's call", False),  # exactly one word
    ("e-mail", "it", "una email", True),
    ("up-sell*", "en", "upselling", True),
    ("domanda aperta", "it", "due domande aperte", True),
    ("reclamo", "it", "i reclami", True),
    ("reclamo", "it", "la reclamazione", False),
    ("servizio", "it", "i servizi", True),
    ("ricerca", "it", "le ricerche", True),
    ("to hang up (colloquial)", "en", "he hangs up", True),
    ("policy", "en", "two policies", True),
    ("Se ho capito bene…", "it", "«Se ho capito bene, Lei…»", True),
])
def test_matcher(term, language, text, hit):
    found = Alternatives.parse(term, language).search(normalise(text)) is not None
    assert found is hit, term_pattern(term, language)


def test_exclusions_are_blanked_out_before_matching():
    terms = Alternatives.parse("coordonnées | !coordonnées bancaires", "fr")
    assert terms.search(normalise("vos coordonnées bancaires")) is None
    assert terms.search(normalise("vos coordonnées bancaires et vos coordonnées")) is not None


def test_the_glossary_parses_and_every_row_has_a_term_per_language():
    entries = read_glossary(GLOSSARY)
    assert len(entries) > 100
    for entry in entries:
        for language in LANGS:
            assert len(entry.targets[language]) == len(entry.fr), entry.line


# --- the catalogs -----------------------------------------------------------------------------

def test_catalogs_follow_the_glossary():
    new = violations()
    assert not new, (f"{len(new)} translation(s) do not follow docs/glossary.csv (fix the translation, or the "
                     "glossary if it is the glossary that is wrong):\n" + "\n".join(v.format() for v in new))
