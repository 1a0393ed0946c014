"""`geomap map` of a large CSV reads it a chunk at a time (the page cites a bounded number of
reports): the same page as from the whole file; with markers, every report is read."""

from __future__ import annotations

import re

import pytest

import geomap._chunked
import geomap._fastcsv
import geomap.pipeline
from geomap.cli import main

HEADER = "date,place,status,source,note,lat,lon,place_precision"


def reports_text(n: int = 300) -> str:
    lines = [HEADER]
    for k in range(n):
        day = f"2021-08-{10 + k % 5:02d}"
        status = ["taliban", "government", "contested"][k % 3]
        if k % 4 == 0:
            lines.append(f"{day},{['Kabul', 'Herat', 'Ghazni'][k % 3]},{status},https://example.org/{k},n {k},,,")
        else:
            lines.append(f'{day},site {k},{status},s{k},"note, {k}",{31 + k % 6}.5,{62 + k % 9}.25,{1 + k % 3}')
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("markers", [False, True])
def test_map_page_is_the_same_read_in_chunks(tmp_path, monkeypatch, markers):
    path = tmp_path / "reports.csv"
    path.write_text(reports_text(), encoding="utf-8")
    options = ["--self-contained", "--level", "district"] + (["--markers"] if markers else [])
    assert main(["map", str(path), "-o", str(tmp_path / "whole.html"), *options]) == 0  # small: read whole
    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 2048)
    chunked = []
    real = geomap.pipeline._build_in_chunks
    monkeypatch.setattr(geomap.pipeline, "_build_in_chunks", lambda *a, **k: chunked.append(1) or real(*a, **k))
    assert main(["map", str(path), "-o", str(tmp_path / "chunks.html"), *options]) == 0
    assert bool(chunked) is not markers  # markers need every report's place: the whole file
    page, whole = (_same_ids((tmp_path / f"{n}.html").read_text(encoding="utf-8")) for n in ("chunks", "whole"))
    assert page == whole
    assert "note, 5" in page and "https://example.org/4" in page


def _same_ids(page: str) -> str:
    """The page with Folium's random element ids replaced by one placeholder."""
    return re.sub(r"_[0-9a-f]{32}\b", "_ID", page)
