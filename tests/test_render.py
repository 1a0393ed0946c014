"""Tests for geomap.render that need no browser: page data, escaping, self-containment, size."""

from __future__ import annotations

import datetime as dt
import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from geomap.errors import InputError
from geomap.render import (
    MapData,
    build_map,
    control_map,
    display_geometries,
    encode_geometry,
    json_for_script,
    map_html,
    page_payload,
)
from geomap.scheme import AFGHANISTAN_2021


@pytest.fixture
def timeline(square_timeline):
    return square_timeline


def embedded_payload(html: str) -> dict:
    found = re.findall(r'<script type="application/json" id="geomap-data-[^"]+">(.*?)</script>', html, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def synthetic(n_dates: int, *, n_side: int = 6, seed: int = 0) -> MapData:
    """A grid of areas with random statuses per date (no reports)."""
    cells = [
        Polygon([(65 + x, 33 + y), (66 + x, 33 + y), (66 + x, 34 + y), (65 + x, 34 + y)])
        for x in range(n_side)
        for y in range(n_side)
    ]
    # Curvy borders so that the geometry has some weight.
    cells = [shapely.segmentize(c, 0.01) for c in cells]
    areas = gpd.GeoDataFrame(
        {"area_id": [f"X{i}" for i in range(len(cells))], "area_name": [f"Cell {i}" for i in range(len(cells))]},
        geometry=cells,
        crs="EPSG:4326",
    )
    rng = np.random.default_rng(seed)
    dates = [dt.date(2021, 1, 1) + dt.timedelta(days=k) for k in range(n_dates)]
    codes = rng.integers(0, 4, size=(len(cells), n_dates), dtype=np.uint8)
    return MapData(areas=areas, scheme=AFGHANISTAN_2021, dates=dates, codes=codes, area_noun="cells")


def test_status_table_follows_the_timeline(timeline, injection):
    html = map_html(control_map(timeline, self_contained=True))
    payload = embedded_payload(html)
    assert payload["dates"] == ["2021-08-01", "2021-08-03", "2021-08-05", "2021-08-07"]
    assert payload["ids"] == ["A", "B", "C"]
    assert payload["names"] == ["Alpha", injection.name, injection.gamma]
    # scheme order: taliban 0, contested 1, government 2, unknown 3
    assert payload["table"] == ["2200", "3000", "3331"]
    assert [s["label"] for s in payload["statuses"]] == AFGHANISTAN_2021_LABELS
    assert payload["noun"] == "areas"
    assert payload["range"] == ["2021-08-01", "2021-08-07"]


AFGHANISTAN_2021_LABELS = [s.label for s in AFGHANISTAN_2021.statuses]


def test_reports_are_sent_once_and_referenced_by_index(timeline, injection):
    payload = embedded_payload(map_html(control_map(timeline)))
    reports = payload["reports"]
    assert len(reports) == 4
    assert sorted(r[0] for r in reports) == ["2021-08-01", "2021-08-03", "2021-08-05", "2021-08-07"]
    by_date = {r[0]: k for k, r in enumerate(reports)}
    # Alpha: the 08-01 report from the first date, the 08-05 one from the third; runs, not one copy per date.
    assert payload["evidence"][0] == [[0, [by_date["2021-08-01"]]], [2, [by_date["2021-08-05"]]]]
    assert payload["evidence"][2] == [[3, [by_date["2021-08-07"]]]]
    # Beta's since is the first date of its status run, which the page derives: nothing to send.
    assert payload["since"][1] == []
    assert payload["counts"] == ["1111", "0111", "0001"]
    assert reports[by_date["2021-08-03"]][1:5] == [injection.place, 0, injection.source, injection.note]


def test_data_is_escaped_inside_the_script_element(timeline, injection):
    html = map_html(control_map(timeline, self_contained=True, title=injection.title))
    assert "<script>window.__pwned" not in html
    assert "<img src=x" not in html
    assert "onmouseover" in html  # present, but only inside escaped JSON
    assert '<b onmouseover="window' not in html
    assert "\u2028" not in html
    assert embedded_payload(html)["title"] == injection.title
    # The title never reaches the page outside the JSON (no <title> written by the template).
    assert "<title>" not in html


def test_json_for_script_escapes_markup_and_line_separators():
    text = json_for_script({"a": "</script><!-- & \u2028\u2029 >"})
    assert text == '{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 \\u003e"}'
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029 >"}


def test_self_contained_page_requests_nothing(timeline):
    html = map_html(control_map(timeline, self_contained=True, layers="per-date", markers=True))
    external = re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html, re.I)
    assert external == []
    assert "cdn.jsdelivr" not in html
    lowered = html.lower()
    for library in ("jquery", "bootstrap", "font-awesome", "fontawesome", "awesome-markers"):
        assert library not in lowered
    assert "L.version" in html or "leafletjs.com" in html  # Leaflet itself is inlined
    assert "url(images/" not in html  # Leaflet's CSS images are inlined as data URIs
    assert "tile.openstreetmap" not in html
    assert '"outline"' in html
    assert '"neighbours"' in html


