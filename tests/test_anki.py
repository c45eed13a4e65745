"""The Anki exporter, proven with the official ``anki`` package importing the decks it builds.

Expected counts come from the lesson files themselves (their directive fences), not from the
exporter's mapping; expected words are written here, not looked up through the code under test.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from comptoir.build import Request, build, course_context, timestamp
from comptoir.diagnostics import Report
from comptoir.exporters.anki import AnkiExporter
from comptoir.exporters.anki_models import WORDS
from comptoir.i18n import localise
from comptoir.project import course_sources, load_content
from comptoir.resolve import resolve

anki_collection = pytest.importorskip("anki.collection", reason="the official anki package (test extra) is needed")
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest  # noqa: E402
from anki.scheduler.v3 import CardAnswer  # noqa: E402

DATA = Path(__file__).parent / "data" / "anki"
REPO = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^:::\{(quiz|scenario|key-point)\}\s*(\S*)", re.M)
TITLE = "Cours de démonstration"


def fences(root: Path) -> dict[str, list[tuple[str, str]]]:
    """Directive fences per lesson file, read from the text: (directive, id)."""
    return {p.stem: FENCE.findall(p.read_text(encoding="utf-8")) for p in sorted((root / "lessons").rglob("*.md"))}


def apkg(root: Path, language: str, stamp: int | None = None) -> bytes:
    """The demo deck; ``stamp`` defaults to the build's rule (newest source modification time)."""
    report = Report(root.parent)
    content = load_content(root, report)
    assert not report.errors, [d.format() for d in report.errors]
    resolved = resolve(content, "demo")
    course, _ = localise(resolved, language)
    stamp = timestamp(course_sources(content, resolved)) if stamp is None else stamp
    (artifact,) = AnkiExporter().export(course, course_context(resolved, stamp, language))
    return artifact.data


def import_into(col: Collection, data: bytes, tmp: Path, name: str) -> None:
    path = tmp / name
    path.write_bytes(data)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions()))


def note_by_id(col: Collection, item_id: str):
    (nid,) = col.find_notes(f'"Id:{item_id}"')
    return col.get_note(nid)


def visible(html: str) -> str:
    """The text a learner sees: no style sheet, no tags or attributes."""
    return re.sub(r"<[^>]+>", "", re.sub(r"<style>.*?</style>", "", html, flags=re.S))


def back(card) -> str:
    """The part of a card's answer below the rule, i.e. what the front did not show."""
    return card.answer().split('<hr id="answer">', 1)[1]


def review(col: Collection, card_id: int, rating) -> None:
    card = col.get_card(card_id)
    card.start_timer()
    states = col._backend.get_scheduling_states(card.id)
    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=rating))


@pytest.fixture()
def col(tmp_path: Path):
    collection = Collection(str(tmp_path / "collection.anki2"))
    yield collection
    collection.close()


def test_deck_imports_with_counts_decks_tags_and_media(tmp_path: Path, col: Collection) -> None:
    """Every fence is one note and one card, filed by domain and findable by competency tag."""
    blocks = fences(DATA)
    total = sum(len(v) for v in blocks.values())
    assert total == 22
    out = tmp_path / "dist"
    entries = build(load_content(DATA, Report(DATA.parent)), out, Request(("anki",), ("fr",)), Report(DATA.parent))
    assert [e["path"] for e in entries] == ["anki/demo.fr.apkg"]
    import_into(col, (out / "anki/demo.fr.apkg").read_bytes(), tmp_path, "demo.apkg")

    assert col.note_count() == total
    assert col.card_count() == total
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {TITLE, f"{TITLE}::x · Accueil", f"{TITLE}::y · Réclamations"} <= names
    per_lesson = {lesson: len(found) for lesson, found in blocks.items()}
    assert len(col.find_cards(f'"deck:{TITLE}::y · Réclamations"')) == per_lesson["y1-apaiser"]
    # tags: the course framework, the exact/close counterpart (top level only), lesson and type
    assert len(col.find_notes("tag:comptoir::tf::x::x.1")) == per_lesson["x1-saluer"]
    assert len(col.find_notes("tag:comptoir::tg::A1::T11.1")) == per_lesson["x1-saluer"]
    assert len(col.find_notes("tag:comptoir::tg::A2::T22.7")) == per_lesson["y1-apaiser"]
    assert len(col.find_notes("tag:comptoir::tf::x::x.2")) == per_lesson["x2-monnaie"]
    assert len(col.find_notes("tag:comptoir::lesson::x2-monnaie")) == per_lesson["x2-monnaie"]
    kinds = [kind for found in blocks.values() for kind, _ in found]
    assert len(col.find_notes("tag:comptoir::type::key-point")) == kinds.count("key-point")
    assert len(col.find_notes("tag:comptoir::type::scenario")) == kinds.count("scenario")
    assert len(col.find_notes("tag:comptoir::type::fill-in")) == 1
    # the key point's image travels with the deck
    media = Path(col.media.dir())
    assert (media / "x1-saluer-comptoir.png").read_bytes() == (DATA / "lessons/demo/comptoir.png").read_bytes()
    check = col.media.check()
    assert not check.missing and not check.unused


