"""Fixtures for the browser tests: node_modules (npm ci on first use), Chromium, a loopback server."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from .harness import CHROMIUM, NODE_MODULES, REPO, Browser, Server


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The test-only JS tooling of package.json, installed from package-lock.json when missing."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the browser tests (playwright-core, scorm-again, axe-core, "
                    "the xAPI validator)")
    wanted = ("playwright-core", "scorm-again", "axe-core", "@learninglocker/xapi-validation")
    if not all((NODE_MODULES / name / "package.json").is_file() for name in wanted):
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"node_modules is absent and `npm ci` failed (exit {done.returncode}): "
                        f"{done.stderr.strip()[-500:]}")
    return NODE_MODULES


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's Chromium (apt-get install chromium) "
                    "to run the browser tests")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium: Path, node_modules: Path) -> Iterator[Browser]:
    b = Browser()
    yield b
    b.close()


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A fresh web root and its http://127.0.0.1:port URL."""
    root = tmp_path / "www"
    root.mkdir()
    server = Server(root)
    yield root, server.url
    server.close()
