"""Boundary polygons: the bundled Afghan provinces and districts, or any polygon file a user brings.

Both loaders return a GeoDataFrame in EPSG:4326 with ``area_id`` and
``area_name`` columns (plus the file's own attributes), valid polygonal
geometries with counter-clockwise exterior rings, and ``gdf.attrs["repaired"]``
listing the ids of polygons that had to be repaired.
"""

from __future__ import annotations

import codecs
import errno
import math
import os
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from geomap._antimeridian import PoleError, split_at_antimeridian
from geomap._data import DISTRICTS_SHAPEFILE_NAME, bundled_shapefile
from geomap.errors import BoundaryError, row_message, shown
from geomap.schema import AREA_ID, AREA_NAME, DISTRICT_ID, PROVINCE, PROVINCE_ISO

PROVINCE_COLUMNS = ("iso", "name", "capital", "name_alt")
DISTRICT_COLUMNS = (DISTRICT_ID, "name", "name_alt", PROVINCE_ISO, PROVINCE)
#: Shapefile field names (at most 10 characters) of the bundled districts, and their column names.
_DISTRICT_FIELDS = {"id": DISTRICT_ID, "prov_iso": PROVINCE_ISO}


class AxisOrderWarning(UserWarning):
    """Boundaries that lie far from Afghanistan but would lie in it with latitude and longitude swapped."""


class RepairWarning(UserWarning):
    """Some polygons were invalid and have been repaired."""


@cache
def _read_provinces() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(bundled_shapefile(), engine="pyogrio")
    gdf = gdf.set_geometry(shapely.orient_polygons(gdf.geometry.values))  # shapefiles store rings clockwise
    gdf[AREA_ID] = gdf["iso"]
    gdf[AREA_NAME] = gdf["name"]
    gdf["name_alt"] = gdf["name_alt"].fillna("")
    gdf = gdf[[AREA_ID, AREA_NAME, *PROVINCE_COLUMNS, "geometry"]]
    gdf.attrs["repaired"] = []
    return gdf


@cache
def _read_districts() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(bundled_shapefile(DISTRICTS_SHAPEFILE_NAME), engine="pyogrio")
    gdf = gdf.set_geometry(shapely.orient_polygons(gdf.geometry.values))
    gdf = gdf.rename(columns=_DISTRICT_FIELDS)
    gdf["name_alt"] = gdf["name_alt"].fillna("")
    gdf[AREA_ID] = gdf[DISTRICT_ID]
    gdf[AREA_NAME] = gdf["name"]
    gdf = gdf[[AREA_ID, AREA_NAME, *DISTRICT_COLUMNS, "geometry"]]
    gdf.attrs["repaired"] = []
    return gdf


def load_provinces() -> gpd.GeoDataFrame:
    """Load the 34 Afghan provinces bundled with geomap.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per province, sorted by ISO code, EPSG:4326, with columns
        ``area_id`` (= ``iso``), ``area_name`` (= ``name``), ``iso``
        (ISO 3166-2:AF, e.g. ``AF-GHA``), ``name``, ``capital``, ``name_alt``
        (other spellings, ``|``-separated) and ``geometry``.

    Examples
    --------
    >>> provinces = load_provinces()
    >>> len(provinces), provinces.loc[provinces["iso"] == "AF-PAN", "capital"].item()
    (34, 'Bazarak')
    """
    return _read_provinces().copy()


def load_districts() -> gpd.GeoDataFrame:
    """Load the 398 Afghan districts bundled with geomap.

    The districts are geoBoundaries AFG ADM2 (AIMS 2014), simplified together so
    that neighbours still share their edges; the bundled provinces are the union
    of their districts, so every district lies exactly inside its province.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per district, sorted by id, EPSG:4326, with columns ``area_id``
        (= ``district_id``), ``area_name`` (= ``name``), ``district_id`` (the
        province's ISO code and the name in lower case, e.g. ``AF-GHA-muqur``),
        ``name``, ``name_alt`` (other spellings, ``|``-separated),
        ``province_iso``, ``province`` and ``geometry``.

    Examples
    --------
    >>> districts = load_districts()
    >>> len(districts), districts.loc[districts["district_id"] == "AF-GHA-muqur", "province"].item()
    (398, 'Ghazni')
    """
    return _read_districts().copy()


