from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geomap.errors import InputError, OutputError
from geomap.export import export, export_frame
from geomap.timeline import ControlTimeline

ROWS = pd.DataFrame(
    {
        "date": ["2021-08-06", "2021-08-10", "2021-08-12"],
        "place": ["Zaranj", "Zaranj", "Ghazni"],
        "status": ["contested", "taliban", "taliban"],
        "lat": [30.96, 30.96, 33.55],
        "lon": [61.86, 61.86, 68.42],
        "source": ["a", "b", "c"],
        "note": ["", "", 'quote " and </script>'],
    }
)


@pytest.fixture(scope="module")
def timeline() -> ControlTimeline:
    return ControlTimeline.from_reports(ROWS)


def test_geojson_is_rfc7946(timeline, tmp_path):
    path = export(timeline, tmp_path / "out.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"type", "features"}  # no crs member
    assert len(data["features"]) == 34 * 3
    props = data["features"][0]["properties"]
    assert set(props) >= {"province_iso", "province", "date", "status", "status_label", "since", "changed", "sources"}
    for feature in data["features"]:
        geom = shapely.geometry.shape(feature["geometry"])
        for polygon in getattr(geom, "geoms", [geom]):
            assert polygon.exterior.is_ccw
            assert all(not ring.is_ccw for ring in polygon.interiors)
        for x, y in shapely.get_coordinates(geom):
            assert -180 <= x <= 180 and -90 <= y <= 90
            assert len(repr(float(x)).split(".")[-1]) <= 7 and len(repr(float(y)).split(".")[-1]) <= 7
    nim = [f["properties"] for f in data["features"] if f["properties"]["province_iso"] == "AF-NIM"]
    assert [(p["date"], p["status"], p["since"], p["changed"]) for p in nim] == [
        ("2021-08-06", "contested", "2021-08-06", False),
        ("2021-08-10", "taliban", "2021-08-10", True),
        ("2021-08-12", "taliban", "2021-08-10", False),
    ]
    gdf = pyogrio.read_dataframe(path)
    assert len(gdf) == 102 and gdf.crs.to_epsg() == 4326


def test_geopackage_has_real_date_columns(timeline, tmp_path):
    path = export(timeline, tmp_path / "out.gpkg")
    with sqlite3.connect(path) as db:
        sql = db.execute("select sql from sqlite_master where name = 'control'").fetchone()[0]
    assert '"date" DATE' in sql and '"since" DATE' in sql
    gdf = gpd.read_file(path, layer="control")  # the file also holds layer_styles
    assert gdf["date"].dt.date.min() == dt.date(2021, 8, 6)


def test_a_geopackage_layer_of_polygons_and_multipolygons_is_all_multipolygons(tmp_path):
    districts = ControlTimeline.from_reports(ROWS, level="district")  # some districts are multipolygons
    assert set(districts.areas.geom_type) == {"Polygon", "MultiPolygon"}
    out = export(districts, tmp_path / "d.gpkg")
    assert pyogrio.read_info(out, layer="control")["geometry_type"] == "MultiPolygon"
    written = gpd.read_file(out, layer="control")
    assert set(written.geom_type) == {"MultiPolygon"} and len(written) == 398 * len(districts.reporting_dates)
    # the same shapes: a polygon is a multipolygon of one part
    one = written.drop_duplicates("district_id").set_index("district_id").geometry
    areas = districts.areas.set_index("area_id").geometry.loc[one.index]
    as_multi = areas.apply(lambda g: shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g)
    assert one.normalize().geom_equals_exact(as_multi.normalize(), tolerance=1e-9).all()


def test_geoparquet_and_csv(timeline, tmp_path):
    gdf = gpd.read_parquet(export(timeline, tmp_path / "out.parquet"))
    assert len(gdf) == 102 and gdf.crs.to_epsg() == 4326
    table = pd.read_csv(export(timeline, tmp_path / "out.csv"))
    assert "geometry" not in table.columns and len(table) == 102
    evidence = json.loads(
        table.loc[(table["province_iso"] == "AF-GHA") & (table["date"] == "2021-08-12"), "evidence"].item()
    )
    assert evidence[0]["note"] == 'quote " and </script>'


def test_as_of_and_intervals(timeline):
    as_of = export_frame(timeline, shape="as-of", as_of="2021-08-11").set_index("province_iso")
    assert len(as_of) == 34 and as_of.loc["AF-NIM", "status"] == "taliban"
    intervals = export_frame(timeline, shape="intervals")
    nim = intervals[intervals["province_iso"] == "AF-NIM"]
    assert nim[["status", "valid_from", "valid_to"]].values.tolist() == [
        ["contested", pd.Timestamp("2021-08-06"), pd.Timestamp("2021-08-10")],
        ["taliban", pd.Timestamp("2021-08-10"), pd.Timestamp("2021-08-13")],
    ]
    for column in ("valid_from", "valid_to", "since"):
        assert intervals[column].dtype == "datetime64[ns]"
    assert len(intervals[intervals["province_iso"] == "AF-KAB"]) == 1


def test_a_date_for_another_shape_is_refused_not_ignored(timeline, tmp_path):
    with pytest.raises(InputError, match=r"^as_of: a date only picks the day of shape='as-of'"):
        export_frame(timeline, as_of="2021-08-11")
    out = tmp_path / "control.parquet"
    with pytest.raises(InputError, match=r"^as_of: .* not of shape='intervals'"):
        export(timeline, out, shape="intervals", as_of="2021-08-11")
    assert not out.exists()
    with pytest.raises(InputError, match=r"^shape: unknown export shape 'wide'"):
        export(timeline, out, shape="wide")


def test_output_equal_to_input_is_refused_and_existing_file_kept(timeline, tmp_path):
    reports = tmp_path / "reports.csv"
    ROWS.to_csv(reports, index=False)
    before = reports.read_bytes()
    with pytest.raises(OutputError, match="refusing to overwrite the input file"):
        export(timeline, reports, inputs=[reports])
    assert reports.read_bytes() == before


def test_failed_write_leaves_existing_file(timeline, tmp_path, monkeypatch):
    path = tmp_path / "out.geojson"
    path.write_text("previous", encoding="utf-8")

    def boom(batches, areas, tmp):
        tmp.write_text("partial", encoding="utf-8")
        raise RuntimeError("disk full")

    monkeypatch.setattr("geomap.export._write_geojson", boom)
    with pytest.raises(RuntimeError):
        export(timeline, path)
    assert path.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.geojson"]


def test_unknown_format(timeline, tmp_path):
    with pytest.raises(InputError) as caught:
        export(timeline, tmp_path / "out.txt")
    assert str(caught.value) == (
        f"{tmp_path / 'out.txt'}: cannot tell the format from the extension '.txt'; name the output .geojson, "
        ".gpkg, .parquet or .csv, or pass format='geojson', 'gpkg', 'parquet' or 'csv'"
    )
    assert list(tmp_path.iterdir()) == []


def test_shapefile_is_refused_without_pointing_at_a_format_that_has_none(timeline, tmp_path):
    with pytest.raises(InputError) as caught:
        export(timeline, tmp_path / "out.shp")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'out.shp'}: geomap does not write shapefiles; name the output .gpkg")
    assert "format" not in message
    assert list(tmp_path.iterdir()) == []


