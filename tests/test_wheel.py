"""A normal install works: the wheel, installed in a fresh virtual environment outside the
repository, builds the shipped content (catalogs, schemas and exporters included) and starts a new
project from its own template (`comptoir init`, then check and build there)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CONTENT, REPO


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict]:
    """The bin folder of a fresh virtual environment with the wheel installed, and an environment
    that knows nothing of the repository."""
    tmp_path = tmp_path_factory.mktemp("wheel")
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
                   check=True, cwd=tmp_path)
    (wheel,) = wheels.glob("comptoir-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True, cwd=tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return bindir, env


def _artifacts(dist: Path) -> list[dict]:
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    for artifact in manifest["artifacts"]:
        assert (dist / artifact["path"]).stat().st_size == artifact["bytes"]
    return manifest["artifacts"]


@pytest.mark.slow
def test_wheel_installed_outside_the_repository_builds(installed, tmp_path):
    bindir, env = installed
    work = tmp_path / "project"
    shutil.copytree(CONTENT, work / "content")
    where = subprocess.run([str(bindir / "python"), "-c", "import comptoir, comptoir.locales, comptoir.exporters.case;"
                            "print(comptoir.__file__)"], check=True, cwd=work, env=env, capture_output=True, text=True)
    assert str(bindir.parent) in where.stdout and str(REPO) not in where.stdout
    result = subprocess.run([str(bindir / "comptoir"), "build"], cwd=work, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert {"case", "taxonomy"} <= {a["target"] for a in _artifacts(work / "dist")}


@pytest.mark.slow
def test_wheel_init_then_check_and_build(installed, tmp_path):
    bindir, env = installed
    comptoir = str(bindir / "comptoir")
    made = subprocess.run([comptoir, "init", "ecole"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "ecole"
    checked = subprocess.run([comptoir, "check"], cwd=project, env=env, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "0 error(s), 0 warning(s)" in checked.stderr
    built = subprocess.run([comptoir, "build"], cwd=project, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    targets = {a["target"] for a in _artifacts(project / "dist")}
    assert {"anki", "web", "scorm12", "scorm2004", "olx", "case", "taxonomy"} <= targets
