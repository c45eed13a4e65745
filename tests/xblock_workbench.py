"""The XBlock SDK workbench with the demo course's adaptive block, for tests and bench/xblock_answer.py.

- :func:`block_xml` is the ``comptoir_adaptive`` element exactly as the OLX export writes it
  (the exporter itself, in memory), the scenario every XBlock test plays;
- :class:`Workbench` starts ``python -m tests.xblock_workbench --port N --scenario FILE`` — the
  workbench's Django ``runserver`` (threaded, no reloader) with that scenario — on loopback in a
  folder of its own, and stops it; ``scenario_url`` is the learner's page.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
SCENARIO = "comptoir_adaptive.demo"
SETTINGS = "tests.workbench_settings"


@lru_cache(maxsize=None)
def resolved(course: str = "demo", language: str = "fr"):
    from comptoir.diagnostics import Report
    from comptoir.i18n import localise
    from comptoir.project import load_content, locales_dir
    from comptoir.resolve import resolve

    report = Report(CONTENT.parent)
    content = load_content(CONTENT, report)
    assert not report.errors, report
    return localise(resolve(content, course), language, locales_dir(content))[0]


@lru_cache(maxsize=None)
def block_xml(course: str = "demo", language: str = "fr") -> str:
    """The adaptive block's element from the course's OLX export (``vertical/adaptive_unit.xml``)."""
    from lxml import etree

    from comptoir.build import course_context
    from comptoir.exporters.olx import XBLOCK, CourseWriter

    rc = resolved(course, language)
    files = CourseWriter(rc, course_context(rc, 0, language)).write()
    unit = etree.fromstring(files["vertical/adaptive_unit.xml"])
    return etree.tostring(unit.find(XBLOCK), encoding="unicode")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(folder: Path) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "COMPTOIR_WORKBENCH_DIR": str(folder),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


def setup_django(folder: Path) -> None:
    """Configure Django in this process for the workbench, with a fresh database in ``folder``."""
    os.environ.update({k: v for k, v in environment(folder).items() if k in ("DJANGO_SETTINGS_MODULE",
                                                                             "COMPTOIR_WORKBENCH_DIR")})
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)  # the workbench app has no migrations


def add_scenario(xml: str, name: str = SCENARIO) -> str:
    """Register ``xml`` as the workbench scenario ``name``; the block's usage id."""
    from workbench import scenarios

    scenarios.get_scenarios()  # loads the SDK's own scenarios once, so they do not replace ours later
    scenarios.SCENARIOS.pop(name, None)
    scenarios.add_xml_scenario(name, name.replace(".", " ").replace("_", " "), xml)
    return scenarios.SCENARIOS[name].usage_id


class Workbench:
    """The workbench ``runserver`` in a subprocess, on 127.0.0.1 and a free port."""

    def __init__(self, folder: Path, xml: str | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        scenario = folder / "scenario.xml"
        scenario.write_text(xml or block_xml(), encoding="utf-8")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (folder / "server.log").open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.xblock_workbench", "--port", str(self.port),
                                      "--scenario", str(scenario), "--folder", str(folder)],
                                     cwd=REPO, env=environment(folder), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                # the index: the SDK's /userlist/ fails once some state exists
                urllib.request.urlopen(self.url + "/", timeout=2).read()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError(f"the workbench did not start: {(folder / 'server.log').read_text()[-2000:]}")
                time.sleep(0.2)

    @property
    def scenario_url(self) -> str:
        return f"{self.url}/scenario/{SCENARIO}/"

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--scenario", type=Path, required=True)
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args()
    setup_django(args.folder)
    add_scenario(args.scenario.read_text(encoding="utf-8"))
    from django.core.management import call_command

    call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False, use_threading=True)


if __name__ == "__main__":
    main()
