from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
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


def test_province_report_counts_in_the_area_holding_the_province_when_areas_are_larger(tmp_path):
    # two regions made of whole provinces: the east (Nangarhar and its neighbours) and the rest
    provinces = load_provinces()
    east = ["AF-NAN", "AF-KAB", "AF-KAP", "AF-LAG", "AF-KNR", "AF-NUR", "AF-PAR", "AF-PAN", "AF-LOG", "AF-WAR"]
    provinces["region"] = np.where(provinces["area_id"].isin(east), "EAST", "REST")
    regions = provinces.dissolve("region").reset_index()[["region", "geometry"]]
    regions.to_file(tmp_path / "regions.gpkg")
    areas = load_boundaries(tmp_path / "regions.gpkg", id_field="region", name_field="region")
    frame = pd.DataFrame(
        {"date": ["2021-08-15"] * 3, "place": ["Nangarhar province", "Faryab province", "Kabul"],
         "status": ["taliban", "government", "taliban"], "level": ["province", "province", ""]}
    )  # fmt: skip
    geocoded = pd.DataFrame(
        [{"query": q, "name": n, "kind": k, "province_iso": iso, "province": n, "lat": lat, "lon": lon,
          "confidence": 1.0, "method": "exact", "alternatives": "", "reason": ""}
         for q, n, k, iso, lat, lon in (("Nangarhar province", "Nangarhar", "province", "AF-NAN", 34.3, 70.6),
                                        ("Faryab province", "Faryab", "province", "AF-FYB", 35.9, 64.8),
                                        ("Kabul", "Kabul", "capital", "AF-KAB", 34.53, 69.17))]
    )  # fmt: skip
    reports = read_reports(frame)
    located, unresolved = locate_reports(
        reports, areas, provinces=False, geocoded=geocoded, province_polygons=provinces
    )
    assert sorted(zip(located["place"], located["area_id"], strict=True)) == [
        ("Faryab province", "REST"),
        ("Kabul", "EAST"),
        ("Nangarhar province", "EAST"),
    ]
    assert unresolved.empty
    # a province no area covers is not lost: its report is listed as not placed
    (tmp_path / "east.gpkg").unlink(missing_ok=True)
    regions[regions["region"] == "EAST"].to_file(tmp_path / "east.gpkg")
    east_only = load_boundaries(tmp_path / "east.gpkg", id_field="region", name_field="region")
    located, unresolved = locate_reports(
        reports, east_only, provinces=False, geocoded=geocoded, province_polygons=provinces
    )
    assert sorted(located["place"]) == ["Kabul", "Nangarhar province"]
    assert unresolved[["place", "reason"]].values.tolist() == [["Faryab province", "outside every boundary polygon"]]
    # an area outside every province (abroad) takes no report of an unknown province
    abroad = pd.concat([regions, regions.iloc[:1].assign(region="ABROAD", geometry=[shapely.box(55, 30, 56, 31)])])
    abroad.to_file(tmp_path / "abroad.gpkg")
    with_abroad = load_boundaries(tmp_path / "abroad.gpkg", id_field="region", name_field="region")
    unknown = read_reports(pd.DataFrame({"date": ["2021-08-15"], "place": ["Xyzzyqq"], "status": ["taliban"],
                                         "level": ["province"]}))  # fmt: skip
    not_found = pd.DataFrame([{"query": "Xyzzyqq", "name": "", "kind": "", "province_iso": "", "province": "",
                               "lat": np.nan, "lon": np.nan, "confidence": 0.0, "method": "", "alternatives": "",
                               "reason": "place not found"}])  # fmt: skip
    located, unresolved = locate_reports(
        unknown, with_abroad, provinces=False, geocoded=not_found, province_polygons=provinces
    )
    assert located.empty and unresolved["reason"].tolist() == ["place not found"]


# ----------------------------------------------------------------------------------------------------
# Landing on districts: four square districts in two provinces (P1: D1, D2; P2: D3, D4)


def tiny_districts():
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame(
        {
            "area_id": ["D1", "D2", "D3", "D4"],
            "area_name": ["One", "Two", "Three", "Four"],
            "province_iso": ["AF-P1", "AF-P1", "AF-P2", "AF-P2"],
        },
        geometry=[box(65, 33, 66, 34), box(66, 33, 67, 34), box(67, 33, 68, 34), box(68, 33, 69, 34)],
        crs="EPSG:4326",
    )


TINY_PLACES = {
    # query: (kind, province_iso, lat, lon)
    "Onetown": ("district", "AF-P1", 33.5, 65.5),
    "Twoville": ("village", "AF-P1", 33.2, 66.8),
    "Capitalabad": ("capital", "AF-P2", 33.5, 67.5),
    "Bazaar": ("city", "AF-P2", 33.9, 68.9),
    "Province One": ("province", "AF-P1", 33.5, 66.0),
}


