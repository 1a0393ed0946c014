"""The evidence text of a chunked export kept in a temporary file: written in record order, read
back by record in any order, across blocks and reads; the file gone on success and on error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import geomap._chunked
import geomap._fastcsv
import geomap._textstore
import geomap.timeline
from geomap._textstore import TextStore
from geomap.cli import main
from geomap.export import export
from geomap.pipeline import build_timeline, build_timeline_lean


@pytest.fixture
def tiny_reads(monkeypatch):
    """Reads of at most 64 bytes with gaps of at most 8: every path of the reads taken."""
    monkeypatch.setattr(geomap._textstore, "READ_BYTES", 64)
    monkeypatch.setattr(geomap._textstore, "GAP_BYTES", 8)


def random_texts(n: int, seed: int = 3) -> list[str]:
    rng = np.random.default_rng(seed)
    alphabet = [*'ab ="\\\n', "é", "€", "Mazār", "𝄞", ""]
    return ["".join(rng.choice(alphabet, rng.integers(0, 12))) if rng.random() < 0.7 else "" for _ in range(n)]


def filled(texts: list[str], extent: int, seed: int = 0) -> TextStore:
    """A store of ``texts`` written in extents of ``extent`` keys, in shuffled order."""
    store = TextStore(len(texts))
    firsts = list(range(0, len(texts), extent))
    np.random.default_rng(seed).shuffle(firsts)
    for first in firsts:
        store.write(first, texts[first : first + extent])
    store.finish()
    return store


@pytest.mark.parametrize("extent", [1, 3, 13, 100])
def test_reads_give_back_what_was_written_in_any_order(tiny_reads, extent):
    texts = random_texts(61)
    with filled(texts, extent) as store:
        wanted = np.random.default_rng(5).integers(0, len(texts), 300)  # repeats and any order
        assert store.read(wanted) == [texts[k] for k in wanted.tolist()]
        assert store.read(np.arange(len(texts))) == texts  # every extent, every boundary
        assert store.read(np.array([], dtype=np.int64)) == []
        assert store.size == sum(len(t.encode("utf-8")) for t in texts)


def test_a_piece_longer_than_a_read_is_read_whole(tiny_reads):
    texts = ["x" * 200, "", "é" * 100, "", "", "short", ""]
    with filled(texts, 2) as store:
        assert store.read(np.array([5, 2, 0, 1, 6])) == ["short", "é" * 100, "x" * 200, "", ""]


def test_keys_never_written_read_empty():
    with TextStore(6) as store:
        store.write(2, ["b", "c"])
        store.finish()
        assert store.read(np.array([0, 1, 2, 3, 4, 5])) == ["", "", "b", "c", "", ""]


def test_finishing_again_keeps_what_was_written_before():
    with TextStore(4) as store:
        store.write(0, ["a"])
        store.finish()
        store.finish()
        store.write(2, ["c", "d"])
        store.finish()
        assert store.read(np.array([0, 1, 2, 3])) == ["a", "", "c", "d"]


def test_offsets_take_four_bytes_a_key():
    with TextStore(1_000_000) as store:
        store.finish()
        assert store.nbytes < 4.1 * 1_000_000


def test_offsets_widen_when_an_extent_passes_four_gigabytes(monkeypatch):
    store = TextStore(8)
    real = np.cumsum
    monkeypatch.setattr(np, "cumsum", lambda lengths: real(lengths) + 2**32)  # as if 4 GB came first
    store._file = type("Sink", (), {"write": lambda self, data: None, "close": lambda self: None})()
    store.write(0, ["abcd", "ef"])
    assert store._end.dtype == np.int64 and store._end[:2].tolist() == [2**32 + 4, 2**32 + 6]


def test_extents_must_not_share_keys():
    with TextStore(10) as store:
        store.write(2, ["a", "b"])
        store.write(3, ["c"])
        with pytest.raises(ValueError, match="share keys"):
            store.finish()
        with pytest.raises(ValueError, match="outside"):
            store.write(9, ["x", "y"])


def open_files_in(folder: Path) -> list[str]:
    """Files this process holds open in ``folder`` (a temporary file without a name shows as deleted)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see open files")

HEADER = "date,place,status,source,note,lat,lon"


