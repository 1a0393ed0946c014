"""The one date parser: strict ISO dates inside the supported range, everywhere a date is read."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geomap.cli import main
from geomap.dates import MAX_DATE, MIN_DATE, date_problem, parse_date, parse_date_column
from geomap.errors import InputError
from geomap.reports import ReportsError, read_reports


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-08-15", dt.date(2021, 8, 15)),
        (" 2021-08-15 ", dt.date(2021, 8, 15)),
        (dt.date(2021, 8, 15), dt.date(2021, 8, 15)),
        (dt.datetime(2021, 8, 15, 23, 59), dt.date(2021, 8, 15)),
        (pd.Timestamp("2021-08-15 10:00"), dt.date(2021, 8, 15)),
        ("1678-01-01", MIN_DATE),
        ("2261-12-31", MAX_DATE),
    ],
)
def test_parse_date_accepts(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0001-01-01", "'0001-01-01' is outside the supported dates (1678-01-01 to 2261-12-31)"),
        ("9999-12-31", "'9999-12-31' is outside the supported dates"),
        ("1677-12-31", "outside the supported dates"),
        ("2262-01-01", "outside the supported dates"),
        (dt.date(1, 1, 1), "'0001-01-01' is outside the supported dates"),
        (dt.date(9999, 12, 31), "'9999-12-31' is outside the supported dates"),
        ("2021-02-30", "'2021-02-30': no such day in the calendar"),
        ("2021-8-15", "'2021-8-15' is not a date; write it as YYYY-MM-DD"),
        ("15/08/2021", "is not a date"),
        ("2021-08-12T99:99", "is not a date"),
        ("", "is not a date"),
        (None, "is empty"),
        (pd.NaT, "is empty"),
    ],
)
def test_parse_date_refuses_with_reason(value, message):
    with pytest.raises(InputError) as info:
        parse_date(value, "--as-of")
    assert str(info.value).startswith("--as-of ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_report_dates_out_of_range_or_with_impossible_times_are_refused_not_wrapped():
    cells = ["0001-01-01", "9999-12-31", "2021-08-12T99:99", "2021-08-12T24:00", "2021-08-12 23:60:00", "2021-02-29"]
    frame = pd.DataFrame({"date": cells, "place": "Kabul", "status": "taliban"})
    with pytest.raises(ReportsError) as info:
        read_reports(frame)
    lines = str(info.value).splitlines()[1:]
    assert len(lines) == len(cells)
    assert "'0001-01-01': outside the supported dates (1678-01-01 to 2261-12-31); check the year" in lines[0]
    assert "'9999-12-31': outside the supported dates" in lines[1]
    assert all("no such time of day" in line for line in lines[2:5])
    assert "'2021-02-29': no such day in the calendar" in lines[5]


def test_report_dates_in_range_with_real_times_and_date_objects():
    cells = ["2021-08-12T14:30", "2021-08-12 23:59:59.5", dt.date(1678, 1, 1), pd.Timestamp("2261-12-31 12:00")]
    frame = pd.DataFrame({"date": cells, "place": "Kabul", "status": "taliban"})
    dates = read_reports(frame)["date"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2021-08-12", "2021-08-12", "1678-01-01", "2261-12-31"]


def test_report_times_with_a_utc_offset_keep_the_date_written(tmp_path):
    cells = ["2021-08-12T10:00:00Z", "2021-08-14T23:30:00+04:30", "2021-08-15 02:00+0430", "2021-08-16T01:00-05"]
    frame = pd.DataFrame({"date": cells, "place": "Kabul", "status": "taliban"})
    dates = read_reports(frame)["date"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2021-08-12", "2021-08-14", "2021-08-15", "2021-08-16"]  # not moved to UTC
    path = tmp_path / "zoned.csv"
    frame.to_csv(path, index=False)
    assert read_reports(path)["date"].dt.strftime("%Y-%m-%d").tolist() == dates
    bad = pd.DataFrame({"date": ["2021-08-14T23:30+25:00", "2021-08-14Z"], "place": "Kabul", "status": "taliban"})
    with pytest.raises(ReportsError) as info:
        read_reports(bad)
    assert len(str(info.value).splitlines()) == 3  # an offset no zone has, and a zone without a time


def test_date_column_of_datetime64_is_kept_and_normalised():
    series = pd.Series(pd.to_datetime(["2021-08-12 10:00", None]))
    days, bad = parse_date_column(series)
    assert days[0] == np.datetime64("2021-08-12", "ns")
    assert bad.tolist() == [False, True]


def test_date_problem_explains_each_kind():
    assert date_problem("15/08/2021") == "day/month date; write it as YYYY-MM-DD (2021-08-15)"
    assert date_problem("08/15/2021") == "month/day date; write it as YYYY-MM-DD (2021-08-15)"
    assert date_problem("15/08/21") == "day/month date; write it as YYYY-MM-DD"  # the century is not guessed
    assert date_problem("31/02/2021") == "day/month date; write it as YYYY-MM-DD"  # no such day to suggest
    assert date_problem("12 Aug 2021") == "a date in words; write it as YYYY-MM-DD (2021-08-12)"
    assert date_problem("August 12, 2021") == "a date in words; write it as YYYY-MM-DD (2021-08-12)"
    assert date_problem("08/07/2021").startswith("ambiguous date")
    assert date_problem("2021/08/12").startswith("write the date as YYYY-MM-DD")
    assert date_problem("  ") == "empty date; write the date as YYYY-MM-DD"
    assert date_problem("soon") == "not a date; write it as YYYY-MM-DD"


@pytest.fixture
def reports(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text("date,place,status\n2021-08-12,Ghazni,taliban\n2021-08-15,Kabul,taliban\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (["export", "{reports}", "-o", "{out}.geojson", "--dates", "2021-08-12,9999-12-31"], "'9999-12-31'"),
        (["export", "{reports}", "-o", "{out}.geojson", "--as-of", "0001-01-01"], "--as-of '0001-01-01'"),
        (["map", "{reports}", "-o", "{out}.html", "--start-date", "2262-01-01"], "'2262-01-01'"),
        (["extract", "{article}", "--published", "0001-01-01", "-o", "{out}.csv"], "'0001-01-01'"),
    ],
)
def test_every_date_option_enforces_the_range(command, shown, reports, tmp_path, capsys):
    article = tmp_path / "article.txt"
    article.write_text("The Taliban captured Ghazni on Thursday.\n", encoding="utf-8")
    out = tmp_path / "out"
    argv = [a.format(reports=reports, out=out, article=article) for a in command]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("geomap: error: ") and err.count("\n") == 1
    assert shown in err and "outside the supported dates (1678-01-01 to 2261-12-31)" in err
    assert not list(tmp_path.glob("out*"))


def test_extracted_dates_outside_the_range_are_not_used():
    from geomap.extract import extract_reports

    rows = extract_reports("The Taliban captured Ghazni on 12 August 1500.", published="2021-08-15")
    assert rows["date"].tolist() == [pd.Timestamp("2021-08-15")]  # the publication date, said so in the note
    assert "publication date used" in rows["note"].iloc[0]
