"""cmi5: one zip per course and language, the player as an assignable unit speaking xAPI to the LMS.

The package is the player package (:mod:`.player_package`, transport ``cmi5``) plus a ``cmi5.xml``
course structure at its root, valid against cmi5's ``CourseStructure.xsd``. The bundle carries an
``"xapi"`` entry (:func:`comptoir.xapi.bundle_section`): the IRIs and interaction definitions the
player's statements use. docs/cmi5.md is the guide for schools and integrators.

**One assignable unit for the whole course.** The adaptive engine sequences a course as one
whole: a competency is offered once its prerequisites are mastered, and prerequisites cross
domains (``ch-arc``: b.5 needs g.3, c.3 needs f.2, d.2 needs c.4, e.2 needs c.1…); an answer is
evidence for every ``exactMatch`` competency, whatever its domain; and the learner state is one
compact text that fits the smallest LMS store. One AU per domain would cut all three: each AU
has its own state in the LMS (keyed by an activity id only the LMS knows), so a domain's AU could
neither see that a prerequisite in another domain is mastered nor pass evidence on. What an LMS
loses — a satisfied/not satisfied line per domain — the package gives back more finely: the course
structure declares every competency as a cmi5 objective that the AU references, and the AU sends a
statement per competency each time its mastery estimate changes, which any LRS report can
group by domain.

**Passing.** ``moveOn="Passed"``: the LMS counts the AU (and so the course) as done when the AU
reports ``passed``, and the AU reports it once **every** competency of the course is mastered —
the one rule of every target (docs/scorm.md, "Passed"). ``masteryScore`` is the course's mastery
threshold and the score of ``passed``/``failed`` statements is the *lowest* mastery estimate P(L)
over the course's practised competencies, so "score ≥ masteryScore" and "every competency
mastered" are the same statement, and an LMS comparing the two can never disagree with the
player. An LMS that lowers the mastery score for its learners lowers the bar for every competency
alike, which the AU honours (cmi5 requires it).

**Identifiers** (:mod:`comptoir.identity`): the course's IRI base is its ``iri`` key or
``urn:comptoir:course:<id>``; the course structure's id is ``<base>/<language>`` and the AU's
``<base>/<language>/au`` (each language is its own package, so an LMS never mistakes one for
another); items are ``<base>/item/<item id>`` in every language; competencies are
``urn:comptoir:<reference>``, the same IRI in every course and the same id as the SCORM 2004 global
objectives, so one competency is one record in the school's LRS.

**Languages.** Titles and descriptions are langstrings in every language of the course (the
package's own first), from the course localised in each language, which the build passes in
``context.translations``; with no translations (a caller that localised one language), the
package's language alone. A text that has no translation in a language (it would be the French
one) gets no langstring in that language: the French langstring serves, rightly labelled.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Any, Iterable, Mapping

from lxml.builder import ElementMaker

from comptoir.identity import COMPETENCY_IRI_BASE, au_iri, competency_iri, course_iri, package_iri
from comptoir.model import SOURCE_LANGUAGE, ResolvedCourse
from comptoir.present import Presenter
from comptoir.render import to_html
from comptoir.xapi import bundle_section, text

from .base import Artifact, BuildContext
from .player_package import PAGE, PackageError, PlayerExporter, bcp47, bundle, files_for, href, xml_bytes
from .zipfile_writer import sorted_zip

NAMESPACE = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
COURSE_STRUCTURE = "cmi5.xml"
#: The AU's moveOn: the LMS satisfies it on "passed", which the AU sends once every competency is mastered.
MOVE_ON = "Passed"


def mastery_score(threshold: float) -> str:
    """The threshold as cmi5's masteryScore: a decimal in [0, 1] with at most 4 places, rounded up
    so that "score ≥ masteryScore" never accepts less than the threshold."""
    value = Decimal(repr(threshold)).quantize(Decimal("0.0001"), rounding=ROUND_CEILING)
    return format(value.normalize(), "f")


def _translations(course: ResolvedCourse, context: BuildContext) -> list[ResolvedCourse]:
    """The course in each of its languages, the package's language first."""
    others = [context.translations[lang] for lang in course.course.locales
              if lang != course.locale and lang in context.translations]
    return [course, *others]


