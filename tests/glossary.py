"""docs/glossary.csv read as data: the terms to look for in the French, the renderings each language
must use, the calques it must not (the format is described in docs/translating.md, « The glossary »).

A cell holds one or more *parts* separated by `` / ``: the k-th French part goes with the k-th part
of the Italian and English cells (a target cell with one part applies to every French part). A part
lists *alternatives* separated by `` | ``: any one of them satisfies it. In an alternative:

- text in parentheses is a comment for people (sense, register, region, full wording) and is ignored;
- ``word*`` matches any word starting with ``word`` (a verb's conjugations: ``reformul*``);
- ``_`` matches exactly one word (``tak* _ call``: take the call, takes a call);
- an alternative starting with ``!`` is an *exclusion*: the words it matches are blanked out before the
  others are looked for (``coordonnées | !coordonnées bancaires``);
- ``…`` and ``?`` are ignored, and so is a leading English ``to `` (``to hang up``).

Matching is case-insensitive, on whole words, with ’ read as ', Markdown emphasis dropped, and a
hyphen in a term optional in the text (``e-mail`` matches ``email``). Each plain word (not a stem) of
three letters or more (four in Italian) also matches its simple inflected forms:

- French: plural ``-s``/``-x`` and feminine ``-e`` both ways (``appel entrant`` matches ``appels
  entrants``, ``chargé`` matches ``chargées``), ``-al``/``-aux`` (``signal``, ``signaux``); an elided
  article before the term is a separate word (``l'interlocuteur`` holds ``interlocuteur``);
- Italian: the final vowel varies (``reclamo``, ``reclami``; ``domanda aperta``, ``domande aperte``),
  with ``-co``/``-chi`` and ``-io``/``-i``;
- English: plural ``-s``/``-es``, ``-y``/``-ies``.

Accents are significant (« enquête », the survey, is not « enquêté », the respondent).
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

LANGS = ("it", "en")
_COMMENT = re.compile(r"\([^()]*\)")
_TOKEN = re.compile(r"[\w*]+|['\-]")


def _plain(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ").lower()


def normalise(text: str) -> str:
    """A catalog text as the matcher reads it: NFC, lower case, ’ as ', no Markdown emphasis, code
    marks or fill-in blanks (``___``)."""
    return re.sub(r"[*`]+|(?<!\w)_+|_+(?!\w)", " ", _plain(text))


def _inflected(word: str, language: str) -> str:
    w = re.escape(word)
    if language == "fr" and len(word) > 3:
        if word.endswith(("al", "aux")):
            return re.escape(word[:-3] if word.endswith("aux") else word[:-2]) + "(?:al|aux|ale|ales)"
        if word[-1] in "sx" and not word.endswith("ss"):
            w = re.escape(word[:-1])
        return w + "e?[sx]?"
    if language == "it" and len(word) > 3 and word[-1] in "aeio":
        if word.endswith("io"):
            return re.escape(word[:-2]) + "(?:io|i|ia|ie)"
        base = re.escape(word[:-1])
        return base + ("h?[aeio]" if word[-2] in "cg" else "[aeio]")
    if language == "en" and len(word) > 2:
        if word.endswith("y") and word[-2] not in "aeiou":
            return re.escape(word[:-1]) + "(?:y|ies)"
        return w + "(?:s|es)?"
    return w


def term_pattern(term: str, language: str) -> str:
    """The regular expression (without flags) that finds ``term`` written in ``language``."""
    term = _plain(_COMMENT.sub(" ", term)).replace("…", " ").replace("?", " ").strip()
    if language == "en" and term.startswith("to "):
        term = term[3:]
    out, joiner = [], None
    for token in _TOKEN.findall(term):
        if token in ("'", "-"):
            joiner = token
            continue
        if out:
            # between two words, the text may also hold a comma (« Oui, je vous écoute »)
            out.append({"'": r"'\s*", "-": r"[\s\-]?"}.get(joiner, r",?[\s\-]+"))
        joiner = None
        if token == "_":
            out.append(r"\w+")
        elif token.endswith("*"):
            out.append(re.escape(token.rstrip("*")) + r"\w*")
        else:
            out.append(_inflected(token, language))
    if not out:
        raise ValueError(f"empty glossary term {term!r}")
    return r"(?<!\w)" + "".join(out) + r"(?!\w)"


@dataclass(frozen=True)
class Alternatives:
    """One part of a cell: any of ``terms`` satisfies it, after ``exclusions`` are blanked out."""

    text: str  # as written in the cell
    language: str
    terms: tuple[str, ...]
    exclusions: tuple[str, ...]

    @classmethod
    def parse(cls, text: str, language: str) -> "Alternatives":
        alternatives = [a.strip() for a in text.split(" | ") if a.strip()]
        terms = tuple(a for a in alternatives if not a.startswith("!"))
        exclusions = tuple(a[1:].strip() for a in alternatives if a.startswith("!"))
        if not terms:
            raise ValueError(f"no term in {text!r}")
        return cls(text.strip(), language, terms, exclusions)

    @property
    def label(self) -> str:
        """The first term without its comment: how violation reports name it."""
        return " ".join(_COMMENT.sub(" ", self.terms[0]).split())

    def _compiled(self):
        key = (self.terms, self.exclusions, self.language)
        if key not in _CACHE:
            find = re.compile("|".join(term_pattern(t, self.language) for t in self.terms))
            skip = re.compile("|".join(term_pattern(t, self.language) for t in self.exclusions)) \
                if self.exclusions else None
            _CACHE[key] = find, skip
        return _CACHE[key]

    def search(self, text: str) -> re.Match | None:
        """The first occurrence in ``text`` (already :func:`normalise`\\ d) outside the exclusions."""
        find, skip = self._compiled()
        if skip is not None:
            text = skip.sub(lambda m: " " * len(m.group(0)), text)
        return find.search(text)


_CACHE: dict = {}


@dataclass(frozen=True)
class Entry:
    """One glossary row: per French part, the accepted renderings per language; the calques per language."""

    line: int
    fr: tuple[Alternatives, ...]
    targets: dict  # language → tuple[Alternatives, ...], as many as fr (one part repeated)
    calques: dict  # language → Alternatives


def _parts(cell: str, language: str, line: int, count: int | None = None) -> tuple[Alternatives, ...]:
    parts = tuple(Alternatives.parse(p, language) for p in cell.split(" / "))
    if count is not None and len(parts) not in (1, count):
        raise ValueError(f"docs/glossary.csv line {line}: the {language} cell has {len(parts)} parts "
                         f"separated by ' / ', the French one {count}")
    return parts * count if count is not None and len(parts) == 1 else parts


def _calques(cell: str, line: int) -> dict:
    found = {}
    for chunk in filter(None, (c.strip() for c in cell.split(";"))):
        language, sep, terms = chunk.partition(":")
        if not sep or language.strip() not in LANGS:
            raise ValueError(f"docs/glossary.csv line {line}: calques are written 'it: a | b; en: c', not {chunk!r}")
        found[language.strip()] = Alternatives.parse(terms, language.strip())
    return found


def read_glossary(path: Path) -> list[Entry]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["fr", "it", "en", "note", "calques"]:
            raise ValueError(f"{path}: the header must be fr,it,en,note,calques, not {reader.fieldnames}")
        entries = []
        for row in reader:
            line = reader.line_num
            fr = _parts(row["fr"], "fr", line)
            entries.append(Entry(line, fr, {lang: _parts(row[lang], lang, line, len(fr)) for lang in LANGS},
                                 _calques(row["calques"] or "", line)))
    return entries
