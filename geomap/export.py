"""GIS exports of a control timeline: GeoJSON, GeoPackage, GeoParquet and CSV.

Shapes
------
``"long"`` (default)
    One feature per area per reporting date (time-enabled long form).
``"as-of"``
    One feature per area with its status as of one date.
``"intervals"``
    One feature per area per unchanged stretch, with ``valid_from`` (first
    reporting date of the stretch) and ``valid_to`` (the day the next stretch
    begins, or the day after the last reporting date: an exclusive end), so
    QGIS's temporal controller can play it.

Formats come from the file extension (``.geojson``/``.json``, ``.gpkg``,
``.parquet``/``.geoparquet``, ``.csv``) or ``format=``. GeoJSON follows RFC 7946
(WGS84 longitude/latitude, counter-clockwise exterior rings, at most 7
decimals, no ``crs`` member). Every file is written atomically. A GeoPackage
carries a default QGIS style (:mod:`geomap.style`): it opens coloured by status,
and long and interval layers open with their time settings.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap._csv import csv_text
from geomap._io import refuse_overwriting_inputs, write_with_atomic
from geomap.dates import parse_date
from geomap.errors import InputError, OutputError
from geomap.schema import (
    AREA_ID,
    AREA_NAME,
    CHANGED,
    CONFLICT,
    DATE,
    EVIDENCE,
    SINCE,
    SOURCES,
    STATUS,
    VALID_FROM,
    VALID_TO,
)
from geomap.style import write_gpkg_style
from geomap.timeline import ControlTimeline

FORMATS = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".csv": "csv",
}
SHAPES = ("long", "as-of", "intervals")
COORDINATE_DECIMALS = 7
DATE_COLUMNS = (DATE, SINCE, VALID_FROM, VALID_TO)
GPKG_LAYER = "control"


def export_frame(
    timeline: ControlTimeline, *, shape: str = "long", as_of: str | dt.date | None = None
) -> gpd.GeoDataFrame:
    """The timeline as a flat GeoDataFrame ready to write.

    Parameters
    ----------
    timeline
        The control timeline.
    shape
        ``"long"``, ``"as-of"`` or ``"intervals"`` (module docstring).
    as_of
        The date for ``shape="as-of"`` (default: the last reporting date).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, with ``province_iso``/``province`` (on the bundled provinces),
        ``district_id``/``district``/``province_iso``/``province`` (on the bundled
        districts) or ``area_id``/``area_name``, ``date``, ``status``, ``status_label``,
        ``since``, ``changed``, ``conflict``, ``sources`` and ``evidence``
        (JSON text), dates as ``datetime.date``.
    """
    if shape not in SHAPES:
        raise InputError(f"unknown export shape {shape!r}; use one of {', '.join(SHAPES)}")
    if not timeline.reporting_dates:
        raise InputError("the timeline has no reporting dates, so there is nothing to export")
    if shape == "as-of":
        table = timeline.status(on=parse_date(as_of, "as-of date") if as_of is not None else None).drop(
            columns="geometry"
        )
    else:
        table = timeline.long()
    if shape == "intervals":
        table = _intervals(table, timeline.reporting_dates)
    table = table.copy()
    table[EVIDENCE] = [json.dumps(list(e), ensure_ascii=False) for e in table[EVIDENCE]]
    geometry = timeline.areas.set_index(AREA_ID).geometry
    geoms = geometry.reindex(table[AREA_ID]).to_numpy()
    if timeline.provinces or getattr(timeline, "level", None) == "district":
        # The level's own columns (province_iso/province, district_id/district) say the same.
        table = table.drop(columns=[AREA_ID, AREA_NAME], errors="ignore")
    gdf = gpd.GeoDataFrame(table.reset_index(drop=True), geometry=list(geoms), crs=timeline.areas.crs)
    return gdf.to_crs("EPSG:4326")


def _intervals(table: pd.DataFrame, dates: list[dt.date]) -> pd.DataFrame:
    next_day = dict(zip(dates, [*dates[1:], dates[-1] + dt.timedelta(days=1)], strict=True))
    rows = []
    for _area, group in table.groupby(AREA_ID, sort=True):
        group = group.sort_values(DATE)
        run = (group[STATUS] != group[STATUS].shift()).cumsum()
        for _, stretch in group.groupby(run, sort=False):
            first, last = stretch.iloc[0], stretch.iloc[-1]
            record = first.to_dict()
            record[VALID_FROM] = first[DATE]
            record[VALID_TO] = next_day[last[DATE]]
            record[CHANGED] = bool(first[CHANGED])
            record[CONFLICT] = bool(stretch[CONFLICT].any())
            record[SOURCES] = "; ".join(dict.fromkeys(s for v in stretch[SOURCES] for s in v.split("; ") if s))
            record[EVIDENCE] = list({json.dumps(e, sort_keys=True): e for v in stretch[EVIDENCE] for e in v}.values())
            rows.append(record)
    out = pd.DataFrame(rows).drop(columns=[DATE])
    return out.sort_values([VALID_FROM, AREA_ID], kind="stable").reset_index(drop=True)


def export(
    timeline: ControlTimeline,
    path: str | os.PathLike,
    *,
    format: str | None = None,
    shape: str = "long",
    as_of: str | dt.date | None = None,
    inputs: Iterable[str | os.PathLike | None] = (),
    raw_csv: bool = False,
) -> Path:
    """Write the timeline to a GIS file, atomically.

    Parameters
    ----------
    timeline
        The control timeline.
    path
        Output path; its extension picks the format unless ``format`` is given.
    format
        ``"geojson"``, ``"gpkg"``, ``"parquet"`` or ``"csv"``.
    shape, as_of
        See :func:`export_frame`.
    inputs
        Paths the output must not overwrite (the reports file, boundaries).
    raw_csv
        CSV only: write text cells exactly as they are. By default a cell that a
        spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) is
        written with a leading apostrophe; see :mod:`geomap._csv`.

    Returns
    -------
    pathlib.Path
        The written path.

    Raises
    ------
    InputError
        Unknown format or shape.
    OutputError
        ``path`` is one of ``inputs``.
    """
    path = Path(path)
    kind = format_of(path, format)
    refuse_overwriting_inputs(path, inputs)
    gdf = export_frame(timeline, shape=shape, as_of=as_of)
    writer = {"geojson": _write_geojson, "gpkg": _write_gpkg, "parquet": _write_parquet, "csv": _write_csv}[kind]

    def write(tmp: Path) -> None:
        if kind == "csv":
            _write_csv(gdf, tmp, raw=raw_csv)
            return
        writer(gdf, tmp)
        if kind == "gpkg":
            write_gpkg_style(tmp, timeline.scheme, layer=GPKG_LAYER, shape=shape)

    return write_with_atomic(path, write)


def format_of(path: Path, format: str | None) -> str:
    if format is not None:
        key = format.lower().lstrip(".")
        aliases = {"json": "geojson", "geoparquet": "parquet", "geopackage": "gpkg"}
        key = aliases.get(key, key)
        if key not in set(FORMATS.values()):
            raise InputError(f"unknown export format {format!r}; use geojson, gpkg, parquet or csv")
        return key
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"{path}: cannot tell the format from the extension {path.suffix!r}; "
            "use .geojson, .gpkg, .parquet or .csv, or pass --format"
        )
    return kind


def _iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in DATE_COLUMNS:
        if column in frame.columns:
            frame[column] = [d.isoformat() if isinstance(d, dt.date) else None for d in frame[column]]
    return frame


def _rfc7946_geometry(gdf: gpd.GeoDataFrame) -> np.ndarray:
    geoms = shapely.orient_polygons(gdf.geometry.values, exterior_cw=False)
    return shapely.transform(geoms, lambda coords: np.round(coords, COORDINATE_DECIMALS))


def _write_geojson(gdf: gpd.GeoDataFrame, tmp: Path) -> None:
    properties = _iso_dates(gdf.drop(columns="geometry")).to_dict(orient="records")
    geometries = shapely.to_geojson(_rfc7946_geometry(gdf))
    # Serialise each feature's properties with the C encoder and splice in GEOS's geometry JSON:
    # several times faster than json.dump over the whole collection.
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write('{"type":"FeatureCollection","features":[')
        for k, (record, geometry) in enumerate(zip(properties, geometries, strict=True)):
            fh.write(("," if k else "") + '{"type":"Feature","properties":')
            fh.write(encode(_plain(record)))
            fh.write(',"geometry":' + geometry + "}")
        fh.write("]}")


def _plain(record: dict) -> dict:
    plain = {}
    for key, value in record.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and np.isnan(value):
            value = None
        plain[key] = value
    return plain


def _write_gpkg(gdf: gpd.GeoDataFrame, tmp: Path) -> None:
    import pyogrio

    # Through Arrow, datetime.date columns become GeoPackage DATE fields (not text).
    try:
        pyogrio.write_dataframe(gdf, tmp, driver="GPKG", layer=GPKG_LAYER, use_arrow=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError) as exc:
        # GDAL reports a full disk or an I/O failure as a layer error, not as an OSError
        reason = " ".join(str(exc).split())[:200]
        raise OutputError(f"{tmp}: could not be written (GDAL: {reason}); nothing was changed") from None


def _write_parquet(gdf: gpd.GeoDataFrame, tmp: Path) -> None:
    gdf.to_parquet(tmp, index=False)


def _write_csv(gdf: gpd.GeoDataFrame, tmp: Path, *, raw: bool) -> None:
    tmp.write_text(csv_text(_iso_dates(gdf.drop(columns="geometry")), raw=raw), encoding="utf-8")
