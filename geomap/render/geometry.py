"""Geometry for display: simplified, rounded and encoded as short integer deltas.

:func:`encode_geometry` is the only encoder; the page's ``decode`` in ``static/geomap.js``
is the only decoder (tests run it in a browser)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from geomap.errors import InputError

if TYPE_CHECKING:
    pass

COORDINATE_DECIMALS = 5
"""Decimals kept in the map's coordinates (about 1 m)."""


def display_geometries(geoms: Sequence[Any] | np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify polygons for display, keeping shared borders shared, and round their coordinates.

    Uses :func:`shapely.coverage_simplify`; a polygon that comes out empty or invalid is
    simplified on its own instead (or kept as it was), and one that rounding would make
    invalid keeps its unrounded coordinates.

    Parameters
    ----------
    geoms
        Polygons that form a coverage (neighbours share borders, no overlaps).
    tolerance
        Simplification tolerance in the geometries' units; ``0`` keeps them.

    Returns
    -------
    numpy.ndarray
        The geometries, with coordinates rounded to :data:`COORDINATE_DECIMALS`.
    """
    if not math.isfinite(tolerance) or tolerance < 0:
        raise InputError(f"simplify tolerance {tolerance!r} must be >= 0 and finite (0 disables simplification)")
    original = np.asarray(geoms, dtype=object)
    result = original
    if tolerance > 0:
        try:
            result = shapely.coverage_simplify(original, tolerance)
        except shapely.errors.GEOSException:
            result = shapely.simplify(original, tolerance, preserve_topology=True)
        bad = shapely.is_empty(result) | ~shapely.is_valid(result)
        if bad.any():
            alone = shapely.simplify(original[bad], tolerance, preserve_topology=True)
            fallback = np.where(shapely.is_empty(alone) | ~shapely.is_valid(alone), original[bad], alone)
            result = result.copy()
            result[bad] = fallback
    rounded = shapely.transform(result, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    # Rounding can collapse a sliver to too few points; such a polygon keeps its unrounded coordinates.
    return np.where(shapely.is_valid(rounded) | ~shapely.is_valid(result), rounded, result)


def outline_of(geoms: np.ndarray) -> Any:
    """The outer border of the union of the areas (holes between areas dropped)."""
    try:
        union = shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        union = shapely.union_all(geoms)
    union = shapely.make_valid(union) if not shapely.is_valid(union) else union
    parts = shapely.get_parts(union)
    polygons = [p for p in parts if p.geom_type == "Polygon" and p.area > 0]
    rings = [shapely.Polygon(p.exterior) for p in polygons]
    return shapely.MultiPolygon(rings) if len(rings) > 1 else (rings[0] if rings else union)


def encode_geometry(geom: Any) -> list[list[list[int]]]:
    """A (multi)polygon as integer deltas: ``[[ring, ...], ...]``, one list per polygon.

    Each ring is a flat list ``[x0, y0, dx1, dy1, ...]`` in units of ``10**-COORDINATE_DECIMALS``
    degrees: the first point absolute, each next one as the difference from the one before.
    Short integers instead of decimal numbers make the geometry about half as long as GeoJSON;
    the page turns them back into GeoJSON coordinates when it loads.
    """
    scale = 10**COORDINATE_DECIMALS
    polygons = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if not polygons and geom.geom_type == "MultiPolygon":
        polygons = list(geom.geoms)
    encoded = []
    for polygon in polygons:
        rings = []
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.rint(shapely.get_coordinates(ring) * scale).astype(np.int64)
            rings.append(np.diff(xy, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel().tolist())
        encoded.append(rings)
    return encoded


NEIGHBOURS_FILE = "neighbours.geojson"
"""Afghanistan's neighbours (Natural Earth, simplified), drawn under maps without tiles."""


BACKDROP_FADE = (1.0, 0.55, 0.3, 0.12)
"""Opacity of the neighbours' borders from the middle of the backdrop out to its edge, in bands."""


@cache
def _neighbour_polygons() -> tuple[tuple[str, Any], ...]:
    from geomap._data import data_file

    path = data_file(NEIGHBOURS_FILE)
    if not path.exists():
        return ()
    collection = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        (str(f.get("properties", {}).get("name", "")), shapely.geometry.shape(f["geometry"]))
        for f in collection.get("features", [])
    )


def neighbour_polygons(bounds: Sequence[float]) -> list[tuple[str, Any]]:
    """The bundled neighbours ``(name, polygon)`` when the areas lie among them (Afghanistan), else ``[]``."""
    found = list(_neighbour_polygons())
    if not found or not shapely.box(*shapely.total_bounds([g for _, g in found])).contains(shapely.box(*bounds)):
        return []
    return found


def neighbours(bounds: Sequence[float]) -> list[Any] | None:
    """The neighbours' borders, fading out towards the edge of the bundled extent, or ``None``.

    Only real borders are drawn (the sides of the clipping box are left out) and the backdrop
    has no fill of its own, so it shows no edge at any zoom: its lines thin out to nothing.

    Returns
    -------
    list or None
        ``[[opacity, lines], ...]``, ``lines`` as in :func:`encode_lines`.
    """
    found = neighbour_polygons(bounds)
    if not found:
        return None
    geoms = [g for _, g in found]
    extent = shapely.box(*shapely.total_bounds(geoms))
    borders = shapely.difference(shapely.union_all(shapely.boundary(geoms)), shapely.boundary(extent).buffer(1e-6))
    minx, miny, maxx, maxy = extent.bounds
    step = min(maxx - minx, maxy - miny) / (2 * len(BACKDROP_FADE) + 2)
    bands = []
    for k, opacity in enumerate(reversed(BACKDROP_FADE)):
        ring = shapely.box(minx + k * step, miny + k * step, maxx - k * step, maxy - k * step)
        band = ring if k == len(BACKDROP_FADE) - 1 else shapely.difference(ring, ring.buffer(-step, join_style="mitre"))
        part = shapely.intersection(borders, band)
        if not part.is_empty:
            bands.append([opacity, encode_lines(part)])
    return bands or None


def encode_lines(geom: Any) -> list[list[int]]:
    """Lines (or polygon boundaries) as integer deltas, one flat ``[x0, y0, dx1, dy1, ...]`` per line.

    The page decodes them with the same decoder as polygons (one "polygon" whose rings are the lines).
    """
    scale = 10**COORDINATE_DECIMALS
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("LineString", "LinearRing") and not p.is_empty]
    merged = shapely.line_merge(shapely.MultiLineString(parts)) if parts else shapely.MultiLineString()
    lines = [p for p in shapely.get_parts(merged) if not p.is_empty]
    out = []
    for line in lines:
        xy = np.rint(shapely.get_coordinates(line) * scale).astype(np.int64)
        out.append(np.diff(xy, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel().tolist())
    return out
