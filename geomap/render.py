"""Folium maps of a control timeline: one choropleth whose colours follow a date slider.

:func:`control_map` turns a :class:`geomap.timeline.ControlTimeline` into a
:class:`folium.Map`; :func:`map_html` returns the complete HTML document (this
module writes no files). The polygons travel once, as one GeoJSON with rounded
coordinates; what changes from date to date travels as a compact status table
(one character per area per date) and each report travels once, referenced by
index. Everything taken from the data (area names, places, sources, notes, the
title, the scheme's labels) is put in the page as JSON inside
``<script type="application/json">`` and shown with ``textContent``, so it is
displayed as text and never runs.

With ``self_contained=True`` the page makes no request at all: Leaflet's script
and stylesheet are inlined from the ``xstatic-leaflet`` package, folium's CDN
links (jQuery, Bootstrap, Font Awesome) are left out, and, unless tiles are
asked for, the map shows the areas and the outline of their union on a plain
background.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import shapely

from geomap.errors import InputError
from geomap.reports import parse_date
from geomap.schema import AREA_ID, AREA_NAME, CONFLICT, DATE, EVIDENCE, LAT, LON, NOTE, PLACE, SINCE, SOURCE, STATUS

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from geomap.scheme import StatusScheme

__all__ = [
    "MapData",
    "build_map",
    "control_map",
    "decode_geometry",
    "display_geometries",
    "encode_geometry",
    "json_for_script",
    "map_data",
    "map_html",
    "page_payload",
    "tile_source",
]

STATUS_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
"""One character per status index in the per-area status strings."""

COORDINATE_DECIMALS = 5
"""Decimals kept in the map's coordinates (about 1 m)."""

_LAYER_MODES = ("slider", "per-date")
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


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


def control_map(
    timeline: Any,
    *,
    layers: Literal["slider", "per-date"] = "slider",
    self_contained: bool = False,
    title: str | None = None,
    markers: bool = False,
    tiles: str | None = None,
    tile_attribution: str | None = None,
    simplify_tolerance: float = 0.005,
    start_date: dt.date | str | None = None,
) -> folium.Map:
    """Draw a control timeline as a Folium choropleth with a date slider.

    Parameters
    ----------
    timeline
        A :class:`geomap.timeline.ControlTimeline`.
    layers
        ``"slider"`` (default): one map whose colours follow a date slider (play/pause, arrow keys,
        the date in the URL fragment, e.g. ``map.html#2021-08-12``). ``"per-date"``: one Folium
        layer per reporting date in a layer control, only the last date shown at first.
    self_contained
        Inline Leaflet and load nothing from the network, so the file works offline. Without
        ``tiles`` the map then has no basemap: the areas and their outline on a plain background.
    title
        A title shown above the counts panel and as the page title.
    markers
        Add a circle per reported place (from the reports' ``lat``/``lon``), coloured by the
        status of its latest report on or before the shown date.
    tiles
        A Folium/xyzservices tile name or URL template. ``None``: ``"OpenStreetMap"``, or no
        tiles when ``self_contained``. ``"none"``: no tiles.
    simplify_tolerance
        Tolerance in degrees for simplifying the polygons for display (shared borders stay
        shared, see :func:`shapely.coverage_simplify`); ``0`` keeps them as they are.
    start_date
        The date shown when the page opens without a date in its URL fragment (the nearest
        reporting date on or before it); by default the last reporting date.

    Returns
    -------
    folium.Map
        Displays inline in Jupyter; :func:`map_html` gives the HTML document.

    Raises
    ------
    InputError
        An unknown ``layers`` value, a negative tolerance, a timeline without dates or areas,
        or a scheme with more than 36 statuses.

    Examples
    --------
    >>> m = control_map(timeline, title="Taliban offensive, summer 2021")  # doctest: +SKIP
    >>> html = map_html(m)  # doctest: +SKIP
    """
    if layers not in _LAYER_MODES:
        raise InputError(f"layers={layers!r} is not a layer mode; use one of {', '.join(_LAYER_MODES)}")
    data = map_data(timeline, title=title)
    return build_map(
        data,
        layers=layers,
        self_contained=self_contained,
        markers=markers,
        tiles=tiles,
        tile_attribution=tile_attribution,
        simplify_tolerance=simplify_tolerance,
        start_date=start_date,
    )


def map_html(m: folium.Map) -> str:
    """The complete HTML document of a map made by :func:`control_map`.

    Parameters
    ----------
    m
        The map.

    Returns
    -------
    str
        The page, ready to be written to a ``.html`` file.
    """
    return m.get_root().render()


# --------------------------------------------------------------------------------------------------
# Timeline -> MapData


def map_data(timeline: Any, *, title: str | None = None) -> MapData:
    """Gather what the page needs from a control timeline (see :class:`MapData`)."""
    scheme = timeline.scheme
    _check_scheme(scheme)
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


