"""The packages `comptoir build` makes from the shipped content: size and time to the first item.

    python bench/packages.py [--repeat 5]

Builds every player target (scorm12, scorm2004, web) of `demo`, `sample` and `ch-arc` in French
with the real command line, then prints each zip's size, the gzipped player JS+CSS (the same in
every package; budget 60 KB) and, for the built `demo` and `ch-arc` web packages, the time to the
first interactive item in headless Chromium: bench/player.py's measurement (median of `--repeat`
fresh loads, with min, max and spread; budget 300 ms), on the unzipped package served on loopback.
Needs node_modules (npm ci) and /usr/bin/chromium. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import player as player_bench  # noqa: E402  (bench/player.py)
from tests.browser.harness import Browser, comptoir_build, inlined_bundle, unzip  # noqa: E402

TARGETS = ["scorm12", "scorm2004", "web"]
COURSES = ["demo", "sample", "ch-arc"]
TIMED = ["demo", "ch-arc"]
LANGUAGE = "fr"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        started = time.perf_counter()
        artifacts = comptoir_build(dist, TARGETS, COURSES, [LANGUAGE])
        print(f"comptoir build --target {' --target '.join(TARGETS)} --course {' --course '.join(COURSES)} "
              f"--locale {LANGUAGE}: {len(artifacts)} zips in {time.perf_counter() - started:.1f} s")
        print(f"{'package':28} {'KB':>8} {'files':>6}")
        for artifact in sorted(artifacts, key=lambda a: (a["course"], a["target"])):
            with zipfile.ZipFile(dist / artifact["path"]) as z:
                count = len(z.namelist())
            print(f"{artifact['path']:28} {artifact['bytes'] / 1024:8.1f} {count:6}")
        with zipfile.ZipFile(dist / "web" / f"demo.{LANGUAGE}.zip") as z:
            files = {name: z.read(name) for name in z.namelist() if name.startswith("player/")}
        print("player in every package: " + player_bench.code_size(files))

        browser = Browser()
        try:
            for course in TIMED:
                archive = dist / "web" / f"{course}.{LANGUAGE}.zip"
                with zipfile.ZipFile(archive) as z:
                    bundle = inlined_bundle(z.read("index.html"))
                player_bench.measure(browser, f"{course}.{LANGUAGE} (web)", bundle,
                                     lambda folder, a=archive: unzip(a, folder), args.repeat)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
