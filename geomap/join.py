"""Joining reports to areas: geocode the places, then find the area each lies in.

Rules
-----
* A report with ``lat``/``lon`` is placed by its coordinates (method ``given``);
  otherwise its place name is geocoded (offline unless an online geocoder is given).
* On the bundled provinces, a geocoded place is assigned the province the
  gazetteer gives it (the gazetteer was built against the same polygons).
* Otherwise a point is assigned to the area polygon that contains it. **A point on
  a border shared by several areas goes to the area whose ``area_id`` sorts first**
  (numbers in ids by their value: ``9`` before ``10``),
  so it lands in exactly one. A point outside every polygon but within
  :data:`SNAP_DEGREES` of one (coastline and border simplification) goes to the
  nearest; farther away it is unresolved.
* On user boundaries, a report about a whole province (kind ``province``, or
  ``level=province``) applies to every area whose representative point lies in
  that province.
* A report whose place is a province but whose ``level`` is ``city`` or ``district``
  ("several villages in Kunar") is about a part of it that it does not name (kind
  ``part``): on the provinces it is a place in its province (the ``capital`` rule leaves
  it out), elsewhere it is unresolved.

On the bundled districts (:func:`locate_on_districts`) reports land thus:

* a report about a district, a district centre, a town or a village sets the
  district the place lies in: the district the geocoder names, when it names one,
  else for a district the bundled district of that name in that province, else the
  district containing the place's point;
* a report about a provincial capital sets the capital's district;
* a report about a whole province (kind ``province``, or ``level=province``), or
  about a district the geocoder knows only by its province (no ``district_id``,
  ``place_precision`` 3: a district created after 2014 whose 2014 parent is not
  known; the report's ``place_precision`` becomes 3 too)
  applies to every district of that province, with ``scope`` set to
  ``"province-wide"``; it **never overrides a more specific report of the same
  date** about one of those districts (there it is dropped);
* a report with coordinates sets the district containing them (with
  ``level=province``: every district of the province containing them).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import shapely

from geomap._columns import constant_text, equals_text, remember_codes, take_text
from geomap._threads import concurrently as _concurrently
from geomap.precision import PLACE_PRECISION
from geomap.schema import (
    AREA_ID,
    AREA_NAME,
    DATE,
    DISTRICT_ID,
    LAT,
    LEVEL,
    LON,
    PLACE,
    PROVINCE_WIDE,
    SCOPE,
)

if TYPE_CHECKING:
    from concurrent.futures import Future

    import geopandas as gpd

SNAP_DEGREES = 0.1
"""How far (in degrees, about 10 km) outside every area a point may lie and still be snapped to the nearest."""

KIND = "kind"
NAME = "name"
METHOD = "method"
CONFIDENCE = "confidence"
REASON = "reason"
PROVINCE_ISO = "province_iso"
SPECIFIC = "district"


DISTINCT_MIN_POINTS = 100_000
"""From this many points left to test exactly, each distinct point is tested once (see :func:`distinct_points`)."""
GRID_MIN_POINTS = 500_000
"""From this many points on, a grid of cells that lie wholly inside one area answers most points."""
GRID_CELLS = 512
"""Cells along the longer side of the areas' bounding box."""
GRID_FINE_POINTS = 2_000_000
"""From this many points on, the grid has twice as many cells along each side: building it costs a
fixed fraction of a second, and it leaves half as many points near borders to test exactly."""
_GRID_PAD = 1e-9
"""Degrees a cell is widened by before it is tested, so rounding in a point's cell index never matters."""
_NO_AREA = -2
_SAMPLE_EVERY = 8
"""Before hashing every point, :func:`distinct_points` hashes every 8th: when most of those differ,
hashing the rest would cost more than testing them."""
_SAMPLE_MIN = 4096
"""The fewest points sampled (fewer points are all hashed)."""


def join_points(x: np.ndarray, y: np.ndarray, areas: np.ndarray, *, snap: float = SNAP_DEGREES) -> np.ndarray:
    """Index of the area each point lies in, ``-1`` for none.

    Parameters
    ----------
    x, y
        Point longitudes and latitudes (1-D float arrays of equal length).
    areas
        Polygon geometries, already in the order that breaks border ties: a point
        on a shared border goes to the earliest area.
    snap
        Points outside every area but within this distance of one go to the nearest.

    Returns
    -------
    numpy.ndarray
        ``int64`` area index per point.

    Notes
    -----
    Many points: a grid over the areas is built first; a cell (slightly widened) that
    lies in the interior of exactly one area and touches no other gives that area to
    every point in it by arithmetic alone. Of the remaining points (near borders, outside
    the grid), each distinct point is tested once (:func:`distinct_points`), exactly:
    sorted by longitude once, each prepared polygon tests only the points inside its
    bounding box (``shapely.intersects_xy``). Both answers are the exact point-in-polygon
    answer, so the grid and the pairing change speed, never results.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    result = np.full(len(x), -1, dtype=np.int64)
    if len(x) == 0 or len(areas) == 0:
        return result
    todo = ~(np.isnan(x) | np.isnan(y))
    cells = _grid_size(len(x))
    if cells:
        todo &= ~_grid_join(result, x, y, areas, cells)
    if todo.all():
        result[:] = _join_distinct(x, y, areas)
    else:
        rest = np.flatnonzero(todo)
        result[rest] = _join_distinct(x[rest], y[rest], areas)
    if snap > 0:
        _snap(result, x, y, areas, snap)
    return result


def _join_distinct(x: np.ndarray, y: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """The exact answer for each point (no NaN), each distinct point tested once when there are many."""
    if len(x) >= DISTINCT_MIN_POINTS:
        ux, uy, inverse = distinct_points(x, y)
        if len(ux) < len(x):
            hit: np.ndarray = _join_distinct(ux, uy, areas)[inverse]
            return hit
    result = np.full(len(x), -1, dtype=np.int64)
    _exact_join(result, x, y, areas, np.ones(len(x), dtype=bool))
    return result


def distinct_points(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (x, y) pairs and, per point, the position of its pair: ``x == ux[inverse]``.

    Reports often repeat a point (a town's coordinates, a geocoded centre), and a point's area
    depends only on its coordinates, so joining the distinct pairs gives every point's answer.
    Pairs are hashed as one 64-bit key, ``bits(x) * K ^ bits(y)``, and every point's ``x`` is
    checked bit for bit against its pair's afterwards: for a given ``x`` the key determines
    ``y``, so equal keys and equal ``x`` mean the same point. A hash collision makes every point
    its own pair, and so do points that mostly differ (in a sample of every 8th point, or in
    all): hashing them costs more than it saves.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    every = x, y, np.arange(n, dtype=np.int64)
    x_bits = x.view(np.uint64)
    with np.errstate(over="ignore"):
        key = x_bits * np.uint64(0x9E3779B97F4A7C15) ^ y.view(np.uint64)
    if n >= _SAMPLE_EVERY * _SAMPLE_MIN:
        sample = key[::_SAMPLE_EVERY]
        if len(pd.unique(sample)) > len(sample) // 2:
            return every
    codes, distinct = _factorize(key)
    if len(distinct) > n // 2:
        return every
    member = np.empty(len(distinct), dtype=np.int64)
    member[codes] = np.arange(n, dtype=np.int64)  # any point of each pair stands for it
    if not np.array_equal(x_bits[member][codes], x_bits):
        return every
    return x[member], y[member], codes.astype(np.int64, copy=False)


def _factorize(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pandas.factorize(key)``; from :data:`PARALLEL_MIN_ROWS` keys on, its two halves are hashed
    on two threads (pandas releases the GIL) and the second half's codes renumbered, which gives
    exactly the codes of one pass (first appearance order)."""
    if len(key) < 2 * PARALLEL_MIN_ROWS:
        codes, distinct = pd.factorize(key)
        return codes, distinct
    half = len(key) // 2
    (first, first_distinct), (second, second_distinct) = _concurrently(
        lambda: pd.factorize(key[:half]), lambda: pd.factorize(key[half:]), parallel=True
    )
    merged, distinct = pd.factorize(np.concatenate([first_distinct, second_distinct]))
    codes = np.empty(len(key), dtype=np.intp)
    codes[:half] = first  # the first half's values come first, in their order: codes unchanged
    codes[half:] = merged[len(first_distinct) :][second]
    return codes, distinct


