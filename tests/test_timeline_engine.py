"""The columnar timeline engine gives exactly the row-wise rules' results (tests/rowwise_timeline.py).

Random small inputs cover every rule: capital / latest / majority, schemes with and without a
contested status, same-day disagreements, repeated reports, reporting dates before the first
report and between report dates, areas listed out of id order, and areas with no report.
"""

from __future__ import annotations

import datetime as dt
import random

import geopandas as gpd
import pandas as pd
import pytest
import rowwise_timeline as rowwise
from shapely.geometry import box

from geomap.scheme import AFGHANISTAN_2021, make_scheme
from geomap.timeline import ControlTimeline

NO_CONTESTED = make_scheme(
    [
        {"key": "red", "color": "#ff0000"},
        {"key": "blue", "color": "#0000ff"},
        {"key": "green", "color": "#00ff00"},
        {"key": "none", "label": "No report", "color": "#cccccc"},
    ],
    unknown="none",
)
START = dt.date(2021, 8, 1)


def random_timeline(seed: int, aggregate: str, scheme, level: str | None) -> ControlTimeline:
    rng = random.Random(seed)
    ids = ["AF-KAB", "AF-GHA", "AF-HER", "AF-BAL", "AF-ZAB"][: rng.randint(1, 5)]
    rng.shuffle(ids)
    areas = gpd.GeoDataFrame(
        {"area_id": ids, "area_name": [f"Area {i}" for i in ids]},
        geometry=[box(k, 0, k + 1, 1) for k in range(len(ids))],
        crs="EPSG:4326",
    )
    if level == "district":
        areas["district_id"] = areas["area_id"]
        areas["district"] = areas["area_name"]
        areas["province_iso"] = "AF-" + areas["area_id"].str[-1]
        areas["province"] = "Province " + areas["area_id"].str[-1]
    statuses = [s for s in scheme.keys if s != scheme.unknown]
    places = [f"place{k}" for k in range(rng.randint(1, 4))]
    kinds = ["capital", "province", "district", "given", "town"]
    n = rng.choice([0, 1, 2, 5, 12, 30])
    rows = []
    for k in range(n):
        area = rng.choice(ids[: max(1, len(ids) - 1)])  # the last area often gets no report
        rows.append(
            {
                "row": k + 2,
                "date": pd.Timestamp(START + dt.timedelta(days=rng.randrange(8))),
                "place": rng.choice(places),
                "status": rng.choice(statuses),
                "source": rng.choice(["", f"https://example.org/{k}", "https://example.org/same"]),
                "note": rng.choice(["", "a note"]),
                "area_id": area,
                "area_name": f"Area {area}",
                "kind": rng.choice(kinds),
            }
        )
    columns = ["row", "date", "place", "status", "source", "note", "area_id", "area_name", "kind"]
    reports = pd.DataFrame(rows, columns=columns)
    reports["date"] = pd.to_datetime(reports["date"])
    if level == "district":
        reports["scope"] = [rng.choice(["", "province-wide"]) for _ in range(n)]
    if rng.random() < 0.8:
        reports["name"] = reports["place"].str.upper()
    dates = None
    if rng.random() < 0.5:
        dates = sorted({START + dt.timedelta(days=rng.randrange(-2, 11)) for _ in range(rng.randint(1, 7))})
    elif n == 0:
        dates = [START]
    return ControlTimeline(
        areas,
        reports,
        scheme=scheme,
        reporting_dates=dates,
        aggregate=aggregate,
        provinces=level == "province",
        level=level,
    )


CASES = [
    (seed, aggregate, scheme, level)
    for seed in range(10)
    for aggregate in ("capital", "latest", "majority")
    for scheme, level in ((AFGHANISTAN_2021, "province"), (NO_CONTESTED, None), (AFGHANISTAN_2021, "district"))
]


