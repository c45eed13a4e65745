"""The player in Italian: every word from comptoir.po, numbers and plurals by the region (it-CH)."""
from __future__ import annotations

from comptoir.i18n import words

from .harness import build_package, load_bundle
from .learner import Learner, first_wrong

TEXTS = """() => ({
  lang: document.documentElement.lang,
  kicker: document.querySelector('.kicker').textContent,
  meta: document.querySelector('.meta').textContent,
  count: document.querySelector('.mastery-count').textContent,
  pct: [...document.querySelectorAll('.mastery .pct')].map(e => e.textContent),
  button: document.querySelector('.activity .actions button').textContent,
  why: document.querySelector('.why').textContent,
  side: [...document.querySelectorAll('.side h2')].map(e => e.textContent)})"""


def test_italian_course_speaks_italian_and_counts_the_swiss_way(browser, served):
    root, url = served
    bundle = load_bundle("it")
    bundle["ui"] = dict(words("it").messages)
    build_package(root / "pkg", bundle, "web")
    browser.new_page(360, 640)
    browser.call("goto", url=f"{url}/pkg/index.html")
    browser.call("waitFor", selector="[data-ready]")
    texts = browser.eval(TEXTS)
    assert texts["lang"] == "it"
    assert texts["kicker"] == "Lezione"
    assert texts["meta"] == "6 minuti di lettura"
    assert texts["count"] == "0 competenze acquisite su 2"
    assert texts["pct"] == ["20%", "20%"]
    assert texts["button"] == "Ho letto la lezione, continua"
    assert texts["why"].startswith("Nuova competenza: «Offrire a nuovi clienti")
    assert texts["side"] == ["La Sua padronanza", "Lezioni", "I Suoi progressi"]
    learner = Learner(browser, bundle, policy=first_wrong,
                      read_state=lambda: browser.eval("() => JSON.parse(localStorage.getItem('comptoir:demo-accueil:it')).state"))
    log = learner.run()
    assert log[-1] == ("end", "Corso superato", None)
    assert {what for kind, what, _ in log if kind == "item"} == {"true-false", "fill-in", "matching", "numeric"}
    assert browser.eval("() => document.querySelector('.mastery-count').textContent") == "2 competenze acquisite su 2"
    assert [e for e in browser.call("events") if e["kind"] in ("error", "pageerror")] == []
