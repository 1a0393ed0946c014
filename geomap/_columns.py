"""Text columns built in Arrow, without a Python object per row.

pandas 3 keeps text in Arrow (the ``str`` dtype); building such a column from a Python scalar or
a NumPy array of strings makes and converts one object per row, which dominates the cost of
tables of millions of reports. These helpers build the same columns from Arrow buffers and
kernels. Under pandas 2 (text as ``object``), they return what pandas itself would build.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd


def text_dtype() -> Any:
    """The dtype pandas gives a column of Python strings (``str`` under pandas 3, else ``object``)."""
    return pd.Series([""]).dtype


def arrow_text() -> bool:
    """Whether pandas keeps text columns in Arrow (pandas 3, or ``future.infer_string``)."""
    dtype = text_dtype()
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def from_arrow(values: Any) -> Any:
    """A pandas text column (an array to assign or pass to a DataFrame) from Arrow text, as
    pandas would build it from the same Python strings."""
    import pyarrow as pa

    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    if not arrow_text():
        return values.to_pandas().to_numpy(dtype=object)
    if not pa.types.is_large_string(values.type):
        values = values.cast(pa.large_string())
    return pd.arrays.ArrowStringArray(values, dtype=text_dtype())


def constant_text(value: str, n: int) -> Any:
    """A text column of ``n`` times ``value``.

    In Arrow, columns of the same value and length share one array while any of them lives
    (Arrow arrays are never written into): at millions of rows each costs tens of MB to build."""
    if not arrow_text():
        return np.full(n, value, dtype=object)
    import pyarrow as pa

    key = (value, n)
    values = _CONSTANTS.get(key)
    if values is None:
        data = value.encode("utf-8")
        if data:
            offsets = np.arange(0, (n + 1) * len(data), len(data), dtype=np.int64)
        else:
            offsets = np.zeros(n + 1, dtype=np.int64)
        array = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data * n))
        values = pa.chunked_array([array])
        _CONSTANTS[key] = values
        _CONSTANT_OF[id(values)] = value
        weakref.finalize(values, _CONSTANT_OF.pop, id(values), None)
    return pd.arrays.ArrowStringArray(values, dtype=text_dtype())


_CONSTANT_OF: dict[int, str] = {}
"""The value of each Arrow array :func:`constant_text` built, by the array's id, while it lives."""


def equals_text(values: pd.Series, value: str, *, equal: bool = True) -> np.ndarray:
    """``values.eq(value)`` (``equal=False``: ``values.ne(value)``) as a bool array.

    A column :func:`constant_text` built, or one with remembered codes (:func:`remember_codes`),
    is answered from its few distinct values, without comparing the text of every row (at
    5,000,000 reports each comparison of the Arrow text, with its conversion to NumPy, took
    0.1-0.3 s of CPU)."""
    pa_values = getattr(values.array, "_pa_array", None)
    constant = None if pa_values is None else _CONSTANT_OF.get(id(pa_values))
    if constant is not None:
        return np.full(len(values), (constant == value) == equal)
    known = remembered_codes(values.array)
    if known is not None:
        distinct, codes = known
        same = np.array([isinstance(d, str) and d == value for d in distinct], dtype=bool)
        taken: np.ndarray = (same if equal else ~same)[codes]
        return taken
    result: np.ndarray = (values.eq(value) if equal else values.ne(value)).to_numpy()
    return result


_CONSTANTS: weakref.WeakValueDictionary[tuple[str, int], Any] = weakref.WeakValueDictionary()

TAKE_BLOCK = 1 << 16
"""Rows :func:`take_text` takes with Arrow at a time."""


def take_text(values: Any, codes: np.ndarray) -> Any:
    """``values[codes]`` as a column (``pandas.Series(values).array.take(codes)``), for a few
    distinct ``values`` taken by millions of ``codes``.

    Arrow text is built in buffers of the exact size, filled :data:`TAKE_BLOCK` rows at a time:
    Arrow's own take of millions of rows grows its text buffer as it goes, and each growth
    into fresh memory cost more than the take itself (about 0.3 s of CPU for 5,000,000 area
    ids instead of 0.07 s). Anything but text without missing values (and codes that are all
    valid positions) is taken as pandas takes it."""
    array = pd.Series(values).array
    codes = np.asarray(codes)
    chunked = getattr(array, "_pa_array", None)
    if (
        chunked is None
        or not isinstance(array.dtype, pd.StringDtype)
        or chunked.null_count
        or not len(codes)
        or not len(array)
        or codes.min() < 0
        or codes.max() >= len(array)
    ):
        return array.take(codes)
    import pyarrow as pa

    distinct = chunked.combine_chunks()
    if not pa.types.is_large_string(distinct.type):
        distinct = distinct.cast(pa.large_string())
    starts, _ = _offsets_and_data(distinct)
    lengths = np.diff(starts)
    n = len(codes)
    offsets = np.empty(n + 1, dtype=np.int64)
    offsets[0] = 0
    data = np.empty(int(np.bincount(codes, minlength=len(lengths)) @ lengths), dtype=np.uint8)
    for first in range(0, n, TAKE_BLOCK):  # offsets and bytes a block at a time, in the cache
        last = min(first + TAKE_BLOCK, n)
        block = codes[first:last]
        np.cumsum(lengths[block], out=offsets[first + 1 : last + 1])
        offsets[first + 1 : last + 1] += offsets[first]
        part_offsets, part_data = _offsets_and_data(distinct.take(pa.array(block)))
        data[offsets[first] : offsets[last]] = part_data[part_offsets[0] : part_offsets[-1]]
    taken = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    return pd.arrays.ArrowStringArray(pa.chunked_array([taken]), dtype=array.dtype)


