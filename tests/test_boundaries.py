from __future__ import annotations

import re
import shutil

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon

from geomap.boundaries import RepairWarning, load_boundaries, load_districts, load_provinces
from geomap.errors import BoundaryError

ISO_3166_2_AF = {
    "AF-BDS", "AF-BDG", "AF-BGL", "AF-BAL", "AF-BAM", "AF-DAY", "AF-FRA", "AF-FYB", "AF-GHA", "AF-GHO", "AF-HEL",
    "AF-HER", "AF-JOW", "AF-KAB", "AF-KAN", "AF-KAP", "AF-KHO", "AF-KNR", "AF-KDZ", "AF-LAG", "AF-LOG", "AF-NAN",
    "AF-NIM", "AF-NUR", "AF-PKA", "AF-PIA", "AF-PAN", "AF-PAR", "AF-SAM", "AF-SAR", "AF-TAK", "AF-URU", "AF-WAR",
    "AF-ZAB",
}  # fmt: skip


def test_provinces_have_the_34_iso_codes():
    provinces = load_provinces()
    assert len(provinces) == 34
    assert set(provinces["iso"]) == ISO_3166_2_AF
    assert provinces.crs.to_epsg() == 4326
    assert provinces.is_valid.all()
    assert (provinces["area_id"] == provinces["iso"]).all()


def test_source_faults_are_fixed():
    provinces = load_provinces().set_index("iso")
    assert provinces.loc["AF-DAY", "name"] == "Daykundi"
    assert provinces.loc["AF-PAN", "name"] == "Panjshir"
    assert provinces.loc["AF-URU", "name"] == "Uruzgan"
    assert provinces.loc["AF-PAR", "name"] == "Parwan"
    assert provinces.loc["AF-PAN", "capital"] == "Bazarak"
    # Each name appears once, and all names are plain ASCII.
    assert provinces["name"].is_unique
    assert all(name.isascii() for name in provinces["name"])


def test_capitals_lie_in_their_provinces():
    from geomap._data import provinces_table

    table = provinces_table()
    provinces = load_provinces().set_index("iso")
    for row in table.itertuples():
        point = shapely.Point(row.capital_lon, row.capital_lat)
        assert provinces.loc[row.iso, "geometry"].contains(point), row.capital


def test_provinces_tile_afghanistan_without_overlaps():
    provinces = load_provinces()
    union = shapely.union_all(provinces.geometry.values)
    assert union.geom_type == "Polygon"
    assert len(union.interiors) == 0
    # Afghanistan spans about 60.5-74.9 E and 29.4-38.5 N.
    minx, miny, maxx, maxy = union.bounds
    assert 60.4 < minx < 60.6 and 74.8 < maxx < 75.0 and 29.3 < miny < 29.5 and 38.4 < maxy < 38.6
    assert sum(shapely.area(provinces.geometry.values)) == pytest.approx(union.area, rel=1e-6)
    # Known interior points: Kabul, Herat and Kandahar cities.
    for lon, lat in [(69.17, 34.53), (62.2, 34.35), (65.71, 31.61)]:
        assert union.contains(shapely.Point(lon, lat))


def test_exterior_rings_are_counter_clockwise():
    provinces = load_provinces()
    assert all(shapely.Polygon(p.exterior).exterior.is_ccw for p in provinces.geometry)


def test_districts_are_398_valid_polygons_with_stable_ids():
    districts = load_districts()
    assert len(districts) == 398
    assert districts.crs.to_epsg() == 4326
    assert districts["district_id"].is_unique
    assert (districts["area_id"] == districts["district_id"]).all()
    assert districts.is_valid.all() and not districts.is_empty.any()
    assert set(districts["province_iso"]) == ISO_3166_2_AF
    # The id is the province's ISO code and the name in lower case.
    assert all(i.startswith(p + "-") for i, p in zip(districts["district_id"], districts["province_iso"], strict=True))
    assert districts["district_id"].is_monotonic_increasing


def test_districts_do_not_overlap():
    districts = load_districts()
    assert shapely.coverage_is_valid(districts.geometry.to_numpy())
    union = shapely.union_all(districts.geometry.to_numpy())
    assert sum(shapely.area(districts.geometry.to_numpy())) == pytest.approx(union.area, rel=1e-9)


