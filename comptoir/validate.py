"""Checks across files: references, ids, prerequisites, crosswalks, courses.

Each failure mode has its own code (docs/diagnostics.md lists them); a check reports and goes on.
A root cause is reported once: a framework that does not exist is one ``unknown-framework`` per
file naming it, not one ``unknown-ref`` per reference to its codes.
"""
from __future__ import annotations

from .coverage import ADAPTIVE_ITEMS, MIN_ITEMS, MIN_LESSONS, course_coverage, gaps, thin
from .diagnostics import Report
from .model import Content, Framework, Ref
from .resolve import resolve, selected_units


def _framework(framework: Framework, report: Report) -> None:
    seen: dict[str, int] = {}
    for node in framework.walk():
        if node.kind in framework.levels and not node.code:
            report.error(framework.path, node.line, "missing-code",
                         f"a '{node.kind}' node has no official code", "give it its 'code' from the source")
        if node.kind in framework.levels and framework.languages[0] not in node.text:
            report.error(framework.path, node.line, "missing-text",
                         f"'{node.key}' has no official text in '{framework.languages[0]}'",
                         "copy its wording from the source document")
        if node.key in seen:
            report.error(framework.path, node.line, "duplicate-id",
                         f"code '{node.key}' is also used on line {seen[node.key]}",
                         "codes and ids are unique within a framework; give repeated details an 'id'")
        else:
            seen[node.key] = node.line
    units = {framework.ref(u) for u in framework.units()}
    _prerequisites(framework.prerequisites, units, framework.path, framework.prerequisite_lines, report)


def _prerequisites(graph, units: set[Ref], path, lines, report: Report) -> None:
    for unit, needs in graph.items():
        line = lines.get(unit, 1)
        for ref in (unit, *needs):
            if ref not in units:
                report.error(path, line, "dangling-prerequisite", f"prerequisite entry names unknown unit '{ref}'",
                             "use codes of this framework's competency-level units")
    state: dict[Ref, int] = {}
    reported: set[Ref] = set()

    def visit(ref: Ref, trail: list[Ref]) -> None:
        state[ref] = 1
        for need in graph.get(ref, ()):
            if state.get(need) == 1:
                cycle = trail[trail.index(need):] + [need] if need in trail else [ref, need]
                if not reported & set(cycle):
                    reported.update(cycle)
                    report.error(path, lines.get(ref, 1), "cyclic-prerequisite",
                                 "prerequisites form a cycle: " + " → ".join(c.split(":", 1)[1] for c in cycle),
                                 "a unit cannot (indirectly) require itself; remove one edge")
            elif need not in state:
                visit(need, trail + [need])
        state[ref] = 2

    for ref in sorted(graph):
        if ref not in state:
            visit(ref, [ref])


def _unknown_framework(framework_id: str, content: Content) -> tuple[str, str]:
    """The message and hint of a reference to a framework that was not read (absent, or with errors of its own)."""
    return (f"unknown framework '{framework_id}'",
            f"add content/frameworks/{framework_id}.yaml or fix its errors; known: "
            f"{', '.join(sorted(content.frameworks)) or '(none yet)'}")


def _missing_framework(ref: Ref | None, content: Content) -> str | None:
    """The framework id of ``ref`` when it is well formed and no such framework exists."""
    framework_id, colon, _ = (ref or "").partition(":")
    return framework_id if colon and framework_id not in content.frameworks else None


def unit_refs(content: Content) -> dict[Ref, str]:
    """Every competency-level reference of every framework → its framework id."""
    return {fw.ref(u): fw.id for fw in content.frameworks.values() for u in fw.units()}


def _crosswalks(content: Content, units: dict[Ref, str], report: Report) -> None:
    for cw in content.crosswalks:
        absent = [side for side in (cw.source, cw.target) if side not in content.frameworks]
        for side in absent:
            report.error(cw.path, 1, "crosswalk-framework", f"no framework '{side}' for this crosswalk",
                         "name the file <source>__<target>.csv after two framework ids (or fix that framework)")
        if absent:
            continue
        seen: dict[tuple, int] = {}
        missing: set[str] = set()
        for link in cw.links:
            for ref, fw in ((link.source, cw.source), (link.target, cw.target)):
                if (framework_id := _missing_framework(ref, content)) is not None:
                    if framework_id not in missing:
                        missing.add(framework_id)
                        report.error(cw.path, link.line, "unknown-framework", *_unknown_framework(framework_id, content))
                elif ref is not None and (units.get(ref) != fw):
                    report.error(cw.path, link.line, "crosswalk-unknown",
                                 f"'{ref}' is not a competency-level unit of '{fw}'",
                                 f"use a full reference such as '{fw}:<code>' to a unit of {fw}")
            key = (link.source, link.target)
            if key in seen:
                report.error(cw.path, link.line, "crosswalk-duplicate",
                             f"the pair {link.source or '-'} / {link.target or '-'} is also on line {seen[key]}",
                             "keep one row per pair")
            seen[key] = link.line


