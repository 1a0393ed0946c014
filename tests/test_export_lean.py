"""`geomap export` reads a large CSV a chunk at a time and keeps the reports compact: same timeline,
same files, same errors as reading the file whole."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import geomap._chunked
import geomap._fastcsv
import geomap.export
import geomap.timeline
from geomap.cli import main
from geomap.errors import GeocodeError, InputError
from geomap.export import export
from geomap.levels import level_areas
from geomap.pipeline import build_timeline, build_timeline_lean
from geomap.reports import ReportsError

HEADER = "date,place,status,source,note,lat,lon,level,place_precision,date_precision"
NOTES = ['said "fell"', "back\\slash", "Mazār-i-Sharīf", "'=SUM(A1)", "tab\there", ""]
NAMES = ["Kabul", "Herat", "Ghazni", "Kondoz", "Nowhere-ville"]


def reports_text(n: int = 400, seed: int = 7) -> str:
    """Reports over 6 days: points (some outside every district), names, province-wide reports, notes
    needing JSON escapes, imprecise reports; many same-day disagreements."""
    rng = np.random.default_rng(seed)
    lines = [HEADER]
    for k in range(n):
        day = f"2021-08-{10 + int(rng.integers(0, 6)):02d}"
        status = ["taliban", "government", "contested", "Taliban"][int(rng.integers(0, 4))]
        note = NOTES[k % len(NOTES)]
        note = f'"{note.replace(chr(34), chr(34) * 2)}"' if '"' in note else note
        precision = f"{1 + k % 3},{1 + k % 2}" if k % 5 == 0 else ","
        if k % 4 == 0:
            lines.append(f"{day},{NAMES[k % len(NAMES)]},{status},https://example.org/{k % 50},{note},,,,{precision}")
        else:
            lat, lon = rng.uniform(31.0, 37.0), rng.uniform(62.0, 71.5)
            level = "province" if k % 9 == 0 else "district" if k % 7 == 0 else ""
            lines.append(
                f"{day},site {k % 30},{status},https://example.org/{k},{note},{lat:.4f},{lon:.4f},{level},{precision}"
            )
    return "\n".join(lines) + "\n"


@pytest.fixture
def small_chunks(monkeypatch):
    """Every file takes the chunked path, about 20 reports a chunk."""
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 2048)


def write(tmp_path, text, name="reports.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def loose(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as their values, to compare with the whole-file tables."""
    return frame.astype({c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})


OPTIONS = [
    {"level": "district", "aggregate": "latest"},
    {"level": "province", "min_precision": 2},
    {"boundaries": "districts", "aggregate": "majority", "freq": "W"},
]


@pytest.mark.parametrize("options", OPTIONS, ids=["districts", "provinces", "boundaries-majority"])
def test_chunked_timeline_and_export_equal_the_whole_file(small_chunks, tmp_path, options):
    path = write(tmp_path, reports_text())
    if options.get("boundaries") == "districts":
        options = {**options, "boundaries": level_areas("district").drop(columns=["province_iso"])}
    whole = build_timeline(path, **options)
    lean = build_timeline_lean(path, **options)
    assert "lat" not in lean.reports  # the chunked path was taken: only the columns the timeline reads
    assert len(lean.reports) == len(whole.reports) > 250
    assert len(whole.unresolved) > 0 and len(whole.conflicts()) > 0
    assert lean.reporting_dates == whole.reporting_dates
    assert lean.imprecise_dropped == whole.imprecise_dropped
    pd.testing.assert_frame_equal(lean.long(), whole.long())
    pd.testing.assert_frame_equal(lean.unresolved, whole.unresolved)
    for table in ("conflicts", "conflict_days", "province_wide"):
        pd.testing.assert_frame_equal(
            loose(getattr(lean, table)()), loose(getattr(whole, table)()), check_dtype=False, obj=table
        )
    for name in ("long.parquet", "long.geojson"):
        export(whole, tmp_path / f"whole-{name}")
        export(lean, tmp_path / f"lean-{name}")
        assert (tmp_path / f"lean-{name}").read_bytes() == (tmp_path / f"whole-{name}").read_bytes()


