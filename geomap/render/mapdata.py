"""Timeline -> :class:`MapData`: what a control map shows, gathered from a control timeline.

Each area's status per date as an index into the scheme, when it changed, which reports
back it, and every report once. Nothing here knows about HTML or Leaflet."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geomap.errors import InputError
from geomap.precision import DATE_PRECISION, PLACE_PRECISION, PRECISION
from geomap.precision import describe as describe_precision
from geomap.render.geometry import COORDINATE_DECIMALS
from geomap.schema import AREA_ID, AREA_NAME, CONFLICT, DATE, EVIDENCE, LAT, LON, NOTE, PLACE, SINCE, SOURCE, STATUS

if TYPE_CHECKING:
    import geopandas as gpd

    from geomap.scheme import StatusScheme

STATUS_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass
class MapData:
    """What a control map shows, in the compact form the page receives.

    Parameters
    ----------
    areas
        GeoDataFrame (EPSG:4326) with ``area_id``, ``area_name`` and geometry, one row per area.
    scheme
        The status scheme (legend order, labels, colours).
    dates
        The reporting dates, sorted.
    codes
        ``(n_areas, n_dates)`` integer array: index into ``scheme.keys`` of each area's status per date.
    since
        Per area, ``(date_index, since_iso_or_None)`` pairs, one each time the value changes.
    conflict
        Per area, the date indices on which its reports conflict.
    evidence
        Per area, ``(date_index, [report indices])`` pairs, one each time the evidence changes.
    reports
        The reports, each sent once: dicts with ``date``, ``place``, ``status`` (key), ``source``,
        ``note``, ``lat``, ``lon``.
    area_noun
        What to call the areas in counts ("provinces", "districts", "areas").
    title
        The map's title, or ``None``.
    """

    areas: gpd.GeoDataFrame
    scheme: StatusScheme
    dates: list[dt.date]
    codes: np.ndarray
    since: list[list[tuple[int, str | None]]] = field(default_factory=list)
    conflict: list[list[int]] = field(default_factory=list)
    evidence: list[list[tuple[int, list[int]]]] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    area_noun: str = "areas"
    title: str | None = None


# --------------------------------------------------------------------------------------------------
# Timeline -> MapData


def map_data(timeline: Any, *, title: str | None = None) -> MapData:
    """Gather what the page needs from a control timeline (see :class:`MapData`)."""
    scheme = timeline.scheme
    check_scheme(scheme)
    areas = timeline.areas[[AREA_ID, AREA_NAME, "geometry"]].reset_index(drop=True)
    dates = [_as_date(d) for d in timeline.reporting_dates]
    if areas.empty:
        raise InputError("the timeline has no areas to draw; check the boundaries")
    if not dates:
        raise InputError("the timeline has no reporting dates; check that the reports have dates")
    reports, report_index = _report_table(timeline.reports)
    long = timeline.long()
    key_index = {key: i for i, key in enumerate(scheme.keys)}
    area_index = {area: i for i, area in enumerate(areas[AREA_ID])}
    date_index = {d: j for j, d in enumerate(dates)}
    codes = np.full((len(areas), len(dates)), key_index[scheme.unknown], dtype=np.uint8)
    since: list[list[tuple[int, str | None]]] = [[] for _ in range(len(areas))]
    conflict: list[list[int]] = [[] for _ in range(len(areas))]
    evidence: list[list[tuple[int, list[int]]]] = [[] for _ in range(len(areas))]
    n = len(long)
    column = {name: long[name].tolist() if name in long.columns else [None] * n for name in (SINCE, CONFLICT, EVIDENCE)}
    day_index = {value: date_index.get(_as_date(value)) for value in set(long[DATE].tolist())}
    since_text: dict[Any, str | None] = {}
    last_raw: list[Any] = [None] * len(areas)
    rows = zip(
        long[AREA_ID].tolist(),
        long[DATE].tolist(),
        long[STATUS].tolist(),
        column[SINCE],
        column[CONFLICT],
        column[EVIDENCE],
        strict=True,
    )
    for area, day, status, since_value, conflicting, items in rows:
        i = area_index.get(area)
        j = day_index[day]
        if i is None or j is None:
            continue
        if status not in key_index:
            raise InputError(f"timeline status {status!r} is not in the scheme {scheme.keys}")
        codes[i, j] = key_index[status]
        if since_value not in since_text:
            since_text[since_value] = None if _missing(since_value) else _as_date(since_value).isoformat()
        value = since_text[since_value]
        if (since[i][-1][1] if since[i] else None) != value:
            since[i].append((j, value))
        if conflicting is not None and bool(conflicting):
            conflict[i].append(j)
        if isinstance(items, np.ndarray):
            items = items.tolist()
        # Evidence mostly stays the same from one date to the next: map it to report indices only when it changes.
        if items is not None and not (last_raw[i] is not None and items == last_raw[i]):
            last_raw[i] = items
            refs = _evidence_refs(items, reports, report_index)
            if (evidence[i][-1][1] if evidence[i] else []) != refs:
                evidence[i].append((j, refs))
    return MapData(
        areas=areas,
        scheme=scheme,
        dates=dates,
        codes=codes,
        since=since,
        conflict=conflict,
        evidence=evidence,
        reports=reports,
        area_noun=str(getattr(timeline, "area_noun", "areas") or "areas"),
        title=title,
    )


def check_scheme(scheme: StatusScheme) -> None:
    if len(scheme.keys) > len(STATUS_ALPHABET):
        raise InputError(
            f"status scheme {scheme.name!r} has {len(scheme.keys)} statuses; a map can show at most "
            f"{len(STATUS_ALPHABET)}: merge some statuses"
        )


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _number(value: Any) -> float | None:
    if _missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number, COORDINATE_DECIMALS) if math.isfinite(number) else None


def _report_key(date: Any, place: Any, status: Any, source: Any, note: Any) -> tuple[str, ...]:
    day = "" if _missing(date) else _as_date(date).isoformat()
    return (day, _text(place), _text(status), _text(source), _text(note))


def _report_table(reports: pd.DataFrame | None) -> tuple[list[dict], dict[Hashable, int]]:
    table: list[dict] = []
    index: dict[Hashable, int] = {}
    if reports is None or len(reports) == 0:
        return table, index
    columns = set(reports.columns)
    for row in reports.to_dict("records"):
        key = _report_key(row.get(DATE), row.get(PLACE), row.get(STATUS), row.get(SOURCE), row.get(NOTE))
        if key in index:
            continue
        index[key] = len(table)
        table.append(
            {
                "date": key[0],
                "place": key[1],
                "status": key[2],
                "source": key[3],
                "note": key[4],
                "lat": _number(row.get(LAT)) if LAT in columns else None,
                "lon": _number(row.get(LON)) if LON in columns else None,
                "precision": describe_precision(row.get(PLACE_PRECISION, 1), row.get(DATE_PRECISION, 1)),
            }
        )
    return table, index


def _evidence_refs(items: Any, reports: list[dict], index: dict[Hashable, int]) -> list[int]:
    if items is None or (not isinstance(items, list | tuple) and _missing(items)):
        return []
    refs = []
    for item in items:
        key = _report_key(item.get(DATE), item.get(PLACE), item.get(STATUS), item.get(SOURCE), item.get(NOTE))
        if key not in index:
            index[key] = len(reports)
            reports.append(
                {"date": key[0], "place": key[1], "status": key[2], "source": key[3], "note": key[4]}
                | {"lat": None, "lon": None, "precision": _text(item.get(PRECISION, ""))}
            )
        refs.append(index[key])
    return refs
