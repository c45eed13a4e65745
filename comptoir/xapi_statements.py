"""Reading a learner's answers back from an LRS: the ``answered`` statements of one cmi5 registration.

The Statement API is read with the standard library (``GET <endpoint>/statements``, following each
``more`` link), authenticated with HTTP Basic. The query names the registration only, and the
registration and the verb are checked again here: LRSs differ in the query parameters they
implement and in how well (Ralph 5.1 documents ``registration`` as not implemented, and its
file-system store answers a ``verb`` query with no statement at all), and a report must neither
mix two learners nor miss answers. Voided statements are left out by the LRS itself (xAPI 1.0.3: a
statement query never returns them).

What an answer is comes from :mod:`comptoir.xapi` (the verb) and :mod:`comptoir.identity` (the item
IRIs), the same definitions the cmi5 package's player used to send them.
"""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable
from urllib.parse import urlencode, urljoin

from .anki_collection import MasteryError
from .xapi import VERBS, XAPI_VERSION

#: At most this many pages of statements (a guard against an LRS whose ``more`` never ends).
MAX_PAGES = 10_000
PAGE_SIZE = 500


@dataclass(frozen=True)
class Answer:
    """One ``answered`` statement: when, which activity (an item IRI), right or not."""

    at: datetime
    activity: str
    correct: bool
    statement: str  # the statement id


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")


Opener = Callable[[urllib.request.Request, float], Any]


def _get(url: str, authorization: str | None, timeout: float, opener: Opener) -> dict:
    headers = {"X-Experience-API-Version": XAPI_VERSION, "Accept": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    try:
        with opener(urllib.request.Request(url, headers=headers), timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise MasteryError(f"the LRS refused to give the statements ({exc.code}): check --lrs-user and "
                               "--lrs-password (or COMPTOIR_LRS_PASSWORD) and that the account may read statements") \
                from exc
        raise MasteryError(f"the LRS answered {exc.code} to {url}: {exc.read()[:200].decode('utf-8', 'replace')}") \
            from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise MasteryError(f"cannot reach the LRS at {url}: {reason}; check --lrs (the xAPI endpoint, "
                           "e.g. https://lrs.example/xAPI/)") from exc
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise MasteryError(f"{url} did not answer with JSON: is --lrs the xAPI endpoint of an LRS?") from exc
    if not isinstance(data, dict) or not isinstance(data.get("statements"), list):
        raise MasteryError(f"{url} did not answer with a StatementResult: is --lrs the xAPI endpoint of an LRS?")
    return data


def _open(request: urllib.request.Request, timeout: float):
    return urllib.request.urlopen(request, timeout=timeout)


def read_statements(endpoint: str, registration: str, authorization: str | None = None, *,
                    verb: str = VERBS["answered"], timeout: float = 30.0, opener: Opener = _open) -> list[dict]:
    """Every statement of ``registration`` with ``verb`` (both checked again here), all pages."""
    base = endpoint if endpoint.endswith("/") else endpoint + "/"
    url = urljoin(base, "statements") + "?" + urlencode({"registration": registration, "limit": PAGE_SIZE})
    out: list[dict] = []
    for _ in range(MAX_PAGES):
        page = _get(url, authorization, timeout, opener)
        out.extend(s for s in page["statements"] if isinstance(s, dict)
                   and (s.get("context") or {}).get("registration") == registration
                   and (s.get("verb") or {}).get("id") == verb)
        more = page.get("more")
        if not more:
            return out
        url = urljoin(base, more)
    raise MasteryError(f"the LRS at {endpoint} kept giving more statements after {MAX_PAGES} pages")


def _when(statement: dict) -> datetime:
    stamp = statement.get("timestamp") or statement.get("stored") or ""
    try:
        at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def answers(statements: Iterable[dict]) -> list[Answer]:
    """The answers in the order they were given (statement timestamps: a statement sent late from a
    learner's queue still takes its place), each statement id once."""
    seen: set[str] = set()
    out = []
    for s in statements:
        result, obj = s.get("result") or {}, s.get("object") or {}
        if s.get("id") in seen or not isinstance(result.get("success"), bool) or not isinstance(obj.get("id"), str):
            continue
        seen.add(s.get("id"))
        out.append(Answer(_when(s), obj["id"], result["success"], s.get("id", "")))
    return sorted(out, key=lambda a: a.at)
