"""A reports file gives the same table or the same message whatever its size: the fast readers
(whole file and chunked) agree with the careful row-by-row reader on blank-ish lines, whitespace,
byte-order marks, line endings, trailing delimiters and quoting; long records and ragged rows keep
the chunked reader streaming."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

import geomap._chunked
import geomap._fastcsv
import geomap.pipeline
import geomap.reports
from geomap._chunked import NotPlain, plain_csv_chunks
from geomap._fastcsv import RaggedRows
from geomap.errors import InputError
from geomap.pipeline import build_timeline, build_timeline_lean
from geomap.reports import ReportsError, read_reports, validate_reports

H = "date,place,status,note"
R1 = "2021-08-01,Kabul,taliban,a"
R2 = "2021-08-02,Herat,government,b"
CASES = {
    "delimiters only": f"{H}\n{R1}\n,,,\n{R2}\n",
    "delimiters and spaces": f"{H}\n{R1}\n , ,  , \n{R2}\n",
    "quoted empty strings only": f'{H}\n{R1}\n"","","",""\n{R2}\n',
    "spaces only": f"{H}\n{R1}\n   \n{R2}\n",
    "a tab only": f"{H}\n{R1}\n\t\n{R2}\n",
    "a form feed only": f"{H}\n{R1}\n\x0c\n{R2}\n",
    "too many delimiters": f"{H}\n{R1}\n,,,,,,,\n{R2}\n",
    "too few delimiters": f"{H}\n{R1}\n,\n{R2}\n",
    "no-break spaces": f"{H}\n{R1}\n\u00a0,\u00a0,,\n{R2}\n",
    "unit separator": f"{H}\n{R1}\n\x1f,,,\n{R2}\n",
    "empty line": f"{H}\n{R1}\n\n{R2}\n",
    "CRLF and delimiters only": f"{H}\r\n{R1}\r\n,,,\r\n{R2}\r\n",
    "BOM and CRLF": f"\ufeff{H}\r\n{R1}\r\n{R2}\r\n",
    "last line delimiters, no line feed": f"{H}\n{R1}\n{R2}\n,,,",
    "last line spaces, no line feed": f"{H}\n{R1}\n{R2}\n  ",
    "trailing blank lines": f"{H}\n{R1}\n{R2}\n\n\n",
    "only a header and delimiters": f"{H}\n,,,\n",
    "spaces before the header": f"   \n{H}\n{R1}\n{R2}\n",
    "trailing delimiter everywhere": f"{H},\n{R1},\n{R2},\n",
    "header with spaces": f" date , place ,status , note \n{R1}\n{R2}\n",
    "quoted empty cells": f'{H}\n2021-08-01,Kabul,taliban,""\n"2021-08-02","Herat","government",""\n',
    "whitespace in cells": f"{H}\n{R1}\n 2021-08-03 ,\u00a0Ghazni , taliban ,  \n",
    "carriage return in a quoted value": f'{H}\n2021-08-01,Kabul,taliban,"a\rb"\n{R2}\n',
    "ragged row and a blank line": f"{H}\n{R1}\n,,,\n\n2021-08-02,Herat\n{R2}\n",
    "semicolons, a comma in the header": "date;place;status;note,x\n2021-08-01;Kabul;taliban;a,b\n",
    "tabs in a .csv, a comma in the header": "date\tplace\tstatus\tnote,x\n2021-08-01\tKabul\ttaliban\ta,b\n",
    "tab file, tabs only": "date\tplace\tstatus\n2021-08-01\tKabul\ttaliban\n\t\t\n2021-08-02\tHerat\tgovernment\n",
    "tab file, spaces only": "date\tplace\tstatus\n2021-08-01\tKabul\ttaliban\n  \n2021-08-02\tHerat\tgovernment\n",
    "district and province columns": "date,place,District,province,status\n2021-08-01,Sangar,Chawkay,Kunar,taliban\n"
    '2021-08-02,Arghandab,,Zabul,government\n2021-08-03,"Kohistan, Kapisa",,Badakhshan,taliban\n',
}


def outcome(read) -> object:
    try:
        frame = read()
    except InputError as exc:
        return str(exc)
    return frame.astype({c: object for c in frame.columns if frame[c].dtype != float and frame[c].dtype.kind != "M"})


def same(a: object, b: object) -> None:
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
    else:
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


def chunked(path, delimiter) -> pd.DataFrame:
    """The chunks validated as one table (as the chunked export checks them), ragged rows named."""
    try:
        chunks = list(plain_csv_chunks(path, delimiter=delimiter))
    except RaggedRows as ragged:
        raise ReportsError(str(path), geomap.reports.ragged_problems(path, ragged)) from None
    frame = pd.concat([f for f, _ in chunks], ignore_index=True)
    rows = np.concatenate([r for _, r in chunks])
    return validate_reports(frame, source_name=str(path), rows=rows)


@pytest.mark.parametrize("name", list(CASES))
def test_the_fast_readers_give_the_careful_readers_answer(tmp_path, monkeypatch, name):
    suffix = ".tsv" if name.startswith("tab file") else ".csv"
    path = tmp_path / f"reports{suffix}"
    path.write_bytes(CASES[name].encode("utf-8"))
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 1 << 62)
    careful = outcome(lambda: read_reports(path))
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    same(outcome(lambda: read_reports(path)), careful)
    monkeypatch.setattr(geomap._chunked, "READ_BLOCK", 64)  # records straddle blocks: read again
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 64)
    try:
        got = outcome(lambda: chunked(path, "\t" if suffix == ".tsv" else ","))
    except (NotPlain, ValueError):  # ValueError: no chunk at all (only a header)
        return  # the export reads it with the careful reader
    same(got, careful)


def test_blank_lines_keep_the_fast_path_and_their_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    lines = [H] + [f"2021-08-{1 + k % 28:02d},p{k},taliban,n{k}" for k in range(300)]
    for k in (5, 6, 90, 200):
        lines[k] = ["", ",,,", "  ", " ,\t, ,"][k % 4]
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n")
    frame, rows = geomap._fastcsv.read_plain_csv(path, delimiter=",")
    assert len(frame) == 296 and 6 not in rows and 91 not in rows and rows[-1] == 301
    assert frame.loc[rows == 92, "place"].tolist() == ["p90"]  # line k + 2 holds p{k}


def test_the_chunked_export_skips_blank_lines_and_takes_each_reports_own_note(tmp_path, monkeypatch):
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    monkeypatch.setattr(geomap._chunked, "READ_BLOCK", 256)
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 1024)
    lines = ["date,place,status,source,note"]
    for k in range(400):
        lines.append(f"2021-08-{1 + k % 6:02d},{['Kabul', 'Herat', 'Ghazni'][k % 3]},taliban,s{k},note {k}")
        if k % 37 == 0:
            lines.append(",,,," if k % 2 else "")
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n")
    called = []
    monkeypatch.setattr(geomap.pipeline, "build_timeline", lambda *a, **k: called.append(1))
    lean = build_timeline_lean(path)
    monkeypatch.undo()
    assert not called  # the chunks took the file
    whole = build_timeline(path)
    assert len(lean.reports) == len(whole.reports) == 400
    by_row = whole.reports.set_index("row")
    got = lean.reports.set_index("row")
    texts, sources = lean._report_texts(np.arange(len(lean.reports)))  # the text is on disk, by report
    assert [json.loads(t)["note"] for t in texts] == by_row.loc[got.index, "note"].tolist()
    assert sources == by_row.loc[got.index, "source"].tolist()
    pd.testing.assert_frame_equal(lean.long(), whole.long())


def test_a_record_longer_than_a_block_is_read_with_larger_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    monkeypatch.setattr(geomap._chunked, "READ_BLOCK", 1 << 10)
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 1 << 12)
    lines = [H] + [f"2021-08-{1 + k % 28:02d},p{k},taliban,n" for k in range(2_000)]
    lines[1500] = "2021-08-01,long,taliban," + "x" * 20_000  # 20 blocks
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n")
    chunks = list(plain_csv_chunks(path, delimiter=","))
    assert len(chunks) > 5  # chunks were given before the long record was met, and none twice
    rows = np.concatenate([r for _, r in chunks])
    assert rows.tolist() == list(range(2, 2_002))
    frame = pd.concat([f for f, _ in chunks], ignore_index=True)
    assert frame["place"].iloc[1499] == "long" and len(frame["note"].iloc[1499]) == 20_000
    assert frame["place"].iloc[1500] == "p1500"
    monkeypatch.setattr(geomap._chunked, "MAX_READ_BLOCK", 1 << 13)
    with pytest.raises(NotPlain):  # longer than the largest block: the careful reader takes it
        list(plain_csv_chunks(path, delimiter=","))


def test_a_late_ragged_row_is_named_in_the_streaming_pass(tmp_path, monkeypatch):
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    monkeypatch.setattr(geomap._chunked, "READ_BLOCK", 1 << 10)
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 1 << 12)
    lines = ["date,place,status,lat,lon"] + [f"2021-08-01,p{k},taliban,34.5,69.1" for k in range(3_000)]
    lines[2990] = "2021-08-01,p,taliban,34.5,69.1,extra"
    lines[200] = "2021-08-01,p,taliban"
    lines[100] = ",,,,"
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ReportsError) as careful:
        build_timeline(path)  # the whole-file reader
    given: list[int] = []

    def read_all() -> None:
        given.extend(int(rows[-1]) for _frame, rows in plain_csv_chunks(path, delimiter=","))

    with pytest.raises(RaggedRows) as ragged:
        read_all()
    assert [line for line, _ in ragged.value.rows] == [201, 2991]
    assert given and max(given) < 201  # nothing is given once a ragged row is found
    monkeypatch.setattr(geomap.reports, "read_table", None)  # no whole-file read: it would fail
    monkeypatch.setattr(geomap.pipeline, "build_timeline", None)
    with pytest.raises(ReportsError) as lean:
        build_timeline_lean(path)
    assert str(lean.value) == str(careful.value)
    assert [p.split(":")[0].rsplit(",")[-1] for p in lean.value.problems] == [" row 201", " row 2991"]


@pytest.mark.parametrize("ragged", [False, True])
def test_long_records_blank_lines_and_ragged_rows_together(tmp_path, monkeypatch, ragged):
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    monkeypatch.setattr(geomap._chunked, "READ_BLOCK", 1 << 10)
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 1 << 12)
    lines = [H] + [f"2021-08-{1 + k % 28:02d},p{k},taliban,n" for k in range(3_000)]
    for k in (700, 1201, 2500):
        lines[k] = "2021-08-01,long,taliban," + "x" * 5_000
    for k in (699, 701, 1200, 1202, 2999):
        lines[k] = ["", ",,,", "  "][k % 3]
    if ragged:
        lines[1203] += ",extra"
        lines[2800] = "2021-08-01,p"
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 1 << 62)
    careful = outcome(lambda: read_reports(path))
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    blank: list[int] = []
    if ragged:
        with pytest.raises(RaggedRows) as found:
            list(plain_csv_chunks(path, delimiter=",", blank=blank))
        assert [line for line, _ in found.value.rows] == [1204, 2801]
    else:
        chunks = list(plain_csv_chunks(path, delimiter=",", blank=blank))
        rows = np.concatenate([r for _, r in chunks]).tolist()
        assert rows == [n for n in range(2, 3_002) if n not in (700, 702, 1201, 1203, 3000)]
        assert blank == [700, 702, 1201, 1203, 3000]
    same(outcome(lambda: chunked(path, ",")), careful)


def test_blocks_are_small_again_after_a_long_record(tmp_path, monkeypatch):
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 1 << 11)  # smaller than the read block
    lines = [H] + [f"2021-08-{1 + k % 28:02d},p{k},taliban,n" for k in range(2_000)]
    lines[300] = "2021-08-01,long,taliban," + "x" * 9_000
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n")
    sizes = []
    real = geomap._chunked._Stream.batches

    def batches(self, block):
        sizes.append(block)
        return real(self, block)

    monkeypatch.setattr(geomap._chunked._Stream, "batches", batches)
    rows = np.concatenate([r for _, r in plain_csv_chunks(path, delimiter=",")])
    assert rows.tolist() == list(range(2, 2_002))
    assert sizes[0] == sizes[-1] == 1 << 11 and max(sizes) > 1 << 11  # larger blocks for the long record only


def test_a_ragged_record_that_is_not_utf8_is_named_without_a_traceback(tmp_path, monkeypatch):
    path = tmp_path / "reports.csv"
    path.write_bytes(f"{H}\n{R1}\n".encode() + b"2021-08-02,Her\xffat\n" + f"{R2}\n".encode())
    reported = []

    def hook(unraisable) -> None:
        reported.append(unraisable.exc_value)

    monkeypatch.setattr(sys, "unraisablehook", hook)
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    with pytest.raises(InputError) as fast:
        read_reports(path)
    assert reported == []  # Arrow's failed decoding of the record is not printed
    assert sys.unraisablehook is hook
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 1 << 62)
    with pytest.raises(InputError) as careful:
        read_reports(path)
    assert str(fast.value) == str(careful.value) and "row 4" not in str(fast.value) and "line 3" in str(fast.value)


def test_a_quoted_value_spanning_lines_never_becomes_two_records(tmp_path, monkeypatch):
    """Wherever Arrow's blocks end around it, a value holding a line break (and as many delimiters
    as a record after it) is read as the careful reader reads it: one record."""
    path = tmp_path / "reports.csv"
    monkeypatch.setattr(geomap._chunked, "READ_BLOCK", 64)
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 64)
    for pad in range(90, 140):
        first = f"2021-08-09,Kabul,taliban,{'p' * pad}\n"
        spanning = '2021-08-01,Kabul,taliban,"one\nHerat,2021-08-02,government,x"\n'
        path.write_text(f"{H}\n{first}{spanning}{R2}\n" + f"{R1}\n" * 5)
        monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 1 << 62)
        careful = outcome(lambda: read_reports(path))
        monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
        same(outcome(lambda: read_reports(path)), careful)
        try:
            got = outcome(lambda: chunked(path, ","))
        except NotPlain:
            continue
        same(got, careful)
