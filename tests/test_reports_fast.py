"""Large CSV files take Arrow's parser; the result is the careful reader's, row numbers included."""

from __future__ import annotations

import pandas as pd
import pytest

import geomap._fastcsv
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
        ("date,place,status\n2021-08-01,Kabul,taliban\n\n\n2021-08-02,Herat,taliban\n", [2, 5]),
        ('date,place,status,note\n2021-08-01,Kabul,taliban,"two\nlines"\n2021-08-02,Herat,taliban,\n', [3, 4]),
    ],
)
def test_files_whose_rows_are_not_lines_are_read_carefully(always_fast, tmp_path, text, rows):
    path = tmp_path / "reports.csv"
    path.write_text(text, encoding="utf-8")
    assert geomap._fastcsv.read_plain_csv(path, delimiter=",") is None
    assert read_reports(path)["row"].tolist() == rows


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
