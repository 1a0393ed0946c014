"""A fast path for reading large, well-formed CSV reports files with Arrow's parser.

Used only when it gives exactly what the careful reader (:func:`geomap.reports.read_table`)
would: one record per line, so each record's spreadsheet row is its line number, and lines
that are empty or hold only delimiters and whitespace skipped as the careful reader skips
them. Anything else (values spanning lines, a carriage return alone, text that is not UTF-8 or
holds a NUL, duplicate or semicolon-separated headers) returns ``None`` and the careful reader
takes over, reporting every problem with its row. A plain file whose only fault is records
with too many or too few fields is named row by row here, in the streaming pass, as the
careful reader would name it but without holding the whole file.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geomap._columns import has_bytes
from geomap._csv import FORMULA_START, split_record

MIN_BYTES = 1 << 20
"""Smaller files go straight to the careful reader: the fast path would not pay for itself."""
_BLOCK = 1 << 22
"""Bytes Arrow parses per block: 4 MB blocks parse 5,000,000 rows faster than 16 MB ones (each stays
in the cache); a record longer than a block sends the file to the careful reader."""
GUARDED_FORMULAS = tuple("'" + c for c in FORMULA_START)
MAX_RAGGED = 100_000
"""More ragged rows than this go to the careful reader, which lists them all."""


def read_plain_csv(path: Path, *, delimiter: str) -> tuple[pd.DataFrame, np.ndarray] | None:
    """The table (text columns) and each record's spreadsheet row, or ``None`` to read carefully.

    The chunks of :func:`geomap._chunked.plain_csv_chunks` gathered into one: the careful
    reader's table, blank lines skipped as it skips them, from Arrow's parser.

    Raises
    ------
    RaggedRows
        Some records have more or fewer fields than the header, and the rest of the file is
        plain: those records, with their line numbers, found without holding the file.
    """
    from geomap._chunked import NotPlain, header_names, plain_csv_chunks

    try:
        chunks = list(plain_csv_chunks(path, delimiter=delimiter, chunk_bytes=1 << 62))
    except NotPlain:
        return None
    if not chunks:  # only a header (and blank lines)
        return pd.DataFrame(columns=header_names(path, delimiter=delimiter), dtype=object), np.arange(0)
    if len(chunks) == 1:
        return chunks[0]
    return pd.concat([f for f, _ in chunks], ignore_index=True), np.concatenate([r for _, r in chunks])


class RaggedRows(Exception):
    """Records whose number of fields differs from the header's (``header`` fields): ``rows`` holds
    (line, fields) of each, split at ``delimiter``."""

    def __init__(self, rows: list[tuple[int, list[str]]], header: int, delimiter: str = ","):
        super().__init__(f"{len(rows)} ragged row(s)")
        self.rows = rows
        self.header = header
        self.delimiter = delimiter


def splits_header(first_line: str, delimiter: str) -> bool:
    """Whether the careful reader splits this header at ``delimiter`` too: a tab always (``.tsv``),
    a comma unless a semicolon or a tab splits the header into more fields (as
    :func:`geomap.reports.sniff_delimiter` decides)."""
    if delimiter != ",":
        return True
    fields = {d: split_record(first_line, d) for d in (",", ";", "\t")}
    if any(f is None for f in fields.values()):
        return False  # a value past the field limit: the careful reader says where
    return len(fields[","] or ()) >= max(len(f or ()) for f in fields.values())


def line_count(path: Path) -> tuple[int, bool, bool]:
    """Lines in the file (ended by a line feed, or by the end of the file), whether it holds a NUL
    byte, and whether it holds a carriage return that is not followed by a line feed."""
    lines, last, nul, lone_cr = 0, b"\n", False, False
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            if last == b"\r" and not block.startswith(b"\n"):
                lone_cr = True
            lines += block.count(b"\n")
            nul = nul or b"\x00" in block
            returns = block.count(b"\r")
            if returns:
                lone_cr = lone_cr or returns - block.count(b"\r\n") - block.endswith(b"\r") > 0
            last = block[-1:]
    return lines + (last != b"\n"), nul, lone_cr or last == b"\r"


def read_typed_csv(
    path: Path,
    *,
    delimiter: str,
    numbers: Collection[str],
    coded: Collection[str],
    kept: Collection[str] | None = None,
) -> dict[str, Any] | None:
    """Columns of a large, plain CSV file parsed to their types by Arrow, or ``None`` to read it as text.

    Columns are named by their header, stripped and lower-cased. Those in ``numbers`` are
    ``float64`` Arrow arrays (blank cells null); those in ``coded`` are dictionary-encoded text
    (few distinct values: each is checked once); the rest are (large) text. Only the columns
    in ``kept`` (all by default) are returned; the others are checked all the same. Each record
    is one line, so its spreadsheet row is its position + 2.

    ``None`` when the file is small, its header is unusual (blank, repeated or
    semicolon-separated names, a NUL), a number does not parse, a record is ragged or blank,
    or a value holds a line break or NUL: the text readers then decide and name the rows.
    """
    import pyarrow as pa

    if path.stat().st_size < MIN_BYTES:
        return None
    with open(path, "rb") as fh:
        head = fh.read(1 << 16).decode("utf-8-sig", errors="replace")
    first_line = head.splitlines()[0] if head else ""
    if not splits_header(first_line, delimiter):
        return None
    names = split_record(first_line, delimiter) or []
    lowered = [n.strip().lower() for n in names]
    if "\x00" in first_line or len(names) < 2 or "" in lowered or len(set(lowered)) != len(lowered):
        return None
    wanted = {}
    for name, low in zip(names, lowered, strict=True):
        wanted[name] = (
            pa.float64()
            if low in numbers
            else pa.dictionary(pa.int32(), pa.string())
            if low in coded
            else pa.large_string()
        )
    try:
        import pyarrow.csv as pacsv

        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=_BLOCK),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=wanted, strings_can_be_null=False, null_values=[""], quoted_strings_can_be_null=True
            ),
        )
        if table.column_names != names or [table.schema.field(n).type for n in names] != list(wanted.values()):
            return None  # the header was read differently
        table = table.unify_dictionaries()
    except (pa.ArrowException, ValueError, TypeError, UnicodeDecodeError):
        return None
    columns: dict[str, Any] = {}
    for name, low in zip(names, lowered, strict=True):
        column = table.column(name)
        if low in coded:
            column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
            dictionary = _unguarded(pa.chunked_array([column.dictionary.cast(pa.large_string())]))
            if has_bytes(dictionary, _BREAKS):
                return None
            column = pa.DictionaryArray.from_arrays(column.indices, dictionary.combine_chunks())
        elif low not in numbers:
            if has_bytes(column, _BREAKS):
                return None  # values spanning lines, or a NUL the careful reader names
            column = _unguarded(column) if kept is None or low in kept else column
        if kept is None or low in kept:
            columns[low] = column
    return columns


_BREAKS = (0, 10, 13)


def _unguarded(column: Any) -> Any:
    """Text with the apostrophe geomap's CSV writer puts before a formula removed (as the careful reader does)."""
    import pyarrow.compute as pc

    if not pc.any(pc.starts_with(column, "'")).as_py():
        return column
    guarded = pc.starts_with(column, GUARDED_FORMULAS[0])
    for prefix in GUARDED_FORMULAS[1:]:
        guarded = pc.or_(guarded, pc.starts_with(column, prefix))
    return pc.if_else(guarded, pc.utf8_slice_codeunits(column, 1), column)
