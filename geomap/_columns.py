"""Text columns built in Arrow, without a Python object per row.

pandas 3 keeps text in Arrow (the ``str`` dtype); building such a column from a Python scalar or
a NumPy array of strings makes and converts one object per row, which dominates the cost of
tables of millions of reports. These helpers build the same columns from Arrow buffers and
kernels. Under pandas 2 (text as ``object``), they return what pandas itself would build.
"""

from __future__ import annotations

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
    """A text column of ``n`` times ``value``."""
    if not arrow_text():
        return np.full(n, value, dtype=object)
    import pyarrow as pa

    data = value.encode("utf-8")
    offsets = np.arange(n + 1, dtype=np.int64) * len(data)
    return from_arrow(pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data * n)))