def _check_scheme(scheme: StatusScheme) -> None:
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
                | {"lat": None, "lon": None}
            )
        refs.append(index[key])
    return refs


# --------------------------------------------------------------------------------------------------
# Geometry


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


def _outline(geoms: np.ndarray) -> Any:
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


def decode_geometry(encoded: list[list[list[int]]]) -> Any:
    """The inverse of :func:`encode_geometry` (what the page does), as a shapely geometry."""
    scale = 10**COORDINATE_DECIMALS
    polygons = []
    for rings in encoded:
        coords = [np.cumsum(np.asarray(flat, dtype=np.int64).reshape(-1, 2), axis=0) / scale for flat in rings]
        polygons.append(shapely.Polygon(coords[0], coords[1:]))
    return shapely.MultiPolygon(polygons)


# --------------------------------------------------------------------------------------------------
# MapData -> page data (JSON)


def page_payload(data: MapData, *, simplify_tolerance: float = 0.005, outline: bool = False) -> dict:
    """The JSON object the page reads: geometry once, a status table, reports once.

    Parameters
    ----------
    data
        What to show.
    simplify_tolerance
        See :func:`display_geometries`.
    outline
        Also send the outline of the areas' union (drawn when there are no tiles).

    Returns
    -------
    dict
        ``dates``, ``statuses``, ``names``, ``ids``, ``areas`` (per area its geometry, see
        :func:`encode_geometry`), ``scale``, ``table`` (per area a string of one status character
        per date), ``since``, ``conflict``, ``evidence``, ``reports``, ``noun``, ``title``,
        ``range`` and, with ``outline``, ``outline`` and ``neighbours`` (around Afghanistan).
    """
    geoms = display_geometries(data.areas.geometry.values, simplify_tolerance)
    codes = np.asarray(data.codes)
    if codes.shape != (len(data.areas), len(data.dates)):
        raise InputError(
            f"status table has shape {codes.shape}; expected {(len(data.areas), len(data.dates))} (areas, dates)"
        )
    alphabet = np.frombuffer(STATUS_ALPHABET.encode("ascii"), dtype=np.uint8)
    chars = alphabet[codes.astype(np.intp)]
    table = [row.tobytes().decode("ascii") for row in chars]
    report_dates = sorted(r["date"] for r in data.reports if r.get("date"))
    first = report_dates[0] if report_dates else data.dates[0].isoformat()
    last = report_dates[-1] if report_dates else data.dates[-1].isoformat()
    key_index = {key: i for i, key in enumerate(data.scheme.keys)}
    reports = [
        [
            r["date"],
            r["place"],
            key_index.get(r["status"], -1),
            r["source"],
            r["note"],
            r.get("lat"),
            r.get("lon"),
        ]
        for r in data.reports
    ]
    payload = {
        "title": data.title,
        "noun": data.area_noun,
        "dates": [d.isoformat() for d in data.dates],
        "range": [first, last],
        "statuses": [{"label": s.label, "color": s.color} for s in data.scheme.statuses],
        "unknown": key_index[data.scheme.unknown],
        "ids": [str(v) for v in data.areas[AREA_ID]],
        "names": [_text(v) for v in data.areas[AREA_NAME]],
        "scale": 10**COORDINATE_DECIMALS,
        "areas": [encode_geometry(g) for g in geoms],
        "table": table,
        "since": [[[j, s] for j, s in runs] for runs in data.since] if data.since else [],
        "conflict": data.conflict or [],
        "evidence": [[[j, refs] for j, refs in runs] for runs in data.evidence] if data.evidence else [],
        "reports": reports,
    }
    if outline:
        payload["outline"] = encode_geometry(_outline(geoms))
        neighbours = _neighbours(data.areas.total_bounds)
        if neighbours is not None:
            payload["neighbours"] = neighbours
    return payload


NEIGHBOURS_FILE = "neighbours.geojson"
"""Afghanistan's neighbours (Natural Earth, simplified), drawn under maps without tiles."""


def _neighbours(bounds: Sequence[float]) -> list | None:
    """The bundled neighbour polygons when the areas lie among them (Afghanistan), else ``None``."""
    from geomap._data import data_file

    path = data_file(NEIGHBOURS_FILE)
    if not path.exists():
        return None
    collection = json.loads(path.read_text(encoding="utf-8"))
    geoms = [shapely.geometry.shape(f["geometry"]) for f in collection.get("features", [])]
    if not geoms or not shapely.box(*shapely.total_bounds(geoms)).contains(shapely.box(*bounds)):
        return None
    return [encode_geometry(g) for g in geoms]