def test_neighbours_only_around_afghanistan():
    data = synthetic(2, n_side=2)
    data.areas = data.areas.set_geometry(shapely.transform(data.areas.geometry.values, lambda xy: xy - [60, 0]))
    payload = page_payload(data, outline=True)
    assert "outline" in payload
    assert "neighbours" not in payload
    assert "neighbours" in page_payload(synthetic(2, n_side=2), outline=True)


def test_default_page_uses_folium_cdn_and_tiles(timeline):
    html = map_html(control_map(timeline))
    assert 'src="https://cdn.jsdelivr.net/npm/leaflet@' in html
    assert "tile.openstreetmap.org" in html
    assert '"outline"' not in html


def test_self_contained_with_tiles_asked_for_loads_them(timeline):
    html = map_html(control_map(timeline, self_contained=True, tiles="OpenTopoMap"))
    assert "tile.opentopomap.org" in html
    assert "cdn.jsdelivr" not in html


def test_repr_html_of_self_contained_map_is_inlined(timeline):
    m = control_map(timeline, self_contained=True)
    shown = m._repr_html_()
    assert shown.startswith("<div")
    assert "iframe" in shown
    assert "geomapControlMap" in shown
    assert "cdn.jsdelivr" not in shown


def test_geometry_is_sent_once_whatever_the_number_of_dates():
    html = {}
    for n in (10, 200):
        html[n] = map_html(build_map(synthetic(n), self_contained=True, simplify_tolerance=0))
        payload = embedded_payload(html[n])
        assert len(payload["areas"]) == 36
        assert html[n].count(json_for_script(payload["areas"])) == 1
        # the first vertex of the first ring of the first cell, the only absolute one of that ring
        assert html[n].count("[[[6500000,3300000,") == 1
    geometry_size = len(json_for_script(embedded_payload(html[10])["areas"]))
    per_date = (len(html[200]) - len(html[10])) / 190
    assert geometry_size > 50_000
    # One more date costs one character per area, nowhere near another set of polygons.
    assert per_date < 60
    assert per_date < geometry_size / 1000


def test_per_date_layers_share_one_geometry(timeline):
    m = control_map(timeline, layers="per-date", self_contained=True)
    html = map_html(m)
    payload = embedded_payload(html)
    assert len(payload["areas"]) == 3
    assert html.count(json_for_script(payload["areas"])) == 1
    assert len(re.findall(r"var feature_group_\w+ = L\.featureGroup\(", html)) == 4
    assert "L.control.layers(" in html
    for day in ("2021-08-01", "2021-08-03", "2021-08-05", "2021-08-07"):
        assert f'"{day}"' in html


def test_per_date_layer_names_are_text_and_one_for_each_date(timeline):
    html = map_html(control_map(timeline, layers="per-date", self_contained=True, date_format="<b>%B</b> %Y"))
    names = re.findall(r'^\s*"([^"]*)" : feature_group_\w+,$', html, flags=re.M)
    assert names == [f"\\u0026lt;b\\u0026gt;August\\u0026lt;/b\\u0026gt; 2021 (2021-08-0{d})" for d in (1, 3, 5, 7)]
    assert "<b>August" not in html  # the layer control writes its names as markup: they are escaped to be text


def test_coverage_simplify_keeps_borders_shared():
    data = synthetic(1, n_side=3)
    wiggly = shapely.transform(
        data.areas.geometry.values, lambda xy: xy + 0.002 * np.sin(xy[:, ::-1] * 40), interleaved=True
    )
    simplified = display_geometries(wiggly, 0.01)
    assert shapely.get_num_coordinates(simplified).sum() < shapely.get_num_coordinates(wiggly).sum() / 5
    assert shapely.is_valid(simplified).all()
    assert shapely.coverage_is_valid(simplified)
    coords = shapely.get_coordinates(simplified)
    assert np.allclose(coords, np.round(coords, 5))