def _unit_titles(course: ResolvedCourse) -> dict[str, tuple[str, str, str]]:
    """Code, title and the title's language tag of every competency of every framework the course
    knows: in the course's language where the framework has it (official or translated), else in
    the source language, tagged as such."""
    out = {}
    for framework in course.frameworks.values():
        for node in framework.walk():
            if node.kind in framework.levels or framework.id == course.framework.id:
                tag = bcp47(course.region) if course.locale in node.text else SOURCE_LANGUAGE
                out[framework.ref(node)] = (node.key, node.text_in(course.locale), tag)
    return out


class Cmi5Exporter(PlayerExporter):
    """One zip per course and language: the player package with ``cmi5.xml`` and the xAPI bundle data."""

    name = "cmi5"
    transport = "cmi5"

    def export(self, course: ResolvedCourse, context: BuildContext) -> Iterable[Artifact]:
        data = bundle(course, context)
        aligned = {item.id: course.aligned(item.competencies) for item in course.items}
        data["xapi"] = bundle_section(data, course_iri(course.course.id, course.course.iri), aligned,
                                      _unit_titles(course))
        files = files_for(data, context, self.transport)
        if COURSE_STRUCTURE in files:
            raise PackageError(f"{COURSE_STRUCTURE} would overwrite a file of the player package")
        files[COURSE_STRUCTURE] = course_structure(data, _translations(course, context))
        cid, language = course.course.id, course.locale
        yield Artifact(cid, self.name, language, f"{self.name}/{cid}.{language}.zip",
                       sorted_zip(dict(sorted(files.items())), context.timestamp))


def _description(course: ResolvedCourse) -> str:
    described = course.course.description
    return text(to_html(described, typography=course.locale)) if described else course.course.title


def course_structure(data: Mapping[str, Any], languages: list[ResolvedCourse]) -> bytes:
    """``cmi5.xml`` for the bundle ``data``, described in each course of ``languages`` (first: the package's)."""
    E = ElementMaker(namespace=NAMESPACE, nsmap={None: NAMESPACE})
    package = languages[0]

    def langstrings(tag: str, texts: list[tuple[ResolvedCourse, str]]):
        # A text with no translation falls back to French; it is not written again under another
        # language's tag (an LMS would show French labelled as Italian): the French one serves.
        french = next((value for localised, value in texts if localised.locale == SOURCE_LANGUAGE), None)
        kept = [(localised, value) for localised, value in texts
                if localised.locale == SOURCE_LANGUAGE or french is None or value != french]
        return E(tag, *(E.langstring(value, lang=bcp47(localised.region)) for localised, value in kept))

    base = data["xapi"]["course"]
    refs = [c["ref"] for c in data["competencies"]]
    presenters = [(localised, Presenter(localised)) for localised in languages]

    def objective(ref: str):
        shown = [(localised, p.competency(ref)) for localised, p in presenters]
        return E.objective(
            langstrings("title", [(loc, f"{c.code} {c.title}".strip()) for loc, c in shown]),
            langstrings("description", [(loc, f"{c.domain} {c.domain_title} › {c.code} {c.title}".strip())
                                        for loc, c in shown]),
            id=competency_iri(COMPETENCY_IRI_BASE, ref))

    title = [(loc, loc.course.title) for loc in languages]
    description = [(loc, _description(loc)) for loc in languages]
    au = E.au(
        langstrings("title", title), langstrings("description", description),
        *([E.objectives(*(E.objective(idref=competency_iri(COMPETENCY_IRI_BASE, ref)) for ref in refs))]
          if refs else []),
        E.url(href(PAGE)),
        id=au_iri(base, package.locale), moveOn=MOVE_ON, masteryScore=mastery_score(data["course"]["threshold"]),
        launchMethod="AnyWindow")
    root = E.courseStructure(
        E.course(langstrings("title", title), langstrings("description", description),
                 id=package_iri(base, package.locale)),
        *([E.objectives(*(objective(ref) for ref in refs))] if refs else []),
        au)
    return xml_bytes(root)
