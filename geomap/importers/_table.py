"""What the event importers share: reading the CSV, checking columns, collecting problems, the output table."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geomap._csv import split_record
from geomap._data import provinces_table
from geomap._text import WORKBOOK_SIGNATURES
from geomap.errors import InputError, row_message
from geomap.reports import AFGHANISTAN_BOUNDS
from geomap.schema import DATE, LAT, LEVEL, LON, NOTE, PLACE, SOURCE, STATUS

PLACE_PRECISION = "place_precision"
DATE_PRECISION = "date_precision"
EVENT_ID = "event_id"
REPORT_COLUMNS = (DATE, PLACE, STATUS, SOURCE, NOTE, LAT, LON, LEVEL, PLACE_PRECISION, DATE_PRECISION, EVENT_ID)
MAX_PROBLEMS_SHOWN = 50


class EventsError(InputError):
    """An event file failed validation; ``problems`` holds one line per bad value (row and column named)."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        lines = [f"{source}: {len(problems)} problem(s) in the events; fix them and run again:"]
        lines += [f"  {p}" for p in shown]
        if len(problems) > len(shown):
            lines.append(f"  ... and {len(problems) - len(shown)} more")
        super().__init__("\n".join(lines))


@dataclass
class Problems:
    """Bad values found while converting one file, reported together."""

    source: str
    lines: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, mask: np.ndarray, frame: pd.DataFrame, column: str, why: str | Callable[[str], str]) -> None:
        """Record ``why`` for every row of ``frame`` where ``mask`` is true (``frame`` has a ``_row`` column)."""
        order = list(frame.columns).index(column) if column in frame.columns else 0
        for i in np.flatnonzero(mask):
            value = frame[column].iat[i]
            row = int(frame["_row"].iat[i])
            reason = why(value) if callable(why) else why
            self.lines.append((row, order, row_message(self.source, row, column, value, reason)))

    def raise_if_any(self) -> None:
        if self.lines:
            self.lines.sort()
            raise EventsError(self.source, [line for _, _, line in self.lines])


def read_header(path: str | os.PathLike[str]) -> tuple[str, str, list[str]]:
    """The file's name, its delimiter and its column names (stripped, lower case)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the event export file itself")
    if not path.is_file():
        raise InputError(f"{path}: event file not found; check the path")
    head = _first_line(path)
    if not head.strip():
        raise InputError(f"{path}: the file is empty; export the events with their header row")
    delimiter = "\t" if path.suffix.lower() == ".tsv" or head.count("\t") > head.count(",") else ","
    names = split_record(head, delimiter)
    if names is None:
        raise InputError(f"{path}: line 1 holds a value past the CSV field limit; is this an event export?")
    return str(path), delimiter, [n.strip().lower() for n in names]


def _first_line(path: str | os.PathLike[str]) -> str:
    """The file's first line (the header), decoded alone: a bad byte further on is named on its own line."""
    with open(path, "rb") as raw:
        first = raw.readline()
    if first.startswith(WORKBOOK_SIGNATURES):
        raise InputError(
            f"{path}: is a spreadsheet workbook, not text; geomap import reads the CSV export (or save the sheet "
            "as CSV UTF-8)"
        )
    try:
        return first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: line 1 is not UTF-8 (byte {exc.start + 1}); save the file as UTF-8") from None


def read_events(path: str | os.PathLike[str], wanted: Iterable[str] | None = None) -> tuple[str, pd.DataFrame]:
    """Read an event export (CSV or TSV, UTF-8) as text cells, with each record's spreadsheet row in ``_row``.

    Only the columns in ``wanted`` (all when ``None``) are parsed: an export has
    some 30-50 columns and geomap reads a dozen.
    """
    source, delimiter, names = read_header(path)
    keep = None if wanted is None else set(wanted)
    raw_names = split_record(_first_line(path), delimiter) or []
    usecols = None if keep is None else [raw for raw, name in zip(raw_names, names, strict=True) if name in keep]
    options = dict(sep=delimiter, dtype=str, keep_default_na=False, encoding="utf-8-sig", usecols=usecols)
    try:
        # Arrow's multi-threaded reader is about 4x faster than pandas' own on a large export.
        frame = pd.read_csv(path, engine="pyarrow", **options)
    except Exception:  # any trouble (a line break inside a quoted note, ...): pandas reads it, or says why not
        frame = _read_with_pandas(source, path, options)
    frame = frame.fillna("")  # Arrow may leave an empty cell null
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame["_row"] = np.arange(2, len(frame) + 2)
    if len(frame) and _is_hxl_row(frame.iloc[0]):
        # Exports from HDX carry a second header row of HXL hashtags (#date, #event+type, ...).
        frame = frame.iloc[1:]
    return source, frame