def tiny_geocode(places):
    rows = []
    for place in places:
        kind, iso, lat, lon = TINY_PLACES.get(place, (None, None, float("nan"), float("nan")))
        found = kind is not None
        rows.append({"query": place, "name": place if found else None, "kind": kind, "province_iso": iso,
                     "lat": lat, "lon": lon, "confidence": 1.0 if found else 0.0,
                     "method": "exact" if found else "", "reason": "" if found else "place not found"})  # fmt: skip
    return pd.DataFrame(rows)


def land(rows):
    from geomap.join import locate_on_districts

    frame = pd.DataFrame(rows, columns=["date", "place", "status", "lat", "lon", "level"][: len(rows[0])])
    reports = read_reports(frame)
    return locate_on_districts(reports, tiny_districts(), geocoded=tiny_geocode(reports["place"]))


def landed(located):
    return sorted(zip(located["place"], located["area_id"], located["scope"], strict=True))


def test_district_town_village_and_capital_set_their_own_district():
    located, unresolved = land(
        [
            ("2021-08-01", "Onetown", "taliban"),
            ("2021-08-01", "Twoville", "government"),
            ("2021-08-01", "Capitalabad", "contested"),
            ("2021-08-01", "Bazaar", "taliban"),
        ]
    )
    assert landed(located) == [
        ("Bazaar", "D4", "district"),
        ("Capitalabad", "D3", "district"),
        ("Onetown", "D1", "district"),
        ("Twoville", "D2", "district"),
    ]
    assert unresolved.empty


def test_province_report_spreads_over_its_districts_marked_province_wide():
    located, _ = land([("2021-08-02", "Province One", "taliban")])
    assert landed(located) == [("Province One", "D1", "province-wide"), ("Province One", "D2", "province-wide")]


def test_province_report_never_overrides_a_same_date_district_report():
    located, _ = land(
        [
            ("2021-08-02", "Province One", "taliban"),
            ("2021-08-02", "Onetown", "government"),  # same date: the district report stands alone
            ("2021-08-01", "Twoville", "government"),  # earlier date: the province report is newer
        ]
    )
    assert landed(located) == [
        ("Onetown", "D1", "district"),
        ("Province One", "D2", "province-wide"),
        ("Twoville", "D2", "district"),
    ]


def test_coordinates_go_to_the_containing_district_and_level_province_spreads():
    located, unresolved = land(
        [
            ("2021-08-01", "somewhere", "taliban", 33.5, 68.5, ""),
            ("2021-08-03", "edge", "taliban", 33.5, 67.0, ""),  # on the D2|D3 border: the id sorting first
            ("2021-08-01", "whole province", "government", 33.5, 65.2, "province"),
            ("2021-08-01", "far away", "government", 33.5, 61.0, ""),
        ]
    )
    assert landed(located) == [
        ("edge", "D2", "district"),
        ("somewhere", "D4", "district"),
        ("whole province", "D1", "province-wide"),
        ("whole province", "D2", "province-wide"),
    ]
    assert unresolved[["place", "reason"]].values.tolist() == [["far away", "outside every district"]]


def test_district_provinces_come_from_the_geocoder_or_the_district_with_one_text_dtype():
    coordinates_only, _ = land([("2021-08-01", "somewhere", "taliban", 33.5, 68.5, "")])
    assert coordinates_only[["area_id", "province_iso", "scope"]].values.tolist() == [["D4", "AF-P2", "district"]]
    mixed, _ = land(
        [
            ("2021-08-01", "Onetown", "taliban", None, None, ""),  # geocoded: its province from the geocoder
            ("2021-08-01", "somewhere", "taliban", 33.5, 68.5, ""),  # coordinates: the district's province
            ("2021-08-02", "Province One", "taliban", None, None, ""),  # province-wide: the frames are joined
        ]
    )
    assert sorted(mixed[["place", "area_id", "province_iso", "scope"]].values.tolist()) == [
        ["Onetown", "D1", "AF-P1", "district"],
        ["Province One", "D1", "AF-P1", "province-wide"],
        ["Province One", "D2", "AF-P1", "province-wide"],
        ["somewhere", "D4", "AF-P2", "district"],
    ]
    # Without a province-wide report the located table is not concatenated: the same columns and dtypes.
    pd.testing.assert_series_equal(coordinates_only.dtypes, mixed.dtypes)
    assert coordinates_only.index.equals(pd.RangeIndex(1))


def test_the_geocoders_district_id_wins_over_the_point():
    from geomap.join import locate_on_districts

    reports = read_reports(pd.DataFrame({"date": ["2021-08-01"], "place": ["Onetown"], "status": ["taliban"]}))
    geocoded = tiny_geocode(["Onetown"]).assign(district_id=["D2"])
    located, _ = locate_on_districts(reports, tiny_districts(), geocoded=geocoded)
    assert located["area_id"].tolist() == ["D2"]


