"""ACLED and UCDP GED event exports turned into reports (test files written by us in each documented layout)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from geomap.cli import main
from geomap.errors import InputError
from geomap.importers import EventsError, detect_layout, import_events, load_actor_mapping
from geomap.reports import read_reports
from geomap.scheme import make_scheme
from geomap.timeline import ControlTimeline

EVENTS = Path(__file__).parent / "data" / "events"
ACLED = EVENTS / "acled-sample.csv"
UCDP = EVENTS / "ucdp-sample.csv"


def _rewrite(path: Path, tmp_path: Path, changes: dict[int, dict[str, str]], drop: tuple[str, ...] = ()) -> Path:
    """A copy of ``path`` with cells changed (keys: 0-based record) and columns dropped."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for index, cells in changes.items():
        rows[index].update(cells)
    fields = [f for f in rows[0] if f not in drop]
    out = tmp_path / path.name
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out


def test_acled_events_become_reports_with_precision_and_evidence():
    result = import_events(ACLED, "acled")
    reports = result.reports
    assert reports["date"].dtype == "datetime64[ns]"
    reports["date"] = reports["date"].dt.strftime("%Y-%m-%d")
    assert reports[["event_id", "date", "place", "status", "level", "place_precision", "date_precision"]].to_dict(
        "records"
    ) == [
        dict(event_id="TST0001", date="2021-08-06", place="Zaranj", status="taliban", level="",
             place_precision=1, date_precision=1),
        dict(event_id="TST0002", date="2021-08-12", place="Ghazni", status="contested", level="",
             place_precision=1, date_precision=1),
        dict(event_id="TST0003", date="2021-08-12", place="Guzara", status="taliban", level="district",
             place_precision=2, date_precision=2),
        dict(event_id="TST0004", date="2021-08-10", place="Kunduz", status="government", level="province",
             place_precision=3, date_precision=1),
        dict(event_id="TST0008", date="2021-08-14", place="Bamyan", status="taliban", level="",
             place_precision=1, date_precision=3),
    ]  # fmt: skip
    first = reports.iloc[0]
    assert (first["lat"], first["lon"]) == (30.9597, 61.8603)
    assert first["source"] == "Example Wire"
    assert first["note"] == "ACLED TST0001, Non-state actor overtakes territory: Made-up test event: the city is taken."
    assert result.skipped == {
        "not about control": 2,
        "an actor with no side in the mapping": 2,
        "an actor that takes no side": 1,
    }
    assert result.unmapped.to_dict("records") == [
        {"actor": "Hypothetical Valley Militia", "column": "actor2", "first_row": 7, "events": 2}
    ]
    assert result.unmapped_lines() == [
        f"{ACLED}, row 7, column 'actor2': 'Hypothetical Valley Militia': no side in the actor mapping; "
        "2 event(s) skipped; add it under 'sides' or 'ignore' in the mapping"
    ]


def test_ucdp_events_become_contested_reports():
    result = import_events(UCDP, "ucdp")
    assert result.reports["date"].dtype == "datetime64[ns]"
    result.reports["date"] = result.reports["date"].dt.strftime("%Y-%m-%d")
    columns = ["event_id", "date", "place", "status", "level", "place_precision", "date_precision"]
    assert result.reports[columns].to_dict("records") == [
        dict(event_id="900001", date="2021-08-03", place="Lashkar Gah town", status="contested", level="",
             place_precision=1, date_precision=1),
        dict(event_id="900002", date="2021-08-02", place="Kandahar province", status="contested", level="province",
             place_precision=3, date_precision=2),
        dict(event_id="900006", date="2021-08-07", place="Nad Ali district", status="contested", level="district",
             place_precision=2, date_precision=2),
    ]  # fmt: skip
    assert result.reports["note"].iloc[0] == (
        "UCDP GED 900001, Government of Afghanistan - Taleban: Made-up test event in the city"
    )
    assert result.skipped == {
        "not about control": 1,
        "an actor with no side in the mapping": 1,
        "an actor that takes no side": 1,
        "a country-wide or offshore location": 1,
    }
    assert result.unmapped[["actor", "column", "first_row", "events"]].values.tolist() == [
        ["Hypothetical Front", "side_b", 8, 1]
    ]


def test_imported_reports_map_onto_provinces():
    reports = import_events(ACLED, "acled").reports
    timeline = ControlTimeline.from_reports(reports)
    state = timeline.status(on="2021-08-15").set_index("area_id")["status"]
    assert state["AF-NIM"] == "taliban"  # Zaranj taken
    assert state["AF-GHA"] == "contested"  # clash in the capital
    assert state["AF-KDZ"] == "government"  # province-level event covers the province
    assert state["AF-BAM"] == "taliban"
    assert state["AF-HER"] == "unknown"  # a district centre alone does not decide the province
    assert len(read_reports(reports)) == 5


