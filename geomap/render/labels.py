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
from shapely.ops import polylabel

from geomap.render.geometry import NEIGHBOURS_FILE

__all__ = ["area_label_candidates", "area_label_points", "capital_points", "country_labels"]


def area_label_points(geoms: Sequence[Any] | np.ndarray) -> np.ndarray:
    """A point well inside each area: the pole of inaccessibility of its largest part.

    Parameters
    ----------
    geoms
        Polygons or multipolygons (degrees).

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` array of ``lon, lat``.
    """
    points = np.zeros((len(geoms), 2))
    for i, geom in enumerate(geoms):
        parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
        if not parts:
            points[i] = np.nan
            continue
        largest = max(parts, key=lambda p: p.area)
        size = max(largest.bounds[2] - largest.bounds[0], largest.bounds[3] - largest.bounds[1])
        try:
            point = polylabel(largest, tolerance=max(size / 100, 1e-6))
        except Exception:
            point = largest.representative_point()
        points[i] = (point.x, point.y)
    return points


def area_label_candidates(geoms: Sequence[Any] | np.ndarray) -> list[list[tuple[float, float]]]:
    """Places for each area's name, best first: its pole of inaccessibility, then those of its
    upper, lower, left and right halves and of its four quarters (split through the first point).

    A renderer takes the first candidate where the name touches no other name, so a small area
    crowded by its neighbours' names can still be named inside itself.
    """
    best = area_label_points(geoms)
    candidates = []
    for geom, (x, y) in zip(geoms, best, strict=True):
        if np.isnan(x):
            candidates.append([])
            continue
        found = [(float(x), float(y))]
        minx, miny, maxx, maxy = geom.bounds
        halves = (
            shapely.box(minx, y, maxx, maxy),
            shapely.box(minx, miny, maxx, y),
            shapely.box(minx, miny, x, maxy),
            shapely.box(x, miny, maxx, maxy),
            shapely.box(x, y, maxx, maxy),
            shapely.box(minx, y, x, maxy),
            shapely.box(minx, miny, x, y),
            shapely.box(x, miny, maxx, y),
        )
        for half in halves:
            part = shapely.intersection(geom, half)
            if part.is_empty or part.area < 0.1 * geom.area:
                continue
            (point,) = area_label_points([part])
            if not np.isnan(point[0]):
                found.append((float(point[0]), float(point[1])))
        candidates.append(found)
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
