"""``comptoir_adaptive``: the adaptive XBlock for Open edX.

The block plays a comptoir course with the shared browser player (:mod:`comptoir.player`), but the
server decides: the Python engine (:mod:`comptoir.adaptive`, authoritative for the XBlock) picks
the next activity, :mod:`comptoir.scoring` scores each answer from keys that never reach the page
before the learner answers. The request logic lives in :mod:`.handlers` (testable without
Django); this module is the XBlock glue: fields, views, OLX, grading, serving the player.

Fields
    ``Scope.content``: ``course_data`` (the course without keys, see :mod:`.content`), ``keys``
    (item id → key, server only), both JSON text, and ``course_hash`` (their fingerprint, under
    which the parsed course is cached). Text, not ``Dict`` fields: XBlock copies a mutable
    field's value on every read to notice changes — half a megabyte per request for a full
    course — and a request that finds the course cached reads neither.
    ``Scope.settings``: ``competencies`` (the selection; empty = all), ``threshold`` (empty = the
    course's), ``weight``, ``display_name``. ``Scope.user_state``: the learner's encoded engine
    state, the activity on offer, a scenario's walk, a change counter, the last answer's id and
    the ``history`` of answers ([item id, 1 or 0], in order), which a course team exports to
    calibrate the course (``comptoir calibrate --format xblock``, docs/adaptive.md).

Grade
    ``value`` = the mean mastery probability P(L) over the selected competencies that have items,
    ``max_value`` = 1, published after each answer; ``completion`` 1.0 once each of them is
    mastered. The SCORM and web packages report the same numbers (``score.scaled`` and ``passed``),
    and the OLX export's grading policy (pass mark = the threshold) assumes them.

The player's files
    ES modules must come with a JavaScript MIME type and resolve their relative imports
    (``./engine.js``) beside each other. They are served by the ``player_file`` handler from
    :func:`comptoir.player.files` — the one definition of the package, including the engine and
    scoring twins that live outside ``comptoir/player/`` — under a path holding their digest, with
    a year-long immutable cache: a new comptoir gives new URLs. ``local_resource_url`` would need
    a copy of those files in a ``public/`` folder (production Open edX collects static files from
    there), which the player's ``files()`` exists to avoid, and leaves the MIME type to the
    platform's tables.
"""
from __future__ import annotations

import functools
import hashlib
import html
import json
import threading
from typing import Any, Callable, Mapping

from lxml import etree
from web_fragments.fragment import Fragment
from webob import Response
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Float, Integer, List, Scope, String

from comptoir import player
from comptoir.i18n import words

from . import handlers
from .content import BlockCourse, ContentError, block_course, check, dumps, fingerprint, loads
from .handlers import Learner, RequestError

#: A claim on a learner's change number outlives any retry of the request that made it.
CLAIM_SECONDS = 24 * 3600
JS_TYPES = {".js": "application/javascript", ".css": "text/css"}
DEFAULT_NAME = "Parcours adaptatif"


@functools.lru_cache(maxsize=None)
def _player_files() -> tuple[str, dict[str, bytes]]:
    files = player.files()
    digest = hashlib.sha256(b"".join(path.encode() + b"\0" + data for path, data in files.items())).hexdigest()[:12]
    return digest, files


@functools.lru_cache(maxsize=None)
def _words(language: str) -> dict[str, Any]:
    return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in words(language).messages.items()}


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json",
                    charset="utf-8")


_local_claims: set[str] = set()
_local_lock = threading.Lock()


def _claim_once(name: str) -> bool:
    """True for the first caller only. The Django cache's ``add`` is atomic across the processes of
    an Open edX deployment (memcached, redis); without Django, one process's set."""
    try:
        from django.conf import settings
        from django.core.cache import cache
    except ImportError:  # a runtime without Django: this process is the only writer it knows
        settings = cache = None
    if settings is not None and settings.configured:
        return bool(cache.add(name, 1, CLAIM_SECONDS))
    with _local_lock:
        if name in _local_claims:
            return False
        _local_claims.add(name)
        return True


