"""The cmi5 side of the browser tests: a real LRS (Ralph, from PyPI) and a test LMS in front of it.

**The LRS is real**: Ralph (``ralph-malph`` on PyPI, France Université Numérique's Learning Record
Store), run from its own virtual environment (``.lrs/ralph-<version>``, made on first use like
``node_modules``; ``COMPTOIR_RALPH_VENV`` points elsewhere) with its file-system backend on a
loopback port. It stores and serves the Statement API: validation, ids, conflicts, paging. One
setting is made for it (``ralph_app.py``): its file-system backend appends instead of creating its
file on every write, without which it stores one statement only.

**The LMS is a STAND-IN** written for these tests (:class:`Lms`), as any cmi5 LMS sits in front of
its LRS: it launches the assignable unit with real cmi5 launch parameters, hands out one-time
authorization tokens from its ``fetch`` URL, keeps the **State API** and the **Agent Profile API**
(which Ralph does not implement) in memory, and forwards the Statement API to Ralph under its own
account once it has checked the AU's token. It answers with CORS headers, since the package and the
LMS are on different origins here as they usually are, and it can be cut off (:attr:`Lms.down`:
connections closed without an answer, as an unreachable server) to test the AU's offline queue, or
lose its answers to statements it did store (:attr:`Lms.lose_answers`), so that the AU sends them
again.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from comptoir.xapi import CATEGORY_CMI5, CMI5, EXTENSION_MASTERY_SCORE, EXTENSION_SESSION_ID, VERBS, XAPI_VERSION

from .harness import REPO

RALPH_VERSION = "5.1.0"
RALPH_REQUIREMENTS = (f"ralph-malph[lrs,cli]=={RALPH_VERSION}", "requests")
RALPH_USER, RALPH_PASSWORD = "lms", "lms-secret"
LMS_HOME = "https://lms.test"  # the homePage of the LMS's accounts (an identifier, never fetched)


class Unavailable(RuntimeError):
    """Ralph could not be installed or started here; the message says why."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ralph_venv() -> Path:
    """Ralph's virtual environment, made and filled from PyPI when absent."""
    venv = Path(os.environ.get("COMPTOIR_RALPH_VENV", REPO / ".lrs" / f"ralph-{RALPH_VERSION}"))
    python = venv / "bin" / "python"
    if (venv / "bin" / "ralph").is_file():
        return venv
    try:
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True, capture_output=True, text=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        *RALPH_REQUIREMENTS], check=True, capture_output=True, text=True, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(venv, ignore_errors=True)
        detail = getattr(exc, "stderr", "") or str(exc)
        raise Unavailable(f"Ralph (the LRS) could not be installed from PyPI into {venv}: {detail.strip()[-400:]}")
    return venv


