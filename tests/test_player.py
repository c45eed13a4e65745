"""comptoir.player without a browser: the package files, the page, the objective ids, the catalog."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from comptoir import player
from comptoir.i18n import words
from comptoir.identity import objective_id
from tests.browser.harness import load_bundle

REPO = Path(__file__).resolve().parents[1]
PLAYER = REPO / "comptoir" / "player"


class _Scripts(HTMLParser):
    """The text of each <script> element and the attributes of <html>, as a browser parses them."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self.html: dict = {}
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))
        elif tag == "html":
            self.html = dict(attrs)

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def parse(page: bytes) -> _Scripts:
    parser = _Scripts()
    parser.feed(page.decode("utf-8"))
    return parser


def test_page_inlines_the_bundle_so_no_course_text_can_end_the_script():
    bundle = load_bundle("fr")
    hostile = "</script><script>alert(1)</script><!-- \u2028 </SCRIPT "
    bundle["course"]["title"] = hostile
    bundle["lessons"][0]["blocks"][0]["html"] += hostile
    page = player.page(bundle, "scorm12", "Titre {{bundle}} & <b>", "fr")
    parsed = parse(page)
    data = [text for attrs, text in parsed.scripts if attrs.get("id") == "comptoir-course"]
    assert len(data) == 1 and json.loads(data[0]) == bundle
    assert "<" not in data[0]
    assert parsed.html == {"lang": "fr", "data-transport": "scorm12"}
    assert b"<title>Titre {{bundle}} &amp; &lt;b&gt;</title>" in page


def test_page_is_deterministic_and_checks_its_transport():
    bundle = load_bundle("it")
    first = player.page(bundle, "web", "Corso", "it")
    assert first == player.page(json.loads(json.dumps(bundle)), "web", "Corso", "it")
    assert b'<html lang="it" data-transport="web">' in first
    with pytest.raises(ValueError, match="scorm2004"):
        player.page(bundle, "xapi", "Corso", "it")


def test_files_are_every_player_module_plus_engine_and_scoring():
    own = {f"player/{p.name}" for p in PLAYER.iterdir() if p.suffix in (".js", ".css")}
    engine = (REPO / "comptoir" / "adaptive" / "engine.js").read_bytes()
    if (resources.files("comptoir") / "scoring.js").is_file():
        files = player.files()
        assert set(files) == own | {"player/engine.js", "player/scoring.js"}
        assert files["player/engine.js"] == engine
        assert list(files) == sorted(files)
    else:
        with pytest.raises(FileNotFoundError, match="comptoir/scoring.js is missing"):
            player.files()
    assert "player/index.html" not in own and "player/__init__.py" not in own


def test_player_modules_import_only_their_siblings():
    """No CDN, no bare package names, no build step: every import is ./name.js in the package."""
    shipped = {p.name for p in PLAYER.glob("*.js")} | {"engine.js", "scoring.js"}
    for path in PLAYER.glob("*.js"):
        for target in re.findall(r'^\s*(?:import|export)[^"\n]*?from\s+"([^"]+)"', path.read_text(), re.M):
            assert target.startswith("./") and target[2:] in shipped, f"{path.name} imports {target}"
        assert "http://" not in path.read_text() and "https://" not in path.read_text(), path.name


def test_only_bundle_html_is_parsed():
    """innerHTML appears once, in dom.js, for build-time HTML from the bundle."""
    uses = {p.name: p.read_text().count("innerHTML =") for p in PLAYER.glob("*.js")}
    assert {name: n for name, n in uses.items() if n} == {"dom.js": 2}


@pytest.mark.parametrize("ref, expected", [
    ("ch-arc:b.1", "ch-arc:b.1"), ("be-occ:D140801-Id17425", "be-occ:D140801-Id17425"),
    ("fr-accueil:T22.7", "fr-accueil:T22.7"), ("x_y:é", "x_5Fy:_C3_A9"), ("a b:c", "a_20b:c")])
def test_objective_ids(ref, expected):
    oid = objective_id(ref)
    assert oid == expected
    assert re.fullmatch(r"[\x21-\x7e]{1,255}", oid)  # SCORM 1.2 CMIIdentifier: printable, no white space
    # Reversible, so two references never share an objective:
    assert re.sub(r"_([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), oid).encode("latin-1").decode() == ref


def test_every_shipped_reference_is_its_own_objective_id():
    """Framework ids and space-free codes are kept as they are, readable in any LMS report."""
    refs = set()
    for path in (REPO / "content" / "crosswalks").glob("*.csv"):
        refs |= set(re.findall(r"[a-z0-9-]+:[A-Za-z0-9.-]+", path.read_text(encoding="utf-8")))
    assert len(refs) > 50
    assert {ref for ref in refs if objective_id(ref) != ref} == set()


def _player_msgids() -> set[str]:
    """Every French msgid the player passes to t() or plural(), read from its sources."""
    string = r'"((?:[^"\\]|\\.)*)"'
    out = set()
    for path in PLAYER.glob("*.js"):
        src = path.read_text()
        out |= set(re.findall(r"\bt\(\s*" + string, src))
        out |= {m[0] for m in re.findall(r"\bplural\([^,]+,\s*" + string + r",\s*" + string, src)}
    out |= {player.NOSCRIPT, player.UNLOADED}
    return out


@pytest.mark.parametrize("language", ["fr", "it", "en"])
def test_every_player_word_is_in_the_catalog(language):
    with (REPO / "locales" / language / "LC_MESSAGES" / "comptoir.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    msgids = _player_msgids()
    assert len(msgids) > 50
    for msgid in msgids:
        message = catalog.get(msgid)
        assert message is not None, f"{language}: {msgid!r} missing from comptoir.po"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, f"{language}: {msgid!r} untranslated"
        placeholders = set(re.findall(r"\{\w+\}", msgid))
        for s in strings:
            assert set(re.findall(r"\{\w+\}", s)) == placeholders, f"{language}: {msgid!r} → {s!r}"


def test_ui_words_give_plural_forms_by_cldr_category():
    ui = words("it").messages
    assert ui["Valider"] == "Verifica"
    assert ui["{n} minute de lecture"] == {"one": "{n} minuto di lettura", "other": "{n} minuti di lettura"}
    french = words("fr").messages  # French plurals keep their two source forms; other words are msgids
    assert french["{n} minute de lecture"] == {"one": "{n} minute de lecture", "other": "{n} minutes de lecture"}
    assert "Valider" not in french


def test_every_stylesheet_rule_is_scoped_to_the_player():
    """Embedded in an LMS page (XBlock, SCORM frame), the player must not restyle the page around it."""
    css = re.sub(r"/\*.*?\*/", "", resources.files(player).joinpath("player.css").read_text(encoding="utf-8"), flags=re.S)
    selectors = [s.strip() for block in re.findall(r"([^{}@]+)\{[^{}]*\}", css) for s in block.split(",")]
    assert len(selectors) > 50
    assert [s for s in selectors if s != ".player" and not s.startswith(".player ")] == []
