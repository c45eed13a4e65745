"""Shared fixtures: where the repository, its content and ../shared are."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
SHARED = Path(os.environ.get("COMPTOIR_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (seeds, schemas, data): present for developers and CI, absent for users."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: seeds, schemas and data live beside the repository "
                    "on developer machines and in CI only (set COMPTOIR_SHARED to point elsewhere)")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    return shared_dir / "seeds"
