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
import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from geomap._columnar import Decisions
from geomap._csv import csv_text
from geomap._io import refuse_overwriting_inputs, write_with_atomic
from geomap.dates import parse_date
from geomap.errors import InputError, OutputError, shown
from geomap.schema import (
    AREA_ID,
    AREA_NAME,
    CONFLICT,
    DATE,
    DISTRICT,
    DISTRICT_ID,
    EVIDENCE,
    PROVINCE,
    PROVINCE_ISO,
    SINCE,
    SOURCES,
    VALID_FROM,
    VALID_TO,
)
from geomap.style import write_gpkg_style
from geomap.timeline import BATCH_EVIDENCE, DATETIME, ControlTimeline, check_timeline

FORMATS = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".csv": "csv",
}
SHAPES = ("long", "as-of", "intervals")
COMPACT_FORMATS = ("parquet", "csv")
"""The formats a compact export writes (its geometry goes to a separate areas file)."""
COORDINATE_DECIMALS = 7
DATE_COLUMNS = (DATE, SINCE, VALID_FROM, VALID_TO)
GPKG_LAYER = "control"
DICTIONARY_PAGE_BYTES = 256 * 2**20
GEOMETRY = "geometry"
FREE_TEXT_COLUMNS = (EVIDENCE, SOURCES)
"""Columns a Parquet export writes without statistics, and in the intervals shape without a
dictionary (see :func:`_write_parquet`)."""
BATCH_BYTES = 8 * 2**20
"""About how many bytes of geometry one GeoPackage batch (one transaction) holds."""
INTERVAL_ROWS = 20_000
INTERVAL_EVIDENCE = BATCH_EVIDENCE
"""About how many rows, and evidence reports cited by them, one batch of the intervals shape holds."""
Batch = tuple[pd.DataFrame, np.ndarray]
"""Rows of an export without geometry, and each row's position among the timeline's areas."""


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
        (JSON text). Date columns (``date``, ``since``, and ``valid_from``/``valid_to`` of
        the intervals shape) are ``datetime64[ns]``, ``NaT`` where unknown.
    """
    check_timeline(timeline)
    _check_shape(shape, as_of)
    if not timeline.reporting_dates:
        raise InputError("the timeline has no reporting dates, so there is nothing to export")
    table, positions = _shape_table(timeline, shape=shape, as_of=as_of)
    areas = _areas_4326(timeline)
    return gpd.GeoDataFrame(table, geometry=areas.geometry.to_numpy()[positions], crs="EPSG:4326")


def _check_shape(shape: object, as_of: object) -> None:
    """Refuse an unknown shape, or a date for any shape but ``as-of`` (it would be left unused)."""
    if shape not in SHAPES:
        raise InputError(f"shape: unknown export shape {shown(shape)}; use one of {', '.join(SHAPES)}")
    if as_of is not None and shape != "as-of":
        raise InputError(
            f"as_of: a date only picks the day of shape='as-of' (one row per area), not of shape={shape!r}; "
            "pass shape='as-of' too, or leave as_of out to write every reporting date"
        )


def _shape_table(
    timeline: ControlTimeline, *, shape: str, as_of: str | dt.date | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """The whole table of an ``as-of``/``intervals``/``long`` export, and each row's area position."""
    if shape == "as-of":
        table = timeline.status(on=parse_date(as_of, "as_of: the as-of date") if as_of is not None else None).drop(
            columns="geometry"
        )
        return _flat(timeline, table)
    parts = list(_batches(timeline, shape=shape, as_of=as_of))
    return pd.concat([t for t, _ in parts], ignore_index=True), np.concatenate([p for _, p in parts])


