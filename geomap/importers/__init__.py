"""Event data in: ACLED and UCDP GED exports turned into geomap reports.

::

    from geomap.importers import import_events

    result = import_events("acled-afghanistan.csv", "acled")
    result.reports      # date, place, status, source, note, lat, lon, level,
                        # place_precision, date_precision, event_id
    result.unmapped     # actors with no side in the mapping, with counts
    result.skipped      # why the other events gave no report, with counts

Each layout has its own module (:mod:`~geomap.importers.acled`,
:mod:`~geomap.importers.ucdp`); :mod:`~geomap.importers.actors` reads the
actor-to-side mapping. Precision is kept on geomap's scale, the same for both
sources: ``place_precision`` 1 (the place itself), 2 (near it, or its district),
3 (only the province); ``date_precision`` 1 (the day), 2 (the week), 3 (the month).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geomap.errors import InputError, shown
from geomap.importers import acled, ucdp
from geomap.importers._table import (
    DATE_PRECISION,
    EVENT_ID,
    PLACE_PRECISION,
    REPORT_COLUMNS,
    EventsError,
    read_events,
    read_header,
)
from geomap.importers.actors import ActorMapping, load_actor_mapping
from geomap.scheme import AFGHANISTAN_2021, StatusScheme

LAYOUTS = {acled.NAME: acled, ucdp.NAME: ucdp}
TITLES = {acled.NAME: "ACLED", ucdp.NAME: "UCDP GED"}
_WITH_ARTICLE = {acled.NAME: "an ACLED", ucdp.NAME: "a UCDP GED"}


@dataclass
class ImportResult:
    """What an event import produced.

    Attributes
    ----------
    reports
        One report per event that says something about control, in file order
        (columns :data:`REPORT_COLUMNS`, ``date`` as ``datetime64[ns]``; written as
        ``YYYY-MM-DD`` text in CSV).
    unmapped
        Actors with no side in the mapping: ``actor, column, first_row, events``
        (the events they kept out), most frequent first.
    skipped
        Why the other events gave no report, with counts.
    source, layout
        The file read and its layout (``"acled"`` or ``"ucdp"``).
    events
        How many events the file holds.
    """

    reports: pd.DataFrame
    unmapped: pd.DataFrame
    skipped: dict[str, int] = field(default_factory=dict)
    source: str = ""
    layout: str = ""
    events: int = 0

    def unmapped_lines(self) -> list[str]:
        """One line per unmapped actor, naming the first row and column it appears in and its count."""
        return [
            f"{self.source}, row {row.first_row}, column {row.column!r}: {shown(row.actor)}: no side in the actor "
            f"mapping; {row.events} event(s) skipped; add it under 'sides' or 'ignore' in the mapping"
            for row in self.unmapped.itertuples()
        ]


def detect_layout(columns: Iterable[str] | pd.DataFrame) -> str | None:
    """``"acled"`` or ``"ucdp"`` from a table's column names (or a table), or ``None`` for neither."""
    names = {str(c).strip().lower() for c in (columns.columns if isinstance(columns, pd.DataFrame) else columns)}
    for name, module in LAYOUTS.items():
        if all(column in names for column in module.SIGNATURE):
            return name
    return None


def import_events(
    path: str | os.PathLike[str],
    layout: str,
    *,
    mapping: str | os.PathLike[str] | dict[str, Any] | ActorMapping | None = None,
    scheme: StatusScheme = AFGHANISTAN_2021,
    strict: bool = False,
) -> ImportResult:
    """Turn an ACLED or UCDP GED export into reports.

    Parameters
    ----------
    path
        The export, CSV (or TSV) in UTF-8 with the source's standard columns.
    layout
        ``"acled"`` or ``"ucdp"``; a file of the other layout (or neither) is refused.
    mapping
        The actor-to-side mapping: a JSON/YAML path, a dict, an :class:`ActorMapping`,
        or ``None`` for the Afghanistan 2021 default.
    scheme
        The status scheme the sides are keys of.
    strict
        Raise instead of skipping events whose actors have no side in the mapping.

    Returns
    -------
    ImportResult

    Raises
    ------
    InputError
        Unreadable file, the wrong layout or missing columns (one line), or
        ``strict`` and unmapped actors.
    EventsError
        Bad values: unknown event types, dates, precision codes or coordinates,
        one line each naming row and column.
    """
    if layout not in LAYOUTS:
        raise InputError(f"unknown event layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    source, _, columns = read_header(path)
    found = detect_layout(columns)
    if found is None:
        module = LAYOUTS[layout]
        missing = [c for c in module.REQUIRED if c not in columns]
        raise InputError(
            f"{source}, row 1: neither an ACLED nor a UCDP GED export (no {', '.join(missing[:4])} column"
            f"{'s' if len(missing) > 1 else ''}); export the events with the source's standard columns"
        )
    if found != layout:
        raise InputError(
            f"{source}, row 1: the columns are those of {_WITH_ARTICLE[found]} export, not {TITLES[layout]}; "
            f"use `geomap import {found} {source}`"
        )
    actor_mapping = mapping if isinstance(mapping, ActorMapping) else load_actor_mapping(mapping, scheme=scheme)
    module = LAYOUTS[layout]
    _, frame = read_events(path, wanted=(*module.REQUIRED, *module.OPTIONAL))
    reports, unmapped, skipped = LAYOUTS[layout].convert(source, frame, actor_mapping, scheme)
    result = ImportResult(reports, unmapped, skipped, source=source, layout=layout, events=len(frame))
    if strict and len(unmapped):
        lines = result.unmapped_lines()
        more = f" (and {len(lines) - 1} more actor(s))" if len(lines) > 1 else ""
        raise InputError(lines[0] + more)
    return result


__all__ = [
    "DATE_PRECISION",
    "EVENT_ID",
    "LAYOUTS",
    "PLACE_PRECISION",
    "REPORT_COLUMNS",
    "ActorMapping",
    "EventsError",
    "ImportResult",
    "detect_layout",
    "import_events",
    "load_actor_mapping",
]
