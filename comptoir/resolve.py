"""Narrow the content to one course: its units, the lessons that teach them, the links it uses."""
from __future__ import annotations

from collections import defaultdict

from .model import COVERING_RELATIONS, Content, Framework, Node, Ref, ResolvedCourse, frozen_map


def selected_units(framework: Framework, include: tuple[str, ...]) -> tuple[tuple[Node, ...], tuple[str, ...]]:
    """Units named by ``include`` (domain or unit codes; empty = all) and the codes not found."""
    units = framework.units()
    if not include:
        return units, ()
    lineage = framework.lineage()
    known = {n.key for n in framework.walk()}
    wanted = set(include)
    chosen = tuple(u for u in units if u.key in wanted or any(a.key in wanted for a in lineage[u.key]))
    return chosen, tuple(code for code in include if code not in known)


def links(content: Content, relations: tuple[str, ...]) -> dict[Ref, tuple[Ref, ...]]:
    """Symmetric adjacency of crosswalk links with one of ``relations``."""
    graph: dict[Ref, list[Ref]] = defaultdict(list)
    for cw in content.crosswalks:
        for link in cw.links:
            if link.relation in relations and link.source and link.target:
                graph[link.source].append(link.target)
                graph[link.target].append(link.source)
    return {ref: tuple(dict.fromkeys(targets)) for ref, targets in graph.items()}


def resolve(content: Content, course_id: str, locale: str = "fr") -> ResolvedCourse:
    course = content.courses[course_id]
    framework = content.frameworks[course.framework]
    units, _ = selected_units(framework, course.include)
    refs = {framework.ref(u) for u in units}
    covering = links(content, COVERING_RELATIONS)
    prerequisites = course.prerequisites if course.prerequisites is not None else framework.prerequisites
    order = {framework.ref(u): i for i, u in enumerate(units)}

    def teaches(refs_: tuple[Ref, ...]) -> list[int]:
        return [order[t] for r in refs_ for t in (r, *covering.get(r, ())) if t in refs]

    pool = [content.lessons[i] for i in course.lesson_ids if i in content.lessons] if course.lesson_ids \
        else content.lessons.values()
    taught = [(min(hits), lesson.id, lesson) for lesson in pool if (hits := teaches(lesson.competencies))]
    return ResolvedCourse(
        course=course,
        framework=framework,
        frameworks=content.frameworks,
        units=units,
        lessons=tuple(lesson for _, _, lesson in sorted(taught, key=lambda t: t[:2])),
        prerequisites=frozen_map({unit: tuple(need for need in needs if need in refs)
                                  for unit, needs in prerequisites.items() if unit in refs}),
        exact_matches=frozen_map(links(content, ("exactMatch",))),
        coverage_links=frozen_map(covering),
        locale=locale,
        region=course.locales.get(locale, locale),
    )
