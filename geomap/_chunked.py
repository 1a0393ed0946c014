"""A large plain CSV of reports read a chunk at a time, and located reports kept compact.

:func:`plain_csv_chunks` streams the records of a file one record per line, with the text
and row numbers the careful reader (:func:`geomap.reports.read_table`) gives, so the file is
never held whole (the whole-file fast reader, :func:`geomap._fastcsv.read_plain_csv`, gathers
its chunks). Blank lines are skipped as the careful reader skips them; records with too many
or too few fields are all named in the same pass; :class:`NotPlain` says the file needs the
careful reader after all (raised as soon as Arrow cannot parse a block, or at the end when
the line count shows values spanning lines). :func:`compact_piece` and :func:`assemble` keep
located reports in the columns the timeline and its evidence read, repeated text
dictionary-encoded, a few bytes per report.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geomap import _fastcsv
from geomap._columns import has_bytes
from geomap._csv import split_record
from geomap._fastcsv import GUARDED_FORMULAS

CHUNK_BYTES = 1 << 23
"""Bytes of CSV per chunk (about 100,000 reports): what one chunk costs while it is checked and placed."""
READ_BLOCK = 1 << 20
"""Bytes Arrow reads per block. Its streaming reader reads up to 32 blocks ahead of the one being
converted, so this bounds that read-ahead (32 MB) whatever the file's size; a chunk gathers blocks."""
MAX_READ_BLOCK = 1 << 27
"""A record longer than a block is read again with blocks twice as large, up to this size (128 MB);
a longer record sends the file to the careful reader."""
DICTIONARY_SHARE = 0.5
"""A text column is kept dictionary-encoded when it has at most this share of distinct values per row."""


class NotPlain(Exception):
    """The file is not one record per line: read it with the careful reader."""


def header_names(path: Path, *, delimiter: str) -> list[str]:
    """The file's column names, stripped, as the fast reader reads them."""
    return [n.strip() for n in _raw_header(path, delimiter)]


def _raw_header(path: Path, delimiter: str) -> list[str]:
    fields = split_record(_first_line(path), delimiter)
    if fields is None:
        raise NotPlain(path)  # a value past the field limit: the careful reader says where
    return fields


