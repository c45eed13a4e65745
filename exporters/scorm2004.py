"""SCORM 2004 4th edition: one zip per course and language, the player talking to ``API_1484_11``.

The package is the player package (:mod:`.player_package`, transport ``scorm2004``) plus an
``imsmanifest.xml`` that validates against ADL's 4th-edition schemas: one organization holding one
item, launched from one SCO resource (``index.html``) listing every file of the package. The item's
sequencing declares:

- a primary objective whose status the content sets (not satisfied by measure): the player reports
  ``passed`` once every competency is mastered, the one rule of every target (docs/scorm.md);
- one objective per course competency, ``objectiveID`` = :func:`comptoir.identity.objective_id` of
  its reference (``ch-arc:b.1``), the id under which the player records it in ``cmi.objectives``;
  each is mapped (``imsss:mapInfo``) to a global objective, ``targetObjectiveID`` =
  :func:`global_objective_id` (``urn:comptoir:ch-arc:b.1``), which the SCO writes (satisfied status
  and normalized measure) and reads back. The global id depends on the competency only — not on
  the course, language or build — so every comptoir package teaching that competency, in any
  course or language, shares the learner's mastery of it in an LMS that keeps global objectives
  across courses (``adlseq:objectivesGlobalToSystem="true"``, declared on the organization);
- delivery controls saying the content sets completion and objective status itself.

The organization allows choice and flow, so an LMS launches the single SCO directly.
"""
from __future__ import annotations

from typing import Any, Mapping

from lxml.builder import ElementMaker

from comptoir.identity import objective_id

from .player_package import PAGE, ScormExporter, href, package_id, xml_bytes

IMSCP = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {None: IMSCP, "adlcp": ADLCP, "adlseq": ADLSEQ, "adlnav": ADLNAV, "imsss": IMSSS, "xsi": XSI}
SCHEMA_LOCATION = " ".join((f"{IMSCP} imscp_v1p1.xsd", f"{ADLCP} adlcp_v1p3.xsd", f"{ADLSEQ} adlseq_v1p3.xsd",
                            f"{ADLNAV} adlnav_v1p3.xsd", f"{IMSSS} imsss_v1p0.xsd"))
#: The namespace of comptoir's global objectives: ``urn:comptoir:`` + a competency reference.
GLOBAL_OBJECTIVE_PREFIX = "urn:comptoir:"


def global_objective_id(ref: str) -> str:
    """The global objective shared by every package teaching competency ``ref``: ``urn:comptoir:<ref>``.

    A function of the reference alone (``ch-arc:b.1`` → ``urn:comptoir:ch-arc:b.1``), stable across
    courses, languages and builds; references are space-free, so this is a valid xs:anyURI.
    """
    return GLOBAL_OBJECTIVE_PREFIX + ref


def manifest(data: Mapping[str, Any], paths: list[str]) -> bytes:
    """``imsmanifest.xml`` for the bundle ``data`` of a package holding ``paths`` (the manifest aside)."""
    E = ElementMaker(namespace=IMSCP, nsmap=NSMAP)
    S = ElementMaker(namespace=IMSSS, nsmap=NSMAP)
    title = data["course"]["title"]
    objectives = [S.objective(S.mapInfo(targetObjectiveID=global_objective_id(c["ref"]), readSatisfiedStatus="true",
                                        readNormalizedMeasure="true", writeSatisfiedStatus="true",
                                        writeNormalizedMeasure="true"),
                              objectiveID=objective_id(c["ref"]))
                  for c in data["competencies"]]
    sequencing = S.sequencing(
        S.objectives(S.primaryObjective(satisfiedByMeasure="false"), *objectives),
        S.deliveryControls(completionSetByContent="true", objectiveSetByContent="true"))
    root = E.manifest(
        E.metadata(E.schema("ADL SCORM"), E.schemaversion("2004 4th Edition")),
        E.organizations(
            E.organization(
                E.title(title),
                E.item(E.title(title), sequencing, identifier="item", identifierref="sco", isvisible="true"),
                S.sequencing(S.controlMode(choice="true", flow="true")),
                {f"{{{ADLSEQ}}}objectivesGlobalToSystem": "true"}, identifier="org"),
            default="org"),
        E.resources(
            E.resource(*(E.file(href=href(path)) for path in sorted(paths)),
                       {f"{{{ADLCP}}}scormType": "sco"}, identifier="sco", type="webcontent", href=PAGE)),
        {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION}, identifier=package_id(data), version="1")
    return xml_bytes(root)


class Scorm2004Exporter(ScormExporter):
    name = "scorm2004"
    transport = "scorm2004"

    def manifest(self, data: Mapping[str, Any], paths: list[str]) -> bytes:
        return manifest(data, paths)
