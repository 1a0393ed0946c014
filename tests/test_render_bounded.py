"""Bounded pages: the map's size follows areas x dates and a report budget, not the number of reports."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geomap.errors import InputError
from geomap.render import control_map, map_html
from geomap.render.mapdata import map_data
from geomap.render.page import COUNT_ALPHABET, page_payload
from geomap.timeline import ControlTimeline

START = dt.date(2021, 8, 1)


def timeline_of(rows, dates=None) -> ControlTimeline:
    areas = gpd.GeoDataFrame(
        {"area_id": ["A", "B"], "area_name": ["Alpha", "Beta"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )
    reports = pd.DataFrame(rows, columns=["area_id", "day", "place", "status", "source"])
    reports["date"] = pd.to_datetime([START + dt.timedelta(days=d) for d in reports.pop("day")])
    reports["area_name"] = reports["area_id"].map({"A": "Alpha", "B": "Beta"})
    reports["note"] = ""
    reports["row"] = range(2, len(reports) + 2)
    return ControlTimeline(areas, reports, reporting_dates=dates, aggregate="latest", provinces=False)


def test_an_area_date_carries_its_latest_reports_and_counts_the_rest():
    rows = [("A", 0, f"village {k}", "taliban", f"https://example.org/{k}") for k in range(12)]
    data = map_data(timeline_of(rows), max_evidence=5)
    assert len(data.reports) == 5
    assert [r["place"] for r in data.reports] == [f"village {k}" for k in range(7, 12)]
    assert data.evidence[0] == [(0, [0, 1, 2, 3, 4])]
    assert data.counts.tolist() == [[12], [0]]
    assert page_payload(data)["counts"] == [COUNT_ALPHABET[12], "0"]


def test_page_report_budget_keeps_the_last_date_and_the_changes():
    statuses = ["taliban", "taliban", "government", "government", "government", "contested"]
    rows = [("A", d, f"town {d}", s, "") for d, s in enumerate(statuses)]
    data = map_data(timeline_of(rows), max_reports=2)
    kept = {r["place"] for r in data.reports}
    # The last date (a change too) first, then the newest other change; same-status days go without.
    assert kept == {"town 5", "town 2"}
    runs = dict(data.evidence[0])
    assert runs[5] == [next(k for k, r in enumerate(data.reports) if r["place"] == "town 5")]
    assert runs[3] == []  # counted, not carried
    assert data.counts[0].tolist() == [1] * 6


def test_page_size_does_not_follow_the_number_of_reports():
    def page(n):
        rows = [("AB"[k % 2], k % 30, f"site {k}", ("taliban", "government")[k % 3 % 2], f"u{k}") for k in range(n)]
        return len(map_html(control_map(timeline_of(rows), self_contained=True, tiles="none")))

    small, large = page(300), page(6000)
    assert large < small * 1.2


def test_since_between_reporting_dates_is_sent():
    rows = [("A", 0, "x", "contested", ""), ("A", 3, "x", "taliban", "")]
    data = map_data(timeline_of(rows, dates=[START + dt.timedelta(days=d) for d in (0, 7)]))
    # On the second date Alpha has been taliban since day 3, which is not a reporting date.
    assert data.since[0] == [(1, "2021-08-04")]
    assert data.since[1] == []


def test_conflicts_travel_as_bits_whatever_their_number():
    from geomap.render.page import conflict_flags

    # date 4j + k in bit k of hex digit j; trailing zeros left out
    assert conflict_flags([[], [0], [3, 4, 9], list(range(10))], 10) == ["", "1", "812", "ff3"]
    assert conflict_flags([[0, 1094]], 1095) == ["1" + "0" * 272 + "4"]
    # Every date of A in conflict (two statuses each day): one hex digit per four dates.
    rows = [("A", day, "village", status, "") for day in range(40) for status in ("taliban", "government")]
    data = map_data(timeline_of(rows))
    assert data.conflict == [list(range(40)), []]
    assert page_payload(data)["conflict"] == ["f" * 10, ""]


@pytest.mark.parametrize(
    ("n_dates", "days", "shown"),
    [
        (4, [3, -1], "-1"),  # would flag the last date
        (4, [4], "4"),  # past the last hex digit
        (5, [5], "5"),  # on a bit of the last hex digit that no date has
    ],
)
def test_a_conflict_outside_the_dates_is_refused(n_dates, days, shown):
    from geomap.render.page import conflict_flags

    with pytest.raises(InputError, match=f"conflict of area 1 on date number {shown}; there are {n_dates} dates"):
        conflict_flags([[0], days], n_dates)
    assert conflict_flags([[0], [n_dates - 1]], n_dates) == ["1", "8" if n_dates == 4 else "01"]


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("0" * 5 + "3" * 360, "~05,3360"),  # a district's year: unknown, then one status
        ("2" * 20, "~220"),
        ("0123456789" * 3, "0123456789" * 3),  # a change every day: as it is
        ("3300", "3300"),  # short strings are never compacted
    ],
)
def test_per_date_strings_are_sent_as_runs_when_shorter(text, sent):
    from geomap.render.page import compact_runs, expand_runs

    assert compact_runs(text) == sent
    assert expand_runs(sent) == text
    assert len(compact_runs(text)) <= len(text)