def test_geometry_encoding_is_integer_deltas():
    holed = Polygon([(65, 33), (66, 33), (66, 34), (65, 34)], [[(65.2, 33.2), (65.4, 33.2), (65.4, 33.4)]])
    pair = shapely.MultiPolygon([Polygon([(67.00001, 33), (68, 33), (68, 34.12345)]), holed])
    encoded = encode_geometry(holed)
    assert encoded[0][0][:4] == [6500000, 3300000, 100000, 0]
    assert len(encoded[0]) == 2  # exterior and hole
    assert encode_geometry(pair)[0][0] == [6700001, 3300000, 99999, 0, 0, 112345, -99999, -112345]


def test_zero_tolerance_only_rounds():
    square = Polygon([(65.1234567, 33), (66, 33), (66, 34.0000049), (65, 34)])
    (out,) = display_geometries([square], 0)
    assert shapely.get_coordinates(out).tolist() == [[65.12346, 33], [66, 33], [66, 34], [65, 34], [65.12346, 33]]


def test_start_date_picks_the_reporting_date_on_or_before(timeline):
    def start(value):
        html = map_html(control_map(timeline, start_date=value))
        return json.loads(re.search(r"geomapControlMap\([^,]+, (\{.*?\})\);", html).group(1))["start"]

    assert start(None) == 3
    assert start("2021-08-04") == 1
    assert start(dt.date(2020, 1, 1)) == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"layers": "stacked"}, "layer mode"),
        ({"simplify_tolerance": -1}, "must be >= 0"),
        ({"start_date": "soon"}, "YYYY-MM-DD"),
    ],
)
def test_bad_options_raise_input_error(timeline, options, message):
    with pytest.raises(InputError, match=message):
        control_map(timeline, **options)


def test_status_table_shape_is_checked():
    data = synthetic(3)
    data.codes = data.codes[:, :2]
    with pytest.raises(InputError, match="status table has shape"):
        page_payload(data)