def _flat(timeline: ControlTimeline, table: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Evidence as JSON text, the level's own id columns in place of area_id/area_name; plus area positions."""
    table = table.reset_index(drop=True)
    if not all(isinstance(e, str) for e in table[EVIDENCE].head(1)):
        table[EVIDENCE] = [json.dumps(list(e), ensure_ascii=False) for e in table[EVIDENCE]]
    positions = pd.Index(timeline.areas[AREA_ID]).get_indexer(table[AREA_ID])
    if timeline.provinces or getattr(timeline, "level", None) == "district":
        # The level's own columns (province_iso/province, district_id/district) say the same.
        table = table.drop(columns=[AREA_ID, AREA_NAME], errors="ignore")
    return table, positions


def _batches(
    timeline: ControlTimeline, *, shape: str, as_of: str | dt.date | None
) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """The export table in batches (the long shape a few reporting dates at a time), with area positions."""
    if shape == "as-of":
        yield _shape_table(timeline, shape=shape, as_of=as_of)
        return
    # Each batch let go before the next is built, at every step from here to the writer: a batch
    # of evidence text held while the next one is made doubled the export's own memory.
    rows = _iter_intervals(timeline) if shape == "intervals" else timeline.iter_long(evidence="json")
    for batch in rows:
        flat = _flat(timeline, batch)
        del batch
        yield flat
        del flat


def _areas_4326(timeline: ControlTimeline) -> gpd.GeoDataFrame:
    return timeline.areas.to_crs("EPSG:4326")


def _iter_intervals(timeline: ControlTimeline) -> Iterator[pd.DataFrame]:
    """The intervals shape in batches, in (``valid_from``, area id) order, evidence as JSON text.

    One row per area per stretch of reporting dates with one status: the long row of the
    stretch's first date, with ``valid_from``/``valid_to`` (exclusive), ``conflict`` if any
    date of the stretch had one, and the stretch's distinct sources and evidence reports (in
    order of first appearance). Stretches are found on the engine's status array and only the
    rows that start one are built. A batch holds about :data:`INTERVAL_ROWS` stretches citing
    about :data:`INTERVAL_EVIDENCE` reports at most (a stretch citing more is a batch of its
    own), so beyond a few small arrays of areas x dates (like the engine's own) memory does not
    grow with the dates or with the reports.
    """
    decisions = timeline._decisions()
    days = pd.DatetimeIndex(timeline.reporting_dates).as_unit("ns")
    n_days = len(days)
    status = decisions.status
    starts = np.ones(status.shape, dtype=bool)
    starts[:, 1:] = status[:, 1:] != status[:, :-1]
    # last day of the stretch that starts on each day: the day before the area's next start
    day_type = np.int32 if n_days < 2**31 else np.int64
    following = np.where(starts, np.arange(n_days, dtype=day_type), day_type(n_days))
    following = np.minimum.accumulate(following[:, ::-1], axis=1)[:, ::-1]
    last_day = np.full(status.shape, n_days - 1, dtype=day_type)
    last_day[:, :-1] = following[:, 1:] - 1
    del following
    conflicts = np.cumsum(decisions.conflict, axis=1, dtype=day_type)
    area_position = pd.Index(timeline.areas[AREA_ID])
    cited = np.diff(decisions.group_offsets)
    pending: list[tuple[pd.DataFrame, np.ndarray, np.ndarray, list[np.ndarray]]] = []
    held_rows = held_cited = 0
    for batch in timeline.iter_long(evidence=""):  # no evidence: only the attributes
        area = area_position.get_indexer(batch[AREA_ID])
        day = days.get_indexer(batch[DATE])
        keep = starts[area, day]
        if not keep.any():
            continue
        rows, area, day = batch[keep].reset_index(drop=True), area[keep], day[keep]
        last = last_day[area, day]
        before = np.where(day > 0, conflicts[area, np.maximum(day - 1, 0)], 0)
        rows[CONFLICT] = conflicts[area, last] - before > 0
        first_cell, end_cell = area * n_days + day, area * n_days + last + 1
        spans = zip(decisions.cell_offsets[first_cell].tolist(), decisions.cell_offsets[end_cell].tolist(), strict=True)
        # a stretch's dates share groups (the evidence carried forward): each kept once, in order
        groups = [pd.unique(decisions.cell_groups[a:b]) for a, b in spans]
        pending.append((rows, day, last, groups))
        held_rows += len(rows)
        held_cited += int(sum(cited[g].sum() for g in groups))
        if held_rows >= INTERVAL_ROWS or held_cited >= INTERVAL_EVIDENCE:
            yield from _interval_batches(timeline, decisions, pending, days)
            pending, held_rows, held_cited = [], 0, 0
    if pending:
        yield from _interval_batches(timeline, decisions, pending, days)


def _interval_batches(
    timeline: ControlTimeline,
    decisions: Decisions,
    pending: list[tuple[pd.DataFrame, np.ndarray, np.ndarray, list[np.ndarray]]],
    days: pd.DatetimeIndex,
) -> Iterator[pd.DataFrame]:
    """The held stretches' rows with their sources, evidence and validity, about INTERVAL_EVIDENCE reports a batch."""
    rows = pd.concat([p[0] for p in pending], ignore_index=True)
    day, last = np.concatenate([p[1] for p in pending]), np.concatenate([p[2] for p in pending])
    groups = [g for p in pending for g in p[3]]
    cited = np.diff(decisions.group_offsets)
    counts = np.array([cited[g].sum() for g in groups], dtype=np.int64)
    ends_after = np.append(days[1:].to_numpy(), (days[-1] + pd.Timedelta(days=1)).to_datetime64())
    for start, stop in _byte_slices(counts, INTERVAL_EVIDENCE):
        part = rows.iloc[start:stop].reset_index(drop=True)
        evidence, sources = _stretch_evidence(timeline, decisions, groups[start:stop])
        part.insert(part.columns.get_loc(CONFLICT) + 1, SOURCES, sources)
        part[EVIDENCE] = evidence
        part = part.drop(columns=[DATE])
        part[VALID_FROM] = days.to_numpy()[day[start:stop]]
        part[VALID_TO] = ends_after[last[start:stop]]
        del evidence, sources  # nothing of this batch's text kept while the next is made
        batch = part.astype(dict.fromkeys((VALID_FROM, VALID_TO, SINCE), DATETIME))
        del part
        yield batch
        del batch


def _stretch_evidence(
    timeline: ControlTimeline, decisions: Decisions, groups: list[np.ndarray]
) -> tuple[list[str], list[str]]:
    """Evidence JSON text and ``"; "``-joined sources of each stretch, given its evidence groups.

    A report that appears on several dates of a stretch, or two reports saying the same thing,
    are listed once, in order of first appearance.
    """
    offsets, rows = decisions.group_offsets, decisions.rows
    stretches = []
    for kept in groups:
        parts = [rows[offsets[g] : offsets[g + 1]] for g in kept]
        stretches.append(pd.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64))
    positions = np.unique(np.concatenate(stretches)) if stretches else np.empty(0, dtype=np.int64)
    # each report's JSON object and source, as the long rows write them
    texts, sources = timeline._report_texts(positions)
    evidence, joined = [], []
    for stretch in stretches:
        at = np.searchsorted(positions, stretch).tolist()
        evidence.append("[" + ", ".join(dict.fromkeys(texts[i] for i in at)) + "]")
        joined.append("; ".join(dict.fromkeys(s for i in at for s in (sources[i] or "").split("; ") if s)))
    return evidence, joined


