"""Item-writing warnings (comptoir/lint.py): each code on its line in a tiny tree, a clean counterpart that
does not trigger it, and the lint-ignore mechanism."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from comptoir import lint
from comptoir.cli import main
from comptoir.diagnostics import Report, Severity
from comptoir.project import load_content

DATA = Path(__file__).parent / "data" / "anki"
LESSON_PATH = "anki/lessons/demo/x1-saluer.md"
COURSE_PATH = "anki/courses/demo.yaml"

# Replaces x1-saluer.md in a copy of tests/data/anki: clean (no warning), six items for unit x.1.
LESSON = textwrap.dedent("""\
    ---
    title: Saluer le client
    competencies: [tf:x.1]
    minutes: 4
    ---
    On salue le client en premier, avec le nom de l'entreprise et son prénom.

    :::{quiz} x1-q1
    type: single
    prompt: |
      Un appel entrant sonne. Que faites-vous en décrochant ?
    choices:
      - id: a
        text: Saluer, nommer l'entreprise, donner son prénom.
        correct: true
        feedback: Le client sait tout de suite qui lui répond.
      - id: b
        text: Demander tout de suite le numéro de client.
        feedback: On salue avant de demander quoi que ce soit.
      - id: c
        text: Répondre « Oui ? » et attendre la demande.
        feedback: Trop sec pour un premier contact.
    :::

    :::{quiz} x1-q3
    type: fill-in
    prompt: On ___ le client avant de parler affaires.
    answers: [salue, accueille]
    feedback:
      correct: Saluer d'abord met le client à l'aise.
      incorrect: Le mot attendu est « salue ».
    :::

    :::{quiz} x1-q4
    type: true-false
    prompt: Le sourire s'entend au téléphone.
    answer: true
    feedback: {true: Exact., false: Il s'entend.}
    :::

    :::{quiz} x1-q5
    type: true-false
    prompt: On donne son nom avant de saluer.
    answer: false
    feedback: {true: On salue d'abord., false: Exact.}
    :::

    :::{quiz} x1-q6
    type: true-false
    prompt: Le nom de l'entreprise fait partie de la salutation.
    answer: true
    feedback: {true: Exact., false: Il en fait partie.}
    :::

    :::{quiz} x1-q7
    type: true-false
    prompt: Un « Oui ? » suffit pour décrocher.
    answer: false
    feedback: {true: C'est trop sec., false: Exact.}
    :::
    """)

IGNORED = ("type: multiple\n",
           "type: multiple\nlint-ignore: [key-longest]\n"
           "lint-reason: Les deux phrases justes sont courtes en réalité.\n")


def _line(text: str, needle: str) -> int:
    return next(i + 1 for i, line in enumerate(text.splitlines()) if needle in line)


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A copy of tests/data/anki whose x1-saluer.md is LESSON and whose y1-q1 acknowledges its warning."""
    root = tmp_path / "anki"
    shutil.copytree(DATA, root)
    (root / "lessons" / "demo" / "x1-saluer.md").write_text(LESSON, encoding="utf-8")
    y1 = root / "lessons" / "demo" / "y1-apaiser.md"
    y1.write_text(y1.read_text(encoding="utf-8").replace(*IGNORED, 1), encoding="utf-8")
    return root


def diagnostics(root: Path) -> list:
    """Every diagnostic but ``thin-bank``: the fixture's units have six items, and that course-level
    warning is tested in tests/test_coverage.py."""
    report = Report(root.parent)
    load_content(root, report)
    return [d for d in report.sorted() if d.code != "thin-bank"]


def warnings(root: Path) -> set[tuple[str, int, str]]:
    found = diagnostics(root)
    assert not [d for d in found if d.severity is Severity.ERROR], [d.format() for d in found]
    return {(d.path, d.line, d.code) for d in found}


def inject(root: Path, old: str, new: str, count: int = 1) -> str:
    path = root / "lessons" / "demo" / "x1-saluer.md"
    text = path.read_text(encoding="utf-8")
    changed = text.replace(old, new, count)
    assert changed != text, f"injection did not apply: {old!r}"
    path.write_text(changed, encoding="utf-8")
    return changed


def test_the_tree_is_clean(tree):
    assert warnings(tree) == set()


def test_the_demo_tree_needs_its_acknowledgement(tree):
    y1 = tree / "lessons" / "demo" / "y1-apaiser.md"
    text = y1.read_text(encoding="utf-8")
    y1.write_text(text.replace(IGNORED[1], IGNORED[0]), encoding="utf-8")
    assert warnings(tree) == {("anki/lessons/demo/y1-apaiser.md", _line(text, ":::{quiz} y1-q1"), "key-longest")}


SINGLE = ":::{quiz} x1-q1"
KEY = "text: Saluer, nommer l'entreprise, donner son prénom."
DISTRACTOR_B = "text: Demander tout de suite le numéro de client."

# code → (old, new, needle of the reported line); each injection triggers exactly that warning.
CASES = {
    "key-longest": (KEY, "text: Saluer, nommer l'entreprise et donner son prénom, puis demander comment aider "
                         "la personne.", SINGLE),
    "key-qualified": (KEY, "text: En principe, saluer et nommer l'entreprise.", SINGLE),
    "absolute-in-key": (KEY, "text: Toujours saluer et nommer l'entreprise.", SINGLE),
    "stem-echo": (KEY, "text: Saluer dès que l'appel entrant sonne.", SINGLE),
    "option-duplicate": ("text: Répondre « Oui ? » et attendre la demande.",
                         "text: Demander tout de suite le numéro du client.", SINGLE),
    "fill-in-single": ("answers: [salue, accueille]", "answers: [salue]", ":::{quiz} x1-q3"),
    "lesson-minutes": ("minutes: 4", "minutes: 1", "---"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_warning_is_reported_alone_on_its_line(tree, code):
    old, new, needle = CASES[code]
    text = inject(tree, old, new)
    assert warnings(tree) == {(LESSON_PATH, _line(text, needle), code)}


# code → variants close to the injection above that must stay clean (each a list of replacements).
ECHO_KEY = CASES["stem-echo"][:2]
CLEAN = {
    "key-longest": [[(KEY, "text: Saluer, nommer l'entreprise, puis donner son prénom.")]],  # ×1.21, +9 only
    "key-qualified": [[CASES["key-qualified"][:2], (DISTRACTOR_B, "text: Demander souvent le numéro de client.")],
                      [(KEY, "text: Saluer, nommer l'entreprise, dire « en principe ».")]],  # quoted speech
    "absolute-in-key": [[(DISTRACTOR_B, "text: Toujours demander le numéro de client.")],  # in a distractor
                        [(KEY, "text: Saluer, nommer l'entreprise, non seulement son prénom.")]],
    "stem-echo": [[ECHO_KEY, (DISTRACTOR_B, "text: Demander le numéro quand ça sonne.")]],  # a distractor echoes
    "option-duplicate": [[("text: Répondre « Oui ? » et attendre la demande.",
                           "text: Demander aussitôt son nom au client.")]],
    "fill-in-single": [[("answers: [salue, accueille]", "answers: [salue]\nstrict: true\n"
                         "strict-reason: « salue » est le seul verbe du script d'accueil.")]],
    "lesson-minutes": [[("minutes: 4", "minutes: 3")], [("minutes: 4", "minutes: 6")]],
}


@pytest.mark.parametrize("code,variant", [(c, i) for c in sorted(CLEAN) for i in range(len(CLEAN[c]))])
def test_clean_counterparts_are_not_reported(tree, code, variant):
    for old, new in CLEAN[code][variant]:
        inject(tree, old, new)
    assert warnings(tree) == set()


def test_key_qualified_and_absolute_need_the_key_to_stand_out(tree):
    # qualified key, but a distractor is qualified too; absolute in the key when every option has one
    text = inject(tree, KEY, "text: Toujours saluer, en principe.")
    assert warnings(tree) == {(LESSON_PATH, _line(text, SINGLE), "absolute-in-key"),
                              (LESSON_PATH, _line(text, SINGLE), "key-qualified")}
    inject(tree, DISTRACTOR_B, "text: Toujours demander, selon le cas, le numéro.")
    inject(tree, "text: Répondre « Oui ? » et attendre la demande.", "text: Ne jamais saluer.")
    assert warnings(tree) == set()


def test_fill_in_strict_without_reason_still_warns(tree):
    text = inject(tree, "answers: [salue, accueille]", "answers: [salue]\nstrict: true")
    (found,) = diagnostics(tree)
    assert (found.line, found.code) == (_line(text, ":::{quiz} x1-q3"), "fill-in-single")
    assert "strict-reason" in found.message


def test_fill_in_variants_that_match_alike_count_once(tree):
    inject(tree, "answers: [salue, accueille]", "answers: [salue, Salue, ' salue ']")
    assert {c for _, _, c in warnings(tree)} == {"fill-in-single"}


def test_lesson_minutes_overstated(tree):
    inject(tree, "minutes: 4", "minutes: 12")
    assert warnings(tree) == {(LESSON_PATH, 1, "lesson-minutes")}


@pytest.mark.parametrize("answers,share", [("false", "36 %"), ("true", "73 %")])
def test_true_false_balance_is_reported_once_on_the_course(tree, answers, share):
    # the demo course has 4 of 7 keyed true outside x1; x1 brings 2 of 4: 6 of 11, balanced
    inject(tree, "answer: true" if answers == "false" else "answer: false", f"answer: {answers}", count=2)
    found = diagnostics(tree)
    assert [(d.path, d.line, d.code) for d in found] == [(COURSE_PATH, 1, "true-false-balance")]
    assert share in found[0].message


def test_true_false_balance_needs_enough_items(tree):
    # a course of x.2 only has three true-false items: all keyed true, it is not judged
    course = tree / "courses" / "demo.yaml"
    course.write_text(course.read_text(encoding="utf-8").replace("include: all", "include: [x.2]"),
                      encoding="utf-8")
    x2 = tree / "lessons" / "demo" / "x2-monnaie.md"
    assert x2.read_text(encoding="utf-8").count("type: true-false") < lint.TRUE_FALSE_MIN_ITEMS
    x2.write_text(x2.read_text(encoding="utf-8").replace("answer: false", "answer: true"), encoding="utf-8")
    assert not [d for d in diagnostics(tree) if d.code == "true-false-balance"]


# --- acknowledging a warning -------------------------------------------------------------------------

LONG_KEY = CASES["key-longest"][1]


def test_lint_ignore_with_a_reason_silences_the_code(tree):
    inject(tree, KEY, LONG_KEY)
    inject(tree, "type: single\n", "type: single\nlint-ignore: [key-longest]\n"
                                   "lint-reason: La réponse complète est volontairement détaillée.\n")
    assert warnings(tree) == set()


def test_lint_ignore_silences_only_the_codes_it_names(tree):
    text = inject(tree, KEY, LONG_KEY.replace("la personne", "l'appel entrant"))
    inject(tree, "type: single\n", "type: single\nlint-ignore: [key-longest]\nlint-reason: Voulu.\n")
    assert warnings(tree) == {(LESSON_PATH, _line(text, SINGLE), "stem-echo")}


def test_lint_ignore_without_a_reason_is_reported_and_has_no_effect(tree):
    text = inject(tree, KEY, LONG_KEY)
    inject(tree, "type: single\n", "type: single\nlint-ignore: [key-longest]\n")
    line = _line(text, SINGLE)
    assert warnings(tree) == {(LESSON_PATH, line, "key-longest"), (LESSON_PATH, line, "lint-ignore-reason")}


def test_lint_reason_without_lint_ignore_is_reported(tree):
    text = inject(tree, "type: single\n", "type: single\nlint-reason: Rien à signaler.\n")
    assert warnings(tree) == {(LESSON_PATH, _line(text, SINGLE), "lint-ignore-reason")}


def test_lint_ignore_of_an_unknown_code_is_reported(tree):
    text = inject(tree, "type: single\n", "type: single\nlint-ignore: [key-longuest]\nlint-reason: Faute de frappe.\n")
    assert warnings(tree) == {(LESSON_PATH, _line(text, SINGLE), "lint-ignore-unknown")}


@pytest.mark.parametrize("body", ["lint-ignore: key-longest", "lint-ignore: []", "strict: oui", "lint-reason: ''"])
def test_malformed_acknowledgements_are_schema_errors(tree, body):
    inject(tree, "type: single\n", f"type: single\n{body}\n")
    assert "schema" in {d.code for d in diagnostics(tree) if d.severity is Severity.ERROR}


# --- the check command and the rules' building blocks -------------------------------------------------

def test_check_prints_warnings_and_counts_them_without_failing(tree, capsys):
    inject(tree, KEY, LONG_KEY)
    assert main(["--content", str(tree), "check"]) == 0
    err = capsys.readouterr().err
    assert f"{LESSON_PATH}:{_line(LESSON, SINGLE)}:1: warning[key-longest]: item 'x1-q1'" in err
    assert "\n    hint: shorten the correct choice 'a'" in err
    # the fixture has no catalogs and six-item units: untranslated and thin-bank warnings come too
    others = err.count("warning[untranslated]") + err.count("warning[thin-bank]")
    assert f"0 error(s), {1 + others} warning(s)" in err


def test_every_code_is_documented():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    for code in lint.CODES:
        assert f"`{code}`" in doc, code


def test_hedges_and_absolutes_ignore_quoted_speech_and_accents():
    assert lint.hedges("Vérifier, le cas échéant, la procédure") == ["le cas echeant"]
    assert lint.hedges("Répondre « Il peut-être venir » au client") == []
    assert lint.hedges("GÉNÉRALEMENT oui") == ["generalement"]
    assert lint.absolutes("Non seulement saluer, mais aussi sourire") == []
    assert lint.absolutes("Ne jamais raccrocher, en aucun cas") == ["jamais", "aucun"]
    assert lint.absolutes("toujourstrop tousser") == []


def test_content_words_fold_accents_plurals_and_skip_stopwords():
    words = lint.content_words("Quelles réponses conviennent aux clientes ? Les tarifs « séniors »")
    assert set(words) == {"cliente", "conviennent", "tarif", "senior"}


@pytest.mark.parametrize("a,b,same", [
    ("Rappeler le client demain.", "Rappeler le client demain !", True),
    ("« Bonjour, Madame. »", "Bonjour madame", True),
    ("Demander tout de suite le numéro de client.", "Demander tout de suite le numéro du client.", True),
    ("Une prime de 290 francs par an", "Une prime de 260 francs par an", False),  # numbers are meant to differ
    ("Oui", "Non", False),
])
def test_near_duplicates(a, b, same):
    assert lint.near_duplicates(a, b) is same


def test_the_estimate_counts_words_and_items(tree):
    report = Report(tree.parent)
    content = load_content(tree, report)
    lesson = content.lessons["x1-saluer"]
    words = lint.lesson_word_count(lesson)
    assert words == 14  # « l'entreprise » is one word
    assert lint.estimated_minutes(lesson) == pytest.approx(words / lint.READING_WPM + 1.0 + 0.75 + 4 * 0.5)
    scenario = next(i for i in content.lessons["y1-apaiser"].items if i.type == "scenario")
    assert lint.item_minutes(scenario) == lint.SCENARIO_MINUTES_PER_DECISION * lint._longest_path(scenario)


def _matching(*pairs: tuple[str, str]):
    from comptoir.model import Matching, Pair
    return Matching(id="m-q1", competencies=(), lesson="m", prompt="Associez chaque déchet à sa filière.",
                    pairs=tuple(Pair(f"p{i}", left, right) for i, (left, right) in enumerate(pairs, 1)))


def test_pair_echo_flags_matches_made_by_a_repeated_word():
    echoing = _matching(("Bouteilles en PET", "Collecte PET du magasin"), ("Piles usagées", "Point de collecte des piles"),
                        ("Canettes en aluminium", "Conteneur aluminium"), ("Cartouche d'encre", "Retour au fournisseur"))
    (found,) = lint.item_findings(echoing)  # « PET » is too short a word to count (ECHO_MIN_LETTERS)
    assert found[0] == "pair-echo" and "2 of 4 pairs" in found[1] and "'p2' (piles); 'p3' (aluminium)" in found[1]
    # a word every right side shares points to no pair; one echo alone is a coincidence
    shared = _matching(("Piles usagées", "Point de collecte"), ("Néons", "Point de collecte spécial"),
                       ("Canettes", "Conteneur aluminium"))
    assert lint.item_findings(shared) == []
    clean = _matching(("Bouteilles en PET", "Sac jaune"), ("Piles usagées", "Boîte du magasin"),
                      ("Canettes", "Conteneur métal"))
    assert lint.item_findings(clean) == []