@pytest.mark.parametrize("language, words", [
    ("fr", {"answer": "Bonne réponse", "why": "Pourquoi", "tf": "Vrai ou faux ?", "kp": "Point clé",
            "deck": "x · Accueil", "seq": "Remettez les étapes dans l'ordre.", "number": "17,5 CHF"}),
    ("it", {"answer": "Risposta corretta", "why": "Perché", "tf": "Vero o falso?", "kp": "Punto chiave",
            "deck": "x · Accoglienza", "seq": "Rimetta le fasi nell'ordine giusto.", "number": "17.5 CHF"}),
    ("en", {"answer": "Correct answer", "why": "Why", "tf": "True or false?", "kp": "Key point",
            "deck": "x · Accueil", "seq": "Put the steps in order.", "number": "17.5 CHF"}),
])
def test_cards_show_localised_words_and_french_content(tmp_path: Path, col: Collection, language: str,
                                                       words: dict[str, str]) -> None:
    """UI words come from the language's catalog; content without a translation stays French."""
    import_into(col, apkg(DATA, language, 1_700_000_000), tmp_path, f"demo.{language}.apkg")
    assert f"{TITLE}::{words['deck']}" in {d.name for d in col.decks.all_names_and_ids()}

    single = note_by_id(col, "x1-q1").cards()[0]
    assert "Quelle est la première phrase" in single.question()
    spaced = "\u202f" if language == "fr" else " "  # French typography in a French course only
    assert f"«{spaced}Oui{spaced}?{spaced}»" in single.question()
    assert "Salutation, entreprise et prénom." not in single.question()
    answer = single.answer()
    assert words["answer"] in answer and words["why"] in answer
    assert "Salutation, entreprise et prénom." in answer and "On salue avant de demander" in answer

    true_false = note_by_id(col, "x1-q2").cards()[0]
    assert words["tf"] in true_false.question()
    assert "Exact, la voix change quand on sourit." in true_false.answer()

    cloze = note_by_id(col, "x1-q3").cards()[0]
    assert "[...]" in visible(cloze.question()) and "salue" not in visible(cloze.question())
    assert "salue" in back(cloze) and "accueille" in back(cloze)

    sequencing = note_by_id(col, "x2-q2").cards()[0]
    assert words["seq"] in sequencing.question()
    answer = back(sequencing)
    order = [answer.index(step) for step in ("Annoncer le montant reçu.", "Compter la monnaie à voix haute.",
                                             "Remettre la monnaie et le ticket.")]
    assert order == sorted(order)  # the back lists the steps in the right order

    numeric = note_by_id(col, "x2-q1").cards()[0]
    assert words["number"] in visible(numeric.answer())  # the course's region: fr_CH, it_CH, en

    scenario = note_by_id(col, "y1-s1").cards()[0]
    assert "Votre facture est fausse" in scenario.question()
    assert "Proposer une correction datée." in scenario.answer()
    assert "Le client est rassuré." in scenario.answer()

    (concept_id,) = col.find_notes("tag:comptoir::lesson::x1-saluer tag:comptoir::type::key-point Le sourire s'entend")
    concept = col.get_note(concept_id).cards()[0]
    assert words["kp"] in concept.question() and "Le sourire" in concept.question()  # the section heading cues it
    assert "Le sourire s'entend." in concept.answer()