def json_for_script(payload: Any) -> str:
    """JSON safe to place inside ``<script type="application/json">``.

    ``<``, ``>``, ``&`` and the line separators U+2028/U+2029 are written as ``\\u`` escapes,
    so no text in the data can close the script element or start markup.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_ESCAPE_RE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


# --------------------------------------------------------------------------------------------------
# Folium


@cache
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's script and stylesheet from xstatic-leaflet, images inlined as data URIs."""
    try:
        from xstatic.pkg import leaflet
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError("self-contained maps need the xstatic-leaflet package: pip install xstatic-leaflet") from exc
    base = Path(leaflet.BASE_DIR)
    script = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        image = base / "images" / match.group(1)
        # Only the layer control's icons are used: markers here are circles, not Leaflet's default icon.
        if not match.group(1).startswith("layers") or not image.exists():
            return "none"
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    css = re.sub(r"url\(images/([A-Za-z0-9_.-]+\.png)\)", inline, css)
    # A script element ends at the first "</script": keep Leaflet's code from ever containing one.
    script = script.replace("</script", "<\\/script")
    css = css.replace("</style", "<\\/style")
    return script, css


def build_map(
    data: MapData,
    *,
    layers: Literal["slider", "per-date"] = "slider",
    self_contained: bool = False,
    markers: bool = False,
    tiles: str | None = None,
    tile_attribution: str | None = None,
    simplify_tolerance: float = 0.005,
    start_date: dt.date | str | None = None,
) -> folium.Map:
    """Build the Folium map from :class:`MapData` (see :func:`control_map` for the options)."""
    import folium

    if layers not in _LAYER_MODES:
        raise InputError(f"layers={layers!r} is not a layer mode; use one of {', '.join(_LAYER_MODES)}")
    _check_scheme(data.scheme)
    tile_choice = _tile_choice(tiles, self_contained)
    tile_info = None if tile_choice is None else tile_source(tile_choice, tile_attribution)
    payload = page_payload(data, simplify_tolerance=simplify_tolerance, outline=tile_choice is None)
    start = _start_index(data.dates, start_date)
    minx, miny, maxx, maxy = data.areas.total_bounds
    # No tiles through folium: its templates would evaluate template syntax in a URL at build time.
    # The page adds the tile layer itself from the checked URL, passed as data.
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=6,
        tiles=None,
        prefer_canvas=False,
        control_scale=True,
    )
    if self_contained:
        # Instance attributes shadow folium's CDN lists (Leaflet, jQuery, Bootstrap, Font Awesome).
        m.default_js = []
        m.default_css = []
    groups: list[folium.FeatureGroup] = []
    if layers == "per-date":
        for j, day in enumerate(data.dates):
            group = folium.FeatureGroup(name=day.isoformat(), overlay=True, show=j == start)
            group.add_to(m)
            groups.append(group)
    layer = _control_layer(
        payload,
        mode=layers,
        start=start,
        markers=markers,
        self_contained=self_contained,
        plain_background=tile_choice is None,
        tiles=tile_info,
        groups=[g.get_name() for g in groups],
    )
    layer.add_to(m)
    if layers == "per-date":
        folium.LayerControl(collapsed=len(groups) > 12).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def _tile_choice(tiles: str | None, self_contained: bool) -> str | None:
    if tiles is None:
        return None if self_contained else "OpenStreetMap"
    if str(tiles).strip().lower() in {"", "none"}:
        return None
    return str(tiles)


_TILE_URL_RE = re.compile(
    r"https?://(?P<host>(?:\{s\}\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?)"
    r"(?:/[A-Za-z0-9._~!$&()*+,;=:@%/?-]*|\{[a-z]\})*"
)
_TILE_PLACEHOLDERS = {"{z}", "{x}", "{y}"}
_TILE_ALLOWED = {"{z}", "{x}", "{y}", "{s}", "{r}"}


