"""A map cites few reports: a chunked read keeps no text store then, and each call for evidence
text reads the reports it asks for from the file, giving what the store gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geomap._chunked
import geomap._fastcsv
import geomap.pipeline
from geomap.pipeline import FileTexts, build_timeline, build_timeline_lean


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 512)


def write(path, header: str, lines: list[str]) -> str:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return str(path)


def mixed_lines(n: int = 90, *, note: bool = True) -> list[str]:
    """Reports at points, at names (Kabul: province-wide copies), imprecise ones, a blank line, unplaceable ones."""
    lines = []
    for k in range(n):
        day, status = f"2021-08-{10 + k % 6:02d}", ["taliban", "government", "contested"][k % 3]
        text = [f',"n, {k} — Mazār"', ",", ',"said ""fell"""', ",x"][k % 4] if note else ""
        if k % 5 == 0:
            lines.append(f"{day},Kabul,{status},https://example.org/{k}{text},,,1")
        elif k % 17 == 0:
            lines.append(f"{day},Nowhere Ville {k},{status},s{k}{text},,,1")  # left unresolved
        else:
            lines.append(f"{day},site {k},{status},s{k}{text},{33 + k % 3}.5,{64 + k % 5}.25,{1 + k % 3}")
        if k == 40:
            lines.append("," * (7 if note else 6))  # a blank-ish line the readers skip
    return lines


@pytest.mark.parametrize("note", [True, False])
def test_texts_read_on_demand_are_the_stores(small_chunks, tmp_path, note):
    header = "date,place,status,source,note,lat,lon,place_precision".replace("" if note else "note,", "")
    path = write(tmp_path / "reports.csv", header, mixed_lines(note=note))
    stored = build_timeline_lean(path, level="district", freq="D")
    asked = build_timeline_lean(path, level="district", freq="D", text_on_demand=True)
    assert isinstance(asked._texts, FileTexts) and not isinstance(stored._texts, FileTexts)
    assert len(asked.reports) == len(stored.reports) > 80
    every = np.arange(len(asked.reports))
    texts, sources = asked._report_texts(every)
    assert (texts, sources) == stored._report_texts(every)
    shuffled = np.random.default_rng(1).permutation(np.r_[every, every[:9]])  # any order, repeats
    assert asked._report_texts(shuffled) == stored._report_texts(shuffled)
    assert asked._report_texts(np.array([], dtype=np.int64)) == ([], [])
    pd.testing.assert_frame_equal(asked.long(), stored.long())
    pd.testing.assert_frame_equal(asked.conflicts(), stored.conflicts())
    pd.testing.assert_frame_equal(asked.unresolved, stored.unresolved)
    assert len(asked.unresolved) >= 4  # their sources and notes came from the one pass for them
    if note:
        assert any("Mazār" in t for t in texts) and any('said \\"fell\\"' in t for t in texts)
    whole = build_timeline(path, level="district", freq="D")
    pd.testing.assert_frame_equal(asked.long(), whole.long())


def test_no_pass_over_the_file_until_text_is_asked_for(small_chunks, tmp_path, monkeypatch):
    lines = [line for line in mixed_lines() if "Nowhere" not in line]  # nothing unresolved
    path = write(tmp_path / "reports.csv", "date,place,status,source,note,lat,lon,place_precision", lines)
    passes = []
    real = geomap._chunked.plain_csv_chunks

    def counted(*args, **options):
        passes.append(options.get("only"))
        return real(*args, **options)

    monkeypatch.setattr(geomap._chunked, "plain_csv_chunks", counted)
    timeline = build_timeline_lean(path, level="district", freq="D", text_on_demand=True)
    assert passes == [None]  # the first pass only: no second pass for text nobody has asked for
    texts, sources = timeline._report_texts(np.array([0, 3]))
    assert passes == [None, ["source", "note"]] and len(texts) == 2 and all(sources)


def test_a_row_without_a_located_report_is_refused(small_chunks, tmp_path):
    path = write(tmp_path / "reports.csv", "date,place,status,source,note,lat,lon,place_precision", mixed_lines())
    timeline = build_timeline_lean(path, level="district", freq="D", text_on_demand=True)
    missing = int(timeline.unresolved["row"].iloc[0])
    with pytest.raises(KeyError):
        timeline._texts.read(np.array([missing]))