def test_layouts_are_told_apart():
    acled = pd.read_csv(ACLED, dtype=str, nrows=1)
    ucdp = pd.read_csv(UCDP, dtype=str, nrows=1)
    assert detect_layout(acled) == "acled" and detect_layout(ucdp) == "ucdp"
    assert detect_layout(pd.DataFrame(columns=["date", "place", "status"])) is None


def test_wrong_or_neither_layout_is_one_line(tmp_path):
    with pytest.raises(InputError, match=r"row 1: the columns are those of an ACLED export, not UCDP GED"):
        import_events(ACLED, "ucdp")
    other = tmp_path / "reports.csv"
    other.write_text("date,place,status\n2021-08-12,Ghazni,taliban\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"reports.csv, row 1: neither an ACLED nor a UCDP GED export") as info:
        import_events(other, "acled")
    assert "\n" not in str(info.value)


def test_missing_required_columns_are_named(tmp_path):
    path = _rewrite(ACLED, tmp_path, {}, drop=("geo_precision", "time_precision"))
    # Without geo_precision the file no longer looks like ACLED at all.
    with pytest.raises(InputError, match="neither an ACLED nor a UCDP GED export"):
        import_events(path, "acled")
    path = _rewrite(ACLED, tmp_path, {}, drop=("time_precision", "admin1"))
    with pytest.raises(InputError, match=r"row 1: missing ACLED column\(s\) time_precision, admin1"):
        import_events(path, "acled")


def test_bad_values_are_listed_one_line_each_with_row_and_column(tmp_path):
    path = _rewrite(
        ACLED,
        tmp_path,
        {
            0: {"event_type": "Skirmish"},
            1: {"sub_event_type": "Armed standoff"},
            2: {"event_date": "12/08/2021"},
            3: {"geo_precision": "7", "latitude": "north"},
            4: {"time_precision": "9"},  # a protest: not about control, so its precision is not checked
        },
    )
    with pytest.raises(EventsError) as info:
        import_events(path, "acled")
    assert info.value.problems == [
        f"{path}, row 2, column 'event_type': 'Skirmish': unknown ACLED event type; expected one of Battles, "
        "Explosions/Remote violence, Violence against civilians, Protests, Riots, Strategic developments",
        f"{path}, row 3, column 'sub_event_type': 'Armed standoff': not an ACLED sub-event type of this event "
        "type; see geomap/data/acled_event_types.csv",
        f"{path}, row 4, column 'event_date': '12/08/2021': not a date; expected 2021-08-12 or 12 August 2021, "
        "from 1678 to 2261",
        f"{path}, row 5, column 'latitude': 'north': not a latitude; write decimal degrees, e.g. 34.5281",
        f"{path}, row 5, column 'geo_precision': '7': expected 1 (exact), 2 (near) or 3 (province)",
    ]


def test_ucdp_bad_codes(tmp_path):
    path = _rewrite(UCDP, tmp_path, {0: {"type_of_violence": "4"}, 1: {"date_prec": "0", "side_b": ""}})
    with pytest.raises(EventsError) as info:
        import_events(path, "ucdp")
    assert [p.split(": ", 1)[0] for p in info.value.problems] == [
        f"{path}, row 2, column 'type_of_violence'",
        f"{path}, row 3, column 'side_b'",
        f"{path}, row 3, column 'date_prec'",
    ]


def test_custom_mapping_json_and_yaml(tmp_path):
    mapping = {
        "sides": {"taliban": ["Taliban"], "government": ["Military Forces of Afghanistan*", "Hypothetical*"]},
        "ignore": ["Islamic State*", "Police*"],
    }
    as_json = tmp_path / "actors.json"
    as_json.write_text(json.dumps(mapping), encoding="utf-8")
    result = import_events(ACLED, "acled", mapping=as_json)
    assert result.unmapped.empty
    assert result.reports["event_id"].tolist() == ["TST0001", "TST0003", "TST0004", "TST0006", "TST0008", "TST0010"]
    yaml = pytest.importorskip("yaml")
    as_yaml = tmp_path / "actors.yaml"
    as_yaml.write_text(yaml.safe_dump(mapping), encoding="utf-8")
    assert import_events(ACLED, "acled", mapping=as_yaml).reports.equals(result.reports)


def test_mapping_errors():
    with pytest.raises(InputError, match="side 'rebels' is not a status of the scheme"):
        load_actor_mapping({"sides": {"rebels": ["X"]}})
    with pytest.raises(InputError, match=r"sides\.taliban must be a list of actor names"):
        load_actor_mapping({"sides": {"taliban": "Taliban"}})
    with pytest.raises(InputError, match="an actor mapping is an object"):
        load_actor_mapping({"taliban": ["Taliban"]})
    mapping = load_actor_mapping()
    assert mapping.side("  taliban ") == "taliban"
    assert mapping.side("Government of Afghanistan, Government of United States of America") == "government"
    assert mapping.side("Civilians (Afghanistan)") == ""
    assert mapping.side("Militia (Pro-Government)") == "government"  # sides are tried before ignore
    assert mapping.side("Somebody Else") is None


def test_mapping_without_contested_status_skips_clashes():
    scheme = make_scheme(
        [
            {"key": "taliban", "color": "#c62828"},
            {"key": "government", "color": "#1565c0"},
            {"key": "unknown", "color": "#d9d9d9"},
        ]
    )
    result = import_events(ACLED, "acled", scheme=scheme)
    assert "contested" not in set(result.reports["status"])
    assert result.skipped["fighting (the scheme has no contested status)"] == 1


def test_strict_refuses_unmapped_actors():
    with pytest.raises(InputError, match=r"row 7, column 'actor2': 'Hypothetical Valley Militia'"):
        import_events(ACLED, "acled", strict=True)


def test_cli_import_writes_reports_and_lists_unmapped(tmp_path, capsys):
    out = tmp_path / "reports.csv"
    assert main(["import", "acled", str(ACLED), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: " in err and "'Hypothetical Valley Militia': no side in the actor mapping" in err
    assert "10 event(s) read, 5 report(s) written" in err
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table.columns) == [
        "date", "place", "status", "source", "note", "lat", "lon", "level", "place_precision", "date_precision",
        "event_id",
    ]  # fmt: skip
    assert main(["import", "acled", str(ACLED), "--strict"]) == 1
    assert main(["import", "ucdp", str(ACLED)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("geomap: error: ") and "use `geomap import acled" in err[-1]
    assert main(["import", "acled", str(ACLED), "-o", str(ACLED)]) == 1
    assert ACLED.read_text(encoding="utf-8").startswith("event_id_cnty,")


def test_hdx_hashtag_row_and_float_codes_are_read(tmp_path):
    with open(ACLED, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    hashtags = ["#" + name.replace("_", "+") for name in rows[0]]
    for row in rows[1:]:
        row[3] = row[3] + ".0"  # time_precision written as a float by a spreadsheet
    path = tmp_path / "hdx.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([rows[0], hashtags, *rows[1:]])
    result = import_events(path, "acled")
    assert result.reports["event_id"].tolist() == ["TST0001", "TST0002", "TST0003", "TST0004", "TST0008"]
    assert result.unmapped["first_row"].tolist() == [8]  # spreadsheet rows count the hashtag row


def test_clash_with_one_named_side_is_skipped_not_guessed(tmp_path):
    path = _rewrite(ACLED, tmp_path, {1: {"actor2": ""}})
    result = import_events(path, "acled")
    assert "TST0002" not in set(result.reports["event_id"])
    assert result.skipped["fighting with one named side"] == 1


def test_line_breaks_inside_notes_are_read(tmp_path):
    path = _rewrite(ACLED, tmp_path, {0: {"notes": "first line\nsecond line"}})
    result = import_events(path, "acled")
    assert result.reports["note"].iloc[0].endswith("first line\nsecond line")
    assert result.unmapped["first_row"].tolist() == [7]  # records, as a spreadsheet counts them


def test_a_byte_that_is_not_utf8_is_named_on_its_own_line(tmp_path):
    lines = ACLED.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"Afghanistan", b"Afgh\xe4nistan", 1)
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"\n".join(lines))
    column = lines[3].index(b"\xe4") + 1
    with pytest.raises(InputError) as caught:
        import_events(path, "acled")
    assert str(caught.value) == f"{path}: line 4 (byte {column}) is not UTF-8; save the file as UTF-8"


def test_a_record_longer_than_the_header_is_named_not_shifted(tmp_path):
    lines = ACLED.read_text(encoding="utf-8").split("\n")
    width = len(next(csv.reader([lines[0]])))
    lines[2] += ",an extra value"  # the second record
    path = tmp_path / "extra.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_events(path, "acled")
    message = f"{path}, row 3: {width + 1} values, the header {width}; remove the extra values or quote the cell"
    assert str(caught.value) == message
    # a quoted cell holding the delimiter and a line break is one value: no complaint
    quoted = _rewrite(ACLED, tmp_path, {1: {"notes": "held, then\nlost"}})
    assert import_events(quoted, "acled").reports["note"].iloc[1].endswith("held, then\nlost")


def test_events_the_dataset_places_in_another_country_are_skipped_and_counted(tmp_path):
    # an ACLED clash at Chaman, Pakistan, within 0.1 degree of the border: not moved onto Spin Boldak
    chaman = {"country": "Pakistan", "iso": "586", "location": "Chaman", "latitude": "30.9210", "longitude": "66.4597"}
    result = import_events(_rewrite(ACLED, tmp_path, {0: chaman}), "acled")
    assert "TST0001" not in set(result.reports["event_id"])
    assert result.skipped["in another country than Afghanistan"] == 1
    by_code_only = import_events(_rewrite(ACLED, tmp_path, {0: {"iso": "586"}}), "acled")
    assert "TST0001" not in set(by_code_only.reports["event_id"])
    as_written = import_events(_rewrite(ACLED, tmp_path, {0: {"iso": "4.0", "country": " afghanistan"}}), "acled")
    assert "TST0001" in set(as_written.reports["event_id"])  # Afghanistan's code written as a float
    # UCDP GED names the country and its Gleditsch-Ward code (Afghanistan 700)
    ged = import_events(_rewrite(UCDP, tmp_path, {0: {"country": "Pakistan", "country_id": "770"}}), "ucdp")
    assert "900001" not in set(ged.reports["event_id"])
    assert ged.skipped["in another country than Afghanistan"] == 1
    assert sum(ged.skipped.values()) == sum(import_events(UCDP, "ucdp").skipped.values()) + 1


def test_an_event_date_with_more_than_a_time_after_it_is_not_a_date(tmp_path):
    path = _rewrite(ACLED, tmp_path, {0: {"event_date": "2021-08-0612"}, 1: {"event_date": "2021-08-12 garbage"}})
    with pytest.raises(EventsError) as raised:
        import_events(path, "acled")
    problems = "\n".join(raised.value.problems)
    assert "row 2, column 'event_date': '2021-08-0612': not a date" in problems
    assert "row 3, column 'event_date': '2021-08-12 garbage': not a date" in problems
    # a time of day after the date, as UCDP GED writes it, is still read
    ged = import_events(_rewrite(UCDP, tmp_path, {0: {"date_start": "2021-08-03 00:00:00.000"}}), "ucdp")
    assert ged.reports.loc[ged.reports["event_id"] == "900001", "date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2021-08-03"
    ]


def test_a_province_level_acled_event_may_come_without_coordinates(tmp_path):
    province = {"geo_precision": "3", "latitude": "", "longitude": ""}
    result = import_events(_rewrite(ACLED, tmp_path, {0: province}), "acled")
    row = result.reports.set_index("event_id").loc["TST0001"]
    assert (row["place"], row["level"], row["place_precision"]) == ("Nimroz", "province", 3)
    assert pd.isna(row["lat"]) and pd.isna(row["lon"])
    # a place-level event still needs its point
    with pytest.raises(EventsError, match="not a latitude"):
        import_events(_rewrite(ACLED, tmp_path, {0: {"latitude": "", "longitude": ""}}), "acled")


def test_impossible_times_of_day_make_no_date(tmp_path):
    path = _rewrite(ACLED, tmp_path, {0: {"event_date": "2021-08-06 25:99:00"}, 1: {"event_date": "2021-08-06T99:00"}})
    with pytest.raises(EventsError) as raised:
        import_events(path, "acled")
    problems = "\n".join(raised.value.problems)
    assert "row 2, column 'event_date': '2021-08-06 25:99:00': not a date" in problems
    assert "row 3, column 'event_date': '2021-08-06T99:00': not a date" in problems
    ged = _rewrite(UCDP, tmp_path, {0: {"date_start": "2021-08-12 27:00:00.000"}})
    with pytest.raises(EventsError, match=r"'2021-08-12 27:00:00\.000': not a date"):
        import_events(ged, "ucdp")
    fine = import_events(_rewrite(ACLED, tmp_path, {0: {"event_date": "2021-08-06 23:59:59"}}), "acled")
    assert "TST0001" in set(fine.reports["event_id"])


def test_events_that_could_not_be_mapped_are_named_at_import(tmp_path):
    # an Afghan event whose point lies far outside the country, and a province-level one with no province
    far = {"latitude": "3.09597", "longitude": "6.18603"}
    nowhere = {"geo_precision": "3", "latitude": "", "longitude": "", "admin1": ""}
    with pytest.raises(EventsError) as raised:
        import_events(_rewrite(ACLED, tmp_path, {0: far, 1: nowhere}), "acled")
    problems = "\n".join(raised.value.problems)
    assert "row 2, column 'latitude': '3.09597': the point (latitude, longitude) lies outside Afghanistan" in problems
    assert "row 3, column 'admin1': '': empty province and no coordinates" in problems


def test_a_workbook_is_named_as_one(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["event_id_cnty", "event_date"])
    path = tmp_path / "acled.xlsx"
    book.save(path)
    with pytest.raises(InputError, match=r"is a spreadsheet workbook, not text; geomap import reads the CSV export"):
        import_events(path, "acled")
