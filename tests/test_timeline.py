from __future__ import annotations

import datetime as dt
import importlib

import pandas as pd
import pytest

import geomap.timeline
from geomap.boundaries import load_boundaries
from geomap.errors import GeocodeError, InputError
from geomap.scheme import load_scheme, make_scheme
from geomap.timeline import ControlTimeline

D = dt.date
T = pd.Timestamp  # dates in the timeline's tables (datetime64[ns])
FAKE_PLACES = {
    # query: (name, kind, province_iso, lat, lon)
    "Ghazni": ("Ghazni", "capital", "AF-GHA", 33.55, 68.42),
    "Ghazni province": ("Ghazni", "province", "AF-GHA", 33.3, 68.0),
    "Andar": ("Andar", "district", "AF-GHA", 33.3, 68.5),
    "Muqur": ("Muqur", "district", "AF-GHA", 32.9, 67.8),
    "Jaghori": ("Jaghori", "district", "AF-GHA", 33.1, 67.4),
    "Qarabagh": ("Qarabagh", "district", "AF-GHA", 33.2, 68.1),
    "Kabul": ("Kabul", "capital", "AF-KAB", 34.53, 69.17),
    "Herat": ("Herat", "capital", "AF-HER", 34.35, 62.2),
}


def fake_geocode(names, **kwargs):
    rows = []
    for q in names:
        if q in FAKE_PLACES:
            name, kind, iso, lat, lon = FAKE_PLACES[q]
            found = {"name": name, "kind": kind, "province_iso": iso, "province": "", "lat": lat, "lon": lon}
            rows.append({"query": q, **found, "confidence": 1.0, "method": "exact", "alternatives": "", "reason": ""})
        else:
            missing = {"name": None, "kind": None, "province_iso": None, "province": None}
            nowhere = {"lat": float("nan"), "lon": float("nan"), "confidence": 0.0}
            rows.append({"query": q, **missing, **nowhere, "method": "", "alternatives": "", "reason": "not found"})
    return pd.DataFrame(rows)


@pytest.fixture(autouse=True)
def _fake_geocoder(monkeypatch):
    # The default (offline) geocoder is swapped for the fake, so tests need not pass geocoder=.
    monkeypatch.setattr(importlib.import_module("geomap.geocode"), "geocode", fake_geocode)


def reports(*rows):
    return pd.DataFrame(rows, columns=["date", "place", "status", "source"])


def state(timeline, area, day):
    table = timeline.long().set_index(["area_id", "date"])
    return table.loc[(area, T(day))]


def test_latest_report_on_or_before_each_date():
    tl = ControlTimeline.from_reports(
        reports(
            ("2021-08-06", "Ghazni", "contested", "s1"),
            ("2021-08-12", "Ghazni", "taliban", "s2"),
            ("2021-08-09", "Kabul", "government", "s3"),
        )
    )
    assert tl.reporting_dates == [D(2021, 8, 6), D(2021, 8, 9), D(2021, 8, 12)]
    assert state(tl, "AF-GHA", "2021-08-06").status == "contested"
    assert state(tl, "AF-GHA", "2021-08-09").status == "contested"
    row = state(tl, "AF-GHA", "2021-08-12")
    assert (row.status, row.since, row.changed, row.sources) == ("taliban", T(2021, 8, 12), True, "s2")
    assert row.evidence == [{"date": "2021-08-12", "place": "Ghazni", "status": "taliban", "source": "s2", "note": ""}]
    assert state(tl, "AF-KAB", "2021-08-06").status == "unknown"
    assert state(tl, "AF-KAB", "2021-08-09").changed
    assert not state(tl, "AF-KAB", "2021-08-12").changed
    assert len(tl.long()) == 34 * 3


def test_since_spans_repeated_reports_of_same_status():
    tl = ControlTimeline.from_reports(
        reports(
            ("2021-08-01", "Ghazni", "contested", ""),
            ("2021-08-05", "Ghazni", "taliban", ""),
            ("2021-08-09", "Ghazni province", "taliban", ""),
        )
    )
    row = state(tl, "AF-GHA", "2021-08-09")
    assert row.since == T(2021, 8, 5) and not row.changed


