"""Long exports written in batches bounded by bytes: the same file content whatever the batch size."""

from __future__ import annotations

import itertools

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


@pytest.mark.parametrize("limit", [1, 150])
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
