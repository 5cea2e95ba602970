"""Fixtures for the intake parser tests (pure Python: no Django, no database).

The project-wide autouse fixtures in tests/conftest.py ask for pytest-django's
``settings``; these tests also run with ``-p no:django``, so a stand-in is
provided here (the parser never reads Django settings).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seeds"
SEED000 = SEEDS / "000_db6f6b128bd2f496.txt"
SEED001 = SEEDS / "001_d63a8fc3defc6383.txt"


@pytest.fixture
def settings():
    return SimpleNamespace()


@pytest.fixture(scope="session")
def seed001_docx() -> bytes:
    from danvan.tools.intake_samples import build_seed001_docx

    return build_seed001_docx()


@pytest.fixture(scope="session")
def seed001_result(seed001_docx):
    from danvan.intake.parser import parse_form

    return parse_form(seed001_docx, "bieu-so-2.docx")
