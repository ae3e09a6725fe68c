"""Shared fixtures for the audits tests: where the external logs live, quytrinh's BPMN files."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL = Path(__file__).resolve().parents[3] / "shared" / "external" / "eventlogs"


@pytest.fixture(scope="session")
def eventlogs() -> Path:
    """The external event logs and models (pm4py's test data), or skip when absent."""
    if not (EXTERNAL / "README.md").is_file():
        pytest.skip(f"external event logs not found at {EXTERNAL}")
    return EXTERNAL


@pytest.fixture(scope="session")
def xd01_xml() -> bytes:
    """quytrinh's building-permit procedure, QT-XD-01."""
    return (ROOT / "bpmn" / "QT-XD-01.bpmn").read_bytes()