@pytest.mark.parametrize(("seed", "aggregate", "scheme", "level"), CASES)
def test_columnar_engine_matches_rowwise_rules(seed, aggregate, scheme, level):
    tl = random_timeline(seed, aggregate, scheme, level)
    expected = _datetimes(rowwise.evaluate(tl, tl.reporting_dates, compare=True))
    pd.testing.assert_frame_equal(tl.long(), expected)
    for day in {tl.reporting_dates[0] - dt.timedelta(days=1), tl.reporting_dates[-1], START + dt.timedelta(days=5)}:
        got = pd.DataFrame(tl.status(on=day).drop(columns="geometry"))
        want = _datetimes(rowwise.status_on(tl, day))
        want = want.set_index("area_id").reindex(tl.areas["area_id"]).reset_index()
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
        assert got["date"].dtype == got["since"].dtype == "datetime64[ns]"
    got = tl.conflicts()
    assert got["date"].dtype == "datetime64[ns]"
    pd.testing.assert_frame_equal(got, _datetimes(rowwise.conflicts(tl)), check_dtype=False)


def _datetimes(frame: pd.DataFrame) -> pd.DataFrame:
    """The oracle's tables with its ``datetime.date`` columns as the engine's ``datetime64[ns]``."""
    for column in ("date", "since"):
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame


def test_random_cases_exercise_every_rule():
    """The random inputs above do reach conflicts, changes, unknown areas and majority ties."""
    seen = {"conflict": 0, "changed": 0, "unknown": 0, "tie": 0}
    for seed in range(40):
        for aggregate in ("latest", "majority"):
            tl = random_timeline(seed, aggregate, AFGHANISTAN_2021, None)
            long = rowwise.evaluate(tl, tl.reporting_dates, compare=True)
            seen["conflict"] += int(long["conflict"].sum())
            seen["changed"] += int(long["changed"].sum())
            seen["unknown"] += int((long["status"] == "unknown").sum())
            if aggregate == "majority":
                seen["tie"] += int((long["conflict"] & long["status"].ne("contested")).sum())
    assert all(count > 5 for count in seen.values()), seen


def test_evidence_is_kept_as_report_rows():
    tl = random_timeline(3, "latest", AFGHANISTAN_2021, "district")
    table = tl.long()
    refs = tl.evidence_rows()
    for k, records in enumerate(table["evidence"]):
        rows = tl.reports.iloc[refs[k]]
        assert [r["place"] for r in records] == rows["place"].tolist()
        assert [r["source"] for r in records] == rows["source"].tolist()


def test_counting_sort_and_arrow_lookups_equal_numpy_and_pandas():
    import numpy as np

    from geomap._columnar import _track_day_order, positions_in

    rng = np.random.default_rng(1)
    track, day = rng.integers(0, 400, 200_000), rng.integers(18_000, 19_100, 200_000)
    np.testing.assert_array_equal(_track_day_order(track, day), np.lexsort((day, track)))
    values = pd.Series(["b", "a", None, "zz", "a", "c"] * 1000, dtype="string[pyarrow]")
    candidates = ["a", "b", "c"]
    expected = pd.Index(candidates).get_indexer(values)
    np.testing.assert_array_equal(positions_in(values, candidates), expected)
    np.testing.assert_array_equal(positions_in(values.astype(object), candidates), expected)
    assert positions_in(values[:0], candidates).tolist() == []


def test_positions_of_a_column_taken_by_codes_come_from_its_codes_in_any_width():
    import numpy as np

    from geomap._columnar import positions_in
    from geomap.join import _take

    ids = np.array(["AF-KAB", "AF-HER", "AF-BAL"], dtype=object)
    column = pd.Series(_take(ids, np.array([2, 0, 0, 1, 2])))
    candidates = ["AF-BAL", "AF-HER"]  # AF-KAB is not one
    for narrow, dtype in ((False, np.int64), (True, np.int8)):
        found = positions_in(column, candidates, narrow=narrow)
        assert found.dtype == dtype and found.tolist() == [0, -1, -1, 1, 0]


def test_categories_are_looked_up_once_each_into_narrow_positions():
    import numpy as np

    from geomap._columnar import positions_in

    values = pd.Series(pd.Categorical(["b", "a", None, "zz", "a", "c"] * 1000, categories=["zz", "c", "b", "a", "q"]))
    candidates = ["a", "b", "c"]
    expected = pd.Index(candidates).get_indexer(values.astype(object))
    assert expected[:6].tolist() == [1, 0, -1, -1, 0, 2]
    narrow = positions_in(values, candidates, narrow=True)
    assert narrow.dtype == np.int8
    np.testing.assert_array_equal(narrow, expected)
    wide = positions_in(values, candidates)
    assert wide.dtype == np.int64
    np.testing.assert_array_equal(wide, expected)
    # a missing value matches a missing candidate, as get_indexer does
    with_missing = positions_in(values, ["a", None, "b"], narrow=True)
    assert with_missing[:6].tolist() == [2, 0, 1, -1, 0, -1]
    assert positions_in(values[:0], candidates, narrow=True).dtype == np.int8


