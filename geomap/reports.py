"""Reading and validating control reports.

A report says that a place had a status on a date::

    date,place,status,source,note
    2021-08-12,Ghazni,taliban,https://example.org/a,capital taken

Columns: ``date`` (ISO ``YYYY-MM-DD``), ``place``, ``status`` (a key, label or alias
of the status scheme), and optional ``source``, ``note``, ``lat``/``lon`` (then the
place is not geocoded), ``level`` (``province``, ``city`` or ``district``) and
``place_precision``/``date_precision`` (1-3, see :mod:`geomap.precision`). A table with
``lat`` and ``lon`` may leave out ``place``: each report is then named by its point
(``"34.52813, 69.17233"``), and needs one.

Validation checks every row and reports every problem at once; nothing downstream
runs on invalid input.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from geomap._antimeridian import in_lon_range
from geomap._columns import constant_text, from_arrow, has_empty, remember_codes, take_text, trim
from geomap._csv import MAX_CELL_CHARS, field_limit, restore_formulas, split_record
from geomap._fastcsv import RaggedRows, read_plain_csv, read_typed_csv
from geomap._json import has_lone_surrogate, load_json
from geomap._text import read_text
from geomap._threads import concurrently
from geomap.dates import check_order, date_problem, date_problem_with_hint, parse_date, parse_date_column
from geomap.errors import InputError, row_message, shown
from geomap.precision import DATE_PRECISION, PLACE_PRECISION
from geomap.precision import LEVELS as PRECISION_LEVELS
from geomap.schema import DATE, LAT, LEVEL, LON, NOTE, PLACE, REQUIRED_REPORT_COLUMNS, SOURCE, STATUS
from geomap.scheme import AFGHANISTAN_2021, StatusScheme

__all__ = ["ReportsError", "parse_date", "read_reports", "read_table", "validate_reports"]

ROW = "row"
LEVELS = ("province", "city", "district")
#: Finer levels written by ``geomap extract``, read as a point place (``city``).
LEVEL_SYNONYMS = {"capital": "city", "town": "city", "crossing": "city", "facility": "city"}
AFGHANISTAN_BOUNDS = (60.4, 29.3, 75.0, 38.6)
"""Longitude/latitude box around Afghanistan (with a small margin) used to check given coordinates."""

MAX_PROBLEMS_SHOWN = 50


MAX_SUGGESTIONS = 10_000
"""Distinct bad statuses given a "did you mean" (each costs a fuzzy comparison with every status name)."""


class ReportsError(InputError):
    """Reports failed validation; ``problems`` holds one line per bad value."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        lines = [f"{source}: {len(problems)} problem(s) in the reports; fix them and run again:"]
        lines += [f"  {p}" for p in shown]
        if more:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))


def read_reports(
    reports: str | os.PathLike[str] | pd.DataFrame | list[dict[str, object]],
    *,
    scheme: StatusScheme = AFGHANISTAN_2021,
    bounds: tuple[float, float, float, float] | None = AFGHANISTAN_BOUNDS,
    sheet: str | int | None = None,
    on_points: Callable[[np.ndarray, np.ndarray], None] | None = None,
    day_first: bool = False,
    month_first: bool = False,
) -> pd.DataFrame:
    """Read and validate reports from a CSV, TSV, JSON or Excel file, a DataFrame or a list of records.

    Parameters
    ----------
    reports
        A ``.csv`` or ``.tsv`` file (UTF-8; comma, semicolon or tab separated:
        detected from the header), a ``.json`` file (a list of records), an
        ``.xlsx`` workbook, a DataFrame, or a list of dicts. A GeoDataFrame of points gives
        each report its point (in EPSG:4326) as ``lat``/``lon``.
    scheme
        The status scheme; statuses may be written as its keys, labels or aliases.
    bounds
        ``(min_lon, min_lat, max_lon, max_lat)`` that given coordinates must fall
        in (Afghanistan by default); ``min_lon > max_lon`` for a box across 180
        degrees (as a GeoJSON ``bbox``); ``None`` skips the check.
    sheet
        The worksheet of an ``.xlsx`` file: its name or 1-based position; the
        first sheet by default.
    day_first
        Read dates written with numbers day first, as spreadsheets of many countries save them
        (``15/08/2021``, ``05.08.2021``: 5 August), besides ``YYYY-MM-DD``. Without it (or
        ``month_first``) such a date is refused, with what it would be when that can be told.
    month_first
        Read dates written with numbers month first, as American spreadsheets save them
        (``8/15/2021``, ``08/05/2021``: 5 August); not with ``day_first``.
    on_points
        Called with every report's ``(lon, lat)`` (in order) as soon as the file's values are
        checked, when a large CSV file gives coordinates in every row, so that work on them (the
        join to the areas, :func:`geomap.join.points_ahead`) runs while the rest of the table is
        built. A file with any invalid value never calls it: work started on its points could
        not be stopped, and would hold the error's process for as long as it runs.

    Returns
    -------
    pandas.DataFrame
        Columns ``row`` (the row number a user sees: for CSV and Excel the
        spreadsheet row, header = 1; for JSON and DataFrames the 1-based record
        number), ``date`` (``datetime64[ns]``, midnight), ``place``, ``status``
        (scheme key), ``source``, ``note``, ``lat``, ``lon`` (NaN when not given),
        ``level`` (``""`` when not given) and ``place_precision``/``date_precision``
        (1 when not given), in input order.

    Raises
    ------
    InputError
        The file is missing, not UTF-8, not a supported format, or lacks a
        required column (with a suggestion when a column looks like it:
        ``location`` -> ``place``).
    ReportsError
        One or more rows are invalid; the message lists every problem
        (row, column, value, why; "did you mean" for misspelt statuses).
    """
    if not isinstance(scheme, StatusScheme):
        raise InputError(f"scheme: expected a StatusScheme (see geomap.load_scheme), got {type(scheme).__name__}")
    check_order(day_first, month_first)
    if isinstance(reports, str | os.PathLike) and sheet is None and not (day_first or month_first):
        plain = _read_plain_reports(Path(reports), scheme=scheme, bounds=bounds, on_points=on_points)
        if plain is not None:
            return plain
    name, frame, rows = read_table(reports, sheet=sheet)
    return validate_reports(
        frame, scheme=scheme, source_name=name, rows=rows, bounds=bounds, day_first=day_first, month_first=month_first
    )


def _geometry_name(frame: pd.DataFrame) -> str | None:
    """The active geometry column of a GeoDataFrame (``None`` for a plain DataFrame, or none set)."""
    geopandas = sys.modules.get("geopandas")  # a GeoDataFrame means geopandas is loaded
    if geopandas is None or not isinstance(frame, geopandas.GeoDataFrame):
        return None
    name = frame._geometry_column_name
    return name if isinstance(name, str) and name in frame.columns else None