def _read_with_pandas(source: str, path: str | os.PathLike[str], options: dict[str, Any]) -> pd.DataFrame:
    import warnings

    try:
        with warnings.catch_warnings():
            # a record longer than the header: pandas would take its first value as an index, or drop the
            # last ones, and every value would be read under another column's name
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, engine="c", index_col=False, **options)
    except UnicodeDecodeError:
        raise InputError(f"{source}: {_first_bad_line(path)} is not UTF-8; save the file as UTF-8") from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{source}: the file is empty; export the events with their header row") from None
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        ragged = _first_long_record(path, options["sep"])
        if ragged:
            raise InputError(f"{source}, {ragged}; remove the extra values or quote the cell") from None
        raise InputError(f"{source}: not valid CSV ({str(exc).strip()}); check the quoting") from None
    ragged = _first_long_record(path, options["sep"])  # read all the same when only some columns are wanted
    if ragged:
        raise InputError(f"{source}, {ragged}; remove the extra values or quote the cell")
    return frame


def _first_bad_line(path: str | os.PathLike[str]) -> str:
    """``"line N (byte B)"`` of the first byte that is not UTF-8 (a file found not to be)."""
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                return f"line {number} (byte {exc.start + 1})"
    return "a line"


def _first_long_record(path: str | os.PathLike[str], delimiter: str) -> str:
    """``"row N: M values, the header K"`` for the first record with more values than the header, or ``""``."""
    import csv

    from geomap._csv import field_limit

    with field_limit(), open(path, encoding="utf-8-sig", newline="") as fh:
        try:
            records = csv.reader(fh, delimiter=delimiter)
            width = len(next(records, []))
            for row, record in enumerate(records, start=2):
                if len(record) > width:
                    return f"row {row}: {len(record)} values, the header {width}"
        except csv.Error:
            return ""
    return ""


def _is_hxl_row(row: pd.Series) -> bool:
    cells = [str(v).strip() for name, v in row.items() if name != "_row" and str(v).strip()]
    return bool(cells) and all(cell.startswith("#") for cell in cells)


def require_columns(source: str, frame: pd.DataFrame, required: Iterable[str], layout: str, other: str) -> None:
    """Refuse a table missing any of ``required`` with one line naming them (header = row 1)."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source}, row 1: missing {layout} column(s) {', '.join(missing)}; export the events with "
            f"{layout}'s standard columns (or use `geomap import {other}` for {other.upper()} files)"
        )


# a real time of day (not "25:99"), as the reports reader takes it
_ISO_DATE_AND_TIME = (
    r"\d{4}-\d{2}-\d{2}(?:[ T](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)


def parse_event_dates(values: pd.Series, formats: Iterable[str]) -> pd.Series:
    """Dates in any of ``formats`` (the first that parses wins); ``NaT`` where none does, and for
    dates outside geomap's range (:data:`geomap.dates.MIN_DATE` .. :data:`~geomap.dates.MAX_DATE`)."""
    from geomap.dates import MAX_DATE, MIN_DATE

    text = values.str.strip()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = parsed.isna()
        if not todo.any():
            break
        candidate = text[todo]
        if fmt == "iso":  # the date, alone or before a time of day ("2021-08-08 00:00:00.000"), nothing else
            candidate = candidate.where(candidate.str.fullmatch(_ISO_DATE_AND_TIME), "").str.slice(0, 10)
        found = pd.to_datetime(candidate, format="%Y-%m-%d" if fmt == "iso" else fmt, errors="coerce")
        # pandas may parse year 1 or 9999 at a coarser unit: keep only what nanoseconds can hold.
        inside = found.notna() & (found >= pd.Timestamp(MIN_DATE)) & (found <= pd.Timestamp(MAX_DATE))
        parsed[todo] = found.where(inside).astype("datetime64[ns]")
    return parsed


