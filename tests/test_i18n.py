"""Content catalogs: extract, translate, update after edits (fuzzy carry-over), and localise."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from comptoir.project import load_content
from comptoir.cli import main
from comptoir.diagnostics import Report
from comptoir.i18n import _read_catalog, localise
from comptoir.resolve import resolve

from .conftest import CONTENT

LESSON = textwrap.dedent("""\
    ---
    title: Saluer au téléphone
    competencies: [ch-arc:b.1]
    minutes: 5
    ---
    La formule d'accueil donne le ton de tout l'appel : elle doit être claire et posée.

    Elle nomme l'entreprise, l'agent et propose l'aide.

    Visez 80 % d'appels pris en 20 secondes.

    :::{quiz} tr-q1
    type: true-false
    prompt: La formule d'accueil nomme l'entreprise.
    answer: true
    feedback:
      true: Oui, le client sait ainsi qu'il a joint le bon service.
      false: Si, elle la nomme, pour que le client sache qui il a joint.
    :::
    """)


COURSE = textwrap.dedent("""\
    title: Accueillir
    framework: ch-arc
    include: [b.1]
    locales: {fr: fr_CH, it: it_CH, en: en}
    lessons: [tr-saluer, b1-accueillir-nouveaux-clients]
    """)


def _project(tmp_path: Path) -> Path:
    """Frameworks and crosswalks of the shipped content, one shipped lesson and the lesson above."""
    root = tmp_path / "project"
    for part in ("frameworks", "crosswalks"):
        shutil.copytree(CONTENT / part, root / "content" / part)
    (root / "content" / "lessons" / "tr").mkdir(parents=True)
    shutil.copy(CONTENT / "lessons" / "ch-arc" / "b1-accueillir-nouveaux-clients.md", root / "content" / "lessons")
    (root / "content" / "lessons" / "tr" / "tr-saluer.md").write_text(LESSON, encoding="utf-8")
    (root / "content" / "courses").mkdir()
    (root / "content" / "courses" / "tr.yaml").write_text(COURSE, encoding="utf-8")
    return root


def _i18n(root: Path, *args: str) -> None:
    assert main(["--content", str(root / "content"), "i18n", *args]) == 0


def _edit_po(path: Path, translations: dict[tuple[str, str], str]) -> None:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for (context, prefix), string in translations.items():
        (message,) = [m for m in catalog if m.context == context and m.id.startswith(prefix)]
        message.string = string
    with path.open("wb") as handle:
        write_po(handle, catalog)


def test_extract_update_and_localise_with_fuzzy_carry_over(tmp_path):
    root = _project(tmp_path)
    _i18n(root, "extract")
    pot = (root / "locales" / "content.pot").read_text(encoding="utf-8")
    assert 'msgctxt "tr-q1/feedback.true"' in pot and 'msgctxt "tr-saluer"' in pot
    assert "#. true-false · ch-arc:b.1" in pot and 'msgctxt "ch-arc:b.6"' in pot
    assert "python-format" not in pot  # "80 %" is prose: gettext must not check it as a format string
    _i18n(root, "update", "--language", "it")
    po = root / "locales" / "it" / "LC_MESSAGES" / "content.po"
    _edit_po(po, {("tr-q1/prompt", "La formule"): "La formula di benvenuto nomina l'azienda.",
                  ("tr-saluer", "La formule"): "La formula di benvenuto dà il tono a tutta la chiamata.",
                  ("tr-saluer", "Elle nomme"): "Nomina l'azienda, l'operatore e offre aiuto.",
                  ("ch-arc:b.6", "structurer"): "structure the end of a conversation"})

    lesson_path = root / "content" / "lessons" / "tr" / "tr-saluer.md"
    edited = LESSON.replace("La formule d'accueil nomme l'entreprise.", "La formule d'accueil nomme toujours l'entreprise.")
    edited = edited.replace("Elle nomme l'entreprise, l'agent et propose l'aide.",
                            "Elle nomme l'entreprise, l'agent, puis propose son aide.")
    lesson_path.write_text(edited, encoding="utf-8")
    _i18n(root, "update", "--language", "it")
    with po.open("rb") as handle:
        catalog = read_po(handle)
    by_context = {}
    for message in catalog:
        by_context.setdefault(message.context, []).append(message)
    (prompt,) = by_context["tr-q1/prompt"]
    assert prompt.fuzzy and prompt.string == "La formula di benvenuto nomina l'azienda."
    prose = {m.id[:10]: m for m in by_context["tr-saluer"]}
    assert not prose["La formule"].fuzzy and prose["La formule"].string.startswith("La formula")
    assert prose["Elle nomme"].fuzzy and prose["Elle nomme"].string.startswith("Nomina")

    report = Report()
    content = load_content(root / "content", report)
    course, missing = localise(resolve(content, "tr"), "it", root / "locales")
    lesson = next(l for l in course.lessons if l.id == "tr-saluer")
    texts = [b.markdown for b in lesson.blocks if hasattr(b, "markdown")]
    assert texts[0].startswith("La formula di benvenuto")  # translated and current
    assert texts[1].startswith("Elle nomme")  # fuzzy: never shown, French instead
    assert lesson.items[0].prompt.startswith("La formule")  # fuzzy prompt: French
    assert missing["tr-saluer"] >= 1 and missing["tr-q1"] >= 1
    b6 = next(u for u in course.framework.units() if u.key == "b.6")
    assert b6.text_in("it").startswith("concludere")  # the ordinance's Italian wins over the catalog
    en, _ = localise(resolve(content, "tr"), "en", root / "locales")
    assert next(u for u in en.framework.units() if u.key == "b.6").text_in("en").startswith("structurer")


def test_stats_counts(tmp_path, capsys):
    root = _project(tmp_path)
    _i18n(root, "update", "--language", "en")
    capsys.readouterr()
    _i18n(root, "stats", "--language", "en")
    out = capsys.readouterr().out
    assert out.startswith("en: 0 translated, 0 fuzzy, ") and "untranslated of" in out


def test_a_translated_fill_in_answer_may_list_several_variants_one_per_line():
    from comptoir.i18n import map_item
    from comptoir.model import FillIn

    item = FillIn(id="q", competencies=("tf:x.1",), lesson="l", prompt="On ___.", answers=("salue", "accueille"))
    catalog = {"q/answer.0": "saluta\nsaluta il cliente"}  # answer.1 untranslated: French stays accepted
    localised = map_item(item, lambda text, context, note="", line=0: catalog.get(context, text))
    assert localised.answers == ("saluta", "saluta il cliente", "accueille")


def test_update_writes_official_wordings_as_their_translation():
    from datetime import datetime, timezone

    from comptoir.translations import merge, official_wordings, template, with_official_wordings

    root = Path(__file__).parent / "data" / "anki"
    content = load_content(root, Report(root.parent))
    pot = template(content, datetime(2026, 1, 1, tzinfo=timezone.utc))
    italian = with_official_wordings(merge(pot, None, "it"), official_wordings(content, "it"))
    unit = next(u for u in content.frameworks["tf"].units() if u.key == "x.1")
    message = italian.get(unit.text["fr"], context="tf:x.1")
    assert message.string == unit.text["it"] and not message.fuzzy  # the framework file's Italian, as is
    english = with_official_wordings(merge(pot, None, "en"), official_wordings(content, "en"))
    assert not english.get(unit.text["fr"], context="tf:x.1").string  # no official English: to translate


def _translate_all(path: Path, prefix: str, fuzzy: int = 0) -> int:
    """Fills every msgstr with ``prefix`` + the French; the first ``fuzzy`` ones marked fuzzy. Returns the count."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    messages = [m for m in catalog if m.id]
    for i, message in enumerate(messages):
        message.string = prefix + message.id
        if i < fuzzy:
            message.flags.add("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog)
    return len(messages)


def _untranslated(text: str) -> list[str]:
    return [line for line in text.splitlines() if "[untranslated]" in line]


def test_check_reports_untranslated_and_fuzzy_texts_per_course_and_language(tmp_path, capsys):
    root = _project(tmp_path)
    _i18n(root, "update")
    _translate_all(root / "locales" / "en" / "LC_MESSAGES" / "content.po", "EN ")
    _translate_all(root / "locales" / "it" / "LC_MESSAGES" / "content.po", "IT ")
    capsys.readouterr()
    assert main(["--content", str(root / "content"), "check", "--strict"]) == 0
    assert _untranslated(capsys.readouterr().err) == []  # complete catalogs: nothing to report

    po = root / "locales" / "it" / "LC_MESSAGES" / "content.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    emptied = [m for m in catalog if m.id and m.context and m.context.startswith("tr-q1/")]
    for message in emptied:
        message.string = ""
    with po.open("wb") as handle:
        write_po(handle, catalog)
    _read_catalog.cache_clear()  # a command reads each catalog once; this test runs two in one process
    assert main(["--content", str(root / "content"), "check"]) == 0
    err = capsys.readouterr().err
    (warning,) = _untranslated(err)
    assert warning.startswith("content/courses/tr.yaml:1:1: warning[untranslated]: ")
    assert " of course 'tr' have no it translation" in warning  # en is complete: no line for it
    assert "hint: run comptoir i18n update and translate" in err

    assert main(["--content", str(root / "content"), "check", "--strict"]) == 1
    (error,) = _untranslated(capsys.readouterr().err)
    assert error.replace("error[", "warning[") == warning

    # the same computation as the build's warning
    report = Report(root)
    content = load_content(root / "content", report)
    from comptoir.build import Request, build
    build(content, tmp_path / "dist", Request(("web",), ("it",)), report)
    (built,) = [d for d in report.diagnostics if d.code == "untranslated"]
    assert built.format().splitlines()[0] == warning


def test_check_counts_fuzzy_translations_as_untranslated(tmp_path, capsys):
    root = _project(tmp_path)
    _i18n(root, "update")
    _translate_all(root / "locales" / "en" / "LC_MESSAGES" / "content.po", "EN ")
    _translate_all(root / "locales" / "it" / "LC_MESSAGES" / "content.po", "IT ", fuzzy=2)
    capsys.readouterr()
    main(["--content", str(root / "content"), "check"])
    (warning,) = _untranslated(capsys.readouterr().err)
    assert "2 text(s) of course 'tr' have no it translation (2 of them fuzzy, to review)" in warning



def test_editing_one_shipped_paragraph_makes_exactly_that_message_fuzzy_and_that_block_french(tmp_path, capsys):
    """Issue 14's criterion on the shipped catalogs: one French paragraph edited → one message
    fuzzy per language (its old translation kept), every other message untouched, and the build
    shows French for that block only and says so."""
    root = tmp_path / "project"
    shutil.copytree(CONTENT, root / "content")
    shutil.copytree(CONTENT.parent / "locales", root / "locales")
    lesson_id = "a3-pauses-entre-appels"
    lesson_path = root / "content" / "lessons" / "ch-arc" / f"{lesson_id}.md"
    sentence = "Le temps mort n'est utile que si l'on sait déjà quoi y faire."
    source = lesson_path.read_text(encoding="utf-8")
    assert source.count(sentence) == 1
    lesson_path.write_text(source.replace(sentence, "Un temps mort n'est utile que si l'on sait déjà quoi y faire."),
                           encoding="utf-8")

    def messages(lang: str) -> dict[tuple[str, str], tuple[str, bool]]:
        with (root / "locales" / lang / "LC_MESSAGES" / "content.po").open("rb") as handle:
            return {(m.context, m.id): (m.string, m.fuzzy) for m in read_po(handle) if m.id}

    before = {lang: messages(lang) for lang in ("it", "en")}
    _i18n(root, "extract")
    _i18n(root, "update")
    _read_catalog.cache_clear()
    for lang in ("it", "en"):
        after = messages(lang)
        (old,) = set(before[lang]) - set(after)
        (new,) = set(after) - set(before[lang])
        assert old[0] == new[0] == lesson_id and sentence in old[1]
        assert after[new] == (before[lang][old][0], True)  # the old translation kept, marked fuzzy
        assert {k: v for k, v in before[lang].items() if k != old} == {k: v for k, v in after.items() if k != new}

    content = load_content(root / "content", Report())
    for lang in ("it", "en"):
        course, _ = localise(resolve(content, "ch-arc"), lang, root / "locales")
        lesson = next(l for l in course.lessons if l.id == lesson_id)
        french = [b.markdown for b in lesson.blocks if "Un temps mort n'est utile" in getattr(b, "markdown", "")]
        assert len(french) == 1  # that block falls back to French; the block before it is translated
    capsys.readouterr()
    main(["--content", str(root / "content"), "check"])
    err = capsys.readouterr().err
    for lang in ("it", "en"):  # the shipped catalogs are complete, so the warning counts exactly this text
        assert f"1 text(s) of course 'ch-arc' have no {lang} translation (1 of them fuzzy" in err