def test_unknown_place_is_unresolved_at_district_level():
    located, unresolved = land([("2021-08-01", "Nowhere-e Sharif", "taliban")])
    assert located.empty
    assert unresolved[["place", "reason"]].values.tolist() == [["Nowhere-e Sharif", "place not found"]]


def _grid_and_exact(monkeypatch, x, y, areas, snap=0.0):
    import geomap.join

    monkeypatch.setattr(geomap.join, "GRID_MIN_POINTS", 0)
    geomap.join._GRIDS.clear()
    grid = join_points(x, y, areas, snap=snap)
    monkeypatch.setattr(geomap.join, "GRID_MIN_POINTS", 1 << 62)
    return grid, join_points(x, y, areas, snap=snap)


def test_grid_answers_many_points_as_the_exact_test_does(monkeypatch):
    from geomap.levels import level_areas

    districts = level_areas("district")
    areas = districts.geometry.values[np.argsort(districts["area_id"].to_numpy(), kind="stable")]
    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = shapely.total_bounds(areas)
    vertices = shapely.get_coordinates(areas)[rng.integers(0, len(shapely.get_coordinates(areas)), 3000)]
    size = max(maxx - minx, maxy - miny) / 512  # grid lines and cell corners
    corners = np.column_stack([minx + rng.integers(0, 512, 3000) * size, miny + rng.integers(0, 320, 3000) * size])
    x = rng.uniform(minx - 0.5, maxx + 0.5, 20000)
    y = rng.uniform(miny - 0.5, maxy + 0.5, 20000)
    x = np.concatenate([x, vertices[:, 0], corners[:, 0], [maxx, minx, np.nan]])
    y = np.concatenate([y, vertices[:, 1], corners[:, 1], [maxy, miny, 35.0]])
    grid, exact = _grid_and_exact(monkeypatch, x, y, areas, snap=0.1)
    assert (grid >= 0).sum() > 10000  # many points land somewhere; every answer agrees
    np.testing.assert_array_equal(grid, exact)


def test_grid_keeps_the_border_and_overlap_rules(monkeypatch):
    from shapely.geometry import Polygon, box

    holed = Polygon([(60, 30), (64, 30), (64, 34), (60, 34)], holes=[[(61, 31), (63, 31), (63, 33), (61, 33)]])
    areas = np.array([box(62, 32, 66, 36), holed, box(64, 30, 68, 34), box(61.5, 31.5, 62.5, 32.5)], dtype=object)
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(59, 69, 50000), np.repeat([61.0, 62.0, 64.0, 66.0], 50)])
    y = np.concatenate([rng.uniform(29, 37, 50000), np.tile(np.linspace(30, 36, 50), 4)])
    grid, exact = _grid_and_exact(monkeypatch, x, y, areas)
    np.testing.assert_array_equal(grid, exact)
    # overlaps go to the earliest area, the hole belongs to nobody but the small box inside it
    assert join_points(np.array([63.0, 61.8, 61.2]), np.array([33.0, 31.8, 32.0]), areas, snap=0).tolist() == [0, 3, -1]


def test_repeated_points_are_joined_once_with_the_same_answers(monkeypatch):
    import geomap.join
    from geomap.join import distinct_points

    provinces = load_provinces()
    areas = provinces.geometry.values
    rng = np.random.default_rng(11)
    minx, miny, maxx, maxy = shapely.total_bounds(areas)
    pool_x = np.round(rng.uniform(minx - 0.3, maxx + 0.3, 3000), 3)
    pool_y = np.round(rng.uniform(miny - 0.3, maxy + 0.3, 3000), 3)
    pick = rng.integers(0, 3000, 150_000)
    x, y = np.append(pool_x[pick], [np.nan, -0.0, 0.0]), np.append(pool_y[pick], [35.0, 33.0, 33.0])
    ux, uy, inverse = distinct_points(x, y)
    assert len(ux) <= 3003
    np.testing.assert_array_equal(ux[inverse], x)
    np.testing.assert_array_equal(uy[inverse], y)
    once = join_points(x, y, areas)
    monkeypatch.setattr(geomap.join, "DISTINCT_MIN_POINTS", 1 << 62)
    np.testing.assert_array_equal(once, join_points(x, y, areas))
    assert 50_000 < (once >= 0).sum() < 150_000  # inside, outside and snapped points


