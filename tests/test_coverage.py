"""`comptoir coverage` and the coverage rule of `comptoir check`."""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter

from comptoir.cli import main

from .conftest import CONTENT
from .helpers import check_tree


def _coverage(capsys, *args) -> str:
    assert main(["--content", str(CONTENT), "coverage", *args]) == 0
    return capsys.readouterr().out


def _direct_counts(code: str) -> tuple[int, int]:
    """Lessons and items aligned directly to ``code``, counted from the files with regexes (independent oracle)."""
    lessons = items = 0
    for path in (CONTENT / "lessons").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        front = text.split("---", 2)[1]
        if re.search(rf"[\[ ,]{re.escape(code)}[\],]", front):
            lessons += 1
            items += len(re.findall(r"^:::\{(?:quiz|scenario)\}", text, flags=re.M))
    return lessons, items


def test_json_shape_and_every_course_unit_is_covered(capsys):
    data = json.loads(_coverage(capsys, "--json"))
    assert set(data["courses"]) == {p.stem for p in (CONTENT / "courses").glob("*.yaml")}
    for course in data["courses"].values():
        for code, row in course["competencies"].items():
            assert set(row) == {"lessons", "items", "item_types", "minutes"}
            assert row["lessons"] >= 1 and row["items"] >= 6, code
            assert sum(row["item_types"].values()) == row["items"]
    for framework_course in ("ch-arc", "fr-mcavd", "fr-accueil", "be-occ"):  # banks deep enough to adapt
        thin = {code: row["items"] for code, row in data["courses"][framework_course]["competencies"].items()
                if row["items"] < 10}
        assert thin == {}, (framework_course, thin)
    swiss = data["courses"]["ch-arc"]["competencies"]
    assert len(swiss) == 40
    for code in ("a.1", "d.3", "g.4"):
        lessons, items = _direct_counts(f"ch-arc:{code}")
        assert swiss[code]["lessons"] >= lessons >= 1 and swiss[code]["items"] >= items >= 10


def test_at_least_300_distinct_items():
    ids = Counter(m for p in (CONTENT / "lessons").rglob("*.md")
                  for m in re.findall(r"^:::\{(?:quiz|scenario)\} (\S+)", p.read_text(encoding="utf-8"), flags=re.M))
    assert len(ids) >= 300 and max(ids.values()) == 1


def test_text_table_and_html(capsys, tmp_path):
    table = _coverage(capsys)
    assert "ch-arc (ch-arc): 40 competencies, 0 below 1 lesson / 6 items, 0 below the 10 items" in table
    page = tmp_path / "coverage.html"
    _coverage(capsys, "--html", str(page))
    html = page.read_text(encoding="utf-8")
    assert html.count("<tr>") >= 41 and "b.6" in html


def test_check_fails_a_course_with_an_uncovered_unit(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    lesson = next((root / "lessons" / "ch-arc").glob("g4-*.md"))
    text = lesson.read_text(encoding="utf-8")
    # Keep the lesson but drop all its items but one: g.4 then has 1 lesson and too few items.
    blocks = re.split(r"(?m)^(?=:::\{(?:quiz|scenario)\})", text)
    kept = blocks[0] + blocks[1].split("\n:::\n", 1)[0] + "\n:::\n"
    lesson.write_text(kept, encoding="utf-8")
    found = [(d.path, d.code, d.message) for d in check_tree(root)]
    assert [(p, c) for p, c, _ in found] == [("content/courses/ch-arc.yaml", "coverage")]
    assert "ch-arc:g.4 has 1 lesson(s) and 1 item(s)" in found[0][2]


def _keep_items(root, pattern: str, count: int) -> None:
    """Keep the first ``count`` items of the lesson matching ``pattern``, drop the rest."""
    lesson = next((root / "lessons" / "ch-arc").glob(pattern))
    blocks = re.split(r"(?m)^(?=:::\{(?:quiz|scenario)\})", lesson.read_text(encoding="utf-8"))
    kept = [blocks[0]] + [b.split("\n:::\n", 1)[0] + "\n:::\n\n" for b in blocks[1:count + 1]]
    lesson.write_text("".join(kept), encoding="utf-8")


def test_check_warns_below_ten_items_and_names_how_many_to_write(tmp_path, capsys):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    _keep_items(root, "g4-*.md", 7)
    assert main(["--content", str(root), "check"]) == 0  # a warning: the course still builds
    err = capsys.readouterr().err
    thin = [line for line in err.splitlines() if "warning[thin-bank]" in line]
    assert thin == ["content/courses/ch-arc.yaml:8:1: warning[thin-bank]: course 'ch-arc': ch-arc:g.4 has 7 item(s); "
                    "learners who need practice will meet the same questions again below 10"], err
    assert "write 3 more item(s) aligned to it" in err
    assert main(["--content", str(root), "coverage"]) == 0
    table = capsys.readouterr().out
    assert "1 below the 10 items adaptive practice needs" in table and re.search(r"g\.4 .*← thin", table)
