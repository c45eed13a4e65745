"""Open edX course exports (OLX): one ``olx/<course>.<locale>.tar.gz`` per course and content language.

A serialiser of the presentation layer (:mod:`comptoir.present`), like the Anki exporter, laid out
as Studio itself exports a course (Redwood/Sumac), under a single top-level folder ``course/``:

- ``course.xml`` points at ``course/<run>.xml``; the run is the content language (``fr``), the
  organisation ``comptoir`` and the course number the course id. Studio imports into whatever
  course the instructor created, so these only name the export.
- a chapter per domain of the course framework (``b · <official domain title>``), a sequential per
  competency (``<code> <official title>``), and in it **a vertical per lesson**: the lesson as one
  ``html`` component (prose and key points, its quiz directives taken out), then the lesson's items
  as native capa problems (:mod:`.olx_problems`). A unit per lesson keeps units short; a competency
  taught by one lesson gets exactly one vertical. A lesson teaching several competencies goes, with
  its items, under the first of them (in its front matter's order).
- once per course, a last chapter holding the adaptive XBlock
  (``<comptoir_adaptive competencies="ref ref …" threshold="…">``) over every competency of the
  course: the engine sequences competencies by prerequisites that cross domains, and one block keeps
  one learner state; per chapter, each block would see a fragment of the graph. The element's text
  is the course the block plays, as JSON (:mod:`comptoir.xblocks.content`: the player's course
  data, keys apart, images under ``/static/``), so importing the archive gives the block its course.
- ``policies/<run>/policy.json``: ``advanced_modules: ["comptoir_adaptive"]``, the language,
  display name and start (also on ``course/<run>.xml``, as Studio writes them), ``self_paced`` (no
  deadlines: practice and mastery at the learner's pace) and the course card; the end date is
  :data:`END`, far enough never to close the course by itself (Open edX tools such as olxcleaner
  require one; a school sets its own in Studio's "Schedule & Details"). ``grading_policy.json``: two assignment types, "Entraînement"
  (every competency sequential holding problems, weight 0.2, no drop) and "Maîtrise" (the adaptive
  block, weight 0.8), and ``Pass`` at the course's mastery threshold: with the XBlock scoring the
  mean mastery probability (as the SCORM packages report it), a learner with every practice
  problem right passes exactly when mastery reaches the threshold; weaker practice needs more
  mastery. ``policies/assets.json`` is ``{}``.
- ``about/overview.html`` (the course description), ``about/short_description.html`` (its first
  sentence as text, at most 150 characters, Studio's limit); ``static/``: the lessons' images,
  referred to as ``/static/<name>``, and ``course_card.svg``, the course title on a plain card.
- ``tags.csv``: the competency tags, in the format Studio's course export writes and its import
  reads (Redwood+): ``Name, Type, ID`` and one column per taxonomy titled with the taxonomy's export
  id, values separated by ``;``. The taxonomies are the ``taxonomy`` target's files: export id
  ``<framework>.<language>`` (the course language when the framework has official text in it,
  else its first language), tag values exactly that file's values. Tagged: each competency
  sequential, each lesson, problem and the adaptive block, with every competency it is aligned to
  in every framework. Import the taxonomies first (docs/openedx.md).

Block ids (``url_name``) derive from stable source ids only (a domain or competency reference, a
lesson or item id), prefixed by kind: ``item_b6-conclure-q1``. Open edX keeps learner state by
block id, so an edited item keeps its answers across re-imports. Changing a scheme orphans that
state.

The archive is deterministic: entries sorted, dated the build timestamp, owner 0, no owner names,
mode 0644 (folders 0755), and a gzip header with the same date and no file name.
"""
from __future__ import annotations

import csv
import gzip
import html
import io
import json
import re
import tarfile
import textwrap
from datetime import datetime, timezone
from typing import Callable, Iterable, Mapping

from lxml import etree

from comptoir.identity import olx_block_id as block_id
from comptoir.model import Ref, ResolvedCourse
from comptoir.present import PresentedCourse, PresentedItem, PresentedLesson, present
from comptoir.xblocks.content import dumps

from .base import Artifact, BuildContext, CourseExporter
from .olx_problems import ProblemWriter, excerpt, plain
from .player_package import course_data, without_keys
from .taxonomy import taxonomy_rows