def test_compact_refusal_names_the_path_given(timeline, tmp_path):
    with pytest.raises(InputError) as caught:
        export(timeline, tmp_path / "cp.geojson", compact=True)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'cp.geojson'}: compact exports are Parquet or CSV")
    assert "format='parquet'" in message and "--" not in message
    assert list(tmp_path.iterdir()) == []


def test_rfc7946_geometry_reorients_and_rounds():
    from geomap.export import _rfc7946_geometry

    clockwise = shapely.Polygon(
        [(60.123456789, 30.0), (60.0, 31.0), (61.0, 31.0), (61.0, 30.0)],
        holes=[[(60.2, 30.2), (60.8, 30.2), (60.8, 30.8), (60.2, 30.8)]],  # counter-clockwise hole
    )
    assert not clockwise.exterior.is_ccw
    (fixed,) = _rfc7946_geometry(gpd.GeoDataFrame(geometry=[clockwise], crs="EPSG:4326"))
    assert fixed.exterior.is_ccw
    assert not fixed.interiors[0].is_ccw
    assert 60.1234568 in shapely.get_coordinates(fixed)[:, 0].tolist()


def test_geojson_coordinates_are_written_with_seven_decimals_at_most(tmp_path):
    # GEOS writes 17 significant digits: 34.6119059, rounded to 7 decimals, came out as 34.611905899999996
    timeline = ControlTimeline.from_reports(
        pd.DataFrame({"date": ["2021-08-06"], "place": ["Zaranj"], "status": ["taliban"]}), level="district"
    )
    text = export(timeline, tmp_path / "districts.geojson").read_text(encoding="utf-8")
    assert re.findall(r"\d\.\d{8,}", text) == []
    assert len(json.loads(text)["features"]) == 398


def test_a_geopackage_on_a_full_disk_is_said_to_be_on_a_full_disk(timeline, tmp_path, monkeypatch):
    import shutil

    def rollback_failed(*args, **kwargs):
        raise pyogrio.errors.DataLayerError("sqlite3_exec(ROLLBACK) failed: cannot rollback - no transaction is active")

    monkeypatch.setattr(pyogrio, "write_arrow", rollback_failed)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10_000_000, 9_990_000, 10_000))
    out = tmp_path / "control.gpkg"
    with pytest.raises(OutputError) as info:
        export(timeline, out)
    assert str(info.value) == f"{out}: could not be written (the disk is full); nothing was changed"
    assert list(tmp_path.iterdir()) == []
