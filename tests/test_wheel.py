"""A normal install works: the wheel, installed in a fresh virtual environment outside the
repository, builds the shipped content (catalogs, schemas and exporters included)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import CONTENT, REPO


@pytest.mark.slow
def test_wheel_installed_outside_the_repository_builds(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
                   check=True, cwd=tmp_path)
    (wheel,) = wheels.glob("comptoir-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True, cwd=tmp_path)

    work = tmp_path / "project"
    shutil.copytree(CONTENT, work / "content")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run([str(bindir / "python"), "-c", "import comptoir, comptoir.locales, comptoir.exporters.case;"
                            "print(comptoir.__file__)"], check=True, cwd=work, env=env, capture_output=True, text=True)
    assert str(venv) in where.stdout and str(REPO) not in where.stdout
    result = subprocess.run([str(bindir / "comptoir"), "build"], cwd=work, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((work / "dist" / "manifest.json").read_text(encoding="utf-8"))
    targets = {a["target"] for a in manifest["artifacts"]}
    assert {"case", "taxonomy"} <= targets
    for artifact in manifest["artifacts"]:
        assert (work / "dist" / artifact["path"]).stat().st_size == artifact["bytes"]
