"""Large CSV files take Arrow's parser; the result is the careful reader's, row numbers included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geomap._fastcsv
import geomap.errors
from geomap.reports import ReportsError, read_reports

GOOD = (
    "\ufeffdate, place ,status,source,lat,lon\n"
    "2021-08-01,Kabul,taliban,https://example.org/1,34.5,69.1\n"
    '2021-08-02,"Herat, city",government,,,\n'
    "2021-08-03,Ghazni,contested,x,33.55,68.42"
)


@pytest.fixture
def always_fast(monkeypatch):
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)


def careful(path, monkeypatch):
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 1 << 62)
    return read_reports(path)


def test_fast_path_matches_the_careful_reader(always_fast, tmp_path, monkeypatch):
    path = tmp_path / "reports.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert geomap._fastcsv.read_plain_csv(path, delimiter=",") is not None
    fast = read_reports(path)
    assert fast["row"].tolist() == [2, 3, 4]
    assert fast["place"].tolist() == ["Kabul", "Herat, city", "Ghazni"]
    pd.testing.assert_frame_equal(fast, careful(path, monkeypatch), check_dtype=False)


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ('date,place,status,note\n2021-08-01,Kabul,taliban,"two\nlines"\n2021-08-02,Herat,taliban,\n', [2, 4]),
        ('date,place,status,note\n2021-08-01,Kabul,taliban,"two\rlines"\n2021-08-02,Herat,taliban,\n', [2, 4]),
    ],
)
def test_files_whose_rows_are_not_lines_are_read_carefully(always_fast, tmp_path, text, rows):
    path = tmp_path / "reports.csv"
    path.write_text(text, encoding="utf-8", newline="")
    assert geomap._fastcsv.read_plain_csv(path, delimiter=",") is None
    assert read_reports(path)["row"].tolist() == rows


def test_blank_lines_are_skipped_by_the_fast_reader_and_keep_their_rows(always_fast, tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text("date,place,status\n2021-08-01,Kabul,taliban\n\n\n2021-08-02,Herat,taliban\n", encoding="utf-8")
    frame, rows = geomap._fastcsv.read_plain_csv(path, delimiter=",")
    assert frame["place"].tolist() == ["Kabul", "Herat"] and rows.tolist() == [2, 5]
    assert read_reports(path)["row"].tolist() == [2, 5]


def test_a_ragged_row_far_down_is_named_with_its_row(always_fast, tmp_path):
    lines = ["date,place,status"] + ["2021-08-01,Kabul,taliban"] * 5000
    lines[4000] = "2021-08-01,Kabul,taliban,extra"
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReportsError, match=r"row 4001.*4 fields where the header has 3"):
        read_reports(path)


def test_a_bad_date_far_down_is_named_with_its_row(always_fast, tmp_path):
    lines = ["date,place,status"] + ["2021-08-01,Kabul,taliban"] * 5000
    lines[3000] = "2021-02-30,Kabul,taliban"
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReportsError, match=r"row 3001, column 'date'.*no such day"):
        read_reports(path)


def test_formula_guards_are_removed_as_by_the_careful_reader(always_fast, tmp_path, monkeypatch):
    path = tmp_path / "reports.csv"
    path.write_text("date,place,status,note\n2021-08-01,Kabul,taliban,'=1+1\n2021-08-02,Herat,taliban,'fine\n")
    fast = read_reports(path)
    assert fast["note"].tolist() == ["=1+1", "'fine"]
    pd.testing.assert_frame_equal(fast, careful(path, monkeypatch), check_dtype=False)


def test_ragged_rows_are_named_without_the_careful_reader(always_fast, tmp_path, monkeypatch):
    lines = ["date,place,status,lat,lon"] + ["2021-08-01,Kabul,taliban,34.5,69.1"] * 6000
    lines[5990] = "2021-08-01,Kabul,taliban,34.5,69.1,extra"
    lines[3] = "2021-08-01,Kabul,taliban"
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReportsError) as fast:
        read_reports(path)
    with pytest.raises(ReportsError) as slow:
        careful(path, monkeypatch)
    assert str(fast.value) == str(slow.value)
    assert fast.value.problems[0].startswith(f"{path}, row 4:") and "3 fields where the header has 5" in str(fast.value)
    assert "row 5991" in fast.value.problems[1]


@pytest.mark.parametrize(
    "bad",
    [
        '2021-08-01,"Kabul, city",taliban,34.5,69.1,extra',  # quoted: the careful reader decides
    ],
)
def test_ragged_rows_with_other_faults_go_to_the_careful_reader(always_fast, tmp_path, bad, monkeypatch):
    lines = ["date,place,status,lat,lon"] + ["2021-08-01,Kabul,taliban,34.5,69.1"] * 3000
    lines[2000] = bad
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert geomap._fastcsv.read_plain_csv(path, delimiter=",") is None
    with pytest.raises(ReportsError, match="row 2001"):
        read_reports(path)


def test_a_nul_byte_goes_to_the_careful_reader(always_fast, tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text("date,place,status\n2021-08-01,Kab\x00ul,taliban\n", encoding="utf-8")
    assert geomap._fastcsv.read_plain_csv(path, delimiter=",") is None


def test_export_names_a_late_malformed_row_and_writes_nothing(always_fast, tmp_path, capsys):
    from geomap.cli import main

    lines = ["date,place,status,lat,lon"] + ["2021-08-01,Kabul,taliban,34.5,69.1"] * 5000
    lines[-1] = "2021-08-01,Kabul,taliban,34.5,69.1,extra"  # line 5,001: the last
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    assert main(["export", str(path), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "row 5001" in err and "6 fields where the header has 5" in err
    assert "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


TYPED = (
    "Date,Place,STATUS,source,note,lat,lon,level,place_precision,date_precision,extra\r\n"
    "2021-08-01,Kabul,Taliban,https://example.org/1,'=1+1,34.5,69.1,Province,1,2,x\r\n"
    '2021-08-02," Herat, city ",government,,"a ""quoted"" note",,,,,,\r\n'
    "2021-08-03,Ghazni, contested ,\tx ,\u00a0spaced\u00a0,+33.55,6.842e1,capital,3,,\r\n"
    "2021-08-03,Mazar-i-Sharif,Taliban control,y,,36.7,67.1,district,2,1,\r\n"
)


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_typed_reader_gives_the_text_readers_table(always_fast, tmp_path, monkeypatch, suffix):
    from geomap.reports import _read_plain_reports
    from geomap.scheme import AFGHANISTAN_2021

    text = TYPED
    if suffix == ".tsv":  # the same cells, tab-separated (a tab inside a value is then a separator)
        text = TYPED.replace("\tx ", " x ").replace(",", "\t").replace('" Herat\t city "', '" Herat, city "')
    path = tmp_path / f"reports{suffix}"
    path.write_text(text, encoding="utf-8")
    typed = _read_plain_reports(path, scheme=AFGHANISTAN_2021, bounds=(60.4, 29.3, 75.0, 38.6))
    assert typed is not None  # the typed path took it
    assert typed["status"].tolist() == ["taliban", "government", "contested", "taliban"]
    assert typed["note"].tolist()[:2] == ["=1+1", 'a "quoted" note']
    pd.testing.assert_frame_equal(typed, careful(path, monkeypatch))  # values and dtypes


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("2021-02-30,Kabul,taliban,34.5,69.1", "row 3, column 'date'"),
        ("2021-08-01,Kabul,talibn,34.5,69.1", "row 3, column 'status'"),
        ("2021-08-01,,taliban,,", "row 3, column 'place'.*empty place and no coordinates"),
        ("2021-08-01,Kabul,taliban,nan,69.1", "row 3, column 'lat'"),
        ("2021-08-01,Kabul,taliban,69.1,34.5", "row 3, column 'lat'"),
        ("2021-08-01,Kabul,taliban,34.5,", "row 3, column 'lon'"),
        ("2021-08-01,Kabul,taliban,34,5,69.1", "row 3: "),
    ],
)
def test_typed_reader_leaves_bad_rows_to_the_text_reader(always_fast, tmp_path, monkeypatch, cell, problem):
    from geomap.reports import _read_plain_reports
    from geomap.scheme import AFGHANISTAN_2021

    path = tmp_path / "reports.csv"
    lines = [
        "date,place,status,lat,lon",
        "2021-08-01,Kabul,taliban,34.5,69.1",
        cell,
        "2021-08-02,Herat,taliban,34.3,62.2",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _read_plain_reports(path, scheme=AFGHANISTAN_2021, bounds=(60.4, 29.3, 75.0, 38.6)) is None
    with pytest.raises(ReportsError, match=problem) as fast:
        read_reports(path)
    with pytest.raises(ReportsError) as slow:
        careful(path, monkeypatch)
    assert str(fast.value) == str(slow.value)


def test_typed_reader_leaves_values_spanning_lines_to_the_text_reader(always_fast, tmp_path):
    from geomap.reports import _read_plain_reports
    from geomap.scheme import AFGHANISTAN_2021

    path = tmp_path / "reports.csv"
    path.write_text('date,place,status\n2021-08-01,"Kabul\ncity",taliban\n2021-08-02,Herat,taliban\n')
    assert _read_plain_reports(path, scheme=AFGHANISTAN_2021, bounds=None) is None
    assert read_reports(path)["row"].tolist() == [2, 4]  # a record is numbered by the line it begins on


@pytest.mark.parametrize("extra", ['"two\nlines"', '"carriage\rreturn"', "nul\x00byte", "fine\ttab"])
def test_typed_reader_checks_the_columns_it_leaves_out(always_fast, tmp_path, extra):
    from geomap._fastcsv import read_typed_csv

    path = tmp_path / "reports.csv"
    path.write_text(f"date,place,status,extra\n2021-08-01,Kabul,taliban,{extra}\n2021-08-02,Herat,taliban,x\n")
    columns = read_typed_csv(path, delimiter=",", numbers=(), coded=("date", "status"), kept=("date", "place"))
    if extra == "fine\ttab":  # a control byte, but nothing the careful reader reads differently
        assert columns is not None and sorted(columns) == ["date", "place"]
        assert columns["place"].to_pylist() == ["Kabul", "Herat"]
    else:
        assert columns is None  # the text readers decide and name the row


@pytest.mark.parametrize(
    ("lat", "lon", "bounds", "inside"),
    [
        ([34.5, 31.0], [69.1, 65.7], (60.4, 29.3, 75.0, 38.6), True),
        ([34.5, 31.0], [69.1, 65.7], None, True),
        ([34.5, np.nan], [69.1, 65.7], None, False),  # a blank: the whole check decides
        ([34.5, 39.0], [69.1, 65.7], (60.4, 29.3, 75.0, 38.6), False),
        ([34.5, 31.0], [69.1, 75.5], (60.4, 29.3, 75.0, 38.6), False),
        ([-17.0, -18.0], [179.5, -179.5], (177.0, -21.0, -178.0, -12.0), False),  # a box across 180 degrees
        ([], [], (60.4, 29.3, 75.0, 38.6), True),
    ],
)
def test_coordinates_all_inside_the_box_need_no_row_by_row_check(lat, lon, bounds, inside):
    from geomap.reports import _all_inside

    assert _all_inside(np.array(lat, dtype=float), np.array(lon, dtype=float), bounds) is inside


@pytest.mark.parametrize("bad", [None, "2021-08-01,Kabul,talibn,34.5,69.1", "2021-02-30,Kabul,taliban,34.5,69.1"])
def test_typed_reader_on_two_threads_gives_the_same_table_and_refusals(always_fast, tmp_path, monkeypatch, bad):
    import geomap.reports
    from geomap.reports import _read_plain_reports
    from geomap.scheme import AFGHANISTAN_2021

    lines = ["date,place,status,lat,lon,level"] + [
        f"2021-08-{1 + i % 28:02d},Place {i},{('Taliban', 'government', 'contested')[i % 3]},3{i % 8}.5,6{i % 9 + 1}.1,"
        + ("district" if i % 5 else "")
        for i in range(300)
    ]
    if bad is not None:
        lines[150] = bad + ","
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = []
    for rows in (1 << 62, 0):  # one thread, then two
        monkeypatch.setattr(geomap.reports, "PARALLEL_MIN_ROWS", rows)
        read.append(_read_plain_reports(path, scheme=AFGHANISTAN_2021, bounds=(60.4, 29.3, 75.0, 38.6)))
    if bad is not None:
        assert read == [None, None]  # the text readers name the row
        return
    pd.testing.assert_frame_equal(read[0], read[1])
    assert read[1]["status"].tolist()[:3] == ["taliban", "government", "contested"]
    assert read[1]["level"].tolist()[:2] == ["", "district"]
    pd.testing.assert_frame_equal(read[1], careful(path, monkeypatch))


POINTS_ONLY = "date,status,lat,lon,source\n2021-08-01,taliban,34.5,69.1,a\n2021-08-02,government,33.55,68.0,b\n"


def test_a_file_of_points_without_a_place_column_names_each_report_by_its_point(always_fast, tmp_path, monkeypatch):
    path = tmp_path / "points.csv"
    path.write_text(POINTS_ONLY, encoding="utf-8")
    fast = read_reports(path)
    assert fast["place"].tolist() == ["34.5, 69.1", "33.55, 68"]
    assert fast["lat"].tolist() == [34.5, 33.55]
    pd.testing.assert_frame_equal(fast, careful(path, monkeypatch), check_dtype=False)


@pytest.mark.parametrize("fast", [True, False])
def test_a_report_without_place_or_point_is_named_by_row(tmp_path, monkeypatch, fast):
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0 if fast else 1 << 62)
    path = tmp_path / "points.csv"
    path.write_text(POINTS_ONLY + "2021-08-03,taliban,,,c\n", encoding="utf-8")
    with pytest.raises(ReportsError, match=r"row 4, column 'lat'.*no place and no coordinates"):
        read_reports(path)


def test_without_place_column_coordinates_are_required(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text("date,status,lat\n2021-08-01,taliban,34.5\n", encoding="utf-8")
    with pytest.raises(geomap.errors.InputError, match=r"missing column\(s\) place.*or date, status, lat and lon"):
        read_reports(path)


def test_a_row_without_a_name_but_with_its_point_is_named_by_it(always_fast, tmp_path, monkeypatch):
    path = tmp_path / "mixed.csv"
    path.write_text("date,place,status,lat,lon\n2021-08-01,Herat,taliban,,\n2021-08-03,,contested,34.72,69.25\n")
    fast = read_reports(path)
    assert fast["place"].tolist() == ["Herat", "34.72, 69.25"]
    pd.testing.assert_frame_equal(fast, careful(path, monkeypatch), check_dtype=False)