def _points_as_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Reports given as a GeoDataFrame of points: each point's longitude and latitude (EPSG:4326) as the
    ``lon`` and ``lat`` columns, the geometry dropped; an empty geometry leaves them blank. ``lat``/``lon``
    columns already there (``gpd.points_from_xy(df.lon, df.lat)``) must say the same as the points."""
    name = cast(str, _geometry_name(frame))
    source = "reports (GeoDataFrame)"
    geometry = frame[name]
    plain = pd.DataFrame(frame.drop(columns=name)).copy()
    if geometry.crs is None:
        raise InputError(
            f"{source}: the points have no coordinate reference system; set it, e.g. "
            "gdf.set_crs('EPSG:4326') if they are longitude/latitude"
        )
    kinds = geometry.geom_type
    odd = np.flatnonzero((kinds.notna() & (kinds != "Point") & ~geometry.is_empty).to_numpy())
    if len(odd):
        why = "not a point; give each report a point (e.g. its centroid)"
        raise ReportsError(source, [row_message(source, int(i) + 1, name, kinds.iloc[i], why) for i in odd])
    points = geometry.to_crs("EPSG:4326")
    blank = (points.isna() | points.is_empty).to_numpy()
    lat = np.where(blank, np.nan, points.y.where(~blank).to_numpy(dtype=float))
    lon = np.where(blank, np.nan, points.x.where(~blank).to_numpy(dtype=float))
    given = {c: pd.to_numeric(plain[c], errors="coerce").to_numpy(dtype=float) for c in ("lat", "lon") if c in plain}
    for column, value in given.items():
        mine = lat if column == "lat" else lon
        differ = np.flatnonzero(~np.isclose(value, mine, rtol=0, atol=1e-7, equal_nan=True))
        if len(differ):
            i = int(differ[0])
            raise InputError(
                f"{source}, row {i + 1}, column '{column}': {value[i]:g} is not the point's "
                f"({mine[i]:.6f}); {len(differ)} row(s) disagree: drop the {column} column or fix the points"
            )
    plain["lat"] = lat
    plain["lon"] = lon
    return plain


TEXT_SUFFIXES = (".csv", ".txt", ".tsv", "")
JSON_SUFFIXES = (".json", ".geojson")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t")


def read_table(
    source: str | os.PathLike[str] | pd.DataFrame | list[dict[str, object]],
    *,
    sheet: str | int | None = None,
) -> tuple[str, pd.DataFrame, list[int] | np.ndarray | None]:
    """Read a raw table: CSV/TSV text, a JSON list of records, an Excel workbook, a DataFrame or records.

    Returns
    -------
    (name, frame, rows)
        The source's name for messages, the table as read (text cells), and for
        CSV and Excel the spreadsheet row of each record (``None`` otherwise).

    Raises
    ------
    InputError
        Missing file, not UTF-8, unsupported format, malformed CSV or JSON, an
        unknown worksheet.
    """
    if isinstance(source, pd.DataFrame):
        if _geometry_name(source) is not None:
            return "reports (GeoDataFrame)", _points_as_columns(source), None
        return "reports (DataFrame)", source.copy(), None
    if isinstance(source, list):
        if not all(isinstance(record, dict) for record in source):
            raise InputError("reports: a list of reports must hold dicts with date, place and status")
        return "reports (records)", pd.DataFrame.from_records(source), None
    if not isinstance(source, str | os.PathLike):
        raise InputError(f"reports: expected a file path, a DataFrame or a list of dicts, got {type(source).__name__}")
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _excel_frame(path, sheet)
    if sheet is not None:
        raise InputError(f"{path}: sheet {sheet!r} given, but only .xlsx workbooks have sheets")
    if suffix not in (*JSON_SUFFIXES, *TEXT_SUFFIXES):
        raise InputError(f"{path}: unsupported reports format {suffix!r}; use .csv, .tsv, .json, .geojson or .xlsx")
    if suffix in TEXT_SUFFIXES and path.is_file():
        delimiter = "\t" if suffix == ".tsv" else ","
        try:
            plain = read_plain_csv(path, delimiter=delimiter)
        except RaggedRows as ragged:
            raise ReportsError(str(path), ragged_problems(path, ragged)) from None
        if plain is not None and len(plain[0].columns) > 1:  # large, well-formed comma or tab files
            return str(path), plain[0], plain[1]
    text = read_text(path, what="reports file")
    if suffix in JSON_SUFFIXES:
        return str(path), _json_frame(path, text), None
    declared = _SEPARATOR_LINE.match(text)
    if declared is not None:  # Excel's "sep=;" line: the delimiter, said; a blank line keeps the rows' numbers
        return str(path), *_csv_frame(path, "\n" + text[declared.end() :], delimiter=declared.group(1))
    return (str(path), *_csv_frame(path, text, delimiter="\t" if suffix == ".tsv" else sniff_delimiter(text)))


# The first line Excel writes (and reads) to say a CSV file's delimiter: "sep=;".
_SEPARATOR_LINE = re.compile(r'\ufeff?sep=([^"\r\n])\r?\n', re.IGNORECASE)


def sniff_delimiter(text: str) -> str:
    """The delimiter of CSV text: whichever of comma, semicolon and tab splits the header into the most fields.

    Quoted fields are respected; a tie keeps the comma. Spreadsheets saved in
    locales whose decimal mark is a comma write semicolons; "Unicode text" exports
    write tabs.
    """
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(split_record(header, d) or ()) for d in DELIMITERS}  # an overlong header: the reader says so
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 1 else ","


MAX_SHEET_CELLS = 20_000_000
"""Cells of a worksheet read at most (rows below the header times the header's width)."""


#: Rows of a worksheet looked at for the header (the first holding "date" and "status"; else the first row).
_TITLE_ROWS = 10


def _holds_reports(header: list[Any]) -> bool:
    """Whether a header row names a reports table's date and status."""
    return {DATE, STATUS} <= {str(v).strip().lower() for v in header}


def _holds_reports_or_places(header: list[Any]) -> bool:
    """Whether a header row names a reports table's date and status, or a names table's place."""
    return _holds_reports(header) or PLACE in {str(v).strip().lower() for v in header}


def _first_rows_header(sheet: Any) -> list[Any]:
    """The first row among a worksheet's first rows that names date and status, or ``[]`` (read no further)."""
    for values in sheet.iter_rows(max_row=_TITLE_ROWS + 1, values_only=True):
        if _holds_reports(["" if v is None else v for v in values]):
            return list(values)
    return []


def _quoted_sheet(name: str) -> str:
    """A sheet's name as written on a command line (quoted when it holds spaces or shell characters)."""
    import shlex

    return shlex.quote(name)


def _sheet_rows(sheet: Any) -> tuple[list[tuple[int, list[Any]]], int]:
    """The non-empty rows of a worksheet with their row numbers, the first (the header) cut after its last
    filled cell and the others read only that wide: a stray cell far to the right or far below (XFD1,
    A1048576) makes the sheet's extent huge but costs nothing more than its own row; and the number of
    the sheet's last row. Every row the sheet holds is read, whatever extent the file declares (some
    programs write a stale one, which would hide the rows below it)."""
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    header_row = 0
    header: list[Any] = []
    looked = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = ["" if v is None else v for v in values]
        while cells and not str(cells[-1]).strip():
            cells.pop()
        if not cells:
            continue
        if not header:
            header_row, header = number, cells
        if _holds_reports(cells):  # the header; rows above it are a title ("Control reports, August 2021")
            header_row, header = number, cells
            break
        looked += 1
        if looked == _TITLE_ROWS:
            break
    if not header:
        return [], 0
    rows: list[tuple[int, list[Any]]] = [(header_row, header)]
    last_row = header_row
    most = header_row + MAX_SHEET_CELLS // len(header)
    for number, values in enumerate(
        sheet.iter_rows(min_row=header_row + 1, max_col=len(header), values_only=True), start=header_row + 1
    ):
        if number > most:
            raise InputError(
                f"the sheet spans more than {most:,} rows of {len(header):,} columns from its header, more cells "
                f"than {MAX_SHEET_CELLS:,}: delete the stray cells far below or to the right, or save the "
                "reports as CSV"
            )
        last_row = number
        cells = ["" if v is None else v for v in values]
        if any(str(v).strip() for v in cells):
            rows.append((number, cells))
    return rows, last_row


def _unsaved_formulas(
    path: Path, sheet: str, rows: list[tuple[int, list[Any]]], width: int, extent: int
) -> list[tuple[int, int, str]]:
    """The cells below the header (row, column, formula) holding a formula whose value was never saved: read
    for their values they are empty, so they would pass for blanks. Looked for only when some cell or row
    below the header is empty."""
    import openpyxl

    header_row, body = rows[0][0], dict(rows[1:])
    last = max(extent, *body, header_row)  # the sheet's last row: rows of formulas alone read as empty
    if all(str(v).strip() for values in body.values() for v in values) and len(body) == last - header_row:
        return []  # no empty cell, no empty row: nothing a formula could hide in
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        found = []
        book[sheet].reset_dimensions()
        cells = book[sheet].iter_rows(min_row=header_row + 1, max_row=last, max_col=width, values_only=True)
        for number, formulas in enumerate(cells, start=header_row + 1):
            values = body.get(number, [])
            for column, formula in enumerate(formulas):
                value = values[column] if column < len(values) else ""
                if isinstance(formula, str) and formula.startswith("=") and not str(value).strip():
                    found.append((number, column, formula))
        return found
    finally:
        book.close()


def _unreadable_workbook(exc: Exception) -> str:
    return f"not a readable .xlsx workbook ({type(exc).__name__}); save it again from Excel"


def _excel_frame(path: Path, sheet: str | int | None) -> tuple[str, pd.DataFrame, list[int]]:
    """Read one worksheet; each record keeps its spreadsheet row number (header = the first non-empty row)."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise InputError(f"{path}: reading .xlsx needs openpyxl; install it with `pip install openpyxl`") from None
    if not path.is_file():
        raise InputError(f"{path}: reports file not found; check the path")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and XML errors on damaged files
        raise InputError(f"{path}: {_unreadable_workbook(exc)}") from None
    try:
        names = book.sheetnames
        if sheet is None:
            chosen = names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool) and 1 <= sheet <= len(names):
            chosen = names[sheet - 1]
        elif isinstance(sheet, str) and sheet in names:
            chosen = sheet
        else:
            shown = ", ".join(repr(n) for n in names)
            raise InputError(f"{path}: no sheet {sheet!r}; the workbook has {shown} (give a name or a number from 1)")
        name = f"{path} (sheet {chosen!r})" if len(names) > 1 or sheet is not None else str(path)
        try:
            rows, extent = _sheet_rows(book[chosen])
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from None
        except Exception as exc:  # a damaged sheet: openpyxl raises XML and zipfile errors while reading it
            raise InputError(f"{name}: {_unreadable_workbook(exc)}") from None
        if sheet is None and len(names) > 1 and not _holds_reports_or_places(rows[0][1] if rows else []):
            elsewhere = [n for n in names[1:] if _holds_reports(_first_rows_header(book[n]))]
            if elsewhere:
                raise InputError(
                    f"{name}: no date, place, status header on the first sheet; sheet {elsewhere[0]!r} has one: "
                    f"give --sheet {_quoted_sheet(elsewhere[0])} (sheet={elsewhere[0]!r})"
                )
    except InputError:
        raise
    except Exception as exc:  # another sheet, damaged, looked at for a header
        raise InputError(f"{path}: {_unreadable_workbook(exc)}") from None
    finally:
        book.close()
    if not rows:
        raise InputError(f"{name}: the sheet is empty; it needs a header row with date, place, status")
    header = [str(h).strip() for h in rows[0][1]]
    width = len(header)
    _refuse_wide(name, header)
    # only the columns geomap reads: a sum in a column of casualties is none of its business
    try:
        formulas = _unsaved_formulas(path, chosen, rows, width, extent)
    except Exception as exc:  # the sheet read for its formulas: damaged where its values were not
        raise InputError(f"{name}: {_unreadable_workbook(exc)}") from None
    unsaved = [u for u in formulas if header[u[1]].lower() in _READ_COLUMNS]
    if unsaved:
        why = (
            "a formula with no saved value (the workbook was written by a program that does not compute "
            "formulas); open it in a spreadsheet, save it, and run again"
        )
        raise ReportsError(name, [row_message(name, r, header[c], formula, why) for r, c, formula in unsaved])
    body = [(n, [*values, *[""] * width][:width]) for n, values in rows[1:]]
    frame = pd.DataFrame([values for _, values in body], columns=header, dtype=object)
    return name, frame, [n for n, _ in body]


def _csv_frame(path: Path, text: str, *, delimiter: str) -> tuple[pd.DataFrame, list[int]]:
    """Parse CSV text; also return the row of each record (header = row 1): the line it begins on.

    Blank lines are skipped but still counted, and a value spanning lines counts each of them, so row
    numbers match what an editor shows (for a file without such values, what a spreadsheet shows too).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    ended = 0  # the line the last record read ends on
    try:
        with field_limit():  # geomap's own limit (a library may have raised Python's)
            for fields in reader:
                records.append((ended + 1, fields))
                ended = reader.line_num
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # named at the row where the record began
            begun = ended + 1
            raise InputError(
                f"{path}: row {begun}: a value longer than {MAX_CELL_CHARS:,} characters (or a quote left "
                "open, which makes the rest of the file one value); close the quote or shorten the value"
            ) from None
        raise InputError(f"{path}: row {ended + 1}: not valid CSV ({exc}); check the quoting") from None
    records = [(line, fields) for line, fields in records if any(f.strip() for f in fields)]
    if not records:
        raise InputError(f"{path}: the file is empty; it needs a header row with date,place,status")
    header = records[0][1]
    header = [h.strip() for h in header]
    _refuse_wide(str(path), header)
    problems = [
        _ragged_problem(path, line, fields, len(header), delimiter)
        for line, fields in records[1:]
        if len(fields) != len(header)
    ]
    problems += _open_quote_problems(path, records[1:], header, delimiter)
    if problems:
        raise ReportsError(str(path), problems)
    body = records[1:]
    frame = pd.DataFrame([[restore_formulas(f) for f in fields] for _, fields in body], columns=header, dtype=object)
    return frame, [line for line, _ in body]


def _open_quote_problems(
    path: Path, records: list[tuple[int, list[str]]], header: list[str], delimiter: str
) -> list[str]:
    """A value running over lines that read as records of their own: a quote left open has swallowed them.

    A note may span lines; a line of it holding as many fields as the header (three or more) is a row
    the quote took in, and it would be lost without a word.
    """
    if len(header) < 3:
        return []
    problems = []
    for line, fields in records:
        for column, value in zip(header, fields, strict=False):
            if "\n" not in value and "\r" not in value:
                continue
            lines = value.splitlines()
            taken = [text for text in lines[1:] if len(split_record(text, delimiter) or ()) >= len(header)]
            if taken:
                why = (
                    f"a quote opened in this value takes in the next {len(lines) - 1} line(s), {len(taken)} of "
                    f"them rows of their own (the first: {shown(taken[0])}); close the quote, or double a quote "
                    'inside a quoted value ("")'
                )
                problems.append(row_message(str(path), line, column, lines[0], why))
                break
    return problems


def ragged_problems(path: Path, ragged: RaggedRows) -> list[str]:
    """One problem per record of ``ragged``, as the careful reader words it."""
    return [_ragged_problem(path, line, fields, ragged.header, ragged.delimiter) for line, fields in ragged.rows]


def _ragged_problem(path: Path, line: int, fields: list[str], header: int, delimiter: str) -> str:
    return row_message(
        str(path),
        line,
        None,
        delimiter.join(fields),
        f"{len(fields)} fields where the header has {header}; "
        "check for a missing or extra comma, or quote values that contain commas",
    )


def _json_frame(path: Path, text: str) -> pd.DataFrame:
    data = load_json(text, str(path))
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return _features_frame(path, data.get("features"))
    if isinstance(data, dict) and isinstance(data.get("reports"), list):
        data = data["reports"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError(
            f"{path}: a JSON reports file must be a list of objects with date, place and status, "
            "or a GeoJSON FeatureCollection of them"
        )
    return pd.DataFrame.from_records(data)


def _features_frame(path: Path, features: object) -> pd.DataFrame:
    """A GeoJSON FeatureCollection's reports: each feature's properties, its point (longitude, latitude, as
    GeoJSON writes them) as ``lat``/``lon`` unless the properties give them; a feature without geometry
    is named by its place."""
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise InputError(f"{path}: a GeoJSON FeatureCollection needs a list of features")
    records = []
    problems = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            problems.append(row_message(str(path), number, "properties", properties, "not an object of report values"))
            continue
        record = dict(properties)
        geometry = feature.get("geometry")
        if geometry is not None and LAT not in record and LON not in record:
            coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
            kind = geometry.get("type") if isinstance(geometry, dict) else None
            if kind != "Point" or not isinstance(coordinates, list) or len(coordinates) < 2:
                why = "a report is a point; give a Point, or no geometry and a place name"
                problems.append(row_message(str(path), number, "geometry", kind or geometry, why))
                continue
            record[LON], record[LAT] = coordinates[0], coordinates[1]
        records.append(record)
    if problems:
        raise ReportsError(str(path), problems)
    return pd.DataFrame.from_records(records)


def validate_reports(
    frame: pd.DataFrame,
    *,
    scheme: StatusScheme = AFGHANISTAN_2021,
    source_name: str = "reports (DataFrame)",
    rows: list[int] | np.ndarray | None = None,
    bounds: tuple[float, float, float, float] | None = AFGHANISTAN_BOUNDS,
    day_first: bool = False,
    month_first: bool = False,
) -> pd.DataFrame:
    """Validate a raw reports table; see :func:`read_reports` for the result.

    ``rows`` gives the row number to report for each record (default: 1, 2, ...); ``day_first`` and
    ``month_first`` as in :func:`read_reports`.
    """
    check_order(day_first, month_first)
    _refuse_wide(source_name, frame.columns)
    _refuse_lone_surrogates(frame, source_name, rows)
    lowered = [str(c).strip().lower() for c in frame.columns]
    below = None if {DATE, STATUS} <= set(lowered) else _header_below(frame)
    if below is not None:  # a title above the table: "Control reports, August 2021"
        row = int(rows[below]) if rows is not None else below + 2
        raise InputError(
            f"{source_name}: the column names are on row {row}, under a title; delete the row(s) above them"
        )
    for position, name in enumerate(lowered):
        if name == "" and _text(frame.iloc[:, position]).ne("").any():
            raise InputError(
                f"{source_name}: column {position + 1} holds values but its header is blank; name it or delete it"
            )
    keep = [i for i, name in enumerate(lowered) if name != ""]  # blank, empty columns: trailing commas
    frame = frame.iloc[:, keep]
    lowered = [lowered[i] for i in keep]
    duplicated = sorted(c for c, n in Counter(lowered).items() if n > 1)
    if duplicated:
        shown = ", ".join(repr(c) for c in duplicated)
        raise InputError(f"{source_name}: column(s) {shown} appear more than once; keep one of each")
    written = [str(c).strip() for c in frame.columns]
    frame = frame.set_axis(lowered, axis=1)
    named_by_points = PLACE not in frame.columns and LAT in frame.columns and LON in frame.columns
    missing = [c for c in REQUIRED_REPORT_COLUMNS if c not in frame.columns and not (c == PLACE and named_by_points)]
    if missing:
        have = ", ".join(map(_header, frame.columns)) or "none"
        guesses = [f"{found!r} -> {column!r}" for column in missing if (found := _column_like(column, frame.columns))]
        hint = f"; did you mean {', '.join(guesses)}? rename the column(s)" if guesses else ""
        raise InputError(
            f"{source_name}: missing column(s) {', '.join(missing)}; the columns are: {have} "
            f"(reports need date, place and status, or date, status, lat and lon){hint}"
        )
    _refuse_unread_coordinates(written, source_name)
    n = len(frame)
    if n == 0:
        raise InputError(f"{source_name}: there are no reports (only a header); add rows of date,place,status")
    row_numbers = np.arange(1, n + 1) if rows is None else np.asarray(rows)
    problems: list[tuple[int, int, str]] = []  # (row, column order, message)

    def bad(mask: np.ndarray, column: str, order: int, why: str | Callable[[object], str]) -> None:
        said: dict[object, str] = {}  # the reason for each distinct value, worked out once
        cells = frame[column] if column in frame.columns else None
        for i in np.flatnonzero(mask):
            value = cells.iloc[i] if cells is not None else None
            value = None if _is_missing(value) else value
            if callable(why):
                key = (type(value), value) if isinstance(value, str | int | float) else None
                reason = said.get(key) if key is not None else None
                if reason is None:
                    reason = why(value)
                    if key is not None:
                        said[key] = reason
            else:
                reason = why
            row = int(row_numbers[i])
            problems.append((row, order, row_message(source_name, row, column, value, reason)))

    dates, date_bad = _parse_dates(frame[DATE], day_first=day_first, month_first=month_first)
    ordered = day_first or month_first
    bad(date_bad, DATE, 0, partial(date_problem, day_first=day_first, month_first=month_first) if ordered
        else date_problem_with_hint)  # fmt: skip

    if not named_by_points:
        places = _text(frame[PLACE])
        if isinstance(frame[PLACE].dtype, pd.StringDtype):
            not_text = pd.Series(False, index=frame.index)
        else:
            not_text = frame[PLACE].map(
                lambda v: not (isinstance(v, str) or v is None or (isinstance(v, float) and np.isnan(v)))
            )
        bad(not_text.to_numpy(), PLACE, 1, "not a place name; write the name as text")
        empty_place = ((places == "") & ~not_text).to_numpy()
        places = with_admin_names(places, frame)  # "Arghandab" in the Zabul row: "Arghandab, Zabul"
        given = [c for c in ADMIN_COLUMNS[0] if c in frame.columns]
        for other in given[1:]:  # "province" and "admin1" both given: one place, one province
            first, second = (_letters(_text(_first_of(frame[c]))) for c in (given[0], other))
            disagree = (first.ne("") & second.ne("") & first.ne(second)).to_numpy()
            bad(disagree, other, 1, f"not the province the {given[0]!r} column gives; keep one province column, "
                "or make them agree")  # fmt: skip
        if LAT not in frame.columns or LON not in frame.columns:
            bad(empty_place, PLACE, 1, "empty place; name the place or remove the row")

    raw_status = _text(frame[STATUS])
    # Each distinct spelling is normalised once; rows take their status by code.
    codes, spellings = pd.factorize(raw_status)
    statuses = _cells(pd.Series([scheme.normalize(u) for u in spellings] + [None])).take(codes)
    allowed = ", ".join(scheme.keys)
    empty_status = (raw_status == "").to_numpy()
    bad(empty_status, STATUS, 2, f"empty status; use one of {allowed}")

    suggested = [0]  # spelling suggestions made: a file of a million different bad statuses gets the first ones

    def unknown_status(value: object) -> str:
        suggested[0] += 1
        guess = scheme.suggest(value) if suggested[0] <= MAX_SUGGESTIONS else None
        hint = f"did you mean {guess!r}? " if guess else ""
        return f"unknown status; {hint}use one of {allowed} (or add it to a status's aliases in a --scheme file)"

    bad(pd.isna(statuses) & ~empty_status, STATUS, 2, unknown_status)

    lat, lon = _coordinates(frame, bad, bounds)
    if named_by_points:
        places = pd.Series(from_arrow(points_as_places(lat, lon)), index=frame.index)
        no_point = (_text(frame[LAT]) == "").to_numpy() & (_text(frame[LON]) == "").to_numpy()
        named = _column_like(PLACE, frame.columns)  # "Location": the names, under another heading
        bad(no_point, LAT, 3, NO_POINT if named is None else f"{NO_POINT}; did you mean {named!r} -> 'place'? "
            "rename the column")  # fmt: skip
    elif LAT in frame.columns and LON in frame.columns and empty_place.any():
        # a row with coordinates and no name is named by its point, as in a file without a place column
        point = ~np.isnan(lat) & ~np.isnan(lon)
        bad(empty_place & ~point, PLACE, 1, "empty place and no coordinates; name the place, give lat and lon, "
            "or remove the row")  # fmt: skip
        if (empty_place & point).any():
            named = pd.Series(from_arrow(points_as_places(lat, lon)), index=frame.index)
            places = places.where(~(empty_place & point), named)

    if LEVEL in frame.columns:
        level = _text(frame[LEVEL]).str.lower().replace(LEVEL_SYNONYMS)
        bad(~level.isin(("", *LEVELS)).to_numpy(), LEVEL, 5, f"unknown level; use one of {', '.join(LEVELS)}")
    else:
        level = pd.Series("", index=frame.index)

    precision = {}
    for order, column in enumerate((PLACE_PRECISION, DATE_PRECISION), start=6):
        if column not in frame.columns:
            precision[column] = np.ones(n, dtype=int)
            continue
        # each distinct cell looked up once (a lookup per cell of Arrow text costs a Python call each)
        codes, written = pd.factorize(_text(frame[column]), use_na_sentinel=False)
        # "2.0": a number column with a blank cell (JSON null, None in a DataFrame) holds floats
        levels = {"": 1, **{str(k): k for k in PRECISION_LEVELS}, **{f"{k}.0": k for k in PRECISION_LEVELS}}
        parsed = np.array([levels.get(str(w), np.nan) for w in written], dtype=float)[codes]
        unknown = np.isnan(parsed)
        bad(unknown, column, order, "unknown precision; use 1 (exact), 2 (approximate) or 3 (broad)")
        precision[column] = np.where(unknown, 1, parsed).astype(int)

    if problems:
        problems.sort()
        raise ReportsError(source_name, [p[2] for p in problems])

    out = pd.DataFrame(
        {
            ROW: row_numbers,
            DATE: dates,
            PLACE: _cells(places),
            STATUS: statuses,
            SOURCE: _cells(_text(frame[SOURCE])) if SOURCE in frame.columns else "",
            NOTE: _cells(_text(frame[NOTE])) if NOTE in frame.columns else "",
            LAT: lat,
            LON: lon,
            LEVEL: _cells(level),
            **precision,
        }
    )
    return out


#: Columns with few distinct values: the plain reader checks each distinct value once.
_CODED = (DATE, STATUS, LEVEL, PLACE_PRECISION, DATE_PRECISION)
PARALLEL_MIN_ROWS = 200_000
"""From this many reports on, the plain reader checks and builds its columns on two threads."""
#: The columns a reports table keeps (others are read and checked, then left out).
_KEPT = (DATE, PLACE, STATUS, SOURCE, NOTE, LAT, LON, LEVEL, PLACE_PRECISION, DATE_PRECISION)


class _Invalid(Exception):
    """Something the plain reader will not decide: the text reader and :func:`validate_reports` will."""


def _read_plain_reports(
    path: Path,
    *,
    scheme: StatusScheme,
    bounds: tuple[float, float, float, float] | None,
    on_points: Callable[[np.ndarray, np.ndarray], None] | None = None,
) -> pd.DataFrame | None:
    """:func:`read_reports` of a large, plain, valid CSV file, typed by Arrow and checked on whole
    columns (each distinct date, status, level and precision once); ``None`` for anything else
    (other formats, small or unusual files, any invalid value), which the text reader and
    :func:`validate_reports` then read and report row by row.

    The result equals theirs: the same checks, the same values and dtypes.
    """
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES or not path.is_file():
        return None
    delimiter = "\t" if suffix == ".tsv" else ","
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        line = fh.readline(1 << 16)
    header = split_record(line, delimiter)
    if header is None or len(line) >= 1 << 16 or _coordinates_named_otherwise(header):
        return None  # refused by name (or a header too wide to be one) in validate_reports
    if admin_column_names(h.strip().lower() for h in header):
        return None  # a province column: read into the place's name by validate_reports
    columns = read_typed_csv(path, delimiter=delimiter, numbers=(LAT, LON), coded=_CODED, kept=_KEPT)
    if columns is None or any(c not in columns for c in REQUIRED_REPORT_COLUMNS if c != PLACE):
        return None
    if PLACE not in columns and (LAT not in columns or LON not in columns):
        return None
    n = len(columns[DATE])
    if n == 0:
        return None
    try:
        return _plain_frame(columns, n, scheme, bounds, on_points)
    except _Invalid:
        return None


def _plain_frame(
    columns: dict[str, Any],
    n: int,
    scheme: StatusScheme,
    bounds: tuple[float, float, float, float] | None,
    on_points: Callable[[np.ndarray, np.ndarray], None] | None = None,
) -> pd.DataFrame:

    (lat_read, lat_blank), (lon_read, lon_blank) = (_plain_numbers(columns.get(c), n) for c in (LAT, LON))

    def refuse(mask: np.ndarray, *_: object) -> None:
        if np.any(mask):
            raise _Invalid

    def distinct(column: str) -> tuple[pd.Series, np.ndarray]:
        coded = columns[column]
        return pd.Series(from_arrow(coded.dictionary)), coded.indices.to_numpy(zero_copy_only=False)

    # Statuses, levels and precisions are checked on their distinct values before anything else
    # starts: a file refused here is read again by the careful reader, and no work on its points
    # (``on_points``) may have begun, which nothing could stop.
    spellings, status_codes = distinct(STATUS)
    normalized = [scheme.normalize(s) for s in _text(spellings)]
    refuse(np.array([v is None for v in normalized])[status_codes])
    level_codes, level_names = None, []
    if LEVEL in columns:
        written, level_codes = distinct(LEVEL)
        level = _text(written).str.lower().replace(LEVEL_SYNONYMS)
        refuse(~level.isin(("", *LEVELS)).to_numpy()[level_codes])
        level_names = level.tolist()
    precision = {}
    for column in (PLACE_PRECISION, DATE_PRECISION):
        if column not in columns:
            precision[column] = np.ones(n, dtype=int)
            continue
        written, codes = distinct(column)
        parsed = _text(written).map({"": 1, **{str(k): k for k in PRECISION_LEVELS}})
        refuse(parsed.isna().to_numpy()[codes])
        precision[column] = parsed.to_numpy().astype(int)[codes]

    def statuses_levels_and_text() -> tuple[Any, Any, dict[str, Any]]:  # on another thread
        statuses = take_text(normalized, status_codes)
        remember_codes(statuses, normalized, status_codes)  # taken by code
        text = {c: from_arrow(trim(columns[c])) if c in columns else constant_text("", n) for c in (SOURCE, NOTE)}
        if level_codes is None:
            return statuses, constant_text("", n), text
        levels = take_text(level_names, level_codes)
        remember_codes(levels, level_names, level_codes)  # taken by code
        return statuses, levels, text

    def dates_places_and_points() -> tuple[np.ndarray, Any, tuple[np.ndarray, np.ndarray]]:
        days, codes = distinct(DATE)
        dates, date_bad = parse_date_column(days)
        refuse(date_bad[codes])
        _check_coordinates(lat_read, lon_read, lat_blank, lon_blank, refuse, bounds)
        if PLACE in columns:
            places = trim(columns[PLACE])
            refuse(np.array(has_empty(places)))
        else:
            refuse(lat_blank & lon_blank)
            places = points_as_places(lat_read, lon_read)
        # every check passed: the table will be built from these points
        if on_points is not None and not (lat_blank.any() or lon_blank.any()):  # a point in every row
            on_points(lon_read, lat_read)
        return dates[codes], places, (lat_read, lon_read)

    (dates, places, (lat, lon)), (statuses, levels, text) = concurrently(
        dates_places_and_points, statuses_levels_and_text, parallel=n >= PARALLEL_MIN_ROWS
    )

    return pd.DataFrame(
        {
            ROW: np.arange(2, n + 2),
            DATE: dates,
            PLACE: from_arrow(places),
            STATUS: statuses,
            SOURCE: text[SOURCE],
            NOTE: text[NOTE],
            LAT: lat,
            LON: lon,
            LEVEL: levels,
            **precision,
        },
        copy=False,  # fresh arrays: no copy into blocks
    )


NO_POINT = "no place and no coordinates; give lat and lon (the file has no place column), or remove the row"


def points_as_places(lat: np.ndarray, lon: np.ndarray) -> Any:
    """Each report's point as its place name, ``"lat, lon"`` (``""`` where either is missing), as Arrow text.

    The shortest text that reads back as the same number, as Arrow writes it ("34.5, 69" for 34.5,
    69.0; "1e-07"); one vectorised pass.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def text(values: np.ndarray) -> Any:
        values = values + 0.0  # -0.0 is 0.0: one point, one name
        return pc.cast(pa.array(values, mask=np.isnan(values)), pa.large_string())

    joined = pc.binary_join_element_wise(text(lat), text(lon), pa.scalar(", ", pa.large_string()))
    return pc.fill_null(joined, "")


def _plain_numbers(values: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A float column's values (NaN where blank) and its blank cells; all blank when absent."""
    if values is None:
        return np.full(n, np.nan), np.ones(n, dtype=bool)
    if not values.null_count:  # each chunk's buffer copied as it is (Arrow's conversion checks every value)
        chunks = [chunk.to_numpy(zero_copy_only=True) for chunk in values.chunks]
        read = np.concatenate(chunks) if chunks else np.empty(0)
        return np.asarray(read, dtype=float), np.zeros(n, dtype=bool)
    blank = np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=float), blank


#: More named columns than this is no reports table (geomap reads a dozen of them): refused before they are built.
MAX_REPORT_COLUMNS = 10_000
#: More columns than this, named or blank, is refused too (a spreadsheet's last column is the 16,384th).
MAX_BLANK_COLUMNS = 100_000


def _refuse_wide(source_name: str, names: Iterable[object]) -> None:
    """Refuse a header of more than :data:`MAX_REPORT_COLUMNS` named columns (or :data:`MAX_BLANK_COLUMNS` in
    all): blank ones, a stray cell far to the right or trailing commas, cost little and are left out."""
    names = list(names)
    named = sum(1 for name in names if str(name).strip())
    if named > MAX_REPORT_COLUMNS or len(names) > MAX_BLANK_COLUMNS:
        raise InputError(
            f"{source_name}: the header has {named:,} named columns ({len(names):,} in all), more than "
            f"{MAX_REPORT_COLUMNS:,}; a reports table needs date, place and status (and a few more): check that "
            "this is the right file"
        )


def _refuse_lone_surrogates(frame: pd.DataFrame, source_name: str, rows: list[int] | np.ndarray | None) -> None:
    """Refuse text cells holding a lone surrogate (text no UTF-8 file or page can hold).

    Only a DataFrame or records can carry one (files are decoded strictly); one scan per text column
    when there are none.
    """
    problems = []
    for position, name in enumerate(frame.columns):
        if has_lone_surrogate(str(name)):
            raise InputError(f"{source_name}: column {position + 1}'s name holds a lone UTF-16 surrogate; fix it")
    for name, values in frame.items():
        if values.dtype != object:
            continue
        texts = [v for v in values.tolist() if isinstance(v, str)]
        if not has_lone_surrogate("\x00".join(texts)):
            continue
        for i, value in enumerate(values.tolist()):
            if isinstance(value, str) and has_lone_surrogate(value):
                row = int(rows[i]) if rows is not None else i + 1
                why = "holds a lone UTF-16 surrogate, which is not a character; fix the text"
                shown = value.encode("utf-8", "backslashreplace").decode("utf-8")
                problems.append(row_message(source_name, row, str(name), shown, why))
    if problems:
        raise ReportsError(source_name, problems)


#: Column names people use for the report columns, folded (lower case, no spaces, "_" or "-").
COLUMN_SYNONYMS = {
    DATE: ("day", "when", "reported", "reportdate", "dateofreport", "eventdate", "time"),
    PLACE: ("location", "town", "city", "district", "province", "placename", "name", "locality", "area", "village"),
    STATUS: ("control", "controlledby", "controller", "state", "side", "holder", "heldby", "situation"),
}


#: Column names people give coordinates, folded as in :data:`COLUMN_SYNONYMS`.
COORDINATE_SYNONYMS = {
    LAT: ("latitude", "lat_dd", "latdd", "y_lat"),
    LON: ("longitude", "lng", "long", "lon_dd", "x_lon"),
}


#: Columns that say which province a place lies in, by the names people give them (lower case): read into
#: the place's name after a comma ("Arghandab, Zabul"), which the geocoder reads as the place in that
#: province, not a namesake elsewhere. (Not a district column: ``geomap extract`` writes each place's
#: district in the bundled spelling, "Hirat" for Herat, which says nothing more.)
ADMIN_COLUMNS = (("province", "admin1", "province_name", "provincename", "adm1_name"),)
#: The columns geomap reads from a reports table, folded (the kept ones and the province columns).
_READ_COLUMNS = frozenset({*_KEPT, *ADMIN_COLUMNS[0]})


def admin_column_names(columns: Iterable[object]) -> list[str]:
    """The columns of ``columns`` (lower-case names) that :func:`with_admin_names` reads."""
    names = [str(c) for c in columns]
    found = [next((c for c in kind if c in names), None) for kind in ADMIN_COLUMNS]
    return [c for c in found if c is not None]


def _first_of(cells: pd.Series | pd.DataFrame) -> pd.Series:
    """A column's cells; of a column named twice ("province,Province"), the first's."""
    return cells.iloc[:, 0] if isinstance(cells, pd.DataFrame) else cells


def with_admin_names(places: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """``places`` (stripped text) with the province of ``frame``'s column of them after a comma.

    Not when the name or one of its parts between commas is that name already, however joined
    ("Kandahar" in the Kandahar column stays "Kandahar", "Sar-e Pul" in the Sar-e-Pul column stays
    "Sar-e Pul", "Tagab, Kapisa" in the Kapisa column stays "Tagab, Kapisa").
    """
    columns = [c for c in ADMIN_COLUMNS[0] if c in frame.columns]
    if not columns:
        return places
    admin = _text(_first_of(frame[columns[0]]))
    for column in columns[1:]:  # a row the first column leaves blank: the next that names it
        admin = admin.where(admin.ne(""), _text(_first_of(frame[column])))
    free = places.ne("")
    written = _letters(admin)
    add = free & admin.ne("")
    for part in [_letters(part) for part in _comma_parts(places)]:
        add &= part.ne(written)
    add = add.to_numpy()
    return places.where(~add, places + ", " + admin) if add.any() else places


def _header_below(frame: pd.DataFrame, looked_at: int = 10) -> int | None:
    """The position of the first of ``frame``'s first rows that holds the report columns' names (date,
    place or coordinates, status): the table's header, under a title; None if none does."""
    for i in range(min(looked_at, len(frame))):
        cells = {str(v).strip().lower() for v in frame.iloc[i].tolist() if isinstance(v, str)}
        if {DATE, STATUS} <= cells and (PLACE in cells or {LAT, LON} <= cells):
            return i
    return None


def _comma_parts(names: pd.Series) -> list[pd.Series]:
    """The parts of each name between commas (Latin or Arabic), as columns: the first, the second, ..."""
    split = names.str.split("[,،]", regex=True, expand=True)
    return [split[c].fillna("") for c in split.columns] if len(split.columns) else [names]


def _letters(names: pd.Series) -> pd.Series:
    """Names as their letters only, in lower case: "Pul-i-Alam" and "Puli Alam" are one name."""
    return names.str.lower().str.replace(r"[\W_]+", "", regex=True)


def _coordinates_named_otherwise(columns: Iterable[object]) -> list[tuple[str, str]]:
    """``(found, meant)`` for each coordinate column named otherwise than ``lat``/``lon`` while that one is absent."""
    names = [str(c) for c in columns]
    folded = {re.sub(r"[\s\-]+", "", n.strip().lower()): n for n in names}
    lowered = {n.strip().lower() for n in names}
    return [
        (folded[synonym], column)
        for column, synonyms in COORDINATE_SYNONYMS.items()
        if column not in lowered
        for synonym in synonyms
        if synonym in folded
    ]


def _refuse_unread_coordinates(columns: Iterable[object], source_name: str) -> None:
    """Coordinates in columns geomap does not read ("latitude") would be dropped without a word: refused."""
    found = _coordinates_named_otherwise(columns)
    if found:
        renames = ", ".join(f"{_header(name)!r} -> {meant!r}" for name, meant in found)
        raise InputError(
            f"{source_name}: coordinates are read from columns 'lat' and 'lon'; rename {renames} "
            "(or delete the column(s) to place the reports by name)"
        )


def _header(name: object) -> str:
    """A column name as shown in a message: quoted when it would break the one-line message."""
    text = str(name)
    return text if text.isprintable() else repr(text)


def _column_like(column: str, columns: Iterable[object]) -> str | None:
    """The column of ``columns`` that most likely means ``column``: a known synonym, else a close spelling."""
    folded = {re.sub(r"[\s_\-]+", "", str(c).lower()): str(c) for c in columns}
    for synonym in COLUMN_SYNONYMS.get(column, ()):
        if synonym in folded:
            return folded[synonym]
    close = difflib.get_close_matches(column, list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _text(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.StringDtype):
        return series.fillna("").str.strip()  # stays in Arrow: no Python object per value
    return series.astype(object).where(series.notna(), "").astype(str).str.strip()


def _parse_dates(
    series: pd.Series, *, day_first: bool = False, month_first: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`geomap.dates.parse_date_column`; Arrow-backed text is parsed once per distinct cell."""
    order = {"day_first": day_first, "month_first": month_first}
    if not isinstance(series.dtype, pd.StringDtype) or len(series) < 1000:
        return parse_date_column(series, **order)
    codes, distinct = pd.factorize(series, use_na_sentinel=False)
    if len(distinct) > len(series) // 2:
        return parse_date_column(series, **order)
    days, bad = parse_date_column(pd.Series(distinct, dtype=series.dtype), **order)
    return days[codes], bad[codes]


def _cells(series: pd.Series) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A text column's values without its index; Arrow-backed text stays in Arrow (no object per cell)."""
    return series.array if isinstance(series.dtype, pd.StringDtype) else series.to_numpy()


def _coordinates(
    frame: pd.DataFrame,
    bad: Callable[[np.ndarray, str, int, str], None],
    bounds: tuple[float, float, float, float] | None,
) -> tuple[np.ndarray, np.ndarray]:
    n = len(frame)
    has_lat, has_lon = LAT in frame.columns, LON in frame.columns
    if not has_lat and not has_lon:
        return np.full(n, np.nan), np.full(n, np.nan)
    lat_raw = frame[LAT] if has_lat else pd.Series("", index=frame.index)
    lon_raw = frame[LON] if has_lon else pd.Series("", index=frame.index)
    lat_text, lon_text = _text(lat_raw), _text(lon_raw)
    lat_blank = (lat_text == "").to_numpy()
    lon_blank = (lon_text == "").to_numpy()
    lat = _numbers(lat_text, lat_blank)
    lon = _numbers(lon_text, lon_blank)
    _check_coordinates(lat, lon, lat_blank, lon_blank, bad, bounds)
    return lat, lon


def _check_coordinates(
    lat: np.ndarray,
    lon: np.ndarray,
    lat_blank: np.ndarray,
    lon_blank: np.ndarray,
    bad: Callable[[np.ndarray, str, int, str], None],
    bounds: tuple[float, float, float, float] | None,
) -> None:
    """Report coordinates that are not numbers, given alone, swapped or outside ``bounds``
    (``lat``/``lon`` NaN where not a number or blank)."""
    if _all_inside(lat, lon, bounds):  # the usual answer, from four reductions
        return
    bad(np.isnan(lat) & ~lat_blank, LAT, 3, "not a number; write decimal degrees, e.g. 34.5281")
    bad(np.isnan(lon) & ~lon_blank, LON, 4, "not a number; write decimal degrees, e.g. 69.1723")
    only_one = (lat_blank != lon_blank) & (np.isnan(lat) == lat_blank) & (np.isnan(lon) == lon_blank)
    bad(only_one & lon_blank, LON, 4, "lat is given but lon is empty; give both or neither")
    bad(only_one & lat_blank, LAT, 3, "lon is given but lat is empty; give both or neither")
    if bounds is not None:
        min_lon, min_lat, max_lon, max_lat = bounds
        both = ~np.isnan(lat) & ~np.isnan(lon)
        lat_out = both & ((lat < min_lat) | (lat > max_lat))
        lon_out = both & ~in_lon_range(lon, min_lon, max_lon)
        swapped = (lat_out | lon_out) & (lon >= min_lat) & (lon <= max_lat) & in_lon_range(lat, min_lon, max_lon)
        across = " across 180 degrees" if min_lon > max_lon else ""
        where = f"latitude {min_lat:g}..{max_lat:g}, longitude {min_lon:g}..{max_lon:g}{across}"
        bad(swapped, LAT, 3, f"lat and lon look swapped; lat is north-south ({min_lat:g}..{max_lat:g} on the map)")
        # metres of a projected CRS (UTM) in the degree columns
        metres = both & ~swapped & ((np.abs(lat) > 1000) | (np.abs(lon) > 1000))
        bad(metres & (np.abs(lat) > 1000), LAT, 3, _NOT_DEGREES)
        bad(metres & (np.abs(lat) <= 1000), LON, 4, _NOT_DEGREES)
        bad(lat_out & ~swapped & ~metres, LAT, 3, f"outside the mapped area ({where}); check the coordinate")
        bad(lon_out & ~lat_out & ~swapped & ~metres, LON, 4, f"outside the mapped area ({where}); check the coordinate")


_NOT_DEGREES = "not degrees (metres of a projected CRS?); write WGS84 decimal degrees (EPSG:4326), e.g. 34.5281"


def _all_inside(lat: np.ndarray, lon: np.ndarray, bounds: tuple[float, float, float, float] | None) -> bool:
    """Whether every coordinate is a number (none blank) inside ``bounds``: nothing to report."""
    if not len(lat):
        return True
    low_lat, high_lat, low_lon, high_lon = (float(f(v)) for v in (lat, lon) for f in (np.min, np.max))
    if np.isnan([low_lat, high_lat, low_lon, high_lon]).any():  # a blank or a value that is not a number
        return False
    if bounds is None:
        return True
    min_lon, min_lat, max_lon, max_lat = bounds
    return (
        min_lat <= low_lat and high_lat <= max_lat and min_lon <= max_lon and min_lon <= low_lon and high_lon <= max_lon
    )


def _numbers(text: pd.Series, blank: np.ndarray) -> np.ndarray:
    """Text cells as floats, NaN where blank or not a number (as ``pandas.to_numeric(errors="coerce")``).

    Arrow-backed text is cast by Arrow in one pass, which gives pandas' values wherever it
    succeeds; any cell it cannot read sends the column to pandas, which marks the bad cells.
    """
    if isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            values = pa.array(text.array)
            if blank.any():
                values = pc.if_else(pa.array(blank), pa.scalar(None, values.type), values)
            return np.asarray(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
            pass
    parsed: np.ndarray = pd.to_numeric(text.mask(blank), errors="coerce").to_numpy(float, copy=True)
    comma = np.isnan(parsed) & ~blank
    if comma.any():  # "36,72": a decimal comma, as spreadsheets of many countries write one
        written = text.astype(object).where(pd.Series(comma, index=text.index), "")
        decimal = written.str.fullmatch(r"\s*[-+]?\d+,\d+\s*", na=False).to_numpy()
        if decimal.any():
            parsed[decimal] = pd.to_numeric(written[decimal].str.replace(",", ".", regex=False)).to_numpy(float)
    return parsed
