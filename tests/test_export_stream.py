"""Streaming exports: the long table written a few reporting dates at a time gives the same file."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pytest
from test_timeline_engine import random_timeline

import geomap.timeline
from geomap.errors import InputError
from geomap.export import compact_areas_path, export, export_frame
from geomap.scheme import AFGHANISTAN_2021


@pytest.fixture(params=["province", "district", None])
def timeline(request):
    return random_timeline(5, "latest", AFGHANISTAN_2021, request.param)


def test_batches_cover_the_long_table_in_order(timeline):
    batches = list(timeline.iter_long(batch_rows=1))
    assert len(batches) == len(timeline.reporting_dates)
    joined = pd.concat(batches, ignore_index=True)
    pd.testing.assert_frame_equal(joined, timeline.long())


@pytest.mark.parametrize("ext", ["csv", "geojson"])
def test_batched_text_files_are_byte_identical(timeline, ext, tmp_path, monkeypatch):
    whole = export(timeline, tmp_path / f"whole.{ext}").read_bytes()
    monkeypatch.setattr(geomap.timeline, "BATCH_ROWS", 1)
    batched = export(timeline, tmp_path / f"batched.{ext}").read_bytes()
    assert batched == whole
    if ext == "geojson":
        features = json.loads(whole)["features"]
        assert len(features) == len(timeline.long())


@pytest.mark.parametrize("ext", ["parquet", "gpkg"])
def test_batched_gis_files_hold_the_export_frame(timeline, ext, tmp_path, monkeypatch):
    monkeypatch.setattr(geomap.timeline, "BATCH_ROWS", 1)
    out = export(timeline, tmp_path / f"batched.{ext}")
    got = gpd.read_parquet(out) if ext == "parquet" else gpd.read_file(out, layer="control")
    want = export_frame(timeline)
    assert got.crs.to_epsg() == 4326
    assert list(got.columns) == list(want.columns)
    assert got.geometry.geom_equals_exact(want.geometry, 1e-9).all()
    for column in ("status", "sources", "evidence"):
        assert got[column].fillna("").tolist() == want[column].tolist()
    assert got["changed"].tolist() == want["changed"].tolist()
    if ext == "parquet":
        # One row group per reporting date: the writer never held more than one date's rows.
        assert pq.ParquetFile(out).num_row_groups == len(timeline.reporting_dates)
        # Parquet keeps a date type (date32) on disk; read back, the days are those of the frame.
        assert [pd.Timestamp(d) for d in got["date"]] == want["date"].tolist()


@pytest.mark.parametrize("shape", ["long", "intervals"])
def test_parquet_writes_free_text_without_statistics(timeline, shape, tmp_path):
    out = export(timeline, tmp_path / "control.parquet", shape=shape)
    meta = pq.ParquetFile(out).metadata
    names = [meta.schema.column(k).name for k in range(meta.num_columns)]
    group = meta.row_group(0)
    chunks = {name: group.column(k) for k, name in enumerate(names)}
    for name in ("evidence", "sources"):  # a cell may be megabytes: no min/max copies
        assert not chunks[name].is_stats_set
        # a long table's dictionary stores evidence repeated over dates once; a stretch's is its own
        assert (chunks[name].dictionary_page_offset is None) == (shape == "intervals")
    assert chunks["status"].is_stats_set
    assert chunks["geometry"].dictionary_page_offset is not None  # each area's geometry stored once
    got = gpd.read_parquet(out)
    want = export_frame(timeline, shape=shape)
    for column in ("evidence", "sources", "status"):
        assert got[column].fillna("").tolist() == want[column].tolist()


def test_compact_parquet_stores_geometry_once_per_area(timeline, tmp_path):
    out = export(timeline, tmp_path / "long.parquet", compact=True)
    table = pd.read_parquet(out)
    areas = gpd.read_parquet(compact_areas_path(out))
    assert "geometry" not in table.columns
    assert len(areas) == len(timeline.areas)
    key = areas.columns[0]
    assert key in ("province_iso", "district_id", "area_id")
    joined = gpd.GeoDataFrame(table.merge(areas[[key, "geometry"]], on=key, how="left"), crs=areas.crs)
    want = export_frame(timeline)
    assert joined.geometry.geom_equals_exact(want.geometry, 1e-9).all()
    assert joined["status"].tolist() == want["status"].tolist()


def test_compact_is_refused_for_formats_that_carry_geometry(timeline, tmp_path):
    with pytest.raises(InputError, match="compact"):
        export(timeline, tmp_path / "long.gpkg", compact=True)
    assert not list(tmp_path.iterdir())


def test_cli_compact_export(tmp_path):
    from geomap.cli import main

    example = Path(__file__).resolve().parents[1] / "examples" / "afghanistan-2021.csv"
    assert main(["export", str(example), "-o", str(tmp_path / "control.parquet"), "--compact"]) == 0
    table = pd.read_parquet(tmp_path / "control.parquet")
    areas = gpd.read_parquet(tmp_path / "control.areas.parquet")
    assert len(areas) == 34
    assert set(table["province_iso"]) == set(areas["province_iso"])
    assert len(table) == 34 * table["date"].nunique()
