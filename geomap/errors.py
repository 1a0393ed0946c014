"""The geomap exception family.

Every error geomap raises on bad input is a :class:`GeomapError`. Each subclass
also inherits the matching builtin, so callers can catch either. Messages are one
line and say what is wrong (file, row, column, value) and what to do about it;
the CLI prints them as they are.
"""

from __future__ import annotations


class GeomapError(Exception):
    """Base class of every error geomap raises on purpose."""


class InputError(GeomapError, ValueError):
    """An input file or table is malformed: a bad row, column or value."""


class BoundaryError(InputError):
    """A boundary file cannot be used as it is (no CRS, bad ids, bad coordinates)."""


class GeocodeError(GeomapError, LookupError):
    """Place names could not be resolved where resolution was required."""


class GeocoderServiceError(GeomapError, RuntimeError):
    """An online geocoding service refused or failed in a way that stops the run."""


class OutputError(GeomapError, OSError):
    """An output cannot be written (e.g. it would overwrite an input)."""


class UnplacedReportsWarning(UserWarning):
    """Some reports could not be placed on the areas: they are left out of the timeline and listed in
    its ``unresolved`` table."""


class UncountedReportsWarning(UserWarning):
    """Under the ``capital`` rule on provinces, reports about districts, towns or villages set no
    province's status: they are kept as evidence but count for nothing on the map."""


class NamesakesWarning(UserWarning):
    """Some place names are places of several provinces and were placed in the first of them (the larger
    place, or the first by province code): add the province to place them surely."""


class SuspectDatesWarning(UserWarning):
    """Some report dates look mistyped: after today, or a year or more apart from every other report's."""


def row_message(source: str, row: int | None, column: str | None, value: object, why: str) -> str:
    """Format the one-line message used for a bad value in a table.

    Parameters
    ----------
    source
        The file name (or ``"reports (DataFrame)"``) the value came from.
    row
        The row as a user sees it: for CSV files the spreadsheet row (the
        header is row 1), otherwise the 1-based record number; ``None`` when
        not row-specific.
    column
        The column or field name, or ``None``.
    value
        The offending value; shown with ``repr`` so blanks and quotes are visible.
    why
        What is wrong and what to do, e.g. ``"expected YYYY-MM-DD"``.
    """
    where = source
    if row is not None:
        where += f", row {row}"
    if column is not None:
        where += f", column {column!r}"
    return f"{where}: {shown(value)}: {why}"


MAX_SHOWN = 80
"""Characters of a value a message shows; a longer value is cut, with its length said."""


def shown(value: object) -> str:
    """``repr(value)`` for a message: numpy scalars as plain values, long text cut to :data:`MAX_SHOWN`."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()  # numpy scalars: show 1.5 and True, not np.float64(1.5) and np.True_
    text = repr(value)
    if len(text) <= MAX_SHOWN:
        return text
    size = f"{len(value):,} characters" if isinstance(value, str | bytes) else f"{len(text):,} characters shown"
    return f"{text[: MAX_SHOWN - 20]}... ({size})"
