"""Timeline -> :class:`MapData`: what a control map shows, gathered from a control timeline.

Each area's status per date as an index into the scheme, when it changed, which reports
back it, and every report once. Nothing here knows about HTML or Leaflet."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geomap.errors import InputError
from geomap.precision import DATE_PRECISION, PLACE_PRECISION
from geomap.precision import describe as describe_precision
from geomap.render.geometry import COORDINATE_DECIMALS
from geomap.schema import (
    AREA_ID,
    AREA_NAME,
    CONFLICT,
    DATE,
    LAT,
    LON,
    NOTE,
    PLACE,
    PROVINCE,
    PROVINCE_WIDE,
    SCOPE,
    SINCE,
    SOURCE,
    STATUS,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from geomap.scheme import StatusScheme
    from geomap.timeline import ControlTimeline

STATUS_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
MAX_EVIDENCE = 5
"""Evidence reports shown per area and date (the latest; the page counts the rest)."""
MAX_REPORTS = 5_000
"""About how many reports a page carries in all, so its size does not grow with the reports."""


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
        Per area, ``(date_index, since_iso_or_None)`` pairs where ``since`` is not the first date
        of the status's current run in ``codes`` (which the page derives); ``0`` returns to deriving.
    conflict
        Per area, the date indices on which its reports conflict.
    evidence
        Per area, ``(date_index, [report indices])`` pairs, one each time the evidence changes:
        at most the latest few reports per area and date, and only for the dates the page keeps.
    reports
        The reports, each sent once: dicts with ``date``, ``place``, ``status`` (key), ``source``,
        ``note``, ``lat``, ``lon`` and ``province_wide`` (a province's report spread over its districts).
    counts
        ``(n_areas, n_dates)`` number of evidence reports per area and date (``None``: as many
        as ``evidence`` lists).
    area_noun
        What to call the areas in counts ("provinces", "districts", "areas").
    groups
        Per area, the name of the province it lies in (district maps), or ``None``; the page
        names it in tooltips and popups and draws the provinces' borders over the areas.
    title
        The map's title, or ``None``.
    """

    areas: gpd.GeoDataFrame
    scheme: StatusScheme
    dates: list[dt.date]
    codes: np.ndarray
    since: list[list[tuple[int, str | int | None]]] = field(default_factory=list)
    conflict: list[list[int]] = field(default_factory=list)
    evidence: list[list[tuple[int, list[int]]]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    counts: np.ndarray | None = None
    area_noun: str = "areas"
    title: str | None = None
    groups: list[str] | None = None


# --------------------------------------------------------------------------------------------------
# Timeline -> MapData


MAX_TITLE_CHARS = 300
"""Characters of a map's title at most (it is drawn on every frame of an animation)."""


def check_title(title: object) -> None:
    """Refuse a title that is not one line of text of at most :data:`MAX_TITLE_CHARS` characters."""
    if title is None:
        return
    if not isinstance(title, str):
        raise InputError(f"title: expected text, got {type(title).__name__}")
    if len(title) > MAX_TITLE_CHARS:
        raise InputError(f"title: {len(title):,} characters, more than {MAX_TITLE_CHARS}; give a shorter title")
    control = next((c for c in title if ord(c) < 32 or 127 <= ord(c) < 160), None)
    if control is not None:
        raise InputError(f"title: holds the control character {control!r}; give a title of plain text")


def map_data(
    timeline: ControlTimeline,
    *,
    title: str | None = None,
    markers: bool = False,
    max_evidence: int = MAX_EVIDENCE,
    max_reports: int = MAX_REPORTS,
) -> MapData:
    """Gather what the page needs from a control timeline (see :class:`MapData`).

    The page stays bounded however many reports there are: each area and date carries at
    most ``max_evidence`` of its latest evidence reports and the count of the rest, and the
    page carries at most about ``max_reports`` reports in all (those behind the last date
    first, then those behind status changes, newest first; other dates show the count only).
    With ``markers`` every located report is sent, so that each place can be drawn.
    """
    from geomap.timeline import check_timeline

    timeline = check_timeline(timeline)
    check_title(title)
    scheme = timeline.scheme
    check_scheme(scheme)
    areas = timeline.areas[[AREA_ID, AREA_NAME, "geometry"]].reset_index(drop=True)
    dates = [_as_date(d) for d in timeline.reporting_dates]
    if areas.empty:
        raise InputError("the timeline has no areas to draw; check the boundaries")
    if not dates:
        raise InputError("the timeline has no reporting dates; check that the reports have dates")
    reports, report_index = _report_table(timeline.reports if markers else None)
    areas, reports = _one_piece(areas, reports)
    long = timeline.long(evidence=False)
    n_areas, n_dates = len(areas), len(dates)
    key_index = {key: i for i, key in enumerate(scheme.keys)}
    unknown_status = sorted(set(long[STATUS].unique()) - set(key_index))
    if unknown_status:
        raise InputError(f"timeline status {unknown_status[0]!r} is not in the scheme {scheme.keys}")
    # long is sorted by date, then area id: row r is date r // n_areas, area area_order[r % n_areas].
    area_order = np.argsort(areas[AREA_ID].to_numpy(), kind="stable")
    row_area = np.tile(area_order, n_dates)
    row_date = np.repeat(np.arange(n_dates), n_areas)
    codes = np.full((n_areas, n_dates), key_index[scheme.unknown], dtype=np.uint8)
    codes[row_area, row_date] = long[STATUS].map(key_index).to_numpy(np.uint8)
    since = _since_exceptions(long[SINCE].to_numpy(object), row_area, row_date, codes, dates, key_index[scheme.unknown])
    conflict: list[list[int]] = [[] for _ in range(n_areas)]
    for i, j in zip(row_area[long[CONFLICT].to_numpy(bool)], row_date[long[CONFLICT].to_numpy(bool)], strict=True):
        conflict[int(i)].append(int(j))
    for runs in conflict:
        runs.sort()
    evidence, totals = _bounded_evidence(
        timeline, reports, report_index, row_area, row_date, codes, max_evidence, max_reports
    )
    return MapData(
        areas=areas,
        scheme=scheme,
        dates=dates,
        codes=codes,
        since=since,
        conflict=conflict,
        evidence=evidence,
        reports=reports,
        counts=totals,
        area_noun=str(getattr(timeline, "area_noun", "areas") or "areas"),
        title=title,
        groups=_provinces_of(timeline),
    )


def _one_piece(areas: gpd.GeoDataFrame, reports: list[dict[str, Any]]) -> tuple[gpd.GeoDataFrame, list[dict[str, Any]]]:
    """Areas on both sides of 180 degrees (Fiji, Chukotka) with the eastern side written as 180..540,
    and the reports' longitudes likewise, so the map draws and fits them as one piece rather than
    at the two edges of the world; other areas unchanged."""
    import geopandas as gpd

    from geomap._antimeridian import crosses, lon_lat_bounds, unwrap, unwrap_lon

    bounds = lon_lat_bounds(areas.geometry.values)
    if not crosses(bounds):
        return areas, reports
    areas = areas.set_geometry(gpd.GeoSeries(unwrap(areas.geometry.values, bounds), index=areas.index, crs=areas.crs))
    for report in reports:
        if report.get("lon") is not None:
            report["lon"] = float(unwrap_lon(np.array([report["lon"]]), bounds)[0])
    return areas, reports


def _since_exceptions(
    values: np.ndarray,
    row_area: np.ndarray,
    row_date: np.ndarray,
    codes: np.ndarray,
    dates: list[dt.date],
    unknown: int,
) -> list[list[tuple[int, str | int | None]]]:
    """``since`` runs only where it differs from what the page derives: the first date of the status's run."""
    n_areas, n_dates = codes.shape
    given = np.empty((n_areas, n_dates), dtype=object)
    days = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce").to_numpy("datetime64[D]")
    text = np.datetime_as_string(days, unit="D").astype(object)
    text[np.isnat(days)] = None
    given[row_area, row_date] = text
    start = np.ones((n_areas, n_dates), dtype=bool)
    start[:, 1:] = codes[:, 1:] != codes[:, :-1]
    first = np.maximum.accumulate(np.where(start, np.arange(n_dates)[None, :], 0), axis=1)
    iso = np.array([d.isoformat() for d in dates], dtype=object)
    derived = iso[first]
    derived[codes == unknown] = None
    runs: list[list[tuple[int, str | int | None]]] = [[] for _ in range(n_areas)]
    for i in range(n_areas):
        explicit = given[i] != derived[i]
        current: tuple[bool, str | None] = (False, None)
        for j in range(n_dates):
            wanted = (True, given[i, j]) if explicit[j] else (False, None)
            if wanted != current:
                # A run value of 0 tells the page to go back to deriving since from the status table.
                runs[i].append((j, wanted[1] if wanted[0] else 0))
                current = wanted
    return runs


def _bounded_evidence(
    timeline: Any,
    reports: list[dict[str, Any]],
    report_index: dict[Hashable, int],
    row_area: np.ndarray,
    row_date: np.ndarray,
    codes: np.ndarray,
    max_evidence: int,
    max_reports: int,
) -> tuple[list[list[tuple[int, list[int]]]], np.ndarray]:
    n_areas, n_dates = codes.shape
    sets, row_set, totals = timeline.latest_evidence(max_evidence)
    cell_set = np.full((n_areas, n_dates), -1, dtype=np.int64)
    cell_set[row_area, row_date] = row_set
    counts = np.where(cell_set >= 0, totals[np.maximum(cell_set, 0)] if len(totals) else 0, 0)
    # Which sets travel with the page: those behind the last date, then behind changes, newest first.
    changed = np.zeros((n_areas, n_dates), dtype=bool)
    changed[:, 0] = True
    changed[:, 1:] = codes[:, 1:] != codes[:, :-1]
    rank = np.full(len(sets), -1, dtype=np.int64)  # higher is kept first
    flat_set, flat_date = cell_set.ravel(), np.broadcast_to(np.arange(n_dates), cell_set.shape).ravel()
    score = flat_date + changed.ravel() * n_dates + (flat_date == n_dates - 1) * 2 * n_dates
    has = flat_set >= 0
    np.maximum.at(rank, flat_set[has], score[has])
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    order = np.argsort(-rank, kind="stable")
    kept = np.zeros(len(sets), dtype=bool)
    kept[order[np.cumsum(sizes[order]) <= max_reports]] = True
    table = timeline.reports
    cited = np.unique(np.concatenate([sets[k] for k in np.flatnonzero(kept)] or [np.empty(0, dtype=np.int64)]))
    columns = [
        c for c in (DATE, PLACE, STATUS, SOURCE, NOTE, PLACE_PRECISION, DATE_PRECISION, SCOPE) if c in table.columns
    ]
    rows = dict(zip(cited.tolist(), table.iloc[cited][columns].to_dict("records"), strict=True))
    if SOURCE not in table.columns and getattr(timeline, "_texts", None) is not None:  # the text is on disk
        for i, text in zip(cited.tolist(), timeline._report_texts(cited)[0], strict=True):
            record = json.loads(text)
            rows[i][SOURCE], rows[i][NOTE] = record[SOURCE], record[NOTE]
    refs_of: dict[int, list[int]] = {}
    evidence: list[list[tuple[int, list[int]]]] = [[] for _ in range(n_areas)]
    for i in range(n_areas):
        last: list[int] | None = None
        for j, k in enumerate(cell_set[i].tolist()):
            if k < 0 or not kept[k]:
                refs: list[int] = []
            else:
                if k not in refs_of:
                    refs_of[k] = [_cite(rows[int(p)], reports, report_index) for p in sets[k]]
                refs = refs_of[k]
            if refs != (last if last is not None else []):
                evidence[i].append((j, refs))
            last = refs
    return evidence, counts


def _cite(row: dict[str, Any], reports: list[dict[str, Any]], index: dict[Hashable, int]) -> int:
    """The page index of the report ``row``, adding it to ``reports`` the first time."""
    key = _report_key(row.get(DATE), row.get(PLACE), row.get(STATUS), row.get(SOURCE), row.get(NOTE))
    if key not in index:
        index[key] = len(reports)
        reports.append(
            {"date": key[0], "place": key[1], "status": key[2], "source": key[3], "note": key[4]}
            | {"lat": None, "lon": None}
            | {"precision": describe_precision(row.get(PLACE_PRECISION, 1), row.get(DATE_PRECISION, 1))}
            | {"province_wide": row.get(SCOPE) == PROVINCE_WIDE}
        )
    return index[key]


def _provinces_of(timeline: Any) -> list[str] | None:
    """The province of each district on a district map, else ``None``."""
    if getattr(timeline, "level", None) != "district" or PROVINCE not in timeline.areas.columns:
        return None
    return [_text(v) for v in timeline.areas[PROVINCE].reset_index(drop=True)]


def check_scheme(scheme: StatusScheme) -> None:
    if len(scheme.keys) > len(STATUS_ALPHABET):
        raise InputError(
            f"status scheme {scheme.name!r} has {len(scheme.keys)} statuses; a map can show at most "
            f"{len(STATUS_ALPHABET)}: merge some statuses"
        )


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):  # pandas.Timestamp too
        day: dt.date = value.date()
        return day
    if isinstance(value, dt.date):
        return value
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


def _report_table(reports: pd.DataFrame | None) -> tuple[list[dict[str, Any]], dict[Hashable, int]]:
    table: list[dict[str, Any]] = []
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
                "province_wide": row.get(SCOPE) == PROVINCE_WIDE,
            }
        )
    return table, index
