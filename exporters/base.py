"""The exporter interface: one class per target, registered under the ``comptoir.exporters`` entry points.

Exporters receive a validated, localised, immutable model and a build context, and return
artifacts as bytes; the build writes them. They never read sources or open files (the build hands
them media as bytes), so tests need no disk. Adding a target: docs/architecture.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Iterable, Mapping

from comptoir.adaptive.course import EngineCourse
from comptoir.i18n import Words
from comptoir.model import Crosswalk, Framework, ResolvedCourse, frozen_map


@dataclass(frozen=True)
class Artifact:
    course: str  # course id, or framework id for framework-level artifacts
    target: str
    locale: str
    path: str  # relative to the output folder, '/'-separated
    data: bytes


@dataclass(frozen=True)
class Media:
    """A lesson's image, read once by the build, under its flat name (:func:`comptoir.identity.media_name`)."""

    name: str
    data: bytes
    sha256: str


@dataclass(frozen=True)
class BuildContext:
    """What a course exporter gets besides the localised course."""

    timestamp: int  # every date in an artifact (DESIGN §6)
    media: Mapping[str, Media]  # every image the course's lessons use, by flat name
    words: Words  # the software's own words in the course language
    engine: EngineCourse  # the adaptive engine's view of the course, parameters resolved
    #: The same course localised in each of its languages (language → course), for targets that
    #: describe a course in several languages at once (cmi5's langstrings); empty when the caller
    #: localised one language only, and then such targets describe it in that language alone.
    translations: Mapping[str, ResolvedCourse] = field(default_factory=frozen_map)


@dataclass(frozen=True)
class FrameworkContext:
    frameworks: Mapping[str, Framework]
    crosswalks: tuple[Crosswalk, ...]
    timestamp: int


class CourseExporter:
    """Writes one or more artifacts per course and content locale."""

    name: ClassVar[str]
    scope: ClassVar[str] = "course"

    def export(self, course: ResolvedCourse, context: BuildContext) -> Iterable[Artifact]:
        raise NotImplementedError


class FrameworkExporter:
    """Writes artifacts per framework (and official language), independent of courses."""

    name: ClassVar[str]
    scope: ClassVar[str] = "framework"

    def export(self, framework: Framework, context: FrameworkContext) -> Iterable[Artifact]:
        raise NotImplementedError