def test_district_towns_follow_the_aggregation_rule():
    rows = reports(
        ("2021-08-01", "Ghazni", "government", "a"),
        ("2021-08-03", "Andar", "taliban", "b"),
        ("2021-08-04", "Muqur", "taliban", "c"),
    )
    capital = ControlTimeline.from_reports(rows)
    assert state(capital, "AF-GHA", "2021-08-04").status == "government"
    latest = ControlTimeline.from_reports(rows, aggregate="latest")
    assert state(latest, "AF-GHA", "2021-08-03").status == "taliban"
    majority = ControlTimeline.from_reports(rows, aggregate="majority")
    assert state(majority, "AF-GHA", "2021-08-03").status == "taliban"  # 1:1 tie, most recent wins
    assert state(majority, "AF-GHA", "2021-08-03").conflict
    row = state(majority, "AF-GHA", "2021-08-04")
    assert (row.status, row.conflict, row.since) == ("taliban", False, T(2021, 8, 3))
    assert {e["place"] for e in row.evidence} == {"Ghazni", "Andar", "Muqur"}  # every vote is evidence
    with pytest.raises(InputError, match="aggregate: unknown value 'sometimes'"):
        ControlTimeline.from_reports(rows, aggregate="sometimes")


def test_a_majority_tie_of_votes_as_recent_is_contested():
    rows = reports(
        ("2021-08-06", "Ghazni", "taliban", ""),
        ("2021-08-07", "Andar", "government", ""),
        ("2021-08-07", "Muqur", "government", ""),
        ("2021-08-07", "Jaghori", "taliban", ""),
    )
    tl = ControlTimeline.from_reports(rows, aggregate="majority")
    row = state(tl, "AF-GHA", "2021-08-07")
    # 2:2, and the newest vote of each side is of the same day: no side wins (before, the keys' order chose)
    assert (row.status, row.conflict, row.since) == ("contested", True, T(2021, 8, 7))
    assert {e["place"] for e in row.evidence} == {"Ghazni", "Andar", "Muqur", "Jaghori"}
    # without a contested status in the scheme, the first of the tied statuses, flagged
    statuses = [
        {"key": k, "color": c} for k, c in (("taliban", "#d7301f"), ("government", "#2166ac"), ("unknown", "#cccccc"))
    ]
    scheme = make_scheme(statuses)
    plain = state(ControlTimeline.from_reports(rows, aggregate="majority", scheme=scheme), "AF-GHA", "2021-08-07")
    assert (plain.status, plain.conflict) == ("government", True)


def test_a_place_whose_reports_disagree_is_a_conflict_under_majority_as_conflicts_lists_it():
    rows = reports(
        ("2021-08-10", "Ghazni", "taliban", ""),
        ("2021-08-10", "Ghazni", "government", ""),
        ("2021-08-10", "Andar", "taliban", ""),
        ("2021-08-10", "Muqur", "taliban", ""),
    )
    tl = ControlTimeline.from_reports(rows, aggregate="majority")
    row = state(tl, "AF-GHA", "2021-08-10")
    # Ghazni's own reports disagree (its vote is contested), and Andar and Muqur outvote it: taliban, flagged
    assert (row.status, row.conflict) == ("taliban", True)
    listed = tl.conflicts()
    assert listed[["area_id", "places"]].values.tolist() == [["AF-GHA", "Ghazni"]]
    assert tl.long().query("area_id == 'AF-GHA'")["conflict"].tolist() == [True]


def test_majority_since_starts_when_the_winner_changes():
    rows = reports(
        ("2021-08-01", "Ghazni", "government", ""),
        ("2021-08-01", "Jaghori", "government", ""),
        ("2021-08-03", "Andar", "taliban", ""),
        ("2021-08-04", "Qarabagh", "taliban", ""),
        ("2021-08-05", "Muqur", "taliban", ""),
    )
    tl = ControlTimeline.from_reports(rows, aggregate="majority")
    got = [(r.status, r.since, r.conflict) for r in tl.long().query("area_id == 'AF-GHA'").itertuples()]
    assert got == [
        ("government", T(2021, 8, 1), False),
        ("government", T(2021, 8, 1), False),  # 2 government against 1 taliban
        ("taliban", T(2021, 8, 4), True),  # a 2:2 tie goes to the most recent vote
        ("taliban", T(2021, 8, 4), False),
    ]
    assert tl.conflicts().empty  # places vote separately: no report contradicts another on one place


def test_reports_with_coordinates_and_district_level_do_not_set_the_province():
    rows = pd.DataFrame(
        {
            "date": ["2021-08-01", "2021-08-03", "2021-08-04"],
            "place": ["Ghazni", "a village", "a point"],
            "status": ["government", "taliban", "contested"],
            "lat": [None, 33.3, None],
            "lon": [None, 68.5, None],
            "level": ["", "district", ""],
        }
    )
    rows.loc[2, ["lat", "lon"]] = [33.5, 68.4]
    tl = ControlTimeline.from_reports(rows)
    assert state(tl, "AF-GHA", "2021-08-03").status == "government"
    assert state(tl, "AF-GHA", "2021-08-04").status == "contested"


