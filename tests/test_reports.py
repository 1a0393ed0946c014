from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from geomap.errors import InputError
from geomap.reports import ReportsError, read_reports
from geomap.scheme import make_scheme


def write(tmp_path, text: str, name: str = "reports.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_csv_with_optional_columns(tmp_path):
    path = write(
        tmp_path,
        "date,place,status,source,note,lat,lon\n"
        "2021-08-12,Ghazni,Taliban control,https://example.org/a,capital taken,,\n"
        "2021-08-13,Somewhere,contested,,,33.5,68.4\n",
    )
    reports = read_reports(path)
    assert reports["row"].tolist() == [2, 3]
    assert reports["status"].tolist() == ["taliban", "contested"]
    assert reports["date"].dt.strftime("%Y-%m-%d").tolist() == ["2021-08-12", "2021-08-13"]
    assert np.isnan(reports.loc[0, "lat"]) and reports.loc[1, "lat"] == pytest.approx(33.5)
    assert reports.loc[0, "note"] == "capital taken"


def test_reads_json_records(tmp_path):
    records = [{"date": "2021-08-15", "place": "Kabul", "status": "taliban", "source": "s"}]
    path = write(tmp_path, json.dumps(records), "reports.json")
    reports = read_reports(path)
    assert reports.loc[0, "place"] == "Kabul" and reports.loc[0, "row"] == 1


def test_every_bad_row_is_reported_at_once(tmp_path):
    path = write(
        tmp_path,
        "date,place,status\n"
        "2021-08-12,Ghazni,taliban\n"
        "12/08/2021,Herat,taliban\n"
        "2021-02-30,Kabul,government\n"
        "2021-08-12,,taliban\n"
        "2021-08-12,Kunduz,winning\n"
        "August 12,Kunduz,taliban\n",
    )
    with pytest.raises(ReportsError) as info:
        read_reports(path)
    problems = info.value.problems
    assert len(problems) == 5
    assert problems[0] == (
        f"{path}, row 3, column 'date': '12/08/2021': ambiguous date (day and month order unknown); "
        "write it as YYYY-MM-DD"
    )
    assert "row 4, column 'date': '2021-02-30': no such day" in problems[1]
    assert "row 5, column 'place': '': empty place" in problems[2]
    assert "row 6, column 'status': 'winning': unknown status; use one of taliban, contested, government" in problems[3]
    assert "row 7, column 'date': 'August 12': not a date" in problems[4]
    assert str(info.value).startswith(f"{path}: 5 problem(s)")


def test_coordinates_are_checked(tmp_path):
    path = write(
        tmp_path,
        "date,place,status,lat,lon\n"
        "2021-08-12,A,taliban,69.2,34.5\n"
        "2021-08-12,B,taliban,51.5,-0.1\n"
        "2021-08-12,C,taliban,north,69\n"
        "2021-08-12,D,taliban,34.5,\n",
    )
    with pytest.raises(ReportsError) as info:
        read_reports(path)
    text = "\n".join(info.value.problems)
    assert "row 2, column 'lat': '69.2': lat and lon look swapped" in text
    assert "row 3, column 'lat': '51.5': outside the mapped area" in text
    assert "row 4, column 'lat': 'north': not a number" in text
    assert "row 5, column 'lon': '': lat is given but lon is empty" in text


def test_missing_columns(tmp_path):
    path = write(tmp_path, "when,place,status\n2021-08-12,Ghazni,taliban\n")
    with pytest.raises(InputError, match=r"missing column\(s\) date; the columns are: when, place, status"):
        read_reports(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("date,place,status\n2021-08-12,Hérat,taliban\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin\.csv: line 2 is not UTF-8.*save the file as UTF-8"):
        read_reports(path)


def test_other_scheme_and_dataframe_input():
    scheme = make_scheme(
        [{"key": "red", "label": "Red side", "color": "#ff0000"}, {"key": "unknown", "color": "#cccccc"}]
    )
    frame = pd.DataFrame({"date": ["2020-01-01"], "place": ["X"], "status": ["Red side"]})
    assert read_reports(frame, scheme=scheme)["status"].tolist() == ["red"]
    with pytest.raises(ReportsError, match="use one of red, unknown"):
        read_reports(frame.assign(status="taliban"), scheme=scheme)


def test_datetime_column_and_bom(tmp_path):
    frame = pd.DataFrame({"date": pd.to_datetime(["2021-08-12 14:00"]), "place": ["Ghazni"], "status": ["taliban"]})
    assert read_reports(frame)["date"].iloc[0] == pd.Timestamp("2021-08-12")
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffdate,place,status\n2021-08-12,Ghazni,taliban\n".encode())
    assert read_reports(path)["place"].tolist() == ["Ghazni"]


def test_scheme_spelling_collisions_and_bad_aliases(tmp_path):
    from geomap.scheme import load_scheme

    with pytest.raises(InputError, match="'Government' names both 'government' and 'taliban'"):
        make_scheme(
            [
                {"key": "government", "color": "#00ff00"},
                {"key": "taliban", "label": "Government", "color": "#ff0000"},
                {"key": "unknown", "color": "#dddddd"},
            ]
        )
    with pytest.raises(InputError, match="'aliases' \"abc\" must be a list of strings"):
        make_scheme([{"key": "a", "color": "#000000", "aliases": "abc"}, {"key": "unknown", "color": "#dddddd"}])
    with pytest.raises(InputError, match="status 1: 'a': each status is an object"):
        make_scheme(["a"])
    with pytest.raises(InputError, match="cannot read the status scheme"):
        load_scheme(tmp_path)


def test_blank_lines_keep_row_numbers_and_ragged_rows_are_named(tmp_path):
    path = write(tmp_path, "date,place,status\n2021-08-06,Kabul,taliban\n\n2021-08-07,Kabul,bogus\n")
    with pytest.raises(ReportsError, match=r"row 4, column 'status': 'bogus'"):
        read_reports(path)
    path = write(tmp_path, "date,place,status\n2021-08-06,Kabul,taliban,extra\n2021-08-06,Kabul\n")
    with pytest.raises(ReportsError) as info:
        read_reports(path)
    assert [p.split(": ", 1)[0] for p in info.value.problems] == [f"{path}, row 2", f"{path}, row 3"]
    assert "4 fields where the header has 3" in info.value.problems[0]


def test_header_only_semicolons_duplicates_and_non_text(tmp_path):
    with pytest.raises(InputError, match="there are no reports"):
        read_reports(write(tmp_path, "date,place,status\n"))
    with pytest.raises(InputError, match="looks semicolon-separated"):
        read_reports(write(tmp_path, "date;place;status\n2021-08-06;Kabul;taliban\n"))
    with pytest.raises(InputError, match="column\\(s\\) 'date' appear more than once"):
        read_reports(write(tmp_path, "date,Date,place,status\n2021-08-06,2021-08-06,Kabul,taliban\n"))
    records = [{"date": "2021-08-06", "place": ["Kabul"], "status": "taliban"}]
    with pytest.raises(ReportsError, match=r"row 1, column 'place': \['Kabul'\]: not a place name"):
        read_reports(records)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2021-8-6", "two-digit month and day"),
        ("2021/08/12", "two-digit month and day"),
        ("13/08/2021", "day/month date"),
        ("08/12/2021", "ambiguous date"),
    ],
)
def test_date_messages(value, why):
    with pytest.raises(ReportsError, match=why):
        read_reports(pd.DataFrame({"date": [value], "place": ["Kabul"], "status": ["taliban"]}))


def test_scheme_colour_with_trailing_newline_is_refused():
    with pytest.raises(InputError, match="must be #rrggbb"):
        make_scheme([{"key": "a", "color": "#aabbcc\n"}, {"key": "unknown", "color": "#dddddd"}])