#: Marks, in ``attrs``, a GeoDataFrame :func:`load_boundaries` returned (checked, in EPSG:4326).
LOADED = "geomap_boundaries"
#: Ends the name a GeoDataFrame given instead of a file goes by in messages ("path (GeoDataFrame)").
IN_MEMORY = " (GeoDataFrame)"


def load_boundaries(
    path: str | os.PathLike[str] | gpd.GeoDataFrame,
    *,
    id_field: str,
    name_field: str,
    crs: str | int | CRS | None = None,
    encoding: str | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Load a polygon file (shapefile, GeoPackage, GeoJSON, ...) as map areas.

    Parameters
    ----------
    path
        The file to read, or polygons already in a GeoDataFrame (checked, repaired
        and reprojected the same way; the GeoDataFrame itself is not changed).
    id_field
        Attribute holding a unique, non-empty id per polygon.
    name_field
        Attribute holding the display name.
    crs
        The file's coordinate reference system. Required when the file (or the
        GeoDataFrame) states none (a shapefile without ``.prj``); when given it
        overrides the file's.
    encoding
        Text encoding of the attributes, e.g. ``"cp1256"``. By default a
        shapefile's ``.cpg`` is honoured and other formats are read as UTF-8.
    layer
        The layer to read from a file that holds several (a GeoPackage of several
        administrative levels); a file of one layer needs none.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326 with ``area_id`` and ``area_name`` first, then the file's
        attributes and ``geometry``. ``attrs["repaired"]`` lists repaired ids.

    Raises
    ------
    BoundaryError
        The file is missing or unreadable, holds several layers and none was
        chosen (or not the one named), has no CRS and none was given, lacks
        the id or name field, has empty or duplicate ids, has non-polygon or
        empty geometries, has coordinates impossible in its CRS, or has
        non-UTF-8 names and no ``.cpg`` and no ``encoding``.

    Warns
    -----
    RepairWarning
        When invalid polygons were repaired (their ids are in the message).
    """
    if isinstance(path, gpd.GeoDataFrame):
        for option, value in (("encoding", encoding), ("layer", layer)):
            if value is not None:
                raise BoundaryError(f"{option}: is for reading a file; a GeoDataFrame is given, so leave it out")
        label = "path" + IN_MEMORY
        return _as_areas(_in_memory(path, label), Path(label), id_field, name_field, crs)
    if not isinstance(path, str | os.PathLike):
        raise BoundaryError(
            f"path: expected a file path or a GeoDataFrame, got {type(path).__name__}; give the polygon file to read"
        )
    path = Path(path)
    return _as_areas(_read(path, encoding, layer), path, id_field, name_field, crs)


def _as_areas(
    gdf: gpd.GeoDataFrame, path: Path, id_field: str, name_field: str, crs: str | int | CRS | None
) -> gpd.GeoDataFrame:
    """:func:`load_boundaries` of the polygons read from ``path`` (named so in messages)."""
    gdf = _with_crs(gdf, path, crs)
    ids = _check_fields(gdf, path, id_field, name_field)
    _check_geometry_types(gdf, path, ids)
    _check_finite_vertices(gdf, path, ids)
    _check_coordinates(gdf, path, stated=crs is not None)
    gdf = gdf.to_crs("EPSG:4326")
    _warn_if_axes_swapped(gdf, path)
    gdf = _split_at_antimeridian(gdf, ids, str(path))
    gdf, repaired = _repair(gdf, ids, str(path))
    names = gdf[name_field].where(gdf[name_field].notna(), ids).astype(str).to_numpy()
    gdf = gdf.drop(columns=[c for c in (AREA_ID, AREA_NAME) if c in gdf.columns])  # replaced just below
    gdf.insert(0, AREA_NAME, names)
    gdf.insert(0, AREA_ID, ids.to_numpy())
    gdf.attrs["repaired"] = repaired
    gdf = gdf.reset_index(drop=True)
    gdf.attrs[LOADED] = True
    return gdf


def _in_memory(gdf: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame:
    """A copy of polygons given as a GeoDataFrame, with the checks a file's get: some areas, a geometry."""
    if len(gdf) == 0:
        raise BoundaryError(f"{label}: the table has no areas; give at least one polygon")
    try:
        gdf.geometry  # noqa: B018 - raises when no geometry column is set
    except AttributeError:
        raise BoundaryError(f"{label}: no geometry column is set; use gdf.set_geometry('...')") from None
    copy = gdf.copy()
    copy.attrs = {}
    if copy.geometry.name != "geometry":  # as a file is read: the areas' geometry is their "geometry" column
        copy = copy.drop(columns=["geometry"], errors="ignore").rename_geometry("geometry")
    return copy


