"""The chaos test's counts, printed as the very last line of the pytest run (after pytest's
own summary) by ``pytest_unconfigure`` in tests/conftest.py."""

from __future__ import annotations

import pytest

CHAOS_COUNTS = pytest.StashKey[dict[str, int]]()
