"""The worker's garbage collector after start-up (``hub.heap``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from hub.heap import YOUNG_THRESHOLD, settle_heap


@pytest.fixture
def collector() -> Iterator[None]:
    """Put the collector back as it was (the test process is not a worker)."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settling_freezes_what_start_up_made_and_collects_the_young_less_often(
    collector: None,
) -> None:
    middle, oldest = gc.get_threshold()[1:]

    settle_heap()

    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, oldest)
    assert gc.isenabled()  # cycles made later are still collected
