"""The one date parser of geomap, with the supported range enforced.

Every date geomap reads (a report's ``date`` cell, ``--dates``, ``--as-of``,
``--start-date``, ``--published``, ``status(on=)``) goes through this module.
Dates are written ``YYYY-MM-DD``; a report's cell may add a time of day
(``2021-08-12T14:30`` or ``2021-08-12 14:30:05``), which must itself be a real
time and is then dropped, with its UTC offset if it has one (``2021-08-14T23:30:00+04:30``,
``2021-08-12T10:00:00Z``): the date is the one written, not moved to another zone.

geomap keeps dates as nanosecond timestamps, so the supported range is
:data:`MIN_DATE` to :data:`MAX_DATE` (1678-01-01 to 2261-12-31). A date outside it
is refused with a clear error instead of wrapping round to another date.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from geomap.errors import InputError

MIN_DATE = dt.date(1678, 1, 1)
"""The first date geomap accepts."""
MAX_DATE = dt.date(2261, 12, 31)
"""The last date geomap accepts."""
SUPPORTED_RANGE = f"{MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}"

_DATE = r"(\d{4})-(\d{2})-(\d{2})"
_ZONE = r"(?:\s?(?:Z|[+-](?:0\d|1[0-4])(?::?[0-5]\d)?))?"  # UTC offset of the time (ignored, as the time is)
_TIME = rf"(?:[T ](\d{{2}}):(\d{{2}})(?::(\d{{2}})(?:\.\d+)?)?{_ZONE})?"
_ISO_DATE = re.compile(rf"^\s*{_DATE}\s*$")
_ISO_DATE_TIME = re.compile(rf"^\s*{_DATE}{_TIME}\s*$")
_NUMERIC_DATE = re.compile(r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\s*$")
_YEAR_FIRST = re.compile(r"^\s*\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}\s*$")
# A date written with numbers and a four-digit year, day or month first, as spreadsheets save it: 15/08/2021,
# 15.08.2021 (day first, European), 8/15/2021 (month first, American).
_NUMBERED = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")
#: How to read numeric dates written day first, said in messages.
DAY_FIRST_HINT = "or read the file's dates day first (--day-first, day_first=True)"
#: How to read numeric dates written month first, said in messages.
MONTH_FIRST_HINT = "or read the file's dates month first (--month-first, month_first=True)"


def check_order(day_first: bool, month_first: bool) -> None:
    """Refuse ``day_first`` and ``month_first`` together (an :class:`InputError`)."""
    if day_first and month_first:
        raise InputError("day_first and month_first: a file writes its dates one way; give one of them")


def date_problem_with_hint(value: object) -> str:
    """:func:`date_problem` of a reports file's date, saying how to read the file's dates day or month first
    when a real date written so with a four-digit year might be meant ("05/08/2021", "15.08.2021",
    "8/15/2021")."""
    problem = date_problem(value)
    written = _NUMBERED.match(_date_text(value))
    if not problem.startswith(("ambiguous date", "day/month date", "month/day date")) or written is None:
        return problem
    first, second, year = (int(p) for p in written.groups())
    hints = [hint for hint, (day, month) in ((DAY_FIRST_HINT, (first, second)), (MONTH_FIRST_HINT, (second, first)))
             if _real(year, month, day)]  # fmt: skip
    if len(hints) == 2:
        return f"{problem}, {hints[0]} or month first (--month-first, month_first=True)"
    return f"{problem}, {hints[0]}" if hints else problem


def _real(year: int, month: int, day: int) -> bool:
    try:
        return in_range(dt.date(year, month, day))
    except ValueError:
        return False


_OUT_OF_RANGE = f"outside the supported dates ({SUPPORTED_RANGE}); check the year"


def in_range(day: dt.date) -> bool:
    """Whether ``day`` lies in the supported range."""
    return MIN_DATE <= day <= MAX_DATE


def parse_date(value: str | dt.date, what: str = "date") -> dt.date:
    """A ``datetime.date`` from a date object or a strict ``YYYY-MM-DD`` string.

    Parameters
    ----------
    value
        ``"2021-08-12"``, a ``datetime.date``/``datetime.datetime``, a
        ``pandas.Timestamp`` or a ``numpy.datetime64`` (a cell of a date column).
    what
        Names the value in the error, e.g. ``"--as-of"``.

    Returns
    -------
    datetime.date

    Raises
    ------
    InputError
        ``value`` is not a real ``YYYY-MM-DD`` date, or lies outside
        :data:`MIN_DATE` .. :data:`MAX_DATE`.

    Examples
    --------
    >>> parse_date("2021-08-15")
    datetime.date(2021, 8, 15)
    """
    if value is None or value is pd.NaT or (isinstance(value, np.datetime64) and np.isnat(value)):
        raise InputError(f"{what} is empty; write it as YYYY-MM-DD")
    if isinstance(value, np.datetime64) and not np.isnat(value):
        value = pd.Timestamp(value)
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif not isinstance(value, str):
        raise InputError(f"{what}: expected a YYYY-MM-DD date or a datetime.date, got {type(value).__name__}")
    else:
        text = value
        if not _ISO_DATE.match(text):
            raise InputError(f"{what} {_shown(value)} is not a date; write it as YYYY-MM-DD")
        try:
            day = dt.date.fromisoformat(text.strip())
        except ValueError:
            raise InputError(f"{what} {_shown(value)}: no such day in the calendar; check the month and day") from None
    if not in_range(day):
        raise InputError(f"{what} {_shown(value)} is {_OUT_OF_RANGE}")
    return day


def parse_date_column(
    series: pd.Series, *, day_first: bool = False, month_first: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of report dates at once.

    Cells may be ``YYYY-MM-DD`` text (optionally with a real time of day, which is
    dropped), ``datetime.date``/``datetime`` objects or a datetime64 column; with
    ``day_first``, also ``DD/MM/YYYY``, ``DD.MM.YYYY`` and ``DD-MM-YYYY`` (the file
    states its order once: 05/08/2021 is 5 August); with ``month_first``, ``MM/DD/YYYY``
    and the like (8/5/2021 is 5 August, as American spreadsheets write it).

    Returns
    -------
    (dates, bad)
        ``datetime64[ns]`` midnights (``NaT`` where bad) and the mask of cells
        that are not supported dates; :func:`date_problem` says why for each.
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.dt.tz_localize(None) if series.dt.tz is not None else series
        values = values.dt.normalize()
        days = values.to_numpy("datetime64[ns]")
        return days, values.isna().to_numpy()
    check_order(day_first, month_first)
    if not (day_first or month_first) and _all_plain_iso(series):
        # The common case without a Python loop: every cell is exactly YYYY-MM-DD.
        parsed = pd.Series(pd.to_datetime(series, format="%Y-%m-%d", errors="coerce"), index=series.index)
        parsed = parsed.where(parsed.dt.year.between(MIN_DATE.year, MAX_DATE.year))
        return parsed.to_numpy("datetime64[ns]"), parsed.isna().to_numpy()
    text = series.astype(object).map(_date_text)
    parts = text.str.extract(_ISO_DATE_TIME).apply(pd.to_numeric, errors="coerce")
    year, month, day, hour, minute, second = (parts[k] for k in range(6))
    if day_first or month_first:
        written = text.str.extract(_NUMBERED).apply(pd.to_numeric, errors="coerce")
        numeric = written[2].notna().to_numpy()
        day_at, month_at = (0, 1) if day_first else (1, 0)
        if numeric.any():
            year, month, day = (pd.Series(np.where(numeric, written[k], old), index=series.index)
                                for k, old in ((2, year), (month_at, month), (day_at, day)))  # fmt: skip
    clock_ok = (hour.isna() | (hour < 24)) & (minute.isna() | (minute < 60)) & (second.isna() | (second < 60))
    year_ok = year.between(MIN_DATE.year, MAX_DATE.year)
    usable = year_ok & clock_ok & month.between(1, 12) & day.between(1, 31)
    parsed = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    if usable.any():
        frame = pd.DataFrame({"year": year[usable], "month": month[usable], "day": day[usable]}).astype(int)
        parsed[usable] = pd.to_datetime(frame, errors="coerce")
    return parsed.to_numpy("datetime64[ns]"), parsed.isna().to_numpy()


def _all_plain_iso(series: pd.Series) -> bool:
    """Whether every cell is text of exactly the form YYYY-MM-DD (checked without a Python loop)."""
    if not pd.api.types.is_string_dtype(series):
        return False
    try:
        return bool(series.str.fullmatch(r"\d{4}-\d{2}-\d{2}", na=False).all())
    except AttributeError:  # an object column holding something other than text
        return False


def date_problem(value: object, *, day_first: bool = False, month_first: bool = False) -> str:
    """Why a report's date cell is not a supported date, and what to write instead."""
    text = _date_text(value).strip()
    ordered = day_first or month_first
    if ordered and _NUMERIC_DATE.match(text) and not _NUMBERED.match(text):
        example = "15/08/2021" if day_first else "08/15/2021"
        return f"a two-digit year; write the year in full ({example}) or the date as YYYY-MM-DD"
    written = _NUMBERED.match(text) if ordered else None
    if written is not None:
        if not MIN_DATE.year <= int(written.group(3)) <= MAX_DATE.year:
            return _OUT_OF_RANGE
        before, after, written_year = (int(p) for p in written.groups())
        if day_first and _real(written_year, before, after):
            return f"no such day in the calendar (read day first); {MONTH_FIRST_HINT.replace('or read', 'read')}"
        if month_first and _real(written_year, after, before):
            return f"no such day in the calendar (read month first); {DAY_FIRST_HINT.replace('or read', 'read')}"
        order = "day" if day_first else "month"
        return f"no such day in the calendar (read {order} first); check the day and month"
    if not text:
        return "empty date; write the date as YYYY-MM-DD"
    match = _ISO_DATE_TIME.match(text)
    if match:
        year, _, _, hour, minute, second = (int(g) if g else None for g in match.groups())
        if year is None or not MIN_DATE.year <= year <= MAX_DATE.year:
            return _OUT_OF_RANGE
        if (hour or 0) > 23 or (minute or 0) > 59 or (second or 0) > 59:
            return "no such time of day; write the date as YYYY-MM-DD, or a real time such as 2021-08-12T14:30"
        return "no such day in the calendar; check the month and day"
    if _YEAR_FIRST.match(text):
        return "write the date as YYYY-MM-DD, with a two-digit month and day and '-' between"
    if _NUMERIC_DATE.match(text):
        first, second, year = (int(p) for p in re.split(r"[/.\-]", text.strip())[:3])
        if first <= 12 and second <= 12:
            return "ambiguous date (day and month order unknown); write it as YYYY-MM-DD"
        order, (day, month) = ("day/month", (first, second)) if first > 12 else ("month/day", (second, first))
        return f"{order} date; write it as YYYY-MM-DD{_as_iso(year, month, day)}"
    words = _in_words(text)
    if words is not None:
        return f"a date in words; write it as YYYY-MM-DD ({words.isoformat()})"
    return "not a date; write it as YYYY-MM-DD"


def _as_iso(year: int, month: int, day: int) -> str:
    """`` (2023-03-13)`` when the parts make a real date with a four-digit year, else ``""``."""
    if year < 1000:
        return ""
    try:
        return f" ({dt.date(year, month, day).isoformat()})"
    except ValueError:
        return ""


_WORD_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d %b. %Y")


def _in_words(text: str) -> dt.date | None:
    """The date ``text`` writes with its month in English words ("12 Mar 2023", "March 12, 2023"), if any."""
    if len(text) > 40:
        return None
    cleaned = " ".join(text.split())
    for fmt in _WORD_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def _date_text(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _shown(value: object) -> str:
    return repr(value.isoformat()) if isinstance(value, dt.date) else repr(value)