def tile_source(tiles: str, attribution: str | None = None) -> dict[str, Any]:
    """Check a basemap choice and say how the page loads it.

    Parameters
    ----------
    tiles
        A tile provider name known to xyzservices (``"OpenStreetMap"``, ``"CartoDB positron"``)
        or an ``http(s)`` URL template with ``{z}``, ``{x}`` and ``{y}`` (``{s}`` and ``{r}``
        allowed too).
    attribution
        Credit shown in the map's corner, as plain text. Default: the provider's own credit,
        or ``"Tiles: <host>"`` for a URL.

    Returns
    -------
    dict
        ``url``, ``attribution`` (HTML: a provider's credit or escaped text) and ``max_zoom``.
        The page gives them to Leaflet as data; they never pass through a template.

    Raises
    ------
    InputError
        Not a known provider and not a valid tile URL template.
    """
    import html

    text = str(tiles).strip()
    credit = None if attribution is None else html.escape(str(attribution), quote=True)
    if "://" in text or "{" in text or "/" in text:
        match = _TILE_URL_RE.fullmatch(text)
        braces = set(re.findall(r"\{[^{}]*\}", text))
        if match is None or not _TILE_PLACEHOLDERS <= braces or not braces <= _TILE_ALLOWED or text.count("{") != text.count("}"):
            raise InputError(
                f"tiles {text!r} is not a tile URL template: use http(s)://host/path/{{z}}/{{x}}/{{y}}.png "
                "(placeholders {z}, {x}, {y}, optional {s} and {r}; no spaces, quotes or markup)"
            )
        host = match.group("host").replace("{s}.", "")
        return {"url": text, "attribution": credit or html.escape(f"Tiles: {host}"), "max_zoom": 19, "subdomains": "abc"}
    import xyzservices

    try:
        provider = xyzservices.providers.query_name(text)
    except ValueError:
        raise InputError(
            f"tiles {text!r} is not a known tile provider; use a name such as 'OpenStreetMap' or "
            "'CartoDB positron', a URL template with {z}/{x}/{y}, or 'none'"
        ) from None
    if provider.requires_token():
        raise InputError(f"tile provider {text!r} needs an API key; pass its URL template with the key instead")
    return {
        "url": provider.build_url(scale_factor="{r}"),
        # The provider's credit comes from the xyzservices package (links to its data source), not from the user.
        "attribution": credit or provider.html_attribution,
        "max_zoom": int(provider.get("max_zoom", 19)),
        "subdomains": str(provider.get("subdomains", "abc")),
    }


def _start_index(dates: list[dt.date], start_date: dt.date | str | None) -> int:
    if start_date is None:
        return len(dates) - 1
    day = parse_date(start_date, "start date")
    on_or_before = [j for j, d in enumerate(dates) if d <= day]
    return on_or_before[-1] if on_or_before else 0


@cache
def _control_layer_class() -> type:
    from branca.element import Element, MacroElement
    from jinja2 import Template

    class _Raw(Element):
        """Text placed in the page as it is (never parsed as a template)."""

        _template = Template("{{ this.text }}")

        def __init__(self, text: str) -> None:
            super().__init__()
            self._name = "GeomapRaw"
            self.text = text

    class ControlLayer(MacroElement):
        """Adds the page's data, styles and scripts to the figure.

        Everything goes in through :class:`_Raw` children, never through this element's own
        template: branca compiles a macro's output as a new Jinja template, so data text in
        a macro would be evaluated (``{{ ... }}``) at build time.
        """

        _template = Template("")

        def __init__(self, payload: dict, **options: Any) -> None:
            super().__init__()
            self._name = "GeomapControl"
            self.data_json = json_for_script(payload)
            self.self_contained = options.pop("self_contained")
            self.options = options

        @property
        def data_id(self) -> str:
            return f"geomap-data-{self.get_name()}"

        @property
        def options_json(self) -> str:
            return json_for_script({"dataId": self.data_id, **self.options})

        def render(self, **kwargs: Any) -> None:
            figure = self.get_root()
            if self.self_contained:
                script, css = _leaflet_assets()
                figure.header.add_child(_Raw(f"<style>{css}</style>"), name="leaflet_css_inline", index=0)
                figure.header.add_child(_Raw(f"<script>{script}</script>"), name="leaflet_js_inline", index=1)
            figure.header.add_child(_Raw(f"<style>{_CSS}</style>"), name="geomap_css")
            figure.header.add_child(_Raw(f"<script>{_JS}</script>"), name="geomap_js")
            figure.html.add_child(
                _Raw(f'<script type="application/json" id="{self.data_id}">{self.data_json}</script>'),
                name=self.data_id,
            )
            figure.script.add_child(
                _Raw(f"geomapControlMap({self._parent.get_name()}, {self.options_json});"),
                name=f"{self.data_id}-init",
            )
            super().render(**kwargs)

    return ControlLayer


def _control_layer(payload: dict, **options: Any) -> Any:
    return _control_layer_class()(payload, **options)