def test_province_wide_reports_yield_to_a_specific_report_in_a_later_chunk(small_chunks, tmp_path):
    filler = [f"2021-08-01,site {k},government,f{k},,34.5,69.1,," for k in range(200)]
    text = "\n".join(
        [
            "date,place,status,source,note,lat,lon,level,place_precision",
            "2021-08-12,Ghazni,taliban,wide,,33.55,68.42,province,",
            *filler,
            "2021-08-12,Ghazni city,government,specific,,33.55,68.42,district,",
        ]
    )
    path = write(tmp_path, text + "\n")
    whole = build_timeline(path, level="district")
    lean = build_timeline_lean(path, level="district")
    assert "lat" not in lean.reports
    pd.testing.assert_frame_equal(lean.long(), whole.long())
    ghazni = whole.reports[whole.reports["source"].eq("wide")]
    assert len(ghazni) > 1 and len(lean.reports) == len(whole.reports)  # spread, less the district spoken for


def test_every_bad_row_is_named_as_when_read_whole(small_chunks, tmp_path):
    lines = reports_text().splitlines()
    lines[3] = lines[3].replace("2021-08-", "2021-13-", 1)
    lines[250] = "2021-08-11,Kabul,won,x,,,,,,"
    lines[390] = "2021-08-11,,taliban,x,,,,,,"
    path = write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(ReportsError) as whole:
        build_timeline(path)
    with pytest.raises(ReportsError) as lean:
        build_timeline_lean(path)
    assert str(lean.value) == str(whole.value)
    assert [p.split(",")[1] for p in lean.value.problems] == [" row 4", " row 251", " row 391"]


@pytest.mark.parametrize(
    "change",
    ["ragged", "blank line", "missing column"],
)
def test_files_the_chunks_cannot_take_are_read_whole(small_chunks, tmp_path, change):
    lines = reports_text().splitlines()
    if change == "ragged":
        lines[-1] += ",extra"
    elif change == "blank line":
        lines.insert(200, "")
    else:
        lines = [line.split(",", 1)[1] for line in lines]  # no date column
    path = write(tmp_path, "\n".join(lines) + "\n")
    try:
        expected: object = build_timeline(path).long()
    except InputError as exc:
        expected = str(exc)
    try:
        got: object = build_timeline_lean(path).long()
    except InputError as exc:
        got = str(exc)
    if isinstance(expected, str):
        assert got == expected
    else:
        assert isinstance(got, pd.DataFrame)
        pd.testing.assert_frame_equal(got, expected)


def test_strict_counts_unplaced_reports_over_every_chunk(small_chunks, tmp_path):
    path = write(tmp_path, reports_text())
    with pytest.raises(GeocodeError) as whole:
        build_timeline(path, strict=True)
    with pytest.raises(GeocodeError) as lean:
        build_timeline_lean(path, strict=True)
    assert str(lean.value) == str(whole.value)


def test_cli_export_writes_what_the_whole_timeline_writes(small_chunks, tmp_path, capsys):
    path = write(tmp_path, reports_text())
    assert main(["export", str(path), "--level", "district", "-o", str(tmp_path / "cli.parquet")]) == 0
    err = capsys.readouterr().err
    whole = build_timeline(path, level="district")
    export(whole, tmp_path / "api.parquet")
    assert (tmp_path / "cli.parquet").read_bytes() == (tmp_path / "api.parquet").read_bytes()
    shown = ", ".join(
        f"{row.area_name} {row.date:%Y-%m-%d} ({' vs '.join(row.statuses)})"
        for row in whole.conflicts().head(5).itertuples()
    )
    assert f"shown as contested: {shown} and {len(whole.conflicts()) - 5} more" in err


@pytest.mark.parametrize("shape", [[], ["--intervals"]], ids=["long", "intervals"])
def test_cli_export_keeps_only_the_reports_row_while_it_writes(small_chunks, tmp_path, monkeypatch, shape):
    path = write(tmp_path, reports_text())
    columns = []
    write_csv = geomap.export._write_csv

    def noting(batches, *args, **kwargs):  # the reports' columns while the batches are written
        for batch in batches:
            columns.append(list(timeline_seen[0].reports.columns))
            yield batch

    timeline_seen = []
    real_export = geomap.export.export

    def seen(timeline, *args, **kwargs):
        timeline_seen.append(timeline)
        return real_export(timeline, *args, **kwargs)

    monkeypatch.setattr(geomap.export, "export", seen)
    monkeypatch.setattr(geomap.export, "_write_csv", lambda batches, *a, **k: write_csv(noting(batches), *a, **k))
    args = ["export", str(path), "--level", "district", "-o", str(tmp_path / "cli.csv"), *shape]
    assert main(args) == 0
    whole = build_timeline(path, level="district")
    export(whole, tmp_path / "api.csv", shape="intervals" if shape else "long")
    assert (tmp_path / "cli.csv").read_bytes() == (tmp_path / "api.csv").read_bytes()
    assert columns and all(c == ["row"] for c in columns)