def write_province_reports(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(
        "date,place,status,source,note,lat,lon\n"
        "2021-08-06,Zaranj,taliban,https://example.org/zaranj,first provincial capital taken,30.96,61.86\n"
        "2021-08-10,Kandahar,contested,,fighting in the city,31.61,65.71\n",
        encoding="utf-8",
    )
    return path


def test_cli_map_writes_the_page(tmp_path, capsys):
    from geomap.cli import main

    reports = write_province_reports(tmp_path)
    out = tmp_path / "maps" / "map.html"
    out.parent.mkdir()
    code = main(
        ["map", str(reports), "-o", str(out), "--self-contained", "--title", "Offensive", "--layers", "per-date"]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    payload = embedded_payload(html)
    assert payload["noun"] == "provinces"
    assert len(payload["ids"]) == 34
    assert payload["dates"] == ["2021-08-06", "2021-08-10"]
    assert payload["title"] == "Offensive"
    table = dict(zip(payload["ids"], payload["table"], strict=True))
    assert table["AF-NIM"] == "00"  # Taliban on both dates
    assert table["AF-KAN"] == "31"  # no report, then contested
    assert "cdn.jsdelivr" not in html
    assert len(re.findall(r"var feature_group_\w+ = L\.featureGroup\(", html)) == 2


def test_cli_map_refuses_to_overwrite_its_input(tmp_path, capsys):
    from geomap.cli import main

    reports = write_province_reports(tmp_path)
    before = reports.read_bytes()
    assert main(["map", str(reports), "-o", str(reports)]) == 1
    assert "refusing to overwrite the input file" in capsys.readouterr().err
    assert reports.read_bytes() == before


def test_cli_map_failure_leaves_an_existing_map_untouched(tmp_path, capsys):
    from geomap.cli import main

    reports = write_province_reports(tmp_path)
    out = tmp_path / "map.html"
    out.write_text("the previous map", encoding="utf-8")
    assert main(["map", str(reports), "-o", str(out), "--simplify", "-1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("geomap: error: ")
    assert "must be >= 0" in err
    assert out.read_text(encoding="utf-8") == "the previous map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html", "reports.csv"]


def test_template_syntax_in_data_is_never_evaluated(tmp_path):
    """branca compiles macro output as Jinja: data must never reach a template."""
    import pandas as pd

    from geomap.render import control_map, map_html
    from geomap.timeline import ControlTimeline

    marker = tmp_path / "evaluated"
    payload = "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }} {{ 7*7 }} {% raw %}"
    reports = pd.DataFrame(
        {
            "date": ["2021-08-12"],
            "place": [payload],
            "status": ["taliban"],
            "source": [payload],
            "note": [payload],
            "lat": [33.55],
            "lon": [68.42],
        }
    )
    html = map_html(control_map(ControlTimeline.from_reports(reports), title=payload, self_contained=True))
    assert not marker.exists()
    assert html.count("{{ 7*7 }}") >= 3
    assert " 49 " not in html


TILE_PAYLOAD = "https://t.example/{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}/{z}/{x}/{y}.png"


@pytest.mark.parametrize(
    "tiles",
    [
        TILE_PAYLOAD,
        "https://<img src=x onerror=alert(1)>/{z}/{x}/{y}.png",
        "https://t.example/{z}/{x}/{y}.png{% raw %}",
        "https://t.example/{z}/{x}.png",
        "javascript:alert(1)//{z}/{x}/{y}",
        "ftp://t.example/{z}/{x}/{y}.png",
        'https://t.example/{z}/{x}/{y}.png"onerror="alert(1)',
        "https://t.example/{z}/{x}/{y} .png",
        "https://t.example/{z}/{x}/{y}/{q}.png",
    ],
)
def test_bad_tile_urls_are_refused_before_anything_runs(square_timeline, tmp_path, tiles):
    from geomap.errors import InputError
    from geomap.render import control_map

    marker = tmp_path / "evaluated"
    with pytest.raises(InputError, match="not a tile URL template") as info:
        control_map(square_timeline, tiles=tiles.replace("MARKER", str(marker)))
    assert "\n" not in str(info.value)
    assert not marker.exists()


def test_cli_refuses_a_template_in_tiles_and_runs_nothing(tmp_path, capsys):
    from geomap.cli import main

    reports = write_province_reports(tmp_path)
    marker = tmp_path / "evaluated"
    out = tmp_path / "map.html"
    code = main(["map", str(reports), "-o", str(out), "--tiles", TILE_PAYLOAD.replace("MARKER", str(marker))])
    err = capsys.readouterr().err
    assert code == 1
    assert "not a tile URL template" in err
    assert len(err.strip().splitlines()) == 1
    assert not marker.exists()
    assert not out.exists()


def test_tile_url_and_credit_reach_the_page_as_data(square_timeline):
    from geomap.errors import InputError
    from geomap.render import control_map, map_html, tile_source

    with pytest.raises(InputError, match="'garbage' is not a known tile provider"):
        control_map(square_timeline, tiles="garbage")
    url = "https://{s}.tiles.example.org:8080/v1/{z}/{x}/{y}{r}.png?key=a&b=c"
    assert tile_source(url) == {
        "url": url,
        "attribution": "Tiles: tiles.example.org:8080",
        "max_zoom": 19,
        "subdomains": "abc",
    }
    credit = "<img src=x onerror=alert(1)> & {{ 7*7 }}"
    assert tile_source(url, credit)["attribution"] == "&lt;img src=x onerror=alert(1)&gt; &amp; {{ 7*7 }}"
    html = map_html(control_map(square_timeline, tiles=url, tile_attribution=credit))
    payload = embedded_options(html)
    assert payload["tiles"]["url"] == url
    assert payload["tiles"]["attribution"] == "&lt;img src=x onerror=alert(1)&gt; &amp; {{ 7*7 }}"
    assert "<img src=x" not in html
    osm = tile_source("OpenStreetMap")
    assert osm["url"].startswith("https://tile.openstreetmap.org/{z}/{x}/{y}")
    assert "openstreetmap.org/copyright" in osm["attribution"]


def embedded_options(html: str) -> dict:
    match = re.search(r"geomapControlMap\([a-z_0-9]+, (\{.*?\})\);", html)
    return json.loads(match.group(1))


def test_simplify_option_is_checked(square_timeline):
    from geomap.errors import InputError
    from geomap.render import control_map

    for bad in (float("nan"), float("inf"), -1.0):
        with pytest.raises(InputError, match="simplify tolerance"):
            control_map(square_timeline, simplify_tolerance=bad)


def test_labels_sit_inside_their_areas_with_capitals_and_neighbours():
    from geomap.boundaries import load_provinces
    from geomap.render.labels import area_label_candidates, capital_points, country_labels

    provinces = load_provinces()
    candidates = area_label_candidates(provinces.geometry.values)
    assert len(candidates) == 34
    for geom, options in zip(provinces.geometry.values, candidates, strict=True):
        assert 1 <= len(options) <= 9
        assert all(geom.contains(shapely.Point(x, y)) for x, y in options)
    capitals = capital_points(provinces["area_id"].tolist(), provinces.geometry.values)
    assert len(capitals) == 34
    assert ("Kabul", "Kabul") in {(provinces["area_name"][i], name) for i, name, _, _ in capitals}
    names = {name for name, _, _ in country_labels(provinces.total_bounds)}
    assert names == {"Iran", "Pakistan", "Turkmenistan", "Uzbekistan", "Tajikistan", "China"}
    # Boundaries elsewhere get neither capitals nor neighbours.
    assert capital_points(["x"], [shapely.box(0, 0, 1, 1)]) == []
    assert country_labels([0, 0, 1, 1]) == []


def test_labels_and_date_format_options(timeline):
    on = embedded_payload(map_html(control_map(timeline, self_contained=True)))
    assert len(on["labels"]["points"]) == 3
    assert "date_labels" not in on  # the page writes the default "7 Aug 2021" itself
    off = embedded_payload(map_html(control_map(timeline, self_contained=True, labels=False)))
    assert "labels" not in off
    custom = embedded_payload(map_html(control_map(timeline, date_format="%d %B %Y")))
    assert custom["date_labels"][-1] == "07 August 2021"
    assert custom["dates"][-1] == "2021-08-07"  # the data and the URL fragment stay ISO
    with pytest.raises(InputError, match="date format 'no directive'"):
        control_map(timeline, date_format="no directive")


def test_cli_map_no_labels_and_date_format(tmp_path, capsys):
    from geomap.cli import main

    reports = write_province_reports(tmp_path)
    out = tmp_path / "map.html"
    assert main(["map", str(reports), "-o", str(out), "--no-labels", "--date-format", "%Y/%m/%d"]) == 0
    payload = embedded_payload(out.read_text(encoding="utf-8"))
    assert "labels" not in payload
    assert payload["date_labels"] == [d.replace("-", "/") for d in payload["dates"]]
    bad = tmp_path / "bad.html"
    assert main(["map", str(reports), "-o", str(bad), "--date-format", "x" * 80 + "%Y"]) == 1
    err = capsys.readouterr().err
    assert "date format" in err and len(err.strip().splitlines()) == 1
    assert not bad.exists()


def test_district_map_sends_province_names_and_borders_once():
    data = synthetic(2, n_side=2)  # cells (65,33) (65,34) in West, (66,33) (66,34) in East
    data.groups = ["West", "West", "East", "East"]
    data.reports = [
        {"date": "2021-01-01", "place": "West province", "status": "taliban", "source": "", "note": "",
         "province_wide": True},
        {"date": "2021-01-01", "place": "Town", "status": "government", "source": "", "note": ""},
    ]  # fmt: skip
    payload = page_payload(data, simplify_tolerance=0)
    assert payload["groups"]["names"] == ["West", "East"]
    assert payload["groups"]["of"] == [0, 0, 1, 1]
    scale = payload["scale"]
    lines = shapely.union_all(
        [
            shapely.LineString(np.cumsum(np.array(flat).reshape(-1, 2), axis=0) / scale)
            for flat in payload["groups"]["borders"]
        ]
    )
    # Only the line between the provinces: not the edges inside one, nor the outer edge (the outline's).
    assert lines.length == pytest.approx(2)
    assert lines.covers(shapely.LineString([(66, 33), (66, 35)]))
    assert not lines.intersects(shapely.LineString([(65.2, 34), (65.8, 34)]))
    assert [len(r) for r in payload["reports"]] == [9, 8]
    assert payload["reports"][0][8] == 1
    assert "groups" not in page_payload(synthetic(2, n_side=2), simplify_tolerance=0)
