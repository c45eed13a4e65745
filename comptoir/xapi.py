"""xAPI and cmi5 for comptoir: the vocabulary, the activity definition of each item, and the part of a
cmi5 package's course bundle that lets the player speak xAPI.

The player's cmi5 transport (``player/transport-cmi5.js``) builds every statement from what
:func:`bundle_section` puts in the bundle under ``"xapi"``: the IRIs of the course's items and
competencies (from :mod:`comptoir.identity`, the one place ids are made), the verbs, categories and
extensions it uses, and each item's interaction definition. The browser side derives no id and
holds no IRI of its own, so the statements an AU sends and what ``comptoir mastery --lrs`` reads
back (:mod:`comptoir.xapi_statements`) rest on the same constants.

Items as xAPI interactions (``http://adlnet.gov/expapi/activities/cmi.interaction``). Choices,
steps and matching entries are identified by their position in the view the learner saw (as
everywhere in the player, never by a source id): ``"0"``, ``"1"``, … and, for matching, ``"L0"``… on
the left and ``"R0"``… on the right.

========== ================ ===================================== ==============================
type       interactionType  correctResponsesPattern               response sent
========== ================ ===================================== ==============================
true-false true-false       ``"true"`` or ``"false"``             ``"true"`` / ``"false"``
single     choice           ``"2"``                               ``"2"``
multiple   choice           ``"0[,]2"`` (ascending)               positions chosen, ``[,]``
fill-in    fill-in          ``"{case_matters=false}épeler"``,     the text typed
                            one pattern per accepted answer
numeric    numeric          ``"79.5[:]80.5"`` (answer ± tolerance) the number, ``"80"``
                            or ``"80"``
matching   matching         ``"L0[.]R2[,]L1[.]R0"``               the same form
sequencing sequencing       ``"1[,]2[,]0"`` (shown positions)     the learner's order
scenario   other            the intended path: choice positions   the path taken, same form
                            node after node, ``"0[,]0"``
========== ================ ===================================== ==============================

Scenarios are ``other``: a walk through a graph of decisions is neither one choice nor a sequence
of the same steps. Its pattern is the author's intended path (the shortest path to the best
outcome); another path may also succeed, so ``result.success`` — the score of the walk — is what
counts, as for every item.
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from lxml import html as lxml_html

from .identity import COMPETENCY_IRI_BASE, competency_iri, item_iri

#: The xAPI version the player speaks (header ``X-Experience-API-Version``).
XAPI_VERSION = "1.0.3"
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
#: cmi5 defined verbs the AU sends, and the "cmi5 allowed" ones comptoir adds.
DEFINED_VERBS = ("initialized", "completed", "passed", "failed", "terminated")
ALLOWED_VERBS = ("answered", "progressed", "mastered")
VERBS = {name: ADL_VERBS + name for name in DEFINED_VERBS + ALLOWED_VERBS}
CMI5 = "https://w3id.org/xapi/cmi5/"
CATEGORY_CMI5 = CMI5 + "context/categories/cmi5"
CATEGORY_MOVEON = CMI5 + "context/categories/moveon"
EXTENSION_SESSION_ID = CMI5 + "context/extensions/sessionid"
EXTENSION_MASTERY_SCORE = CMI5 + "context/extensions/masteryscore"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
#: The activity type of a competency in ``context.contextActivities.other`` and as the object of a
#: per-competency statement (ADL's vocabulary: "an objective", here a framework's competency).
OBJECTIVE = "http://adlnet.gov/expapi/activities/objective"
#: The AU's own State API document (``player/transport-cmi5.js`` writes it; docs/cmi5.md).
STATE_ID = "comptoir.learner-state"
#: How long a name may be in an activity definition (the prompt, shortened).
NAME_LENGTH = 120

_BLANK = re.compile(r'<span class="blank"></span>')
_SPACES = re.compile(r"\s+")


def text(fragment: str) -> str:
    """The plain text of bundle HTML (a fill-in's blank shown as ``____``), whitespace collapsed."""
    if not fragment or not fragment.strip():
        return ""
    tree = lxml_html.fromstring(f"<div>{_BLANK.sub('____', fragment)}</div>")
    return _SPACES.sub(" ", tree.text_content()).strip()


def shorten(value: str, length: int = NAME_LENGTH) -> str:
    return value if len(value) <= length else value[:length - 1].rstrip() + "…"


def _number(x: float) -> str:
    """A number as xAPI patterns write it: no exponent, no trailing ``.0``, 12 significant digits."""
    value = float(f"{x:.12g}")
    return str(int(value)) if value.is_integer() else repr(value)


def _components(prefix: str, entries: Sequence[str], lang: str) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{k}", "description": {lang: text(entry) or f"{prefix}{k}"}}
            for k, entry in enumerate(entries)]