def checked_boundaries(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` (the ``boundaries`` argument) as :func:`load_boundaries` returns areas: as it is when it came
    from there and is still in EPSG:4326, else checked, repaired and reprojected the same way, by its
    ``area_id`` and ``area_name`` columns."""
    crs = gdf.crs
    if gdf.attrs.get(LOADED) and crs is not None and crs.equals("EPSG:4326"):
        return gdf
    label = "boundaries" + IN_MEMORY
    return _as_areas(_in_memory(gdf, label), Path(label), AREA_ID, AREA_NAME, None)


def _read(path: Path, encoding: str | None, layer: str | None = None) -> gpd.GeoDataFrame:
    check_readable(path, "boundary file")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise BoundaryError(
                f"{path}: unknown encoding {encoding!r}; use a Python codec name such as 'cp1256'"
            ) from None
    layer = _layer_to_read(path, layer)
    if path.suffix.lower() == ".shp":
        if _companion(path, ".dbf") is None:
            raise BoundaryError(
                f"{path}: the shapefile's attribute table ({path.stem}.dbf) is missing; "
                "copy it beside the .shp (ids and names live there)"
            )
        if encoding is None:
            _check_shapefile_encoding(path)
    try:
        gdf = _read_file(path, encoding, layer)
    except LookupError:
        raise BoundaryError(
            f"{path}: unknown encoding {encoding!r}; use a Python codec name such as 'cp1256'"
        ) from None
    except UnicodeDecodeError as exc:
        raise BoundaryError(
            f"{path}: attributes are not valid {encoding or 'UTF-8'} ({exc.reason} at byte {exc.start}); "
            "pass the right encoding, e.g. encoding='cp1256' (CLI: --encoding cp1256)"
        ) from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError) as exc:
        as_package = "(QGIS: Export > Save Features As, or ogr2ogr out.gpkg in.geojson) and give that"
        if "OGR_GEOJSON_MAX_OBJ_SIZE" in str(exc):  # GDAL reads a GeoJSON feature of up to 200 MB
            raise BoundaryError(
                f"{path}: a feature too large for GDAL's GeoJSON reader; save the boundaries as GeoPackage "
                f"{as_package}, or simplify them"
            ) from None
        if Path(str(path)).suffix.lower() in (".geojson", ".json") and "GeoJSON" in str(exc):
            # older GDAL says only that it failed: a damaged file, or a feature too large for its reader
            raise BoundaryError(
                f"{path}: GDAL cannot read this GeoJSON ({_one_line(exc)}); check that it is complete, or, if a "
                f"feature is very large, save the boundaries as GeoPackage {as_package}"
            ) from None
        if Path(str(path)).suffix.lower() in (".geojson", ".json") and "not recognized" in str(exc):
            raise BoundaryError(
                f"{path}: not GeoJSON (GDAL does not recognise it as any format it reads); check that the file is "
                "complete and holds a FeatureCollection"
            ) from None
        raise BoundaryError(
            f"{path}: cannot be read as a boundary file ({_one_line(exc)}); use shp, gpkg or geojson"
        ) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise BoundaryError(f"{path}: the file has no geometries; boundaries must be polygons (shp, gpkg or geojson)")
    if gdf.empty:
        raise BoundaryError(f"{path}: the file has no features; boundaries need at least one polygon")
    return gdf


#: Longitude/latitude box around Afghanistan (as the reports' check has it).
_AFGHANISTAN = (60.4, 29.3, 75.0, 38.6)


def _warn_if_axes_swapped(gdf: gpd.GeoDataFrame, path: object) -> None:
    """Warn (:class:`AxisOrderWarning`) when the areas lie nowhere near Afghanistan but would with latitude
    and longitude swapped: a file written latitude first, as some tools write EPSG:4326."""
    import warnings

    west, south, east, north = (float(v) for v in gdf.total_bounds)
    if _overlaps((west, south, east, north), _AFGHANISTAN) or not _overlaps((south, west, north, east), _AFGHANISTAN):
        return
    warnings.warn(
        f"{path}: the areas lie at longitudes {west:.1f} to {east:.1f} and latitudes {south:.1f} to {north:.1f}, "
        "far from Afghanistan, where they would lie with latitude and longitude swapped; check the file's axis "
        "order (GeoJSON is longitude first) or its coordinate reference system",
        AxisOrderWarning,
        stacklevel=3,
    )


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _layer_to_read(path: Path, layer: str | None) -> str | None:
    """``layer``, checked against the layers of ``path``; ``None`` for a file of one layer (or one that cannot
    be listed: reading it says why). A file of several layers needs one named."""
    if path.is_dir() and layer is None:
        return None
    try:
        listed = pyogrio.list_layers(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError):
        return layer
    # tables without geometry (QGIS's layer_styles) are no layers of areas
    names = [str(name) for name, geometry in listed if geometry is not None]
    if layer is None:
        if len(names) <= 1:
            return None
        shown_names = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
        raise BoundaryError(
            f"{path}: holds {len(names)} layers ({shown_names}); choose one with layer='{names[0]}' "
            f"(CLI: --layer {names[0]})"
        )
    if layer not in names:
        raise BoundaryError(f"{path}: no layer {layer!r}; the layers are: {', '.join(names[:20])}")
    return layer


def _read_file(path: Path, encoding: str | None, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read with pyogrio; a ring that is not closed or has too few points is refused with its row."""
    try:
        with warnings.catch_warnings():  # a NaN vertex: refused by its row afterwards (_check_finite_vertices)
            warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
            return gpd.read_file(path, engine="pyogrio", encoding=encoding, layer=layer)
    except shapely.errors.GEOSException:
        pass
    gdf = gpd.read_file(path, engine="pyogrio", encoding=encoding, layer=layer, on_invalid="ignore")
    broken = gdf.geometry.isna().to_numpy().nonzero()[0]
    row = int(broken[0]) + 1 if len(broken) else None
    where = f", row {row}" if row is not None else ""
    raise BoundaryError(
        f"{path}{where}: a polygon ring is not closed or has fewer than 4 points; "
        "fix the geometry (e.g. QGIS: Vector > Geometry Tools > Check Validity)"
    )


def check_readable(path: Path, what: str) -> None:
    """Raise :class:`BoundaryError` saying why ``path`` cannot be opened (missing, a link loop, a folder)."""
    if path.is_symlink() and not path.exists():
        try:
            os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise BoundaryError(f"{path}: is a loop of symbolic links; give the real {what}") from None
        raise BoundaryError(f"{path}: is a link to a missing file; give the real {what}")
    if not path.exists():
        raise BoundaryError(f"{path}: {what} not found; check the path")


def _companion(path: Path, suffix: str) -> Path | None:
    """The file beside ``path`` with ``suffix`` in either letter case, if there is one."""
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.exists():
            return candidate
    return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_shapefile_encoding(path: Path) -> None:
    """Refuse a shapefile whose text is not UTF-8 and that says nothing of its encoding.

    GDAL would otherwise read it as Latin-1 and silently garble Dari or Pashto names.
    """
    if path.with_suffix(".cpg").exists() or path.with_suffix(".CPG").exists():
        return
    dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), None)
    if dbf is None:
        return
    raw = dbf.read_bytes()
    if len(raw) < 32:
        return
    # The language-driver byte (raw[29]) is often set to "ANSI" whatever the real code page
    # is, so without a .cpg only valid UTF-8 is trusted.
    header_length = int.from_bytes(raw[8:10], "little")
    body = raw[header_length:]
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise BoundaryError(
            f"{path}: attribute text is not UTF-8 and the shapefile has no .cpg file; "
            "pass its encoding, e.g. encoding='cp1256' (CLI: --encoding cp1256), or add a .cpg file naming it"
        ) from None


def _with_crs(gdf: gpd.GeoDataFrame, path: Path, crs: str | int | CRS | None) -> gpd.GeoDataFrame:
    if crs is not None:
        try:
            return gdf.set_crs(CRS.from_user_input(crs), allow_override=True)
        except CRSError:
            raise BoundaryError(
                f"{path}: {shown(crs)} is not a coordinate reference system; use e.g. 'EPSG:4326'"
            ) from None
    if gdf.crs is None and str(path).endswith(IN_MEMORY):
        raise BoundaryError(
            f"{path}: no coordinate reference system is set; set it, e.g. gdf.set_crs('EPSG:4326') if the "
            "coordinates are longitude/latitude, or pass crs="
        )
    if gdf.crs is None:
        prj = _companion(path, ".prj") if path.suffix.lower() == ".shp" else None
        if prj is not None:
            raise BoundaryError(
                f"{prj}: not a coordinate reference system GDAL can read; fix the .prj or state the CRS, "
                "e.g. crs='EPSG:4326' (CLI: --crs EPSG:4326) if the coordinates are longitude/latitude"
            )
        hint = " (the .prj file is missing)" if path.suffix.lower() == ".shp" else ""
        raise BoundaryError(
            f"{path}: the file has no coordinate reference system{hint}; state it, e.g. crs='EPSG:4326' "
            "(CLI: --crs EPSG:4326) if the coordinates are longitude/latitude"
        )
    return gdf


def _check_fields(gdf: gpd.GeoDataFrame, path: Path, id_field: str, name_field: str) -> pd.Series:
    for role, field in (("id", id_field), ("name", name_field)):
        if field not in gdf.columns or field == gdf.geometry.name:
            fields = ", ".join(str(c) for c in gdf.columns if c != gdf.geometry.name)
            have = f"the fields are: {fields}" if fields else "the file has no attribute fields at all"
            if field == gdf.geometry.name:
                article = "an" if role == "id" else "a"
                raise BoundaryError(f"{path}: {field!r} holds the shapes, not {article} {role} field; {have}")
            raise BoundaryError(f"{path}: no {role} field {field!r}; {have}")
    raw = gdf[id_field]
    ids = raw.astype(str).str.strip()
    for position, (value, text) in enumerate(zip(raw, ids, strict=True)):
        if pd.isna(value) or text == "":
            raise BoundaryError(
                row_message(
                    str(path),
                    position + 1,
                    id_field,
                    "" if pd.isna(value) else value,
                    "empty id; give every polygon an id",
                )
            )
    ids = ids.reset_index(drop=True)  # rows by position, whatever the table's index
    duplicated = ids[ids.duplicated(keep=False)]
    if not duplicated.empty:
        value = duplicated.iloc[0]
        rows = [int(i) + 1 for i in duplicated.index[duplicated == value]]
        raise BoundaryError(
            row_message(
                str(path),
                rows[0],
                id_field,
                value,
                f"duplicate id (rows {rows}); ids must be unique, or choose another id field",
            )
        )
    return ids.reset_index(drop=True)


def _check_geometry_types(gdf: gpd.GeoDataFrame, path: Path, ids: pd.Series) -> None:
    geoms = gdf.geometry.values
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    polygonal = shapely.get_type_id(geoms)
    bad = missing | ~pd.Series(polygonal).isin([3, 6]).to_numpy()
    if bad.any():
        i = int(bad.nonzero()[0][0])
        kind = "empty geometry" if missing[i] else f"{geoms[i].geom_type} geometry"
        raise BoundaryError(
            row_message(str(path), i + 1, "geometry", ids.iloc[i], f"{kind}; boundaries must be (multi)polygons")
        )


def _check_finite_vertices(gdf: gpd.GeoDataFrame, path: Path, ids: pd.Series) -> None:
    """Refuse a polygon with a vertex that is not a finite number (NaN, infinity), naming its row and id:
    a repair would draw the area without that corner."""
    xy, owner = shapely.get_coordinates(gdf.geometry.values, return_index=True)
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        row = int(owner[bad.argmax()])
        why = "a vertex is not a finite number (NaN or infinity); fix the polygon's coordinates"
        raise BoundaryError(row_message(str(path), row + 1, "geometry", ids.iloc[row], why))


def _check_coordinates(gdf: gpd.GeoDataFrame, path: Path, *, stated: bool = False) -> None:
    """Refuse coordinates that cannot be in the file's CRS, judged by that CRS's own range (``stated``:
    the CRS is the one the caller gave, which the messages say).

    Geographic: longitude -180..180 and latitude -90..90. Projected: every corner of the extent and a
    sample of vertices must map to a real longitude/latitude within :data:`AREA_OF_USE_MARGIN` degrees
    of the CRS's area of use, and back to the same point (within 1 m). So all of Afghanistan in UTM 42N,
    well outside the zone's nominal 6 degrees, is fine, while coordinates of another zone are not.
    Degrees mislabelled as projected (an extent within -180..180, -90..90 that, read as
    longitude/latitude, lies in the CRS's area of use) are refused with a hint to state EPSG:4326.
    """
    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
    crs = gdf.crs
    box = f"({minx:.6g}, {miny:.6g})-({maxx:.6g}, {maxy:.6g})"
    whose = "the CRS you gave (crs, CLI: --crs)" if stated else "the CRS"
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise BoundaryError(f"{path}: coordinates {box} are not all finite numbers; fix the geometries")
    if crs.is_geographic:
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            raise BoundaryError(
                f"{path}: coordinates reach {box}, impossible in "
                f"{crs.to_string()} (longitude/latitude); the data are probably projected: state the right crs"
            )
        return
    area = crs.area_of_use
    within_degrees = minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90
    if within_degrees and (
        area is None or (minx <= area.east and maxx >= area.west and miny <= area.north and maxy >= area.south)
    ):
        raise BoundaryError(
            f"{path}: coordinates {box} look like longitude/latitude degrees, but {whose} is {crs.name} "
            "(projected, in metres or feet); state crs='EPSG:4326' (CLI: --crs EPSG:4326) if they are degrees"
        )
    if not _round_trips(gdf, crs, (minx, miny, maxx, maxy)):
        raise BoundaryError(
            f"{path}: coordinates {box} are outside the range of {crs.name}"
            f"{' (the CRS you gave)' if stated else ''}: they do not map to real "
            "longitudes and latitudes near where it is used; check the file's CRS and state the right one"
        )


#: How far (degrees) outside a projected CRS's area of use its coordinates are still believed.
AREA_OF_USE_MARGIN = 30.0


def _near_area(lon: float, lat: float, area: Any) -> bool:
    """Whether a point lies within :data:`AREA_OF_USE_MARGIN` degrees of a CRS's area of use."""
    margin = AREA_OF_USE_MARGIN
    if not area.south - margin <= lat <= area.north + margin:
        return False
    if area.east - area.west >= 360 - 2 * margin:
        return True
    west, east = area.west - margin, area.east + margin
    if area.west > area.east:  # the area crosses the antimeridian
        east += 360
    return any(west <= lon + shift <= east for shift in (-360.0, 0.0, 360.0))


def _round_trips(gdf: gpd.GeoDataFrame, crs: CRS, bounds: tuple[float, float, float, float]) -> bool:
    """Whether the extent's corners and a sample of vertices project to lon/lat near the CRS's area of use
    and back unchanged."""
    minx, miny, maxx, maxy = bounds
    coords = shapely.get_coordinates(gdf.geometry.values)
    step = max(1, len(coords) // 2000)
    xs = [minx, maxx, minx, maxx, *coords[::step, 0].tolist()]
    ys = [miny, miny, maxy, maxy, *coords[::step, 1].tolist()]
    try:
        inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        lon, lat = inverse.transform(xs, ys, errcheck=True)
        back_x, back_y = forward.transform(lon, lat, errcheck=True)
    except (CRSError, ProjError):
        return False
    area = crs.area_of_use
    for x, y, lo, la, bx, by in zip(xs, ys, lon, lat, back_x, back_y, strict=True):
        if not (math.isfinite(lo) and math.isfinite(la) and abs(la) <= 90):
            return False
        if area is not None and not _near_area(lo, la, area):
            return False
        if not (math.isfinite(bx) and math.isfinite(by)) or math.hypot(bx - x, by - y) > 1.0:
            return False
    return True


def _split_at_antimeridian(gdf: gpd.GeoDataFrame, ids: pd.Series, source: str) -> gpd.GeoDataFrame:
    """Polygons drawn across 180 degrees (179 -> -179) cut there, so they are not read as spanning the globe."""
    try:
        geoms, cut = split_at_antimeridian(gdf.geometry.values)
    except PoleError as exc:
        i = int(exc.args[0])
        raise BoundaryError(
            row_message(
                source,
                i + 1,
                "geometry",
                ids.iloc[i],
                "a ring goes all the way round the globe (it encloses a pole); "
                "cut the polygon at 180 degrees into parts that each stay on one side",
            )
        ) from None
    if not cut.any():
        return gdf
    return gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))


def _repair(gdf: gpd.GeoDataFrame, ids: pd.Series, source: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    geoms = gdf.geometry.values
    invalid = ~shapely.is_valid(geoms)
    repaired: list[str] = []
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        fixed = [_polygonal_part(g) for g in fixed]
        for i, geom in zip(invalid.nonzero()[0], fixed, strict=True):
            if geom.is_empty:
                raise BoundaryError(
                    row_message(
                        source,
                        int(i) + 1,
                        "geometry",
                        ids.iloc[i],
                        "the polygon has no area (collapsed rings); fix or remove it",
                    )
                )
        geoms = geoms.copy()
        geoms[invalid] = fixed
        repaired = ids[invalid].tolist()
        listed = ", ".join(shown(r) for r in repaired[:5]) + (", ..." if len(repaired) > 5 else "")
        warnings.warn(f"repaired {len(repaired)} invalid polygon(s): {listed}", RepairWarning, stacklevel=3)
    gdf = gdf.set_geometry(gpd.GeoSeries(shapely.orient_polygons(geoms), index=gdf.index, crs=gdf.crs))
    return gdf, repaired


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygons of a repaired geometry (drop collapsed lines/points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()
