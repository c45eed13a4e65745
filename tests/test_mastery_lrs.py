"""``comptoir mastery --lrs`` without a browser: statements read page by page from an LRS on
loopback (a small stand-in serving a fixed StatementResult, paged through ``more``), filtered to the
registration and the "answered" verb, ordered by timestamp, and replayed through the same engine as
``--anki``. The end-to-end run against Ralph's real LRS is tests/browser/test_player_cmi5.py."""
from __future__ import annotations

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from comptoir.adaptive.course import engine_course
from comptoir.adaptive.engine import initial_state, mastery, record_response
from comptoir.cli import main
from comptoir.diagnostics import Report
from comptoir.identity import course_iri, item_iri
from comptoir.project import load_content
from comptoir.resolve import resolve
from comptoir.xapi import VERBS

CONTENT = Path(__file__).resolve().parents[1] / "content"
REGISTRATION = str(uuid.uuid4())
USER, PASSWORD = "reports", "s3cret"


class StandInLrs:
    """A STAND-IN LRS for these unit tests: GET statements only, pages of ``page`` statements."""

    def __init__(self, statements: list[dict], page: int = 3) -> None:
        self.statements, self.page, self.queries = statements, page, []
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                lrs.queries.append((parts.path, query, self.headers.get("X-Experience-API-Version")))
                expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    return self.reply(401, {"error": "no"})
                if parts.path != "/xapi/statements":
                    return self.reply(404, {})
                start = int(query.get("from", 0))
                chunk = lrs.statements[start:start + lrs.page]
                more = f"/xapi/statements?from={start + lrs.page}" if start + lrs.page < len(lrs.statements) else ""
                self.reply(200, {"statements": chunk, "more": more})

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/xapi/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def demo():
    report = Report(CONTENT.parent)
    content = load_content(CONTENT, report)
    return resolve(content, "demo")


def answered(item_iri_: str, success: bool, minute: int, registration: str = REGISTRATION, verb: str = "answered"):
    return {"id": str(uuid.uuid4()), "verb": {"id": VERBS[verb]}, "object": {"id": item_iri_},
            "result": {"success": success}, "context": {"registration": registration},
            "timestamp": f"2026-12-06T10:{minute:02d}:00.000+01:00"}


def run(capsys, url: str, *extra: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--content", str(CONTENT), "mastery", "--lrs", url, "--registration", REGISTRATION, *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_answers_are_replayed_in_timestamp_order_across_pages(demo, capsys, monkeypatch):
    base = course_iri("demo")
    items = [item.id for item in demo.items]
    given = [(items[k % len(items)], k % 3 != 0) for k in range(11)]
    statements = [answered(item_iri(base, item), right, minute) for minute, (item, right) in enumerate(given)]
    # noise the report must ignore: another registration, another verb, another course's item
    statements += [answered(item_iri(base, items[0]), False, 50, registration=str(uuid.uuid4())),
                   answered(item_iri(base, items[0]), False, 51, verb="progressed"),
                   answered(item_iri(course_iri("sample"), "s1"), False, 52)]
    statements.reverse()  # the LRS's order is not the learner's: timestamps are
    lrs = StandInLrs(statements)
    monkeypatch.setenv("COMPTOIR_LRS_PASSWORD", PASSWORD)
    try:
        code, out, err = run(capsys, lrs.url, "--lrs-user", USER, "--json")
    finally:
        lrs.close()
    assert code == 0, err
    report = json.loads(out)
    engine = engine_course(demo)
    state = initial_state(engine)
    index = {item.id: i for i, item in enumerate(engine.items)}
    for item, right in given:
        record_response(engine, state, index[item], right)
    want = mastery(engine, state)
    assert report["course"] == "demo" and report["source"] == "lrs"
    assert {row["ref"]: row["p"] for row in report["competencies"]} == {r: want[r] for r in engine.competencies[:3]}
    assert report["reviews"] == {"counted": 11, "ignored": 1}  # the other course's item
    assert len(lrs.queries) == 5  # 14 statements, 3 a page
    _, query, version = lrs.queries[0]
    assert query == {"registration": REGISTRATION, "limit": "500"} and version == "1.0.3"


def test_the_table_says_answers(demo, capsys):
    base = course_iri("demo")
    lrs = StandInLrs([answered(item_iri(base, demo.items[0].id), True, 1)])
    try:
        code, out, _ = run(capsys, lrs.url, "--lrs-user", USER, "--lrs-password", PASSWORD, "--course", "demo")
    finally:
        lrs.close()
    assert code == 0
    assert "answers" in out.splitlines()[0] and "1 answer(s) counted, 0 ignored" in out


@pytest.mark.parametrize("extra, message", [
    (("--lrs-user", USER, "--lrs-password", "wrong"), "refused to give the statements (401)"),
    ((), "refused to give the statements (401)"),
    (("--lrs-user", USER), "needs a password"),
])
def test_credentials_problems_say_what_to_fix(capsys, monkeypatch, extra, message):
    monkeypatch.delenv("COMPTOIR_LRS_PASSWORD", raising=False)
    lrs = StandInLrs([])
    try:
        code, out, err = run(capsys, lrs.url, *extra)
    finally:
        lrs.close()
    assert code == 2 and message in err and out == ""


def test_an_unreachable_lrs_or_no_answers_are_clear_errors(capsys):
    code, _, err = run(capsys, "http://127.0.0.1:9/xapi/", "--lrs-user", USER, "--lrs-password", PASSWORD)
    assert code == 2 and "cannot reach the LRS" in err
    lrs = StandInLrs([])
    try:
        code, _, err = run(capsys, lrs.url, "--lrs-user", USER, "--lrs-password", PASSWORD)
    finally:
        lrs.close()
    assert code == 2 and "no answered statement of this registration" in err


def test_lrs_needs_a_registration_and_excludes_anki(capsys):
    capsys.readouterr()
    assert main(["--content", str(CONTENT), "mastery", "--lrs", "http://127.0.0.1:9/"]) == 2
    assert "--registration" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--content", str(CONTENT), "mastery", "--lrs", "http://x/", "--anki", "c.colpkg"])
