from __future__ import annotations

import datetime as dt
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
        "write it as YYYY-MM-DD, or read the file's dates day first (--day-first, day_first=True) "
        "or month first (--month-first, month_first=True)"
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
    with pytest.raises(InputError, match="is a folder; give the status scheme file itself"):
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


def test_a_quote_left_open_does_not_swallow_the_rows_after_it(tmp_path):
    path = write(
        tmp_path,
        'date,place,status,note\n2021-08-06,Zaranj,taliban,"he said ""fell"" today\n2021-08-07,Sheberghan,taliban,x\n'
        '2021-08-08,Kunduz,taliban,"y"\n2021-08-10,Kabul,taliban,w\n',
    )
    with pytest.raises(ReportsError) as info:
        read_reports(path)
    [problem] = info.value.problems
    assert problem.startswith(f"{path}, row 2, column 'note': 'he said \"fell\" today': a quote opened in this value")
    assert "takes in the next 2 line(s), 2 of them rows of their own" in problem
    assert "(the first: '2021-08-07,Sheberghan,taliban,x')" in problem


def test_excels_separator_line_says_the_delimiter(tmp_path):
    text = "sep=;\r\ndate;place;status;note\r\n2021-08-06;Zaranj;taliban;a, b, c\r\n2021-08-07;Herat;x;y\r\n"
    path = write(tmp_path, text)
    with pytest.raises(ReportsError) as info:
        read_reports(path)
    assert [p.split(": ", 1)[0] for p in info.value.problems] == [f"{path}, row 4, column 'status'"]
    path.write_text("sep=;\ndate;place;status;note\n2021-08-06;Zaranj;taliban;a, b, c\n", encoding="utf-8")
    reports = read_reports(path)
    assert reports[["row", "place", "note"]].values.tolist() == [[3, "Zaranj", "a, b, c"]]


def test_a_note_over_several_lines_is_read(tmp_path):
    path = write(
        tmp_path,
        'date,place,status,note\n2021-08-06,Zaranj,taliban,"the governor, the police chief\nand the mayor left"\n'
        "2021-08-07,Sheberghan,taliban,x\n",
    )
    reports = read_reports(path)
    assert reports["place"].tolist() == ["Zaranj", "Sheberghan"]
    assert reports["note"].iloc[0] == "the governor, the police chief\nand the mayor left"


def test_header_only_duplicates_and_non_text(tmp_path):
    with pytest.raises(InputError, match="there are no reports"):
        read_reports(write(tmp_path, "date,place,status\n"))
    with pytest.raises(InputError, match=r"column\(s\) 'date' appear more than once"):
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


# ---------------------------------------------------------------- inputs people have


def test_semicolon_and_tab_separated_csv_are_detected(tmp_path):
    semicolon = write(tmp_path, 'date;place;status;note\n2021-08-06;Kabul;taliban;"a; b"\n', "semi.csv")
    tab = write(tmp_path, "date\tplace\tstatus\n2021-08-07\tHerat\tgovernment\n", "tab.csv")
    assert read_reports(semicolon)[["place", "status", "note"]].values.tolist() == [["Kabul", "taliban", "a; b"]]
    assert read_reports(tab)[["row", "place", "status"]].values.tolist() == [[2, "Herat", "government"]]
    # a comma file whose note holds semicolons stays a comma file
    comma = write(tmp_path, "date,place,status,note\n2021-08-06,Kabul,taliban,x;y;z\n", "comma.csv")
    assert read_reports(comma)["note"].tolist() == ["x;y;z"]


