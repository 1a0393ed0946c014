"""District level: the bundled districts, district timelines, counts per province and roll-ups."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely.geometry import box

from geomap.errors import InputError
from geomap.join import locate_on_districts
from geomap.levels import province_counts, province_rollup
from geomap.reports import read_reports
from geomap.scheme import AFGHANISTAN_2021
from geomap.timeline import ControlTimeline

D = pd.Timestamp  # dates in the timeline's tables (datetime64[ns])
KEYS = list(AFGHANISTAN_2021.keys)
LABELS = {k: AFGHANISTAN_2021.label(k) for k in KEYS}


@pytest.fixture
def five_districts():
    """Five square districts: P1 has D1-D3 (capital in D2), P2 has D4-D5 (capital in D4)."""
    import geopandas as gpd

    ids = ["D1", "D2", "D3", "D4", "D5"]
    names = ["One", "Two", "Three", "Four", "Five"]
    return gpd.GeoDataFrame(
        {
            "area_id": ids,
            "area_name": names,
            "district_id": ids,
            "district": names,
            "province_iso": ["AF-P1"] * 3 + ["AF-P2"] * 2,
            "province": ["Pone"] * 3 + ["Ptwo"] * 2,
        },
        geometry=[box(65 + k, 33, 66 + k, 34) for k in range(5)],
        crs="EPSG:4326",
    )


CAPITALS = pd.Series({"AF-P1": "D2", "AF-P2": "D4"})


def district_timeline(areas, rows):
    """A district timeline from (date, place, status, lat, lon, level) rows; places are points or provinces."""
    reports = read_reports(pd.DataFrame(rows, columns=["date", "place", "status", "lat", "lon", "level"]))
    located, unresolved = locate_on_districts(reports, areas)
    return ControlTimeline(areas, located, unresolved=unresolved, level="district", aggregate="capital")


def test_province_wide_report_marks_evidence_and_leaves_same_date_district_alone(five_districts):
    timeline = district_timeline(
        five_districts,
        [
            ("2021-08-10", "P1 whole", "taliban", 33.5, 65.5, "province"),
            ("2021-08-10", "Twotown", "government", 33.5, 66.5, ""),
            ("2021-08-12", "Fourtown", "contested", 33.5, 68.5, ""),
        ],
    )
    table = timeline.long().set_index(["area_id", "date"])
    assert table.loc[("D1", D(2021, 8, 10)), "status"] == "taliban"
    wide = {"date": "2021-08-10", "place": "P1 whole", "status": "taliban", "source": "", "note": ""}
    assert table.loc[("D3", D(2021, 8, 10)), "evidence"] == [{**wide, "scope": "province-wide"}]
    assert table.loc[("D2", D(2021, 8, 10)), "status"] == "government"
    assert not table.loc[("D2", D(2021, 8, 10)), "conflict"]
    assert table.loc[("D2", D(2021, 8, 10)), "evidence"][0].get("scope") is None
    assert table.loc[("D4", D(2021, 8, 12)), "status"] == "contested"
    assert table.loc[("D5", D(2021, 8, 12)), "status"] == "unknown"
    assert list(table.columns[1:5]) == ["district_id", "district", "province_iso", "province"]
    assert timeline.describe_counts(on="2021-08-12") == [
        "Taliban control: 2 of 5 districts",
        "Contested: 1 of 5 districts",
        "Government or resistance control: 1 of 5 districts",
        "No report: 1 of 5 districts",
    ]
    wide = timeline.province_wide()
    assert wide[["place", "province_iso", "districts"]].values.tolist() == [["P1 whole", "AF-P1", 2]]
    # the province-wide report counts in 2 of its 3 districts (Twotown has its own report that day): 3 reports
    assert "3 located reports (4 rows: a province-wide report counts in each of its districts)" in repr(timeline)


def test_counts_per_province_and_both_rollup_rules(five_districts):
    timeline = district_timeline(
        five_districts,
        [
            ("2021-08-10", "Onetown", "taliban", 33.5, 65.5, ""),
            ("2021-08-10", "Threetown", "taliban", 33.5, 67.5, ""),
            ("2021-08-10", "Twotown", "government", 33.5, 66.5, ""),  # P1's capital district
            ("2021-08-11", "Fourtown", "taliban", 33.5, 68.5, ""),
            ("2021-08-11", "Fivetown", "government", 33.5, 69.5, ""),
        ],
    )
    counts = province_counts(timeline.long(), KEYS).set_index(["date", "province_iso"])
    assert counts.loc[(D(2021, 8, 10), "AF-P1"), [*KEYS, "districts"]].tolist() == [2, 0, 1, 0, 3]
    assert counts.loc[(D(2021, 8, 10), "AF-P2"), [*KEYS, "districts"]].tolist() == [0, 0, 0, 2, 2]
    by_capital = province_rollup(timeline.long(), keys=KEYS, labels=LABELS, unknown="unknown", capitals=CAPITALS)
    by_majority = province_rollup(
        timeline.long(), keys=KEYS, labels=LABELS, unknown="unknown", rule="majority", capitals=CAPITALS
    )
    capital = by_capital.set_index(["date", "province_iso"])
    majority = by_majority.set_index(["date", "province_iso"])
    # P1: the capital's district is held, two of three districts have fallen.
    assert capital.loc[(D(2021, 8, 10), "AF-P1"), ["status", "decided_by"]].tolist() == [
        "government",
        "capital district Two",
    ]
    assert majority.loc[(D(2021, 8, 10), "AF-P1"), ["status", "decided_by"]].tolist() == [
        "taliban",
        "2 of 3 known districts",
    ]
    # P2 on 10 August: nothing known yet; on 11 August a 1-1 tie is contested by majority.
    assert capital.loc[(D(2021, 8, 10), "AF-P2"), "status"] == "unknown"
    no_district = ["unknown", "no district known"]
    assert majority.loc[(D(2021, 8, 10), "AF-P2"), ["status", "decided_by"]].tolist() == no_district
    assert capital.loc[(D(2021, 8, 11), "AF-P2"), "status"] == "taliban"
    assert majority.loc[(D(2021, 8, 11), "AF-P2"), ["status", "decided_by"]].tolist() == [
        "contested",
        "1 of 2 known districts (tie)",
    ]


def test_rollup_rejects_unknown_rules_and_non_district_timelines(five_districts, square_timeline):
    timeline = district_timeline(five_districts, [("2021-08-10", "Onetown", "taliban", 33.5, 65.5, "")])
    with pytest.raises(InputError, match="unknown roll-up rule 'capitals'; use one of capital, majority"):
        timeline.rollup(rule="capitals")
    with pytest.raises(InputError, match="needs a district-level timeline"):
        square_timeline.rollup()
    with pytest.raises(InputError, match="these areas have no province"):
        square_timeline.summary(by="province")


def test_unknown_level_is_refused():
    with pytest.raises(InputError, match="level: unknown value 'county'; use one of province, district"):
        ControlTimeline.from_reports([{"date": "2021-08-01", "place": "Kabul", "status": "taliban"}], level="county")


def test_district_level_with_boundaries_is_refused(square_areas):
    with pytest.raises(InputError, match="give either the level or your own boundaries"):
        ControlTimeline.from_reports(
            [{"date": "2021-08-01", "place": "Kabul", "status": "taliban"}], boundaries=square_areas, level="district"
        )


# ----------------------------------------------------------------------------------------------------
# The bundled districts, end to end


@pytest.fixture(scope="module")
def districts():
    from geomap.levels import level_areas

    try:
        return level_areas("district")
    except InputError as exc:
        pytest.skip(str(exc))


def test_bundled_districts_have_ids_names_and_provinces(districts):
    from geomap.levels import capital_districts

    assert len(districts) == 398
    assert districts["area_id"].is_unique
    assert (districts["area_id"] == districts["district_id"]).all()
    assert districts["district"].str.len().gt(0).all()
    assert districts["province_iso"].nunique() == 34
    assert districts["province"].notna().all()
    assert districts.geometry.is_valid.all()
    capitals = capital_districts()
    by_id = districts.set_index("area_id")
    assert by_id.loc[capitals["AF-KAN"], "province_iso"] == "AF-KAN"
    assert (by_id.loc[capitals.to_numpy(), "province_iso"].to_numpy() == capitals.index.to_numpy()).all()


SPELLINGS = {
    # district name in the bundled file: spellings a report may use
    "Spin Boldak": ["Spin Boldak", "Spin Buldak", "Spinboldak"],
    "Panjwayi": ["Panjwayi", "Panjwai"],
    "Imam Sahib": ["Imam Sahib"],
    "Nirkh": ["Nerkh", "Nirkh", "Nirkh district"],
    "Puli Hisar": ["Pul-e Hesar", "Pul-e-Hisar", "Puli Hisar"],
}


@pytest.mark.parametrize("district", sorted(SPELLINGS))
def test_a_report_naming_a_district_colours_exactly_that_district(districts, district):
    reports = [{"date": "2021-07-14", "place": spelling, "status": "taliban"} for spelling in SPELLINGS[district]]
    timeline = ControlTimeline.from_reports(reports, level="district")
    assert timeline.unresolved.empty
    state = timeline.status()
    coloured = state.loc[state["status"] != "unknown", "area_id"].tolist()
    assert len(coloured) == 1
    assert districts.set_index("area_id").loc[coloured[0], "district"] == district


def test_capital_sets_its_district_and_province_report_the_rest(districts):
    from geomap.levels import capital_districts

    reports = [
        {"date": "2021-08-13", "place": "Kandahar province", "status": "taliban"},
        {"date": "2021-08-13", "place": "Kandahar", "status": "government"},
    ]
    timeline = ControlTimeline.from_reports(reports, level="district")
    state = timeline.status()
    kandahar = state[state["province_iso"] == "AF-KAN"].set_index("area_id")["status"]
    capital = capital_districts()["AF-KAN"]
    assert kandahar[capital] == "government"
    assert (kandahar.drop(capital) == "taliban").all() and len(kandahar) > 10
    assert (state.loc[state["province_iso"] != "AF-KAN", "status"] == "unknown").all()


# ----------------------------------------------------------------------------------------------------
# The command line at district level


def write_reports(path, rows):
    path.write_text("date,place,status\n" + "".join(f"{d},{p},{s}\n" for d, p, s in rows), encoding="utf-8")
    return path


def test_cli_export_at_district_level_carries_district_and_province(tmp_path, districts, capsys):
    import pyogrio

    from geomap.cli import main

    reports = write_reports(
        tmp_path / "r.csv", [("2021-07-14", "Spin Buldak", "taliban"), ("2021-08-13", "Kandahar", "taliban")]
    )
    out = tmp_path / "d.gpkg"
    assert main(["export", str(reports), "--level", "district", "-o", str(out)]) == 0
    table = pyogrio.read_dataframe(out)
    assert len(table) == 398 * 2
    assert {"district_id", "district", "province_iso", "province"} <= set(table.columns)
    assert "area_id" not in table.columns
    fallen = table[(table["status"] == "taliban") & (table["date"].astype(str) == "2021-08-13")]
    assert sorted(fallen["district"]) == ["Kandahar", "Spin Boldak"]
    assert set(fallen["province_iso"]) == {"AF-KAN"}
    assert table["district_id"].nunique() == 398


def test_cli_summary_counts_districts_and_by_province(tmp_path, districts, capsys):
    from geomap.cli import main

    reports = write_reports(
        tmp_path / "r.csv",
        [
            ("2021-07-14", "Spin Boldak", "taliban"),
            ("2021-07-14", "Panjwai", "taliban"),
            ("2021-07-15", "Kandahar", "government"),
        ],
    )
    assert main(["summary", str(reports), "--level", "district", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == ["2021-07-14,2,0,0,396", "2021-07-15,2,0,1,395"]
    assert main(["summary", str(reports), "--level", "district", "--by", "province", "--csv"]) == 0
    table = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    kandahar = table[table["province_iso"] == "AF-KAN"].set_index("date")
    assert kandahar.loc["2021-07-14", ["Taliban control", "No report", "status"]].tolist() == [2, 14, "No report"]
    assert kandahar.loc["2021-07-15", "status"] == "Government or resistance control"
    assert kandahar.loc["2021-07-15", "rule"] == "capital: capital district Kandahar"
    assert (table.groupby("date")["districts"].sum() == 398).all()
    assert (
        main(["summary", str(reports), "--level", "district", "--by", "province", "--rollup", "majority", "--csv"]) == 0
    )
    table = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert table.set_index(["date", "province_iso"]).loc[("2021-07-15", "AF-KAN"), "status"] == "Taliban control"
    assert main(["summary", str(reports), "--rollup", "majority"]) == 1
    assert "use it with --level district --by province" in capsys.readouterr().err


def test_cli_refuses_district_level_with_boundaries_and_province_only_reports_under_strict(tmp_path, districts, capsys):
    from geomap.cli import main

    rows = [("2021-08-15", "Spin Boldak", "taliban"), ("2021-08-15", "Helmand province", "taliban")]
    reports = write_reports(tmp_path / "r.csv", rows)
    out = tmp_path / "m.html"
    assert main(["map", str(reports), "--level", "district", "--boundaries", str(reports), "-o", str(out)]) == 1
    assert "--boundaries maps your own areas and --level district the bundled districts" in capsys.readouterr().err
    assert main(["map", str(reports), "--level", "district", "--strict", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "row 3, column 'place': 'Helmand province': names only a province, not a district" in err
    assert not out.exists() and not list(tmp_path.glob(".*tmp*"))
    assert main(["map", str(reports), "--level", "district", "--self-contained", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "1 report(s) name only a province and were applied to each of its districts" in err
    assert "'Helmand province' (row 3)" in err
    html = out.read_text(encoding="utf-8")
    assert '"noun": "districts"' in html or '"noun":"districts"' in html


def test_demo_at_district_level(tmp_path, districts, capsys):
    import json

    from geomap.cli import main
    from geomap.demo import example_reports

    out = tmp_path / "demo"
    assert main(["demo", "--level", "district", "-o", str(out)]) == 0
    html_path, geojson_path = out / "afghanistan-2021-districts.html", out / "afghanistan-2021-districts.geojson"
    assert capsys.readouterr().out.split() == [str(html_path), str(geojson_path)]
    features = json.loads(geojson_path.read_text(encoding="utf-8"))["features"]
    days = sorted(example_reports()["date"].unique())
    by_day = {
        day: [f["properties"] for f in features if f["properties"]["valid_from"] <= day < f["properties"]["valid_to"]]
        for day in days
    }
    assert all(len(rows) == 398 for rows in by_day.values())
    taliban = {day: sum(r["status"] == "taliban" for r in rows) for day, rows in by_day.items()}
    assert taliban["2021-05-11"] == 1  # Nerkh
    assert taliban["2021-07-14"] == 5  # and Imam Sahib, Panjwayi, Kohsan, Spin Boldak
    assert taliban["2021-09-06"] == 398
    panjshir = {r["status"] for r in by_day["2021-08-15"] if r["province_iso"] == "AF-PAN"}
    assert panjshir == {"government"}
    andarab = [r for r in by_day["2021-08-20"] if r["district"] in ("Andarab", "Dih Salah", "Puli Hisar")]
    assert [r["status"] for r in andarab] == ["government"] * 3
    wide = [r for r in by_day["2021-08-15"] if r["province_iso"] == "AF-HEL"]
    assert len(wide) > 10
    assert all(any(e.get("scope") == "province-wide" for e in json.loads(r["evidence"])) for r in wide)