def test_keeping_only_the_evidence_leaves_the_long_and_interval_tables_as_they_were(small_chunks, tmp_path):
    path = write(tmp_path, reports_text())
    lean = build_timeline_lean(path, level="district")
    long, conflicts = lean.long(), lean.conflicts()
    export(lean, tmp_path / "before.parquet", shape="intervals")
    lean._long = None
    located = len(lean.reports)
    lean._keep_only_evidence()
    assert list(lean.reports.columns) == ["row"] and len(lean.reports) == located
    pd.testing.assert_frame_equal(lean.long(), long)
    export(lean, tmp_path / "after.parquet", shape="intervals")
    assert (tmp_path / "after.parquet").read_bytes() == (tmp_path / "before.parquet").read_bytes()
    assert len(conflicts) > 0
    whole = build_timeline(path, level="district")  # the text is in the reports: nothing let go
    whole._keep_only_evidence()
    assert "note" in whole.reports and "date" in whole.reports


def test_evidence_json_is_the_records_json(small_chunks, tmp_path):
    timeline = build_timeline(write(tmp_path, reports_text()), level="district")
    records = pd.concat(list(timeline.iter_long(batch_rows=500)), ignore_index=True)
    texts = pd.concat(list(timeline.iter_long(batch_rows=500, evidence="json")), ignore_index=True)
    assert texts["evidence"].tolist() == [json.dumps(e, ensure_ascii=False) for e in records["evidence"]]
    assert texts["sources"].tolist() == records["sources"].tolist()
    assert any('\\"fell\\"' in t and "Mazār" in t and "precision" in t for t in texts["evidence"])


def test_conflicts_limit_and_days():
    timeline = build_timeline(
        [
            {"date": "2021-08-12", "place": "Herat", "status": "taliban"},
            {"date": "2021-08-12", "place": "Herat", "status": "government"},
            {"date": "2021-08-13", "place": "Ghazni", "status": "taliban"},
            {"date": "2021-08-13", "place": "Ghazni", "status": "contested"},
            {"date": "2021-08-11", "place": "Ghazni", "status": "taliban"},
            {"date": "2021-08-11", "place": "Ghazni", "status": "government"},
        ]
    )
    every = timeline.conflicts()
    assert every[["area_id", "date"]].astype(str).values.tolist() == [
        ["AF-GHA", "2021-08-11"],
        ["AF-GHA", "2021-08-13"],
        ["AF-HER", "2021-08-12"],
    ]
    pd.testing.assert_frame_equal(timeline.conflicts(limit=2), every.head(2))
    pd.testing.assert_frame_equal(timeline.conflict_days(), every[["area_id", "date"]])
    assert timeline.conflicts(limit=0).empty
    for bad in (-1, 1.5, "1", True):
        with pytest.raises(InputError, match=r"^limit: expected a whole number of rows"):
            timeline.conflicts(limit=bad)


def test_batches_take_fewer_rows_where_rows_cite_many_reports(tmp_path, monkeypatch):
    timeline = build_timeline(write(tmp_path, reports_text()), level="district")
    assert [len(b) for b in timeline.iter_long()] == [len(timeline.long())]  # few reports: one batch
    monkeypatch.setattr(geomap.timeline, "BATCH_EVIDENCE", 50)
    batches = list(timeline.iter_long(evidence="json"))
    assert len(batches) > 1 and all(len(b) % len(timeline.areas) == 0 for b in batches)  # whole dates
    texts = pd.concat(batches, ignore_index=True)
    assert texts["evidence"].tolist() == [json.dumps(e, ensure_ascii=False) for e in timeline.long()["evidence"]]


