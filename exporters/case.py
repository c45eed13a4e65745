"""IMS CASE 1.1 JSON packages: one per framework and official language.

Identifiers are UUIDv5 of the framework id and code, so they survive rebuilds and wording changes
and an association to another framework's item can be written without reading its package.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Iterable

from comptoir.identity import case_identifier as identifier
from comptoir.model import Framework, Node

from .base import Artifact, FrameworkContext, FrameworkExporter

def uri(ident: str) -> str:
    return f"urn:uuid:{ident}"


def _link(title: str, ident: str) -> dict:
    return {"title": title, "identifier": ident, "uri": uri(ident)}


def _item_type(framework: Framework, node: Node) -> str:
    depth = framework.levels.index(node.kind)
    if depth == len(framework.levels) - 1:
        return "Competency"
    return "Domain" if depth == 0 else node.kind.replace("-", " ").title().replace(" ", "")


def case_package(framework: Framework, language: str, context: FrameworkContext) -> dict:
    stamp = datetime.fromtimestamp(context.timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    doc_id = identifier(framework.id, language)
    title = framework.title.get(language) or framework.title[framework.languages[0]]
    doc_link = _link(title, doc_id)
    lineage = framework.lineage()
    items, associations = [], []

    def node_id(fid: str, key: str) -> str:
        return identifier(fid, "item", key)

    def associate(kind: str, origin: dict, destination: dict, seq: int | None = None, notes: str = "") -> None:
        ident = identifier(framework.id, language, "assoc", kind, origin["identifier"], destination["identifier"])
        record = {"identifier": ident, "uri": uri(ident), "associationType": kind, "CFDocumentURI": doc_link,
                  "originNodeURI": origin, "destinationNodeURI": destination, "lastChangeDateTime": stamp}
        if seq is not None:
            record["sequenceNumber"] = seq
        if notes:
            record["notes"] = notes
        associations.append(record)

    counters: dict[str, int] = {}
    for node in framework.walk():
        if node.kind not in framework.levels:
            continue
        ident = node_id(framework.id, node.key)
        text = node.text_in(language)
        item = {"identifier": ident, "uri": uri(ident), "CFDocumentURI": doc_link, "fullStatement": text,
                "humanCodingScheme": node.key, "CFItemType": _item_type(framework, node), "language": language,
                "lastChangeDateTime": stamp}
        if node.incomplete:
            item["notes"] = f"Incomplete in the source: {node.incomplete}"
        items.append(item)
        chain = lineage[node.key]
        parent = _link(chain[-1].key, node_id(framework.id, chain[-1].key)) if chain else doc_link
        parent_key = chain[-1].key if chain else ""
        counters[parent_key] = counters.get(parent_key, 0) + 1
        associate("isChildOf", _link(node.key, ident), parent, counters[parent_key])

    for cw in context.crosswalks:
        for link in cw.links:
            if not (link.source and link.target) or framework.id not in (cw.source, cw.target):
                continue
            (sf, sc), (tf, tc) = link.source.split(":", 1), link.target.split(":", 1)
            kind = "exactMatchOf" if link.relation == "exactMatch" else "isRelatedTo"
            notes = f"skos:{link.relation} — {link.rationale}"
            associate(kind, _link(link.source, node_id(sf, sc)), _link(link.target, node_id(tf, tc)), notes=notes)

    document = {"identifier": doc_id, "uri": uri(doc_id), "creator": framework.issuer, "title": title,
                "lastChangeDateTime": stamp, "language": language, "notes": framework.reference,
                "CFPackageURI": _link(title, doc_id)}
    return {"CFDocument": document, "CFItems": items, "CFAssociations": associations}


class CaseExporter(FrameworkExporter):
    name = "case"

    def export(self, framework: Framework, context: FrameworkContext) -> Iterable[Artifact]:
        for language in framework.languages:
            package = case_package(framework, language, context)
            data = json.dumps(package, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8") + b"\n"
            yield Artifact(framework.id, self.name, language, f"case/{framework.id}.{language}.json", data)
