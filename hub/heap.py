"""The worker's garbage collector, set for a long-running process that allocates many
short-lived objects per message.

Every message builds and drops pydantic models, dicts and frames; with CPython's defaults
the youngest generation is collected every 700 allocations and each full collection
rescans every object the process ever kept (modules, the registry, the pools). A profile
of the worker under load had the collector at ~5 % of its CPU (docs/performance-history.md)."""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
"""Allocations between collections of the youngest generation (CPython's default: 700)."""


def settle_heap() -> None:
    """Once start-up is done: collect, then move every object alive now out of the
    collector's sight (``gc.freeze``: they live as long as the process anyway), and collect
    the youngest generation less often. Cycles are still collected, only less often."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