def test_mostly_distinct_points_are_not_hashed_in_full(monkeypatch):
    import geomap.join
    from geomap.join import distinct_points

    monkeypatch.setattr(geomap.join, "DISTINCT_MIN_POINTS", 1000)
    rng = np.random.default_rng(4)
    x, y = rng.uniform(60, 75, 40_000), rng.uniform(29, 39, 40_000)
    x[1::3], y[1::3] = x[::3][: len(x[1::3])], y[::3][: len(y[1::3])]  # a third of the points repeat another
    calls = []
    monkeypatch.setattr(geomap.join, "_factorize", lambda key: calls.append(len(key)) or pd.factorize(key))
    ux, uy, inverse = distinct_points(x, y)
    assert calls == [] and ux is x and uy is y  # the sample of every 8th point mostly differs: no full hashing
    np.testing.assert_array_equal(inverse, np.arange(len(x)))
    pooled = np.repeat(np.arange(2000.0), 20)
    ux, uy, inverse = distinct_points(60 + pooled / 200, 30 + pooled / 400)
    assert calls == [40_000] and len(ux) == 2000  # repeated points: hashed, each pair once
    np.testing.assert_array_equal(ux[inverse], 60 + pooled / 200)


def test_grid_then_distinct_remaining_points_answer_as_the_exact_test(monkeypatch):
    import geomap.join
    from geomap.levels import level_areas

    districts = level_areas("district")
    areas = districts.geometry.values[np.argsort(districts["area_id"].to_numpy(), kind="stable")]
    rng = np.random.default_rng(12)
    minx, miny, maxx, maxy = shapely.total_bounds(areas)
    vertices = shapely.get_coordinates(areas)[rng.integers(0, len(shapely.get_coordinates(areas)), 2000)]
    pool_x = np.concatenate([rng.uniform(minx - 0.3, maxx + 0.3, 3000), vertices[:, 0]])
    pool_y = np.concatenate([rng.uniform(miny - 0.3, maxy + 0.3, 3000), vertices[:, 1]])
    pick = rng.integers(0, len(pool_x), 60_000)
    x, y = np.append(pool_x[pick], np.nan), np.append(pool_y[pick], 35.0)
    monkeypatch.setattr(geomap.join, "DISTINCT_MIN_POINTS", 100)
    answers = []
    for grid, fine, block in ((0, 1 << 62, 1 << 15), (0, 0, 1 << 15), (0, 0, 997), (1 << 62, 1 << 62, 1 << 15)):
        # grid, finer grid, finer grid a few points at a time (blocks with and without points off it), no grid
        monkeypatch.setattr(geomap.join, "GRID_MIN_POINTS", grid)
        monkeypatch.setattr(geomap.join, "GRID_FINE_POINTS", fine)
        monkeypatch.setattr(geomap.join, "_GRID_BLOCK", block)
        answers.append(join_points(x, y, areas))
    monkeypatch.setattr(geomap.join, "DISTINCT_MIN_POINTS", 1 << 62)
    answers.append(join_points(x, y, areas))  # every point tested exactly
    for found in answers[:-1]:
        np.testing.assert_array_equal(found, answers[-1])
    assert 30_000 < (answers[-1] >= 0).sum() < 60_000 and answers[-1][-1] == -1


def test_distinct_points_fall_back_to_every_point_on_a_hash_collision():
    from geomap.join import distinct_points

    x1, y1 = np.float64(65.0), np.float64(33.0)
    key = int(x1.view(np.uint64)) * 0x9E3779B97F4A7C15 % 2**64 ^ int(y1.view(np.uint64))
    rng = np.random.default_rng(5)
    while True:  # another point with the same 64-bit key
        x2 = np.float64(rng.uniform(60, 75))
        y2 = np.uint64(key ^ (int(x2.view(np.uint64)) * 0x9E3779B97F4A7C15 % 2**64)).view(np.float64)
        if np.isfinite(y2):
            break
    x = np.tile([x1, x2], 60_000)
    y = np.tile([y1, y2], 60_000)
    ux, uy, inverse = distinct_points(x, y)
    assert len(ux) == len(x)  # no pair is trusted: every point is its own
    np.testing.assert_array_equal(ux[inverse], x)
    np.testing.assert_array_equal(uy[inverse], y)


def test_keys_hashed_in_two_halves_get_the_codes_of_one_pass(monkeypatch):
    import geomap.join

    monkeypatch.setattr(geomap.join, "PARALLEL_MIN_ROWS", 10)
    key = np.random.default_rng(2).integers(0, 50, 1001).astype(np.uint64)
    codes, distinct = geomap.join._factorize(key)
    expected_codes, expected = pd.factorize(key)
    np.testing.assert_array_equal(codes, expected_codes)
    np.testing.assert_array_equal(distinct, expected)


