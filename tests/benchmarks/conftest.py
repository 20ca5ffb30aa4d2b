"""Benchmarks: run with `bash packaging/dev.sh bench` (not part of the normal test run).

Machines here are noisy, so each benchmark reports medians of several runs and the ratio to
a baseline measured in the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

# The app's Qt settings, before any widget is painted: the floors run under them too (Qt
# paints on the main thread, the quicker way for a bare widget as for the app).
import gui  # noqa: F401


def median_seconds(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(title: str, **values: str) -> None:
    print(f"\n[benchmark] {title}")
    for key, value in values.items():
        print(f"    {key:32} {value}")
