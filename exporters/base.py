"""The exporter interface: one class per target, registered under the ``comptoir.exporters`` entry points.

Exporters receive a validated, localised, immutable model and return artifacts as bytes; the build
writes them. They never read sources, never write files themselves, so tests need no disk.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Iterable, Mapping

from comptoir.model import Crosswalk, Framework, ResolvedCourse


@dataclass(frozen=True)
class Artifact:
    course: str  # course id, or framework id for framework-level artifacts
    target: str
    locale: str
    path: str  # relative to the output folder, '/'-separated
    data: bytes


@dataclass(frozen=True)
class FrameworkContext:
    frameworks: Mapping[str, Framework]
    crosswalks: tuple[Crosswalk, ...]
    timestamp: int


class CourseExporter:
    """Writes one or more artifacts per course and content locale."""

    name: ClassVar[str]
    scope: ClassVar[str] = "course"

    def export(self, course: ResolvedCourse, timestamp: int) -> Iterable[Artifact]:
        raise NotImplementedError


class FrameworkExporter:
    """Writes artifacts per framework (and official language), independent of courses."""

    name: ClassVar[str]
    scope: ClassVar[str] = "framework"

    def export(self, framework: Framework, context: FrameworkContext) -> Iterable[Artifact]:
        raise NotImplementedError
