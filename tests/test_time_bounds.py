"""Time per KB stays flat on pathological text: the extractor, the geocoder and the readers.

Each check times the same work at two sizes, 8x apart, and compares the time per KB (best of three
runs), so it holds on a slow or busy machine: quadratic work would be 8x slower per KB at the larger
size; the bound allows 3x for noise (a pause of the machine in both runs of one size made 2.5x).
"""

from __future__ import annotations

import time

import pytest

SMALL_KB, LARGE_KB = 2, 16
MAX_RATIO = 3.0


def per_kb(work, kb: int) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        work(kb)
        best = min(best, time.perf_counter() - start)
    return best / kb


def abbreviations(kb: int) -> str:
    """Abbreviations and initials back to back, the text that made sentence splitting quadratic."""
    unit = "Gen. A. B. Smith met Col. U.S. Aug. Mr. J. R. R. Jones in Ghazni on Aug. 12. "
    return (unit * (kb * 1024 // len(unit) + 1))[: kb * 1024]


def extract(kb: int) -> None:
    from geomap.extract import extract_reports

    extract_reports(abbreviations(kb), published="2021-08-15")


def geocode_long_name(kb: int) -> None:
    from geomap.geocode import geocode

    geocode(["Mazar-i-" + "Sharif-e " * (kb * 1024 // 9)])


def read_csv_long_cells(kb: int, tmp=[]) -> None:  # noqa: B006 - a cache of the folder
    import tempfile
    from pathlib import Path

    from geomap.reports import read_reports

    if not tmp:
        tmp.append(Path(tempfile.mkdtemp()))
    path = tmp[0] / f"r{kb}.csv"
    note = '"' + 'Gen. ""A."" =B, ' * 64 + '"'
    row = f"2021-08-12,Ghazni,taliban,,{note}\n"
    rows = kb * 1024 // len(row) + 1
    path.write_text("date,place,status,source,note\n" + row * rows, encoding="utf-8")
    read_reports(path)


def read_csv_wide_header(kb: int, tmp=[]) -> None:  # noqa: B006 - a cache of the folder
    """A header of many columns (four for each KB asked, times 128: 2 KB is 1,024 of them, 16 KB 8,192)."""
    import tempfile
    from pathlib import Path

    from geomap.reports import read_reports

    if not tmp:
        tmp.append(Path(tempfile.mkdtemp()))
    path = tmp[0] / f"w{kb}.csv"
    n = kb * 512
    path.write_text(
        "date,place,status," + ",".join(f"c{i:06d}" for i in range(n)) + "\n2021-08-12,Ghazni,taliban" + "," * n + "\n",
        encoding="utf-8",
    )
    read_reports(path)


def extract_unclosed_markup(kb: int) -> None:
    """A page whose tags and comments are never closed, the text the standard library's parser reads again and
    again."""
    from geomap.extract import extract_reports

    unit = "<a <!-- "
    extract_reports("<p>The Taliban captured Ghazni.</p>" + unit * (kb * 1024 // len(unit)), published="2021-08-15")


@pytest.mark.parametrize(
    "work",
    [extract, geocode_long_name, read_csv_long_cells, read_csv_wide_header, extract_unclosed_markup],
    ids=lambda w: w.__name__,
)
def test_time_per_kb_is_flat(work):
    work(1)  # warm up: imports, gazetteer
    small, large = per_kb(work, SMALL_KB), per_kb(work, LARGE_KB)
    assert large <= MAX_RATIO * small, f"{large * 1000:.2f} ms/KB at {LARGE_KB} KB vs {small * 1000:.2f} at {SMALL_KB}"
