"""A fast path for reading large, well-formed CSV reports files with Arrow's multi-threaded parser.

Used only when it gives exactly what the careful reader (:func:`geomap.reports.read_table`)
would: one record per line and no blank lines, so each record's spreadsheet row is its line
number. Anything else (ragged rows, blank lines, values spanning lines, text that is not UTF-8,
duplicate or semicolon-separated headers) returns ``None`` and the careful reader takes over,
reporting every problem with its row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from geomap._csv import FORMULA_START

MIN_BYTES = 1 << 20
"""Smaller files go straight to the careful reader: the fast path would not pay for itself."""
_BLOCK = 1 << 24
GUARDED_FORMULAS = tuple("'" + c for c in FORMULA_START)


def read_plain_csv(path: Path, *, delimiter: str) -> tuple[pd.DataFrame, np.ndarray] | None:
    """The table (text columns) and each record's spreadsheet row, or ``None`` to read carefully."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    size = path.stat().st_size
    if size < MIN_BYTES:
        return None
    with open(path, "rb") as fh:
        head = fh.read(1 << 16).decode("utf-8-sig", errors="replace")
    first_line = head.splitlines()[0] if head else ""
    names = next(csv.reader(io.StringIO(first_line), delimiter=delimiter), [])
    stripped = [n.strip() for n in names]
    if not names or len(set(stripped)) != len(stripped) or (len(names) == 1 and ";" in names[0]):
        return None
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=_BLOCK),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    if table.num_columns != len(names) or _line_count(path) != table.num_rows + 1:
        return None  # blank lines or values spanning lines: rows are not line numbers
    quoted = [bool(pc.any(pc.starts_with(column, "'")).as_py()) for column in table.columns]  # one cheap pass
    frame = table.rename_columns(stripped).to_pandas()
    for column in frame.columns[quoted]:
        # As the careful reader does: drop the apostrophe geomap's CSV writer puts before a formula.
        guarded = frame[column].str.startswith(GUARDED_FORMULAS)
        if guarded.any():
            frame.loc[guarded, column] = frame.loc[guarded, column].str.slice(1)
    return frame, np.arange(2, table.num_rows + 2)


def _line_count(path: Path) -> int:
    lines, last = 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")