def _script_json(value: Any) -> str:
    """JSON safe inside <script>: the same escaping as the player's page (comptoir.player.bundle_json)."""
    return player.bundle_json(value)


@XBlock.wants("i18n", "replace_urls")
class AdaptiveBlock(XBlock):
    """Sequences a comptoir course by each learner's mastery of each competency."""

    display_name = String(display_name="Display name", default=DEFAULT_NAME, scope=Scope.settings)
    competencies = List(display_name="Competencies", default=[], scope=Scope.settings,
                        help="References of the competencies to work on; empty: every competency of the course.")
    threshold = Float(display_name="Mastery threshold", default=None, scope=Scope.settings,
                      help="P(L) at which a competency counts as mastered; empty: the course's.")
    weight = Float(display_name="Weight", default=1.0, scope=Scope.settings, values={"min": 0})
    course_data = String(default="", scope=Scope.content, help="The course without keys, JSON (xblocks/content.py).")
    keys = String(default="", scope=Scope.content, help="Item id → key, JSON; never sent before an answer.")
    course_hash = String(default="", scope=Scope.content, help="The fingerprint of course_data and keys.")

    learner_state = String(default="", scope=Scope.user_state)
    offered = String(default="", scope=Scope.user_state)
    walk = List(default=[], scope=Scope.user_state)
    seq = Integer(default=0, scope=Scope.user_state)
    last_answer = String(default="", scope=Scope.user_state)
    history = List(default=[], scope=Scope.user_state,
                   help="[item id, 1 or 0] per answer, in order: what comptoir calibrate --format xblock reads.")

    has_score = True
    has_custom_completion = True
    completion_mode = XBlockCompletionMode.COMPLETABLE
    icon_class = "problem"

    # --- the course ------------------------------------------------------------------------------

    def set_course(self, course: dict[str, Any], keys: dict[str, Any]) -> None:
        """Store a course's data (from OLX or Studio), checked, with its fingerprint."""
        check(course, keys)
        self.course_data = json.dumps(course, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        self.keys = json.dumps(keys, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        self.course_hash = fingerprint(course, keys)

    def stored(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The course and keys as stored; empty when the block holds no course."""
        if not self.course_data:
            return {}, {}
        return json.loads(self.course_data), json.loads(self.keys or "{}")

    def course(self) -> BlockCourse:
        """The course as this block's settings narrow it, from the cache when it is there."""
        if not self.course_hash:
            raise RequestError(409, "no-course", "this block holds no course yet: import one in Studio")
        try:
            return block_course(self.course_hash, self.stored, tuple(self.competencies), self.threshold)
        except (ContentError, ValueError, KeyError) as exc:
            raise RequestError(409, "bad-course", f"this block's course cannot be read: {exc}") from exc

    def language(self) -> str:
        try:
            return str(self.course().data["course"]["language"])
        except RequestError:
            return "fr"

    def _(self, msgid: str) -> str:
        """A word for the page: the runtime's i18n service first (a platform may translate it),
        then comptoir's own catalog in the course language (the language of what the learner reads)."""
        service = self.runtime.service(self, "i18n")
        translate = getattr(service, "gettext", None) or getattr(service, "ugettext", None)
        if translate is not None:
            text = translate(msgid)
            if text != msgid:
                return text
        return words(self.language())(msgid)

    def _urls(self, text: str) -> str:
        """Course images are ``/static/<name>`` in the OLX; the platform knows where they are served."""
        service = self.runtime.service(self, "replace_urls")
        return service.replace_urls(text) if service is not None and "/static/" in text else text

    # --- the learner ----------------------------------------------------------------------------------

    def learner(self) -> Learner:
        return Learner(self.learner_state, self.offered, tuple(self.walk), self.seq, self.last_answer,
                       tuple((str(i), int(c)) for i, c in self.history))

    def _store(self, learner: Learner) -> None:
        self.learner_state, self.offered, self.walk = learner.state, learner.offered, list(learner.walk)
        self.seq, self.last_answer = learner.seq, learner.last_answer
        if len(learner.history) != len(self.history):  # only an answer adds to it: no rewrite otherwise
            self.history = [list(h) for h in learner.history]

    def _claim(self, seq: int) -> bool:
        ids = self.scope_ids
        name = hashlib.sha256(f"{ids.usage_id}|{ids.user_id}|{seq}".encode()).hexdigest()
        return _claim_once(f"comptoir-claim:{name}")

    def max_score(self) -> float:
        return 1.0

    def _publish(self, payload: Mapping[str, Any]) -> None:
        """The grade and completion of an answer's payload (:func:`.handlers.summary`'s figures)."""
        self.runtime.publish(self, "grade", {"value": payload["grade"], "max_value": 1.0})
        if payload["passed"]:
            self.runtime.publish(self, "completion", {"completion": 1.0})

    # --- handlers ----------------------------------------------------------------------------------

    def _handle(self, request: Any, action: Callable[..., tuple[dict, Learner]], writes: bool = True) -> Response:
        """One JSON request: POST only; every refusal a 4xx JSON body, the record left as it was."""
        if request.method != "POST":
            return _json(405, {"error": "method", "message": "use POST"})
        try:
            course = self.course()
            data = handlers.parse(request.body)
            if writes:
                payload, learner = action(course, self.learner(), data, self._claim)
            else:
                payload, learner = action(course, self.learner())
        except RequestError as exc:
            return _json(exc.status, exc.body())
        self._store(learner)
        if "score" in payload:
            self._publish(payload)
        response = _json(200, payload)
        response.text = self._urls(response.text)
        return response

    @XBlock.handler
    def next(self, request: Any, suffix: str = "") -> Response:
        """The activity on offer: a lesson's blocks or an item's view, with the learner's mastery."""
        return self._handle(request, handlers.next_, writes=False)

    @XBlock.handler
    def read(self, request: Any, suffix: str = "") -> Response:
        """``{"lesson", "seq"}``: the offered lesson was read."""
        return self._handle(request, handlers.read)

    @XBlock.handler
    def step(self, request: Any, suffix: str = "") -> Response:
        """``{"item", "path", "seq"}``: one more choice in the offered scenario."""
        return self._handle(request, handlers.step)

    @XBlock.handler
    def answer(self, request: Any, suffix: str = "") -> Response:
        """``{"item", "response", "seq", "answer_id"}``: score on the server, record, say what is next."""
        return self._handle(request, handlers.answer)

    @XBlock.handler
    def release(self, request: Any, suffix: str = "") -> Response:
        """The learner takes up again a competency referred to a trainer (JSON body ``{competency, seq}``)."""
        return self._handle(request, handlers.release)

    @XBlock.handler
    def player_file(self, request: Any, suffix: str = "") -> Response:
        """``<digest>/player/<name>``: one file of the player, immutable under its digest."""
        digest, files = _player_files()
        _, _, path = suffix.partition("/")
        data = files.get(path)
        kind = JS_TYPES.get(path[path.rfind("."):]) if data is not None else None
        if kind is None:
            return _json(404, {"error": "not-found", "message": f"no player file {suffix!r}"})
        response = Response(data, content_type=kind, charset="utf-8")
        response.cache_control = "public, max-age=31536000, immutable" if suffix.startswith(digest) else "no-cache"
        return response

    # --- views ----------------------------------------------------------------------------------------

    def page_bundle(self, course: BlockCourse) -> dict[str, Any]:
        """What the page carries: the course without keys and without item views (each view comes
        with ``next`` when its item is offered), and the player's words in the course language."""
        items = [{k: item[k] for k in ("id", "type", "lesson", "competencies")} for item in course.data["items"]]
        return {**course.data, "items": items, "ui": _words(self.language())}

    def student_view(self, context: Any = None) -> Fragment:
        try:
            course = self.course()
        except RequestError as exc:
            return Fragment(f'<p class="comptoir-empty">{html.escape(exc.message)}</p>')
        digest, _ = _player_files()
        base = self.runtime.handler_url(self, "player_file", f"{digest}/player/").split("?")[0]
        urls = {name: self.runtime.handler_url(self, name) for name in ("next", "read", "step", "answer", "release")}
        bundle = self._urls(_script_json(self.page_bundle(course)))
        region = html.escape(course.data["course"]["region"], quote=True)
        frag = Fragment(
            f'<div class="comptoir-adaptive" lang="{region}">'
            f'<div class="player" aria-busy="true"><noscript><p class="notice">{html.escape(self._(player.NOSCRIPT))}'
            f'</p></noscript></div>'
            f'<script type="application/json" class="comptoir-course">{bundle}</script></div>')
        frag.add_css_url(base + "player.css")
        frag.add_javascript(_INIT_JS)
        frag.initialize_js("ComptoirAdaptiveInit", {"entry": base + "xblock.js", "urls": urls})
        return frag

    def student_view_data(self, context: Any = None) -> dict[str, Any]:
        """For the mobile apps: the course outline and the learner's mastery; no item, no key."""
        course = self.course()
        learner = self.learner()
        s = handlers.summary(course, handlers.engine_state(course, learner))
        data = course.data
        return {
            "course": data["course"],
            "competencies": data["competencies"],
            "lessons": [{k: les[k] for k in ("id", "title", "minutes", "competencies")} for les in data["lessons"]],
            "items": len(data["items"]),
            "mastery": s["competencies"],
            "scaled": s["scaled"],
            "passed": s["passed"],
        }

    def studio_view(self, context: Any = None) -> Fragment:
        """Settings (name, competencies, threshold, weight), the item bank, and a course import."""
        from .studio import studio_fragment
        return studio_fragment(self)

    @XBlock.handler
    def studio_submit(self, request: Any, suffix: str = "") -> Response:
        """``{"display_name", "competencies", "threshold", "weight", "data"?}`` from the Studio editor."""
        from .studio import apply_settings
        if request.method != "POST":
            return _json(405, {"error": "method", "message": "use POST"})
        try:
            apply_settings(self, handlers.parse(request.body))
        except RequestError as exc:
            return _json(exc.status, exc.body())
        return _json(200, {"result": "success"})

    # --- OLX ------------------------------------------------------------------------------------------

    @classmethod
    def parse_xml(cls, node: etree._Element, runtime: Any, keys: Any, *args: Any, **kwargs: Any) -> "AdaptiveBlock":
        """Attributes as the OLX export writes them (``competencies`` space-separated), the course
        as the element's JSON text (:func:`.content.loads`)."""
        block = runtime.construct_xblock_from_class(cls, keys)
        for name in ("display_name", "url_name"):
            if node.get(name) is not None and name in block.fields:
                setattr(block, name, node.get(name))
        if node.get("competencies") is not None:
            block.competencies = node.get("competencies").split()
        for name in ("threshold", "weight"):
            if node.get(name):
                setattr(block, name, float(node.get(name)))
        text = (node.text or "").strip()
        if text:
            block.set_course(*loads(text))
        return block

    def add_xml_to_node(self, node: etree._Element) -> None:
        """The inverse of :meth:`parse_xml`: what the OLX exporter writes, so Studio exports round-trip."""
        super().add_xml_to_node(node)
        for name in ("course_data", "keys", "course_hash", "competencies"):
            node.attrib.pop(name, None)
        if self.competencies:
            node.set("competencies", " ".join(self.competencies))
        if self.course_data:
            node.text = dumps(*self.stored())


_INIT_JS = """
function ComptoirAdaptiveInit(runtime, element, args) {
  var root = element && element.jquery ? element[0] : element;
  import(args.entry).then(function (m) { m.mount(root, args.urls); }).catch(function (err) {
    console.error("comptoir: the player could not start", err);
  });
}
"""
