"""The pure half of `comptoir preview` (comptoir.preview, comptoir.answer_key): routing, what a page
holds, what a broken source does, and that the preview is the web target's package. The browser
half is tests/browser/test_preview.py."""
from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from comptoir.answer_key import readable_key, readable_keys
from comptoir.build import course_context
from comptoir.exporters.web import WebExporter
from comptoir.i18n import localise
from comptoir.preview import Site, load, package, segments
from comptoir.project import locales_dir
from comptoir.resolve import resolve

from .browser.harness import load_bundle
from .conftest import REPO

DATA = REPO / "tests" / "data" / "anki"
TRAVERSALS = ["/../../etc/passwd", "/c/demo/fr/../../../etc/passwd", "/%2e%2e/etc/passwd", "/c/demo/fr/%2E%2E/x",
              "/c/demo/fr/..%2f..%2fetc%2fpasswd", "/c/demo/fr/..%5c..%5cx", "/c/demo/fr/./index.html",
              "/c/demo/fr/%00", "/c/demo/fr/media/%ff%fe", "relative/path", "/__comptoir/../version"]


@pytest.fixture(scope="module")
def site() -> Site:
    served = Site("demo", "fr")
    served.update(load(DATA))
    return served


def config_of(page: bytes) -> dict:
    found = re.search(rb'<script type="application/json" id="comptoir-preview">(.*?)</script>', page, re.S)
    assert found, "no preview data in the page"
    return json.loads(found.group(1).decode("utf-8"))


@pytest.mark.parametrize("path", TRAVERSALS)
def test_paths_that_could_climb_are_refused_before_any_lookup(path, site):
    assert segments(path) is None
    assert site.respond(path).status == 404


def test_routes(site):
    home = site.respond("/")
    assert (home.status, home.location) == (302, "/c/demo/fr/index.html")
    assert site.respond("/c/demo/it/").location == "/c/demo/it/index.html"
    assert json.loads(site.respond("/__comptoir/version").body) == {"version": 1}
    script = site.respond("/__comptoir/preview.js")
    assert script.status == 200 and script.content_type.startswith("text/javascript") and b"hashchange" in script.body
    app = site.respond("/c/demo/fr/player/app.js")
    assert app.status == 200 and app.content_type.startswith("text/javascript")
    media = site.respond("/c/demo/fr/" + next(p for p in site.package("demo", "fr").files if p.startswith("media/")))
    assert media.status == 200 and media.content_type == "image/png"
    for missing in ("/c/demo/fr/player/nothing.js", "/c/nothing/fr/player/app.js", "/courses/demo.yaml",
                    "/__comptoir/preview.py", "/c/demo/fr/lessons/demo/x1-saluer.md"):
        assert site.respond(missing).status == 404, missing


def test_the_page_is_the_players_with_the_overlay_added(site):
    page = site.respond("/c/demo/it/index.html")
    assert page.status == 200
    player_page = site.package("demo", "it").files["index.html"]
    # The player's own page is untouched: the overlay is inserted before </body>, nothing else changes.
    assert page.body.replace(re.search(rb'<link rel="stylesheet" href="/__comptoir/preview.css">.*?</script>\n',
                                       page.body, re.S).group(0), b"") == player_page
    config = config_of(page.body)
    assert (config["course"], config["language"], config["stale"]) == ("demo", "it", False)
    assert [c["id"] for c in config["courses"]] == ["demo"] and config["courses"][0]["locales"] == ["fr", "it", "en"]
    lessons = {lesson["id"]: [item["id"] for item in lesson["items"]] for lesson in config["outline"]}
    assert lessons["x1-saluer"][:2] == ["x1-q1", "x1-q2"]
    assert set(config["keys"]) == {i for ids in lessons.values() for i in ids}


def test_the_preview_serves_the_web_targets_package(site):
    """Every file of the web zip, byte for byte, and nothing else (an independent build through the exporter)."""
    content = site.good
    resolved = resolve(content, "demo")
    localised, _ = localise(resolved, "fr", locales_dir(content))
    (artifact,) = WebExporter().export(localised, course_context(resolved, 0, "fr"))
    with zipfile.ZipFile(io.BytesIO(artifact.data)) as archive:
        zipped = {name: archive.read(name) for name in archive.namelist()}
    assert dict(package(content, "demo", "fr").files) == zipped


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(DATA, root)
    return root


def test_a_broken_source_keeps_the_last_good_build_and_says_why(tmp_path):
    root = _copy(tmp_path)
    served = Site("demo", "fr")
    served.update(load(root))
    lesson = root / "lessons" / "demo" / "x2-monnaie.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("prompt: Remettez", "prompt: Le client dit : « rendez » Remettez"), encoding="utf-8")
    broken = load(root)
    assert broken.content is None and [d.code for d in broken.blocking] == ["yaml-syntax"]
    served.update(broken)
    page = served.respond("/c/demo/fr/index.html")
    assert page.status == 200 and b'id="comptoir-course"' in page.body  # the previous build
    config = config_of(page.body)
    assert config["stale"] is True and config["version"] == 2
    (error,) = [d for d in config["diagnostics"] if d["code"] == "yaml-syntax"]
    line = text[:text.index("prompt: Remettez")].count("\n") + 1
    assert (error["path"], error["line"]) == ("content/lessons/demo/x2-monnaie.md", line)
    assert "French typography" in error["hint"]
    lesson.write_text(text, encoding="utf-8")
    served.update(load(root))
    assert config_of(served.respond("/c/demo/fr/index.html").body)["stale"] is False


def test_broken_from_the_start_shows_the_diagnostics_alone(tmp_path):
    root = _copy(tmp_path)
    (root / "courses" / "demo.yaml").write_text("title: [\n", encoding="utf-8")
    served = Site()
    served.update(load(root))
    page = served.respond("/")
    assert page.status == 200 and b'id="comptoir-course"' not in page.body
    assert any(d["path"] == "content/courses/demo.yaml" for d in config_of(page.body)["diagnostics"])


def test_a_coverage_gap_does_not_stop_the_preview(tmp_path):
    root = _copy(tmp_path)
    lesson = root / "lessons" / "demo" / "x1-saluer.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text[:text.index(":::{quiz} x1-q7")], encoding="utf-8")  # x.1 drops to 5 items
    loaded = load(root)
    errors = {d.code for d in loaded.diagnostics if d.severity.value == "error"}
    assert loaded.content is not None and errors == {"coverage"}


def test_readable_keys_say_the_right_answer_in_words():
    bundle = load_bundle("fr")
    keys = readable_keys(bundle)
    assert set(keys) == {item["id"] for item in bundle["items"]}
    for item in bundle["items"]:
        view, key, shown = item["view"], item["key"], readable_key(item)
        if item["type"] in ("single", "multiple"):
            assert all(view["choices"][i] in shown for i in key["correct"])
            assert not any(c in shown for i, c in enumerate(view["choices"]) if i not in key["correct"])
        elif item["type"] == "sequencing":
            positions = [shown.index(view["steps"][p]) for p in key["order"]]
            assert positions == sorted(positions)
        elif item["type"] == "matching":
            for left, right in zip(view["left"], key["pairs"]):
                assert f"{left} → {view['right'][right]}" in shown
        elif item["type"] == "true-false":
            assert ("true" if key["answer"] else "false") in shown
        elif item["type"] == "fill-in":
            assert all(answer in shown for answer in key["answers"])
        elif item["type"] == "scenario":
            assert shown.endswith("<b>success</b></p>")
