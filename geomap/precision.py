"""How precisely a report knows its place and its date, on one small scale for every source.

``place_precision``: 1 the place itself, 2 near it or only its district, 3 only
the province. ``date_precision``: 1 the day, 2 the week, 3 the month. A report
without them (the usual hand-written report) counts as 1 and 1. Event imports
fill them from ACLED's ``geo_precision``/``time_precision`` and UCDP GED's
``where_prec``/``date_prec`` (see :mod:`geomap.importers`).

An imprecise report is marked as such wherever it is shown (:func:`describe`),
and ``min_precision`` keeps only reports at least that precise in both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PLACE_PRECISION = "place_precision"
DATE_PRECISION = "date_precision"
PRECISION = "precision"
"""Key of the evidence record that describes an imprecise report."""
LEVELS = (1, 2, 3)
PLACE_TEXT = {2: "place approximate (near it, or its district)", 3: "place known only to the province"}
DATE_TEXT = {2: "date known to the week", 3: "date known to the month"}


def describe(place: int, date: int) -> str:
    """``""`` for a precise report, else what is imprecise, e.g. ``"date known to the week"``.

    Examples
    --------
    >>> describe(3, 2)
    'place known only to the province; date known to the week'
    >>> describe(1, 1)
    ''
    """
    parts = [PLACE_TEXT.get(int(place), ""), DATE_TEXT.get(int(date), "")]
    return "; ".join(p for p in parts if p)


def check_min_precision(min_precision: object) -> int | None:
    """``min_precision`` as given, or an :class:`~geomap.errors.InputError` naming it when it is not one
    of :data:`LEVELS` (``None``: keep every report)."""
    from geomap.errors import InputError, shown

    if min_precision is None:
        return None
    if isinstance(min_precision, bool) or min_precision not in LEVELS:
        raise InputError(
            f"min_precision: {shown(min_precision)} is not a precision level; give 1 (the place and the day), "
            "2 (near it, or its district, and the week) or 3 (keep all)"
        )
    return int(min_precision)


def keep_mask(table: pd.DataFrame, min_precision: int | None) -> np.ndarray:
    """Rows of a reports table at least as precise as ``min_precision`` in both place and date."""
    keep = np.ones(len(table), dtype=bool)
    if min_precision is None:
        return keep
    for column in (PLACE_PRECISION, DATE_PRECISION):
        if column in table.columns:
            keep &= table[column].to_numpy() <= min_precision
    return keep