class Ralph:
    """Ralph's LRS on 127.0.0.1 with the file-system backend under ``workdir``, one account."""

    def __init__(self, workdir: Path, page_size: int = 20) -> None:
        venv = ralph_venv()
        workdir.mkdir(parents=True, exist_ok=True)
        auth = workdir / "auth.json"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI/"
        env = {**os.environ, "RALPH_AUTH_FILE": str(auth), "RALPH_HISTORY_FILE": str(workdir / "history.json"),
               "RALPH_APP_DIR": str(workdir), "RALPH_RUNSERVER_BACKEND": "fs",
               "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(workdir / "data"),
               "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": str(page_size)}
        (workdir / "data").mkdir(exist_ok=True)
        done = subprocess.run([str(venv / "bin" / "ralph"), "auth", "-u", RALPH_USER, "-p", RALPH_PASSWORD, "-s", "all",
                               "-A", RALPH_USER, LMS_HOME, "-w"], env=env, capture_output=True, text=True, cwd=workdir)
        if done.returncode != 0 or not auth.is_file():
            raise Unavailable(f"ralph auth failed: {done.stderr.strip()[-400:]}")
        self.log = open(workdir / "ralph.log", "w")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen([str(venv / "bin" / "python"), "-m", "uvicorn", "ralph_app:app", "--app-dir",
                                      str(Path(__file__).parent), "--host", "127.0.0.1", "--port", str(self.port)],
                                     env=env, cwd=workdir, stdout=self.log, stderr=subprocess.STDOUT)
        self.authorization = "Basic " + base64.b64encode(f"{RALPH_USER}:{RALPH_PASSWORD}".encode()).decode()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                self.request("GET", "statements", {"limit": "1"})
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        self.close()
        raise Unavailable(f"Ralph did not start: {(workdir / 'ralph.log').read_text()[-600:]}")

    def request(self, method: str, resource: str, params: dict | None = None, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes, dict]:
        url = self.url + resource + ("?" + urlencode(params) if params else "")
        wanted = {"X-Experience-API-Version": XAPI_VERSION, "Authorization": self.authorization,
                  **({"Content-Type": "application/json"} if body is not None else {}), **(headers or {})}
        request = urllib.request.Request(url, data=body, method=method, headers=wanted)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.read(), dict(answer.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)

    def statements(self, registration: str | None = None) -> list[dict]:
        """Every statement Ralph holds (all pages), those of ``registration`` when given."""
        out, params = [], {"limit": "0", "ascending": "true"}
        resource = "statements"
        while True:
            status, body, _ = self.request("GET", resource, params)
            assert status == 200, (status, body[:300])
            page = json.loads(body)
            out.extend(page["statements"])
            if not page.get("more"):
                break
            more = urlsplit(page["more"])
            resource, params = "statements", {k: v[0] for k, v in parse_qs(more.query).items()}
        if registration is not None:
            out = [s for s in out if s.get("context", {}).get("registration") == registration]
        return out

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def agent_key(agent: str | dict) -> str:
    data = json.loads(agent) if isinstance(agent, str) else agent
    account = data.get("account") or {}
    return json.dumps([data.get("mbox"), data.get("mbox_sha1sum"), data.get("openid"),
                       account.get("homePage"), account.get("name")])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_LmsServer"

    def log_message(self, *args: Any) -> None:
        pass

    # -- plumbing ---------------------------------------------------------------------------
    def cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
        self.send_header("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Experience-API-Version")
        self.send_header("Access-Control-Expose-Headers", "X-Experience-API-Version, ETag, Last-Modified")
        self.send_header("Access-Control-Max-Age", "0")

    def answer(self, status: int, body: bytes = b"", content_type: str = "application/json") -> None:
        self.send_response(status)
        self.cors()
        self.send_header("X-Experience-API-Version", XAPI_VERSION)
        if body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def cut_off(self) -> bool:
        """While the LMS is down, a request is read and the connection closed without an answer."""
        if not self.server.lms.down:
            return False
        self.server.lms.refused += 1
        self.close_connection = True
        return True

    # -- routes -----------------------------------------------------------------------------
    def do_OPTIONS(self) -> None:  # CORS preflight
        if self.cut_off():
            return
        self.answer(204)

    def do_GET(self) -> None:
        self.route("GET")

    def do_PUT(self) -> None:
        self.route("PUT")

    def do_POST(self) -> None:
        self.route("POST")

    def do_DELETE(self) -> None:
        self.route("DELETE")

    def route(self, method: str) -> None:
        body = self.body()
        if self.cut_off():
            return
        lms = self.server.lms
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path.startswith("/fetch/") and method == "POST":
            return self.answer(200, json.dumps(lms.fetch(parts.path.rsplit("/", 1)[1])).encode())
        if not parts.path.startswith("/xapi/"):
            return self.answer(404)
        resource = parts.path[len("/xapi/"):]
        if resource == "about":
            return self.answer(200, json.dumps({"version": [XAPI_VERSION]}).encode())
        if not self.headers.get("X-Experience-API-Version"):
            return self.answer(400, b'{"error": "X-Experience-API-Version header missing"}')
        session = lms.session_of(self.headers.get("Authorization", ""))
        if session is None:
            return self.answer(401, b'{"error": "unknown or expired authorization token"}')
        if resource == "statements":
            if method in ("PUT", "POST") and body:
                lms.received.append((session, method, query.get("statementId"), json.loads(body)))
            status, data, _ = lms.ralph.request(method, "statements", query or None, body or None)
            if method == "PUT" and lms.lose_answers > 0:  # stored, but the answer never reaches the AU
                lms.lose_answers -= 1
                self.close_connection = True
                return None
            return self.answer(status, data)
        if resource == "activities/state":
            return self.answer(*lms.state_api(method, query, body))
        if resource == "agents/profile":
            return self.answer(*lms.profile_api(method, query, body))
        return self.answer(404)