def test_utf16_unicode_text_export(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("date\tplace\tstatus\n2021-08-06\tHérat\ttaliban\n".encode("utf-16"))
    assert read_reports(path)["place"].tolist() == ["Hérat"]


def _workbook(path, sheets):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def test_xlsx_first_sheet_or_named_sheet_with_spreadsheet_rows(tmp_path):
    import datetime as dt

    path = _workbook(
        tmp_path / "reports.xlsx",
        {
            "August": [
                ("date", "place", "status", "lat", "lon"),
                (dt.datetime(2021, 8, 12), "Ghazni", "Taliban control", None, None),
                (None, None, None, None, None),
                ("2021-08-13", "a hill", "contested", 33.5, 68.4),
            ],
            "Later": [("Date", "Place", "Status"), ("2021-09-06", "Bazarak", "talibn")],
        },
    )
    reports = read_reports(path)
    assert reports["row"].tolist() == [2, 4]
    assert reports["date"].dt.strftime("%Y-%m-%d").tolist() == ["2021-08-12", "2021-08-13"]
    assert reports["status"].tolist() == ["taliban", "contested"]
    assert reports["lat"].tolist()[1] == 33.5
    with pytest.raises(ReportsError) as info:
        read_reports(path, sheet="Later")
    assert info.value.problems == [
        f"{path} (sheet 'Later'), row 2, column 'status': 'talibn': unknown status; did you mean 'taliban'? "
        "use one of taliban, contested, government, unknown (or add it to a status's aliases in a --scheme file)"
    ]
    with pytest.raises(ReportsError, match="row 2"):
        read_reports(path, sheet=2)
    with pytest.raises(InputError, match=r"no sheet 'Sept'; the workbook has 'August', 'Later'"):
        read_reports(path, sheet="Sept")


def test_reports_on_a_later_sheet_are_pointed_to(tmp_path):
    path = _workbook(
        tmp_path / "reports.xlsx",
        {
            "Notes": [("this workbook holds the August reports",)],
            "Aug reports": [("date", "place", "status"), ("2021-08-06", "Zaranj", "taliban")],
        },
    )
    with pytest.raises(InputError) as info:
        read_reports(path)
    assert str(info.value) == (
        f"{path} (sheet 'Notes'): no date, place, status header on the first sheet; sheet 'Aug reports' has one: "
        "give --sheet 'Aug reports' (sheet='Aug reports')"
    )
    assert read_reports(path, sheet="Aug reports")["place"].tolist() == ["Zaranj"]
    from geomap.geocode import read_place_names

    assert read_place_names(path, sheet=2) == ["Zaranj"]
    names = _workbook(tmp_path / "names.xlsx", {"Names": [("place",), ("Herat",)], "Reports": [("date", "status")]})
    assert read_place_names(names) == ["Herat"]  # a names table on the first sheet is read as it is


def test_a_geojson_file_of_points_is_a_reports_file(tmp_path):
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [61.88, 30.96]},
         "properties": {"date": "2021-08-06", "status": "taliban"}},
        {"type": "Feature", "geometry": None, "properties": {"date": "2021-08-07", "place": "Sheberghan",
                                                              "status": "taliban"}},
    ]  # fmt: skip
    path = tmp_path / "reports.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    reports = read_reports(path)
    assert reports[["lat", "lon"]].iloc[0].tolist() == [30.96, 61.88]  # GeoJSON writes longitude first
    assert reports["place"].tolist()[1] == "Sheberghan" and np.isnan(reports["lat"].iloc[1])
    features[0]["geometry"] = {"type": "LineString", "coordinates": [[61, 30], [62, 31]]}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    with pytest.raises(ReportsError) as info:
        read_reports(path)
    assert info.value.problems == [
        f"{path}, row 1, column 'geometry': 'LineString': a report is a point; give a Point, or no geometry "
        "and a place name"
    ]


def test_a_workbook_saved_under_a_csv_name_is_named(tmp_path):
    path = _workbook(tmp_path / "book.xlsx", {"S": [("date", "place", "status")]})
    renamed = tmp_path / "book.csv"
    renamed.write_bytes(path.read_bytes())
    with pytest.raises(InputError, match=r"book\.csv: the reports file is a spreadsheet workbook, not text"):
        read_reports(renamed)
    with pytest.raises(InputError, match=r"only \.xlsx workbooks have sheets"):
        read_reports(write(tmp_path, "date,place,status\n"), sheet="x")