def _first_line(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(1 << 16).decode("utf-8-sig", errors="replace")
    return head.splitlines()[0] if head else ""


def plain_csv_chunks(
    path: Path,
    *,
    delimiter: str,
    chunk_bytes: int | None = None,
    skip: Sequence[str] = (),
    only: Sequence[str] | None = None,
    blank: list[int] | None = None,
) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """Each chunk of records as text columns, with each record's spreadsheet row (header = 1).

    The text is what the careful reader (:func:`geomap.reports.read_table`) gives: stripped
    header names, the apostrophe before a formula removed, lines that are empty or hold only
    delimiters and whitespace skipped (their rows still counted); less the columns (stripped
    names) in ``skip``, or only those in ``only``. The rows of the skipped lines are added to
    ``blank`` when given.

    Raises
    ------
    NotPlain
        Possibly after some chunks: the file needs the careful reader (a value spanning lines,
        a carriage return alone, a NUL, a record longer than :data:`MAX_READ_BLOCK`, text that is
        not UTF-8, an unusual header, a small file).
    geomap._fastcsv.RaggedRows
        Records with more or fewer fields than the header, and the file is otherwise plain: all
        of them, found in this one pass (no chunk is given after the first is found).
    """
    chunk_bytes = CHUNK_BYTES if chunk_bytes is None else chunk_bytes
    if path.stat().st_size < _fastcsv.MIN_BYTES:
        raise NotPlain(path)
    names = _raw_header(path, delimiter)
    stripped = [n.strip() for n in names]
    if (
        len(names) < 2
        or len(set(stripped)) != len(stripped)
        or not _fastcsv.splits_header(_first_line(path), delimiter)
    ):
        raise NotPlain(path)
    kept = [k for k, s in enumerate(stripped) if s not in skip and (only is None or s in only)]
    block = base = min(chunk_bytes, READ_BLOCK)
    stream = _Stream(path, delimiter, names)
    given = 1  # the last row given to the caller
    while True:
        try:
            for table, rows in _gathered(stream.batches(block), chunk_bytes):
                if stream.ragged:
                    continue  # only the ragged rows are reported now: read on to find them all
                table = table.select(kept).rename_columns([stripped[k] for k in kept])
                frame = table.to_pandas()
                _unguard_formulas(frame, table)
                given = int(rows[-1])
                yield frame, rows
                del frame, table
                if block > base:  # past the long record: small blocks again, from the next line
                    block = base
                    stream.restart(given + 1)
                    break
            else:
                break
        except pa.ArrowInvalid as exc:
            if "straddl" not in str(exc) or block >= MAX_READ_BLOCK:
                raise NotPlain(path) from None
            block *= 2  # a record longer than a block: read on from the first line not given
            stream.restart(given + 1)
        except (pa.ArrowTypeError, UnicodeDecodeError):
            raise NotPlain(path) from None
    stream.finish(blank)


class _Stream:
    """A streaming pass of Arrow's parser over a file, noting the lines it cannot take as records;
    it can start again at any line, with another block size, without reading what lies before."""

    def __init__(self, path: Path, delimiter: str, names: list[str]) -> None:
        self.path, self.delimiter, self.names = path, delimiter, names
        self.ragged: list[tuple[int, str]] = []  # (line, text) of records with too many or too few fields
        self.blank_lines: list[int] = []  # lines the parser skipped: empty, or only whitespace
        self.blank: list[int] = []  # records of only delimiters and whitespace, left out
        self.pending: list[int] = []  # lines the parser skipped, past the last batch given
        self.usable = True
        self.records = 0  # records the parser gave, blank ones included
        self.line = 2  # the line of the next record
        self.first = 2  # the line the parser started at
        self.offset = 0  # ... and its byte offset (0: the header's line)
        self._previous = sys.unraisablehook  # the hook :meth:`_unraisable` stands in for while reading

    def restart(self, line: int) -> None:
        """Forget what was read from ``line`` on; the next :meth:`batches` starts there."""
        self.offset = _line_offset(self.path, self.first, self.offset, line)
        self.first = self.line = line
        self.ragged = [r for r in self.ragged if r[0] < line]
        self.blank_lines = [n for n in self.blank_lines if n < line]
        self.blank = [n for n in self.blank if n < line]
        self.pending = []
        self.records = line - 2 - len(self.blank_lines) - len(self.ragged)

    def note(self, row: object) -> str:
        """Arrow's handler of a record whose number of fields differs from the header's."""
        number, text = getattr(row, "number", None), getattr(row, "text", "")
        if number is None or '"' in text or "\r" in text or len(self.ragged) >= _fastcsv.MAX_RAGGED:
            self.usable = False  # the careful reader may read it differently, or lists them all
            return "skip"
        line = int(number) + (self.first - 1 if self.offset else 0)
        fields = next(csv.reader([text], delimiter=self.delimiter), [])
        if not any(f.strip() for f in fields):
            self.blank_lines.append(line)
        else:
            self.ragged.append((line, text))
        self.pending.append(line)
        return "skip"

    def batches(self, block: int) -> Iterator[tuple[pa.RecordBatch, np.ndarray]]:
        """Each batch of records (all columns, text; blank records left out) with their rows."""
        import pyarrow.csv as pacsv

        self._previous = sys.unraisablehook
        sys.unraisablehook = self._unraisable
        try:
            yield from self._read(pacsv, block)
        finally:
            if sys.unraisablehook == self._unraisable:
                sys.unraisablehook = self._previous

    def _unraisable(self, unraisable: Any) -> None:
        """Arrow's report of a record it could not give :meth:`note` as text: the file is not UTF-8
        there, which the careful reader names (Arrow would print a traceback)."""
        if isinstance(unraisable.exc_value, UnicodeDecodeError) and unraisable.object == self.note:
            self.usable = False
        else:
            self._previous(unraisable)

    def _read(self, pacsv: Any, block: int) -> Iterator[tuple[pa.RecordBatch, np.ndarray]]:
        """The batches of Arrow's streaming reader from :attr:`offset`, with each record's line."""
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            reader = pacsv.open_csv(
                fh,
                read_options=pacsv.ReadOptions(
                    block_size=block, use_threads=False, column_names=self.names if self.offset else None
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter,
                    newlines_in_values=False,
                    ignore_empty_lines=False,
                    invalid_row_handler=self.note,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(self.names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            if reader.schema.names != self.names:
                raise NotPlain(self.path)
            for batch in reader:
                if _holds_a_line_break(batch):
                    raise NotPlain(self.path)  # a quoted value spanning lines
                # records are the lines in order, less those the parser skipped (noted by then: it reads ahead)
                rows = np.arange(self.line, self.line + batch.num_rows + len(self.pending))
                if self.pending:
                    rows = rows[~np.isin(rows, self.pending)]
                rows = rows[: batch.num_rows]
                if len(rows):
                    self.line = int(rows[-1]) + 1
                    self.pending = [line for line in self.pending if line >= self.line]
                self.records += batch.num_rows
                empty = _blank_records(batch)
                if empty is not None:
                    self.blank += rows[empty].tolist()
                    batch, rows = batch.filter(pa.array(~empty)), rows[~empty]
                if not self.usable:
                    raise NotPlain(self.path)
                if batch.num_rows:
                    yield batch, rows

    def finish(self, blank: list[int] | None) -> None:
        """Check the pass against the file's lines; raise what the file needs."""
        lines, nul, lone_cr = _fastcsv.line_count(self.path)
        if not self.usable or nul or lone_cr or lines != 1 + self.records + len(self.blank_lines) + len(self.ragged):
            raise NotPlain(self.path)  # values spanning lines, a NUL, a line break the parsers read differently
        if self.ragged:
            raise _fastcsv.RaggedRows(
                [(line, next(csv.reader([text], delimiter=self.delimiter))) for line, text in self.ragged],
                len(self.names),
                self.delimiter,
            )
        if blank is not None:
            blank += sorted(self.blank + self.blank_lines)


def _line_offset(path: Path, line: int, offset: int, wanted: int) -> int:
    """The byte offset of line ``wanted`` of the file, counting line feeds from ``line`` at ``offset``
    (offset 0: line 1)."""
    if offset == 0:
        line = 1
    with open(path, "rb") as fh:
        fh.seek(offset)
        while line < wanted:
            block = fh.read(1 << 22)
            if not block:
                break
            count = block.count(b"\n")
            if line + count < wanted:
                line, offset = line + count, offset + len(block)
                continue
            at = -1
            for _ in range(wanted - line):
                at = block.index(b"\n", at + 1)
            return offset + at + 1
    return offset


def _holds_a_line_break(batch: pa.RecordBatch) -> bool:
    """Whether a value of ``batch`` holds a line break: a quoted value spanning lines.

    Arrow's parser reads such a value as one, so the file's records are no longer its lines
    (where a read again with larger blocks starts, the count of lines cannot show it); and
    without ``newlines_in_values`` a block may end inside one, cutting the record in two.
    """
    return any(has_bytes(pa.chunked_array([column]), _LINE_BREAKS) for column in batch.columns)


_LINE_BREAKS = (10, 13)


def _blank_records(batch: pa.RecordBatch) -> np.ndarray | None:
    """Which records hold only whitespace (``str.isspace``) in every field; ``None`` when none do."""
    blank = None
    for column in batch.columns:
        empty = pc.or_(pc.equal(pc.binary_length(column), 0), pc.utf8_is_space(column))
        blank = empty if blank is None else pc.and_(blank, empty)
        if not pc.any(blank).as_py():
            return None
    return None if blank is None else np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool)


def _gathered(
    batches: Iterator[tuple[pa.RecordBatch, np.ndarray]], chunk_bytes: int
) -> Iterator[tuple[pa.Table, np.ndarray]]:
    """The batches gathered into tables of about ``chunk_bytes`` of text each, with their rows."""
    held: list[pa.RecordBatch] = []
    rows: list[np.ndarray] = []
    size = 0
    for batch, lines in batches:
        held.append(batch)
        rows.append(lines)
        size += batch.nbytes
        if size >= chunk_bytes:
            yield pa.Table.from_batches(held), np.concatenate(rows)
            held, rows, size = [], [], 0
    if held:
        yield pa.Table.from_batches(held), np.concatenate(rows)


def _unguard_formulas(frame: pd.DataFrame, table: pa.Table) -> None:
    """As the careful reader does: drop the apostrophe geomap's CSV writer puts before a formula."""
    for position, column in enumerate(table.columns):
        if not pc.any(pc.starts_with(column, "'")).as_py():
            continue
        name = frame.columns[position]
        guarded = frame[name].str.startswith(GUARDED_FORMULAS)
        if guarded.any():
            frame.loc[guarded, name] = frame.loc[guarded, name].str.slice(1)


def compact_piece(located: pd.DataFrame, columns: list[str], small: dict[str, str]) -> pa.Table:
    """The ``columns`` of located reports as an Arrow table: text dictionary-encoded, numbers in
    the narrow types of ``small`` (column -> Arrow type name)."""
    arrays = {}
    for column in columns:
        values = located[column]
        if column in small:
            arrays[column] = pa.array(values.to_numpy(), type=getattr(pa, small[column])())
        elif pd.api.types.is_datetime64_any_dtype(values):
            arrays[column] = pa.array(values.to_numpy("datetime64[ns]"))
        else:
            array = pa.array(values.to_numpy(object) if values.dtype == object else values.array, from_pandas=True)
            if isinstance(array, pa.ChunkedArray):
                array = array.combine_chunks()
            arrays[column] = compact_text(array)
    return pa.table(arrays)


def compact_text(array: pa.Array) -> pa.Array:
    """Text dictionary-encoded when its values repeat, else plain (``large_string``); other types as they are."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return array
    array = array.cast(pa.large_string())
    encoded = pc.dictionary_encode(array)
    if len(encoded.dictionary) <= max(1, len(array)) * DICTIONARY_SHARE:
        narrow = _index_type(len(encoded.dictionary))
        if narrow != encoded.type.index_type:  # int8 or int16 codes where the dictionary is small
            return pa.DictionaryArray.from_arrays(encoded.indices.cast(narrow), encoded.dictionary)
        return encoded
    return array  # mostly distinct (sources, notes): plain text is smaller


def _index_type(size: int) -> pa.DataType:
    """The narrowest Arrow index type for a dictionary of ``size`` values."""
    if size <= 127:
        return pa.int8()
    return pa.int16() if size <= 32_767 else pa.int32()


def same_type(chunks: list[pa.Array]) -> list[pa.Array]:
    """Text chunks made one type: dictionaries with the widest of their index types; plain text
    (every chunk decoded) when plain and dictionary chunks mix."""
    types = {c.type for c in chunks}
    if len(types) <= 1:
        return chunks
    if not all(pa.types.is_dictionary(t) and t.value_type == pa.large_string() for t in types):
        if all(pa.types.is_large_string(t) or pa.types.is_dictionary(t) for t in types):
            return [c.dictionary.take(c.indices) if pa.types.is_dictionary(c.type) else c for c in chunks]
        return chunks
    wide = max((t.index_type for t in types), key=lambda t: t.bit_width)
    return [
        c if c.type.index_type == wide else pa.DictionaryArray.from_arrays(c.indices.cast(wide), c.dictionary)
        for c in chunks
    ]


MAX_RUNS = 64
""":class:`RowPicker` keeps the order of rows made of at most this many rising runs without a final copy."""


class RowPicker:
    """``concat(chunks)[rows]`` taken while the chunks go by, so the chunks are never all held.

    Feed every chunk of a column in order with :meth:`add`; each keeps only the values of the
    wanted rows. Rows made of a few rising runs (located reports: each chunk's own reports, then
    the province-wide ones) come out in their order as they are taken; other orders are taken
    sorted and put back in order at the end. Dictionary chunks stay dictionaries unless ``plain``
    or the pieces mix both kinds.
    """

    def __init__(self, rows: np.ndarray, *, plain: bool = False) -> None:
        rows = np.asarray(rows)
        self.plain = plain
        self.order: np.ndarray | None = None
        cuts = np.flatnonzero(np.diff(rows) < 0) + 1
        if len(cuts) >= MAX_RUNS:
            self.order = np.argsort(rows, kind="stable")
            rows, cuts = rows[self.order], cuts[:0]
        self.runs = np.split(rows, cuts)
        self.pieces: list[list[pa.Array]] = [[] for _ in self.runs]
        self.seen = 0

    def add(self, chunk: pa.Array) -> None:
        """The next chunk of the column (the values of the rows after those of the chunks so far)."""
        start, stop = self.seen, self.seen + len(chunk)
        for run, pieces in zip(self.runs, self.pieces, strict=True):
            a, b = np.searchsorted(run, [start, stop])
            if b > a:
                pieces.append(chunk.take(pa.array(run[a:b] - start)))
        self.seen = stop

    def result(self) -> pa.ChunkedArray:
        """The values of ``rows``, in their order."""
        chunks = [piece for pieces in self.pieces for piece in pieces]
        self.pieces = []
        if self.plain:
            chunks = [c.dictionary.take(c.indices) if pa.types.is_dictionary(c.type) else c for c in chunks]
        chunks = same_type(chunks)
        if not chunks:
            return pa.chunked_array([], type=pa.large_string())
        taken = pa.chunked_array(chunks, type=chunks[0].type)
        if self.order is None:
            return taken
        back = np.empty_like(self.order)
        back[self.order] = np.arange(len(self.order))
        return taken.take(pa.array(back))


def assemble(pieces: list[pa.Table], columns: list[str]) -> pd.DataFrame:
    """One table of the pieces, in order, consuming them.

    Text with few distinct values becomes ``category`` (categories sorted, so ordering by the
    column orders by its text), the rest plain text; numbers and dates keep their types.
    """
    out: dict[str, object] = {}
    for column in columns:
        parts = [piece.column(column) for piece in pieces]
        for k, piece in enumerate(pieces):
            pieces[k] = piece.drop_columns([column])  # let the column's memory go as soon as it is converted
        chunks = same_type([c for part in parts for c in part.chunks])
        if len({c.type for c in chunks}) > 1:  # e.g. a chunk where the column is all missing
            out[column] = pd.concat([part.to_pandas() for part in parts], ignore_index=True)
            continue
        chunked = pa.chunked_array(chunks, type=chunks[0].type)
        del chunks
        del parts
        out[column] = text_column(chunked) if pa.types.is_dictionary(chunked.type) else chunked.to_pandas()
        del chunked
        pa.default_memory_pool().release_unused()
    pieces.clear()
    # not consolidated: a block of several columns would be a copy of them, and a block split
    # later (a column replaced) keeps the whole of it alive
    return pd.DataFrame(out, copy=False)


def text_column(chunked: pa.ChunkedArray, *, categories: bool = True) -> pd.Series:
    """Text as a column: dictionary-encoded chunks as ``category`` (sorted categories) when
    ``categories`` and they have few distinct values, else plain text (plain chunks stay plain)."""
    if not pa.types.is_dictionary(chunked.type):
        return chunked.to_pandas()
    distinct = sum(len(chunk.dictionary) for chunk in chunked.chunks)
    if categories and distinct <= max(1, len(chunked)) * DICTIONARY_SHARE:
        return _categorical(chunked)
    plain = pa.chunked_array([chunk.dictionary.take(chunk.indices) for chunk in chunked.chunks], type=pa.large_string())
    return plain.to_pandas()


def _categorical(chunked: pa.ChunkedArray) -> pd.Series:
    """Dictionary-encoded text chunks as one ``category`` column whose categories are every chunk's
    dictionary values, sorted (as Arrow's ``unify_dictionaries().to_pandas()`` with the categories
    then sorted), each chunk's codes looked up in one small table and written straight into the
    column's codes: one array of codes per row, where Arrow's conversion took several wider ones."""
    dictionaries = [chunk.dictionary.cast(pa.large_string()) for chunk in chunked.chunks]
    union = pc.unique(pa.concat_arrays(dictionaries)) if dictionaries else pa.array([], pa.large_string())
    union = union.take(pc.array_sort_indices(union))
    dtype = pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), union).to_pandas().dtype
    codes = np.empty(len(chunked), dtype=_codes_type(len(union)))
    start = 0
    for chunk, dictionary in zip(chunked.chunks, dictionaries, strict=True):
        lookup = np.append(pc.index_in(dictionary, value_set=union).to_numpy(zero_copy_only=False), -1)
        indices = chunk.indices.to_numpy(zero_copy_only=False) if chunk.null_count == 0 else None
        if indices is None:  # a missing value reads the last entry of the table: -1
            indices = chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        codes[start : start + len(chunk)] = lookup.astype(codes.dtype)[indices]
        start += len(chunk)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), copy=False)


def _codes_type(size: int) -> type[np.signedinteger]:
    """The type pandas gives the codes of a ``category`` of ``size`` categories."""
    for dtype in (np.int8, np.int16, np.int32):
        if size < np.iinfo(dtype).max:
            return dtype
    return np.int64
