"""Independent steps over millions of reports run on two threads.

Their work is in Arrow, NumPy, Shapely and pandas' hash tables, which release the GIL while they
run, so two such steps take about the time of the longer one on a machine with two cores.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def concurrently(*calls: Callable[[], Any], parallel: bool) -> list[Any]:
    """The results of ``calls``, in order; with ``parallel``, all but the first run on threads
    meanwhile. An exception in any call is raised here (after every call has ended)."""
    if not parallel or len(calls) < 2:
        return [call() for call in calls]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(calls) - 1) as pool:
        pending = [pool.submit(call) for call in calls[1:]]
        first = calls[0]()
        return [first, *(future.result() for future in pending)]