def test_the_two_threaded_join_places_reports_as_the_sequential_one(monkeypatch):
    import geomap.join
    from geomap.levels import level_areas

    districts = level_areas("district")[["area_id", "area_name", "geometry"]]
    rng = np.random.default_rng(9)
    n = 3000
    lat, lon = rng.uniform(29, 39, n).round(2), rng.uniform(60, 75, n).round(2)
    lat[::50], lon[::50] = np.nan, np.nan  # some reports without coordinates: unresolved
    table = pd.DataFrame({"date": "2021-08-12", "place": "x", "status": "taliban", "lat": lat, "lon": lon})
    reports = read_reports(table, bounds=None)
    results = []
    for rows in (1 << 62, 0):  # sequential, then every step that can on two threads
        monkeypatch.setattr(geomap.join, "PARALLEL_MIN_ROWS", rows)
        results.append(locate_reports(reports, districts, provinces=False, province_polygons=load_provinces()))
    (located, unresolved), (threaded, threaded_unresolved) = results
    pd.testing.assert_frame_equal(located, threaded)
    pd.testing.assert_frame_equal(unresolved, threaded_unresolved)
    assert len(located) > 1000 and len(unresolved) >= n // 50 and (located["province_iso"] != "").all()


def test_joining_alongside_the_columns_lands_on_districts_as_the_sequential_join(monkeypatch):
    import geomap.join
    from geomap.join import locate_on_districts
    from geomap.levels import level_areas

    districts = level_areas("district")
    rng = np.random.default_rng(10)
    n = 3000
    lat, lon = rng.uniform(29, 39, n).round(2), rng.uniform(60, 75, n).round(2)
    lat[::70], lon[::70] = np.nan, np.nan  # no coordinates and no geocoder: unresolved
    level = np.where(np.arange(n) % 40 == 1, "province", "")  # about the whole province around the point
    table = pd.DataFrame({"date": "2021-08-12", "place": "x", "status": "taliban", "lat": lat, "lon": lon})
    reports = read_reports(table.assign(level=level), bounds=None)
    results = []
    for rows in (1 << 62, 0):  # sequential, then the points joined while the columns are built
        monkeypatch.setattr(geomap.join, "PARALLEL_MIN_ROWS", rows)
        results.append(locate_on_districts(reports, districts))
    (located, unresolved), (threaded, threaded_unresolved) = results
    pd.testing.assert_frame_equal(located, threaded)
    pd.testing.assert_frame_equal(unresolved, threaded_unresolved)
    assert set(located["scope"]) == {"district", "province-wide"} and len(unresolved) >= n // 70
    assert (located["province_iso"] != "").all()


def test_a_district_known_only_by_its_province_counts_for_the_whole_province():
    from geomap.join import locate_on_districts

    reports = read_reports(pd.DataFrame({"date": ["2021-08-02", "2021-08-02", "2021-08-03"],
                                         "place": ["Newdistrict", "Onetown", "Newdistrict"],
                                         "status": ["taliban", "government", "taliban"]}))  # fmt: skip
    answers = {
        # a district created later, whose parent is not known: only its province (its point is the province's)
        "Newdistrict": ("district", "", 33.5, 65.5, 3),
        "Onetown": ("district", "D1", 33.5, 65.5, 1),
    }
    geocoded = pd.DataFrame(
        [
            {"query": p, "name": p, "kind": answers[p][0], "province_iso": "AF-P1", "district_id": answers[p][1],
             "lat": answers[p][2], "lon": answers[p][3], "confidence": 0.7, "method": "exact", "reason": "",
             "place_precision": answers[p][4]}
            for p in reports["place"]
        ]
    )  # fmt: skip
    located, unresolved = locate_on_districts(reports, tiny_districts(), geocoded=geocoded)
    # not the district around the province's point: every district of the province, as a province report,
    # never over a report of the same date about one of them
    days = located["date"].dt.day
    assert sorted(zip(days, located["place"], located["area_id"], located["scope"], strict=True)) == [
        (2, "Newdistrict", "D2", "province-wide"),
        (2, "Onetown", "D1", "district"),
        (3, "Newdistrict", "D1", "province-wide"),
        (3, "Newdistrict", "D2", "province-wide"),
    ]
    assert located.groupby("place")["place_precision"].max().to_dict() == {"Newdistrict": 3, "Onetown": 1}
    assert unresolved.empty


def test_rows_where_gives_the_rows_and_dtypes_of_a_boolean_selection():
    import pyarrow as pa

    from geomap._columns import from_arrow
    from geomap.join import _rows_where

    text = from_arrow(pa.chunked_array([["a", "b"], [], ["c", "d", "e"]], type=pa.large_string()))  # chunks, as read
    frame = pd.DataFrame(
        {
            "t": text,
            "x": np.arange(5.0),
            "n": np.arange(5),
            "d": pd.to_datetime(["2021-08-01"] * 5),
            "c": pd.Categorical(["u", "v", "u", "u", "v"], categories=["v", "u"]),
        },
        index=pd.RangeIndex(10, 15),
    )
    for mask in (np.array([True, False, False, True, True]), np.zeros(5, dtype=bool), np.ones(5, dtype=bool)):
        pd.testing.assert_frame_equal(_rows_where(frame, mask), frame[mask].copy())
    assert _rows_where(frame, np.array([False, True, True, False, True]))["t"].tolist() == ["b", "c", "e"]


