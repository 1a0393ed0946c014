"""The command line as a careless user meets it: typos in options, commands and folders, surprising dates."""

from __future__ import annotations

import csv

import pytest

from geomap.cli import build_parser, main
from geomap.demo import EXAMPLE_TITLES

REPORTS = "date,place,status\n2021-08-06,Zaranj,taliban\n2021-08-12,Ghazni,taliban\n"


@pytest.fixture
def reports(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(REPORTS, encoding="utf-8")
    return path


def _usage_error(argv, capsys) -> str:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    return capsys.readouterr().err


def test_an_abbreviated_option_is_refused_with_the_whole_name(reports, tmp_path, capsys):
    err = _usage_error(["export", str(reports), "-o", str(tmp_path / "o.parquet"), "--interval"], capsys)
    assert err.startswith("usage: geomap export ")
    assert "geomap export: error: unrecognized arguments: --interval (did you mean --intervals?)" in err
    assert not (tmp_path / "o.parquet").exists()


def test_no_parser_takes_abbreviations():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert parser.allow_abbrev is False
    assert {name for name, p in commands.items() if p.allow_abbrev} == set()


def test_a_misspelt_option_shows_the_commands_usage_and_the_nearest_option(reports, tmp_path, capsys):
    err = _usage_error(["map", str(reports), "-o", str(tmp_path / "m.html"), "--self-contaned"], capsys)
    assert err.startswith("usage: geomap map ")
    assert err.strip().endswith(
        "geomap map: error: unrecognized arguments: --self-contaned (did you mean --self-contained?)"
    )
    err = _usage_error(["map", str(reports), "-o", str(tmp_path / "m.html"), "--self"], capsys)
    assert err.strip().endswith("unrecognized arguments: --self (did you mean --self-contained?)")  # its beginning
    err = _usage_error(["export", str(reports), "-o", str(tmp_path / "x.csv"), "--as"], capsys)
    assert err.strip().endswith("unrecognized arguments: --as (did you mean --as-of?)")
    err = _usage_error(["map", str(reports), "-o", str(tmp_path / "m.html"), "stray"], capsys)
    assert err.strip().endswith("geomap map: error: unrecognized arguments: stray")


def test_a_misspelt_command_suggests_the_nearest(capsys):
    err = _usage_error(["exprot", "r.csv"], capsys)
    assert "unknown command 'exprot'; did you mean 'export'?" in err


@pytest.mark.parametrize("option", ["-o", "--unresolved"])
def test_an_output_in_a_missing_folder_is_refused_and_no_folder_is_made(reports, tmp_path, capsys, option):
    missing = tmp_path / "typo" / "deeper"
    outputs = {"-o": str(tmp_path / "m.html"), "--unresolved": str(tmp_path / "u.csv")}
    outputs[option] = str(missing / "out.file")
    assert main(["map", str(reports), "-o", outputs["-o"], "--unresolved", outputs["--unresolved"]]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"the folder {missing} does not exist; create it first (mkdir -p {missing}) or correct {option}" in err
    assert not (tmp_path / "typo").exists()
    assert not (tmp_path / "m.html").exists()


def test_as_of_before_every_report_warns_in_one_line(reports, tmp_path, capsys):
    out = tmp_path / "o.csv"
    assert main(["export", str(reports), "-o", str(out), "--as-of", "2020-01-01"]) == 0
    err = capsys.readouterr().err
    assert (
        "geomap: warning: --as-of 2020-01-01 is before every report (the first is 2021-08-06), "
        "so every area is 'unknown'; give a later date" in err
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 34 and {row["status"] for row in rows} == {"unknown"}
    assert main(["export", str(reports), "-o", str(out), "--as-of", "2021-08-06"]) == 0
    assert "before every report" not in capsys.readouterr().err


def test_compact_export_prints_every_file_written(reports, tmp_path, capsys):
    out = tmp_path / "c.csv"
    assert main(["export", str(reports), "-o", str(out), "--compact"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out), str(tmp_path / "c.areas.parquet")]
    assert all((tmp_path / name).exists() for name in ("c.csv", "c.areas.parquet"))


def test_demo_titles_name_the_same_period_at_both_levels():
    periods = {title.split(":")[0] for title in EXAMPLE_TITLES.values()}
    assert periods == {"Taliban offensive, May-September 2021"}


def test_two_outputs_naming_one_file_are_refused_before_any_work(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text("Taliban fighters seized Herat on 12 August.\n", encoding="utf-8")
    out = tmp_path / "both.html"
    argv = [
        "extract",
        str(article),
        "--published",
        "2021-08-14",
        "-o",
        str(out),
        "--review",
        str(tmp_path / "BOTH.html"),
    ]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"-o {out} and --review {tmp_path / 'BOTH.html'} name the same file; give each output its own name" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_extract_review_page_is_not_left_when_the_csv_cannot_be_written(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text("Taliban fighters seized Herat on 12 August.\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    review = tmp_path / "review.html"
    argv = ["extract", str(article), "--published", "2021-08-14", "-o", str(blocker / "x.csv"), "--review", str(review)]
    assert main(argv) == 1
    assert "is a file, not a folder" in capsys.readouterr().err
    assert not review.exists()


def test_export_style_is_not_left_when_the_export_fails(reports, tmp_path, capsys, monkeypatch):
    import geomap.style
    from geomap.errors import OutputError

    def broken(*args, **kwargs):
        raise OutputError("style: simulated failure")

    monkeypatch.setattr(geomap.style, "qml_style", broken)
    out, style = tmp_path / "o.gpkg", tmp_path / "o.qml"
    assert main(["export", str(reports), "-o", str(out), "--style", str(style)]) == 1
    assert "simulated failure" in capsys.readouterr().err
    assert not out.exists() and not style.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["reports.csv"]


def test_import_neutralises_formulas_and_refuses_dates_out_of_range(tmp_path, capsys):
    from pathlib import Path

    sample = Path(__file__).parent / "data" / "events" / "acled-sample.csv"
    rows = list(csv.reader(sample.open(encoding="utf-8")))
    header, row = rows[0], list(rows[1])
    row[header.index("location")] = '=HYPERLINK("http://x.example","Zaranj")'
    row[header.index("source")] = "@SUM(1+1)"
    events = tmp_path / "events.csv"
    with events.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, row])
    out = tmp_path / "reports.csv"
    assert main(["import", "acled", str(events), "-o", str(out)]) == 0
    written = next(csv.DictReader(out.open(encoding="utf-8")))
    assert (written["place"], written["source"]) == ('\'=HYPERLINK("http://x.example","Zaranj")', "'@SUM(1+1)")
    assert main(["import", "acled", str(events), "-o", str(out), "--raw-csv"]) == 0
    assert next(csv.DictReader(out.open(encoding="utf-8")))["source"] == "@SUM(1+1)"
    capsys.readouterr()
    for day in ("1 January 0001", "31 December 9999"):
        row[header.index("event_date")] = day
        with events.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([header, row])
        assert main(["import", "acled", str(events), "-o", str(tmp_path / "late.csv")]) == 1
        err = capsys.readouterr().err
        assert (
            f"column 'event_date': '{day}': not a date; expected 2021-08-12 or 12 August 2021, from 1678 to 2261" in err
        )
        assert "Traceback" not in err and not (tmp_path / "late.csv").exists()
