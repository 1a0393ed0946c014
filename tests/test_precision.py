"""Report precision: read, filtered with min_precision, carried as evidence, and shown on the map."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geomap.precision import describe, keep_mask
from geomap.render import control_map, map_html
from geomap.reports import ReportsError, read_reports
from geomap.timeline import ControlTimeline

AREAS = gpd.GeoDataFrame(
    {"area_id": ["A", "B", "C"], "area_name": ["Alpha", "Beta", "Gamma"]},
    geometry=[box(65, 33, 66, 34), box(66, 33, 67, 34), box(67, 33, 68, 34)],
    crs="EPSG:4326",
)
# A rests on a precise report, B only on a province-level one, C on one precise and one known to the month.
REPORTS = pd.DataFrame(
    {
        "date": ["2021-08-01", "2021-08-01", "2021-08-01", "2021-08-01"],
        "place": ["a town", "b province", "c town", "c village"],
        "status": ["taliban", "taliban", "government", "government"],
        "lat": [33.5, 33.5, 33.5, 33.6],
        "lon": [65.5, 66.5, 67.5, 67.5],
        "place_precision": ["1", "3", "", "1"],
        "date_precision": ["1", "1", "1", "3"],
    }
)


def test_describe_and_keep_mask():
    assert describe(1, 1) == ""
    assert describe(2, 1) == "place approximate (near it, or its district)"
    assert describe(1, 3) == "date known to the month"
    table = pd.DataFrame({"place_precision": [1, 2, 3, 1], "date_precision": [1, 1, 1, 3]})
    assert keep_mask(table, 1).tolist() == [True, False, False, False]
    assert keep_mask(table, 2).tolist() == [True, True, False, False]
    assert keep_mask(table, None).all() and keep_mask(table, 3).all()


def test_reports_read_precision_with_blank_as_precise():
    table = read_reports(REPORTS, bounds=None)
    assert table["place_precision"].tolist() == [1, 3, 1, 1]
    assert table["date_precision"].tolist() == [1, 1, 1, 3]
    assert read_reports(REPORTS.drop(columns=["place_precision", "date_precision"]))["date_precision"].eq(1).all()


def test_bad_precision_names_row_and_column():
    bad = REPORTS.assign(date_precision=["1", "week", "1", "4"])
    with pytest.raises(ReportsError) as info:
        read_reports(bad, bounds=None)
    assert info.value.problems == [
        "reports (DataFrame), row 2, column 'date_precision': 'week': unknown precision; use 1 (exact), "
        "2 (approximate) or 3 (broad)",
        "reports (DataFrame), row 4, column 'date_precision': '4': unknown precision; use 1 (exact), "
        "2 (approximate) or 3 (broad)",
    ]


def test_min_precision_drops_imprecise_reports():
    every = ControlTimeline.from_reports(REPORTS, boundaries=AREAS)
    assert every.imprecise_dropped == 0
    assert every.status().set_index("area_id")["status"].to_dict() == {
        "A": "taliban",
        "B": "taliban",
        "C": "government",
    }
    precise = ControlTimeline.from_reports(REPORTS, boundaries=AREAS, min_precision=1)
    assert precise.imprecise_dropped == 2
    assert precise.status().set_index("area_id")["status"].to_dict() == {
        "A": "taliban",
        "B": "unknown",
        "C": "government",
    }


@pytest.mark.parametrize("value", [0, 5, 2.5, "1", True])
def test_min_precision_outside_the_levels_is_refused(value):
    from geomap.errors import InputError

    with pytest.raises(InputError, match=r"^min_precision: .* is not a precision level; give 1 \(the place"):
        ControlTimeline.from_reports(REPORTS, boundaries=AREAS, min_precision=value)


def test_evidence_marks_only_imprecise_reports():
    long = ControlTimeline.from_reports(REPORTS, boundaries=AREAS).long().set_index("area_id")["evidence"]
    assert "precision" not in long["A"][0]
    assert long["B"][0]["precision"] == "place known only to the province"
    assert [r.get("precision", "") for r in long["C"]] == ["", "date known to the month"]


def test_map_data_carries_the_precision_text():
    html = map_html(control_map(ControlTimeline.from_reports(REPORTS, boundaries=AREAS), self_contained=True))
    found = re.findall(r'<script type="application/json" id="geomap-data-[^"]+">(.*?)</script>', html, re.S)
    reports = {r[1]: r[7] for r in json.loads(found[0])["reports"]}
    assert reports == {
        "a town": "",
        "b province": "place known only to the province",
        "c town": "",
        "c village": "date known to the month",
    }


@pytest.mark.browser
def test_area_resting_on_imprecise_reports_is_lighter_and_marked(chromium, tmp_path):
    html = map_html(control_map(ControlTimeline.from_reports(REPORTS, boundaries=AREAS), self_contained=True))
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    page = chromium.new_page()
    try:
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
        page.goto(path.as_uri())
        page.wait_for_function("window.geomapMaps && window.geomapMaps.length > 0")
        opacity = page.eval_on_selector_all(
            "path.leaflet-interactive", "els => els.map(e => parseFloat(e.getAttribute('fill-opacity')))"
        )
        assert min(opacity) * 2 == pytest.approx(max(opacity))  # half the usual fill
        assert sum(o < max(opacity) for o in opacity) == 1  # only B rests on imprecise reports alone
        light = opacity.index(min(opacity))
        page.locator("path.leaflet-interactive").nth(light).click()
        page.wait_for_selector(".geomap-pop")
        popup = page.text_content(".geomap-pop")
        assert "b province" in popup and "≈ place known only to the province" in popup
    finally:
        page.close()


def test_a_district_the_polygons_do_not_draw_is_a_report_of_its_district_only(tmp_path):
    from geomap.cli import main

    rows = [
        {"date": "2021-08-20", "place": "Bano", "status": "government", "source": "a"},
        {"date": "2021-08-22", "place": "Dand", "status": "taliban", "source": "b"},
        {"date": "2021-08-22", "place": "Herat", "status": "taliban", "source": "c"},
    ]
    every = ControlTimeline.from_reports(rows, level="district")
    assert every.reports.set_index("place")["place_precision"].to_dict() == {"Bano": 2, "Dand": 2, "Herat": 1}
    andarab = every.status(on="2021-08-22").set_index("area_id").loc["AF-BGL-andarab"]
    assert andarab["status"] == "government"
    assert andarab["evidence"][0]["precision"] == "place approximate (near it, or its district)"
    precise = ControlTimeline.from_reports(rows, level="district", min_precision=1)
    assert precise.reports["place"].tolist() == ["Herat"] and precise.imprecise_dropped == 2
    # the command line's export reads a large file in chunks: the same
    path = tmp_path / "reports.csv"
    pd.DataFrame(rows * 50_000).to_csv(path, index=False)
    out = tmp_path / "out.csv"
    assert main(["export", str(path), "--level", "district", "--min-precision", "1", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert set(table.loc[table["district_id"] == "AF-BGL-andarab", "status"]) == {"unknown"}
