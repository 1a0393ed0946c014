"""Longitude/latitude polygons that cross the antimeridian (180 degrees).

A planar library such as shapely reads a ring whose longitudes go 179 -> -179 as an edge
running 358 degrees the other way round the world, and the bounds of areas on both sides
of 180 degrees (Fiji, Chukotka, a MultiPolygon split at 180) as -180..180. Done as
geospatial tools do it (RFC 7946, section 3.1.9 and 5.2):

- :func:`split_at_antimeridian` cuts rings drawn across 180 degrees into parts on either
  side, so point-in-polygon tests stay planar and right;
- :func:`lon_lat_bounds` gives the smallest box round the areas, ``west > east`` when it
  crosses 180 degrees;
- :func:`unwrap` shifts the parts east of 180 degrees by +360 so that a map can draw and
  fit them as one piece.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import shapely

import numpy as np

Bounds = tuple[float, float, float, float]

__all__ = [
    "Bounds",
    "PoleError",
    "crosses",
    "in_lon_range",
    "lon_lat_bounds",
    "split_at_antimeridian",
    "unwrap",
    "unwrap_lon",
]


class PoleError(ValueError):
    """A ring goes once round the globe (it encloses a pole), so it has no planar polygon."""


def split_at_antimeridian(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polygons drawn across 180 degrees (an edge jumping more than 180 degrees of longitude),
    cut there into a MultiPolygon with one part on each side.

    Returns the geometries (others unchanged) and a boolean array of which were cut.
    Raises :class:`PoleError` (with the position) for a ring that goes round a pole.
    """
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    cut = np.zeros(len(geoms), dtype=bool)
    if len(geoms) == 0:
        return geoms, cut
    bounds = shapely.bounds(geoms)
    wide = np.flatnonzero(bounds[:, 2] - bounds[:, 0] > 180)
    if wide.size == 0:
        return geoms, cut
    out = geoms.copy()
    for i in wide:
        parts = []
        changed = False
        for polygon in shapely.get_parts(geoms[i]):
            pieces = _split_polygon(polygon, int(i)) or None  # nothing left (no area): kept for the repair step
            changed |= pieces is not None
            parts.extend(pieces if pieces is not None else [polygon])
        if changed:
            out[i] = shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]
            cut[i] = True
    return out, cut


def _unwrap_ring(xy: np.ndarray, position: int) -> np.ndarray:
    step = np.diff(xy[:, 0])
    jump = np.where(step > 180, -360.0, np.where(step < -180, 360.0, 0.0))
    if jump.sum() != 0:
        raise PoleError(position)
    out = xy.copy()
    out[1:, 0] += np.cumsum(jump)
    return out


def _split_polygon(polygon: shapely.Polygon, position: int) -> list[shapely.Polygon] | None:
    import shapely

    rings = [polygon.exterior, *polygon.interiors]
    coords = [shapely.get_coordinates(r) for r in rings]
    if not any((np.abs(np.diff(c[:, 0])) > 180).any() for c in coords):
        return None
    shell = _unwrap_ring(coords[0], position)
    west = shell[:, 0].min()
    holes = []
    for hole in coords[1:]:
        hole = _unwrap_ring(hole, position)
        hole[:, 0] += 360.0 * np.ceil((west - hole[:, 0].min()) / 360.0 - 1e-9)  # into the shell's frame
        holes.append(hole)
    whole = shapely.Polygon(shell, holes)
    if not whole.is_valid:
        whole = shapely.make_valid(whole)
    pieces = []
    for turn in (-1, 0, 1):
        frame = shapely.box(-180 + 360 * turn, -90, 180 + 360 * turn, 90)
        piece = shapely.intersection(whole, frame)
        for part in shapely.get_parts(piece):
            if part.geom_type == "Polygon" and not part.is_empty and part.area > 0:
                pieces.append(shapely.transform(part, lambda c, t=turn: c - [360.0 * t, 0.0]))
    return pieces


def lon_lat_bounds(geoms: Sequence[object] | np.ndarray) -> Bounds:
    """``(west, south, east, north)`` of longitude/latitude geometries: the smallest box round them.

    When the smallest box crosses 180 degrees, ``west > east`` (as a GeoJSON ``bbox``), e.g.
    ``(177.0, -19.2, -178.0, -16.0)`` for Fiji rather than ``(-180, ..., 180, ...)``.
    """
    import shapely

    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    parts = parts[~shapely.is_empty(parts)]
    if len(parts) == 0:
        return (np.nan, np.nan, np.nan, np.nan)
    b = shapely.bounds(parts)
    south, north = float(b[:, 1].min()), float(b[:, 3].max())
    west, east = float(b[:, 0].min()), float(b[:, 2].max())
    if (b[:, 2] - b[:, 0]).max() > 180:
        return (west, south, east, north)
    order = np.argsort(b[:, 0], kind="stable")
    starts, ends = b[order, 0], np.maximum.accumulate(b[order, 2])
    gaps = starts[1:] - ends[:-1]
    wrap = starts[0] + 360 - ends[-1]
    if gaps.size == 0 or gaps.max() <= wrap:
        return (west, south, east, north)
    k = int(np.argmax(gaps))
    return (float(starts[k + 1]), south, float(ends[k]), north)


def crosses(bounds: Sequence[float]) -> bool:
    """Whether bounds from :func:`lon_lat_bounds` cross 180 degrees (``west > east``)."""
    return bool(bounds[0] > bounds[2])


def in_lon_range(lon: np.ndarray, west: float, east: float) -> np.ndarray:
    """Whether each longitude lies in ``west..east``, a range that crosses 180 degrees when ``west > east``."""
    lon = np.asarray(lon, dtype=float)
    if west <= east:
        return (lon >= west) & (lon <= east)
    return (lon >= west) | (lon <= east)


def unwrap(geoms: np.ndarray, bounds: Sequence[float]) -> np.ndarray:
    """The geometries with longitudes east of 180 degrees written as 180..540 (``lon + 360``) when
    ``bounds`` cross 180 degrees, so that they are one piece on a map; else unchanged."""
    import shapely

    if not crosses(bounds):
        return geoms
    east = float(bounds[2])

    def shift(coords: np.ndarray) -> np.ndarray:
        coords = coords.copy()
        coords[coords[:, 0] <= east, 0] += 360.0
        return coords

    geoms = np.asarray(geoms, dtype=object)
    bounds_before = shapely.bounds(geoms)
    shifted = shapely.transform(geoms, shift)
    # Parts cut at 180 degrees meet again there: join them, so no seam is drawn through an area.
    for i in np.flatnonzero(bounds_before[:, 2] - bounds_before[:, 0] > 180):
        joined = shapely.union_all(shapely.get_parts(shifted[i]))
        if joined.geom_type in ("Polygon", "MultiPolygon"):
            shifted[i] = joined
    return np.asarray(shifted, dtype=object)


def unwrap_lon(lon: np.ndarray, bounds: Sequence[float]) -> np.ndarray:
    """Longitudes as :func:`unwrap` writes them."""
    lon = np.asarray(lon, dtype=float)
    if not crosses(bounds):
        return lon
    return np.where(lon <= float(bounds[2]), lon + 360.0, lon)
