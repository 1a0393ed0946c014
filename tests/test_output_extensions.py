"""Every command that writes a file refuses, before any work, a name whose extension is a format it
does not write; names in the warnings that list places are cut like every value in a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomap.cli import main

EVENTS = Path(__file__).parent / "data" / "events" / "acled-sample.csv"
ARTICLE = "The Taliban captured Ghazni on Thursday, officials said.\n"


def _reports(tmp_path: Path) -> Path:
    path = tmp_path / "reports.csv"
    path.write_text(
        "date,place,status\n2021-08-06,Zaranj,taliban\n2021-08-12,Ghazni,taliban\n2021-08-12,Kabul,government\n",
        encoding="utf-8",
    )
    return path


def _article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def _one_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert captured.out == ""
    return lines[0]


# Each case: the command line (R = the reports file, A = the article, E = ACLED events, O = the output folder),
# the refused path and the expected message after "<path>: ".
REFUSED = [
    (
        ["map", "R", "-o", "O/m.png"],
        "m.png",
        "geomap map writes an HTML page, not .png; give -o a name ending in .html or .htm",
    ),
    (
        ["summary", "R", "--plot", "O/cnt.html"],
        "cnt.html",
        "--plot draws a PNG, SVG or PDF chart, not .html; give --plot a name ending in .png, .svg or .pdf",
    ),
    (
        ["summary", "R", "--plot", "O/counts"],
        "counts",
        "--plot draws a PNG, SVG or PDF chart; give --plot a name ending in .png, .svg or .pdf",
    ),
    (
        ["import", "acled", "E", "-o", "O/x.gpkg"],
        "x.gpkg",
        "geomap import writes a CSV table, not .gpkg; give -o a name ending in .csv",
    ),
    (
        ["geocode", "Kabul", "Herat", "-o", "O/x.parquet"],
        "x.parquet",
        "geomap geocode writes a CSV table, not .parquet; give -o a name ending in .csv",
    ),
    (
        ["extract", "A", "--published", "2021-08-13", "-o", "O/x.geojson"],
        "x.geojson",
        "geomap extract writes a CSV table, not .geojson; give -o a name ending in .csv",
    ),
    (
        ["extract", "A", "--published", "2021-08-13", "-o", "O/x.csv", "--review", "O/rev.csv"],
        "rev.csv",
        "--review writes an HTML page, not .csv; give --review a name ending in .html or .htm",
    ),
    (
        ["extract", "A", "--published", "2021-08-13", "--review", "O/rev.txt"],
        "rev.txt",
        "--review writes an HTML page, not .txt; give --review a name ending in .html or .htm",
    ),
    (
        ["export", "R", "-o", "O/out.csv", "--unresolved", "O/u.txt"],
        "u.txt",
        "--unresolved writes a CSV table, not .txt; give --unresolved a name ending in .csv",
    ),
    (
        ["map", "R", "-o", "O/m.html", "--unresolved", "O/u.json"],
        "u.json",
        "--unresolved writes a CSV table, not .json; give --unresolved a name ending in .csv",
    ),
]


def _argv(template: list[str], tmp_path: Path, out: Path) -> list[str]:
    paths = {"R": _reports(tmp_path), "A": _article(tmp_path), "E": EVENTS}
    return [str(paths[a]) if a in paths else a.replace("O/", f"{out}/") for a in template]


@pytest.mark.parametrize(
    ("template", "name", "message"), REFUSED, ids=[" ".join(c[0][:1] + c[0][-2:]) for c in REFUSED]
)
def test_a_wrong_extension_is_refused_and_nothing_is_written(tmp_path, capsys, template, name, message):
    out = tmp_path / "out"
    out.mkdir()
    argv = _argv(template, tmp_path, out)
    assert main(argv) == 1
    assert _one_error(capsys) == f"geomap: error: {out / name}: {message}"
    assert list(out.iterdir()) == []


def test_an_existing_picture_is_not_replaced_by_a_map_page(tmp_path, capsys):
    picture = tmp_path / "m.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n an earlier picture")
    assert main(["map", str(_reports(tmp_path)), "-o", str(picture)]) == 1
    assert _one_error(capsys).startswith(f"geomap: error: {picture}: geomap map writes an HTML page, not .png")
    assert picture.read_bytes() == b"\x89PNG\r\n\x1a\n an earlier picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.png", "reports.csv"]


@pytest.mark.parametrize(
    "argv",
    [
        ["map", "missing.csv", "-o", "m.png"],
        ["summary", "missing.csv", "--plot", "cnt.html"],
        ["geocode", "--input", "missing.txt", "-o", "x.parquet"],
        ["import", "acled", "missing.csv", "-o", "x.gpkg"],
        ["extract", "missing.txt", "--published", "2021-08-13", "-o", "x.geojson"],
        ["export", "missing.csv", "-o", "cp.geojson", "--compact"],
    ],
    ids=lambda argv: argv[0],
)
def test_the_extension_is_checked_before_any_input_is_read(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    error = _one_error(capsys)
    assert error.startswith(f"geomap: error: {argv[-1] if argv[-1] != '--compact' else argv[-2]}: ")
    assert "missing" not in error
    assert list(tmp_path.iterdir()) == []


def test_compact_with_a_format_that_carries_geometry_is_refused_up_front(tmp_path, capsys, monkeypatch):
    import geomap.cli

    def no_timeline(*args, **kwargs):
        raise AssertionError("the timeline was built before the output was checked")

    monkeypatch.setattr(geomap.cli, "_timeline_from_args", no_timeline)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", str(_reports(tmp_path)), "-o", str(out / "cp.geojson"), "--compact"]) == 1
    assert _one_error(capsys) == (
        f"geomap: error: {out / 'cp.geojson'}: --compact writes a Parquet or CSV table (each area's geometry goes "
        "to cp.areas.parquet), not geojson; name the output .parquet or .csv, or drop --compact"
    )
    assert main(["export", str(_reports(tmp_path)), "-o", str(out / "cp.csv"), "--format", "gpkg", "--compact"]) == 1
    assert _one_error(capsys).endswith("not gpkg; pass --format parquet or csv, or drop --compact")
    assert list(out.iterdir()) == []


def test_export_messages_point_at_what_the_command_line_offers(tmp_path, capsys):
    reports = _reports(tmp_path)
    assert main(["export", str(reports), "-o", str(tmp_path / "areas.shp")]) == 1
    shapefile = _one_error(capsys)
    assert shapefile.startswith(
        f"geomap: error: {tmp_path / 'areas.shp'}: geomap does not write shapefiles; name the output .gpkg"
    )
    assert "--format" not in shapefile  # --format has no shapefile choice
    assert main(["export", str(reports), "-o", str(tmp_path / "areas.txt")]) == 1
    assert _one_error(capsys) == (
        f"geomap: error: {tmp_path / 'areas.txt'}: cannot tell the format from the extension '.txt'; name the "
        "output .geojson, .gpkg, .parquet or .csv, or pass --format geojson, gpkg, parquet or csv"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports.csv"]
    assert main(["export", str(reports), "-o", str(tmp_path / "areas.txt"), "--format", "csv"]) == 0
    assert (tmp_path / "areas.txt").read_text(encoding="utf-8").startswith("province_iso,province,date,")


def test_summary_plot_is_drawn_in_the_format_its_extension_names(tmp_path, capsys):
    reports = _reports(tmp_path)
    for name, start in (("c.svg", b"<?xml"), ("c.pdf", b"%PDF-"), ("c.PNG", b"\x89PNG\r\n\x1a\n")):
        assert main(["summary", str(reports), "--plot", str(tmp_path / name)]) == 0
        assert (tmp_path / name).read_bytes()[:5] == start[:5]
    capsys.readouterr()


def test_accepted_extensions_still_write(tmp_path, capsys):
    reports = _reports(tmp_path)
    assert main(["map", str(reports), "-o", str(tmp_path / "m.htm"), "--self-contained"]) == 0
    assert (tmp_path / "m.htm").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")
    assert main(["geocode", "Kabul", "-o", str(tmp_path / "places.CSV")]) == 0
    assert (tmp_path / "places.CSV").read_text(encoding="utf-8").splitlines()[1].startswith("Kabul,Kabul,")
    article = _article(tmp_path)
    argv = ["extract", str(article), "--published", "2021-08-13", "-o", str(tmp_path / "r.csv")]
    assert main([*argv, "--review", str(tmp_path / "review.htm")]) == 0
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").startswith("date,place,status,")
    assert "<html" in (tmp_path / "review.htm").read_text(encoding="utf-8").lower()
    assert main(["import", "acled", str(EVENTS), "-o", str(tmp_path / "events.csv")]) == 0
    assert (tmp_path / "events.csv").read_text(encoding="utf-8").startswith("date,place,status,")
    capsys.readouterr()


def test_long_place_names_are_cut_in_the_unresolved_warning(tmp_path, capsys):
    first = "Qalatabad" * 11_112  # 100,008 letters, no place
    second = "Sarbandkhel" * 9_091  # 100,001 letters
    reports = tmp_path / "reports.csv"
    reports.write_text(
        f"date,place,status\n2021-08-06,Zaranj,taliban\n2021-08-07,{first},taliban\n2021-08-08,{second},government\n",
        encoding="utf-8",
    )
    assert main(["summary", str(reports)]) == 0
    err = capsys.readouterr().err
    assert err == (
        f"geomap: 2 report(s) not mapped: '{first[:59]}... (100,008 characters) (row 3), "
        f"'{second[:59]}... (100,001 characters) (row 4); use --unresolved FILE to list them\n"
    )
    assert main(["summary", str(reports), "--strict"]) == 1
    error = _one_error(capsys)
    assert f"'{first[:59]}... (100,008 characters)" in error
    assert len(error) < 400


def test_long_names_are_cut_in_geocode_strict_and_unmapped_actors(tmp_path, capsys):
    name = "Darwazagai" * 10_000
    assert main(["geocode", name, "Kabul", "--strict"]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"geomap: error: 1 of 2 names unresolved: '{name[:59]}... (100,000 characters)\n"
    actor = "Militia of " + "Zindajan" * 12_500
    rows = EVENTS.read_text(encoding="utf-8").replace("Hypothetical Valley Militia", actor)
    events = tmp_path / "events.csv"
    events.write_text(rows, encoding="utf-8")
    assert main(["import", "acled", str(events), "-o", str(tmp_path / "reports.csv")]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("geomap: warning:")]
    assert len(warnings) == 1
    assert f"'{actor[:59]}... (100,011 characters): no side in the actor mapping" in warnings[0]
    assert len(warnings[0]) < 300


def test_a_geopackage_named_without_its_extension_is_written_without_a_gdal_warning(tmp_path, capsys):
    reports = _reports(tmp_path)
    assert main(["export", str(reports), "-o", str(tmp_path / "control"), "--format", "gpkg"]) == 0
    err = capsys.readouterr().err
    assert "extension" not in err and "geomap-tmp" not in err
    assert (tmp_path / "control").read_bytes()[:16] == b"SQLite format 3\x00"
    assert [p.name for p in tmp_path.iterdir() if "geomap-tmp" in p.name] == []