def _exact_join(result: np.ndarray, x: np.ndarray, y: np.ndarray, areas: np.ndarray, todo: np.ndarray) -> None:
    """Set ``result`` for the points in ``todo`` by testing them against each polygon in order."""
    wanted = np.flatnonzero(todo)
    order = wanted[np.argsort(x[wanted], kind="stable")]
    xs = x[order]
    ys = y[order]
    bounds = shapely.bounds(areas)
    for index, geom in enumerate(areas):
        minx, miny, maxx, maxy = bounds[index]
        lo, hi = np.searchsorted(xs, minx, side="left"), np.searchsorted(xs, maxx, side="right")
        if lo >= hi:
            continue
        window = slice(lo, hi)
        yy = ys[window]
        candidates = np.flatnonzero((yy >= miny) & (yy <= maxy))
        if candidates.size == 0:
            continue
        candidates = candidates[result[order[window][candidates]] == -1]
        if candidates.size == 0:
            continue
        shapely.prepare(geom)
        inside = shapely.intersects_xy(geom, xs[window][candidates], yy[candidates])
        result[order[window][candidates[inside]]] = index


def _grid_join(
    result: np.ndarray, x: np.ndarray, y: np.ndarray, areas: np.ndarray, cells: int = GRID_CELLS
) -> np.ndarray:
    """Answer the points that fall in a grid cell lying inside exactly one area; return their mask
    (also points in cells no area touches, and points outside the areas' bounds: left at -1).

    The points are taken :data:`_GRID_BLOCK` at a time, so each step's temporary arrays stay in
    the processor's cache instead of being fresh memory the size of the points."""
    cell_area, origin, size, shape = _interior_cells(areas, cells)
    if size <= 0:
        return np.zeros(len(x), dtype=bool)
    answered = np.zeros(len(x), dtype=bool)
    box = shapely.total_bounds(areas)
    for start in range(0, len(x), _GRID_BLOCK):
        block = slice(start, start + _GRID_BLOCK)
        _grid_block(result[block], answered[block], x[block], y[block], cell_area, origin, size, shape, box)
    return answered


_GRID_BLOCK = 1 << 15
"""Points per step of the grid join."""


def _grid_block(
    result: np.ndarray,
    answered: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    cell_area: np.ndarray,
    origin: tuple[float, float],
    size: float,
    shape: tuple[int, int],
    box: np.ndarray,
) -> None:
    """:func:`_grid_join` of some points, into views of its result and answered mask."""
    with np.errstate(invalid="ignore"):
        column = np.floor((x - origin[0]) / size)
        row = np.floor((y - origin[1]) / size)
    in_grid = (column >= 0) & (column < shape[1]) & (row >= 0) & (row < shape[0])  # False for NaN
    everywhere = bool(in_grid.all())
    if not everywhere:
        column[~in_grid] = 0
        row[~in_grid] = 0
    cell = row.astype(np.int64)
    cell *= shape[1]
    cell += column.astype(np.int64)
    area = cell_area[cell]
    if not everywhere:
        area[~in_grid] = -1
    np.copyto(result, area, where=area >= 0)
    np.not_equal(area, -1, out=answered)  # an area's interior, or a cell no area touches
    if not everywhere:  # points outside the areas' bounds lie in no area
        minx, miny, maxx, maxy = box
        answered |= (x < minx) | (x > maxx) | (y < miny) | (y > maxy)


_Grid = tuple[np.ndarray, tuple[float, float], float, tuple[int, int]]
_GRIDS: dict[tuple[bytes, int], _Grid] = {}
_GRIDS_KEPT = 4
_GRIDS_LOCK = threading.Lock()


def _interior_cells(areas: np.ndarray, cells: int = GRID_CELLS) -> _Grid:
    """:func:`_grid_cells`, kept for the last few sets of areas (each run joins the same areas
    more than once: to the areas, to the provinces, on each partition)."""
    wkb = hashlib.blake2b(b"|".join(w or b"" for w in shapely.to_wkb(areas, output_dimension=2).tolist())).digest()
    key = (wkb, cells)
    with _GRIDS_LOCK:  # joins may run on two threads
        grid = _GRIDS.get(key)
    if grid is None:
        grid = _grid_cells(areas, cells)
        with _GRIDS_LOCK:
            while len(_GRIDS) >= _GRIDS_KEPT:
                _GRIDS.pop(next(iter(_GRIDS)))
            _GRIDS[key] = grid
    return grid


def _grid_size(points: int) -> int:
    """Cells along the longer side of the grid :func:`join_points` builds for this many points (0: none)."""
    if points < GRID_MIN_POINTS:
        return 0
    return GRID_CELLS * 2 if points >= GRID_FINE_POINTS else GRID_CELLS