@pytest.mark.parametrize("slice_rows", [7, 1000, 1 << 20, None])
def test_counting_sort_in_slices_equals_a_stable_sort(slice_rows):
    import numpy as np

    from geomap._columnar import _counting_sort, _key_order_counts

    rng = np.random.default_rng(5)
    for n, keys in ((5_000, 50), (5_000, 3_000), (1, 1), (40, 4)):
        key = rng.integers(0, keys, n).astype(np.int32)
        order = _counting_sort(key, keys, slice_rows=slice_rows)
        assert order is not None and order.dtype == np.int32
        np.testing.assert_array_equal(order, np.argsort(key, kind="stable"))
        counted = _counting_sort(key, keys, np.bincount(key, minlength=keys), slice_rows=slice_rows)
        np.testing.assert_array_equal(counted, order)
        ordered, counts = _key_order_counts(key, keys, slice_rows)
        np.testing.assert_array_equal(ordered, order)
        np.testing.assert_array_equal(counts, np.bincount(key, minlength=keys))


def test_distinct_days_equal_numpy_unique():
    import numpy as np

    from geomap._columnar import distinct_days

    rng = np.random.default_rng(4)
    days = (np.datetime64("2019-01-01") + rng.integers(0, 1095, 50_000)).astype("datetime64[D]")
    with_nat = np.append(days, np.array(["NaT", "NaT"], dtype="datetime64[D]"))
    far_apart = np.array(["1700-01-01", "2200-01-01", "1700-01-01"], dtype="datetime64[D]")
    for values in (days, with_nat, far_apart, days[:0], with_nat[-1:]):
        np.testing.assert_array_equal(distinct_days(values), np.unique(values))


@pytest.mark.parametrize("place", [False, True])
def test_engine_sorting_a_slice_at_a_time_decides_as_sorting_at_once(place, monkeypatch):
    import dataclasses

    import numpy as np

    import geomap._columnar
    from geomap._columnar import decide

    monkeypatch.setattr(geomap._columnar, "_SORT_SLICE", 7)
    rng = np.random.default_rng(8)
    n = 5_000  # more than the (track, day) keys: sorted in slices
    arrays = (
        rng.integers(0, 12, n).astype(np.int16),  # area
        rng.integers(18_800, 18_860, n).astype(np.int32),  # day
        rng.integers(0, 4, n).astype(np.int8),  # status
        None,
        np.arange(18_790, 18_870, 3),
    )
    options = {"n_areas": 12, "unknown": 0, "contested": 3, "place": rng.integers(0, 5, n) if place else None}
    frugal, at_once = decide(*arrays, frugal=True, **options), decide(*arrays, **options)
    assert at_once.conflict.any() and (at_once.status != 0).any()
    for field in dataclasses.fields(at_once):
        np.testing.assert_array_equal(getattr(frugal, field.name), getattr(at_once, field.name))


@pytest.mark.parametrize("slice_rows", [7, 1 << 20])
def test_report_days_counted_a_slice_at_a_time_equal_numpy_unique(slice_rows, monkeypatch):
    import numpy as np

    import geomap.pipeline

    monkeypatch.setattr(geomap.pipeline, "_DAYS_SLICE", slice_rows)
    rng = np.random.default_rng(5)
    days = np.datetime64("2020-02-27") + rng.integers(0, 9, 50)  # across a leap day
    dates = pd.Series(days.astype("datetime64[ns]"))
    with_nat = pd.Series(np.append(days, np.datetime64("NaT")).astype("datetime64[ns]"))
    for column in (dates, with_nat, dates[:0]):
        seen = geomap.pipeline._observed_days(pd.DataFrame({"date": column}))
        assert seen.dtype == np.dtype("datetime64[D]")
        np.testing.assert_array_equal(seen, np.unique(column.to_numpy().astype("datetime64[D]")))
