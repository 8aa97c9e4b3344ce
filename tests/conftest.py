"""Shared fixtures: a release built from hand-written XML, and the real release if present."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from icd_resources import IcdResources, ResourceSettings

FIXTURE_RELEASE = Path(__file__).parent / "fixtures" / "mini_release"
REPO_ROOT = Path(__file__).resolve().parents[1]


def real_data_dir() -> Path | None:
    """Return the shared data directory (CLH_TEST_DATA_DIR or ../shared/data), if present."""
    configured = os.environ.get("CLH_TEST_DATA_DIR")
    candidate = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
    return candidate if (candidate / "icd10cm").is_dir() else None


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    """Copy the fixture release into a fresh directory a test may change."""
    target = tmp_path / "release"
    shutil.copytree(FIXTURE_RELEASE, target)
    return target


@pytest.fixture
def fixture_settings(fixture_dir: Path, tmp_path: Path) -> ResourceSettings:
    return ResourceSettings.resolve([fixture_dir], tmp_path / "cache")


@pytest.fixture
def fixture_icd(fixture_settings: ResourceSettings) -> IcdResources:
    icd = IcdResources.load(fixture_settings)
    yield icd
    icd.close()


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> ResourceSettings:
    data = real_data_dir()
    if data is None:
        pytest.skip("real ICD-10-CM release not found (set CLH_TEST_DATA_DIR or ../shared/data)")
    return ResourceSettings.resolve(
        [data / "icd10cm", data / "guidelines"], tmp_path_factory.mktemp("real-cache")
    )


@pytest.fixture(scope="session")
def real_icd(real_settings: ResourceSettings) -> IcdResources:
    return IcdResources.load(real_settings)


pytest_plugins = ["tests.graph_support"]
