"""Arrays of millions of rows built on ordinary pages, not on transparent huge pages.

On Linux, NumPy asks the kernel for transparent huge pages (``madvise``) for every array of
4 MB or more. Where the kernel's policy is ``madvise`` (the usual default) a first touch of
such memory makes the kernel find, compact and clear a 2 MB page, which on a busy or virtual
machine costs more than filling the array: building a timeline of 5,000,000 reports spent about
a third of its CPU time there. The arrays geomap builds per report are written once and read in
order, which gains little from huge pages, so :func:`ordinary_pages` turns NumPy's advice off
while geomap builds them, and back to what it was afterwards. Setting the environment variable
``NUMPY_MADVISE_HUGEPAGE`` (``0`` or ``1``) leaves NumPy's choice alone.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_lock = threading.Lock()
_depth = 0
_before = True


@contextlib.contextmanager
def ordinary_pages() -> Iterator[None]:
    """Within the block, NumPy does not advise huge pages for its new arrays (nested blocks, and
    blocks on several threads, restore NumPy's setting when the last one ends)."""
    global _depth, _before
    toggle = _toggle()
    if toggle is None or os.environ.get("NUMPY_MADVISE_HUGEPAGE"):
        yield
        return
    with _lock:
        if _depth == 0:
            _before = bool(toggle(False))
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                toggle(_before)


def on_ordinary_pages(func: F) -> F:
    """``func`` run within :func:`ordinary_pages`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with ordinary_pages():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@functools.cache
def _toggle() -> Callable[[bool], bool] | None:
    """NumPy's switch of its huge-page advice (it returns the setting it replaces), or ``None``."""
    import numpy as np

    for name in ("_core", "core"):
        module = getattr(np, name, None)
        multiarray = getattr(module, "multiarray", None)
        toggle = getattr(multiarray, "_set_madvise_hugepage", None)
        if callable(toggle):
            return toggle  # type: ignore[no-any-return]
    return None
