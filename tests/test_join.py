from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geomap.boundaries import load_boundaries, load_provinces
from geomap.join import area_provinces, join_points, locate_reports
from geomap.reports import read_reports


def test_points_inside_outside_and_on_shared_border(squares):
    areas = squares.geometry.values
    x = np.array([65.5, 66.5, 67.0, 66.0, 70.0, 68.05, np.nan])
    y = np.array([33.5, 33.5, 33.5, 33.0, 33.5, 33.5, 33.5])
    result = join_points(x, y, areas, snap=0.1)
    # x=67 lies on the B|C border and x=66 on the A|B corner: the earlier area wins.
    assert result.tolist() == [0, 1, 1, 0, -1, 2, -1]


def test_join_matches_geopandas_sjoin(squares):
    rng = np.random.default_rng(1)
    x, y = rng.uniform(64.5, 68.5, 2000), rng.uniform(32.5, 34.5, 2000)
    ours = join_points(x, y, squares.geometry.values, snap=0)
    expected = np.full(len(x), -1)
    for i, geom in enumerate(squares.geometry.values):
        hit = shapely.contains_xy(geom, x, y) & (expected == -1)
        expected[hit] = i
    assert (ours == expected).all()


def test_border_rule_follows_area_id_order_not_file_order(tmp_path, squares):
    reversed_file = squares.iloc[::-1].reset_index(drop=True)
    path = tmp_path / "rev.gpkg"
    reversed_file.to_file(path)
    areas = load_boundaries(path, id_field="code", name_field="label")
    reports = read_reports(pd.DataFrame({"date": ["2021-08-01"], "place": ["edge"], "status": ["taliban"],
                                         "lat": [33.5], "lon": [67.0]}))  # fmt: skip
    located, unresolved = locate_reports(reports, areas, provinces=False)
    assert located["area_id"].tolist() == ["B"]
    assert unresolved.empty


def test_province_report_spreads_over_user_areas(tmp_path, districts_path):
    districts = load_boundaries(districts_path, id_field="shapeID", name_field="shapeName")
    provinces = load_provinces()
    owner = area_provinces(districts, provinces)
    assert (owner != "").all()
    reports = read_reports(pd.DataFrame({"date": ["2021-08-12"], "place": ["Ghazni province"], "status": ["taliban"],
                                         "level": ["province"]}))  # fmt: skip
    geocoded = pd.DataFrame([{"query": "Ghazni province", "name": "Ghazni", "kind": "province",
                              "province_iso": "AF-GHA", "province": "Ghazni", "lat": 33.5, "lon": 68.4,
                              "confidence": 1.0, "method": "exact", "alternatives": "", "reason": ""}])  # fmt: skip
    located, _ = locate_reports(reports, districts, provinces=False, geocoded=geocoded, province_polygons=provinces)
    assert set(located["area_id"]) == set(districts.loc[owner == "AF-GHA", "area_id"])
    assert len(located) == (owner == "AF-GHA").sum() >= 10