_CSS = """
.geomap-box{background:rgba(255,255,255,.94);border-radius:6px;box-shadow:0 1px 5px rgba(0,0,0,.35);
  padding:8px 10px;font:13px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#222;}
.geomap-title{font-weight:700;font-size:15px;margin-bottom:2px;max-width:320px;}
.geomap-range{color:#555;font-size:12px;margin-bottom:6px;}
.geomap-panel-date{font-weight:600;}
.geomap-counts{margin:0;padding:0;list-style:none;}
.geomap-counts li{display:flex;align-items:center;gap:6px;margin:2px 0;}
.geomap-changed{margin-top:6px;font-weight:600;}
.geomap-swatch{display:inline-block;width:14px;height:14px;border:1px solid #555;border-radius:2px;flex:none;}
.geomap-swatch.geomap-changed-swatch{border:3px solid #111;width:10px;height:10px;background:#fff;}
.geomap-legend h4{margin:0 0 4px;font-size:13px;}
.geomap-legend div{display:flex;align-items:center;gap:6px;margin:2px 0;}
.geomap-slider{display:flex;flex-direction:column;gap:4px;min-width:320px;}
.geomap-date{font-size:26px;font-weight:700;letter-spacing:.5px;font-variant-numeric:tabular-nums;}
.geomap-row{display:flex;align-items:center;gap:6px;}
.geomap-row input[type=range]{flex:1;min-width:220px;}
.geomap-row button{font:inherit;min-width:34px;padding:2px 6px;cursor:pointer;}
.geomap-hint{color:#666;font-size:11px;}
.geomap-tip b,.geomap-pop b{display:block;font-size:14px;}
.geomap-pop ol{margin:4px 0 0;padding-left:18px;max-height:220px;overflow:auto;}
.geomap-pop li{margin:3px 0;}
.geomap-pop .geomap-note{color:#444;font-style:italic;}
.leaflet-container.geomap-plain{background:#eef1f4;}
"""

