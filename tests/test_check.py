"""`comptoir check`: the shipped content is clean; injected mistakes are each reported where they are."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from comptoir.cli import main

from .conftest import CONTENT
from .helpers import check_tree

LESSON = textwrap.dedent("""\
    ---
    title: Reformuler la demande
    competencies: [ch-arc:c.1]
    minutes: 5
    ---
    Reformuler, c'est redire la demande du client avec ses mots à lui, pour vérifier qu'on l'a comprise.

    :::{key-point}
    Reformuler avant de répondre évite de résoudre le mauvais problème.
    :::

    :::{quiz} inj-q1
    type: single
    prompt: |
      Le client dit : « Ma facture est fausse. » Quelle reformulation convient ?
    choices:
      - id: a
        text: « Si je comprends bien, le montant de votre dernière facture ne correspond pas à ce que vous attendiez ? »
        correct: true
        feedback: Elle reprend le problème sans le juger et invite le client à préciser.
      - id: b
        text: « Nos factures sont vérifiées deux fois. »
        feedback: C'est une défense, pas une reformulation ; le client se sent contredit.
      - id: c
        text: « Quel est votre numéro de client ? »
        feedback: Utile ensuite, mais ce n'est pas une reformulation de sa demande.
    :::
    """)


def test_shipped_content_is_clean(capsys):
    assert main(["--content", str(CONTENT), "check"]) == 0, capsys.readouterr().err


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def _write(root: Path, name: str, text: str) -> Path:
    path = root / "lessons" / "injected" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _line(text: str, needle: str, occurrence: int = 1) -> int:
    lines = text.splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    return hits[occurrence - 1]


def test_template_lesson_is_clean(tree):
    _write(tree, "inj-clean", LESSON)
    assert check_tree(tree) == []


def test_each_injected_mistake_is_reported_at_its_line_and_nothing_else(tree):
    expected: set[tuple[str, int, str]] = set()

    def lesson(name: str, old: str, new: str, code: str, needle: str, occurrence: int = 1) -> None:
        text = LESSON.replace("inj-q1", f"{name}-q1").replace(old, new, 1)
        assert text != LESSON.replace("inj-q1", f"{name}-q1"), f"injection {name} did not apply"
        _write(tree, name, text)
        expected.add((f"content/lessons/injected/{name}.md", _line(text, needle, occurrence), code))

    # 1. French colon in a plain YAML scalar
    lesson("m1", "prompt: |\n  Le client dit", "prompt: Le client dit : « oui »\n  Le client dit",
           "yaml-syntax", "prompt: Le client dit")
    # 2. unknown competency in the front matter
    lesson("m2", "[ch-arc:c.1]", "[ch-arc:c.9]", "unknown-ref", "competencies:")
    # 3. malformed item id
    lesson("m3", ":::{quiz} m3-q1", ":::{quiz} M3_Q1", "malformed-id", ":::{quiz} M3_Q1")
    # 4. single choice with two correct answers
    lesson("m4", "  - id: b\n", "  - id: b\n    correct: true\n", "single-correct-count", "choices:")
    # 5. duplicate item id (the id of m5 collides with an item of the shipped content)
    shipped = next(iter(sorted((CONTENT / "lessons").rglob("*.md"))))
    shipped_id = next(line.split()[1] for line in shipped.read_text(encoding="utf-8").splitlines()
                      if line.startswith(":::{quiz}"))
    lesson("m5", ":::{quiz} m5-q1", f":::{{quiz}} {shipped_id}", "duplicate-id", f":::{{quiz}} {shipped_id}")
    # 6. missing media
    lesson("m6", "Reformuler, c'est", "![Schéma](absent.png)\n\nReformuler, c'est", "missing-media", "![Schéma]")
    # 7. matching pair without partner
    matching = textwrap.dedent("""\
        :::{quiz} m7-q2
        type: matching
        prompt: Associez chaque formule à son usage.
        pairs:
          - {id: p1, left: "« Si je comprends bien… »", right: Reformuler}
          - {id: p2, left: "« Puis-je vous mettre en attente ? »", right: Demander la permission}
          - {id: p3, left: "« Je vous remercie de votre appel. »"}
        feedback: {correct: Chaque formule a sa fonction., incorrect: Relisez la fonction de chaque formule.}
        :::
        """)
    lesson("m7", ":::{key-point}", matching + "\n:::{key-point}", "matching-partner", "id: p3")
    # 8. sequencing with a duplicate step
    sequencing = textwrap.dedent("""\
        :::{quiz} m8-q2
        type: sequencing
        prompt: Remettez les étapes dans l'ordre.
        steps:
          - {id: s1, text: Saluer}
          - {id: s2, text: Écouter}
          - {id: s3, text: Saluer}
        feedback: {correct: Bon ordre., incorrect: On salue d'abord.}
        :::
        """)
    lesson("m8", ":::{key-point}", sequencing + "\n:::{key-point}", "sequencing-duplicate", "id: s3")
    # 9. scenario with an unreachable node; 10. scenario node without a way to an end
    scenario = textwrap.dedent("""\
        :::{scenario} m9-s1
        prompt: Un client appelle, agacé.
        start: n1
        nodes:
          - id: n1
            text: « C'est la troisième fois que j'appelle ! »
            choices:
              - {id: a, text: S'excuser et reformuler., next: fin, feedback: Vous reconnaissez son agacement.}
              - {id: b, text: Lui demander de rappeler plus tard., next: n2, feedback: Cela aggrave sa frustration.}
          - id: n2
            text: Le client insiste.
            choices:
              - {id: a, text: Répéter la même réponse., next: n2b, feedback: Il n'est pas écouté.}
          - id: n2b
            text: Le client hausse le ton.
            choices:
              - {id: a, text: Répéter encore., next: n2, feedback: La boucle ne mène nulle part.}
          - id: orphan
            text: Personne n'arrive ici.
            outcome: failure
          - id: fin
            text: Le client se calme.
            outcome: success
        :::
        """)
    text = LESSON.replace("inj-q1", "m9-q1").replace(":::{key-point}", scenario + "\n:::{key-point}", 1)
    _write(tree, "m9", text)
    expected.add(("content/lessons/injected/m9.md", _line(text, "- id: orphan"), "scenario-unreachable"))
    expected.add(("content/lessons/injected/m9.md", _line(text, "- id: n2", 1), "scenario-no-end"))
    expected.add(("content/lessons/injected/m9.md", _line(text, "- id: n2b"), "scenario-no-end"))

    # 11. crosswalk row naming an unknown code
    crosswalk = tree / "crosswalks" / "ch-arc__fr-mcavd.csv"
    rows = crosswalk.read_text(encoding="utf-8").rstrip("\n") + "\n"
    rows += 'ch-arc:a.1,fr-mcavd:9.9,relatedMatch,"Injected: 9.9 does not exist."\n'
    crosswalk.write_text(rows, encoding="utf-8")
    expected.add(("content/crosswalks/ch-arc__fr-mcavd.csv", len(rows.splitlines()), "crosswalk-unknown"))

    # 12. course including nothing; 13. dangling prerequisite; 14. cyclic prerequisites (course override)
    course = textwrap.dedent("""\
        title: Cours vide
        framework: fr-mcavd
        include: [C9]
        locales: {fr: fr_FR}
        """)
    (tree / "courses" / "inj-empty.yaml").write_text(course, encoding="utf-8")
    expected.add(("content/courses/inj-empty.yaml", 3, "unknown-ref"))
    expected.add(("content/courses/inj-empty.yaml", 3, "empty-course"))

    framework = tree / "frameworks" / "ch-arc.yaml"
    fw_text = framework.read_text(encoding="utf-8").rstrip("\n") + "\n"
    if "\nprerequisites:" not in fw_text:
        fw_text += "prerequisites:\n"
    fw_text += "  g.4: [g.9]\n  a.7: [a.5]\n  a.5: [a.7]\n"
    framework.write_text(fw_text, encoding="utf-8")
    expected.add(("content/frameworks/ch-arc.yaml", _line(fw_text, "  g.4: [g.9]"), "dangling-prerequisite"))
    cyc = {_line(fw_text, "  a.7: [a.5]"), _line(fw_text, "  a.5: [a.7]")}

    found = {(d.path, d.line, d.code) for d in check_tree(tree)}
    cycles = {f for f in found if f[2] == "cyclic-prerequisite"}
    assert len(cycles) == 1 and next(iter(cycles))[1] in cyc, found
    assert found - cycles == expected


def test_a_missing_framework_is_one_unknown_framework_per_file_naming_it(tree):
    (tree / "frameworks" / "fr-mcavd.yaml").unlink()
    # Independent oracle: the shipped files that name a fr-mcavd code, found by reading their text.
    naming = {f"content/{p.relative_to(tree).as_posix()}" for p in sorted((tree / "lessons").rglob("*.md"))
              if "fr-mcavd:" in p.read_text(encoding="utf-8")}
    assert len(naming) > 1
    expected = {(path, "unknown-framework") for path in naming}
    expected |= {("content/courses/fr-mcavd.yaml", "unknown-framework"),
                 ("content/crosswalks/ch-arc__fr-mcavd.csv", "crosswalk-framework")}

    # One lesson naming the missing framework three times (front matter twice, an item once) and a
    # known framework with an unknown code: one unknown-framework, and the unknown-ref stays.
    text = LESSON.replace("[ch-arc:c.1]", "[ch-arc:c.1, fr-mcavd:1.3, fr-mcavd:9.9]").replace(
        "type: single\n", "type: single\ncompetencies: [fr-mcavd:2.1, ch-arc:c.9]\n")
    _write(tree, "inj-fw", text)
    located = {("content/lessons/injected/inj-fw.md", _line(text, "competencies:"), "unknown-framework"),
               ("content/lessons/injected/inj-fw.md", _line(text, ":::{quiz}"), "unknown-ref")}

    # A crosswalk naming a framework that does not exist on two rows: reported once, on the first.
    crosswalk = tree / "crosswalks" / "ch-arc__be-occ.csv"
    rows = crosswalk.read_text(encoding="utf-8").rstrip("\n") + "\n"
    rows += 'ch-arc:a.1,nope:1,relatedMatch,"Injected."\nch-arc:a.2,nope:2,relatedMatch,"Injected."\n'
    crosswalk.write_text(rows, encoding="utf-8")
    located.add(("content/crosswalks/ch-arc__be-occ.csv", len(rows.splitlines()) - 1, "unknown-framework"))

    found = [(d.path, d.line, d.code) for d in check_tree(tree)]
    assert len(found) == len(set(found))
    injected = {f for f in found if f[0] in {p for p, _, _ in located}}
    assert injected == located
    assert {(path, code) for path, _, code in set(found) - injected} == expected
    assert len(found) == len(expected) + len(located)


def test_a_directive_left_unclosed_mid_file_is_reported_at_its_own_line_only(tree):
    # The quiz loses its closing ':::'; a paragraph, a key point and a second quiz follow.
    text = LESSON.rstrip("\n").removesuffix(":::") + textwrap.dedent("""\

        Un paragraphe après la question.

        :::{key-point}
        Un deuxième point clé.
        :::

        :::{quiz} inj-unclosed-q2
        type: true-false
        prompt: Reformuler, c'est répéter mot pour mot.
        answer: false
        feedback: {true: "Non : on redit avec ses mots.", false: "Exact : on redit avec ses mots."}
        :::
        """)
    text = text.replace("inj-q1", "inj-unclosed-q1")
    _write(tree, "inj-unclosed", text)
    assert [(d.path, d.line, d.code) for d in check_tree(tree)] == [
        ("content/lessons/injected/inj-unclosed.md", _line(text, ":::{quiz} inj-unclosed-q1"), "directive-unclosed")]
    message = check_tree(tree)[0].message
    assert message == f"this directive is never closed: the directive on line {_line(text, ':::{key-point}', 2)} " \
                      "starts inside it"