def _grid_cells(areas: np.ndarray, per_side: int = GRID_CELLS) -> _Grid:
    """Per grid cell, the one area whose interior holds the (widened) cell while no other area
    touches it, :data:`_NO_AREA` where no area touches it, else ``-1``; with the grid's origin,
    cell size and (rows, columns).

    A cell that no ring of any area passes through (rings cut into pieces shorter than half a
    cell, each marking the at most 2 x 2 cells its widened box meets) lies wholly inside or
    wholly outside each area, so the areas containing its centre are the areas containing it.
    """
    minx, miny, maxx, maxy = shapely.total_bounds(areas)
    size = max(maxx - minx, maxy - miny) / per_side
    if not np.isfinite(size) or size <= 0:
        return np.empty(0, dtype=np.int64), (0.0, 0.0), 0.0, (0, 0)
    columns = int(np.ceil((maxx - minx) / size)) or 1
    rows = int(np.ceil((maxy - miny) / size)) or 1
    edge = np.zeros(rows * columns, dtype=bool)
    rings = shapely.segmentize(shapely.get_rings(shapely.get_parts(areas)), size / 2)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    same = np.flatnonzero(ring[1:] == ring[:-1])
    a, b = xy[same], xy[same + 1]
    low, high = np.minimum(a, b), np.maximum(a, b)
    c0 = np.clip(np.floor((low[:, 0] - 2 * _GRID_PAD - minx) / size), 0, columns - 1).astype(np.int64)
    c1 = np.clip(np.floor((high[:, 0] + 2 * _GRID_PAD - minx) / size), 0, columns - 1).astype(np.int64)
    r0 = np.clip(np.floor((low[:, 1] - 2 * _GRID_PAD - miny) / size), 0, rows - 1).astype(np.int64)
    r1 = np.clip(np.floor((high[:, 1] + 2 * _GRID_PAD - miny) / size), 0, rows - 1).astype(np.int64)
    for r in (r0, r1):
        for c in (c0, c1):
            edge[r * columns + c] = True
    count = np.zeros(rows * columns, dtype=np.int64)
    owner = np.full(rows * columns, -1, dtype=np.int64)
    bounds = shapely.bounds(areas)
    for index, geom in enumerate(areas):
        if geom is None or shapely.is_empty(geom):
            continue
        col_lo, row_lo, col_hi, row_hi = _cell_range(bounds[index], (minx, miny), size, rows, columns)
        cc, rr = np.meshgrid(np.arange(col_lo, col_hi + 1), np.arange(row_lo, row_hi + 1))
        cells = (rr * columns + cc).ravel()
        cells = cells[~edge[cells]]
        shapely.prepare(geom)
        centre_x = minx + (cells % columns + 0.5) * size
        centre_y = miny + (cells // columns + 0.5) * size
        inside = cells[shapely.intersects_xy(geom, centre_x, centre_y)]
        count[inside] += 1
        owner[inside] = index
    cell_area = np.where(count == 1, owner, -1).astype(np.int32)
    cell_area[(count == 0) & ~edge] = _NO_AREA
    return cell_area, (float(minx), float(miny)), float(size), (rows, columns)


def _cell_range(
    bounds: np.ndarray, origin: tuple[float, float], size: float, rows: int, columns: int
) -> tuple[int, int, int, int]:
    """First and last grid column and row whose widened cells may meet a box (clipped to the grid)."""
    c0 = int(np.floor((bounds[0] - origin[0] - 2 * _GRID_PAD) / size)) - 1
    r0 = int(np.floor((bounds[1] - origin[1] - 2 * _GRID_PAD) / size)) - 1
    c1 = int(np.floor((bounds[2] - origin[0] + 2 * _GRID_PAD) / size)) + 1
    r1 = int(np.floor((bounds[3] - origin[1] + 2 * _GRID_PAD) / size)) + 1
    return max(c0, 0), max(r0, 0), min(c1, columns - 1), min(r1, rows - 1)


def _snap(result: np.ndarray, x: np.ndarray, y: np.ndarray, areas: np.ndarray, snap: float) -> None:
    missing = np.flatnonzero((result == -1) & ~(np.isnan(x) | np.isnan(y)))
    if missing.size == 0:
        return
    tree = shapely.STRtree(areas)
    points = shapely.points(x[missing], y[missing])
    pairs, distances = tree.query_nearest(points, max_distance=snap, return_distance=True, all_matches=True)
    if pairs.size == 0:
        return
    # Several areas at the same distance: keep the earliest (lowest index), as on borders.
    frame = pd.DataFrame({"point": pairs[0], "area": pairs[1], "distance": distances})
    best = frame.sort_values(["point", "distance", "area"]).drop_duplicates("point")
    result[missing[best["point"].to_numpy()]] = best["area"].to_numpy()


def locate_reports(
    reports: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    provinces: bool,
    geocoded: pd.DataFrame | None = None,
    province_polygons: gpd.GeoDataFrame | None = None,
    engine: str = "pandas",
    ahead: PointsAhead | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attach ``area_id``/``area_name`` (and the geocoder's fields) to each report.

    Parameters
    ----------
    reports
        Validated reports (:func:`geomap.reports.read_reports`).
    areas
        Area polygons with ``area_id`` and ``area_name`` (EPSG:4326).
    provinces
        Whether ``areas`` are the bundled provinces (their ids are ISO codes).
    geocoded
        The result of :func:`geomap.geocode.geocode` for the reports' places,
        one row per report (in order); rows with coordinates are ignored.
    province_polygons
        The bundled provinces, used on user boundaries to spread province-wide
        reports over the areas inside the province.
    engine
        ``"pandas"`` or ``"dask"`` (points joined on Dask partitions, same result).
    ahead
        The reports' points joined already, or being joined (:func:`points_ahead` with the same
        areas and options, started by :func:`geomap.reports.read_reports`).

    Returns
    -------
    (located, unresolved)
        ``located`` has one row per (report, area) with the report's columns plus
        ``area_id``, ``area_name``, ``name``, ``kind``, ``province_iso``,
        ``method``, ``confidence``; ``unresolved`` has one row per report that
        could not be placed, with a ``reason``.
    """
    located, unresolved, _ = _locate_reports(
        reports,
        areas,
        provinces=provinces,
        geocoded=geocoded,
        province_polygons=province_polygons,
        engine=engine,
        ahead=ahead,
    )
    return located, unresolved


def _locate_reports(
    reports: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    provinces: bool,
    geocoded: pd.DataFrame | None,
    province_polygons: gpd.GeoDataFrame | None,
    engine: str,
    ahead: PointsAhead | None,
    defer: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, AreaText | None]:
    """:func:`locate_reports`; with ``defer``, the area columns of ``located`` may be left to build
    (:class:`AreaText`, else ``None``)."""
    area_ids = areas[AREA_ID].to_numpy()
    area_names = areas[AREA_NAME].to_numpy()
    geoms = areas.geometry.values
    (frame, given), pairs, early = _prepare_and_join(
        reports, geocoded, engine, *_area_joins(areas, provinces, province_polygons, engine), ahead=ahead
    )
    has_point = _has_point(frame)
    index = None
    need_point = has_point
    if provinces:
        position = pd.Series(np.arange(len(area_ids)), index=area_ids)
        iso = frame[PROVINCE_ISO].where(~pd.Series(given), "")
        by_iso = iso.map(position).fillna(-1).astype(np.int64).to_numpy()
        index = np.where(by_iso >= 0, by_iso, -1)
        need_point = (index == -1) & has_point
    need_iso = None if provinces else _need_province_iso(frame, province_polygons, has_point)
    del has_point
    pairs = pairs if pairs is not None else _point_pairs(frame)
    spreading = not provinces and province_polygons is not None
    # Every report's province found by its point, and none spread over its province by it: the
    # provinces may be left to write with the area columns (while no report is left unresolved,
    # below), joined already or, where the join was left for then (points_ahead), joined then.
    later = defer and need_iso is not None and need_iso.all() and not (spreading and about_province(frame).any())
    iso_hits = early[1] if later else None
    index, found_iso = _concurrently(
        lambda: _index_by_points(frame, index, need_point, area_ids, geoms, engine, pairs, early[0]),
        lambda: None if need_iso is None or later else _province_iso(need_iso, pairs, province_polygons, early[1]),
        parallel=len(frame) >= PARALLEL_MIN_ROWS,
    )
    if later and (index < 0).any():  # the unresolved reports are listed with their provinces
        found_iso = _province_iso(cast("np.ndarray", need_iso), pairs, province_polygons, iso_hits)
        later, iso_hits = False, None
    if need_iso is not None and found_iso is not None:
        _set_province_iso(frame, need_iso, found_iso)

    located_parts = []
    spread = np.zeros(len(frame), dtype=bool)
    if spreading:
        spread = about_province(frame)
        if spread.any():
            members = province_members(areas, cast("gpd.GeoDataFrame", province_polygons))
            # a province no area covers: the report is placed by its point, or listed as unresolved
            spread = spread & frame[PROVINCE_ISO].isin(members[PROVINCE_ISO].unique()).to_numpy()
        if spread.any():
            located_parts.append(_spread_over_province(frame[spread], members))
    placed = (index >= 0) & ~spread
    main = frame.copy(deep=False) if placed.all() else _rows_where(frame, placed)  # no copy of every report
    positions = _shared_codes(index if placed.all() else index[placed])
    area_text: AreaText | None = AreaText(area_ids, area_names, positions, main.shape[1])
    if not defer or located_parts:  # the province-wide rows are joined to them
        cast("AreaText", area_text).attach(main)
        area_text = None
    elif later:  # every report placed: the provinces are written with the area columns
        iso = np.append(cast("gpd.GeoDataFrame", province_polygons)[AREA_ID].to_numpy(dtype=object), "")
        if iso_hits is not None:
            cast("AreaText", area_text).leave_province(main, iso, _shared_codes(iso_hits))
        else:
            every, polygons = np.ones(len(frame), dtype=bool), cast("gpd.GeoDataFrame", province_polygons)
            cast("AreaText", area_text).leave_province(
                main, iso, lambda: _shared_codes(_province_hits(pairs, every, polygons))
            )
    located_parts.insert(0, main)
    located = pd.concat(located_parts, ignore_index=True) if len(located_parts) > 1 else main.reset_index(drop=True)

    unplaced = (index < 0) & ~spread
    unresolved = _rows_where(frame, unplaced)  # new columns, never slices: a slice keeps every column's buffers
    no_reason = unresolved[REASON].eq("")
    unresolved.loc[no_reason, REASON] = np.where(
        unresolved.loc[no_reason, LAT].notna(), "outside every boundary polygon", "place not found"
    )
    return located, unresolved.reset_index(drop=True), area_text


class AreaText:
    """The ``area_id`` and ``area_name`` columns of a located table, kept as area positions until they
    are asked for (:meth:`attach`): the engine decides on the positions, and at 5,000,000 reports the
    two columns of text take some 240 MB of fresh memory and 0.3-0.6 s of CPU to write.

    ``positions`` index ``ids`` and ``names`` (every one valid); ``at`` is where ``area_id`` goes
    among the table's columns (``area_name`` follows it). Where every report's province is known by
    code too, the ``province_iso`` column is left out of the table until then as well
    (:meth:`leave_province`).
    """

    def __init__(self, ids: np.ndarray, names: np.ndarray, positions: np.ndarray, at: int) -> None:
        self.ids = ids
        self.names = names
        self.positions = positions
        self.at = at
        self.province: tuple[np.ndarray, np.ndarray | Callable[[], np.ndarray], int] | None = None

    def leave_province(
        self, frame: pd.DataFrame, iso: np.ndarray, codes: np.ndarray | Callable[[], np.ndarray]
    ) -> None:
        """Take the ``province_iso`` column out of ``frame`` (the located table, before :meth:`attach`)
        to write it with the area columns: ``iso[codes]``, every code valid; ``codes`` may be a
        function that finds them (the reports' points joined to the provinces) when they are written."""
        self.province = (iso, codes, frame.columns.get_loc(PROVINCE_ISO))
        del frame[PROVINCE_ISO]

    def attach(self, frame: pd.DataFrame) -> None:
        """Write the columns into ``frame`` (the located table, one row per position), as
        :func:`locate_reports` writes them."""
        iso, iso_codes, iso_at = self.province if self.province is not None else (None, None, 0)
        ids, names, provinces = _concurrently(
            lambda: _take(self.ids, self.positions),
            lambda: _take(self.names, self.positions),
            lambda: None if iso is None else _take(iso, _codes(iso_codes)),
            parallel=len(self.positions) >= PARALLEL_MIN_ROWS,
        )
        if provinces is not None:
            frame.insert(iso_at, PROVINCE_ISO, provinces)
        frame.insert(self.at, AREA_ID, ids)
        frame.insert(self.at + 1, AREA_NAME, names)


def _codes(codes: np.ndarray | Callable[[], np.ndarray] | None) -> np.ndarray:
    """Codes given, or found by the function given."""
    found = codes() if callable(codes) else codes
    return cast("np.ndarray", found)


def _rows_where(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """``frame[mask].copy()``, each column selected on its own: Arrow text by Arrow's filter, chunk by
    chunk. (pandas selects rows by taking positions, and Arrow's take first joins a column's chunks
    into one: a copy of all of its text, even to keep no row.)"""
    if not mask.any():  # no row: nothing to filter (a pass over each column at millions of rows)
        columns = {k: pd.array([], dtype=frame.dtypes.iloc[k]) for k in range(frame.shape[1])}
    else:
        columns = {k: frame.iloc[:, k].array[mask] for k in range(frame.shape[1])}
    selected = pd.DataFrame(columns, index=frame.index[mask], copy=False)
    selected.columns = frame.columns
    return selected


_Pairs = tuple[np.ndarray, np.ndarray, np.ndarray | None]
"""The distinct points ``(ux, uy)`` and each report's pair (``None``: each report is its own)."""


def _point_pairs(frame: pd.DataFrame) -> _Pairs:
    """The distinct (lon, lat) pairs of the reports, and each report's pair (``-1`` where it has none),
    so that every join of the reports' points tests each distinct point once (each point, when
    most differ: see :func:`distinct_points`, or when there are enough for the grid)."""
    return _pairs_of(frame[LON].to_numpy(float), frame[LAT].to_numpy(float))


def _pairs_of(lon: np.ndarray, lat: np.ndarray) -> _Pairs:
    """See :func:`_point_pairs`. From :data:`GRID_MIN_POINTS` points on, every point is its own
    pair (``None`` stands for each report's own position): the grid answers most points by
    arithmetic, faster than hashing them all would take, and :func:`join_points` makes the
    points it leaves distinct."""
    valid = ~(np.isnan(lon) | np.isnan(lat))
    if valid.all():
        return _distinct_or_every(lon, lat)
    pair = np.full(len(lon), -1, dtype=np.int64)
    ux, uy, inverse = _distinct_or_every(lon[valid], lat[valid])
    pair[valid] = np.arange(len(ux)) if inverse is None else inverse
    return ux, uy, pair


def _distinct_or_every(x: np.ndarray, y: np.ndarray) -> _Pairs:
    if DISTINCT_MIN_POINTS <= len(x) < GRID_MIN_POINTS:
        return distinct_points(x, y)
    return x, y, None


_PointsIn = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
_LABEL_BLOCK = 1 << 16
"""Answers :func:`_pair_hits` turns into labels at a time (in place)."""


def _pair_hits(
    pairs: _Pairs, rows: np.ndarray, geoms: np.ndarray, points_in: _PointsIn, labels: np.ndarray, none: int
) -> np.ndarray:
    """For each report in the mask ``rows``: ``labels[area]`` of the area (index into ``geoms``)
    its point lies in, ``none`` where it lies in none or has no point."""
    ux, uy, pair = pairs
    every = rows.all()
    if pair is None:  # each report its own point
        if every:
            return _labelled(points_in(ux, uy, geoms), labels, none)
        pair = np.arange(len(ux))
    wanted = pair if every else pair[rows]
    if len(ux) > 2 * len(wanted):  # few reports of many points: join only theirs
        has_point = wanted >= 0
        hit = np.full(len(wanted), -1, dtype=np.int64)
        hit[has_point] = points_in(ux[wanted[has_point]], uy[wanted[has_point]], geoms)
        return _labelled(hit, labels, none)
    by_pair = points_in(ux, uy, geoms)
    label = np.append(np.where(by_pair >= 0, labels[np.maximum(by_pair, 0)], none), none)  # pair -1: none
    found: np.ndarray = label[wanted]
    return found


def _labelled(hit: np.ndarray, labels: np.ndarray, none: int) -> np.ndarray:
    """``labels[hit]`` where ``hit >= 0``, else ``none``, written over ``hit`` (int64) a block at a
    time: no temporary the size of the points."""
    table = np.append(np.asarray(labels, dtype=np.int64), np.int64(none))  # -1 wraps to none
    if not hit.flags.writeable:
        hit = hit.copy()
    for first in range(0, len(hit), _LABEL_BLOCK):
        block = hit[first : first + _LABEL_BLOCK]
        block[:] = table.take(block, mode="wrap")
    return hit


def _index_by_points(
    frame: pd.DataFrame,
    index: np.ndarray | None,
    need_point: np.ndarray,
    area_ids: np.ndarray,
    geoms: np.ndarray,
    engine: str,
    pairs: _Pairs | None = None,
    hits: np.ndarray | None = None,
) -> np.ndarray:
    """``index`` (positions in the areas, ``int64``; ``None``: all ``-1``) with the rows in
    ``need_point`` set from their coordinates (or from ``hits``, every report's answer, when the
    points were joined already). Where every row is set from ``hits``, ``hits`` itself is the
    index: no array the size of the reports is filled to be overwritten."""
    if index is None:
        if hits is not None and need_point.all() and hits.dtype == np.int64 and hits.flags.writeable:
            return hits
        index = np.full(len(need_point), -1, dtype=np.int64)
    if not need_point.any():
        return index
    if hits is not None:
        np.copyto(index, hits, where=need_point)  # no copy of the answers
        return index
    pairs = pairs if pairs is not None else _point_pairs(frame)
    index[need_point] = _area_hits(pairs, need_point, area_ids, geoms, engine)
    return index


def _has_point(frame: pd.DataFrame) -> np.ndarray:
    """Mask of the reports with both coordinates (``lat`` and ``lon`` not missing)."""
    lat, lon = frame[LAT].to_numpy(float), frame[LON].to_numpy(float)
    if not (_any_nan(lat) or _any_nan(lon)):
        return np.ones(len(lat), dtype=bool)
    has: np.ndarray = ~(np.isnan(lat) | np.isnan(lon))
    return has


def _any_nan(values: np.ndarray) -> bool:
    """Whether a float array holds NaN: its minimum is NaN then (one pass, no mask the size of it)."""
    return bool(len(values)) and bool(np.isnan(values.min()))


def _shared_codes(index: np.ndarray) -> np.ndarray:
    """Area positions (all valid) to take several columns by: ``int32`` where they fit, read-only,
    so :func:`remember_codes` keeps this one array for every column taken by it instead of a copy
    each."""
    if not len(index) or index.min() < 0 or len(index) >= 2**31:
        return index
    codes = index.astype(np.int32)
    codes.flags.writeable = False
    return codes


def _area_hits(pairs: _Pairs, rows: np.ndarray, area_ids: np.ndarray, geoms: np.ndarray, engine: str) -> np.ndarray:
    """Position in the areas of the area each report in the mask ``rows`` lies in, ``-1`` for none."""
    order, ordered = _tie_ordered(area_ids, geoms)
    points_in: _PointsIn = join_points
    if engine == "dask":
        from geomap._dask import join_points_dask

        points_in = join_points_dask
    return _pair_hits(pairs, rows, ordered, points_in, order, -1)


def _tie_ordered(area_ids: np.ndarray, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The areas' order for a join, and their geometries in it: ties on a shared border go to the
    id that sorts first."""
    keys = [_natural_key(str(i)) for i in area_ids]
    order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.intp)
    return order, geoms[order]


_DIGITS = re.compile(r"(\d+)")


def _natural_key(area_id: str) -> tuple[tuple[int, int | str], ...]:
    """The sort key of an id with its numbers read as numbers: "9" before "10", "AF-KAB-2" before "AF-KAB-10"."""
    return tuple((0, int(part)) if part.isdecimal() else (1, part) for part in _DIGITS.split(area_id) if part)


_Join = Callable[[_Pairs, np.ndarray], Any]


def _prepare_and_join(
    reports: pd.DataFrame, geocoded: pd.DataFrame | None, engine: str, *joins: _Join, ahead: PointsAhead | None = None
) -> tuple[tuple[pd.DataFrame, np.ndarray], _Pairs | None, list[Any]]:
    """:func:`_prepare`, the reports' points, and each of ``joins`` of every report's point.

    Many reports whose coordinates no geocoder answer changes: the points are joined on other
    threads while the columns are built (the joins' answers are then taken for the reports that
    need them), or were joined already (``ahead``, started with the same joins, on the same
    points). Otherwise the points are left to be joined afterwards: ``None`` and no answers.
    """
    lon, lat = reports[LON].to_numpy(float), reports[LAT].to_numpy(float)
    own = geocoded is None or not (_any_nan(lon) or _any_nan(lat))
    if len(reports) < PARALLEL_MIN_ROWS or engine != "pandas" or not own:
        return _prepare(reports, geocoded), None, [None] * len(joins)
    if ahead is not None and ahead.joins(lon, lat):  # joined while the reports were read, or still joining
        try:
            prepared = _prepare(reports, geocoded)  # meanwhile
        except BaseException:
            with contextlib.suppress(Exception):  # the join ends before the error is raised, as it did before
                ahead.answers()
            raise
        pairs, answers = ahead.answers()
        return prepared, pairs, answers
    prepared, (pairs, answers) = _concurrently(
        lambda: _prepare(reports, geocoded), lambda: _joined(lon, lat, joins), parallel=True
    )
    return prepared, pairs, answers


def _joined(lon: np.ndarray, lat: np.ndarray, joins: Sequence[_Join]) -> tuple[_Pairs, list[Any]]:
    """The distinct points and each of ``joins`` of every point (the joins on threads of their own)."""
    pairs = _pairs_of(lon, lat)
    every = np.ones(len(lon), dtype=bool)
    calls = [lambda join=join: join(pairs, every) for join in joins]
    return pairs, _concurrently(*calls, parallel=len(calls) > 1)


def _district_joins(districts: gpd.GeoDataFrame, engine: str) -> list[_Join]:
    """The joins of the reports' points :func:`locate_on_districts` makes: the district of each."""
    area_ids, geoms = districts[AREA_ID].to_numpy(), districts.geometry.values
    return [lambda pairs, rows: _area_hits(pairs, rows, area_ids, geoms, engine)]


def _area_joins(
    areas: gpd.GeoDataFrame, provinces: bool, province_polygons: gpd.GeoDataFrame | None, engine: str
) -> list[_Join]:
    """The joins of the reports' points :func:`locate_reports` makes: the area of each, and its
    province when the areas are not the provinces and province polygons are given (else ``None``)."""
    area_ids, geoms = areas[AREA_ID].to_numpy(), areas.geometry.values
    want_iso = not provinces and province_polygons is not None
    return [
        lambda pairs, rows: _area_hits(pairs, rows, area_ids, geoms, engine),
        lambda pairs, rows: _province_hits(pairs, rows, province_polygons) if want_iso else None,
    ]


class PointsAhead:
    """The reports' points joined to the areas on a thread of their own, started by the reader as soon
    as it has the coordinates, while it builds the rest of the table (see :func:`points_ahead`).

    :func:`locate_on_districts` and :func:`locate_reports` take its answers instead of joining
    again when the reports they are given have exactly the points it joined; otherwise (rows
    dropped, places geocoded) they join as usual and its answers are not used.
    """

    def __init__(self, joins: Sequence[_Join]) -> None:
        self._joins = list(joins)
        self._started: tuple[np.ndarray, np.ndarray, Future[tuple[_Pairs, list[Any]]]] | None = None

    def start(self, lon: np.ndarray, lat: np.ndarray) -> None:
        """Join these points (every report's, in order) on a thread; at most once, and only many."""
        if self._started is not None or len(lon) < PARALLEL_MIN_ROWS:
            return
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1)
        self._started = (lon, lat, pool.submit(_joined, lon, lat, self._joins))
        pool.shutdown(wait=False)  # the thread ends with the join

    def joins(self, lon: np.ndarray, lat: np.ndarray) -> bool:
        """Whether these are the points being joined (or joined already); if not, the join is let go."""
        if self._started is None:
            return False
        known_lon, known_lat, _ = self._started
        if _same(known_lon, lon) and _same(known_lat, lat):
            return True
        self._started = None
        return False

    def answers(self) -> tuple[_Pairs, list[Any]]:
        """The points' pairs and the joins' answers (waiting for them), after :meth:`joins` said yes.
        Given once: the answers are not kept."""
        if self._started is None:
            raise RuntimeError("no join of these points was started")
        future = self._started[2]
        self._started = None
        return future.result()


def _same(a: np.ndarray, b: np.ndarray, step: int = 1 << 16) -> bool:
    """Whether two float arrays hold the same numbers (NaN never equal), compared a block at a time:
    no temporary the size of the arrays."""
    return len(a) == len(b) and all(np.array_equal(a[k : k + step], b[k : k + step]) for k in range(0, len(a), step))


def points_ahead(
    areas: gpd.GeoDataFrame,
    *,
    districts: bool,
    provinces: bool = False,
    province_polygons: gpd.GeoDataFrame | None = None,
    engine: str = "pandas",
    provinces_later: bool = False,
) -> PointsAhead:
    """A :class:`PointsAhead` with the joins of :func:`locate_on_districts` (``districts``) or of
    :func:`locate_reports` with these arguments, to pass to the reader and then to that function.

    ``provinces_later``: the reports' provinces (on user boundaries) are not joined ahead; where they
    may be written with the area columns (``defer``), they are joined when those are written."""
    if districts:
        return PointsAhead(_district_joins(areas, engine))
    joins = _area_joins(areas, provinces, province_polygons, engine)
    return PointsAhead([*joins[:1], _no_join] if provinces_later else joins)


def _no_join(pairs: _Pairs, rows: np.ndarray) -> None:
    """A join left for later (see :func:`points_ahead`)."""
    return None


def _take(values: np.ndarray, index: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values[index]`` as a column: text is taken in Arrow, not made into one object per row
    (and the engine is told the codes, so it need not hash the rows again)."""
    taken = take_text(values, index)
    if len(index) and index.min() >= 0:
        remember_codes(taken, values, index)
    return taken


def _prepare(reports: pd.DataFrame, geocoded: pd.DataFrame | None) -> tuple[pd.DataFrame, np.ndarray]:
    """The reports with the geocoder's fields (``name``, ``kind``, ``province_iso``, coordinates, ...)
    filled in, and a mask of the reports that came with their own coordinates."""
    given = _has_point(reports)
    geocoding = geocoded is not None and not given.all()
    # Columns are replaced, never written into, unless geocoder answers are filled in below.
    frame = reports.reset_index(drop=True).copy(deep=geocoding)
    n = len(frame)
    frame[NAME] = frame[PLACE]
    # Coordinates stand for the area's own status unless the report says it is about a district.
    level = frame[LEVEL]
    province_level, district_level = equals_text(level, "province"), equals_text(level, "district")
    if province_level.any() or district_level.any():
        frame[KIND] = np.where(province_level, "province", np.where(district_level, "district", "given"))
    else:
        frame[KIND] = constant_text("given", n)
    frame[PROVINCE_ISO] = constant_text("", n)
    frame[METHOD] = constant_text("given", n)
    frame[CONFIDENCE] = np.ones(n)
    frame[REASON] = constant_text("", n)
    frame[DISTRICT_ID] = constant_text("", n)
    if geocoded is not None and geocoding:
        g = geocoded.reset_index(drop=True)
        todo = np.flatnonzero(~given)
        frame.loc[todo, NAME] = g.loc[todo, "name"].to_numpy()
        frame.loc[todo, KIND] = g.loc[todo, "kind"].to_numpy()
        frame.loc[todo, PROVINCE_ISO] = g.loc[todo, "province_iso"].fillna("").to_numpy()
        frame.loc[todo, METHOD] = g.loc[todo, "method"].to_numpy()
        frame.loc[todo, CONFIDENCE] = g.loc[todo, "confidence"].to_numpy()
        frame.loc[todo, REASON] = g.loc[todo, "reason"].fillna("").to_numpy()
        frame.loc[todo, LAT] = g.loc[todo, "lat"].to_numpy()
        frame.loc[todo, LON] = g.loc[todo, "lon"].to_numpy()
        if DISTRICT_ID in g.columns:
            frame.loc[todo, DISTRICT_ID] = g.loc[todo, DISTRICT_ID].fillna("").astype(str).to_numpy()
        if PLACE_PRECISION in g.columns and PLACE_PRECISION in frame.columns:
            # the geocoder knows only the district holding the place (2: a district the 2014 polygons do not
            # draw) or only the province (3: a district whose 2014 parent is not known): the report says no
            # more than that, whatever precision it claimed
            known = g.loc[todo, PLACE_PRECISION].fillna(0).to_numpy().astype(int)
            vague = known >= 2
            if vague.any():
                rows = todo[vague]
                frame.loc[rows, PLACE_PRECISION] = np.maximum(frame.loc[rows, PLACE_PRECISION].to_numpy(), known[vague])
        level_province = frame.loc[todo, LEVEL].eq("province").to_numpy()
        frame.loc[todo[level_province], KIND] = "province"
        _parts_of_provinces(frame, todo)
    elif (~given).any():
        frame.loc[~given, REASON] = "no coordinates and no geocoder result"
    return frame, given


PART = "part"
"""The kind of a report about a part of a province it does not name (:func:`_parts_of_provinces`)."""
PART_LEVELS = ("city", "district")
"""Levels that say a report is about a place in the province its name resolves to, not the province."""


_PART_REASONS = {
    "city": "its level says a town or place in this province, not which one; name the place, or give lat and lon",
    "district": "its level says a district of this province, not which one; name the district, or give lat and lon",
}


def _parts_of_provinces(frame: pd.DataFrame, todo: np.ndarray) -> None:
    """Mark the geocoded reports whose place is a province but whose ``level`` is a town or district
    ("several villages in Kunar", "Bano and Deh Salah districts in Baghlan", as ``geomap extract``
    writes them) as about a part of it (kind :data:`PART`), in place.

    Such a report is not about the province itself: on the provinces it counts as a place in its
    province (so the ``capital`` rule leaves it out, ``latest`` and ``majority`` count it); on
    districts or other areas it says nothing about which one, so it has no point and is left
    unplaced, with the reason.
    """
    level = frame.loc[todo, LEVEL]
    part = (frame.loc[todo, KIND].eq("province") & level.isin(PART_LEVELS)).to_numpy()
    if not part.any():
        return
    rows = todo[part]
    # "Balkh" at level city: the town of Balkh, which the gazetteer knows, not a part of the province
    entries = _towns_or_districts(frame.loc[rows, PLACE].to_numpy(), level.to_numpy()[part])
    iso = frame.loc[rows, PROVINCE_ISO].to_numpy()
    named = np.array([e is not None and e.province_iso == i for e, i in zip(entries, iso, strict=True)], dtype=bool)
    if named.any():
        found = [e for e, n in zip(entries, named, strict=True) if n]
        frame.loc[rows[named], NAME] = [e.name for e in found]
        frame.loc[rows[named], KIND] = [e.kind for e in found]
        frame.loc[rows[named], LAT] = [e.lat for e in found]
        frame.loc[rows[named], LON] = [e.lon for e in found]
        frame.loc[rows[named], DISTRICT_ID] = [e.district_id for e in found]
    rows, levels = rows[~named], level.to_numpy()[part][~named]
    if not len(rows):
        return
    frame.loc[rows, KIND] = PART
    frame.loc[rows, [LAT, LON]] = np.nan
    frame.loc[rows, REASON] = [_PART_REASONS[lv] for lv in levels]


def _towns_or_districts(places: np.ndarray, levels: np.ndarray) -> list[Any]:
    """For each place and level, the bundled gazetteer's town (level ``city``) or district (``district``) of
    that name, or ``None``; each distinct pair looked up once."""
    from geomap.gazetteer import get_gazetteer

    gazetteer = get_gazetteer()
    answers: dict[tuple[str, str], Any] = {}
    out = []
    for place, level in zip(places.tolist(), levels.tolist(), strict=True):
        key = (str(place), str(level))
        if key not in answers:
            found = gazetteer.resolve(f"{key[0]} {'town' if key[1] == 'city' else 'district'}")
            usable = found is not None and found.confidence >= 0.5 and found.entry.kind not in ("province", "foreign")
            answers[key] = found.entry if usable and found is not None else None
        out.append(answers[key])
    return out


def about_province(frame: pd.DataFrame) -> np.ndarray:
    """Mask of the reports about a whole province: kind ``province`` (or ``level=province``), or a district
    known only by its province (no district, ``place_precision`` 3: a district created after 2014
    whose 2014 parent is not known), which may lie anywhere in it."""
    wide = equals_text(frame[KIND], "province")
    if PLACE_PRECISION in frame.columns:
        district = equals_text(frame[KIND], "district")
        if district.any():
            vague: np.ndarray = frame[PLACE_PRECISION].to_numpy() >= 3
            wide = wide | (district & equals_text(frame[DISTRICT_ID], "") & vague)
    return wide


def _need_province_iso(
    frame: pd.DataFrame, province_polygons: gpd.GeoDataFrame | None, has_point: np.ndarray
) -> np.ndarray | None:
    """The reports whose province is blank but whose point can give it (``has_point``: the reports
    with coordinates; ``None``: none)."""
    if province_polygons is None:
        return None
    need = equals_text(frame[PROVINCE_ISO], "") & has_point
    return need if need.any() else None


def _province_iso(
    need: np.ndarray, pairs: _Pairs, province_polygons: gpd.GeoDataFrame, hits: np.ndarray | None = None
) -> Any:
    """The ISO code (``""`` outside every province) of each report in ``need``, as a text column
    (``hits``: every report's :func:`_province_hits`, when the points were joined already)."""
    iso = np.append(province_polygons[AREA_ID].to_numpy(dtype=object), "")  # none: ""
    if hits is not None:
        return _take(iso, hits if need.all() else hits[need])
    return _take(iso, _province_hits(pairs, need, province_polygons))


def _province_hits(pairs: _Pairs, rows: np.ndarray, province_polygons: gpd.GeoDataFrame) -> np.ndarray:
    """Position of the province each report in the mask ``rows`` lies in; the number of provinces for none."""
    geoms = province_polygons.geometry.values
    return _pair_hits(pairs, rows, geoms, join_points, np.arange(len(geoms)), len(geoms))


def _set_province_iso(frame: pd.DataFrame, need: np.ndarray, found: Any) -> None:
    if need.all():
        frame[PROVINCE_ISO] = found
    else:
        frame.loc[need, PROVINCE_ISO] = np.asarray(found, dtype=object)


PARALLEL_MIN_ROWS = 200_000
"""From this many reports on, independent steps of the join run on two threads."""


def area_provinces(areas: gpd.GeoDataFrame, province_polygons: gpd.GeoDataFrame) -> np.ndarray:
    """ISO code of the province each area's representative point lies in (``""`` if none)."""
    points = shapely.point_on_surface(areas.geometry.values)
    hit = join_points(shapely.get_x(points), shapely.get_y(points), province_polygons.geometry.values)
    iso = province_polygons[AREA_ID].to_numpy()
    return np.where(hit >= 0, iso[np.maximum(hit, 0)], "")


def province_members(areas: gpd.GeoDataFrame, province_polygons: gpd.GeoDataFrame) -> pd.DataFrame:
    """The areas a report about a whole province applies to: ``area_id``, ``area_name``, ``province_iso``.

    An area belongs to the province its representative point lies in. A province holding no area's
    point (areas larger than provinces: regions) belongs to the area its own representative point lies
    in, so a report about it still counts there; a province outside every area has no row.
    """
    ids, names = areas[AREA_ID].to_numpy(), areas[AREA_NAME].to_numpy()
    iso_of_area = area_provinces(areas, province_polygons)
    iso = province_polygons[AREA_ID].to_numpy()
    lone = np.flatnonzero(~np.isin(iso, iso_of_area))
    points = shapely.point_on_surface(province_polygons.geometry.values[lone])
    hit = join_points(shapely.get_x(points), shapely.get_y(points), areas.geometry.values)
    found = hit >= 0
    members = pd.DataFrame(
        {
            AREA_ID: np.concatenate([ids, ids[hit[found]]]),
            AREA_NAME: np.concatenate([names, names[hit[found]]]),
            PROVINCE_ISO: np.concatenate([iso_of_area, iso[lone[found]]]),
        }
    )
    return members[members[PROVINCE_ISO] != ""].reset_index(drop=True)  # areas outside every province


def _spread_over_province(rows: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Each report about a whole province, once for each of its areas (:func:`province_members`)."""
    return rows.drop(columns=[AREA_ID, AREA_NAME], errors="ignore").merge(members, on=PROVINCE_ISO, how="inner")


def locate_on_districts(
    reports: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    *,
    geocoded: pd.DataFrame | None = None,
    engine: str = "pandas",
    ahead: PointsAhead | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Land each report on the bundled districts (rules in the module docstring).

    Parameters
    ----------
    reports
        Validated reports (:func:`geomap.reports.read_reports`).
    districts
        District polygons with ``area_id``, ``area_name`` and ``province_iso``
        (:func:`geomap.levels.level_areas` with ``"district"``).
    geocoded
        The geocoder's answer for each report, as for :func:`locate_reports`.
    engine, ahead
        As for :func:`locate_reports` (``ahead`` from :func:`points_ahead` with ``districts=True``).

    Returns
    -------
    (located, unresolved)
        As :func:`locate_reports`, and ``located`` also has ``scope``:
        ``"district"`` for a report about a place in the district,
        ``"province-wide"`` for a report about the whole province.

    Examples
    --------
    A report naming Kandahar province lands on each of Kandahar's districts, except
    where a report of the same date names the district itself.
    """
    located, unresolved, _ = _locate_on_districts(reports, districts, geocoded=geocoded, engine=engine, ahead=ahead)
    return located, unresolved


def _locate_on_districts(
    reports: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    *,
    geocoded: pd.DataFrame | None,
    engine: str,
    ahead: PointsAhead | None,
    defer: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, AreaText | None]:
    """:func:`locate_on_districts`; with ``defer``, the area columns of ``located`` may be left to
    build (:class:`AreaText`, else ``None``)."""
    area_ids = districts[AREA_ID].to_numpy()
    area_names = districts[AREA_NAME].to_numpy()
    district_iso = districts[PROVINCE_ISO].to_numpy()
    geoms = districts.geometry.values
    (frame, _given), pairs, (hits,) = _prepare_and_join(
        reports, geocoded, engine, *_district_joins(districts, engine), ahead=ahead
    )
    index = _named_districts(frame[DISTRICT_ID], area_ids)
    # A district the geocoder found by name is that district, wherever its point was put.
    by_name = np.flatnonzero((index == -1) & equals_text(frame[KIND], "district"))
    if by_name.size:
        index[by_name] = _district_by_name(
            frame[NAME].to_numpy()[by_name], frame[PROVINCE_ISO].to_numpy()[by_name], area_names, district_iso
        )
    need_point = (index == -1) & _has_point(frame)
    index = _index_by_points(frame, index, need_point, area_ids, geoms, engine, pairs, hits)
    # A province-wide report given by coordinates belongs to the province of the district around them.
    # Whether a report is about a whole province does not depend on its province: without any, the
    # provinces are filled in while the area columns are taken.
    about = about_province(frame)
    if about.any():
        _fill_district_province(frame, index, district_iso)
    wide = about & equals_text(frame[PROVINCE_ISO], "", equal=False) if about.any() else about
    specific = (index >= 0) & ~wide
    positions = _shared_codes(index if specific.all() else index[specific])
    area_text: AreaText | None = None
    if defer and not wide.any():  # (province-wide rows are joined to the districts' rows by these columns)
        # every report placed in a district and none with a province of its own: the provinces are
        # the districts', written with the area columns
        iso_left = not about.any() and bool(equals_text(frame[PROVINCE_ISO], "").all()) and bool(specific.all())
        if not about.any() and not iso_left:
            _fill_district_province(frame, index, district_iso)
        main = frame.copy(deep=False) if specific.all() else _rows_where(frame, specific)
        area_text = AreaText(area_ids, area_names, positions, main.shape[1])
        if iso_left:
            area_text.leave_province(main, np.append(district_iso, ""), positions)
    else:
        _, ids, names = _concurrently(
            lambda: None if about.any() else _fill_district_province(frame, index, district_iso),
            lambda: _take(area_ids, positions),
            lambda: _take(area_names, positions),
            parallel=len(frame) >= PARALLEL_MIN_ROWS,
        )
        main = frame.copy(deep=False) if specific.all() else _rows_where(frame, specific)  # no copy of every report
        main[AREA_ID], main[AREA_NAME] = ids, names
    main[SCOPE] = constant_text(SPECIFIC, len(main))
    if wide.any():
        membership = pd.DataFrame({AREA_ID: area_ids, AREA_NAME: area_names, PROVINCE_ISO: district_iso})
        spread = _rows_where(frame, wide).merge(membership, on=PROVINCE_ISO, how="inner", sort=False)
        spread[SCOPE] = PROVINCE_WIDE
        located = pd.concat([main, _not_overriding(spread, main)], ignore_index=True)
    else:
        located = main.reset_index(drop=True)

    unplaced = (index < 0) & ~wide
    unresolved = _rows_where(frame, unplaced)  # new columns, never slices: a slice keeps every column's buffers
    no_reason = unresolved[REASON].eq("")
    unresolved.loc[no_reason, REASON] = np.where(
        unresolved.loc[no_reason, LAT].notna(), "outside every district", "place not found"
    )
    return located, unresolved.reset_index(drop=True), area_text


def _named_districts(district_ids: pd.Series, area_ids: np.ndarray) -> np.ndarray:
    """Position of the district each report's ``district_id`` (the geocoder's) names, ``-1`` for none."""
    index = np.full(len(district_ids), -1, dtype=np.int64)
    named = district_ids.ne("").to_numpy() if "" not in set(area_ids.tolist()) else np.ones(len(index), dtype=bool)
    if named.any():  # only geocoded reports name one
        found = district_ids[named].map(pd.Series(np.arange(len(area_ids)), index=area_ids)).fillna(-1).to_numpy()
        index[named] = np.where(found >= 0, found, -1).astype(np.int64)
    return index


def _fill_district_province(frame: pd.DataFrame, index: np.ndarray, district_iso: np.ndarray) -> None:
    """Give the reports placed in a district with no province of their own that district's province."""
    no_iso = equals_text(frame[PROVINCE_ISO], "") & (index >= 0)
    if not no_iso.any():
        return
    if no_iso.all() or not frame[PROVINCE_ISO].ne("").any():  # a whole column, taken in Arrow
        none = len(district_iso)
        frame[PROVINCE_ISO] = _take(np.append(district_iso, ""), np.where(no_iso, index, none))
    else:
        frame.loc[no_iso, PROVINCE_ISO] = district_iso[index[no_iso]]


def _district_by_name(names: np.ndarray, isos: np.ndarray, area_names: np.ndarray, area_isos: np.ndarray) -> np.ndarray:
    """Index of the district with this name in this province (``-1`` if none, or more than one)."""
    keys = pd.Series([f"{_fold(n)}|{i}" for n, i in zip(area_names, area_isos, strict=True)])
    unique = keys[~keys.duplicated(keep=False)]
    lookup = pd.Series(unique.index.to_numpy(), index=unique.to_numpy())
    wanted = [f"{_fold(n)}|{i}" if isinstance(n, str) else "" for n, i in zip(names, isos, strict=True)]
    index: np.ndarray = pd.Series(wanted, dtype=object).map(lookup).fillna(-1).astype(np.int64).to_numpy()
    return index


def _fold(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _not_overriding(spread: pd.DataFrame, specific: pd.DataFrame) -> pd.DataFrame:
    """Province-wide rows, less those on a district and date that a specific report already speaks for."""
    if spread.empty or specific.empty:
        return spread
    taken = pd.MultiIndex.from_arrays([specific[AREA_ID], specific[DATE]])
    keep = ~pd.MultiIndex.from_arrays([spread[AREA_ID], spread[DATE]]).isin(taken)
    return spread[keep]
