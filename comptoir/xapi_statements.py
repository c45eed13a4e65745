"""Reading a learner's answers back from an LRS: the ``answered`` statements of one cmi5 registration.

The Statement API is read with the standard library (``GET <endpoint>/statements``, following each
``more`` link), authenticated with HTTP Basic. The query names the registration only, and the
registration and the verb are checked again here: LRSs differ in the query parameters they
implement and in how well (Ralph 5.1 documents ``registration`` as not implemented, and its
file-system store answers a ``verb`` query with no statement at all), and a report must neither
mix two learners nor miss answers. Voided statements are left out by the LRS itself (xAPI 1.0.3: a
statement query never returns them).

What an answer is comes from :mod:`comptoir.xapi` (the verb) and :mod:`comptoir.identity` (the item
IRIs), the same definitions the cmi5 package's player used to send them. :func:`answers` is also what
``comptoir calibrate --format cmi5`` reads a statement file with (:mod:`comptoir.adaptive.data`), so a
file and an LRS give the same answers in the same order.
"""
from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable
from urllib.parse import urlencode, urljoin

from .anki_collection import MasteryError
from .identity import competency_of_iri
from .xapi import VERBS, XAPI_VERSION

#: The verb of a statement that voids another (xAPI 1.0.3, 2.2.8); a file export may hold both.
VOIDED = "http://adlnet.gov/expapi/verbs/voided"

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
    actor: str | None = None  # :func:`actor_key`: who answered (calibration keeps learners apart)
    competencies: tuple[str, ...] = ()  # the competency references in contextActivities.other


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")


def lrs_authorization(user: str | None, password: str | None) -> str | None:
    """The Authorization header for ``--lrs-user`` / ``--lrs-password``, the password defaulting to
    the ``COMPTOIR_LRS_PASSWORD`` variable (kept out of the shell history); None without a user."""
    password = password if password is not None else os.environ.get("COMPTOIR_LRS_PASSWORD")
    if user and password is None:
        raise MasteryError("--lrs-user needs a password: --lrs-password or the COMPTOIR_LRS_PASSWORD variable")
    return basic_auth(user, password) if user else None


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


def read_statements(endpoint: str, registration: str | None, authorization: str | None = None, *,
                    verb: str | None = VERBS["answered"], timeout: float = 30.0,
                    opener: Opener = _open) -> list[dict]:
    """Every statement of ``registration`` with ``verb`` (both checked again here), all pages.
    ``registration`` None: every learner's (``comptoir calibrate --lrs``), the LRS asked for no
    filter at all, for the reason above; ``verb`` None: every verb, so that :func:`answers` also
    sees voiding statements should an LRS return a voided one."""
    base = endpoint if endpoint.endswith("/") else endpoint + "/"
    query = {"registration": registration, "limit": PAGE_SIZE} if registration else {"limit": PAGE_SIZE}
    url = urljoin(base, "statements") + "?" + urlencode(query)
    out: list[dict] = []
    for _ in range(MAX_PAGES):
        page = _get(url, authorization, timeout, opener)
        out.extend(s for s in page["statements"] if isinstance(s, dict)
                   and (registration is None or (s.get("context") or {}).get("registration") == registration)
                   and (verb is None or (s.get("verb") or {}).get("id") == verb))
        more = page.get("more")
        if not more:
            return out
        url = urljoin(base, more)
    raise MasteryError(f"the LRS at {endpoint} kept giving more statements after {MAX_PAGES} pages")


def _instant(stamp: Any) -> datetime:
    """An ISO 8601 timestamp as an aware datetime (UTC when it names no zone); the earliest instant
    when it is absent or unreadable, so such statements sort first rather than vanish."""
    try:
        at = datetime.fromisoformat(str(stamp or "").replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def _when(statement: dict) -> datetime:
    return _instant(statement.get("timestamp") or statement.get("stored"))


def actor_key(statement: dict) -> str | None:
    """A stable key for the statement's actor (an Agent's inverse functional identifier): the account
    (``homePage|name``, what a cmi5 LMS gives), else ``mbox``, ``mbox_sha1sum``, ``openid``, else the
    name; None when the statement names nobody."""
    actor = statement.get("actor") or {}
    if not isinstance(actor, dict):
        return None
    account = actor.get("account")
    if isinstance(account, dict) and account.get("name"):
        return f"{account.get('homePage', '')}|{account['name']}"
    for key in ("mbox", "mbox_sha1sum", "openid", "name"):
        if actor.get(key):
            return str(actor[key])
    return None


def competencies_of(statement: dict) -> tuple[str, ...]:
    """The competency references a statement's ``contextActivities.other`` names by their IRIs (the
    player lists every competency the item is aligned to there), in order, each once."""
    other = ((statement.get("context") or {}).get("contextActivities") or {}).get("other") or []
    refs = (competency_of_iri(a.get("id", "")) for a in ([other] if isinstance(other, dict) else other)
            if isinstance(a, dict))
    return tuple(dict.fromkeys(r for r in refs if r))


def voided_ids(statements: Iterable[dict]) -> set[str]:
    """The ids of the statements that others void (an LRS never returns those; a file may hold them)."""
    return {(s.get("object") or {}).get("id") for s in statements
            if (s.get("verb") or {}).get("id") == VOIDED
            and (s.get("object") or {}).get("objectType") == "StatementRef"} - {None}


def answers(statements: Iterable[dict]) -> list[Answer]:
    """The ``answered`` statements as answers in the order they were given: by ``timestamp`` (a
    statement sent late from a learner's queue still takes its place), then ``stored``; each
    statement id once; voided statements and voiding ones left out, and every other verb (the
    player's ``mastered``/``progressed`` carry a ``result.success`` too, but are its own verdicts,
    not evidence)."""
    statements = [s for s in statements if isinstance(s, dict)]
    voided = voided_ids(statements)
    seen: set[str] = set()
    out = []
    for s in statements:
        result, obj = s.get("result") or {}, s.get("object") or {}
        if (s.get("verb") or {}).get("id") != VERBS["answered"] or s.get("id") in voided:
            continue
        if s.get("id") in seen or not isinstance(result.get("success"), bool) or not isinstance(obj.get("id"), str):
            continue
        seen.add(s.get("id"))
        out.append((_instant(s.get("stored")),
                    Answer(_when(s), obj["id"], result["success"], s.get("id", ""), actor_key(s), competencies_of(s))))
    return [a for _, a in sorted(out, key=lambda pair: (pair[1].at, pair[0]))]
