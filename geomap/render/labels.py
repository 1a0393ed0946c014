"""Where the map's names go: one point inside each area, capitals, neighbouring countries.

The points are computed here once (pole of inaccessibility, so a name sits inside its area,
not at a centroid that may fall outside); which names are drawn at a given zoom is decided in
the page (``static/geomap.js``) and in still images (:mod:`geomap.render.image`), both in
priority order, skipping a name that would touch one already placed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geomap.render.geometry import NEIGHBOURS_FILE

QUARTERS_UP_TO = 100
"""Up to this many areas each area's quarters are label candidates too (with more, only halves)."""

__all__ = ["area_label_candidates", "area_label_points", "capital_points", "country_labels"]


def area_label_points(geoms: Sequence[Any] | np.ndarray) -> np.ndarray:
    """A point well inside each area: the centre of the largest circle inside its largest part.

    Uses GEOS's maximum inscribed circle (the pole of inaccessibility), vectorised.

    Parameters
    ----------
    geoms
        Polygons or multipolygons (degrees).

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` array of ``lon, lat`` (NaN for an empty geometry).
    """
    largest = np.array([_largest_part(g) for g in geoms], dtype=object)
    points = np.full((len(largest), 2), np.nan)
    present = np.array([g is not None for g in largest], dtype=bool)
    if present.any():
        shapes = largest[present]
        bounds = shapely.bounds(shapes)
        size = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
        circles = shapely.maximum_inscribed_circle(shapes, tolerance=np.maximum(size / 50, 1e-6))
        points[present] = shapely.get_coordinates(shapely.get_point(circles, 0))
    return points


def _largest_part(geom: Any) -> Any:
    if geom is None or geom.is_empty:
        return None
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if not parts:
        parts = [p for p in shapely.get_parts(shapely.make_valid(geom)) if p.geom_type == "Polygon"]
    return max(parts, key=lambda p: p.area) if parts else None


def area_label_candidates(geoms: Sequence[Any] | np.ndarray) -> list[list[tuple[float, float]]]:
    """Places for each area's name, best first: its pole of inaccessibility, then those of its
    upper, lower, left and right halves and of its four quarters (split through the first point).

    A renderer takes the first candidate where the name touches no other name, so a small area
    crowded by its neighbours' names can still be named inside itself.
    """
    geoms = np.asarray(geoms, dtype=object)
    best = area_label_points(geoms)
    candidates: list[list[tuple[float, float]]] = [[] if np.isnan(x) else [(float(x), float(y))] for x, y in best]
    ok = ~np.isnan(best[:, 0])
    if not ok.any():
        return candidates
    index = np.flatnonzero(ok)
    bounds = shapely.bounds(geoms[index])
    x, y = best[index, 0], best[index, 1]
    minx, miny, maxx, maxy = bounds.T
    pieces = [
        (minx, y, maxx, maxy),
        (minx, miny, maxx, y),
        (minx, miny, x, maxy),
        (x, miny, maxx, maxy),
        (x, y, maxx, maxy),
        (minx, y, x, maxy),
        (minx, miny, x, y),
        (x, miny, maxx, y),
    ]
    if len(geoms) > QUARTERS_UP_TO:
        pieces = pieces[:4]  # many areas (districts): halves only, to keep the build quick
    shapes = geoms[index]
    areas = shapely.area(shapes)
    for box in pieces:
        parts = shapely.intersection(shapes, shapely.box(*box))
        big = ~shapely.is_empty(parts) & (shapely.area(parts) >= 0.1 * areas)
        if not big.any():
            continue
        points = area_label_points(parts[big])
        for k, (px, py) in zip(index[big], points, strict=True):
            if not np.isnan(px):
                candidates[k].append((float(px), float(py)))
    return candidates


def capital_points(area_ids: Sequence[Any], geoms: Sequence[Any] | np.ndarray) -> list[tuple[int, str, float, float]]:
    """The provincial capitals of the bundled provinces among the areas, as ``(area_index, name, lon, lat)``.

    An area counts as a province when its id is an ISO 3166-2:AF code (``AF-GHA``) of the bundled
    table; other boundaries have no capitals to show. A capital is kept only when it lies inside
    its area (so boundaries that reuse the codes for other shapes get no misplaced dots).
    """
    from geomap._data import provinces_table

    table = provinces_table()
    by_iso = {row.iso: row for row in table.itertuples()}
    found = []
    for i, (area_id, geom) in enumerate(zip(area_ids, geoms, strict=True)):
        row = by_iso.get(str(area_id))
        if row is None or pd.isna(row.capital_lat) or pd.isna(row.capital_lon):
            continue
        point = shapely.Point(float(row.capital_lon), float(row.capital_lat))
        if geom is not None and shapely.covers(geom.buffer(0.01), point):
            found.append((i, str(row.capital), float(row.capital_lon), float(row.capital_lat)))
    return found


def country_labels(bounds: Sequence[float]) -> list[tuple[str, float, float]]:
    """Names of the neighbouring countries, each placed in its part near the areas.

    Returns ``(name, lon, lat)`` for each bundled neighbour with land within a margin of the
    areas' bounds (empty when the areas are not in Afghanistan's region).
    """
    from geomap._data import data_file

    path = data_file(NEIGHBOURS_FILE)
    if not path.exists():
        return []
    minx, miny, maxx, maxy = bounds
    margin = max(maxx - minx, maxy - miny) * 0.25
    near = shapely.box(minx - margin, miny - margin, maxx + margin, maxy + margin)
    inner = shapely.box(minx, miny, maxx, maxy)
    labels = []
    for feature in json.loads(path.read_text(encoding="utf-8")).get("features", []):
        geom = shapely.geometry.shape(feature["geometry"])
        part = shapely.intersection(geom, near)
        if part.is_empty or part.area < 0.02 * near.area * 0.01:
            continue
        # Prefer the part outside the areas' box, where the name does not sit on the areas.
        outside = shapely.difference(part, inner)
        target = outside if not outside.is_empty and outside.area > 0.2 * part.area else part
        (point,) = area_label_points([target])
        labels.append((str(feature.get("properties", {}).get("name", "")), float(point[0]), float(point[1])))
    return labels