def _offsets_and_data(chunk: Any) -> tuple[np.ndarray, np.ndarray]:
    """A (large) string array's value offsets and its data bytes, as NumPy views (no copy)."""
    import pyarrow as pa

    width = 8 if pa.types.is_large_string(chunk.type) else 4
    buffers = chunk.buffers()
    offsets = np.frombuffer(
        buffers[1], dtype=np.int64 if width == 8 else np.int32, count=len(chunk) + 1, offset=chunk.offset * width
    )
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.empty(0, dtype=np.uint8)
    return offsets, data


def _edge_bytes(chunk: Any) -> tuple[np.ndarray, np.ndarray]:
    """The first and the last byte of each non-empty value of a (large) string array."""
    offsets, data = _offsets_and_data(chunk)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    if not filled.all():
        starts, ends = starts[filled], ends[filled]
    return data[starts], data[ends - 1]


def trim(values: Any) -> Any:
    """Arrow text with surrounding whitespace removed (``pc.utf8_trim_whitespace``, as pandas'
    ``str.strip``), returned as is when no value starts or ends with a byte that could be
    whitespace (ASCII control or space, or the first or last byte of a non-ASCII character)."""
    import pyarrow.compute as pc

    for chunk in values.chunks:
        first, last = _edge_bytes(chunk)
        if first.size and (min(first.min(), last.min()) <= 0x20 or max(first.max(), last.max()) >= 0x80):
            return pc.utf8_trim_whitespace(values)
    return values


def has_empty(values: Any) -> bool:
    """Whether some value of Arrow text is the empty string (or missing)."""
    for chunk in values.chunks:
        if chunk.null_count:
            return True
        offsets, _ = _offsets_and_data(chunk)
        if (offsets[1:] == offsets[:-1]).any():
            return True
    return False


def has_bytes(values: Any, wanted: tuple[int, ...]) -> bool:
    """Whether some value of Arrow text holds one of the ``wanted`` bytes (all below 0x20)."""
    low = max(wanted) + 1
    for chunk in values.chunks:
        offsets, data = _offsets_and_data(chunk)
        used = data[int(offsets[0]) : int(offsets[-1])]
        if not used.size or used.min() >= low:  # the usual answer, in one pass without a copy
            continue
        if np.isin(used[used < low], wanted).any():
            return True
    return False


# Codes remembered for Arrow text columns built from a few distinct values (area ids taken by a
# join, statuses normalised by the reader). Arrow arrays are immutable, so the codes stay true for
# as long as the array object lives; the entry goes with it. A column derived in any other way is
# a new array, with no entry: its values are then looked up by hashing.
_CODES: dict[int, tuple[list[object], np.ndarray]] = {}


def remember_codes(column: Any, values: Any, codes: np.ndarray) -> None:
    """Note that the Arrow-backed text ``column`` is ``values[codes]`` (``codes`` without -1)."""
    import weakref

    pa_values = getattr(column, "_pa_array", None)
    if pa_values is None or len(codes) != len(pa_values):
        return
    # codes no one can write into (an Arrow buffer's) are kept as they are when already narrow
    small = codes.astype(np.int32, copy=codes.flags.writeable) if len(values) < 2**31 else codes
    key = id(pa_values)
    _CODES[key] = (list(values), small)
    weakref.finalize(pa_values, _CODES.pop, key, None)


def remembered_codes(column: Any) -> tuple[list[object], np.ndarray] | None:
    """``(values, codes)`` noted for this Arrow-backed text column, if any."""
    pa_values = getattr(column, "_pa_array", None)
    return None if pa_values is None else _CODES.get(id(pa_values))
