"""Player budget: gzipped JS+CSS of comptoir.player.files(), and time to the first interactive
activity in headless Chromium (median of N fresh page loads).

    python bench/player.py [--repeat 5]

Budget (DESIGN §8 keeps budgets here, not in tests): ≤ 60 KB gzipped JS+CSS, first item
interactive ≤ 300 ms. "Interactive" is the player's `comptoir:interactive` performance mark,
set once the first activity is on screen with focus on it; times are from navigation start.
Also printed: `html` (the page received), `script` (from the player's first line to
interactive: parsing the bundle, the engine's first choice, rendering) and `load`. Two courses: the French test fixture (3 competencies, 12 items) and a synthetic one of the size
DESIGN §5 plans for (40 competencies, 400 items), each opened on an item (lessons already read).
bench/packages.py reuses the measurement (`measure`, `code_size`) on the packages `comptoir build` makes.
Needs node_modules (npm ci) and /usr/bin/chromium. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import copy
import gzip
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from comptoir.adaptive.engine import initial_state, record_lesson  # noqa: E402
from comptoir.adaptive.state import encode_state  # noqa: E402
from tests.browser.harness import (Browser, Server, build_package, engine_course, load_bundle,  # noqa: E402
                                   package_files)

INTERACTIVE = """() => { const m = performance.getEntriesByName('comptoir:interactive')[0];
  const start = performance.getEntriesByName('comptoir:start')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  return {interactive: m.startTime, script: m.startTime - start.startTime, html: nav.responseEnd,
          dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
          screen: document.querySelector('#comptoir-main .activity').className}; }"""


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9, mtime=0))


def code_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """The player's JS and CSS among a package's files (path → bytes)."""
    return {path: data for path, data in sorted(files.items()) if path.endswith((".js", ".css"))}


def code_size(files: dict[str, bytes]) -> str:
    """One line: the JS+CSS bytes, gzipped file by file and as one stream, against the budget."""
    code = code_files(files)
    total = sum(gz(data) for data in code.values())
    whole = gz(b"".join(code.values()))
    return (f"JS+CSS: {sum(map(len, code.values()))} bytes; gzipped file by file {total / 1024:.1f} KB, "
            f"as one stream {whole / 1024:.1f} KB (budget 60 KB)")


def sizes() -> None:
    files = code_files(package_files())
    print(f"{'file':28} {'bytes':>8} {'gzip':>7}")
    for path, data in files.items():
        print(f"{path:28} {len(data):8} {gz(data):7}")
    print(code_size(files))


def large(bundle: dict, copies: int = 14) -> dict:
    """The fixture repeated until it has 40 competencies and ~400 items (ids made unique)."""
    out = copy.deepcopy(bundle)
    eng = bundle["engine"]
    n_own = eng["nOwn"]
    comps, lessons, items, e_items, e_lessons, params, prereq = [], [], [], [], [], [], []
    for k in range(copies):
        if len(comps) >= 40:
            break
        shift = len(comps)
        for c in bundle["competencies"][: 40 - shift]:
            comps.append({**c, "ref": f"{c['ref']}-{k}", "code": f"{c['code']}.{k}"})
        kept = len(comps) - shift
        for les, e_les in zip(bundle["lessons"], eng["lessons"]):
            if all(c < kept for c in e_les[1]):
                lessons.append({**les, "id": f"{les['id']}-{k}", "competencies": [f"{r}-{k}" for r in les["competencies"]]})
                e_lessons.append([f"{e_les[0]}-{k}", [c + shift for c in e_les[1]]])
        for rep in range(3):
            for it, e_it in zip(bundle["items"], eng["items"]):
                if all(c < kept for c in e_it[1]):
                    iid = f"{it['id']}-{k}-{rep}"
                    items.append({**it, "id": iid, "lesson": f"{it['lesson']}-{k}",
                                  "competencies": [f"{r}-{k}" for r in it["competencies"]]})
                    e_items.append([iid, [c + shift for c in e_it[1]], e_it[2], e_it[3]])
        params += eng["params"][:kept]
        prereq += [[q + shift for q in eng["prerequisites"][c] if q < kept] for c in range(min(kept, n_own))]
    out.update(competencies=comps, lessons=lessons, items=items)
    out["engine"] = {**eng, "competencies": [c["ref"] for c in comps], "nOwn": len(comps), "params": params,
                     "prerequisites": prereq, "exactMatches": [[] for _ in comps], "items": e_items,
                     "lessons": e_lessons}
    return out


def lessons_read(bundle: dict) -> str:
    course = engine_course(bundle["engine"])
    state = initial_state(course)
    for j in range(len(course.lessons)):
        record_lesson(course, state, j)
    return encode_state(course, state)


def timing(browser: Browser, url: str, bundle: dict, repeat: int) -> list[dict]:
    key = f"comptoir:{bundle['course']['id']}:{bundle['course']['language']}"
    state = lessons_read(bundle)
    runs = []
    for _ in range(repeat):
        browser.new_page()
        browser.call("goto", url=url + "/none.html")  # same origin, to preset the stored state
        browser.eval("([k, s]) => localStorage.setItem(k, JSON.stringify({state: s, location: ''}))", [key, state])
        browser.call("goto", url=url + "/pkg/index.html")
        browser.call("waitFor", selector="[data-ready]")
        runs.append(browser.eval(INTERACTIVE))
    return runs


def measure(browser: Browser, name: str, bundle: dict, put: Callable[[Path], None],
            repeat: int) -> list[dict]:
    """Time `repeat` fresh loads of the web package that `put(folder)` writes into `folder`, served
    on loopback, opened on an item; print the figures (median, min, max) and return the runs."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "none.html").write_text("<!doctype html><title>-</title>")
        put(root / "pkg")
        page = (root / "pkg" / "index.html").stat().st_size
        server = Server(root)
        try:
            runs = timing(browser, server.url, bundle, repeat)
        finally:
            server.close()
    first = {r["screen"] for r in runs}
    print(f"{name}: {len(bundle['competencies'])} competencies, {len(bundle['items'])} items, "
          f"index.html {page / 1024:.0f} KB; first screen {sorted(first)}")
    for field in ("html", "script", "interactive", "load"):
        values = [r[field] for r in runs]
        print(f"  {field:12} median {statistics.median(values):6.1f} ms   "
              f"(min {min(values):.1f}, max {max(values):.1f}, spread {max(values) - min(values):.1f}, "
              f"n={len(values)})")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes()
    browser = Browser()
    try:
        fixture = load_bundle("fr")
        for name, bundle in (("fixture", fixture), ("large", large(fixture))):
            measure(browser, name, bundle, lambda folder, b=bundle: build_package(folder, b, "web"), args.repeat)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