ORG = "comptoir"
ROOT = "course"
XBLOCK = "comptoir_adaptive"
CARD = "course_card.svg"
SHORT_DESCRIPTION = 150
PRACTICE_WEIGHT, MASTERY_WEIGHT = 0.2, 0.8
#: The software's words this module shows, besides those of :mod:`.olx_problems`. All but "Point clé"
#: are new to the catalogs: until translated, Italian and English courses show them in French.
WORDS = ("Point clé", "Entraînement", "Maîtrise", "Parcours adaptatif")
KEY_POINT_STYLE = "border-left:4px solid #0075b4;margin:1em 0;padding:0.25em 1em;background:#f2f8fb"
#: The course's end date: a self-paced course stays open; olxcleaner requires one.
END = "2100-01-01T00:00:00Z"


def ref_id(kind: str, ref: Ref) -> str:
    framework, _, code = ref.partition(":")
    return block_id(kind, framework, code)


def xml_bytes(element: etree._Element) -> bytes:
    return etree.tostring(element, encoding="utf-8", pretty_print=True)


def element(tag: str, children: Iterable[etree._Element] = (), **attributes: str) -> etree._Element:
    node = etree.Element(tag, {k.replace("__", "-"): v for k, v in attributes.items()})
    node.extend(children)
    return node


def pointer(tag: str, url_name: str) -> etree._Element:
    return etree.Element(tag, url_name=url_name)


def iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def short_description(description_html: str) -> str:
    text = plain(description_html)
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return excerpt(first, SHORT_DESCRIPTION)


def course_card(title: str) -> bytes:
    """A 378×225 card (Open edX's course card size) with the course title; text only, no font files."""
    lines = textwrap.wrap(title, 26)[:4]
    top = 112 - 15 * (len(lines) - 1)
    texts = "".join(f'<text x="24" y="{top + 30 * n}">{html.escape(line)}</text>' for n, line in enumerate(lines))
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="378" height="225" viewBox="0 0 378 225">'
            '<rect width="378" height="225" fill="#0b3954"/>'
            '<rect y="205" width="378" height="20" fill="#0075b4"/>'
            f'<g font-family="sans-serif" font-size="22" font-weight="bold" fill="#ffffff">{texts}</g>'
            '<text x="24" y="196" font-family="sans-serif" font-size="13" fill="#bfd7ea">comptoir</text>'
            '</svg>\n').encode("utf-8")


def tar_gz(files: Mapping[str, bytes], timestamp: int) -> bytes:
    """A gzipped tar of ``files`` (path → bytes) and their folders, byte-identical for the same input."""
    folders = {"/".join(path.split("/")[:depth]) for path in files for depth in range(1, path.count("/") + 1)}
    entries = sorted([(folder, None) for folder in folders] + list(files.items()), key=lambda entry: entry[0])
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = timestamp, 0, 0, "", ""
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.mode, info.size = 0o644, len(data)
                tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb", mtime=timestamp, filename="") as archive:
        archive.write(raw.getvalue())
    return packed.getvalue()