def best_path(view: Mapping[str, Any], key: Mapping[str, Any]) -> list[int]:
    """The scenario's intended walk: from the start, the choice the key marks best at each node."""
    node, path = view["start"], []
    while not view["nodes"][node]["end"] and len(path) <= len(view["nodes"]):
        best = [k for k, flag in enumerate(key["best"][node]) if flag]
        if not best:
            return []
        path.append(best[0])
        node = key["next"][node][best[0]]
    return path if view["nodes"][node]["end"] else []


def interaction(item: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The xAPI activity definition of a bundle item (module docstring), in language ``lang``."""
    view, key, kind = item["view"], item["key"], item["type"]
    prompt = text(view["prompt"])
    definition: dict[str, Any] = {"type": INTERACTION, "name": {lang: shorten(prompt) or item["id"]}}
    if prompt:
        definition["description"] = {lang: prompt}
    if kind == "true-false":
        definition.update(interactionType="true-false", correctResponsesPattern=["true" if key["answer"] else "false"])
    elif kind in ("single", "multiple"):
        definition.update(interactionType="choice", choices=_components("", view["choices"], lang),
                          correctResponsesPattern=["[,]".join(str(k) for k in sorted(key["correct"]))])
    elif kind == "fill-in":
        definition.update(interactionType="fill-in",
                          correctResponsesPattern=[f"{{case_matters=false}}{answer}" for answer in key["answers"]])
    elif kind == "numeric":
        answer, tolerance = key["answer"], key["tolerance"]
        pattern = (f"{_number(answer - tolerance)}[:]{_number(answer + tolerance)}" if tolerance > 0
                   else _number(answer))
        definition.update(interactionType="numeric", correctResponsesPattern=[pattern])
    elif kind == "matching":
        definition.update(interactionType="matching", source=_components("L", view["left"], lang),
                          target=_components("R", view["right"], lang),
                          correctResponsesPattern=["[,]".join(f"L{left}[.]R{right}"
                                                              for left, right in enumerate(key["pairs"]))])
    elif kind == "sequencing":
        definition.update(interactionType="sequencing", choices=_components("", view["steps"], lang),
                          correctResponsesPattern=["[,]".join(str(k) for k in key["order"])])
    elif kind == "scenario":
        path = best_path(view, key)
        definition["interactionType"] = "other"
        if path:
            definition["correctResponsesPattern"] = ["[,]".join(str(k) for k in path)]
    else:
        raise ValueError(f"item {item['id']}: no xAPI interaction for type {kind!r}")
    return definition


def competency_activity(ref: str, code: str, title: str, lang: str) -> dict[str, Any]:
    """A competency as an xAPI activity: its IRI (:func:`comptoir.identity.competency_iri`), type
    objective, and its code and title as the name."""
    name = f"{code} {title}".strip() or ref
    return {"objectType": "Activity", "id": competency_iri(COMPETENCY_IRI_BASE, ref),
            "definition": {"type": OBJECTIVE, "name": {lang: shorten(name, 250)}}}


def vocabulary() -> dict[str, Any]:
    """The IRIs the player's statements use (the player holds no IRI of its own)."""
    return {"verbs": dict(VERBS), "categories": {"cmi5": CATEGORY_CMI5, "moveOn": CATEGORY_MOVEON},
            "extensions": {"sessionId": EXTENSION_SESSION_ID, "masteryScore": EXTENSION_MASTERY_SCORE}}


def bundle_section(data: Mapping[str, Any], base: str, aligned: Mapping[str, Sequence[str]],
                   titles: Mapping[str, tuple[str, str, str]]) -> dict[str, Any]:
    """The bundle's ``"xapi"`` entry for the course bundle ``data``.

    ``base`` is the course's IRI base, ``aligned`` every competency each item is aligned to (in
    every framework: :meth:`comptoir.model.ResolvedCourse.aligned`) and ``titles`` a competency's
    code, title and the title's language tag by reference. Gives ``{"vocabulary", "course": base, "competencies": {ref:
    activity}, "items": {id: {"id": IRI, "definition", "competencies": [ref]}}}``; names and
    descriptions are in the bundle's language (its region tag). Every own competency of the course
    and every competency an item is aligned to has its activity.
    """
    lang = data["course"]["region"]
    refs = [c["ref"] for c in data["competencies"]]
    for item in data["items"]:
        refs.extend(r for r in aligned.get(item["id"], ()) if r not in refs)
    return {
        "vocabulary": vocabulary(),
        "course": base,
        "competencies": {ref: competency_activity(ref, *titles.get(ref, ("", "", lang))) for ref in refs},
        "items": {item["id"]: {"id": item_iri(base, item["id"]), "definition": interaction(item, lang),
                               "competencies": list(aligned.get(item["id"], item["competencies"]))}
                  for item in data["items"]},
    }