def test_points_joined_ahead_are_used_only_for_the_same_points(monkeypatch):
    import geomap.join
    from geomap.join import locate_on_districts, points_ahead
    from geomap.levels import level_areas

    monkeypatch.setattr(geomap.join, "PARALLEL_MIN_ROWS", 10)
    districts = level_areas("district")
    rng = np.random.default_rng(11)
    n = 2000
    lat, lon = rng.uniform(29, 39, n).round(3), rng.uniform(60, 75, n).round(3)
    table = pd.DataFrame({"date": "2021-08-12", "place": "x", "status": "taliban", "lat": lat, "lon": lon})
    reports = read_reports(table, bounds=None)
    joined = []
    real_joined = geomap.join._joined
    monkeypatch.setattr(geomap.join, "_joined", lambda *args: joined.append(len(args[0])) or real_joined(*args))
    expected = locate_on_districts(reports, districts)
    assert joined == [n]  # joined beside the columns
    ahead = points_ahead(districts, districts=True)
    ahead.start(lon.copy(), lat.copy())
    found = locate_on_districts(reports, districts, ahead=ahead)
    assert joined == [n, n]  # once, ahead: not again
    other = points_ahead(districts, districts=True)
    other.start(lon[::-1].copy(), lat[::-1].copy())  # other points: joined again, as usual
    again = locate_on_districts(reports, districts, ahead=other)
    assert joined == [n, n, n, n]
    for result in (found, again):
        pd.testing.assert_frame_equal(result[0], expected[0])
        pd.testing.assert_frame_equal(result[1], expected[1])
    assert len(expected[0]) > n // 3 and len(expected[0]) + len(expected[1]) == n


def test_constant_text_columns_share_an_array_and_stay_apart_when_written():
    from geomap._columns import arrow_text, constant_text

    given, also = constant_text("given", 4), constant_text("given", 4)
    frame = pd.DataFrame({"kind": given, "method": also, "reason": constant_text("", 4)})
    frame.loc[1, "kind"] = "province"
    assert frame["kind"].tolist() == ["given", "province", "given", "given"]
    assert frame["method"].tolist() == ["given"] * 4 and frame["reason"].tolist() == [""] * 4
    assert list(given) == ["given"] * 4 and len(constant_text("x", 0)) == 0
    if arrow_text():  # one array for both columns
        assert given._pa_array is also._pa_array


@pytest.mark.parametrize("equal", [True, False])
def test_text_compared_by_its_distinct_values_as_pandas_compares(equal):
    from geomap._columns import constant_text, equals_text, remember_codes, take_text

    codes = np.array([1, 0, 1, 1, 2], dtype=np.int64)
    coded = take_text(["province", "given", ""], codes)
    remember_codes(coded, ["province", "given", ""], codes)
    written = pd.Series(constant_text("given", 4))
    written.loc[2] = "province"  # a written constant column is compared as it now reads
    columns = {
        "constant": pd.Series(constant_text("given", 4)),
        "constant of nothing": pd.Series(constant_text("", 3)),
        "coded": pd.Series(coded),
        "written": written,
        "with a missing value": pd.Series(["province", None, "given"], dtype=object).astype(pd.Series([""]).dtype),
    }
    expected = {  # rows equal to "given", then to ""
        "constant": ([True] * 4, [False] * 4),
        "constant of nothing": ([False] * 3, [True] * 3),
        "coded": ([True, False, True, True, False], [False, False, False, False, True]),
        "written": ([True, True, False, True], [False] * 4),
        "with a missing value": ([False, False, True], [False, False, False]),
    }
    for name, column in columns.items():
        for value, rows in zip(("given", ""), expected[name], strict=True):
            compared = equals_text(column, value, equal=equal)
            pandas = (column.eq(value) if equal else column.ne(value)).to_numpy()
            assert compared.dtype == bool and compared.tolist() == pandas.tolist(), name
            assert compared.tolist() == (rows if equal else [not r for r in rows]), name


