"""Boundaries that cross 180 degrees: cut, bounded, joined and drawn as one piece, not as a 358-degree span."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pyarrow.parquet as pq
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from geomap import build_timeline, load_boundaries
from geomap._antimeridian import in_lon_range, lon_lat_bounds, split_at_antimeridian, unwrap
from geomap.cli import main
from geomap.errors import BoundaryError
from geomap.render import map_data, page_payload
from geomap.reports import ReportsError

# An island drawn across 180 degrees (longitudes 179.5 -> -179.5), and one already cut there in two parts.
ACROSS = Polygon([(178, -17), (179.5, -17), (-179.5, -17), (-179, -16), (178, -16), (178, -17)])
CUT = MultiPolygon(
    [
        Polygon([(178, -19), (180, -19), (180, -18), (178, -18)]),
        Polygon([(-180, -19), (-179, -19), (-179, -18), (-180, -18)]),
    ]
)


@pytest.fixture
def pacific(tmp_path):
    path = tmp_path / "pacific.geojson"
    gpd.GeoDataFrame({"id": ["N", "S"], "name": ["North", "South"]}, geometry=[ACROSS, CUT], crs="EPSG:4326").to_file(
        path
    )
    return path


def test_a_ring_across_180_is_cut_into_two_parts_with_the_same_area():
    (fixed,), cut = split_at_antimeridian(np.array([ACROSS], dtype=object))
    assert cut.tolist() == [True]
    assert fixed.geom_type == "MultiPolygon"
    assert sorted(shapely.bounds(p).round(6).tolist() for p in fixed.geoms) == [
        [-180.0, -17.0, -179.0, -16.0],
        [178.0, -17.0, 180.0, -16.0],
    ]
    # 178..181 (unwrapped) by 1 degree, less the corner cut off by the edge (-179.5, -17) -> (-179, -16)
    assert fixed.area == pytest.approx(3.0 - 0.25)
    inside = shapely.intersects_xy(fixed, [179.9, -179.9, 0.0, 100.0], [-16.5, -16.5, -16.5, -16.5])
    assert inside.tolist() == [True, True, False, False]


def test_a_hole_across_180_stays_a_hole():
    hole = [(179.5, -18.5), (-179.5, -18.5), (-179.5, -17.5), (179.5, -17.5)]
    shell = Polygon([(179, -19), (-179, -19), (-179, -17), (179, -17)], [hole])
    (fixed,), _ = split_at_antimeridian(np.array([shell], dtype=object))
    assert fixed.area == pytest.approx(4.0 - 1.0)
    assert shapely.intersects_xy(fixed, [179.8, -179.8, 179.2], [-18, -18, -18]).tolist() == [False, False, True]


def test_polygons_that_do_not_cross_are_left_alone():
    squares = np.array([Polygon([(60, 30), (61, 30), (61, 31), (60, 31)]), CUT], dtype=object)
    fixed, cut = split_at_antimeridian(squares)
    assert cut.tolist() == [False, False]
    assert fixed[0] is squares[0] and fixed[1] is squares[1]


def test_bounds_across_180_have_west_greater_than_east():
    assert lon_lat_bounds([CUT]) == (178.0, -19.0, -179.0, -18.0)
    fixed, _ = split_at_antimeridian(np.array([ACROSS, CUT], dtype=object))
    assert lon_lat_bounds(fixed) == (178.0, -19.0, -179.0, -16.0)
    # Not across: the plain box, whatever the longitudes.
    assert lon_lat_bounds([Polygon([(60, 30), (75, 30), (75, 38), (60, 38)])]) == (60.0, 30.0, 75.0, 38.0)
    assert lon_lat_bounds([Polygon([(-170, 0), (170, 0), (170, 1), (-170, 1)])]) == (-170.0, 0.0, 170.0, 1.0)
    assert in_lon_range(np.array([179.0, -179.5, 0.0, -178.0]), 178.0, -179.0).tolist() == [True, True, False, False]


def test_unwrap_writes_the_eastern_side_past_180():
    fixed, _ = split_at_antimeridian(np.array([ACROSS, CUT], dtype=object))
    shifted = unwrap(fixed, lon_lat_bounds(fixed))
    assert shapely.total_bounds(shifted).tolist() == [178.0, -19.0, 181.0, -16.0]
    assert shapely.union_all(shifted).area == pytest.approx(fixed[0].area + fixed[1].area)
    # The two parts of each area meet again at 180 degrees: one polygon each, no seam.
    assert [g.geom_type for g in shifted] == ["Polygon", "Polygon"]
    assert shapely.bounds(shifted[1]).tolist() == [178.0, -19.0, 181.0, -18.0]


def test_loaded_boundaries_are_cut_and_reports_join_on_both_sides(pacific):
    areas = load_boundaries(pacific, id_field="id", name_field="name")
    assert areas.geometry.iloc[0].geom_type == "MultiPolygon"
    assert lon_lat_bounds(areas.geometry.values) == (178.0, -19.0, -179.0, -16.0)
    rows = [
        {"date": "2021-08-10", "place": "East", "status": "taliban", "lat": -16.5, "lon": -179.4},
        {"date": "2021-08-11", "place": "West", "status": "government", "lat": -18.5, "lon": 178.5},
        {"date": "2021-08-12", "place": "Date line", "status": "taliban", "lat": -18.5, "lon": -179.8},
    ]
    timeline = build_timeline(rows, boundaries=areas)
    assert timeline.status("2021-08-11").set_index("area_id")["status"].to_dict() == {"N": "taliban", "S": "government"}
    assert timeline.status("2021-08-12").set_index("area_id")["status"].to_dict() == {"N": "taliban", "S": "taliban"}


def test_a_report_far_from_boundaries_across_180_is_still_refused(pacific):
    areas = load_boundaries(pacific, id_field="id", name_field="name")
    far = [{"date": "2021-08-10", "place": "Greenwich", "status": "taliban", "lat": -17.0, "lon": 0.0}]
    with pytest.raises(ReportsError) as info:
        build_timeline(far, boundaries=areas)
    assert "outside the mapped area (latitude -19.5..-15.5, longitude 177.5..-178.5 across 180 degrees)" in str(
        info.value
    )
    kabul = [{"date": "2021-08-10", "place": "Kabul", "status": "taliban", "lat": 34.53, "lon": 69.17}]
    with pytest.raises(ReportsError, match="outside the mapped area"):
        build_timeline(kabul, boundaries=areas)


def test_a_ring_round_a_pole_is_refused_with_its_row(tmp_path):
    cap = Polygon([(0, 80), (120, 80), (-120, 80), (0, 80)])
    path = tmp_path / "cap.geojson"
    gpd.GeoDataFrame({"id": ["ok", "cap"]}, geometry=[ACROSS, cap], crs="EPSG:4326").to_file(path)
    with pytest.raises(BoundaryError, match=r"row 2, column 'geometry': 'cap': a ring goes all the way round"):
        load_boundaries(path, id_field="id", name_field="id")


def test_projected_pacific_boundaries_reproject_without_a_358_degree_span(tmp_path):
    fixed, _ = split_at_antimeridian(np.array([ACROSS, CUT], dtype=object))
    pdc = gpd.GeoSeries(unwrap(fixed, lon_lat_bounds(fixed)), crs="+proj=longlat +lon_wrap=180").to_crs("EPSG:3832")
    path = tmp_path / "pacific.gpkg"
    gpd.GeoDataFrame({"id": ["N", "S"]}, geometry=pdc.values, crs="EPSG:3832").to_file(path)
    areas = load_boundaries(path, id_field="id", name_field="id")
    west, south, east, north = lon_lat_bounds(areas.geometry.values)
    assert (round(west, 6), round(east, 6), round(south, 6), round(north, 6)) == (178.0, -179.0, -19.0, -16.0)


def test_map_fits_and_draws_the_areas_as_one_piece(pacific):
    areas = load_boundaries(pacific, id_field="id", name_field="name")
    rows = [{"date": "2021-08-10", "place": "East", "status": "taliban", "lat": -16.5, "lon": -179.4}]
    data = map_data(build_timeline(rows, boundaries=areas), markers=True)
    payload = page_payload(data)
    assert payload["bounds"] == [[-19.0, 178.0], [-16.0, 181.0]]
    assert data.reports[0]["lon"] == pytest.approx(180.6)
    points = [p for options in payload["labels"]["points"] for p in options]
    assert all(178 * payload["scale"] <= x <= 181 * payload["scale"] for x, _ in points)


def test_exports_state_the_bounds_across_180(pacific, tmp_path):
    reports = tmp_path / "r.csv"
    reports.write_text("date,place,status,lat,lon\n2021-08-10,East,taliban,-16.5,-179.4\n", encoding="utf-8")
    out = tmp_path / "o.parquet"
    args = ["--boundaries", str(pacific), "--id-field", "id", "--name-field", "name"]
    assert main(["export", str(reports), "-o", str(out), *args]) == 0
    geo = json.loads(pq.read_metadata(out).metadata[b"geo"])
    assert geo["columns"]["geometry"]["bbox"] == [178.0, -19.0, -179.0, -16.0]
