"""What keeps the export's memory bounded at millions of reports: narrow engine arrays, chunks that
keep nothing of the chunk before, text taken as it goes by, conflicts found on codes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import geomap._chunked
import geomap._fastcsv
import geomap.timeline
from geomap._chunked import RowPicker, compact_text, plain_csv_chunks, same_type, text_column
from geomap._columnar import _groups, _track_day_key, code_dtype, index_dtype
from geomap.join import locate_on_districts
from geomap.levels import level_areas
from geomap.pipeline import build_timeline, build_timeline_lean
from geomap.reports import read_reports
from geomap.timeline import _conflict_days, _disagree, _take_rows


def test_engine_keeps_report_positions_and_keys_narrow(tmp_path):
    track = np.array([2, 0, 2, 1, 0], dtype=np.int16)
    day = np.array([18_850, 18_851, 18_850, 18_852, 18_851], dtype=np.int32)
    status = np.array([1, 0, 2, 1, 0], dtype=np.int8)
    groups = _groups(track, day, status, np.arange(5, dtype=np.int32), contested=3)
    assert groups.rows.dtype == np.int32
    assert groups.rows.tolist() == [1, 4, 3, 0, 2]  # (track, day) order, input order within
    assert groups.decided.tolist() == [0, 1, 3]  # the last group disagrees: contested
    own = _groups(track, day, status, None, contested=3)  # every report counts: positions are the order
    assert own.rows.dtype == np.int32 and own.rows.tolist() == groups.rows.tolist()
    assert own.offsets.tolist() == groups.offsets.tolist() and own.decided.tolist() == groups.decided.tolist()
    key, span, low = _track_day_key(track, day)
    assert key.dtype == np.int32 and (span, low) == (3, 18_850)
    wide, _, _ = _track_day_key(np.array([0, 3_000_000]), np.array([0, 1_000]))
    assert wide.dtype == np.int64  # 3 million areas x 1,001 days do not fit in int32
    assert (code_dtype(398), code_dtype(128), code_dtype(127), index_dtype(5_000_000)) == (
        np.int16,
        np.int16,
        np.int8,
        np.int32,
    )


def test_report_positions_beyond_int32_stay_whole():
    # positions index the whole reports table: a part of it may hold positions past 2**31
    track = np.array([0, 0], dtype=np.int8)
    day = np.array([100, 101], dtype=np.int32)
    far = np.array([2**31 + 5, 2**31 + 7], dtype=np.int64)
    groups = _groups(track, day, np.array([1, 2], dtype=np.int8), far, None)
    assert groups.rows.dtype == np.int64
    assert groups.rows.tolist() == [2**31 + 5, 2**31 + 7]


@pytest.mark.parametrize(
    ("aggregate", "level", "kept"),
    [
        ("capital", "district", set()),
        ("latest", "province", set()),
        ("capital", "province", {"kind"}),
        ("majority", "district", {"name"}),
    ],
)
def test_lean_reports_keep_name_and_kind_only_where_the_rule_reads_them(tmp_path, monkeypatch, aggregate, level, kept):
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)  # the chunked path, even for a tiny file
    path = tmp_path / "reports.csv"
    path.write_text(
        "date,place,status,source\n2021-08-12,Ghazni,taliban,a\n2021-08-15,Kabul,taliban,b\n"
        "2021-08-15,Kabul,government,c\n2021-08-16,Herat,government,d\n",
        encoding="utf-8",
    )
    lean = build_timeline_lean(path, level=level, aggregate=aggregate)
    assert {"name", "kind"} & set(lean.reports.columns) == kept
    whole = build_timeline(path, level=level, aggregate=aggregate)
    assert {"name", "kind"} <= set(whole.reports.columns)
    pd.testing.assert_frame_equal(lean.long(), whole.long())


def test_timeline_decides_on_narrow_arrays():
    timeline = build_timeline_lean(
        [
            {"date": "2021-08-12", "place": "Ghazni", "status": "taliban"},
            {"date": "2021-08-15", "place": "Kabul", "status": "taliban"},
            {"date": "2021-08-15", "place": "Kabul", "status": "government"},
        ],
        level="district",
    )
    decisions = timeline._decisions()
    assert decisions.rows.dtype == np.int32
    assert sorted(decisions.rows.tolist()) == [0, 1, 2]
    assert len(timeline.conflict_days()) == 1


def test_empty_unresolved_table_holds_none_of_the_reports_buffers():
    reports = read_reports(
        pd.DataFrame(
            {"date": ["2021-08-15"] * 2_000, "place": ["x" * 200] * 2_000, "status": ["taliban"] * 2_000}
        ).assign(lat=34.5, lon=69.2)
    )
    located, unresolved = locate_on_districts(reports, level_areas("district"))
    assert len(located) == 2_000 and len(unresolved) == 0
    held = sum(
        unresolved[c].array._pa_array.get_total_buffer_size()
        for c in unresolved.columns
        if hasattr(unresolved[c].array, "_pa_array")
    )
    assert held < 10_000  # a slice of no rows would keep every text column's 400 KB


def test_chunks_are_gathered_from_small_blocks(tmp_path, monkeypatch):
    path = tmp_path / "reports.csv"
    path.write_text("date,place,status\n" + "".join(f"2021-08-{1 + k % 28:02d},p{k},taliban\n" for k in range(3_000)))
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    monkeypatch.setattr(geomap._chunked, "READ_BLOCK", 1 << 10)
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 1 << 13)
    chunks = list(plain_csv_chunks(path, delimiter=","))
    sizes = [len(frame) for frame, _rows in chunks]
    assert sum(sizes) == 3_000 and len(chunks) > 3
    assert all(200 <= size <= 400 for size in sizes[:-1])  # ~8 KB each (about 30 bytes a row), from 1 KB blocks
    rows = np.concatenate([rows for _frame, rows in chunks])
    assert rows.tolist() == list(range(2, 3_002))
    assert chunks[-1][0]["place"].iloc[-1] == "p2999"


@pytest.mark.parametrize("kind", ["runs", "shuffled"])
def test_row_picker_takes_rows_as_the_chunks_go_by(kind):
    rng = np.random.default_rng(3)
    values = [f"text {k}" for k in range(500)]
    # runs: each chunk's own rows rising, then the province-wide ones rising
    runs = np.r_[np.arange(0, 500, 3), np.arange(1, 500, 7)]
    rows = runs if kind == "runs" else rng.permutation(500)[:300]
    picker = RowPicker(rows)
    for start in range(0, 500, 64):
        picker.add(compact_text(pa.array(values[start : start + 64])))
    got = picker.result()
    assert got.to_pylist() == [values[r] for r in rows]
    if kind == "runs":
        assert picker.order is None  # taken in order, no copy at the end


def test_small_dictionaries_take_narrow_codes_and_unify():
    a = compact_text(pa.array([f"a{k % 100}" for k in range(1_000)]))
    b = compact_text(pa.array([f"b{k % 300}" for k in range(1_000)]))
    assert a.type.index_type == pa.int8() and b.type.index_type == pa.int16()
    chunks = same_type([a, b])
    assert {c.type.index_type for c in chunks} == {pa.int16()}
    column = text_column(pa.chunked_array(chunks))
    assert column.dtype == "category" and len(column.cat.categories) == 400
    assert column.tolist() == a.to_pylist() + b.to_pylist()
    assert list(column.cat.categories) == sorted(column.cat.categories)


def test_dictionary_chunks_become_the_category_arrow_unifies():
    # missing values, a dictionary value no row uses, index types of different widths, an empty chunk
    def coded(indices: list[int | None], values: list[str]) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int8()), pa.array(values, pa.large_string()))

    a = coded([0, 1, None, 1, 0], ["kabul", "herat", "unused"])
    b = compact_text(pa.array([f"d{k % 200}" for k in range(500)] + [None]))
    c = coded([], ["zaranj"])
    chunks = same_type([a, b, c])
    column = text_column(pa.chunked_array(chunks))
    unified = pa.chunked_array(chunks).unify_dictionaries().to_pandas()
    expected = unified.cat.reorder_categories(unified.cat.categories.sort_values())
    pd.testing.assert_series_equal(column, expected)
    assert column.cat.codes.dtype == np.int16  # 204 categories: codes of 2 bytes, as pandas gives them
    assert column[:5].tolist()[:2] == ["kabul", "herat"] and column.isna().sum() == 2
    assert {"unused", "zaranj"} <= set(column.cat.categories)  # dictionary values count, used or not
    assert list(column.cat.categories) == sorted(column.cat.categories)


def test_assembled_reports_are_columns_of_their_own():
    def piece(rows: list[int], places: list[int], kinds: list[str]) -> pa.Table:
        return pa.table(
            {
                "row": pa.array(rows, pa.int32()),
                "place": pa.array(places, pa.int32()),
                "kind": compact_text(pa.array(kinds)),
            }
        )

    pieces = [
        piece([2, 3, 4, 7], [0, 1, 1, 0], ["a", "a", "a", "a"]),
        piece([5, 6, 8, 9], [1, 0, 0, 0], ["b", "a", "a", "b"]),
    ]
    frame = geomap._chunked.assemble(pieces, ["row", "place", "kind"])
    assert frame["row"].tolist() == [2, 3, 4, 7, 5, 6, 8, 9] and frame["place"].tolist() == [0, 1, 1, 0, 1, 0, 0, 0]
    assert frame["kind"].tolist() == list("aaaabaab") and frame["kind"].dtype == "category"
    # not one block of the two int32 columns: replacing one later would keep the block (both) alive
    assert len(frame._mgr.blocks) == 3
    assert not np.shares_memory(frame["row"].to_numpy(), frame["place"].to_numpy())


@pytest.mark.parametrize("table_cells", [0, 50_000_000])  # counting sort, then the table of statuses per group
def test_disagreeing_rows_equal_groupby_nunique(table_cells, monkeypatch):
    monkeypatch.setattr(geomap.timeline, "_PRESENCE_CELLS", table_cells)
    monkeypatch.setattr(geomap.timeline, "_SLICE", 7)  # day codes made a few rows at a time
    rng = np.random.default_rng(11)
    for trial in range(40):
        n = int(rng.integers(1, 300))
        area = pd.Series(rng.choice(["AF-KAB", "AF-HER", "AF-GHA", None], n))
        if trial % 2:
            area = area.astype("category")
        date = pd.Series(pd.Timestamp("2021-08-10") + pd.to_timedelta(rng.integers(0, 5, n), "D"))
        if trial % 3 == 0:
            date[rng.random(n) < 0.1] = pd.NaT
        if trial % 5 == 0:  # times of day: grouped by value, not by day
            date = date + pd.to_timedelta(rng.integers(0, 2, n), "h")
        status = pd.Series(rng.choice(["taliban", "government", "contested", None], n))
        if trial % 4 == 1:
            status = status.astype("category")
        place = pd.Series(rng.choice(["Kabul", "Herat"], n))
        for keys in ([area, date], [area, date, place]):
            frame = pd.DataFrame({f"k{i}": key for i, key in enumerate(keys)} | {"status": status})
            by = [f"k{i}" for i in range(len(keys))]
            counts = frame.groupby(by, dropna=True, observed=True)["status"].transform("nunique")
            want = (counts.reindex(frame.index) > 1).to_numpy()
            assert _disagree(keys, status).tolist() == want.tolist()


def test_disagreeing_rows_of_categories_and_days_are_found_a_slice_at_a_time(monkeypatch):
    monkeypatch.setattr(geomap.timeline, "_SLICE", 7)
    sliced = []
    in_slices = geomap.timeline._disagree_in_slices
    monkeypatch.setattr(
        geomap.timeline, "_disagree_in_slices", lambda *args: sliced.append(args[3]) or in_slices(*args)
    )
    area = pd.Series(["AF-KAB", "AF-KAB", "AF-HER", None, "AF-HER", "AF-KAB"] * 5, dtype="category")
    date = pd.Series(pd.to_datetime(["2021-08-10", "2021-08-10", "2021-08-11", "2021-08-10", "2021-08-11", None] * 5))
    status = pd.Series(["taliban", "government", "taliban", "government", "taliban", "government"] * 5)
    got = _disagree([area, date], status.astype("category"))
    assert sliced == [30]  # the sliced path, for 30 rows
    # Kabul on the 10th has two statuses; Herat on the 11th one; a missing area or date is in no group
    assert got[:6].tolist() == [True, True, False, False, False, False]
    assert got.tolist() == got[:6].tolist() * 5
    assert _disagree([area, date], status).tolist() == got.tolist()  # text statuses: the whole column's codes
    assert sliced == [30]


@pytest.mark.parametrize("table_cells", [0, 50_000_000])  # counting sort, then a table of (area, date) cells
def test_conflict_days_equal_the_distinct_area_days_in_conflict(table_cells, monkeypatch):
    monkeypatch.setattr(geomap.timeline, "_PRESENCE_CELLS", table_cells)
    monkeypatch.setattr(geomap.timeline, "_SLICE", 5)
    rng = np.random.default_rng(12)
    for trial in range(30):
        n = int(rng.integers(1, 200))
        area = pd.Series(rng.choice(["AF-KAB", "AF-HER", "AF-GHA"], n))
        if trial % 2:
            area = area.astype("category")
        date = pd.Series(pd.Timestamp("2021-08-10") + pd.to_timedelta(rng.integers(0, 6, n), "D"))
        if trial % 3 == 0:  # times of day: grouped by value, not by day
            date = date + pd.to_timedelta(rng.integers(0, 2, n), "h")
        counted = pd.DataFrame({"area_id": area, "date": date}, index=np.arange(n) * 3)
        mask = rng.random(n) < 0.4
        got = _conflict_days(counted, mask)
        want = counted[mask].drop_duplicates().sort_values(["area_id", "date"], kind="stable").reset_index(drop=True)
        if mask.any():
            pd.testing.assert_frame_equal(got, want)
        else:
            assert got.empty and list(got.columns) == ["area_id", "date"]


def test_rows_of_text_in_many_chunks_are_taken_chunk_by_chunk():
    pieces = [pa.array([f"s{k}" for k in range(j, j + 10)], pa.large_string()) for j in range(0, 70, 10)]
    source = pa.chunked_array(pieces).to_pandas()
    frame = pd.DataFrame({"source": source, "status": pd.Categorical(["a", "b"] * 35), "row": np.arange(70)})
    positions = np.sort(np.random.default_rng(1).choice(70, 25, replace=False))
    got = _take_rows(frame, positions)
    pd.testing.assert_frame_equal(got, frame.iloc[positions])
    if hasattr(frame["source"].array, "_pa_array"):  # text in Arrow (pandas 3)
        # each chunk's rows taken from that chunk alone (Arrow's take of the whole column joins its chunks first)
        assert got["source"].array._pa_array.num_chunks > 1
