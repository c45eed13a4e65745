"""`comptoir preview` as an author uses it: the command in a subprocess on a copy of the test
course, the page in headless Chromium. A lesson and an item opened from the jump list in two
locales, an answer with its feedback and the mastery panel moving, a source edited (the page
follows), a source broken (the diagnostic shows over the last good build), traversal refused."""
from __future__ import annotations

import http.client
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from .harness import REPO, BrowserError

DATA = REPO / "tests" / "data" / "anki"
READY = "#comptoir-player[data-ready]"
BAR = "#comptoir-preview-bar"
PCT = "() => document.querySelector('.mastery li[data-ref=\"tf:x.1\"] .pct').textContent"


class Preview:
    """The command running in the background; its stderr is read in a thread so it never blocks."""

    def __init__(self, content: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "comptoir", "--content", str(content), "preview",
                                      "--port", "0", "--course", "demo"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=content.parent)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._wait_for_url()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line)

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            seen.append(line)
            if found := re.search(r"serving (http://127\.0\.0\.1:\d+)/", line):
                return found.group(1)
        raise AssertionError(f"comptoir preview did not start: {''.join(seen)}")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def start(folder: Path) -> tuple[Preview, Path]:
    content = folder / "project" / "content"
    shutil.copytree(DATA, content)
    return Preview(content), content


@pytest.fixture()
def preview(tmp_path: Path, browser) -> Iterator[tuple[Preview, Path]]:
    server, content = start(tmp_path)
    yield server, content
    server.close()


@pytest.fixture(scope="module")
def untouched(tmp_path_factory) -> Iterator[Preview]:
    """One preview for every traversal attempt (no browser needed: raw HTTP)."""
    server, _ = start(tmp_path_factory.mktemp("traversal"))
    yield server
    server.close()


def wait_until(check: Callable[[], object], what: str, seconds: float = 20) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = check()
        except BrowserError:  # the page is navigating: ask again
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def jump(browser, kind: str, ident: str) -> None:
    browser.call("click", selector=f"{BAR} .cp-jump summary")
    browser.call("click", selector=f"{BAR} .cp-jump li[data-{kind}='{ident}'] > a")
    browser.call("waitFor", selector=f"#comptoir-main .activity[data-{kind}='{ident}'] h2")


def text(browser, css: str) -> str:
    return browser.eval("(css) => document.querySelector(css).textContent", css)


def version(browser) -> str | None:
    return browser.eval(f"() => document.querySelector('{BAR}')?.dataset.version ?? null")


def answer_first_choice(browser) -> None:
    """x1-q1's right answer is its first choice (the source's choice a, shown first)."""
    browser.call("click", selector=".option input[value='0']")
    browser.call("click", selector=".item-form > button.primary")
    browser.call("waitFor", selector=".result .verdict")


def test_an_author_previews_edits_and_breaks_a_course(browser, preview):
    server, content = preview
    browser.new_page()
    browser.call("goto", url=server.url + "/")  # redirects to the course's first locale
    browser.call("waitFor", selector=f"html[lang='fr-CH'] {READY}")
    browser.call("waitFor", selector=BAR)

    # French: a lesson, then an item, both from the jump list.
    jump(browser, "lesson", "x1-saluer")
    assert text(browser, "#comptoir-main .activity h2") == "Saluer le client"
    assert "Le sourire s'entend" in text(browser, "#comptoir-main .lesson-body")
    jump(browser, "item", "x1-q1")
    assert text(browser, "#comptoir-main .activity h2") == "Question"
    before = browser.eval(PCT)
    answer_first_choice(browser)
    assert "Bonne réponse" in text(browser, ".result .verdict")
    assert "Salutation, entreprise et prénom." in text(browser, ".option .choice-feedback")
    after = browser.eval(PCT)
    assert before.startswith("20") and after != before, (before, after)

    # Reveal keys: the key of the item on screen, in words.
    browser.call("click", selector="#cp-keys")
    browser.call("waitFor", selector=f"{BAR} .cp-current-key")
    assert "Bonjour, Comptoir SA" in text(browser, f"{BAR} .cp-current-key")

    # Italian: the locale switch keeps the item on screen; the player speaks Italian.
    browser.call("select", selector="#cp-locale", value="it")
    browser.call("waitFor", selector=f"html[lang='it-CH'] {READY}")
    browser.call("waitFor", selector="#comptoir-main .activity[data-item='x1-q1'] h2")
    assert text(browser, "#comptoir-main .activity h2") == "Domanda"
    assert "Salutare il cliente" in text(browser, ".mastery li[data-ref='tf:x.1']")
    before = browser.eval(PCT)
    answer_first_choice(browser)
    assert "Risposta corretta" in text(browser, ".result .verdict")
    assert browser.eval(PCT) != before
    jump(browser, "lesson", "x1-saluer")
    assert text(browser, "#comptoir-main .activity .kicker") == "Lezione"

    # An edit: the page reloads by itself on the new build (and stays on the lesson).
    lesson = content / "lessons" / "demo" / "x1-saluer.md"
    was = version(browser)
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("title: Saluer le client",
                                                                 "title: Saluer chaque client"), encoding="utf-8")
    wait_until(lambda: version(browser) not in (None, was), "the page to reload after an edit")
    browser.call("waitFor", selector=READY)
    wait_until(lambda: text(browser, "#comptoir-main .activity h2") == "Saluer chaque client",
               "the edited lesson title")

    # A YAML error: the diagnostic (file:line, message, hint) over the last good build.
    broken = content / "lessons" / "demo" / "x2-monnaie.md"
    lines = broken.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(n for n, text_ in enumerate(lines, 1) if text_.startswith("prompt: Remettez"))
    lines[line - 1] = "prompt: Le client dit : « rendez-moi la monnaie »\n"
    was = version(browser)
    broken.write_text("".join(lines), encoding="utf-8")
    wait_until(lambda: version(browser) not in (None, was), "the page to reload after breaking a source")
    browser.call("waitFor", selector=f"{BAR} .cp-diagnostics")
    shown = text(browser, f"{BAR} .cp-diagnostics")
    assert f"lessons/demo/x2-monnaie.md:{line}:" in shown
    assert "yaml-syntax" in shown and "mapping values are not allowed here" in shown
    assert "French typography puts a space before ':'" in shown
    assert "last good build" in shown
    browser.call("waitFor", selector=READY)  # the player still runs on the previous build
    assert text(browser, "#comptoir-main .activity h2") == "Saluer chaque client"
    assert [e for e in browser.call("events") if e["kind"] == "pageerror"] == []


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/c/demo/fr/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
    "/c/demo/fr/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/c/demo/fr/..%2f..%2f..%2fetc%2fpasswd",
    "/c/demo/fr/media/..%5c..%5cdemo.yaml", "/c/demo/fr/player/%2E%2E/index.html", "/courses/demo.yaml",
    "/content/courses/demo.yaml", "/c/demo/fr/lessons/demo/x1-saluer.md", "/__comptoir/../../etc/passwd",
    "/__comptoir/preview.py", "/c/demo/fr/%00",
])
def test_nothing_outside_the_package_is_served(untouched, path):
    server = untouched
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)  # the path goes out as written
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 404, (path, response.status)
    assert b"root:" not in body and b"framework:" not in body
