"""CSV text that is safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel, LibreOffice and Google Sheets as a formula, so a report's note such as
``=HYPERLINK("http://evil.example", "click")`` would run when a shared CSV is opened.
Every CSV geomap writes therefore prefixes such text cells with an apostrophe, which
spreadsheets show as plain text (the OWASP advice on CSV injection); numbers are left
alone. ``raw=True`` (CLI ``--raw-csv``) writes cells exactly as they are. geomap's own
reports reader removes the apostrophe again, so its CSV files read back unchanged.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells that a spreadsheet would run start with ``'``."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        risky = _formula_cells(values)
        if risky.any():
            cells = values.astype(object).copy()
            cells[risky] = "'" + values[risky].astype(str)
            out[column] = cells
    if any(isinstance(c, str) and c.startswith(FORMULA_START) for c in out.columns):
        out.columns = ["'" + c if isinstance(c, str) and c.startswith(FORMULA_START) else c for c in out.columns]
    return out


def _formula_cells(values: pd.Series) -> pd.Series:
    try:
        return values.str.startswith(FORMULA_START, na=False).astype(bool)
    except AttributeError:  # not a text column (dates, lists): check cell by cell
        return values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_START)).astype(bool)


def restore_formulas(text: str) -> str:
    """Undo :func:`neutralize_formulas` on one cell read back from a geomap CSV."""
    return _NEUTRALISED.sub("", text)


def csv_text(frame: pd.DataFrame, *, raw: bool = False) -> str:
    """``frame`` as CSV text (no index, ``\\n`` line ends), formula cells neutralised unless ``raw``.

    A carriage return inside a value does not end its line for a CSV writer whose lines end in
    ``\\n``, so it would be written unquoted, and readers would split the row there: when a value
    holds one, every value is quoted.
    """
    frame = frame if raw else neutralize_formulas(frame)
    text_columns = [
        c
        for c in frame.columns
        if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype | pd.CategoricalDtype)
    ]
    carriage = any("\r" in str(c) for c in frame.columns) or any(
        map(_holds_carriage_return, (frame[c] for c in text_columns))
    )
    quoting = csv.QUOTE_ALL if carriage else csv.QUOTE_MINIMAL
    text: str = frame.to_csv(index=False, lineterminator="\n", quoting=quoting)
    return text


def _holds_carriage_return(column: pd.Series) -> bool:
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.cat.categories.to_series()
    if isinstance(column.dtype, pd.StringDtype):
        return bool(column.str.contains("\r", regex=False).any())
    return "\r" in "\n".join(map(str, column.to_numpy(dtype=object)))  # one search in C, not one per value


MAX_CELL_CHARS = 131_072
"""The longest value geomap reads from a CSV cell (Python's default field limit, set by geomap itself for
each file it reads: a library may have raised the process-wide one)."""


@contextmanager
def field_limit() -> Iterator[None]:
    """Read CSV with :data:`MAX_CELL_CHARS` as the field limit, whatever the process-wide one is."""
    before = csv.field_size_limit(MAX_CELL_CHARS)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def split_record(line: str, delimiter: str = ",") -> list[str] | None:
    """The fields of one CSV record written on ``line`` (a header), or ``None`` when it holds a value past
    :data:`MAX_CELL_CHARS` (a file that is no table, or one value where a header should be)."""
    try:
        with field_limit():
            return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return None