class Taxonomies:
    """The tag columns of ``tags.csv``: per framework, the export id and the value of each code."""

    def __init__(self, course: ResolvedCourse) -> None:
        self.columns: dict[str, tuple[str, dict[str, str]]] = {}
        order = [course.framework.id, *sorted(f for f in course.frameworks if f != course.framework.id)]
        for fid in order:
            framework = course.frameworks[fid]
            language = course.locale if course.locale in framework.languages else framework.languages[0]
            values = {code: value for code, value, _ in taxonomy_rows(framework, language)}
            self.columns[fid] = (f"{fid}.{language}", values)

    def tags(self, refs: Iterable[Ref]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for ref in refs:
            fid, _, code = ref.partition(":")
            export_id, values = self.columns.get(fid, ("", {}))
            if code in values and values[code] not in found.setdefault(export_id, []):
                found[export_id].append(values[code])
        return {k: v for k, v in found.items() if v}


class CourseWriter:
    """The files of one course export, by path below ``course/``."""

    def __init__(self, course: ResolvedCourse, context: BuildContext) -> None:
        self.rc = course
        self.context = context
        self.t: Callable[[str], str] = context.words
        self.shown: PresentedCourse = present(course, "/static/")
        self.run = course.locale
        self.files: dict[str, bytes] = {}
        self.taxonomies = Taxonomies(course)
        self.tag_rows: list[tuple[str, str, str, dict[str, list[str]]]] = []
        self.problems = ProblemWriter(self.t)

    # --- structure ---------------------------------------------------------------------------

    def units(self) -> dict[Ref, list[PresentedLesson]]:
        """Each competency's lessons, a lesson going to the first competency it teaches."""
        items = {item.id: item for item in self.shown.items}
        by_unit: dict[Ref, list[PresentedLesson]] = {c.ref: [] for c in self.shown.competencies}
        for lesson in self.shown.lessons:
            taught = lesson.competencies or next(
                (items[b.item].competencies for b in lesson.blocks if b.kind == "item"), ())
            if taught:
                by_unit[taught[0]].append(lesson)
        return by_unit

    def write(self) -> dict[str, bytes]:
        shown, t = self.shown, self.t
        items = {item.id: item for item in shown.items}
        by_unit = self.units()
        chapters, domains = [], {}
        for competency in shown.competencies:
            domains.setdefault(competency.domain, (competency.domain_title, []))[1].append(competency)
        practice = 0
        for domain, (title, competencies) in domains.items():
            sequentials = []
            for competency in competencies:
                lessons = by_unit[competency.ref]
                if not lessons:
                    continue
                graded = any(b.kind == "item" for lesson in lessons for b in lesson.blocks)
                practice += graded
                seq = ref_id("competency", competency.ref)
                name = f"{competency.code} {competency.title}"
                self.tag(seq, "sequential", name, 2, self.rc.aligned((competency.ref,)))
                verticals = [self.vertical(lesson, [items[b.item] for b in lesson.blocks if b.kind == "item"])
                             for lesson in lessons]
                attributes = {"display_name": name}
                if graded:
                    attributes.update(graded="true", format=t("Entraînement"))
                self.put(f"sequential/{seq}.xml", element("sequential", [pointer("vertical", v) for v in verticals],
                                                          **attributes))
                sequentials.append(seq)
            if sequentials:
                chapter = ref_id("domain", f"{self.rc.framework.id}:{domain}")
                self.put(f"chapter/{chapter}.xml", element("chapter", [pointer("sequential", s) for s in sequentials],
                                                           display_name=f"{domain} · {title}"))
                chapters.append(chapter)
        chapters.append(self.adaptive())
        self.course(chapters, practice)
        self.files["tags.csv"] = self.tags_csv()
        return self.files

    def vertical(self, lesson: PresentedLesson, items: list[PresentedItem]) -> str:
        vertical = block_id("unit", lesson.id)
        lesson_block = block_id("lesson", lesson.id)
        self.put(f"html/{lesson_block}.xml", element("html", filename=lesson_block, display_name=lesson.title,
                                                      editor="raw"))
        self.files[f"html/{lesson_block}.html"] = self.lesson_html(lesson).encode("utf-8")
        self.tag(lesson_block, "html", lesson.title, 4, lesson.aligned)
        children = [pointer("html", lesson_block)]
        for item in items:
            problem = block_id("item", item.id)
            self.files[f"problem/{problem}.xml"] = self.problems.problem(item)
            self.tag(problem, "problem", item.id, 4, item.aligned)
            children.append(pointer("problem", problem))
        self.put(f"vertical/{vertical}.xml", element("vertical", children, display_name=lesson.title))
        return vertical

    def lesson_html(self, lesson: PresentedLesson) -> str:
        parts = []
        label = html.escape(self.t("Point clé"))
        for block in lesson.blocks:
            if block.kind == "prose":
                parts.append(block.html)
            elif block.kind == "key-point":
                parts.append(f'<div class="comptoir-key-point" style="{KEY_POINT_STYLE}">'
                             f"<p><strong>{label}</strong></p>\n{block.html}\n</div>")
        return "\n".join(parts) + "\n"

    def adaptive(self) -> str:
        """The last chapter: the adaptive XBlock over every competency of the course."""
        name = self.t("Parcours adaptatif")
        refs = [c.ref for c in self.shown.competencies]
        block = element(XBLOCK, url_name=block_id("adaptive", "block"), xblock__family="xblock.v1",
                        display_name=name, competencies=" ".join(refs), threshold=number(self.shown.threshold))
        block.text = dumps(*without_keys(course_data(self.shown, self.context.engine)))
        self.tag(block_id("adaptive", "block"), XBLOCK, name, 4, refs)
        self.put("vertical/adaptive_unit.xml", element("vertical", [block], display_name=name))
        self.put("sequential/adaptive_sequence.xml",
                 element("sequential", [pointer("vertical", "adaptive_unit")], display_name=name, graded="true",
                         format=self.t("Maîtrise")))
        self.put("chapter/adaptive_chapter.xml",
                 element("chapter", [pointer("sequential", "adaptive_sequence")], display_name=name))
        return "adaptive_chapter"

    # --- course-level files -------------------------------------------------------------------

    def course(self, chapters: list[str], practice: int) -> None:
        shown, run = self.shown, self.run
        start, end = iso(self.context.timestamp), END
        self.put("course.xml", etree.Element("course", url_name=run, org=ORG, course=shown.id))
        self.put(f"course/{run}.xml", element("course", [pointer("chapter", c) for c in chapters],
                                              display_name=shown.title, language=shown.language, start=start,
                                              end=end))
        policy = {f"course/{run}": {"advanced_modules": [XBLOCK], "course_image": CARD,
                                    "display_name": shown.title, "language": shown.language, "self_paced": True,
                                    "start": start, "end": end}}
        self.json(f"policies/{run}/policy.json", policy)
        self.json(f"policies/{run}/grading_policy.json", self.grading_policy(practice))
        self.json("policies/assets.json", {})
        self.files["about/overview.html"] = (shown.description + "\n").encode("utf-8")
        self.files["about/short_description.html"] = html.escape(short_description(shown.description),
                                                                 quote=False).encode("utf-8")
        self.files[f"static/{CARD}"] = course_card(shown.title)
        for name, media in self.context.media.items():
            self.files[f"static/{name}"] = media.data

    def grading_policy(self, practice: int) -> dict:
        mastery = {"type": self.t("Maîtrise"), "min_count": 1, "drop_count": 0,
                   "weight": MASTERY_WEIGHT if practice else 1.0}
        graders = [{"type": self.t("Entraînement"), "min_count": practice, "drop_count": 0,
                    "weight": PRACTICE_WEIGHT}] if practice else []
        return {"GRADER": [*graders, mastery], "GRADE_CUTOFFS": {"Pass": self.shown.threshold}}

    def tag(self, url_name: str, kind: str, name: str, level: int, refs: Iterable[Ref]) -> None:
        tags = self.taxonomies.tags(refs)
        if tags:
            self.tag_rows.append(("  " * level + name, kind, url_name, tags))

    def tags_csv(self) -> bytes:
        columns = [export_id for export_id, _ in self.taxonomies.columns.values()
                   if any(export_id in tags for *_, tags in self.tag_rows)]
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
        writer.writerow(("Name", "Type", "ID", *columns))
        for name, kind, url_name, tags in self.tag_rows:
            writer.writerow((name, kind, url_name, *("; ".join(tags.get(c, ())) for c in columns)))
        return buffer.getvalue().encode("utf-8")

    # --- writing ------------------------------------------------------------------------------

    def put(self, path: str, node: etree._Element) -> None:
        if path in self.files:
            raise ValueError(f"{path} is written twice: two blocks share a url_name")
        self.files[path] = xml_bytes(node)

    def json(self, path: str, data: object) -> None:
        self.files[path] = (json.dumps(data, ensure_ascii=False, indent=4, sort_keys=True) + "\n").encode("utf-8")


class OlxExporter(CourseExporter):
    name = "olx"

    def export(self, course: ResolvedCourse, context: BuildContext) -> Iterable[Artifact]:
        files = CourseWriter(course, context).write()
        data = tar_gz({f"{ROOT}/{path}": content for path, content in files.items()}, context.timestamp)
        yield Artifact(course.course.id, self.name, course.locale, f"olx/{course.course.id}.{course.locale}.tar.gz",
                       data)