def test_conflicting_reports_are_flagged_not_dropped():
    tl = ControlTimeline.from_reports(
        reports(("2021-08-12", "Herat", "taliban", "x"), ("2021-08-12", "Herat", "government", "y"))
    )
    row = state(tl, "AF-HER", "2021-08-12")
    assert row.conflict and row.status == "contested"
    assert [e["source"] for e in row.evidence] == ["x", "y"]
    assert row.sources == "x; y"
    listed = tl.conflicts()
    assert listed[["area_id", "date", "places", "sources"]].values.tolist() == [
        ["AF-HER", T(2021, 8, 12), "Herat", "x; y"]
    ]
    assert listed["statuses"].tolist() == [["taliban", "government"]]


def test_frequency_and_explicit_dates():
    rows = reports(("2021-08-01", "Kabul", "government", ""), ("2021-08-15", "Kabul", "taliban", ""))
    daily = ControlTimeline.from_reports(rows, freq="D")
    assert len(daily.reporting_dates) == 15
    weekly = ControlTimeline.from_reports(rows, freq="W")
    assert weekly.reporting_dates == [D(2021, 8, 1), D(2021, 8, 8), D(2021, 8, 15)]
    explicit = ControlTimeline.from_reports(rows, dates=["2021-07-30", "2021-08-10"])
    assert state(explicit, "AF-KAB", "2021-07-30").status == "unknown"
    assert state(explicit, "AF-KAB", "2021-08-10").status == "government"
    with pytest.raises(InputError, match="'2021-13-01': no such day in the calendar"):
        ControlTimeline.from_reports(rows, dates=["2021-13-01"])
    with pytest.raises(InputError, match="freq: unknown value 'M'"):
        ControlTimeline.from_reports(rows, freq="M")


def test_summary_status_and_counts():
    tl = ControlTimeline.from_reports(
        reports(
            ("2021-08-12", "Ghazni", "taliban", ""),
            ("2021-08-12", "Herat", "taliban", ""),
            ("2021-08-12", "Kabul", "government", ""),
        )
    )
    summary = tl.summary()
    assert summary.loc[T(2021, 8, 12)].to_dict() == {"taliban": 2, "contested": 0, "government": 1, "unknown": 31}
    assert tl.describe_counts()[0] == "Taliban control: 2 of 34 provinces"
    gdf = tl.status(on="2021-08-20")
    assert len(gdf) == 34 and gdf.crs.to_epsg() == 4326
    assert gdf.set_index("area_id").loc["AF-HER", "status"] == "taliban"
    assert tl.changes()["area_id"].tolist() == []  # a single reporting date has no previous one


def test_unresolved_listed_and_strict(tmp_path):
    rows = reports(("2021-08-12", "Ghazni", "taliban", ""), ("2021-08-12", "Doha", "government", ""))
    tl = ControlTimeline.from_reports(rows)
    assert tl.unresolved["place"].tolist() == ["Doha"]
    assert tl.unresolved["reason"].tolist() == ["not found"]
    with pytest.raises(GeocodeError, match=r"row 2, column 'place': 'Doha': not found; 1 report\(s\)"):
        ControlTimeline.from_reports(rows, strict=True)


def test_user_boundaries_with_coordinates(tmp_path, squares):
    path = tmp_path / "squares.gpkg"
    squares.to_file(path)
    areas = load_boundaries(path, id_field="code", name_field="label")
    rows = pd.DataFrame(
        {
            "date": ["2021-08-01", "2021-08-02"],
            "place": ["p", "q"],
            "status": ["taliban", "contested"],
            "lat": [33.5, 33.5],
            "lon": [65.5, 67.5],
        }
    )
    tl = ControlTimeline.from_reports(rows, boundaries=areas)
    assert tl.area_noun == "areas"
    assert tl.summary().loc[T(2021, 8, 2)].to_dict() == {"taliban": 1, "contested": 1, "government": 0, "unknown": 1}
    assert "province_iso" not in tl.long().columns


def test_repr_html_escapes_text():
    tl = ControlTimeline.from_reports(reports(("2021-08-12", "Ghazni", "taliban", "<script>x</script>")))
    html = tl._repr_html_()
    assert "<table>" in html and "Taliban control" in html and "<script>" not in html


