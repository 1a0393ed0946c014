"""District level: the bundled districts, district timelines, counts per province and roll-ups."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from shapely.geometry import box

from geomap.errors import InputError
from geomap.join import locate_on_districts
from geomap.levels import province_counts, province_rollup
from geomap.reports import read_reports
from geomap.scheme import AFGHANISTAN_2021
from geomap.timeline import ControlTimeline

D = dt.date
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
    with pytest.raises(InputError, match="unknown level 'county'; use one of province, district"):
        ControlTimeline.from_reports([{"date": "2021-08-01", "place": "Kabul", "status": "taliban"}], level="county")


def test_district_level_with_boundaries_is_refused(square_areas):
    with pytest.raises(InputError, match="give either the level or your own boundaries"):
        ControlTimeline.from_reports(
            [{"date": "2021-08-01", "place": "Kabul", "status": "taliban"}], boundaries=square_areas, level="district"
        )
