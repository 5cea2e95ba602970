"""Document tests are pure Python: they run with or without pytest-django.

The project-wide autouse fixtures tweak Django ``settings``; here they get a
throwaway namespace instead, so ``-p no:django`` works and no test in this
folder touches Django configuration.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def settings():
    return SimpleNamespace()