@pytest.mark.parametrize(
    ("values", "codes"),
    [
        (np.array(["AF-KAB", "", "Kunduz", "Dasht-e Qal\u02bfa"], dtype=object), [3, 0, 1, 1, 2, 3, 0, 2, 2]),
        (["taliban", "government"], [1, 1, 0, 1, 0, 0, 0]),
        (["only"], [0, 0, 0]),
        ([""], [0, 0]),
        (np.array(["a", "b"], dtype=object), []),
        (np.array(["a", None], dtype=object), [1, 0, 1]),  # a missing value: pandas' take
        (np.array(["a", "b", "c"], dtype=object), [0, -1, 1]),  # -1 is the last, as in pandas' take
        (np.array([7, 8], dtype=object), [1, 0]),  # not text
    ],
)
def test_text_taken_by_codes_in_blocks_equals_pandas_take(monkeypatch, values, codes):
    import geomap._columns
    from geomap._columns import take_text

    monkeypatch.setattr(geomap._columns, "TAKE_BLOCK", 2)  # blocks that end inside the rows, and a short last one
    codes = np.array(codes, dtype=np.int64)
    taken = take_text(values, codes)
    expected = pd.Series(values).array.take(codes)
    assert taken.dtype == expected.dtype
    assert pd.Series(taken).equals(pd.Series(expected))
    assert pd.Series(taken).tolist() == [pd.Series(values).tolist()[k] for k in codes]


def test_codes_noted_for_a_column_are_copied_only_when_they_could_change():
    from geomap._columns import arrow_text, remember_codes, remembered_codes, take_text

    values = ["government", "taliban"]
    fixed = np.array([1, 0, 1], dtype=np.int32)
    fixed.flags.writeable = False  # as an Arrow buffer's indices
    writable = np.array([1, 0, 1], dtype=np.int32)
    if not arrow_text():  # object text (pandas 2 without infer_string): nothing is noted
        column = take_text(values, fixed)
        remember_codes(column, values, fixed)
        assert remembered_codes(column) is None
        assert list(column) == ["taliban", "government", "taliban"]
        return
    for codes in (fixed, writable):
        column = take_text(values, codes)
        remember_codes(column, values, codes)
        noted = remembered_codes(column)
        assert noted is not None and noted[0] == values and noted[1].tolist() == [1, 0, 1]
        assert np.shares_memory(noted[1], codes) == (codes is fixed)
    writable[0] = 0  # the writable codes change afterwards: what was noted does not
    assert remembered_codes(column)[1].tolist() == [1, 0, 1]


@pytest.mark.parametrize("every", [True, False])
@pytest.mark.parametrize(
    ("labels", "none", "expected"), [([1, 0], -1, [1, 0, -1, 1, 1, 0]), ([0, 1], 2, [0, 1, 2, 0, 0, 1])]
)
def test_each_point_as_its_own_pair_gets_the_answers_of_listed_pairs(every, labels, none, expected):
    from geomap.join import _pair_hits

    areas = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    x = np.array([0.5, 1.5, 3.0, 1.0, 0.2, 1.9])  # the fourth on the shared border: the first area
    y = np.array([0.5, 0.5, 0.5, 0.5, 0.9, 0.1])
    rows = np.ones(6, dtype=bool) if every else np.array([True, False, True, True, False, True])

    def read_only(px, py, geoms):  # answers that may not be written into (a Dask join's)
        hit = join_points(px, py, geoms)
        hit.flags.writeable = False
        return hit

    labels = np.array(labels)
    own = _pair_hits((x, y, None), rows, areas, read_only, labels, none)
    listed = _pair_hits((x, y, np.arange(6)), rows, areas, join_points, labels, none)
    wanted = [e for e, r in zip(expected, rows, strict=True) if r]
    assert own.dtype == listed.dtype == np.int64
    assert own.tolist() == listed.tolist() == wanted


def test_answers_are_labelled_in_blocks_in_place(monkeypatch):
    import geomap.join

    monkeypatch.setattr(geomap.join, "_LABEL_BLOCK", 3)
    hit = np.array([0, -1, 2, 1, 1, -1, 0], dtype=np.int64)
    labelled = geomap.join._labelled(hit, np.array([5, 3, 4]), -7)
    assert labelled is hit and hit.tolist() == [5, -7, 4, 3, 3, -7, 5]


def test_many_points_go_through_the_grid_as_they_are_and_land_as_distinct_ones_do(monkeypatch):
    import geomap.join
    from geomap.join import locate_on_districts
    from geomap.levels import level_areas

    districts = level_areas("district")
    rng = np.random.default_rng(13)
    pool_lat, pool_lon = rng.uniform(29, 39, 300).round(3), rng.uniform(60, 75, 300).round(3)
    pick = rng.integers(0, 300, 4000)  # reports repeating 300 points
    table = pd.DataFrame(
        {"date": "2021-08-12", "place": "x", "status": "taliban", "lat": pool_lat[pick], "lon": pool_lon[pick]}
    )
    reports = read_reports(table, bounds=None)
    monkeypatch.setattr(geomap.join, "DISTINCT_MIN_POINTS", 100)
    monkeypatch.setattr(geomap.join, "PARALLEL_MIN_ROWS", 10)
    pairs = []
    real_pairs_of = geomap.join._pairs_of

    def spy(lon, lat):
        found = real_pairs_of(lon, lat)
        pairs.append(len(found[0]))
        return found

    monkeypatch.setattr(geomap.join, "_pairs_of", spy)
    results = []
    for grid in (1 << 62, 1000):  # the distinct points joined, then every point through the grid
        monkeypatch.setattr(geomap.join, "GRID_MIN_POINTS", grid)
        geomap.join._GRIDS.clear()
        results.append(locate_on_districts(reports, districts))
    assert pairs[0] <= 300 and pairs[1] == 4000
    (located, unresolved), (gridded, gridded_unresolved) = results
    pd.testing.assert_frame_equal(located, gridded)
    pd.testing.assert_frame_equal(unresolved, gridded_unresolved)
    assert len(located) > 1000 and len(unresolved) > 100


