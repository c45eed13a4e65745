"""SCORM 1.2: one zip per course and language, the player talking to the LMS's ``API`` object.

The package is the player package (:mod:`.player_package`, transport ``scorm12``) plus an
``imsmanifest.xml`` that validates against ADL's SCORM 1.2 schemas: one organization holding one
item, launched from one SCO resource (``index.html``) that lists every file of the package. The
item declares no ``adlcp:masteryscore``: the player sets ``passed`` itself once every competency is
mastered, and a mastery score would let the LMS decide from the mean instead (docs/scorm.md,
"passed"). SCORM 1.2 manifests declare no objectives: the player records one ``cmi.objectives``
entry per competency at run time.

Identifiers: the manifest is ``comptoir.<course>.<language>``; the organization, item and resource
identifiers are fixed, so a rebuilt package replaces the previous one in an LMS that matches them.
"""
from __future__ import annotations

from typing import Any, Mapping

from lxml.builder import ElementMaker

from .player_package import PAGE, ScormExporter, href, package_id, xml_bytes

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{IMSCP} imscp_rootv1p1p2.xsd {ADLCP} adlcp_rootv1p2.xsd"
TITLE_MAX = 200  # imscp_rootv1p1p2.xsd: titleType


def short_title(title: str, limit: int = TITLE_MAX) -> str:
    """SCORM 1.2 titles hold at most 200 characters; a longer one is cut at a word and ends with "…"."""
    if len(title) <= limit:
        return title
    cut = title[:limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"


def manifest(data: Mapping[str, Any], paths: list[str]) -> bytes:
    """``imsmanifest.xml`` for the bundle ``data`` of a package holding ``paths`` (the manifest aside)."""
    nsmap = {None: IMSCP, "adlcp": ADLCP, "xsi": XSI}
    E = ElementMaker(namespace=IMSCP, nsmap=nsmap)
    title = short_title(data["course"]["title"])
    root = E.manifest(
        E.metadata(E.schema("ADL SCORM"), E.schemaversion("1.2")),
        E.organizations(
            E.organization(
                E.title(title),
                E.item(E.title(title), identifier="item", identifierref="sco", isvisible="true"),
                identifier="org"),
            default="org"),
        E.resources(
            E.resource(*(E.file(href=href(path)) for path in sorted(paths)),
                       {f"{{{ADLCP}}}scormtype": "sco"}, identifier="sco", type="webcontent", href=PAGE)),
        {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION}, identifier=package_id(data), version="1.0")
    return xml_bytes(root)


class Scorm12Exporter(ScormExporter):
    name = "scorm12"
    transport = "scorm12"

    def manifest(self, data: Mapping[str, Any], paths: list[str]) -> bytes:
        return manifest(data, paths)
