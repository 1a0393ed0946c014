"""Tests for the bundled August 2021 example and ``geomap demo``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from geomap._data import data_file
from geomap.boundaries import load_provinces
from geomap.cli import main
from geomap.demo import example_path, example_reports
from geomap.reports import read_reports
from geomap.scheme import AFGHANISTAN_2021

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "afghanistan-2021.csv"


def test_packaged_copy_equals_the_example():
    assert example_path() == data_file("afghanistan-2021.csv")
    assert example_path().read_bytes() == EXAMPLE.read_bytes()


def test_example_is_valid_and_cited():
    table = example_reports()
    assert list(table.columns) == ["date", "place", "status", "source", "note"]
    assert (table["source"].str.startswith("http")).all()
    assert (table["note"].str.len() > 10).all()
    assert set(table["status"]) <= set(AFGHANISTAN_2021.reportable)
    reports = read_reports(EXAMPLE)
    assert len(reports) == len(table)
    assert not table.duplicated(["date", "place"]).any()


def test_example_dates_of_key_events():
    table = example_reports()
    falls = table[table["status"] == "taliban"].set_index("place")["date"]
    assert falls["Zaranj"] == "2021-08-06"
    assert falls["Sheberghan"] == "2021-08-07"
    assert falls[["Kunduz", "Sar-e Pol", "Taloqan"]].tolist() == ["2021-08-08"] * 3
    assert falls[["Ghazni", "Herat", "Qala-i-Naw"]].tolist() == ["2021-08-12"] * 3
    assert falls["Kandahar"] == "2021-08-13"
    assert falls["Mazar-i-Sharif"] == "2021-08-14"
    assert falls["Kabul"] == "2021-08-15"
    assert falls["Panjshir"] == "2021-09-06"
    held = table[(table["status"] == "government") & (table["date"] == "2021-08-13")]["place"]
    assert {"Kabul", "Mazar-i-Sharif", "Jalalabad"} <= set(held)


def test_demo_writes_map_and_geojson(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "-o", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    html_path, geojson_path = out / "afghanistan-2021.html", out / "afghanistan-2021.geojson"
    assert printed == [str(html_path), str(geojson_path)]
    html = html_path.read_text(encoding="utf-8")
    for name in load_provinces()["name"]:
        assert json.dumps(name)[1:-1] in html, name
    assert "unpkg.com" not in html and "cdn.jsdelivr" not in html  # self-contained
    features = json.loads(geojson_path.read_text(encoding="utf-8"))["features"]
    dates = sorted(pd.read_csv(EXAMPLE, dtype=str)["date"].unique())
    assert len(features) == 34 * len(dates)
    assert {f["properties"]["date"] for f in features} == set(dates)
    kabul = {
        f["properties"]["date"]: f["properties"]["status"]
        for f in features
        if f["properties"]["province_iso"] == "AF-KAB"
    }
    assert kabul["2021-08-14"] == "government"
    assert kabul["2021-08-15"] == "taliban"
    assert not list(out.glob(".*.tmp*"))