def test_a_failure_beside_a_join_ahead_waits_for_the_join_and_is_raised(monkeypatch):
    import threading
    import time

    import geomap.join
    from geomap.join import locate_on_districts, points_ahead
    from geomap.levels import level_areas

    monkeypatch.setattr(geomap.join, "PARALLEL_MIN_ROWS", 10)
    districts = level_areas("district")
    lat, lon = np.full(50, 34.5), np.full(50, 69.2)
    reports = read_reports(
        pd.DataFrame({"date": "2021-08-12", "place": "x", "status": "taliban", "lat": lat, "lon": lon}), bounds=None
    )
    real_joined = geomap.join._joined
    monkeypatch.setattr(geomap.join, "_joined", lambda *args: time.sleep(0.3) or real_joined(*args))

    def broken(*args):
        raise MemoryError("no room for the columns")

    monkeypatch.setattr(geomap.join, "_prepare", broken)
    ahead = points_ahead(districts, districts=True)
    ahead.start(lon.copy(), lat.copy())
    started = time.monotonic()
    with pytest.raises(MemoryError, match="no room for the columns"):
        locate_on_districts(reports, districts, ahead=ahead)
    assert time.monotonic() - started >= 0.25  # the join ended first: no thread left working
    assert ahead._started is None
    assert not [t for t in threading.enumerate() if t.name.startswith("ThreadPoolExecutor") and t.is_alive()]


def test_numbers_in_ids_sort_by_value_when_areas_overlap():
    import geopandas as gpd
    from shapely.geometry import box

    from geomap.boundaries import load_boundaries
    from geomap.pipeline import build_timeline

    areas = gpd.GeoDataFrame(
        {"id": [10, 9, 100]},
        geometry=[box(68.0, 33.0, 71.0, 36.0), box(69.0, 34.0, 69.5, 35.0), box(60.0, 30.0, 61.0, 31.0)],
        crs="EPSG:4326",
    )
    reports = pd.DataFrame(
        {"date": ["2021-08-15"], "place": ["Kabul"], "status": ["taliban"], "lat": [34.5], "lon": [69.2]}
    )
    timeline = build_timeline(reports, boundaries=load_boundaries(areas, id_field="id", name_field="id"))
    status = timeline.status(on="2021-08-15").set_index("area_id")["status"]
    assert status.to_dict() == {"10": "unknown", "100": "unknown", "9": "taliban"}


def test_a_province_name_at_the_level_of_a_town_it_also_names_is_that_town():
    from geomap.pipeline import build_timeline

    reports = pd.DataFrame(
        {
            "date": ["2021-08-10"] * 3,
            "place": ["Balkh", "Kunar", "Baghlan"],
            "status": ["taliban"] * 3,
            "level": ["city", "town", "city"],
        }
    )
    with pytest.warns(UserWarning, match="1 report"):
        districts = build_timeline(reports, level="district")
    taken = districts.status(on="2021-08-10").query("status == 'taliban'")["area_id"].tolist()
    assert taken == ["AF-BAL-balkh", "AF-BGL-baghlani-jadid"]  # the towns; Kunar names no town
    assert districts.unresolved["place"].tolist() == ["Kunar"]


def test_ids_with_digits_python_cannot_read_as_numbers_sort_as_text():
    from geomap.join import _natural_key

    assert sorted(["A10", "A1\u00b2", "A2"], key=_natural_key) == ["A1\u00b2", "A2", "A10"]


def test_level_district_picks_the_district_over_a_town_of_another_province():
    from geomap.pipeline import build_timeline

    reports = pd.DataFrame(
        {
            "date": ["2021-08-10", "2021-08-10", "2021-08-11"],
            "place": ["Khash", "Chakhansur", "Khash"],
            "status": ["taliban", "taliban", "government"],
            "level": ["district", "district", ""],
        }
    )
    status = build_timeline(reports, level="district").status(on="2021-08-11").set_index("area_id")["status"]
    # Khash with level district is Badakhshan's district; Khash alone the town of Nimroz (in Khash Rod)
    assert status[status != "unknown"].to_dict() == {
        "AF-BDS-khash": "taliban",
        "AF-NIM-chakhansur": "taliban",
        "AF-NIM-khash-rod": "government",
    }