@pytest.mark.parametrize("limit", [2_000_000, 30], ids=["coded", "too-many-to-code"])
def test_place_names_distinct_within_chunks_are_coded_over_the_file(small_chunks, tmp_path, monkeypatch, limit):
    import geomap.pipeline

    monkeypatch.setattr(geomap.pipeline, "CODEBOOK_LIMIT", limit)
    rng = np.random.default_rng(11)
    lines = ["date,place,status,source,note,lat,lon"]
    for k in range(300):  # names mostly distinct within a chunk of about 20 reports, 40 over the file
        lat, lon = rng.uniform(31.0, 37.0), rng.uniform(62.0, 71.5)
        lines.append(f"2021-08-{10 + k % 4:02d},Qala-ye {k * 7 % 40},taliban,s{k},,{lat:.4f},{lon:.4f}")
    path = write(tmp_path, "\n".join(lines) + "\n")
    whole = build_timeline(path, level="district", aggregate="majority")
    lean = build_timeline_lean(path, level="district", aggregate="majority")
    place = lean.reports["place"]
    if limit > 40:
        assert isinstance(place.dtype, pd.CategoricalDtype) and len(place.cat.categories) == 40
        assert list(place.cat.categories) == sorted(place.cat.categories)
    else:
        assert not isinstance(place.dtype, pd.CategoricalDtype)
    assert place.astype(str).tolist() == whole.reports["place"].astype(str).tolist()
    pd.testing.assert_frame_equal(lean.long(), whole.long())


def test_conflicts_without_sources_over_many_districts(small_chunks, tmp_path):
    # more than 127 districts make the area column's category codes int16; the conflicting reports
    # cite no source, so none is left to join: the sources column is empty, not an error
    districts = level_areas("district").sort_values("area_id").iloc[:130]
    points = districts.geometry.representative_point()
    lines = ["date,place,status,lat,lon"]
    for k, point in enumerate(points):
        statuses = ("taliban", "government", "taliban", "taliban") if k == 3 else ("taliban",) * 4
        lines += [f"2021-05-0{1 + k % 9},site {k},{s},{point.y:.5f},{point.x:.5f}" for s in statuses]
    timeline = build_timeline_lean(write(tmp_path, "\n".join(lines) + "\n"), level="district")
    assert isinstance(timeline.reports["area_id"].dtype, pd.CategoricalDtype)
    conflicts = timeline.conflicts(limit=5)
    assert conflicts["area_id"].tolist() == [districts["area_id"].iloc[3]]
    assert conflicts["statuses"].tolist() == [["taliban", "government"]]
    assert conflicts["places"].tolist() == ["site 3"]
    assert conflicts["sources"].tolist() == [""]
    assert conflicts.equals(timeline.conflicts())


def test_a_full_disk_under_the_text_store_names_its_folder(small_chunks, tmp_path, monkeypatch):
    import errno

    import geomap._textstore
    from geomap.errors import OutputError

    def full(self, first, texts):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(geomap._textstore.TextStore, "write", full)
    path = write(tmp_path, reports_text(200))
    with pytest.raises(OutputError) as err:
        build_timeline_lean(path, level="district", text_dir=tmp_path)
    assert str(err.value) == (
        f"{tmp_path}: the reports' text could not be set aside there (the disk is full); free some space and run again"
    )


def points_only_text(n: int = 300, seed: int = 11) -> str:
    """Reports with a point each and no place column; a few points repeat, so places vote together."""
    rng = np.random.default_rng(seed)
    lines = ["date,status,lat,lon,source"]
    for k in range(n):
        lat, lon = (34.5, 69.1) if k % 10 == 0 else (rng.uniform(31.0, 37.0), rng.uniform(62.0, 71.5))
        status = ["taliban", "government", "contested"][int(rng.integers(0, 3))]
        lines.append(f"2021-08-{10 + int(rng.integers(0, 6)):02d},{status},{lat:.4f},{lon:.4f},s{k}")
    return "\n".join(lines) + "\n"


def test_a_file_of_points_without_place_names_maps_alike_whole_and_chunked(small_chunks, tmp_path):
    path = write(tmp_path, points_only_text())
    whole = build_timeline(path, level="district", aggregate="majority")
    lean = build_timeline_lean(path, level="district", aggregate="majority")
    assert "34.5, 69.1" in set(whole.reports["place"])
    kabul = whole.long().query("district_id == 'AF-KAB-kabul'")
    assert len(kabul) == 6 and set(kabul["status"]) != {"unknown"}
    pd.testing.assert_frame_equal(lean.long(), whole.long())