@pytest.mark.parametrize(
    ("columns", "hint"),
    [
        (["date", "location", "status"], "did you mean 'location' -> 'place'?"),
        (["Date", "Town", "Control"], "did you mean 'town' -> 'place', 'control' -> 'status'?"),
        (["dtae", "place", "status"], "did you mean 'dtae' -> 'date'?"),
    ],
)
def test_missing_columns_suggest_the_column_meant(columns, hint):
    frame = pd.DataFrame([["2021-08-06", "Kabul", "taliban"]], columns=columns)
    with pytest.raises(InputError, match="missing column") as info:
        read_reports(frame)
    assert hint in str(info.value)


def test_no_suggestion_when_nothing_is_close():
    with pytest.raises(InputError) as info:
        read_reports(pd.DataFrame({"date": ["2021-08-06"], "xyz": ["Kabul"], "status": ["taliban"]}))
    assert "did you mean" not in str(info.value)
    with pytest.raises(ReportsError) as info:
        read_reports(pd.DataFrame({"date": ["2021-08-06"], "place": ["Kabul"], "status": ["purple"]}))
    assert "did you mean" not in str(info.value)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (42, "reports: expected a file path, a DataFrame or a list of dicts, got int"),
        (["Kabul"], "reports: a list of reports must hold dicts"),
    ],
)
def test_wrong_source_types_are_named(source, message):
    with pytest.raises(InputError, match=message):
        read_reports(source)


def test_binary_and_folder_inputs(tmp_path):
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"date,place,status\n\x00\x01\x02")
    with pytest.raises(InputError, match="binary file"):
        read_reports(binary)
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder"):
        read_reports(folder)


@pytest.mark.parametrize("python_limit", [131_072, 2**31 - 2])  # Python's default, and as frictionless sets it
def test_a_value_past_the_csv_field_limit_is_named_at_the_row_where_it_begins(python_limit, tmp_path):
    import csv

    from geomap.reports import MAX_CELL_CHARS

    long_value = tmp_path / "long.csv"
    cell = "a" * (MAX_CELL_CHARS + 1)
    long_value.write_text(f"date,place,status\n2021-08-06,Kabul,taliban\n2021-08-07,{cell},taliban\n")
    open_quote = tmp_path / "open.csv"
    open_quote.write_text('date,place,status\n2021-08-06,"Kabul,taliban\n' + "2021-08-07,Herat,taliban\n" * 8000)
    before = csv.field_size_limit(python_limit)
    try:
        for path, row in ((long_value, 3), (open_quote, 2)):
            with pytest.raises(InputError) as info:
                read_reports(path)
            assert str(info.value) == (
                f"{path}: row {row}: a value longer than 131,072 characters (or a quote left open, which makes the "
                "rest of the file one value); close the quote or shorten the value"
            )
            assert csv.field_size_limit() == python_limit  # the caller's limit is left as it was
    finally:
        csv.field_size_limit(before)


@pytest.mark.parametrize("rows", [1, 40_000])  # a small file, and one past the fast reader's threshold
def test_coordinates_in_columns_named_otherwise_are_refused_not_dropped(tmp_path, rows):
    path = tmp_path / "r.csv"
    path.write_text("date,place,status,Latitude,lng\n" + "2021-08-01,Herat,taliban,34.34,62.2\n" * rows)
    with pytest.raises(InputError) as err:
        read_reports(path)
    assert str(err.value) == (
        f"{path}: coordinates are read from columns 'lat' and 'lon'; rename 'Latitude' -> 'lat', 'lng' -> 'lon' "
        "(or delete the column(s) to place the reports by name)"
    )