def export(
    timeline: ControlTimeline,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    shape: str = "long",
    as_of: str | dt.date | None = None,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    raw_csv: bool = False,
    compact: bool = False,
    areas_path: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the timeline to a GIS file, atomically, in batches of reporting dates.

    The long and intervals shapes are written in batches (Parquet row groups, GeoPackage
    transactions of at most :data:`BATCH_BYTES` of geometry, GeoJSON features streamed),
    each area's geometry converted once and referenced by its rows, so memory does not
    grow with dates x areas.

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
    compact
        Parquet or CSV only: leave geometry out of the table and write each area's
        geometry once to ``<name>.areas.parquet`` (GeoParquet) beside it, to be joined
        by the id column (``province_iso``, ``district_id`` or ``area_id``).
    areas_path
        Where a compact export writes the areas (default: beside ``path``, see
        :func:`compact_areas_path`).

    Returns
    -------
    pathlib.Path
        The written path (the table).

    Raises
    ------
    InputError
        Unknown format or shape.
    OutputError
        ``path`` is one of ``inputs``.
    """
    check_timeline(timeline)
    if not isinstance(path, str | os.PathLike):
        raise InputError(f"path: expected a file path such as 'control.geojson', got {type(path).__name__}")
    path = Path(path)
    kind = format_of(path, format)
    refuse_overwriting_inputs(path, inputs)
    _check_shape(shape, as_of)
    if not timeline.reporting_dates:
        raise InputError("the timeline has no reporting dates, so there is nothing to export")
    if compact and kind not in COMPACT_FORMATS:
        raise InputError(
            f"{path}: compact exports are Parquet or CSV (geometry goes to a separate areas file), not {kind}; "
            "name the file .parquet or .csv, pass format='parquet' or 'csv', or leave compact off"
        )
    areas = _areas_4326(timeline)
    batches = _batches(timeline, shape=shape, as_of=as_of)
    if compact:
        areas_path = Path(areas_path) if areas_path is not None else compact_areas_path(path)
        refuse_overwriting_inputs(areas_path, inputs)
        write_with_atomic(areas_path, lambda tmp: _write_areas(timeline, areas, tmp))
        areas = None
    writer = {"geojson": _write_geojson, "gpkg": _write_gpkg, "parquet": _write_parquet, "csv": _write_csv}[kind]

    def write(tmp: Path) -> None:
        if kind == "csv":
            _write_csv(batches, areas, tmp, raw=raw_csv)
            return
        if kind == "parquet":
            _write_parquet(batches, areas, tmp, distinct_text=shape == "intervals")
            return
        writer(batches, areas, tmp)
        if kind == "gpkg":
            write_gpkg_style(tmp, timeline.scheme, layer=GPKG_LAYER, shape=shape)

    # the temporary file carries the format's extension: GDAL warns of a GeoPackage named otherwise
    return write_with_atomic(path, write, suffix=".gpkg" if kind == "gpkg" else None)


def format_of(path: Path, format: str | None, *, option: str = "format=") -> str:
    """The export format: ``format`` when given, else the one ``path``'s extension names.

    ``option`` is how the caller's user overrides the extension, for messages: ``format=``
    for :func:`export`, ``--format`` on the command line.
    """
    if format is not None:
        key = format.lower().lstrip(".")
        aliases = {"json": "geojson", "geoparquet": "parquet", "geopackage": "gpkg"}
        key = aliases.get(key, key)
        if key not in set(FORMATS.values()):
            raise InputError(f"unknown export format {format!r}; use geojson, gpkg, parquet or csv")
        return key
    suffix = path.suffix.lower()
    kind = FORMATS.get(suffix)
    if kind is None:
        if suffix == ".shp":
            raise InputError(
                f"{path}: geomap does not write shapefiles; name the output .gpkg for a GeoPackage, "
                "which QGIS and ArcGIS open as they open a shapefile (or .geojson, .parquet or .csv)"
            )
        given = f"the extension {path.suffix!r}" if path.suffix else "a name without an extension"
        if option.startswith("-"):
            how = f"{option} geojson, gpkg, parquet or csv"
        else:
            how = f"{option}'geojson', 'gpkg', 'parquet' or 'csv'"
        raise InputError(
            f"{path}: cannot tell the format from {given}; name the output .geojson, .gpkg, .parquet or .csv, "
            f"or pass {how}"
        )
    return kind


def _iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Date columns as ``YYYY-MM-DD`` text (missing dates as ``None``), for the text formats (GeoJSON, CSV)."""
    frame = frame.copy()
    for column in DATE_COLUMNS:
        if column in frame.columns:
            days = pd.to_datetime(frame[column]).to_numpy("datetime64[D]")
            text = np.datetime_as_string(days, unit="D").astype(object)
            text[np.isnat(days)] = None
            frame[column] = text
    return frame


def compact_areas_path(path: str | os.PathLike[str]) -> Path:
    """Where a compact export keeps the areas' geometry: ``name.areas.parquet`` beside ``name.ext``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.areas.parquet")


def _id_columns(timeline: ControlTimeline) -> list[str]:
    if timeline.provinces:
        return [PROVINCE_ISO, PROVINCE]
    if getattr(timeline, "level", None) == "district":
        return [DISTRICT_ID, DISTRICT, PROVINCE_ISO, PROVINCE]
    return [AREA_ID, AREA_NAME]


def _write_areas(timeline: ControlTimeline, areas: gpd.GeoDataFrame, tmp: Path) -> None:
    source = {PROVINCE_ISO: AREA_ID, PROVINCE: AREA_NAME} if timeline.provinces else {}
    table = pd.DataFrame({c: areas[source.get(c, c)].to_numpy() for c in _id_columns(timeline)})
    gpd.GeoDataFrame(table, geometry=areas.geometry.to_numpy(), crs="EPSG:4326").to_parquet(tmp, index=False)


def _rfc7946_geometry(gdf: gpd.GeoDataFrame) -> np.ndarray:
    geoms = shapely.orient_polygons(gdf.geometry.values, exterior_cw=False)
    rounded: np.ndarray = shapely.transform(geoms, lambda coords: np.round(coords, COORDINATE_DECIMALS))
    return rounded


def _write_geojson(batches: Iterable[Batch], areas: gpd.GeoDataFrame, tmp: Path) -> None:
    # Each area's geometry is encoded once; each feature's properties go through the C encoder.
    geometries = [_shortest_numbers(text) for text in shapely.to_geojson(_rfc7946_geometry(areas))]
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write('{"type":"FeatureCollection","features":[')
        first = True
        for table, positions in batches:
            for record, position in zip(_iso_dates(table).to_dict(orient="records"), positions, strict=True):
                fh.write(("" if first else ",") + '{"type":"Feature","properties":')
                fh.write(encode(_plain(record)))
                fh.write(',"geometry":' + geometries[position] + "}")
                first = False
        fh.write("]}")


_LONG_NUMBER = re.compile(r"-?\d+\.\d{8,}(?:[eE][-+]?\d+)?")


def _shortest_numbers(geojson: str) -> str:
    """``geojson`` with each coordinate written as the shortest text of its rounded value: GEOS writes 17
    significant digits, so 34.6119059 (rounded to 7 decimals) came out as ``34.611905899999996``."""
    return _LONG_NUMBER.sub(lambda m: repr(round(float(m.group(0)), COORDINATE_DECIMALS)), geojson)


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    plain = {}
    for key, value in record.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and np.isnan(value):
            value = None
        plain[key] = value
    return plain


def _arrow_batches(
    batches: Iterable[Batch], areas: gpd.GeoDataFrame | None, *, referenced: bool = False
) -> Iterator[pa.Table]:
    """Each batch as an Arrow table of one fixed schema; geometry as WKB, converted once per area.

    ``referenced``: the geometry column is a dictionary array (each row an index into the
    areas' WKB), so a batch never holds a copy of an area's geometry per row.
    """
    wkb = shapely.to_wkb(areas.geometry.to_numpy()) if areas is not None else None
    shapes = pa.array(wkb, type=pa.binary()) if wkb is not None and referenced else None
    schema = None
    for table, positions in batches:
        frame = table
        if wkb is not None and shapes is None:
            frame = table.assign(**{GEOMETRY: wkb[positions]})
        del table
        if schema is None:
            schema = _arrow_schema(frame)
        arrow = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        del frame  # the batch's text as Python strings: gone before the writer copies it
        if shapes is not None:
            indices = pa.array(np.asarray(positions, dtype=np.int32))
            arrow = arrow.append_column(GEOMETRY, pa.DictionaryArray.from_arrays(indices, shapes))
        yield arrow
        del arrow


def _arrow_schema(frame: pd.DataFrame) -> pa.Schema:
    """Types fixed by column, so that a batch where a column happens to be empty keeps its type."""
    fields = []
    for column in frame.columns:
        if column in DATE_COLUMNS:
            kind = pa.date32()
        elif column == GEOMETRY:
            kind = pa.binary()
        elif pd.api.types.is_bool_dtype(frame[column]):
            kind = pa.bool_()
        elif pd.api.types.is_integer_dtype(frame[column]):
            kind = pa.int64()
        elif pd.api.types.is_float_dtype(frame[column]):
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append(pa.field(column, kind))
    return pa.schema(fields)


def _geo_metadata(areas: gpd.GeoDataFrame) -> bytes:
    """GeoParquet 1.0 file metadata for a WKB ``geometry`` column in EPSG:4326."""
    from geomap._antimeridian import lon_lat_bounds

    types = sorted(set(areas.geometry.geom_type.dropna()))
    column = {
        "encoding": "WKB",
        "geometry_types": types,
        "crs": areas.crs.to_json_dict(),
        "bbox": [float(v) for v in lon_lat_bounds(areas.geometry.values)],  # west > east across 180 degrees
    }
    return json.dumps({"version": "1.0.0", "primary_column": GEOMETRY, "columns": {GEOMETRY: column}}).encode()


def _write_parquet(
    batches: Iterable[Batch], areas: gpd.GeoDataFrame | None, tmp: Path, *, distinct_text: bool = False
) -> None:
    # Rows refer to the areas' geometry (a dictionary array) where the writer can store the file
    # without the Arrow schema: readers then see the plain WKB column GeoParquet describes.
    referenced = hasattr(pq.ParquetWriter, "add_key_value_metadata")
    writer = None
    try:
        for table in _arrow_batches(batches, areas, referenced=referenced):
            if writer is None:
                # A dictionary page large enough for every area's geometry: each row group then
                # stores each geometry once and the rows refer to it (the file shrinks ~1000x).
                metadata = {b"geo": _geo_metadata(areas)} if areas is not None else {}
                options: dict[str, Any] = {"store_schema": False} if referenced else {}
                schema = table.schema.with_metadata(metadata)
                # The evidence and sources cells are free text, a cell as long as the reports it
                # cites (tens of MB for a long stretch at millions of reports): no min/max statistics,
                # which copied such a cell several times over in the writer. A long table repeats an
                # area's evidence on the dates after a report (its dictionary stores it once a row
                # group); the stretches of ``distinct_text`` do not, and are written plain too.
                counted = [name for name in schema.names if name not in FREE_TEXT_COLUMNS]
                writer = pq.ParquetWriter(
                    tmp,
                    schema,
                    dictionary_pagesize_limit=DICTIONARY_PAGE_BYTES,
                    use_dictionary=counted if distinct_text else True,
                    write_statistics=counted,
                    **options,
                )
                if referenced and metadata:
                    writer.add_key_value_metadata(metadata)
            writer.write_table(table.replace_schema_metadata(writer.schema.metadata))  # one row group per batch
            del table  # before the next batch is built
    finally:
        if writer is not None:
            writer.close()


def _write_gpkg(batches: Iterable[Batch], areas: gpd.GeoDataFrame, tmp: Path) -> None:
    import pyogrio

    # One open of the file; GDAL commits each Arrow batch in its own transaction, and the
    # batches are bounded by their geometry's bytes (every row carries its area's WKB).
    geoms, geometry_type = _one_geometry_type(areas.geometry.to_numpy())
    wkb = shapely.to_wkb(geoms)
    failure: list[BaseException] = []
    stream = _held_back(_wkb_batches(batches, wkb, limit=BATCH_BYTES), failure)
    first = next(stream, None)
    if first is None:
        return
    reader = pa.RecordBatchReader.from_batches(first.schema, itertools.chain([first], stream))
    try:
        pyogrio.write_arrow(
            reader,
            tmp,
            driver="GPKG",
            layer=GPKG_LAYER,
            geometry_name=GEOMETRY,
            geometry_type=geometry_type,
            crs="EPSG:4326",
        )
    except Exception as exc:
        if failure:  # making the rows failed; GDAL only saw the stream break
            raise failure[0] from None
        errors = pyogrio.errors
        if not isinstance(exc, errors.DataSourceError | errors.DataLayerError | errors.FieldError):
            raise
        # GDAL reports a full disk or an I/O failure as a layer error (or a failed rollback), not as an OSError
        reason = "the disk is full" if _disk_full(tmp) else "GDAL: " + " ".join(str(exc).split())[:200]
        raise OutputError(f"{tmp}: could not be written ({reason}); nothing was changed") from None
    if failure:
        raise failure[0]


def _disk_full(path: Path) -> bool:
    """Whether the disk ``path`` is written to has (almost) no room left."""
    import shutil

    try:
        return shutil.disk_usage(path.parent).free < (1 << 20)
    except OSError:
        return False


def _held_back(items: Iterator[pa.RecordBatch], failure: list[BaseException]) -> Iterator[pa.RecordBatch]:
    """``items``, keeping any exception they raise in ``failure`` (a C reader sees only that the stream broke)."""
    try:
        yield from items
    except BaseException as exc:
        failure.append(exc)
        raise


def _wkb_batches(batches: Iterable[Batch], wkb: np.ndarray, *, limit: int) -> Iterator[pa.RecordBatch]:
    """Record batches with each row's area WKB, each holding about ``limit`` bytes of geometry at most.

    The attributes are converted once per batch of dates and sliced without copying; only the
    geometry of the rows of one output batch is copied (from the one WKB per area).
    """
    sizes = np.array([0 if g is None else len(g) for g in wkb], dtype=np.int64)
    schema = None
    written = False
    for table, positions in batches:
        if schema is None:
            schema = _arrow_schema(table.assign(**{GEOMETRY: wkb[positions]}))
        if not len(table):
            continue
        attributes = pa.Table.from_pandas(table, schema=pa.schema(list(schema)[:-1]), preserve_index=False)
        rows = attributes.combine_chunks().to_batches()[0]
        for start, stop in _byte_slices(sizes[positions], limit):
            geometry = pa.array(wkb[positions[start:stop]], type=pa.binary())
            yield pa.RecordBatch.from_arrays([*rows.slice(start, stop - start).columns, geometry], schema=schema)
            written = True
    if schema is not None and not written:  # no rows: the layer is still created, with its fields
        yield pa.RecordBatch.from_pylist([], schema=schema)


def _byte_slices(sizes: np.ndarray, limit: int) -> list[tuple[int, int]]:
    """Consecutive ``(start, stop)`` ranges of rows whose ``sizes`` sum to at most ``limit`` each.

    A row larger than ``limit`` is a range of its own. Every row is in exactly one range.
    """
    ends = np.cumsum(sizes, dtype=np.int64)
    slices = []
    start = 0
    while start < len(sizes):
        base = ends[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, base + limit, side="right")))
        slices.append((start, stop))
        start = stop
    return slices


def _one_geometry_type(geoms: np.ndarray) -> tuple[np.ndarray, str]:
    """The areas' geometries and the one type a GeoPackage layer declares for them: polygons beside
    multipolygons made multipolygons of one part (GIS programs read a layer by its declared type)."""
    types = set(shapely.get_type_id(geoms[~shapely.is_missing(geoms)]).tolist())
    polygon, multi = shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON
    if types == {polygon, multi}:
        geoms = geoms.copy()
        single = shapely.get_type_id(geoms) == polygon
        geoms[single] = shapely.multipolygons(geoms[single][:, None])
        return geoms, "MultiPolygon"
    if len(types) == 1:
        return geoms, {polygon: "Polygon", multi: "MultiPolygon"}.get(types.pop(), "Unknown")
    return geoms, "Unknown"


def _write_csv(batches: Iterable[Batch], areas: gpd.GeoDataFrame | None, tmp: Path, *, raw: bool = False) -> None:
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        for k, (table, _positions) in enumerate(batches):
            text = csv_text(_iso_dates(table), raw=raw)
            fh.write(text if k == 0 else text.split("\n", 1)[1])