def integer_codes(values: pd.Series, allowed: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and a mask of the values that are not one of ``allowed``."""
    codes = {text: code for code in allowed for text in (str(code), f"{code}.0")}
    numbers = values.str.strip().map(codes)
    ok = numbers.notna().to_numpy()
    return numbers.fillna(0).to_numpy().astype(int), ~ok


def coordinates(
    frame: pd.DataFrame, problems: Problems, lat_col: str, lon_col: str, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude as floats; bad ones (on ``rows``) recorded as problems."""
    lat = pd.to_numeric(frame[lat_col].str.strip(), errors="coerce").to_numpy(float)
    lon = pd.to_numeric(frame[lon_col].str.strip(), errors="coerce").to_numpy(float)
    bad_lat = rows & (np.isnan(lat) | (np.abs(lat) > 90))
    bad_lon = rows & (np.isnan(lon) | (np.abs(lon) > 180))
    problems.add(bad_lat, frame, lat_col, "not a latitude; write decimal degrees, e.g. 34.5281")
    problems.add(bad_lon, frame, lon_col, "not a longitude; write decimal degrees, e.g. 69.1723")
    # an event the dataset places in Afghanistan at a point far outside it: every command would refuse the file
    min_lon, min_lat, max_lon, max_lat = AFGHANISTAN_BOUNDS
    outside = rows & ~bad_lat & ~bad_lon & ((lat < min_lat) | (lat > max_lat) | (lon < min_lon) | (lon > max_lon))
    problems.add(
        outside, frame, lat_col,
        f"the point ({lat_col}, {lon_col}) lies outside Afghanistan (latitude {min_lat:g}..{max_lat:g}, longitude "
        f"{min_lon:g}..{max_lon:g}); check both coordinates",
    )  # fmt: skip
    return lat, lon


def _fold_place(name: str) -> str:
    words = " ".join(str(name).casefold().replace("-", " ").split()).split(" ")
    while len(words) > 1 and words[-1] in ("town", "city", "village", "centre", "center", "district"):
        words.pop()
    return " ".join(words)


def capital_names() -> set[str]:
    """Folded spellings of the 34 provincial capitals."""
    table = provinces_table()
    names = set(table["capital"].map(_fold_place))
    for alternates in table["capital_alt"]:
        names.update(_fold_place(a) for a in alternates.split("|") if a)
    return names


def point_level(locations: pd.Series) -> np.ndarray:
    """``""`` (the point stands for its area) for a provincial capital, ``"district"`` for any other place.

    On the bundled provinces only reports about a province or its capital set the
    province's status by default, so a village event is evidence, not a decision.
    """
    capitals = capital_names()
    unique = pd.unique(locations)
    level = {name: "" if _fold_place(name) in capitals else "district" for name in unique}
    levels: np.ndarray = locations.map(level).to_numpy(object)
    return levels


def reports_frame(columns: dict[str, object], keep: np.ndarray) -> pd.DataFrame:
    """The importer's output: reports columns (``date`` as datetime64[ns] days) for the rows in ``keep``."""
    out = pd.DataFrame({name: columns[name] for name in REPORT_COLUMNS})
    out = out[keep].reset_index(drop=True)
    out[DATE] = pd.to_datetime(out[DATE]).dt.normalize().astype("datetime64[ns]")
    return out


def abroad(frame: pd.DataFrame, name_column: str, code_column: str, code: str) -> np.ndarray:
    """Mask of the events a dataset places in another country than Afghanistan: by the country's name in
    ``name_column``, or its numeric code in ``code_column`` (``code`` being Afghanistan's), where given.
    A point near the border would otherwise be moved onto the nearest Afghan district."""
    outside = np.zeros(len(frame), dtype=bool)
    if name_column in frame.columns:
        names = frame[name_column].astype(str).str.strip().str.casefold()
        outside |= ((names != "") & (names != "afghanistan")).to_numpy()
    if code_column in frame.columns:  # "4", "004" and "4.0" alike; a code that is no number says nothing
        codes = pd.to_numeric(frame[code_column].astype(str).str.strip(), errors="coerce").to_numpy(dtype=float)
        outside |= ~np.isnan(codes) & (codes != float(code))
    return outside


ABROAD = "in another country than Afghanistan"
"""The reason an event placed abroad by its dataset is skipped."""


def skipped_abroad(skipped: dict[str, int], elsewhere: np.ndarray) -> dict[str, int]:
    """The skip counts with the events in another country counted as such, not as "not about control"."""
    count = int(elsewhere.sum())
    if not count:
        return skipped
    out = {**skipped, "not about control": skipped.get("not about control", 0) - count, ABROAD: count}
    return {k: v for k, v in out.items() if v}