def _references(path, named: list[tuple[Ref, int, str]], units: dict[Ref, str], content: Content,
                report: Report) -> None:
    """Report the unknown references of one file, in order: a framework that does not exist once, at its
    first mention; each unknown code of a known framework where it is named."""
    missing: set[str] = set()
    for ref, line, message in named:
        if ref in units:
            continue
        framework_id = _missing_framework(ref, content)
        if framework_id is None:
            report.error(path, line, "unknown-ref", message,
                         "use 'framework-id:code' with a competency-level code (see content/frameworks/)")
        elif framework_id not in missing:
            missing.add(framework_id)
            report.error(path, line, "unknown-framework", *_unknown_framework(framework_id, content))


def _lessons(content: Content, units: dict[Ref, str], report: Report) -> None:
    items: dict[str, tuple] = {}
    for lesson in content.lessons.values():
        named = [(ref, lesson.competencies_line, f"unknown competency reference '{ref}'")
                 for ref in lesson.competencies]
        for item in lesson.items:
            if item.id in items:
                other_path, other_line = items[item.id]
                report.error(lesson.path, item.line, "duplicate-id",
                             f"item id '{item.id}' is also used in {other_path.name}:{other_line}",
                             "item ids are unique across all content")
            else:
                items[item.id] = (lesson.path, item.line)
            named.extend((ref, item.line, f"item '{item.id}' names unknown competency '{ref}'")
                         for ref in item.competencies if ref not in lesson.competencies)  # those are named above
        _references(lesson.path, named, units, content, report)


def _courses(content: Content, report: Report) -> None:
    for course in content.courses.values():
        framework = content.frameworks.get(course.framework)
        if framework is None:
            report.error(course.path, course.line("framework"), "unknown-framework",
                         *_unknown_framework(course.framework, content))
            continue
        units, unknown = selected_units(framework, course.include)
        for code in unknown:
            report.error(course.path, course.line("include"), "unknown-ref", f"'{code}' is not a code of framework '{framework.id}'",
                         "include domain or unit codes of the course's framework, or 'all'")
        for lesson_id in course.lesson_ids:
            if lesson_id not in content.lessons:
                report.error(course.path, course.line("lessons"), "unknown-lesson",
                             f"course '{course.id}' lists unknown lesson '{lesson_id}'",
                             "use lesson ids (file names without .md) from content/lessons/")
        if course.prerequisites is not None:
            _prerequisites(course.prerequisites, {framework.ref(u) for u in framework.units()}, course.path,
                           course.lines, report)
        resolved = resolve(content, course.id)
        if not units or not resolved.lessons:
            report.error(course.path, course.line("include"), "empty-course", f"course '{course.id}' includes no lesson",
                         "include units that lessons are aligned to (directly or through a crosswalk)")
            continue
        coverage = course_coverage(resolved)
        for code, row in gaps(coverage):
            report.error(course.path, course.line("include"), "coverage",
                         f"course '{course.id}': {framework.id}:{code} has {row['lessons']} lesson(s) and "
                         f"{row['items']} item(s); it needs at least {MIN_LESSONS} and {MIN_ITEMS}",
                         "write a lesson and items aligned to it, or leave it out of 'include'")
        for code, row in thin(coverage):
            report.warning(course.path, course.line("include"), "thin-bank",
                           f"course '{course.id}': {framework.id}:{code} has {row['items']} item(s); learners who "
                           f"need practice will meet the same questions again below {ADAPTIVE_ITEMS}",
                           f"write {ADAPTIVE_ITEMS - row['items']} more item(s) aligned to it (docs/adaptive.md, "
                           "« When the items run out »)")


def check_content(content: Content, report: Report) -> None:
    for framework in content.frameworks.values():
        _framework(framework, report)
    units = unit_refs(content)
    _crosswalks(content, units, report)
    _lessons(content, units, report)
    _courses(content, report)
