"""Broken and hostile input files: a one-line error naming what to fix, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geomap.boundaries import load_boundaries, load_provinces
from geomap.cli import main
from geomap.errors import BoundaryError, InputError, row_message
from geomap.reports import read_reports
from geomap.scheme import load_scheme

REPORTS = "date,place,status\n2021-08-12,Ghazni,taliban\n"


def run(argv, capsys) -> str:
    """Run the CLI, expect a one-line error, return it."""
    assert main([str(a) for a in argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith("geomap: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.fixture
def reports(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(REPORTS, encoding="utf-8")
    return path


def test_deeply_nested_json_reports(tmp_path, capsys):
    path = tmp_path / "nested.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    err = run(["export", path, "-o", tmp_path / "o.geojson"], capsys)
    assert "nested too deeply" in err


@pytest.mark.parametrize("field", ["place", "note", "status"])
def test_lone_surrogate_escape_in_json_reports(field, tmp_path, capsys):
    record = {"date": "2021-08-12", "place": "Ghazni", "status": "taliban", "note": "ok"}
    record[field] = "x\\ud800y"
    path = tmp_path / "r.json"
    path.write_text(json.dumps([record]).replace("\\\\ud800", "\\ud800"), encoding="utf-8")
    err = run(["export", path, "-o", tmp_path / "o.csv"], capsys)
    assert f"record 1, field '{field}'" in err and "lone UTF-16 surrogate" in err
    assert not (tmp_path / "o.csv").exists()


def test_lone_surrogate_in_a_dataframe_names_row_and_column():
    frame = pd.DataFrame({"date": ["2021-08-12"], "place": ["Gha\udc80zni"], "status": ["taliban"]}, dtype=object)
    with pytest.raises(InputError, match=r"row 1, column 'place'.*lone UTF-16 surrogate"):
        read_reports(frame)


def test_a_header_of_too_many_columns_is_refused_before_they_are_built(tmp_path, capsys):
    path = tmp_path / "wide.csv"
    n = 200_000
    path.write_text("date,place,status," + ",".join(f"c{i}" for i in range(n)) + "\n2021-08-12,Ghazni,taliban"
                    + "," * n + "\n", encoding="utf-8")  # fmt: skip
    err = run(["summary", path], capsys)
    assert err == (
        f"geomap: error: {path}: the header has 200,003 named columns (200,003 in all), more than 10,000; a "
        "reports table needs date, place and status (and a few more): check that this is the right file\n"
    )
    frame = pd.DataFrame([["2021-08-12", "Ghazni", "taliban", *[""] * 10_000]],
                         columns=["date", "place", "status", *(f"c{i}" for i in range(10_000))])  # fmt: skip
    with pytest.raises(InputError, match=r"the header has 10,003 named columns \(10,003 in all\)"):
        read_reports(frame)
    blank = tmp_path / "trailing.csv"  # trailing commas: blank columns, left out
    blank.write_text("date,place,status" + "," * 20_000 + "\n2021-08-12,Ghazni,taliban" + "," * 20_000 + "\n")
    assert read_reports(blank)["place"].tolist() == ["Ghazni"]


def test_duplicate_columns_among_many_are_named():
    columns = ["date", "place", "status", *(f"c{i}" for i in range(5_000)), "c17", "C4"]
    frame = pd.DataFrame([["2021-08-12", "Ghazni", "taliban", *[""] * 5_002]], columns=columns)
    with pytest.raises(InputError, match=r"column\(s\) 'c17', 'c4' appear more than once"):
        read_reports(frame)


def test_undecodable_command_line_text(reports, tmp_path, capsys):
    err = run(["map", reports, "-o", tmp_path / "m.html", "--title", "a\udcffb"], capsys)
    assert "--title holds bytes that are not text" in err
    assert "a NAME holds bytes" in run(["geocode", "Gha\udcffzni"], capsys)


@pytest.mark.parametrize("option", ["reports", "--boundaries", "--scheme"])
def test_symlink_loops_as_inputs(option, reports, tmp_path, capsys):
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    argv = ["export", reports, "-o", tmp_path / "o.geojson"]
    if option == "reports":
        argv[1] = loop
    elif option == "--boundaries":
        argv += [option, loop, "--id-field", "id", "--name-field", "name"]
    else:
        argv += [option, loop]
    err = run(argv, capsys)
    assert str(loop) in err and ("loop" in err or "Too many levels of symbolic links" in err)


def _polygon_file(tmp_path, ring) -> str:
    path = tmp_path / "b.geojson"
    feature = {"type": "Feature", "properties": {"id": "A", "name": "A"}}
    feature["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "ring", [[[65, 33], [66, 33], [66, 34], [65, 34]], [[65, 33], [66, 33]]], ids=["unclosed", "two-points"]
)
def test_broken_rings_are_refused_with_the_row(ring, tmp_path):
    with pytest.raises(BoundaryError, match=r"b.geojson, row 1: a polygon ring is not closed or has fewer than 4"):
        load_boundaries(_polygon_file(tmp_path, ring), id_field="id", name_field="name")


def test_garbage_prj_is_not_reported_missing(tmp_path, squares):
    squares.to_file(tmp_path / "sq.shp")
    (tmp_path / "sq.prj").write_text("this is not WKT", encoding="utf-8")
    with pytest.raises(BoundaryError, match=r"sq.prj: not a coordinate reference system GDAL can read"):
        load_boundaries(tmp_path / "sq.shp", id_field="code", name_field="label")


def test_missing_dbf_is_named(tmp_path, squares):
    squares.to_file(tmp_path / "sq.shp")
    (tmp_path / "sq.dbf").unlink()
    with pytest.raises(BoundaryError, match=r"attribute table \(sq.dbf\) is missing"):
        load_boundaries(tmp_path / "sq.shp", id_field="code", name_field="label")


def test_provinces_in_utm_42n_are_accepted(tmp_path):
    path = tmp_path / "utm.gpkg"
    load_provinces().to_crs("EPSG:32642").to_file(path)
    gdf = load_boundaries(path, id_field="iso", name_field="name")
    assert len(gdf) == 34 and gdf.crs.to_epsg() == 4326
    kabul = gdf.loc[gdf["area_id"] == "AF-KAB"].geometry.iloc[0]
    assert kabul.contains(gpd.points_from_xy([69.17], [34.53])[0])


def test_projected_crs_is_judged_by_its_range(tmp_path, squares):
    degrees_as_utm = tmp_path / "deg.gpkg"
    squares.set_crs("EPSG:32642", allow_override=True).to_file(degrees_as_utm)
    with pytest.raises(BoundaryError, match="look like longitude/latitude degrees"):
        load_boundaries(degrees_as_utm, id_field="code", name_field="label")
    beyond_the_pole = tmp_path / "far.gpkg"
    utm = load_provinces().to_crs("EPSG:32642")
    utm.set_geometry(utm.geometry.translate(yoff=2e7)).to_file(beyond_the_pole)
    with pytest.raises(BoundaryError, match="outside the range of WGS 84 / UTM zone 42N"):
        load_boundaries(beyond_the_pole, id_field="iso", name_field="name")


def test_values_are_shown_as_written_not_as_numpy_reprs():
    assert row_message("r.csv", 2, "lat", np.float64(np.inf), "bad") == "r.csv, row 2, column 'lat': inf: bad"
    assert row_message("r.csv", 2, "x", np.True_, "bad").endswith(": True: bad")


def test_blank_header_names(tmp_path):
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("date,place,status,\n2021-08-12,Ghazni,taliban,\n", encoding="utf-8")
    assert read_reports(trailing)["place"].tolist() == ["Ghazni"]
    holding = tmp_path / "holding.csv"
    holding.write_text("date,place,status,\n2021-08-12,Ghazni,taliban,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="column 4 holds values but its header is blank"):
        read_reports(holding)


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ({"key": "a", "label": {"x": 1}, "color": "#d7301f"}, "'label' is {\"x\": 1}"),
        ({"key": "a", "label": None, "color": "#d7301f"}, "'label' is null"),
        ({"key": "a", "label": "  ", "color": "#d7301f"}, "the label is empty"),
        ({"key": "a", "color": 12}, "'color' is 12"),
    ],
)
def test_scheme_values_must_be_text(status, shown, tmp_path):
    path = tmp_path / "s.json"
    unknown = {"key": "unknown", "label": "No report", "color": "#d9d9d9"}
    path.write_text(json.dumps({"statuses": [status, unknown]}), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scheme(path)
    assert shown in str(info.value)


def test_damaged_geocoding_cache(tmp_path, capsys):
    cache = tmp_path / "cache.sqlite"
    cache.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    err = run(["geocode", "Qwertyabadxyz", "--online", "nominatim", "--user-agent", "t", "--cache", cache], capsys)
    assert str(cache) in err and "geocoding cache" in err


def test_lat_without_a_lon_column_is_a_problem_not_a_crash():
    with pytest.raises(InputError, match="row 1, column 'lon': None: lat is given but lon is empty"):
        read_reports([{"date": "2021-08-12", "place": "Ghazni", "status": "taliban", "lat": "34.5"}])


PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}<img src=x onerror=alert(1)>{{ 7*7 }}"


def test_payloads_in_title_scheme_and_tile_credit_never_run(reports, tmp_path, capsys):
    marker = tmp_path / "ran"
    payload = PAYLOAD.replace("MARKER", str(marker))
    scheme = tmp_path / "scheme.json"
    statuses = [
        {"key": "taliban", "label": payload, "color": "#c62828", "aliases": [payload]},
        {"key": "unknown", "label": "No report " + payload, "color": "#d9d9d9"},
    ]
    scheme.write_text(json.dumps({"name": payload, "statuses": statuses}), encoding="utf-8")
    out = tmp_path / "map.html"
    argv = ["map", reports, "-o", out, "--scheme", scheme, "--title", payload, "--self-contained"]
    argv += ["--tiles", "https://t.example/{z}/{x}/{y}.png", "--tile-attribution", payload]
    assert main([str(a) for a in argv]) == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert not marker.exists()
    assert "<img src=x" not in page  # only ever as escaped data
    assert "{{ 7*7 }}" in page  # shown as written, never evaluated
    err = run(
        ["map", reports, "-o", tmp_path / "m2.html", "--tiles", "https://t.example/" + payload + "/{z}/{x}/{y}.png"],
        capsys,
    )
    assert "not a tile URL template" in err and not marker.exists()


FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))
from geomap.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_full_disk_during_a_geopackage_write_is_one_line_and_changes_nothing(reports, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out.gpkg"
    out.write_bytes(b"the previous export")
    argv = [sys.executable, "-c", FULL_DISK, "export", str(reports), "-o", str(out)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr.startswith(f"geomap: error: {out}: could not be written (")
    assert done.stderr.count("\n") == 1 and "nothing was changed" in done.stderr
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.gpkg", "reports.csv"]


def test_an_os_error_mid_run_is_one_line(monkeypatch, capsys):
    import geomap.cli as cli

    def vanished(args):
        raise PermissionError(13, "Permission denied", "/data/reports.csv")

    monkeypatch.setattr(cli, "_cmd_provinces", vanished)
    err = run(["provinces"], capsys)
    assert err == "geomap: error: /data/reports.csv: Permission denied; check the file and run again\n"


def test_a_user_agent_with_a_line_break_is_refused_before_any_request(tmp_path, capsys):
    argv = ["geocode", "Xyzzyplace", "--online", "nominatim", "--user-agent", "app/1.0\r\nX-Injected: 1"]
    err = run([*argv, "--cache", tmp_path / "c.sqlite", "--no-progress"], capsys)
    assert "holds a line break or control character, which an HTTP header cannot carry" in err
    assert not (tmp_path / "c.sqlite").exists()


@pytest.mark.parametrize(
    ("name", "text", "why"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000, "the JSON is nested too deeply to read"),
        ("deep.yaml", "a: " + "[" * 20_000 + "]" * 20_000, "the YAML is nested too deeply to read"),
        ("lone.json", '{"sides": {"taliban": ["\\ud800"]}}', "lone UTF-16 surrogate escape"),
    ],
)
def test_broken_actor_mappings_are_refused_in_one_line(tmp_path, capsys, name, text, why):
    from pathlib import Path

    events = Path(__file__).parent / "data" / "events" / "acled-sample.csv"
    actors = tmp_path / name
    actors.write_text(text, encoding="utf-8")
    assert why in run(["import", "acled", events, "--actors", actors, "-o", tmp_path / "r.csv"], capsys)
    assert not (tmp_path / "r.csv").exists()


def test_a_huge_value_is_cut_in_the_message(tmp_path, capsys):
    reports = tmp_path / "r.csv"
    reports.write_text("date,place,status\n2021-08-12,Herat," + "Y" * 100_000 + "\n", encoding="utf-8")
    assert main(["export", str(reports), "-o", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert f"row 2, column 'status': '{'Y' * 59}... (100,000 characters): unknown status" in err
    assert len(err) < 500
    assert row_message("f.csv", 3, "place", "x" * 10, "why") == "f.csv, row 3, column 'place': 'xxxxxxxxxx': why"


LONG = "x" * 140_000  # past the CSV reader's field limit


@pytest.mark.parametrize(
    ("files", "argv", "message"),
    [
        ({"r.csv": f"date,place,status,{LONG}\n2021-08-12,Kabul,taliban,1\n"}, ["summary", "r.csv"], "row 1: a value"),
        (
            {"e.csv": f"event_date,{LONG}\n2021-08-12,1\n"},
            ["import", "acled", "e.csv", "-o", "out.csv"],
            "line 1 holds a value past the CSV field limit",
        ),
        (
            {
                "a.txt": "The Taliban captured Kunduz on Sunday.",
                "m.csv": f"path,published,source\na.txt,2021-08-16,{LONG}\n",
            },
            ["extract", "a.txt", "--meta", "m.csv"],
            "m.csv: row 2: not a metadata CSV",
        ),
    ],
)
def test_a_value_past_the_csv_field_limit_in_a_header_or_side_file_is_one_line(
    tmp_path, capsys, monkeypatch, files, argv, message
):
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_a_names_file_whose_first_line_is_overlong_is_read_as_names(tmp_path, capsys):
    (tmp_path / "n.txt").write_text(LONG + "\nKabul\n")
    assert main(["geocode", "-i", str(tmp_path / "n.txt")]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("Kabul,Kabul,capital,AF-KAB")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs a device that never ends (/dev/zero)")
def test_a_device_as_input_is_refused_not_read_forever(capsys):
    assert main(["summary", "/dev/zero"]) == 1
    assert capsys.readouterr().err == (
        "geomap: error: /dev/zero: is a device, pipe or socket, not a reports file; give a file\n"
    )
    assert main(["extract", "/dev/zero", "--published", "2021-08-16"]) == 1
    assert "/dev/zero: more than 20,000,000 bytes; split the article" in capsys.readouterr().err


def test_an_article_on_standard_input_is_read_up_to_the_limit(monkeypatch, capsys):
    import io
    import sys

    import geomap.extract.batch

    monkeypatch.setattr(geomap.extract.batch, "MAX_ARTICLE_BYTES", 100)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Kabul fell. " * 50)))
    assert main(["extract", "-", "--published", "2021-08-16"]) == 1
    assert "<stdin>: more than 100 bytes; split the article" in capsys.readouterr().err


def test_a_bad_scheme_file_is_named_in_its_error(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text('{"statuses": [{"key": "a", "color": "#fff"}, {"key": "unknown", "color": "#dddddd"}]}')
    with pytest.raises(InputError) as err:
        load_scheme(path)
    assert str(err.value) == f"{path}: status scheme 'mine': status 'a' colour '#fff' must be #rrggbb"


def test_extract_on_a_folder_without_articles_says_so(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["extract", str(tmp_path / "empty"), "--published", "2021-08-16"]) == 1
    assert capsys.readouterr().err.endswith("no article could be read; no .txt or .md file was found there\n")


@pytest.mark.parametrize(
    ("title", "why"),
    [
        ("x" * 100_000, "title: 100,000 characters, more than 300"),
        ("alarm\x07\x1b[2J", "the control character '\\x07'"),
    ],
)
def test_an_overlong_or_control_laden_title_is_refused(reports, tmp_path, capsys, title, why):
    assert main(["image", str(reports), "-o", str(tmp_path / "m.png"), "--title", title]) == 1
    err = capsys.readouterr().err
    assert why in err and err.count("\n") == 1


def test_yaml_aliases_in_an_actor_mapping_are_refused(tmp_path):
    pytest.importorskip("yaml")
    from geomap.importers.actors import load_actor_mapping

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text('a: &a ["x", "x", "x"]\nb: &b [*a, *a, *a]\nsides: {taliban: *b}\n')
    with pytest.raises(InputError, match=r"YAML anchors and aliases \(&name, \*name\) are not read; write each list"):
        load_actor_mapping(bomb)


def test_an_overlong_status_key_is_refused_in_a_short_line():
    from geomap.scheme import make_scheme

    with pytest.raises(InputError) as err:
        make_scheme([{"key": "a" * 1_000_000, "color": "#ffffff"}, {"key": "unknown", "color": "#dddddd"}])
    assert len(str(err.value)) < 200 and "a status key of 1,000,000 characters" in str(err.value)


def test_an_empty_names_table_and_a_folder_of_events_are_named_as_such(tmp_path, capsys):
    (tmp_path / "names.csv").write_text("")
    assert main(["geocode", "-i", str(tmp_path / "names.csv")]) == 1
    assert "the names file is empty; give one name a line, or a table with a place column" in capsys.readouterr().err
    assert main(["import", "acled", str(tmp_path), "-o", str(tmp_path / "out.csv")]) == 1
    assert "is a folder; give the event export file itself" in capsys.readouterr().err


def test_an_article_on_standard_input_without_a_source_is_named_so(monkeypatch, capsys):
    import io
    import sys

    for extra, warned in (([], True), (["--source", "https://example.org/a"], False)):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"The Taliban captured Ghazni on Friday.\n")))
        assert main(["extract", "-", "--published", "2021-08-14", *extra]) == 0
        captured = capsys.readouterr()
        assert ("text from stdin has no source; give --source URL" in captured.err) is warned
        assert captured.out.splitlines()[1].startswith(f"2021-08-13,Ghazni,taliban,{'' if warned else extra[1]},")
