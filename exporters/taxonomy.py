"""Open edX tagging import CSV (``id,value,parent_id``), one per framework and official language.

The hierarchy is the framework's ``levels`` (at most three in every shipped framework); details
below the competency level are not tags. Values are prefixed with the code because Open edX
requires tag values to be unique within a taxonomy.
"""
from __future__ import annotations

import csv
import io
from typing import Iterable

from comptoir.model import Framework

from .base import Artifact, FrameworkContext, FrameworkExporter

MAX_DEPTH = 3


def taxonomy_rows(framework: Framework, language: str) -> list[tuple[str, str, str]]:
    lineage = framework.lineage()
    rows = []
    for node in framework.walk():
        if node.kind not in framework.levels:
            continue
        chain = lineage[node.key]
        text = node.text_in(language)
        rows.append((node.key, f"{node.key} {text}", chain[-1].key if chain else ""))
        if len(chain) >= MAX_DEPTH:
            raise ValueError(f"{framework.id}: '{node.key}' is deeper than Open edX's {MAX_DEPTH} tag levels")
    return rows


class TaxonomyExporter(FrameworkExporter):
    name = "taxonomy"

    def export(self, framework: Framework, context: FrameworkContext) -> Iterable[Artifact]:
        for language in framework.languages:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(("id", "value", "parent_id"))
            writer.writerows(taxonomy_rows(framework, language))
            yield Artifact(framework.id, self.name, language, f"taxonomy/{framework.id}.{language}.csv",
                           buffer.getvalue().encode("utf-8"))