class _LmsServer(ThreadingHTTPServer):
    daemon_threads = True
    lms: "Lms"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class Lms:
    """The test LMS (a STAND-IN, see the module docstring) on ``http://localhost:<port>``."""

    def __init__(self, ralph: Ralph) -> None:
        self.ralph = ralph
        self.down = False
        self.refused = 0  # requests cut off while down
        self.lose_answers = 0  # this many statement PUTs are stored, then their answer is lost
        self.received: list[tuple[str, str, str | None, Any]] = []  # (session, method, statementId, body) from AUs
        self.documents: dict[tuple, tuple[str, bytes]] = {}  # State API and Agent Profile API
        self.tokens: dict[str, str] = {}  # auth token → session id
        self.fetches: dict[str, dict] = {}  # fetch key → {"token", "used"}
        self.lock = threading.Lock()
        self.httpd = _LmsServer(("127.0.0.1", 0), _Handler)
        self.httpd.lms = self
        # "localhost", not 127.0.0.1: the package is served from 127.0.0.1, so the AU talks to
        # another origin, as it does with most LMSs (CORS preflights included).
        self.origin = f"http://localhost:{self.httpd.server_address[1]}"
        self.endpoint = f"{self.origin}/xapi/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- cmi5 launch (cmi5 §8, §10) ------------------------------------------------------------
    def launch(self, au_url: str, *, actor: dict, registration: str, activity_id: str, publisher_id: str,
               mode: str = "Normal", mastery_score: float | None = None, move_on: str = "Passed",
               return_url: str | None = None) -> str:
        """Write LMS.LaunchData and a "launched" statement for a new session; the AU's launch URL."""
        session = str(uuid.uuid4())
        token = base64.b64encode(secrets.token_bytes(24)).decode()
        key = secrets.token_hex(12)
        with self.lock:
            self.tokens[token] = session
            self.fetches[key] = {"token": token, "used": False}
        template = {"contextActivities": {"grouping": [{"objectType": "Activity", "id": publisher_id}]},
                    "extensions": {EXTENSION_SESSION_ID: session}}
        launch_data = {"contextTemplate": template, "launchMode": mode, "moveOn": move_on}
        if mastery_score is not None:
            launch_data["masteryScore"] = mastery_score
        if return_url:
            launch_data["returnURL"] = return_url
        self.put_document(("state", activity_id, agent_key(actor), registration, "LMS.LaunchData"),
                          json.dumps(launch_data).encode())
        launched = {"id": str(uuid.uuid4()), "actor": actor,
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/launched", "display": {"en-US": "launched"}},
                    "object": {"objectType": "Activity", "id": activity_id},
                    "context": {**json.loads(json.dumps(template)), "registration": registration,
                                "extensions": {**template["extensions"], CMI5 + "context/extensions/launchmode": mode,
                                               CMI5 + "context/extensions/launchurl": au_url,
                                               CMI5 + "context/extensions/moveon": move_on,
                                               **({EXTENSION_MASTERY_SCORE: mastery_score}
                                                  if mastery_score is not None else {})}},
                    "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())}
        launched["context"]["contextActivities"]["category"] = [{"id": CATEGORY_CMI5}]
        status, body, _ = self.ralph.request("PUT", "statements", {"statementId": launched["id"]},
                                             json.dumps(launched).encode())
        assert status == 204, (status, body)
        query = urlencode({"endpoint": self.endpoint, "fetch": f"{self.origin}/fetch/{key}",
                           "actor": json.dumps(actor), "registration": registration, "activityId": activity_id})
        return f"{au_url}?{query}"

    def fetch(self, key: str) -> dict:
        """cmi5 §8.2: a token once, then error 1."""
        with self.lock:
            entry = self.fetches.get(key)
            if entry is None:
                return {"error-code": "2", "error-text": "Unknown fetch URL."}
            if entry["used"]:
                return {"error-code": "1", "error-text": "The authorization token has already been returned."}
            entry["used"] = True
            return {"auth-token": entry["token"]}

    def session_of(self, authorization: str) -> str | None:
        scheme, _, token = authorization.partition(" ")
        return self.tokens.get(token) if scheme == "Basic" else None

    # -- documents (State API, Agent Profile API) ---------------------------------------------
    def put_document(self, key: tuple, body: bytes, content_type: str = "application/json") -> None:
        with self.lock:
            self.documents[key] = (content_type, body)

    def document(self, key: tuple) -> Any:
        found = self.documents.get(key)
        return None if found is None else json.loads(found[1])

    def _document_api(self, key: tuple, method: str, body: bytes) -> tuple[int, bytes]:
        if method == "GET":
            found = self.documents.get(key)
            return (404, b"") if found is None else (200, found[1])
        if method == "PUT":
            self.put_document(key, body)
            return 204, b""
        if method == "POST":  # merge JSON objects (xAPI 1.0.3, "JSON procedure with requests")
            old = self.document(key) or {}
            self.put_document(key, json.dumps({**old, **json.loads(body)}).encode())
            return 204, b""
        if method == "DELETE":
            with self.lock:
                self.documents.pop(key, None)
            return 204, b""
        return 405, b""

    def state_api(self, method: str, query: dict, body: bytes) -> tuple[int, bytes]:
        needed = ("activityId", "agent", "stateId")
        if not all(query.get(name) for name in needed):
            return 400, b'{"error": "activityId, agent and stateId are required"}'
        key = ("state", query["activityId"], agent_key(query["agent"]), query.get("registration"), query["stateId"])
        if query["stateId"] == "LMS.LaunchData" and method != "GET":
            return 403, b'{"error": "the AU must not change LMS.LaunchData"}'
        return self._document_api(key, method, body)

    def profile_api(self, method: str, query: dict, body: bytes) -> tuple[int, bytes]:
        if not query.get("agent") or not query.get("profileId"):
            return 400, b'{"error": "agent and profileId are required"}'
        return self._document_api(("profile", agent_key(query["agent"]), query["profileId"]), method, body)

    def learner_state(self, activity_id: str, actor: dict, registration: str) -> Any:
        from comptoir.xapi import STATE_ID
        return self.document(("state", activity_id, agent_key(actor), registration, STATE_ID))


def verb_name(statement: dict) -> str:
    return next((name for name, iri in VERBS.items() if iri == statement["verb"]["id"]),
                statement["verb"]["id"].rsplit("/", 1)[-1])
