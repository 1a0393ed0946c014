"""Long exports written in batches bounded by bytes: the same file content whatever the batch size."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from test_timeline_engine import random_timeline

import geomap.export
import geomap.timeline
from geomap.errors import InputError
from geomap.export import _byte_slices, export, export_frame
from geomap.scheme import AFGHANISTAN_2021


@pytest.mark.parametrize(
    ("sizes", "limit", "want"),
    [
        ([], 10, []),
        ([4, 4, 4], 10, [(0, 2), (2, 3)]),
        ([4, 4, 4], 12, [(0, 3)]),
        ([4, 30, 4, 4], 10, [(0, 1), (1, 2), (2, 4)]),  # a row larger than the limit is a batch of its own
        ([30], 10, [(0, 1)]),
        ([0, 0, 5, 0], 5, [(0, 4)]),
        ([3, 3, 3], 1, [(0, 1), (1, 2), (2, 3)]),
    ],
)
def test_byte_slices(sizes, limit, want):
    assert _byte_slices(np.array(sizes, dtype=np.int64), limit) == want


def test_byte_slices_cover_every_row_once_within_the_limit():
    rng = np.random.default_rng(7)
    sizes = rng.integers(0, 5_000, 2_000)
    slices = _byte_slices(sizes, 20_000)
    assert slices[0][0] == 0 and slices[-1][1] == len(sizes)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(slices))
    for start, stop in slices:
        assert sizes[start:stop].sum() <= 20_000 or stop - start == 1
        # greedy: the next row would not have fitted
        assert stop == len(sizes) or sizes[start : stop + 1].sum() > 20_000


@pytest.fixture(params=["province", "district", None])
def timeline(request):
    return random_timeline(11, "latest", AFGHANISTAN_2021, request.param)


def _read_gpkg(path):
    table = pyogrio.read_dataframe(path, layer="control")
    wkb = shapely.to_wkb(table.geometry.to_numpy())
    return table.drop(columns="geometry"), wkb


@pytest.mark.parametrize("limit", [1])
def test_gpkg_in_small_batches_equals_one_batch(timeline, limit, tmp_path, monkeypatch):
    whole_table, whole_wkb = _read_gpkg(export(timeline, tmp_path / "whole.gpkg"))
    monkeypatch.setattr(geomap.export, "BATCH_BYTES", limit)  # one or two rows per transaction
    monkeypatch.setattr(geomap.timeline, "BATCH_ROWS", 1)
    small_table, small_wkb = _read_gpkg(export(timeline, tmp_path / "small.gpkg"))
    pd.testing.assert_frame_equal(small_table, whole_table)
    assert list(small_wkb) == list(whole_wkb)
    want = export_frame(timeline)
    assert len(small_table) == len(want)
    assert small_table["date"].dt.strftime("%Y-%m-%d").tolist() == want["date"].dt.strftime("%Y-%m-%d").tolist()
    assert small_table["evidence"].tolist() == want["evidence"].tolist()
    assert shapely.equals_exact(shapely.from_wkb(small_wkb), want.geometry.to_numpy(), 1e-12).all()


def test_gpkg_batches_hold_at_most_the_byte_limit_of_geometry(timeline, monkeypatch):
    areas = geomap.export._areas_4326(timeline)
    wkb = shapely.to_wkb(areas.geometry.to_numpy())
    limit = 2 * len(wkb[0])
    batches = geomap.export._batches(timeline, shape="long", as_of=None)
    written = list(geomap.export._wkb_batches(batches, wkb, limit=limit))
    assert sum(b.num_rows for b in written) == len(timeline.long())
    for batch in written:
        assert batch.column("geometry").nbytes - 4 * (batch.num_rows + 1) <= limit or batch.num_rows == 1


def test_a_failure_while_streaming_a_gpkg_is_raised_as_itself_and_nothing_is_written(timeline, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        yield from []
        raise InputError("the dates could not be decided")

    first = next(timeline.iter_long(evidence="json"))

    def one_then_broken(*args, **kwargs):
        yield first
        yield from broken()

    monkeypatch.setattr(type(timeline), "iter_long", one_then_broken)
    out = tmp_path / "long.gpkg"
    with pytest.raises(InputError, match="could not be decided"):
        export(timeline, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def _intervals_from_long(timeline):
    """The intervals shape the straightforward way: the whole long table, grouped by area, runs of one status."""
    table = timeline.long()
    days = pd.DatetimeIndex(timeline.reporting_dates).as_unit("ns")
    next_day = dict(zip(days, [*days[1:], days[-1] + pd.Timedelta(days=1)], strict=True))
    rows = []
    for _area, group in table.groupby("area_id", sort=True):
        group = group.sort_values("date")
        run = (group["status"] != group["status"].shift()).cumsum()
        for _, stretch in group.groupby(run, sort=False):
            first, last = stretch.iloc[0], stretch.iloc[-1]
            record = first.to_dict()
            record["valid_from"] = first["date"]
            record["valid_to"] = next_day[last["date"]]
            record["changed"] = bool(first["changed"])
            record["conflict"] = bool(stretch["conflict"].any())
            record["sources"] = "; ".join(dict.fromkeys(s for v in stretch["sources"] for s in v.split("; ") if s))
            unique = {json.dumps(e, sort_keys=True): e for v in stretch["evidence"] for e in v}
            record["evidence"] = json.dumps(list(unique.values()), ensure_ascii=False)
            rows.append(record)
    out = pd.DataFrame(rows).drop(columns=["date"])
    out = out.astype(dict.fromkeys(("valid_from", "valid_to", "since"), "datetime64[ns]"))
    out = out.sort_values(["valid_from", "area_id"], kind="stable").reset_index(drop=True)
    if timeline.provinces or timeline.level == "district":
        out = out.drop(columns=["area_id", "area_name"])
    return out


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("aggregate", ["latest", "majority", "capital"])
def test_streamed_intervals_equal_runs_of_the_long_table(seed, aggregate, monkeypatch):
    timeline = random_timeline(seed, aggregate, AFGHANISTAN_2021, [None, "province", "district"][seed % 3])
    want = _intervals_from_long(timeline)
    got = export_frame(timeline, shape="intervals").drop(columns="geometry")
    pd.testing.assert_frame_equal(got, want)
    # a few evidence reports per batch: the same rows
    monkeypatch.setattr(geomap.export, "INTERVAL_EVIDENCE", 2)
    monkeypatch.setattr(geomap.export, "INTERVAL_ROWS", 1)
    monkeypatch.setattr(geomap.timeline, "BATCH_ROWS", 1)
    small = export_frame(timeline, shape="intervals").drop(columns="geometry")
    pd.testing.assert_frame_equal(small, got)


def test_interval_evidence_lists_each_report_once_and_equal_reports_once(tmp_path):
    from geomap.pipeline import build_timeline

    csv = tmp_path / "reports.csv"
    csv.write_text(
        "date,place,status,source\n"
        "2021-08-01,Kabul,government,a; b\n"
        "2021-08-01,Kabul,government,a; b\n"  # the same report twice
        "2021-08-03,Kabul,government,c\n"
        "2021-08-05,Kabul,taliban,b\n"
        "2021-08-05,Herat,taliban,\n",
        encoding="utf-8",
    )
    timeline = build_timeline(csv)
    table = export_frame(timeline, shape="intervals")
    kabul = table[table["province_iso"] == "AF-KAB"]
    assert kabul["status"].tolist() == ["government", "taliban"]
    assert kabul["sources"].tolist() == ["a; b; c", "b"]
    first = json.loads(kabul["evidence"].iloc[0])
    assert [(e["date"], e["source"]) for e in first] == [("2021-08-01", "a; b"), ("2021-08-03", "c")]
    assert kabul["valid_to"].dt.strftime("%Y-%m-%d").tolist() == ["2021-08-05", "2021-08-06"]