def reports_csv(path: Path, n: int = 120) -> Path:
    """Reports with empty notes, non-ASCII text and one source cited on many dates."""
    lines = [HEADER]
    for k in range(n):
        note = ["", "Mazār-i-Sharīf \u2014 «taken»", 'said "fell"', "x"][k % 4]
        note = f'"{note.replace(chr(34), chr(34) * 2)}"' if '"' in note else note
        lines.append(f"2021-08-{10 + k % 5:02d},site {k},taliban,https://example.org/{k % 3},{note},34.5,69.1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 1024)


@needs_proc
def test_export_keeps_text_on_disk_and_the_file_goes_with_the_store(small_chunks, tiny_reads, tmp_path, monkeypatch):
    import geomap.pipeline

    monkeypatch.setattr(geomap.pipeline, "TEXT_RUN", 7)  # stretches of a few reports: many extents
    path = reports_csv(tmp_path / "reports.csv")
    spill = tmp_path / "spill"
    spill.mkdir()
    lean = build_timeline_lean(path, level="district", freq="D", text_dir=spill)
    whole = build_timeline(path, level="district", freq="D")
    assert lean._texts is not None and "source" not in lean.reports and "note" not in lean.reports
    assert open_files_in(spill) and os.listdir(spill) == []  # open, but no name in the folder
    pd.testing.assert_frame_equal(lean.long(), whole.long())
    for name in ("long.csv", "long.geojson"):
        export(whole, tmp_path / f"whole-{name}")
        export(lean, tmp_path / f"lean-{name}")
        assert (tmp_path / f"lean-{name}").read_bytes() == (tmp_path / f"whole-{name}").read_bytes()
    evidence = [json.loads(e) for e in pd.read_csv(tmp_path / "lean-long.csv", keep_default_na=False)["evidence"]]
    notes = {r["note"] for rows in evidence for r in rows}
    assert {"", "Mazār-i-Sharīf \u2014 «taken»", 'said "fell"'} <= notes
    lean._texts.close()
    assert open_files_in(spill) == [] and os.listdir(spill) == []


@needs_proc
def test_a_failure_while_writing_the_text_leaves_no_file(small_chunks, tmp_path, monkeypatch):
    path = reports_csv(tmp_path / "reports.csv")
    spill = tmp_path / "spill"
    spill.mkdir()
    calls = []

    def failing(table, source, note, **options):
        calls.append(len(table))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(table, source, note, **options)

    real = geomap.timeline.report_json
    monkeypatch.setattr(geomap.timeline, "report_json", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        build_timeline_lean(path, level="district", text_dir=spill)
    assert len(calls) == 3 and open_files_in(spill) == [] and os.listdir(spill) == []


def test_a_report_cited_by_many_batches_reads_the_same_text(small_chunks, tmp_path, monkeypatch):
    path = reports_csv(tmp_path / "reports.csv", n=12)
    with path.open("a", encoding="utf-8") as fh:  # the only report of its district: cited on every date
        fh.write("2021-08-10,lone,government,https://example.org/lone,only «once»,31.6,65.7\n")
    lean = build_timeline_lean(path, level="district", freq="D")
    whole = build_timeline(path, level="district", freq="D")
    monkeypatch.setattr(geomap.timeline, "BATCH_EVIDENCE", 1)  # a batch per date: old reports cited again
    batches = list(lean.iter_long(evidence="json"))
    assert len(batches) == len(lean.reporting_dates) > 1
    got = pd.concat(batches, ignore_index=True)
    want = pd.concat(list(whole.iter_long(evidence="json")), ignore_index=True)
    pd.testing.assert_frame_equal(got, want)
    assert got["evidence"].str.contains("only «once»").sum() == len(batches)


def test_cli_conflicts_and_intervals_read_sources_from_disk(small_chunks, tmp_path, capsys):
    lines = [HEADER] + [
        f"2021-08-1{k % 2},site {k},{['taliban', 'government'][k % 3 % 2]},https://s.org/{k},n{k},34.5,69.1"
        for k in range(60)
    ]
    path = tmp_path / "conflicts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lean = build_timeline_lean(path, level="district")
    whole = build_timeline(path, level="district")
    assert lean._texts is not None
    conflicts = lean.conflicts()
    categorical = [c for c in conflicts.columns if isinstance(conflicts[c].dtype, pd.CategoricalDtype)]
    pd.testing.assert_frame_equal(
        conflicts.astype(dict.fromkeys(categorical, object)), whole.conflicts(), check_dtype=False
    )
    assert lean.conflicts()["sources"].str.contains("https://s.org/").all()
    export(lean, tmp_path / "lean.csv", shape="intervals")
    export(whole, tmp_path / "whole.csv", shape="intervals")
    assert (tmp_path / "lean.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert main(["export", str(path), "--level", "district", "-o", str(tmp_path / "cli.csv")]) == 0
    export(whole, tmp_path / "api.csv")
    assert (tmp_path / "cli.csv").read_bytes() == (tmp_path / "api.csv").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if "geomap" in p.name] == []


@pytest.mark.parametrize(("run", "rows_at_once"), [(37, 3), (200, 7), (1000, 1000)])
def test_text_keys_put_neighbouring_days_together_in_row_order(monkeypatch, run, rows_at_once):
    import geomap.pipeline

    monkeypatch.setattr(geomap.pipeline, "TEXT_RUN", run)
    monkeypatch.setattr(geomap.pipeline, "TEXT_SLICE", rows_at_once)
    rng = np.random.default_rng(run)
    dates = pd.Series(pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 60, 2000), "D"))
    first = rng.integers(0, 2000, 3000)
    first[rng.random(3000) < 0.3] = -1  # rows without a located report
    keys = geomap.pipeline._text_keys(first, dates)
    present = np.flatnonzero(first >= 0)
    assert sorted(keys[present].tolist()) == list(range(len(present))) and (keys[first < 0] == -1).all()
    day = dates.to_numpy("datetime64[D]")[first[present]]
    by_key = np.argsort(keys[present])
    counts = pd.Series(day).value_counts().sort_index()
    stretch = dict(zip(counts.index, (counts.cumsum() - counts) // run, strict=True))
    region = np.array([stretch[d] for d in pd.Series(day)])
    assert (np.diff(region[by_key]) >= 0).all()  # stretches in day order
    for r in np.unique(region):  # rows in row order within a stretch
        assert (np.diff(keys[present][region == r]) > 0).all()


def test_day_range_is_found_a_slice_at_a_time(monkeypatch):
    import geomap.pipeline

    monkeypatch.setattr(geomap.pipeline, "TEXT_SLICE", 1)  # slices of 50 rows
    days = pd.Series(pd.Timestamp("2021-03-01") + pd.to_timedelta(np.arange(120) * 7 % 90, "D"))
    days[[0, 55, 119]] = pd.NaT
    ns = days.to_numpy()
    assert geomap.pipeline._day_range(ns) == (18_687, 18_687 + 89)  # 2021-03-01 and 89 days on
    assert geomap.pipeline._day_range(ns[:50]) == (18_688, 18_687 + 86)  # the first row is missing
    assert geomap.pipeline._day_range(np.array(["NaT", "NaT"], dtype="datetime64[ns]")) == (0, 0)