_JS = r"""
var FILL_OPACITY = 0.78;
function geomapControlMap(map, opts) {
  "use strict";
  var data = JSON.parse(document.getElementById(opts.dataId).textContent);
  var dates = data.dates, statuses = data.statuses, names = data.names, nA = data.table.length, nD = dates.length;
  var ALPHA = "0123456789abcdefghijklmnopqrstuvwxyz";
  var codes = new Uint8Array(nA * nD);
  for (var i = 0; i < nA; i++) {
    var row = data.table[i];
    for (var j = 0; j < nD; j++) codes[i * nD + j] = ALPHA.indexOf(row.charAt(j));
  }
  function code(i, d) { return codes[i * nD + d]; }
  function changedAt(i, d) { return d > 0 && code(i, d) !== code(i, d - 1); }
  function runValue(runs, d, empty) {
    var value = empty;
    if (!runs) return value;
    for (var k = 0; k < runs.length && runs[k][0] <= d; k++) value = runs[k][1];
    return value;
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function swatch(color) {
    var s = el("span", "geomap-swatch");
    s.style.background = color;
    s.style.opacity = FILL_OPACITY;  // the same shade as the areas on the map
    return s;
  }
  function safeHref(text) {
    if (typeof text !== "string" || !/^https?:\/\//i.test(text.trim())) return null;
    try {
      var url = new URL(text.trim());
      return (url.protocol === "http:" || url.protocol === "https:") ? url.href : null;
    } catch (e) { return null; }
  }
  function statusLabel(k) { return statuses[k] ? statuses[k].label : "?"; }
  function noun() { return data.noun || "areas"; }
  function plural(n, word) {
    if (n !== 1) return word;
    return /ies$/.test(word) ? word.slice(0, -3) + "y" : (/s$/.test(word) ? word.slice(0, -1) : word);
  }

  function decode(polygons) {
    var scale = data.scale;
    return {type: "MultiPolygon", coordinates: polygons.map(function (rings) {
      return rings.map(function (flat) {
        var x = 0, y = 0, out = new Array(flat.length / 2);
        for (var k = 0; k < flat.length; k += 2) {
          x += flat[k]; y += flat[k + 1];
          out[k / 2] = [x / scale, y / scale];
        }
        return out;
      });
    })};
  }
  var areaFeatures = {type: "FeatureCollection", features: data.areas.map(function (g, i) {
    return {type: "Feature", properties: {i: i}, geometry: decode(g)};
  })};

  if (opts.tiles) {
    // The URL was checked in Python; the attribution is a provider's credit or escaped text.
    L.tileLayer(opts.tiles.url, {attribution: opts.tiles.attribution, maxZoom: opts.tiles.max_zoom,
      subdomains: opts.tiles.subdomains}).addTo(map);
  }
  var container = map.getContainer();
  if (opts.plain_background) container.classList.add("geomap-plain");
  if (data.title) { try { document.title = data.title; } catch (e) {} }

  function styleFor(i, d) {
    var changed = changedAt(i, d);
    return {fillColor: statuses[code(i, d)].color, fillOpacity: FILL_OPACITY,
            color: changed ? "#111111" : "#4d4d4d", weight: changed ? 3 : 0.7, opacity: 1};
  }
  function tooltipFor(i, d) {
    var box = el("div", "geomap-tip");
    box.appendChild(el("b", null, names[i]));
    box.appendChild(el("div", null, statusLabel(code(i, d)) + " on " + dates[d]));
    var since = runValue(data.since[i], d, null);
    if (since) box.appendChild(el("div", null, "since " + since));
    if (changedAt(i, d)) box.appendChild(el("div", null, "changed since " + dates[d - 1]));
    if (data.conflict[i] && data.conflict[i].indexOf(d) >= 0) box.appendChild(el("div", null, "conflicting reports"));
    return box;
  }
  function reportItem(r) {
    var li = el("li");
    var head = el("div");
    head.appendChild(el("span", null, r[0] + " · " + r[1] + " · " + statusLabel(r[2])));
    li.appendChild(head);
    if (r[3]) {
      var href = safeHref(r[3]);
      var src;
      if (href) {
        src = el("a", null, r[3]);
        src.href = href;
        src.target = "_blank";
        src.rel = "noopener noreferrer";
      } else {
        src = el("span", null, r[3]);
      }
      var line = el("div", null, "Source: ");
      line.appendChild(src);
      li.appendChild(line);
    }
    if (r[4]) li.appendChild(el("div", "geomap-note", r[4]));
    return li;
  }
  function popupFor(i, d) {
    var box = el("div", "geomap-pop");
    box.appendChild(el("b", null, names[i]));
    box.appendChild(el("div", null, statusLabel(code(i, d)) + " on " + dates[d]));
    var refs = runValue(data.evidence[i], d, []);
    if (!refs.length) {
      box.appendChild(el("div", null, "No report on or before this date."));
    } else {
      box.appendChild(el("div", null, refs.length === 1 ? "Report:" : refs.length + " reports:"));
      var list = el("ol");
      refs.forEach(function (k) { if (data.reports[k]) list.appendChild(reportItem(data.reports[k])); });
      box.appendChild(list);
    }
    return box;
  }
  function areaLayer(d, fixed) {
    var layers = new Array(nA);
    var geo = L.geoJSON(areaFeatures, {
      style: function (f) { return styleFor(f.properties.i, fixed ? d : state.d); },
      onEachFeature: function (f, layer) {
        var i = f.properties.i;
        layers[i] = layer;
        layer.bindTooltip(function () { return tooltipFor(i, fixed ? d : state.d); }, {sticky: true});
        layer.bindPopup(function () { return popupFor(i, fixed ? d : state.d); }, {maxWidth: 380});
      }
    });
    geo.areaLayers = layers;
    return geo;
  }

  // Without a basemap: neighbours underneath, the outline of all the areas on top.
  if (data.neighbours) {
    map.createPane("geomapBackdrop").style.zIndex = 350;
    L.geoJSON(data.neighbours.map(decode), {pane: "geomapBackdrop", interactive: false,
      style: {fillColor: "#e3e0d8", fillOpacity: 1, color: "#9c978d", weight: 1}}).addTo(map);
  }
  if (data.outline) {
    var outlinePane = map.createPane("geomapOutline");
    outlinePane.style.zIndex = 450;
    outlinePane.style.pointerEvents = "none";
    L.geoJSON(decode(data.outline), {pane: "geomapOutline", interactive: false,
      style: {fill: false, color: "#333333", weight: 2.2}}).addTo(map);
  }

  // Panel: title, data range, counts for the shown date.
  var panel = L.control({position: "topright"});
  var panelBox = el("div", "geomap-box geomap-panel");
  if (data.title) panelBox.appendChild(el("div", "geomap-title", data.title));
  panelBox.appendChild(el("div", "geomap-range", "Reports from " + data.range[0] + " to " + data.range[1]));
  var panelDate = el("div", "geomap-panel-date");
  panelBox.appendChild(panelDate);
  var countList = el("ul", "geomap-counts");
  var countItems = statuses.map(function (s) {
    var li = el("li");
    li.appendChild(swatch(s.color));
    var text = el("span");
    li.appendChild(text);
    countList.appendChild(li);
    return text;
  });
  panelBox.appendChild(countList);
  var changedLine = el("div", "geomap-changed");
  panelBox.appendChild(changedLine);
  panel.onAdd = function () { L.DomEvent.disableClickPropagation(panelBox); return panelBox; };
  panel.addTo(map);

  // Legend.
  var legend = L.control({position: "bottomright"});
  var legendBox = el("div", "geomap-box geomap-legend");
  legendBox.appendChild(el("h4", null, "Status"));
  statuses.forEach(function (s) {
    var line = el("div");
    line.appendChild(swatch(s.color));
    line.appendChild(el("span", null, s.label));
    legendBox.appendChild(line);
  });
  var changedKey = el("div");
  changedKey.appendChild(el("span", "geomap-swatch geomap-changed-swatch"));
  changedKey.appendChild(el("span", null, "changed since the previous date"));
  legendBox.appendChild(changedKey);
  legend.onAdd = function () { return legendBox; };
  legend.addTo(map);

  function updatePanel(d) {
    var counts = statuses.map(function () { return 0; });
    var changed = 0;
    for (var i = 0; i < nA; i++) {
      counts[code(i, d)]++;
      if (changedAt(i, d)) changed++;
    }
    panelDate.textContent = "On " + dates[d] + ":";
    countItems.forEach(function (node, k) {
      node.textContent = statuses[k].label + ": " + counts[k] + " of " + nA + " " + noun();
    });
    changedLine.textContent = d === 0 ? "First reporting date" :
      changed + " " + plural(changed, noun()) + " changed since " + dates[d - 1];
    return counts;
  }

  function dateFromHash() {
    var text = "";
    try { text = decodeURIComponent((window.location.hash || "").replace(/^#/, "")); } catch (e) { return null; }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
    var found = 0;
    for (var j = 0; j < nD; j++) if (dates[j] <= text) found = j;
    return found;
  }
  function writeHash(d) {
    try { history.replaceState(null, "", "#" + dates[d]); } catch (e) {}
  }

  var state = {d: opts.start, playing: null, lastStepMs: null};
  var api = {map: map, dates: dates, state: state, data: data};
  window.geomapMaps = window.geomapMaps || [];
  window.geomapMaps.push(api);

  if (opts.markers) addMarkers();

  if (opts.mode === "per-date") {
    var groups = opts.groups.map(function (name) { return window[name]; });
    var built = {};
    var buildGroup = function (d) {
      if (built[d]) return;
      built[d] = true;
      areaLayer(d, true).addTo(groups[d]);
    };
    var show = function (d, fromHash) {
      state.d = d;
      updatePanel(d);
      if (api.refreshMarkers) api.refreshMarkers(d);
      if (!fromHash) writeHash(d);
    };
    // One date at a time, like radio buttons: ticking a date hides the others, and the
    // shown date cannot be unticked (tick another one instead).
    var switching = false;
    // Deferred: the layer control is still handling the click and would not show the change.
    map.on("overlayadd", function (e) {
      var d = groups.indexOf(e.layer);
      if (d >= 0 && !switching) setTimeout(function () { selectOnly(d, false); }, 0);
    });
    map.on("overlayremove", function (e) {
      var d = groups.indexOf(e.layer);
      if (d >= 0 && d === state.d && !switching) {
        setTimeout(function () { if (!map.hasLayer(groups[d])) selectOnly(d, true); }, 0);
      }
    });
    groups.forEach(function (g, d) { g.on("add", function () { buildGroup(d); }); });
    var selectOnly = function (d, fromHash) {
      switching = true;
      try {
        groups.forEach(function (g, k) { if (k !== d && map.hasLayer(g)) map.removeLayer(g); });
        buildGroup(d);
        if (!map.hasLayer(groups[d])) groups[d].addTo(map);
      } finally {
        switching = false;
      }
      show(d, fromHash);
    };
    var initial = dateFromHash();
    selectOnly(initial === null ? opts.start : initial, true);
    window.addEventListener("hashchange", function () {
      var d = dateFromHash();
      if (d !== null) selectOnly(d, true);
    });
    api.setDate = function (d) { selectOnly(Math.max(0, Math.min(nD - 1, d)), false); };
    return api;
  }

  var geo = areaLayer(0, false).addTo(map);
  var areaLayers = geo.areaLayers;
  var shown = new Array(nA);

  // Slider control: the date (large), play/pause, previous/next, range input.
  var slider = L.control({position: "bottomleft"});
  var sliderBox = el("div", "geomap-box geomap-slider");
  var dateText = el("div", "geomap-date");
  sliderBox.appendChild(dateText);
  var rowBox = el("div", "geomap-row");
  var prev = el("button", "geomap-prev", "\u25C0");
  prev.type = "button"; prev.title = "Previous date (left arrow)";
  var play = el("button", "geomap-play", "\u25B6 Play");
  play.type = "button"; play.title = "Play / pause";
  var next = el("button", "geomap-next", "\u25B6");
  next.type = "button"; next.title = "Next date (right arrow)";
  var range = el("input", "geomap-range-input");
  range.type = "range"; range.min = "0"; range.max = String(nD - 1); range.step = "1";
  range.setAttribute("aria-label", "Reporting date");
  rowBox.appendChild(play); rowBox.appendChild(prev); rowBox.appendChild(range); rowBox.appendChild(next);
  sliderBox.appendChild(rowBox);
  sliderBox.appendChild(el("div", "geomap-hint", nD + " reporting dates, " + dates[0] + " to " + dates[nD - 1] +
    " \u00B7 arrow keys step"));
  slider.onAdd = function () {
    L.DomEvent.disableClickPropagation(sliderBox);
    L.DomEvent.disableScrollPropagation(sliderBox);
    return sliderBox;
  };
  slider.addTo(map);

  function restyle(d) {
    var front = [];
    for (var i = 0; i < nA; i++) {
      var layer = areaLayers[i];
      if (!layer) continue;
      var c = code(i, d), ch = changedAt(i, d);
      var key = c * 2 + (ch ? 1 : 0);
      if (shown[i] !== key) {
        layer.setStyle(styleFor(i, d));
        shown[i] = key;
      }
      if (ch) front.push(layer);
    }
    for (var k = 0; k < front.length; k++) front[k].bringToFront();
  }
  function setDate(d, fromHash) {
    d = Math.max(0, Math.min(nD - 1, d | 0));
    var t0 = performance.now();
    state.d = d;
    restyle(d);
    state.counts = updatePanel(d);
    dateText.textContent = dates[d];
    range.value = String(d);
    if (api.refreshMarkers) api.refreshMarkers(d);
    geo.eachLayer(function (layer) { if (layer.isTooltipOpen && layer.isTooltipOpen()) layer.closeTooltip(); });
    state.lastStepMs = performance.now() - t0;
    if (!fromHash) writeHash(d);
    return state.lastStepMs;
  }
  function stop() {
    if (state.playing) { clearInterval(state.playing); state.playing = null; }
    play.textContent = "\u25B6 Play";
  }
  function start() {
    if (state.d >= nD - 1) setDate(0, false);
    play.textContent = "\u275A\u275A Pause";
    state.playing = setInterval(function () {
      if (state.d >= nD - 1) { stop(); return; }
      setDate(state.d + 1, false);
    }, Math.max(80, Math.min(700, 20000 / nD)));
  }
  L.DomEvent.on(range, "input", function () { stop(); setDate(parseInt(range.value, 10), false); });
  L.DomEvent.on(prev, "click", function () { stop(); setDate(state.d - 1, false); });
  L.DomEvent.on(next, "click", function () { stop(); setDate(state.d + 1, false); });
  L.DomEvent.on(play, "click", function () { if (state.playing) stop(); else start(); });
  document.addEventListener("keydown", function (e) {
    if (e.target === range) return;
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    if (e.key === "ArrowLeft") { stop(); setDate(state.d - 1, false); e.preventDefault(); }
    else if (e.key === "ArrowRight") { stop(); setDate(state.d + 1, false); e.preventDefault(); }
  });
  window.addEventListener("hashchange", function () {
    var d = dateFromHash();
    if (d !== null && d !== state.d) setDate(d, true);
  });

  api.layers = areaLayers;
  api.setDate = function (d) { return setDate(d, false); };
  api.step = function () { return setDate(state.d + 1 >= nD ? 0 : state.d + 1, false); };
  api.play = start; api.stop = stop;
  var initialDate = dateFromHash();
  setDate(initialDate === null ? opts.start : initialDate, initialDate === null);
  return api;

  function addMarkers() {
    var places = {}, order = [];
    data.reports.forEach(function (r, k) {
      if (r[5] === null || r[6] === null || r[5] === undefined || r[6] === undefined) return;
      var key = r[1] + "\u0000" + r[5] + "\u0000" + r[6];
      if (!places[key]) { places[key] = {reports: [], lat: r[5], lon: r[6], name: r[1]}; order.push(key); }
      places[key].reports.push(k);
    });
    var group = L.featureGroup().addTo(map);
    var circles = order.map(function (key) {
      var p = places[key];
      p.reports.sort(function (a, b) { return data.reports[a][0] < data.reports[b][0] ? -1 : 1; });
      var circle = L.circleMarker([p.lat, p.lon], {radius: 5, weight: 1.5, color: "#222222", fillOpacity: 0.95});
      circle.bindTooltip(function () {
        var box = el("div", "geomap-tip");
        box.appendChild(el("b", null, p.name));
        box.appendChild(el("div", null, p.reports.length === 1 ? "1 report" : p.reports.length + " reports"));
        return box;
      });
      circle.bindPopup(function () {
        var box = el("div", "geomap-pop");
        box.appendChild(el("b", null, p.name));
        var list = el("ol");
        p.reports.forEach(function (k) { list.appendChild(reportItem(data.reports[k])); });
        box.appendChild(list);
        return box;
      }, {maxWidth: 380});
      return {circle: circle, place: p};
    });
    api.refreshMarkers = function (d) {
      var day = dates[d];
      circles.forEach(function (c) {
        var latest = null;
        c.place.reports.forEach(function (k) { if (data.reports[k][0] <= day) latest = k; });
        if (latest === null) { if (group.hasLayer(c.circle)) group.removeLayer(c.circle); return; }
        var s = statuses[data.reports[latest][2]];
        c.circle.setStyle({fillColor: s ? s.color : "#ffffff"});
        if (!group.hasLayer(c.circle)) group.addLayer(c.circle);
      });
    };
  }
}
"""