def test_provinces_are_the_union_of_their_districts():
    districts = load_districts()
    provinces = load_provinces().set_index("iso")
    for iso, group in districts.groupby("province_iso"):
        province = provinces.loc[iso, "geometry"]
        assert all(province.covers(geom) for geom in group.geometry), iso
        assert shapely.union_all(group.geometry.to_numpy()).symmetric_difference(province).area < 1e-9, iso


def test_namesake_districts_sit_in_their_own_provinces():
    districts = load_districts().set_index("district_id")
    # Same spelling, different provinces: each keeps its own province.
    assert districts.loc["AF-GHA-muqur", "province"] == "Ghazni"
    assert districts.loc["AF-BDG-muqur", "province"] == "Badghis"
    assert districts.loc["AF-KAB-surobi", "province_iso"] == "AF-KAB"
    assert districts.loc["AF-PKA-sarobi", "province_iso"] == "AF-PKA"
    # Districts the generalised province lines split almost evenly are placed by the AIMS list.
    assert districts.loc["AF-KHO-mosa-khail", "province"] == "Khost"
    assert districts.loc["AF-WAR-jaghatu", "province"] == "Wardak"
    # Bracketed names in the source become other spellings.
    assert "Ghorbund" in districts.loc["AF-PAR-sia-gird", "name_alt"].split("|")
    assert districts.loc["AF-PAR-sia-gird", "name"] == "Sia Gird"


def test_district_contains_known_towns():
    districts = load_districts()
    towns = [(69.17, 34.53, "AF-KAB-kabul"), (68.42, 33.55, "AF-GHA-ghazni"), (62.2, 34.35, "AF-HER-hirat")]
    for lon, lat, expected in towns:
        hit = districts[districts.contains(shapely.Point(lon, lat))]
        assert hit["district_id"].tolist() == [expected]


def test_load_boundaries_standard_columns(tmp_path, squares):
    path = tmp_path / "areas.gpkg"
    squares.to_file(path)
    areas = load_boundaries(path, id_field="code", name_field="label")
    assert areas["area_id"].tolist() == ["A", "B", "C"]
    assert areas["area_name"].tolist() == ["Alpha", "Beta", "Gamma"]
    assert areas.attrs["repaired"] == []


