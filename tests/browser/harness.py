"""Browser-test plumbing: build a player package on disk (from a fixture bundle, or with the real
`comptoir build`), serve it on loopback, put scorm-again around it as the LMS, drive Chromium.

Used by tests/browser, bench/player.py and bench/packages.py. Nothing here knows what a test expects.
"""
from __future__ import annotations

import contextlib
import functools
import io
import json
import re
import shutil
import subprocess
import threading
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

from comptoir import player
from comptoir.adaptive.course import EngineCourse, EngineItem, EngineLesson, Params
from comptoir.cli import main as comptoir_main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NODE_MODULES = REPO / "node_modules"
CHROMIUM = Path("/usr/bin/chromium")
#: The lesson image the French fixture shows (a sample lesson's own figure).
MEDIA = REPO / "content" / "lessons" / "sample" / "phases-appel.svg"
CONTENT = REPO / "content"
#: The LMS page (scorm-again around the package, in a frame named "sco") and scorm-again's build per version.
LMS_PAGE = Path(__file__).resolve().with_name("lms.html")
SCORM_AGAIN = {"12": "scorm12.js", "2004": "scorm2004.js"}
INLINED = re.compile(rb'<script type="application/json" id="comptoir-course">(.*?)</script>', re.S)


def load_bundle(lang: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"bundle.{lang}.json").read_text(encoding="utf-8"))


def scoring_ready() -> bool:
    return (resources.files("comptoir") / "scoring.js").is_file()


def package_files() -> dict[str, bytes]:
    """`player.files()`; while comptoir/scoring.js has not landed, the same with the dev copy."""
    if scoring_ready():
        return player.files()
    files = {**player._own_files(), "player/engine.js": player._sibling("comptoir.adaptive", "engine.js"),
             "player/scoring.js": (FIXTURES / "scoring.js").read_bytes()}
    return dict(sorted(files.items()))


def build_package(root: Path, bundle: dict[str, Any], transport: str) -> Path:
    """The package layout exporters produce (docs/player.md), written under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for path, data in package_files().items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    (root / "media").mkdir(exist_ok=True)
    shutil.copyfile(MEDIA, root / "media" / MEDIA.name)
    (root / "index.html").write_bytes(player.page(bundle, transport, bundle["course"]["title"],
                                                  bundle["course"]["language"]))
    return root


def comptoir_build(out: Path, targets: Sequence[str], courses: Sequence[str],
                   locales: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Build with the real command line (`comptoir --content content build --quiet …`) into `out`;
    the artifacts of its manifest.json. The build's warnings are swallowed, its failure is raised."""
    argv = ["--content", str(CONTENT), "build", "--quiet"]
    for flag, values in (("--target", targets), ("--course", courses), ("--locale", locales)):
        for value in values:
            argv += [flag, value]
    argv += ["--out", str(out)]
    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        code = comptoir_main(argv)
    if code != 0:
        raise RuntimeError(f"comptoir {' '.join(argv)} exited {code}:\n{said.getvalue()[-3000:]}")
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["artifacts"]


def unzip(archive: Path, root: Path) -> Path:
    """A built package unpacked under `root`, as a school puts it on a web server or an LMS does."""
    with zipfile.ZipFile(archive) as z:
        z.extractall(root)
    return root


def inlined_bundle(page: bytes) -> dict[str, Any]:
    """The course bundle a built index.html carries (`<` is written `\\u003c`, a JSON escape)."""
    found = INLINED.search(page)
    if found is None:
        raise ValueError("no <script id=comptoir-course> in the page")
    return json.loads(found.group(1))


def install_lms(root: Path, version: str) -> Path:
    """lms.html and scorm-again's SCORM `version` ("12" or "2004") runtime into `root`; packages go beside."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(NODE_MODULES / "scorm-again" / "dist" / SCORM_AGAIN[version], root / "scorm-again.js")
    shutil.copyfile(LMS_PAGE, root / "lms.html")
    return root


def lms_url(base: str, version: str, src: str, refuse: str | None = None, mode: str | None = None) -> str:
    """The LMS page at `base` (where install_lms put it) launching the package page `src` (relative)."""
    return (f"{base}/lms.html?v={version}&src={src}" + (f"&refuse={refuse}" if refuse else "")
            + (f"&mode={mode}" if mode else ""))


class _Quiet(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as any real web server or LMS serves a package

    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a page closed mid-request (the next test's new page) is not a server error


class Server:
    """http.server on 127.0.0.1, a random port, in a thread."""

    def __init__(self, root: Path) -> None:
        handler = functools.partial(_Quiet, directory=str(root))
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class BrowserError(RuntimeError):
    pass


class Browser:
    """One Chromium through tests/browser/bridge.mjs; `frame` names an iframe to act in."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(["node", str(Path(__file__).with_name("bridge.mjs"))], cwd=REPO,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def call(self, op: str, **args: Any) -> Any:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise BrowserError(f"the browser bridge exited (code {self.proc.wait()}) during {op}")
        answer = json.loads(line)
        if not answer["ok"]:
            raise BrowserError(f"{op} {args}: {answer['error']}")
        return answer["value"]

    def new_page(self, width: int = 1280, height: int = 900) -> None:
        self.call("newPage", width=width, height=height)

    def eval(self, fn: str, arg: Any = None, frame: str | None = None) -> Any:
        return self.call("eval", fn=fn, arg=arg, frame=frame)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.call("close")
            except BrowserError:
                pass
            self.proc.wait(timeout=10)


def engine_course(engine: dict[str, Any]) -> EngineCourse:
    """The Python EngineCourse of a bundle's `engine` dict (the inverse of EngineCourse.to_dict)."""
    return EngineCourse(
        competencies=tuple(engine["competencies"]), n_own=engine["nOwn"],
        params=tuple(Params(*p) for p in engine["params"]),
        prerequisites=tuple(tuple(x) for x in engine["prerequisites"]),
        exact_matches=tuple(tuple(x) for x in engine["exactMatches"]),
        items=tuple(EngineItem(i[0], tuple(i[1]), i[2], i[3]) for i in engine["items"]),
        lessons=tuple(EngineLesson(les[0], tuple(les[1])) for les in engine["lessons"]),
        threshold=engine["threshold"], review_base=engine["reviewBase"])
