from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geomap import __version__
from geomap.cli import main

REPORTS = (
    "date,place,status,source\n"
    "2021-08-06,Zaranj,taliban,https://example.org/1\n"
    "2021-08-12,Ghazni,taliban,https://example.org/2\n"
    "2021-08-12,Kabul,government,https://example.org/3\n"
    "2021-08-12,Doha,government,https://example.org/4\n"
)


@pytest.fixture
def reports(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(REPORTS, encoding="utf-8")
    return path


def test_version_and_help():
    out = subprocess.run([sys.executable, "-m", "geomap", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"geomap {__version__}"
    out = subprocess.run([sys.executable, "-m", "geomap", "--help"], capture_output=True, text=True, check=True)
    assert "provinces" in out.stdout and "export" in out.stdout


def test_provinces_lists_34(capsys):
    assert main(["provinces", "--csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "iso,name,capital"
    assert len(lines) == 35
    assert "AF-PAN,Panjshir,Bazarak" in lines and "AF-DAY,Daykundi,Nili" in lines


def test_export_geojson_with_unresolved_list(reports, tmp_path, capsys):
    out = tmp_path / "out.geojson"
    unresolved = tmp_path / "unresolved.csv"
    assert main(["export", str(reports), "-o", str(out), "--unresolved", str(unresolved)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(out)
    assert "1 report(s) not mapped: 'Doha' (row 5)" in captured.err
    features = json.loads(out.read_text())["features"]
    assert len(features) == 34 * 2
    status = {(f["properties"]["province_iso"], f["properties"]["date"]): f["properties"]["status"] for f in features}
    assert status[("AF-NIM", "2021-08-06")] == "taliban"
    assert status[("AF-GHA", "2021-08-06")] == "unknown"
    assert status[("AF-GHA", "2021-08-12")] == "taliban"
    assert status[("AF-KAB", "2021-08-12")] == "government"
    assert unresolved.read_text().splitlines()[1].startswith("5,2021-08-12,Doha,government,")


@pytest.mark.parametrize("command", ["map", "export", "summary"])
def test_a_run_that_places_no_report_fails_and_lists_them(command, tmp_path, capsys):
    path = tmp_path / "none.csv"
    path.write_text("date,place,status\n2021-08-06,Xyzzy,taliban\n2021-08-07,Doha,taliban\n", encoding="utf-8")
    unresolved = tmp_path / "unresolved.csv"
    out = tmp_path / ("out.html" if command == "map" else "out.geojson")
    args = [command, str(path), "--unresolved", str(unresolved)] + ([] if command == "summary" else ["-o", str(out)])
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"geomap: error: {path}: none of the 2 report(s) could be placed on the provinces: ")
    assert "'Doha' (row 3: outside Afghanistan (Doha))" in err and "\n" not in err
    assert not out.exists()
    assert [line.split(",")[2] for line in unresolved.read_text().splitlines()[1:]] == ["Xyzzy", "Doha"]


def test_conflicts_are_listed_on_stderr(tmp_path, capsys):
    path = tmp_path / "conflict.csv"
    path.write_text("date,place,status\n2021-08-12,Herat,taliban\n2021-08-12,Herat,government\n", encoding="utf-8")
    assert main(["export", str(path), "-o", str(tmp_path / "o.csv")]) == 0
    err = capsys.readouterr().err
    assert "conflicting reports, shown as contested: Herat 2021-08-12 (taliban vs government)" in err


def test_strict_fails_and_writes_nothing(reports, tmp_path, capsys):
    out = tmp_path / "out.geojson"
    assert main(["export", str(reports), "-o", str(out), "--strict"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("geomap: error: ") and "'Doha'" in err
    assert not out.exists()


def test_bad_input_one_line_error_no_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,place,status\n2021-08-32,Ghazni,taliban\n", encoding="utf-8")
    out = tmp_path / "out.geojson"
    result = subprocess.run(
        [sys.executable, "-m", "geomap", "export", str(bad), "-o", str(out)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{bad}, row 2, column 'date': '2021-08-32': no such day" in result.stderr
    assert not out.exists()


def test_output_equal_to_input_refused(reports, capsys):
    before = reports.read_bytes()
    assert main(["export", str(reports), "-o", str(reports), "--format", "csv"]) == 1
    assert "refusing to overwrite the input file" in capsys.readouterr().err
    assert reports.read_bytes() == before


def test_export_as_of_and_intervals(reports, tmp_path):
    out = tmp_path / "asof.csv"
    assert main(["export", str(reports), "-o", str(out), "--as-of", "2021-08-10"]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 35
    assert any(line.startswith("AF-NIM,Nimroz,2021-08-10,taliban") for line in lines)
    out = tmp_path / "intervals.geojson"
    assert main(["export", str(reports), "-o", str(out), "--intervals"]) == 0
    props = [f["properties"] for f in json.loads(out.read_text())["features"]]
    gha = [(p["status"], p["valid_from"], p["valid_to"]) for p in props if p["province_iso"] == "AF-GHA"]
    assert gha == [("unknown", "2021-08-06", "2021-08-12"), ("taliban", "2021-08-12", "2021-08-13")]


def test_boundaries_options(tmp_path, squares, capsys):
    path = tmp_path / "squares.gpkg"
    squares.to_file(path)
    reports = tmp_path / "r.csv"
    reports.write_text("date,place,status,lat,lon\n2021-08-01,p,taliban,33.5,66.5\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["export", str(reports), "-o", str(out), "--boundaries", str(path)]) == 1
    assert "--boundaries needs --id-field and --name-field" in capsys.readouterr().err
    args = [
        "export",
        str(reports),
        "-o",
        str(out),
        "--boundaries",
        str(path),
        "--id-field",
        "code",
        "--name-field",
        "label",
    ]
    assert main(args) == 0
    assert "B,Beta,2021-08-01,taliban" in out.read_text()


def test_scheme_file(tmp_path, capsys):
    scheme = tmp_path / "scheme.json"
    scheme.write_text(json.dumps({"name": "Test", "statuses": [
        {"key": "north", "label": "Northern side", "color": "#0000ff"},
        {"key": "unknown", "label": "No report", "color": "#cccccc"}]}))  # fmt: skip
    reports = tmp_path / "r.csv"
    reports.write_text("date,place,status\n2021-08-01,Kabul,Northern side\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["export", str(reports), "-o", str(out), "--scheme", str(scheme)]) == 0
    assert "AF-KAB,Kabul,2021-08-01,north,Northern side" in out.read_text()
    scheme.write_text("{not json")
    assert main(["export", str(reports), "-o", str(out), "--scheme", str(scheme)]) == 1
    assert "scheme.json: line 1: not valid JSON" in capsys.readouterr().err


def test_summary_shows_a_schemes_control_characters_as_escapes(tmp_path, capsys):
    scheme = tmp_path / "scheme.json"
    scheme.write_text(json.dumps({"name": "Test", "statuses": [
        {"key": "north", "label": "North\x1b[2J\u202e", "color": "#0000ff"},
        {"key": "unknown", "label": "No report", "color": "#cccccc"}]}))  # fmt: skip
    reports = tmp_path / "r.csv"
    reports.write_text("date,place,status\n2021-08-01,Kabul,north\n", encoding="utf-8")
    assert main(["summary", str(reports), "--scheme", str(scheme)]) == 0
    out = capsys.readouterr().out
    assert "North\\x1b[2J\\u202e" in out.splitlines()[0]
    assert "\x1b" not in out and "\u202e" not in out


def test_failed_export_writes_no_unresolved_list(reports, tmp_path, capsys):
    unresolved = tmp_path / "unresolved.csv"
    args = ["export", str(reports), "-o", str(tmp_path / "o.geojson"), "--unresolved", str(unresolved)]
    assert main([*args, "--as-of", "garbage"]) == 1
    assert "--as-of 'garbage' is not a date" in capsys.readouterr().err
    assert not unresolved.exists()


def test_shapefile_parts_of_an_input_are_protected(tmp_path, squares, capsys):
    shp = tmp_path / "areas.shp"
    squares.to_file(shp)
    dbf = shp.with_suffix(".dbf")
    before = dbf.read_bytes()
    reports = tmp_path / "r.csv"
    reports.write_text("date,place,status,lat,lon\n2021-08-01,p,taliban,33.5,66.5\n", encoding="utf-8")
    args = ["export", str(reports), "-o", str(dbf), "--format", "csv", "--boundaries", str(shp)]
    assert main([*args, "--id-field", "code", "--name-field", "label"]) == 1
    assert "refusing to overwrite the input file" in capsys.readouterr().err
    assert dbf.read_bytes() == before


def test_output_that_is_a_folder(reports, tmp_path, capsys):
    folder = tmp_path / "out.geojson"
    folder.mkdir()
    assert main(["export", str(reports), "-o", str(folder)]) == 1
    assert f"{folder}: is a folder; give a file name" in capsys.readouterr().err


def test_reports_the_capital_rule_leaves_out_are_counted_on_stderr(tmp_path, capsys):
    reports = tmp_path / "reports.csv"
    reports.write_text(
        "date,place,status\n"
        "2021-08-07,Spin Boldak,taliban\n"
        "2021-08-08,Nawur,taliban\n"
        "2021-08-08,Spin Boldak,government\n"
        "2021-08-08,Herat,government\n",
        encoding="utf-8",
    )
    assert main(["summary", str(reports)]) == 0
    err = capsys.readouterr().err
    assert (
        "geomap: 3 report(s) about districts, towns or villages ('Spin Boldak', 'Nawur') do not set a "
        "province's status under --aggregate capital" in err
    )
    assert "UncountedReportsWarning" not in err and err.count("do not set a province's status") == 1
    for other in (["--aggregate", "latest"], ["--level", "district"]):
        assert main(["summary", str(reports), *other]) == 0
        assert "do not set a province's status" not in capsys.readouterr().err


def test_options_that_another_option_switches_on_are_named_when_alone(tmp_path, capsys):
    reports = tmp_path / "reports.csv"
    reports.write_text("date,place,status\n2021-08-12,Herat,taliban\n", encoding="utf-8")
    argv = ["summary", str(reports), "--user-agent", "me", "--cache", str(tmp_path / "c.sqlite")]
    assert main([*argv, "--scheduler", "tcp://127.0.0.1:1"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[:3] == [
        "geomap: warning: --user-agent is used only with --online; it has no effect here",
        "geomap: warning: --cache is used only with --online; it has no effect here",
        "geomap: warning: --scheduler is used only with --engine dask; it has no effect here",
    ]
    assert not (tmp_path / "c.sqlite").exists()
    assert main(["summary", str(reports), "--encoding", "cp1252"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == (
        "geomap: warning: --encoding is used only with --boundaries (the reports are read as UTF-8); "
        "it has no effect here"
    )


def test_a_date_option_outside_the_reporting_dates_says_what_is_shown(tmp_path, capsys):
    reports = tmp_path / "reports.csv"
    reports.write_text("date,place,status\n2021-08-07,Herat,taliban\n2021-08-08,Kabul,government\n", encoding="utf-8")
    page = str(tmp_path / "m.html")
    assert main(["map", str(reports), "--start-date", "2021-06-01", "-o", page]) == 0
    assert (
        "geomap: warning: --start-date 2021-06-01 is before the first reporting date (2021-08-07), "
        "so the map opens on 2021-08-07" in capsys.readouterr().err
    )
    assert main(["map", str(reports), "--start-date", "2022-06-01", "-o", page]) == 0
    assert "is after the last reporting date (2021-08-08), so the map opens on 2021-08-08" in capsys.readouterr().err
    out = str(tmp_path / "x.geojson")
    assert main(["export", str(reports), "--as-of", "2021-09-30", "-o", out]) == 0
    assert (
        "geomap: warning: --as-of 2021-09-30 is after every report (the last is 2021-08-08), so the statuses are "
        "those of 2021-08-08" in capsys.readouterr().err
    )
    # reporting dates given: the statuses are still those of the last report, not of the last reporting date
    assert main(["export", str(reports), "--dates", "2021-08-07", "--as-of", "2021-09-30", "-o", out]) == 0
    assert "after every report (the last is 2021-08-08)" in capsys.readouterr().err
    assert main(["map", str(reports), "--start-date", "2021-08-08", "-o", page]) == 0
    assert "warning" not in capsys.readouterr().err


def test_reports_after_the_last_of_dates_are_named(tmp_path, capsys):
    reports = tmp_path / "reports.csv"
    reports.write_text(
        "date,place,status\n2021-08-05,Herat,taliban\n2021-08-07,Ghazni,taliban\n2021-08-09,Mazar-i-Sharif,taliban\n"
    )
    assert main(["export", str(reports), "--dates", "2021-08-05,2021-08-07", "-o", str(tmp_path / "out.csv")]) == 0
    err = capsys.readouterr().err
    assert "1 report(s) are dated after the last of --dates (2021-08-07; the latest report is of 2021-08-09)" in err
    assert main(["export", str(reports), "--dates", "2021-08-05,2021-08-09", "-o", str(tmp_path / "all.csv")]) == 0
    assert "dated after the last of --dates" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "option", "value"),
    [("image", "--date", "14/08/2021"), ("map", "--start-date", "2021-13-01")],
)
def test_a_date_option_that_is_no_date_is_refused_before_the_reports_are_read(command, option, value, tmp_path, capsys):
    out = tmp_path / ("x.png" if command == "image" else "x.html")
    # the reports file does not exist: the option is checked first, and named
    assert main([command, str(tmp_path / "missing.csv"), "-o", str(out), option, value]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"geomap: error: {option} '{value}'") and "missing.csv" not in err and not out.exists()


def test_geocode_strict_says_where_the_unresolved_names_are_listed(tmp_path, capsys):
    names = tmp_path / "names.txt"
    names.write_text("Kabul\nXyzzyq\n", encoding="utf-8")
    out = tmp_path / "places.csv"
    assert main(["geocode", "--input", str(names), "-o", str(out), "--strict"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"geomap: error: 1 of 2 names unresolved: 'Xyzzyq'; {out} lists them with their reasons"
    assert out.read_text(encoding="utf-8").count("\n") == 3  # header and both names