def test_shapefile_without_prj_is_refused_then_accepted_with_crs(tmp_path, squares):
    path = tmp_path / "noprj.shp"
    squares.to_file(path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(BoundaryError, match=r"noprj\.shp: .*no coordinate reference system.*\.prj.*crs='EPSG:4326'"):
        load_boundaries(path, id_field="code", name_field="label")
    areas = load_boundaries(path, id_field="code", name_field="label", crs="EPSG:4326")
    assert areas.crs.to_epsg() == 4326


def test_projected_file_is_reprojected(tmp_path, squares):
    path = tmp_path / "utm.gpkg"
    squares.to_crs("EPSG:32642").to_file(path)
    areas = load_boundaries(path, id_field="code", name_field="label")
    assert areas.crs.to_epsg() == 4326
    assert areas.total_bounds == pytest.approx([65, 33, 68, 34], abs=1e-6)


def test_many_repaired_polygons_are_counted_and_their_ids_shown_as_text(squares):
    bowties = squares.iloc[[0] * 8].reset_index(drop=True)
    bowties["geometry"] = Polygon([(65, 33), (66, 34), (66, 33), (65, 34)])
    bowties["code"] = [f"\x1b[2J{'x' * 200}{i}" for i in range(8)]
    with pytest.warns(RepairWarning) as caught:
        load_boundaries(bowties, id_field="code", name_field="label")
    message = str(caught[0].message)
    assert message.startswith("repaired 8 invalid polygon(s): '\\x1b[2Jxxx") and message.endswith(", ...")
    assert "\x1b" not in message and len(message) < 600  # five ids, cut and escaped, then "..."


def test_self_intersecting_polygon_is_repaired_and_reported(tmp_path, squares):
    bowtie = Polygon([(65, 33), (66, 34), (66, 33), (65, 34)])
    gdf = squares.copy()
    gdf.loc[0, "geometry"] = bowtie
    path = tmp_path / "bowtie.shp"
    gdf.to_file(path)
    with pytest.warns(RepairWarning, match=r"^repaired 1 invalid polygon\(s\): 'A'$"):
        areas = load_boundaries(path, id_field="code", name_field="label")
    assert areas.attrs["repaired"] == ["A"]
    assert areas.is_valid.all()
    repaired = areas.geometry.iloc[0]
    assert repaired.geom_type in ("Polygon", "MultiPolygon")
    assert repaired.area == pytest.approx(0.5)


def test_duplicate_ids_are_refused_with_rows(tmp_path, squares):
    gdf = squares.copy()
    gdf.loc[2, "code"] = "A"
    path = tmp_path / "dup.geojson"
    gdf.to_file(path)
    with pytest.raises(BoundaryError, match=r"dup\.geojson, row 1, column 'code': 'A': duplicate id \(rows \[1, 3\]\)"):
        load_boundaries(path, id_field="code", name_field="label")


def test_missing_id_value_and_missing_field(tmp_path, squares):
    gdf = squares.copy()
    gdf["code"] = gdf["code"].astype(object)
    gdf.loc[1, "code"] = None
    path = tmp_path / "missing.gpkg"
    gdf.to_file(path)
    with pytest.raises(BoundaryError, match=r"row 2, column 'code': '': empty id"):  # not 'nan'
        load_boundaries(path, id_field="code", name_field="label")
    with pytest.raises(BoundaryError, match=r"no id field 'ID'; the fields are: code, label"):
        load_boundaries(path, id_field="ID", name_field="label")
    shapes = r"'geometry' holds the shapes, not {} field; the fields are: code, label"
    with pytest.raises(BoundaryError, match=shapes.format("an id")):
        load_boundaries(path, id_field="geometry", name_field="label")
    with pytest.raises(BoundaryError, match=shapes.format("a name")):
        load_boundaries(path, id_field="code", name_field="geometry")


def test_impossible_geographic_coordinates(tmp_path, squares):
    path = tmp_path / "projected_as_degrees.gpkg"
    squares.to_crs("EPSG:32642").set_crs("EPSG:4326", allow_override=True).to_file(path)
    with pytest.raises(BoundaryError, match=r"impossible in .*longitude/latitude.*state the right crs"):
        load_boundaries(path, id_field="code", name_field="label")


def test_non_polygon_geometry_is_refused(tmp_path, squares):
    gdf = squares.copy()
    gdf.loc[1, "geometry"] = shapely.Point(66.5, 33.5)
    path = tmp_path / "mixed.gpkg"
    gdf.to_file(path)
    with pytest.raises(BoundaryError, match=r"row 2, column 'geometry': 'B': Point geometry"):
        load_boundaries(path, id_field="code", name_field="label")


DARI = ["کابل", "هرات", "غزني"]  # Dari spellings that cp1256 can encode


def _cp1256_shapefile(tmp_path, squares, *, cpg: str | None):
    gdf = squares.assign(label=DARI)
    path = tmp_path / "dari.shp"
    gdf.to_file(path, encoding="cp1256")
    cpg_path = path.with_suffix(".cpg")
    if cpg is None:
        cpg_path.unlink(missing_ok=True)
    else:
        cpg_path.write_text(cpg)
    return path


def test_cp1256_names_survive_with_cpg(tmp_path, squares):
    path = _cp1256_shapefile(tmp_path, squares, cpg="1256")
    areas = load_boundaries(path, id_field="code", name_field="label")
    assert areas["area_name"].tolist() == DARI


def test_cp1256_without_cpg_needs_an_encoding(tmp_path, squares):
    path = _cp1256_shapefile(tmp_path, squares, cpg=None)
    with pytest.raises(BoundaryError, match=r"dari\.shp: attribute text is not UTF-8.*encoding='cp1256'"):
        load_boundaries(path, id_field="code", name_field="label")
    areas = load_boundaries(path, id_field="code", name_field="label", encoding="cp1256")
    assert areas["area_name"].tolist() == DARI


def test_utf8_shapefile_without_cpg_reads_fine(tmp_path, squares):
    gdf = squares.assign(label=DARI)
    path = tmp_path / "utf8.shp"
    gdf.to_file(path, encoding="utf-8")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    areas = load_boundaries(path, id_field="code", name_field="label", encoding="utf-8")
    assert areas["area_name"].tolist() == DARI


def test_missing_file(tmp_path):
    with pytest.raises(BoundaryError, match="not found"):
        load_boundaries(tmp_path / "nope.shp", id_field="a", name_field="b")


def test_districts_from_shared_data(districts_path, tmp_path):
    # Copy without the .prj to also exercise the CRS rule on real data.
    for part in districts_path.parent.glob(districts_path.stem + ".*"):
        if part.suffix != ".prj":
            shutil.copy(part, tmp_path / part.name)
    copy = tmp_path / districts_path.name
    with pytest.raises(BoundaryError, match="no coordinate reference system"):
        load_boundaries(copy, id_field="shapeID", name_field="shapeName")
    districts = load_boundaries(districts_path, id_field="shapeID", name_field="shapeName")
    assert len(districts) == 398
    assert districts["area_id"].is_unique
    assert districts.is_valid.all()
    assert pd.api.types.is_string_dtype(districts["area_name"])
    assert isinstance(districts, gpd.GeoDataFrame)


def test_cp1256_with_ansi_language_driver_and_no_cpg_is_refused(tmp_path, squares):
    path = _cp1256_shapefile(tmp_path, squares, cpg=None)
    dbf = path.with_suffix(".dbf")
    raw = bytearray(dbf.read_bytes())
    raw[29] = 0x57  # "ANSI", as many desktop GIS tools write whatever the code page
    dbf.write_bytes(bytes(raw))
    with pytest.raises(BoundaryError, match="attribute text is not UTF-8"):
        load_boundaries(path, id_field="code", name_field="label")


def test_collapsed_polygon_is_refused(tmp_path, squares):
    gdf = squares.copy()
    gdf.loc[1, "geometry"] = Polygon([(66, 33), (66.5, 33), (67, 33), (66, 33)])
    path = tmp_path / "flat.shp"
    gdf.to_file(path)
    with pytest.raises(BoundaryError, match=r"row 2, column 'geometry': 'B': the polygon has no area"):
        load_boundaries(path, id_field="code", name_field="label")


def test_degrees_labelled_as_projected_are_refused(tmp_path, squares):
    path = tmp_path / "degrees.gpkg"
    squares.to_file(path)
    given = r"look like longitude/latitude degrees, but the CRS you gave \(crs, CLI: --crs\) is .*projected"
    with pytest.raises(BoundaryError, match=given):
        load_boundaries(path, id_field="code", name_field="label", crs="EPSG:32642")
    labelled = tmp_path / "labelled.gpkg"
    squares.set_crs("EPSG:32642", allow_override=True).to_file(labelled)  # the file itself says UTM
    with pytest.raises(BoundaryError, match=r"look like longitude/latitude degrees, but the CRS is .*projected"):
        load_boundaries(labelled, id_field="code", name_field="label")


def test_table_without_geometry_is_refused(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("code,label\nA,Alpha\n", encoding="utf-8")
    with pytest.raises(BoundaryError, match="has no geometries"):
        load_boundaries(path, id_field="code", name_field="label")


def test_file_with_its_own_area_columns(tmp_path, squares):
    gdf = squares.rename(columns={"code": "area_id"}).assign(area_name=["x", "y", "z"])
    path = tmp_path / "own.gpkg"
    gdf.to_file(path)
    areas = load_boundaries(path, id_field="area_id", name_field="label")
    assert areas["area_id"].tolist() == ["A", "B", "C"]
    assert areas["area_name"].tolist() == ["Alpha", "Beta", "Gamma"]


def test_a_file_of_several_layers_needs_the_layer_named(tmp_path, squares):
    path = tmp_path / "levels.gpkg"
    squares.dissolve().assign(code="ALL", label="Everything").to_file(path, layer="country")
    squares.to_file(path, layer="regions")
    with pytest.raises(BoundaryError) as err:
        load_boundaries(path, id_field="code", name_field="label")
    assert str(err.value) == (
        f"{path}: holds 2 layers (country, regions); choose one with layer='country' (CLI: --layer country)"
    )
    with pytest.raises(BoundaryError, match=r"no layer 'provinces'; the layers are: country, regions$"):
        load_boundaries(path, id_field="code", name_field="label", layer="provinces")
    areas = load_boundaries(path, id_field="code", name_field="label", layer="regions")
    assert areas["area_id"].tolist() == ["A", "B", "C"]


def test_a_table_without_geometry_beside_the_areas_is_no_layer_to_choose(tmp_path, squares):
    import pyogrio

    path = tmp_path / "styled.gpkg"
    squares.to_file(path, layer="areas")
    pyogrio.write_dataframe(pd.DataFrame({"styleName": ["areas"]}), path, layer="layer_styles")  # as QGIS saves styles
    assert load_boundaries(path, id_field="code", name_field="label")["area_id"].tolist() == ["A", "B", "C"]


def test_an_unknown_encoding_is_named_as_such(tmp_path, squares):
    squares.to_file(tmp_path / "squares.gpkg")
    with pytest.raises(BoundaryError, match=r"unknown encoding 'nonsense'; use a Python codec name such as 'cp1256'$"):
        load_boundaries(tmp_path / "squares.gpkg", id_field="code", name_field="label", encoding="nonsense")


def test_a_vertex_that_is_not_a_number_is_refused_by_its_row(tmp_path, recwarn):
    path = tmp_path / "nan.geojson"
    ring = "[[66,33],[67,33],[67,34],[NaN,34],[66,33]]"
    good = "[[67,33],[68,33],[68,34],[67,34],[67,33]]"
    features = [
        f'{{"type":"Feature","properties":{{"code":"{code}","label":"{code}"}},'
        f'"geometry":{{"type":"Polygon","coordinates":[{coords}]}}}}'
        for code, coords in (("A", good), ("B", ring))
    ]
    path.write_text('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}", encoding="utf-8")
    with pytest.raises(BoundaryError) as caught:
        load_boundaries(path, id_field="code", name_field="label")
    assert str(caught.value) == (
        f"{path}, row 2, column 'geometry': 'B': a vertex is not a finite number (NaN or infinity); "
        "fix the polygon's coordinates"
    )
    assert not [w for w in recwarn if "invalid value" in str(w.message)]  # no unnamed warning before it


def _squares(crs: str | None = "EPSG:4326") -> gpd.GeoDataFrame:
    """Three unit squares along the equator, as a user builds areas in memory."""
    return gpd.GeoDataFrame(
        {"code": ["A", "B", "C"], "label": ["West", "Middle", "East"]},
        geometry=[shapely.box(10, 0, 11, 1), shapely.box(11, 0, 12, 1), shapely.box(12, 0, 13, 1)],
        crs=crs,
    )


def test_polygons_in_a_geodataframe_load_like_a_file():
    squares = _squares().to_crs("EPSG:3857")
    areas = load_boundaries(squares, id_field="code", name_field="label")
    assert areas["area_id"].tolist() == ["A", "B", "C"]
    assert areas["area_name"].tolist() == ["West", "Middle", "East"]
    assert areas.crs.to_epsg() == 4326
    assert areas.geometry.iloc[0].bounds == pytest.approx((10, 0, 11, 1))
    assert squares.crs.to_epsg() == 3857  # the caller's table is left as it was
    with pytest.raises(BoundaryError, match=r"^path \(GeoDataFrame\): no coordinate reference system is set"):
        load_boundaries(_squares(crs=None), id_field="code", name_field="label")
    with pytest.raises(BoundaryError, match=r"^path \(GeoDataFrame\): no id field 'id'"):
        load_boundaries(_squares(), id_field="id", name_field="label")


def test_a_geodataframe_given_to_build_timeline_is_checked_and_reprojected():
    from geomap.errors import InputError
    from geomap.pipeline import build_timeline

    squares = _squares().rename(columns={"code": "area_id", "label": "area_name"})
    report = [{"date": "2024-03-01", "place": "checkpoint", "status": "taliban", "lat": 0.5, "lon": 12.5}]
    for areas in (squares, squares.to_crs("EPSG:3857")):
        status = build_timeline(report, boundaries=areas).status(on="2024-03-01").set_index("area_id")["status"]
        assert status.to_dict() == {"A": "unknown", "B": "unknown", "C": "taliban"}
    with pytest.raises(InputError, match=r"^boundaries \(GeoDataFrame\): no coordinate reference system is set"):
        build_timeline(report, boundaries=squares.set_crs(None, allow_override=True))


def test_a_geodataframe_is_named_by_position_and_its_geometry_column_whatever_its_name():
    squares = _squares().set_index(pd.Index(["p", "q", "r"]))
    squares.loc["r", "code"] = "A"  # a duplicate id, named by the rows a user counts, not the index labels
    with pytest.raises(BoundaryError, match=r"row 1, column 'code': 'A': duplicate id \(rows \[1, 3\]\)"):
        load_boundaries(squares, id_field="code", name_field="label")
    shaped = _squares().rename_geometry("shape")
    areas = load_boundaries(shaped, id_field="code", name_field="label")
    assert areas.geometry.name == "geometry" and "shape" not in areas.columns
    with pytest.raises(BoundaryError, match=r"^layer: is for reading a file; a GeoDataFrame is given"):
        load_boundaries(_squares(), id_field="code", name_field="label", layer="x")


def test_a_feature_too_large_for_gdals_geojson_reader_says_how_to_read_it(tmp_path):
    import math

    import pyogrio
    from shapely.geometry import Polygon

    ring = [(69 + 0.5 * math.cos(2 * math.pi * i / 60_000), 34 + 0.5 * math.sin(2 * math.pi * i / 60_000))
            for i in range(60_000)]  # fmt: skip
    path = tmp_path / "big.geojson"
    gpd.GeoDataFrame({"id": [1], "name": ["a"]}, geometry=[Polygon(ring)], crs=4326).to_file(path)  # 2.6 MB
    pyogrio.set_gdal_config_options({"OGR_GEOJSON_MAX_OBJ_SIZE": "1"})  # GDAL's limit, in MB (200 by default)
    try:
        with pytest.raises(BoundaryError) as info:
            load_boundaries(path, id_field="id", name_field="name")
        # GDAL 3.5+ names its limit; older versions say only that reading failed
        assert re.search(
            r"big\.geojson: (a feature too large for GDAL's GeoJSON reader;|GDAL cannot read this GeoJSON \(.*\); "
            r"check that it is complete, or, if a feature is very large,) save the boundaries as GeoPackage",
            str(info.value),
        )
    finally:
        pyogrio.set_gdal_config_options({"OGR_GEOJSON_MAX_OBJ_SIZE": None})


def test_areas_written_latitude_first_are_warned_about(tmp_path):
    import warnings

    from geomap.boundaries import AxisOrderWarning

    swapped = Polygon([(34.0, 68.0), (34.5, 68.0), (34.5, 69.0), (34.0, 69.0)])  # (lat, lon) pairs near Kabul
    path = tmp_path / "swapped.geojson"
    gpd.GeoDataFrame({"id": [1], "name": ["a"]}, geometry=[swapped], crs=4326).to_file(path)
    with pytest.warns(AxisOrderWarning, match=r"swapped\.geojson: the areas lie at longitudes 34\.0 to 34\.5 and "
                      r"latitudes 68\.0 to 69\.0, far from Afghanistan"):  # fmt: skip
        load_boundaries(path, id_field="id", name_field="name")
    right = tmp_path / "right.geojson"
    kabul = Polygon([(68.0, 34.0), (68.0, 34.5), (69.0, 34.5), (69.0, 34.0)])
    gpd.GeoDataFrame({"id": [1], "name": ["a"]}, geometry=[kabul], crs=4326).to_file(right)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AxisOrderWarning)
        assert len(load_boundaries(right, id_field="id", name_field="name")) == 1


def test_a_geojson_that_is_not_json_is_named_so(tmp_path):
    path = tmp_path / "areas.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(BoundaryError) as raised:
        load_boundaries(path, id_field="id", name_field="name")
    assert str(raised.value) == (
        f"{path}: not GeoJSON (GDAL does not recognise it as any format it reads); check that the file is complete "
        "and holds a FeatureCollection"
    )
