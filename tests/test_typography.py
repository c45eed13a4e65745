"""French typography at render time: U+202F before ; : ! ? and inside « », only for French text."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.render import NNBSP, to_html


def fr(markdown: str, **kwargs) -> str:
    return to_html(markdown, typography="fr", **kwargs)


@pytest.mark.parametrize("source,expected", [
    ("Que répondez-vous ?", f"Que répondez-vous{NNBSP}?"),
    ("Attention !", f"Attention{NNBSP}!"),
    ("Trois temps : saluer ; écouter.", f"Trois temps{NNBSP}: saluer{NNBSP}; écouter."),
    ("Il dit « bonjour ».", f"Il dit «{NNBSP}bonjour{NNBSP}»."),
    ("Il dit «bonjour».", f"Il dit «{NNBSP}bonjour{NNBSP}»."),  # guillemets typed without spaces
    ("Vraiment  ?", f"Vraiment{NNBSP}?"),  # a run of spaces becomes one
    ("Vraiment\u00a0?", f"Vraiment{NNBSP}?"),  # a typed no-break space too
    (f"Déjà{NNBSP}?", f"Déjà{NNBSP}?"),  # idempotent
    ("Quoi ?!", f"Quoi{NNBSP}?!"),
    ("C'est *vrai* ?", f"C'est <em>vrai</em>{NNBSP}?"),
    ("« **Oui** »", f"«{NNBSP}<strong>Oui</strong>{NNBSP}»"),
    ("[Voir la page ?](https://exemple.ch/a?b=1 \"Titre ?\")",
     f"<a href=\"https://exemple.ch/a?b=1\" title=\"Titre ?\">Voir la page{NNBSP}?</a>"),
])
def test_french_spacing(source, expected):
    assert fr(source, inline=True) == expected


@pytest.mark.parametrize("source", [
    "Rendez-vous à 14:30, pas 14h30.",  # times
    "Voir https://exemple.ch/page?x=1:2 et mailto:info@exemple.ch",  # URLs as text
    "<https://exemple.ch/?q=a>",  # autolink: its text is the URL
    "Tapez `oui ?` puis `: quit`",  # code spans
    "Le fichier s'appelle a;b.txt",
])
def test_what_must_not_change(source):
    assert fr(source) == to_html(source)


def test_code_html_and_image_attributes_are_untouched():
    source = ("Tapez `a ?` puis ![Plan ?](plan.png \"Titre ?\") et <span title=\"x ?\">ici</span> :\n\n"
              "```\nprint(« x ») ; ok ?\n```\n\n    indenté ?\n")
    html = fr(source)
    assert "<code>a ?</code>" in html
    assert 'alt="Plan ?"' in html and 'title="Titre ?"' in html
    assert '<span title="x ?">' in html and f"ici</span>{NNBSP}:" in html
    assert "print(« x ») ; ok ?" in html and "indenté ?" in html


def test_a_soft_line_break_before_a_sign_is_bound():
    html = fr("Le client demande\n? pourquoi pas\nIl dit «\nbonjour\n»")
    assert not re.search(r"(?m)^[?!;:»]", html)
    assert f"demande{NNBSP}? pourquoi" in html and f"«{NNBSP}bonjour{NNBSP}»" in html


def test_tables_headings_and_lists():
    html = fr("## Pourquoi ?\n\n| À faire | Exemple |\n|---|---|\n| Reformuler | « Si je comprends bien ? » |\n\n"
              "- Vérifier : le nom\n")
    assert f"Pourquoi{NNBSP}?</h2>" in html
    assert f"«{NNBSP}Si je comprends bien{NNBSP}?{NNBSP}»" in html
    assert f"Vérifier{NNBSP}: le nom" in html


@pytest.mark.parametrize("typography", ["", "en", "it", "de"])
def test_other_languages_are_untouched(typography):
    source = "Do you agree ? « Sì » : ok !"
    assert to_html(source, typography=typography) == to_html(source)
    assert NNBSP not in to_html(source, typography=typography)


def test_the_default_is_unchanged_and_positional_callers_still_work():
    source = "Que faites-vous ?\n\n![x](a.png)"
    images = (("a.png", "media/a.png"),)
    assert to_html(source, images, False) == to_html(source, images=images, inline=False, typography="")
    assert NNBSP not in to_html(source, images, False)
    assert 'src="media/a.png"' in to_html(source, images, False, "fr")


# --- properties ---------------------------------------------------------------------------------

_WORDS = st.sampled_from(["Bonjour", "client", "*vite*", "**fort**", "`a ?`", "14:30", "https://x.ch/?a=1", "«", "»",
                          "?", "!", ";", ":", "« oui »", "l'agent", "[lien](https://x.ch/?q)", "\\*", "é"])
_GAPS = st.sampled_from([" ", "  ", "\n", "\u00a0", ""])
_TEXT = st.lists(st.tuples(_WORDS, _GAPS), max_size=14).map(lambda parts: "".join(w + g for w, g in parts).strip())


def _visible_text(html: str) -> str:
    """The HTML's text outside code elements, tags and attributes."""
    html = re.sub(r"<code>.*?</code>", "\x00", html, flags=re.S)
    return re.sub(r"<[^>]*>", "\x00", html)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_french_text_never_has_a_breakable_space_before_a_sign_or_inside_guillemets(source):
    text = _visible_text(fr(source))
    assert not re.search(r"[ \t\n\u00a0]+[?!;:»]", text), text
    assert not re.search(r"«[ \t\n\u00a0]", text), text
    assert not re.search(r"\n[?!;:»]", fr(source)), fr(source)  # no line of the output starts with a sign


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_only_spaces_change(source):
    plain, french = to_html(source), fr(source)
    assert re.sub(r"[\s\u202f]", "", french) == re.sub(r"[\s\u202f]", "", plain)
    assert NNBSP not in to_html(source, typography="en")
    assert to_html(source, typography="en") == plain


def test_shipped_prose_and_items_in_french():
    from comptoir.diagnostics import Report
    from comptoir.readers import read_content

    from .conftest import CONTENT

    content = read_content(CONTENT, Report())
    texts = [getattr(block, "markdown", None) or getattr(block, "prompt", "")
             for lesson in content.lessons.values() for block in lesson.blocks]
    assert len(texts) > 500
    for source in texts:
        html = fr(source)
        text = _visible_text(html)
        assert not re.search(r"[ \t\n\u00a0]+[?!;:»]", text), source
        assert not re.search(r"«[ \t\n\u00a0]", text), source
        assert re.sub(r"[\s\u202f]", "", html) == re.sub(r"[\s\u202f]", "", to_html(source))