def test_district_timeline_from_shared_data(districts_path):
    districts = load_boundaries(districts_path, id_field="shapeID", name_field="shapeName")
    kabul = districts.geometry.representative_point()
    # Two district points and one province-wide report (Ghazni, spread over its districts).
    pick = districts.iloc[[10, 200]]
    points = kabul.loc[pick.index]
    rows = pd.DataFrame(
        {
            "date": ["2021-08-10", "2021-08-12", "2021-08-12"],
            "place": ["first", "second", "Ghazni province"],
            "status": ["taliban", "contested", "taliban"],
            "lat": [points.iloc[0].y, points.iloc[1].y, None],
            "lon": [points.iloc[0].x, points.iloc[1].x, None],
            "level": ["district", "district", "province"],
        }
    )
    tl = ControlTimeline.from_reports(rows, boundaries=districts)
    last = tl.status(on="2021-08-12").set_index("area_id")
    assert len(last) == 398
    assert last.loc[pick.iloc[0]["area_id"], "status"] == "taliban"
    assert last.loc[pick.iloc[1]["area_id"], "status"] == "contested"
    ghazni = tl.reports.loc[tl.reports["place"] == "Ghazni province", "area_id"]
    assert len(ghazni) >= 10
    assert (last.loc[ghazni, "status"] == "taliban").all()
    counts = tl.summary().loc[T(2021, 8, 12)]
    assert counts["taliban"] == 1 + len(ghazni) - int(pick.iloc[0]["area_id"] in set(ghazni))


def test_a_scheme_names_its_contested_status():
    statuses = [
        {"key": "north", "color": "#d7301f"},
        {"key": "south", "color": "#2166ac"},
        {"key": "fighting", "color": "#f9a825"},
        {"key": "unknown", "label": "No report", "color": "#d9d9d9"},
    ]
    disagreeing = reports(("2021-08-12", "Herat", "north", "x"), ("2021-08-12", "Herat", "south", "y"))
    named = make_scheme(statuses, contested="fighting")
    row = state(ControlTimeline.from_reports(disagreeing, scheme=named), "AF-HER", "2021-08-12")
    assert row.conflict and row.status == "fighting"
    # without one, the last report in input order shows
    unnamed = make_scheme(statuses)
    row = state(ControlTimeline.from_reports(disagreeing, scheme=unnamed), "AF-HER", "2021-08-12")
    assert row.conflict and row.status == "south"
    assert named.conflict_key == "fighting" and unnamed.conflict_key is None
    with pytest.raises(InputError, match=r"the contested status 'battle' is not among \['north', 'south'"):
        make_scheme(statuses, contested="battle")


def test_the_contested_status_of_a_scheme_file(tmp_path):
    from geomap.render.style import hatched

    path = tmp_path / "scheme.json"
    path.write_text(
        '{"contested": "fighting", "statuses": [{"key": "a", "color": "#d7301f"}, '
        '{"key": "fighting", "color": "#f9a825"}, {"key": "unknown", "color": "#d9d9d9"}]}'
    )
    scheme = load_scheme(path)
    assert [hatched(k, scheme) for k in scheme.keys] == [False, True, False]
    assert scheme.to_dict()["contested"] == "fighting"


def test_a_tied_province_rollup_shows_the_schemes_contested_status():
    from geomap.pipeline import build_timeline

    statuses = [
        {"key": "north", "color": "#d7301f"},
        {"key": "south", "color": "#2166ac"},
        {"key": "fighting", "color": "#f9a825"},
        {"key": "unknown", "color": "#d9d9d9"},
    ]
    rows = [  # the towns of Imam Sahib and Khanabad, two districts of Kunduz
        {"date": "2021-08-01", "place": "a", "status": "north", "lat": 37.18, "lon": 68.91},
        {"date": "2021-08-01", "place": "b", "status": "south", "lat": 36.68, "lon": 69.11},
    ]
    timeline = build_timeline(rows, level="district", scheme=make_scheme(statuses, contested="fighting"))
    rollup = timeline.rollup(rule="majority").set_index("province_iso")
    assert rollup.loc["AF-KDZ", "status"] == "fighting"


def test_counts_and_rollups_build_no_evidence(monkeypatch):
    # the evidence text costs seconds at millions of reports; counting statuses needs none of it
    rows = reports(("2021-08-06", "Ghazni", "taliban", ""), ("2021-08-07", "Herat", "government", ""))
    tl = ControlTimeline.from_reports(rows)
    expected = tl.summary()

    def refuse(*args, **kwargs):
        raise AssertionError("evidence built")

    monkeypatch.setattr(geomap.timeline, "_evidence_columns", refuse)
    pd.testing.assert_frame_equal(tl.summary(), expected)
    assert tl.summary().loc["2021-08-07", ["taliban", "government"]].tolist() == [1, 1]
    assert len(tl.summary(by="province")) == 2 * 34