def test_build_is_byte_identical_and_timestamped(tmp_path: Path) -> None:
    first, second = apkg(DATA, "fr", 1_700_000_000), apkg(DATA, "fr", 1_700_000_000)
    assert first == second
    assert apkg(DATA, "fr", 1_700_000_100) != first


def test_languages_live_side_by_side(tmp_path: Path, col: Collection) -> None:
    total = sum(len(v) for v in fences(DATA).values())
    for language in ("fr", "it"):
        import_into(col, apkg(DATA, language, 1_700_000_000), tmp_path, f"demo.{language}.apkg")
    assert col.note_count() == 2 * total
    assert len([m for m in col.models.all_names_and_ids() if m.name.startswith("comptoir ")]) == 2 * 5


def _edit(root: Path) -> None:
    """Edit x1-q1's prompt, add x1-q4, remove x1-q6 (the lesson keeps the six items a unit needs)."""
    x1 = root / "lessons/demo/x1-saluer.md"
    text = x1.read_text(encoding="utf-8").replace("Quelle est la première phrase d'un appel entrant ?",
                                                  "Par quelle phrase répondez-vous à un appel entrant ?")
    text += ("\n:::{quiz} x1-q4\ntype: true-false\nprompt: On se présente par son prénom.\nanswer: true\n"
             "feedback:\n  true: Oui, le client sait à qui il parle.\n  false: Le prénom rend l'échange personnel.\n:::\n")
    x1.write_text(re.sub(r":::\{quiz\} x1-q6.*?\n:::\n", "", text, flags=re.S), encoding="utf-8")


def test_rebuild_updates_in_place_and_keeps_reviews(tmp_path: Path, col: Collection,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = tmp_path / "content"
    shutil.copytree(DATA, root)
    before = fences(root)
    import_into(col, apkg(root, "fr"), tmp_path, "v1.apkg")
    edited = note_by_id(col, "x1-q1")
    card_id = edited.cards()[0].id
    review(col, card_id, CardAnswer.GOOD)
    review(col, note_by_id(col, "x1-q2").cards()[0].id, CardAnswer.AGAIN)
    reviews = col.db.scalar("select count() from revlog where cid = ?", card_id)
    assert reviews == 1

    _edit(root)
    after = fences(root)
    assert sum(map(len, after.values())) == sum(map(len, before.values()))  # one added, one removed
    assert ("quiz", "x1-q4") in after["x1-saluer"] and ("quiz", "x1-q6") not in after["x1-saluer"]
    import_into(col, apkg(root, "fr"), tmp_path, "v2.apkg")  # newer: the edited lesson is newer

    again = note_by_id(col, "x1-q1")
    assert again.id == edited.id and again.cards()[0].id == card_id
    assert "Par quelle phrase répondez-vous" in again["Prompt"]
    assert col.db.scalar("select count() from revlog where cid = ?", card_id) == reviews
    assert col.get_card(card_id).reps == 1
    assert len(col.find_notes('"Id:x1-q4"')) == 1
    ids = [col.get_note(n)["Id"] for n in col.find_notes("")]
    assert len(ids) == len(set(ids))  # nothing duplicated
    # Anki never deletes on import: the removed item stays, everything else is one note each
    assert col.note_count() == sum(map(len, before.values())) + 1


def test_an_older_package_does_not_overwrite(tmp_path: Path, col: Collection) -> None:
    """The timestamp orders packages: re-importing the old deck leaves the newer wording."""
    root = tmp_path / "content"
    shutil.copytree(DATA, root)
    old = apkg(root, "fr", 1_700_000_000)
    _edit(root)
    import_into(col, apkg(root, "fr", 1_700_000_500), tmp_path, "new.apkg")
    import_into(col, old, tmp_path, "old.apkg")
    assert "Par quelle phrase répondez-vous" in note_by_id(col, "x1-q1")["Prompt"]


@pytest.mark.parametrize("language", ["it", "en"])
def test_every_card_word_is_translated(language: str) -> None:
    path = REPO / "locales" / language / "LC_MESSAGES" / "comptoir.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    for word in WORDS:
        message = catalog.get(word)
        assert message is not None and message.string and not message.fuzzy, f"{language}: {word!r} untranslated"
        assert message.string != word, f"{language}: {word!r} left in French"