def test_a_longitude_column_beside_lat_and_lon_is_left_alone(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("date,place,status,lat,lon,longitude\n2021-08-01,Herat,taliban,34.34,62.2,62.2\n")
    assert read_reports(path)["lon"].tolist() == [62.2]


def test_projected_metres_in_the_degree_columns_are_named_as_such(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("date,place,status,lat,lon\n2021-08-01,x,taliban,3800000,500000\n")
    with pytest.raises(ReportsError) as err:
        read_reports(path)
    assert err.value.problems == [
        f"{path}, row 2, column 'lat': '3800000': not degrees (metres of a projected CRS?); "
        "write WGS84 decimal degrees (EPSG:4326), e.g. 34.5281"
    ]


def test_a_stray_cell_far_out_in_a_workbook_costs_nothing_or_is_refused(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["date", "place", "status"])
    sheet.append(["2021-08-12", "Herat", "taliban"])
    sheet.cell(row=1_048_576, column=2, value=" ")  # a blank typed far below: read three columns wide, skipped
    book.save(tmp_path / "tall.xlsx")
    assert read_reports(tmp_path / "tall.xlsx")["place"].tolist() == ["Herat"]
    sheet.cell(row=1, column=16_384, value="notes")  # a header cell at XFD1 over a million rows
    book.save(tmp_path / "wide.xlsx")
    with pytest.raises(InputError, match=r"the sheet spans more than 1,221 rows of 16,384 columns from its header"):
        read_reports(tmp_path / "wide.xlsx")


def _with_stale_extent(path, extent: str) -> None:
    """Rewrite a workbook's declared sheet extent (``<dimension ref=...>``), as some programs leave it stale."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{extent}"', sheet).encode()
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)


def test_a_workbook_declaring_a_stale_extent_is_read_whole(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["date", "place", "status"])
    for day, place in ((6, "Zaranj"), (8, "Kunduz"), (12, "Herat"), (13, "Kandahar")):
        book.active.append([f"2021-08-{day:02d}", place, "taliban"])
    path = tmp_path / "stale.xlsx"
    book.save(path)
    _with_stale_extent(path, "A1:C2")
    assert read_reports(path)["place"].tolist() == ["Zaranj", "Kunduz", "Herat", "Kandahar"]


def test_a_damaged_sheet_in_a_workbook_is_a_one_line_error(tmp_path):
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["date", "place", "status"])
    book.active.append(["2021-08-12", "Herat", "taliban"])
    path = tmp_path / "damaged.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as saved:
        parts = {name: saved.read(name) for name in saved.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b"</c>", b"", 1)
    with zipfile.ZipFile(path, "w") as damaged:
        for name, data in parts.items():
            damaged.writestr(name, data)
    with pytest.raises(InputError, match=r"damaged\.xlsx: not a readable \.xlsx workbook \(ParseError\); save it"):
        read_reports(path)


def test_a_geodataframe_of_points_gives_each_report_its_coordinates():
    import geopandas as gpd
    import shapely

    points = gpd.GeoDataFrame(
        {"date": ["2021-08-12", "2021-08-13", "2021-08-13"], "place": ["checkpoint 4", "bridge", "ford"],
         "status": ["taliban", "government", "contested"]},
        geometry=[shapely.Point(69.2, 34.5), shapely.Point(62.2, 34.35), shapely.Point()],
        crs="EPSG:4326",
    )  # fmt: skip
    table = read_reports(points.to_crs("EPSG:3857"))  # reprojected back to degrees
    assert table["lat"].tolist()[:2] == pytest.approx([34.5, 34.35])
    assert table["lon"].tolist()[:2] == pytest.approx([69.2, 62.2])
    assert np.isnan(table.loc[2, "lat"]) and np.isnan(table.loc[2, "lon"])  # an empty point: none given
    assert "geometry" not in table.columns
    with pytest.raises(InputError, match=r"^reports \(GeoDataFrame\): the points have no coordinate reference"):
        read_reports(points.set_crs(None, allow_override=True))
    shapes = [shapely.box(0, 0, 1, 1), shapely.Point(69, 34), shapely.LineString([(0, 0), (1, 1)])]
    with pytest.raises(ReportsError) as raised:  # every row that is not a point
        read_reports(points.set_geometry(shapes))
    assert [p.split(": ", 1)[0] for p in raised.value.problems] == [
        "reports (GeoDataFrame), row 1, column 'geometry'",
        "reports (GeoDataFrame), row 3, column 'geometry'",
    ]
    # lat/lon beside the points they were made from agree: read as the points
    both = points.assign(lat=[34.5, 34.35, None], lon=[69.2, 62.2, None])
    assert read_reports(both)["lat"].tolist()[:2] == pytest.approx([34.5, 34.35])
    with pytest.raises(InputError, match=r"^reports \(GeoDataFrame\), row 2, column 'lon': 63 is not the point's"):
        read_reports(points.assign(lat=[34.5, 34.35, None], lon=[69.2, 63.0, None]))


def test_a_record_spanning_lines_is_named_by_the_line_it_begins_on(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(
        "date,place,status,source,note\n"
        '2021-08-32,Kabul,government,s1,"a note\non two lines"\n'
        '2021-08-02,Herat,taliban,s2,"a\nb\nc"\n'
        "2021-13-02,Ghazni,taliban,s3,x\n",
        encoding="utf-8",
    )
    with pytest.raises(ReportsError) as raised:
        read_reports(path)
    rows = [p.split(", column")[0].rsplit("row ", 1)[1] for p in raised.value.problems]
    assert rows == ["2", "7"]  # the record of lines 2-3, and the one after the record of lines 4-6


def test_formulas_without_saved_values_in_a_workbook_are_named_not_read_as_blanks(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()  # openpyxl, as other programs that write workbooks, saves no formula values
    sheet = book.active
    sheet.append(["date", "place", "status"])
    sheet.append(["2021-08-12", "Herat", "taliban"])
    sheet.append(["2021-08-13", "=B2", "taliban"])
    sheet.append(["=A2", "=B2", "=C2"])  # a row of formulas alone reads as an empty row
    path = tmp_path / "reports.xlsx"
    book.save(path)
    with pytest.raises(ReportsError) as raised:
        read_reports(path)
    assert [p.split(": '")[0] for p in raised.value.problems] == [
        f"{path}, row 3, column 'place'",
        f"{path}, row 4, column 'date'",
        f"{path}, row 4, column 'place'",
        f"{path}, row 4, column 'status'",
    ]
    assert raised.value.problems[0].endswith(
        "'=B2': a formula with no saved value (the workbook was written by a program that does not compute "
        "formulas); open it in a spreadsheet, save it, and run again"
    )


def test_a_formula_in_a_column_geomap_does_not_read_is_left_alone(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["date", "place", "status", "casualties"])
    sheet.append(["2021-08-12", "Herat", "taliban", 3])
    sheet.append(["2021-08-13", "Ghazni", "taliban", "=D2*2"])
    path = tmp_path / "reports.xlsx"
    book.save(path)
    assert read_reports(path)["place"].tolist() == ["Herat", "Ghazni"]


def test_precision_numbers_beside_blank_cells_are_read(tmp_path):
    # a number column with a blank cell holds floats (2.0), in a DataFrame or from JSON nulls
    frame = pd.DataFrame(
        {
            "date": ["2021-08-06", "2021-08-07"],
            "place": ["Zaranj", "Herat"],
            "status": ["taliban", "taliban"],
            "place_precision": [2, None],
            "date_precision": [None, 3.0],
        }
    )
    read = read_reports(frame)
    assert read[["place_precision", "date_precision"]].values.tolist() == [[2, 1], [1, 3]]
    path = tmp_path / "reports.json"
    path.write_text(
        '[{"date": "2021-08-06", "place": "Zaranj", "status": "taliban", "place_precision": 2},'
        ' {"date": "2021-08-07", "place": "Herat", "status": "taliban", "place_precision": null}]'
    )
    assert read_reports(path)["place_precision"].tolist() == [2, 1]
    frame["place_precision"] = [2.5, None]
    with pytest.raises(ReportsError, match=r"row 1, column 'place_precision'.*unknown precision"):
        read_reports(frame)


def test_two_province_columns_fill_each_other_and_may_not_disagree(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(
        "date,place,status,province,admin1\n"
        "2021-08-07,Qalat,taliban,Zabul,zabul\n"  # the same province, however written
        "2021-08-08,Tagab,taliban,,Kapisa\n",  # the first column blank: the second names it
        encoding="utf-8",
    )
    assert read_reports(path)["place"].tolist() == ["Qalat, Zabul", "Tagab, Kapisa"]
    path.write_text("date,place,status,province,admin1\n2021-08-06,Arghandab,taliban,Zabul,Kandahar\n")
    with pytest.raises(ReportsError) as info:
        read_reports(path)
    assert info.value.problems == [
        f"{path}, row 2, column 'admin1': 'Kandahar': not the province the 'province' column gives; "
        "keep one province column, or make them agree"
    ]


def test_a_province_column_says_where_the_place_lies(tmp_path):
    # a file that names the province in a column of its own: read into the place's name, so the geocoder
    # takes the place there and not a namesake elsewhere
    path = tmp_path / "reports.csv"
    path.write_text(
        "date,place,district,Province,status\n"
        "2021-08-01,Herat,Hirat,,taliban\n"  # a district column (geomap extract's) adds nothing
        "2021-08-02,Arghandab,,Zabul,government\n"
        '2021-08-03,"Tagab, Kapisa",,Kapisa,taliban\n'  # said already
        '2021-08-04,"Ismail Khel, Mandozai",,Khost,taliban\n'
        "2021-08-04,Kandahar,,Kandahar,taliban\n"  # not the name again
        "2021-08-06,Sar-e Pul,,Sar-e-Pul,taliban\n",  # however joined
        encoding="utf-8",
    )
    places = read_reports(path)["place"].tolist()
    assert places == [
        "Herat",
        "Arghandab, Zabul",
        "Tagab, Kapisa",
        "Ismail Khel, Mandozai, Khost",
        "Kandahar",
        "Sar-e Pul",
    ]


def test_a_title_above_the_table(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Control reports, August 2021 (compiled by J. Smith)"])
    sheet.append([])
    sheet.append(["Date", "Place", "Status"])
    sheet.append([dt.datetime(2021, 8, 10), "Kabul", "government"])
    book.save(tmp_path / "reports.xlsx")
    reports = read_reports(tmp_path / "reports.xlsx")  # a workbook's title rows are skipped
    assert (reports["row"].tolist(), reports["place"].tolist()) == ([4], ["Kabul"])
    path = tmp_path / "reports.csv"
    path.write_text("Control reports,,\ndate,place,status\n2021-08-10,Kabul,government\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"reports.csv: the column names are on row 2, under a title; delete the row"):
        read_reports(path)


def test_dates_written_day_first_are_read_when_the_file_says_so(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(
        "date;place;status\r\n05/08/2021;Kabul;government\r\n15.08.2021;Kabul;taliban\r\n"
        "13-08-2021;Herat;taliban\r\n2021-08-14;Ghazni;taliban\r\n",
        encoding="utf-8-sig",
    )
    with pytest.raises(ReportsError) as info:
        read_reports(path)
    assert len(info.value.problems) == 3
    assert info.value.problems[1].endswith(
        "'15.08.2021': day/month date; write it as YYYY-MM-DD (2021-08-15), "
        "or read the file's dates day first (--day-first, day_first=True)"
    )
    days = read_reports(path, day_first=True)["date"].dt.strftime("%Y-%m-%d").tolist()
    assert days == ["2021-08-05", "2021-08-15", "2021-08-13", "2021-08-14"]  # 05/08 is 5 August, not 8 May
    path.write_text("date,place,status\n31/02/2021,Kabul,taliban\n08/15/2021,Herat,taliban\n", encoding="utf-8")
    with pytest.raises(ReportsError) as info:
        read_reports(path, day_first=True)
    assert [p.split(": ", 2)[-1] for p in info.value.problems] == [
        "no such day in the calendar (read day first); check the day and month",
        "no such day in the calendar (read day first); read the file's dates month first (--month-first, "
        "month_first=True)",
    ]


def test_dates_written_month_first_are_read_when_the_file_says_so(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(
        "date,place,status\n8/13/2021,Herat,taliban\n08/05/2021,Zaranj,taliban\n2021-08-15,Kabul,taliban\n",
        encoding="utf-8",
    )
    with pytest.raises(ReportsError) as info:
        read_reports(path)
    assert info.value.problems[0].endswith(
        "'8/13/2021': month/day date; write it as YYYY-MM-DD (2021-08-13), "
        "or read the file's dates month first (--month-first, month_first=True)"
    )
    days = read_reports(path, month_first=True)["date"].dt.strftime("%Y-%m-%d").tolist()
    assert days == ["2021-08-13", "2021-08-05", "2021-08-15"]  # 08/05 is 5 August, not 8 May
    path.write_text("date,place,status\n31/12/2021,Kabul,taliban\n8/13/21,Herat,taliban\n", encoding="utf-8")
    with pytest.raises(ReportsError) as info:
        read_reports(path, month_first=True)
    assert [p.split(": ", 2)[-1] for p in info.value.problems] == [
        "no such day in the calendar (read month first); read the file's dates day first (--day-first, day_first=True)",
        "a two-digit year; write the year in full (08/15/2021) or the date as YYYY-MM-DD",
    ]
    with pytest.raises(InputError, match="day_first and month_first: a file writes its dates one way"):
        read_reports(path, day_first=True, month_first=True)


def test_a_reports_file_naming_the_province_column_twice_is_refused_as_before(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text("date,place,province,Province\n2021-08-02,Arghandab,Zabul,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="appear more than once"):
        read_reports(path)  # a reports file refuses a repeated column, as before


def test_day_first_hints_only_a_real_date_and_names_a_short_year(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text("date,place,status\n31/02/2021,Kabul,taliban\n15/08/21,Herat,taliban\n", encoding="utf-8")
    with pytest.raises(ReportsError) as info:
        read_reports(path)
    assert "day first" not in info.value.problems[0]  # no such day either way
    with pytest.raises(ReportsError) as info:
        read_reports(path, day_first=True)
    assert info.value.problems[1].endswith(
        "a two-digit year; write the year in full (15/08/2021) or the date as YYYY-MM-DD"
    )


def test_a_decimal_comma_in_coordinates(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text("date;place;status;lat;lon\n2021-08-12;a point;taliban;36,72;68,86\n", encoding="utf-8")
    assert read_reports(path)[["lat", "lon"]].values.tolist() == [[36.72, 68.86]]
    path.write_text("date;place;status;lat;lon\n2021-08-12;a point;taliban;36,7,2;68.86\n", encoding="utf-8")
    with pytest.raises(ReportsError, match=r"'36,7,2': not a number"):
        read_reports(path)


def test_spelling_suggestions_are_bounded_on_a_file_of_many_bad_statuses(tmp_path, monkeypatch):
    import geomap.reports

    monkeypatch.setattr(geomap.reports, "MAX_SUGGESTIONS", 2)
    path = write(tmp_path, "date,place,status\n" + "".join(f"2021-08-06,Kabul,talibn{'x' * i}\n" for i in range(4)))
    with pytest.raises(ReportsError) as info:
        read_reports(path)
    hinted = ["did you mean 'taliban'?" in p for p in info.value.problems]
    assert hinted == [True, True, False, False] and len(info.value.problems) == 4  # every row still named


def test_a_place_column_under_another_name_beside_coordinates_is_pointed_to(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(
        "date,Location,status,lat,lon\n2021-08-01,Kabul,taliban,,\n2021-08-02,Herat,taliban,34.3,62.2\n",
        encoding="utf-8",
    )
    with pytest.raises(ReportsError) as raised:
        read_reports(path)
    assert raised.value.problems == [
        f"{path}, row 2, column 'lat': '': no place and no coordinates; give lat and lon (the file has no place "
        "column), or remove the row; did you mean 'location' -> 'place'? rename the column"
    ]


def test_the_default_schemes_common_abbreviations_are_read(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(
        "date,place,status\n2021-08-01,Kabul,Govt\n2021-08-02,Herat,gov\n2021-08-03,Ghazni,Taliban-held\n",
        encoding="utf-8",
    )
    assert read_reports(path)["status"].tolist() == ["government", "government", "taliban"]
