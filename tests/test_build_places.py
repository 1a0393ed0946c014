"""Tests of scripts/build_places.py (helpers) and of the tables it generated into geomap/data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from geomap._data import data_file, provinces_table

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
DISTRICTS = SHARED / "data" / "afghanistan-districts-geoboundaries" / "geoBoundaries-AFG-ADM2.shp"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_places", ROOT / "scripts" / "build_places.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("raw", "name", "aliases"),
    [
        ("Sia Gird ( Ghorbund)", "Sia Gird", ["Ghorbund"]),
        ("Dahana-I- Ghuri", "Dahana-i-Ghuri", []),
        ("Warduj\n", "Warduj", []),
        ("Zanda  Jan\n", "Zanda Jan", []),
        ("Khost(Matun)", "Khost", ["Matun"]),
    ],
)
def test_clean_name(build, raw, name, aliases):
    assert build.clean_name(raw) == (name, aliases)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Markaz-e Woluswalī-ye Āchīn", "Achin"),
        ("Wulêswālī Bihsūd", "Bihsud"),
        ("Chahār Qal‘ah", "Chahar Qalah"),
        ("Kabul", "Kabul"),
    ],
)
def test_display_name(build, raw, expected):
    assert build.display_name(raw) == expected


def test_generated_places_table():
    places = pd.read_csv(data_file("places.csv"), dtype=str, keep_default_na=False)
    assert list(places.columns) == ["name", "kind", "province_iso", "lat", "lon", "population", "aliases", "source"]
    assert (places["kind"] == "district").sum() == 398
    assert places["province_iso"].str.fullmatch(r"AF-[A-Z]{3}").all()
    assert places.loc[places["source"].str.startswith("GeoNames"), "name"].map(str.isascii).all()
    assert not places["name"].str.contains("\n").any()


def test_district_names_match_the_source(build):
    if not DISTRICTS.is_file():
        pytest.skip(f"../shared/data not found: {DISTRICTS}")
    import pyogrio

    source = pyogrio.read_dataframe(DISTRICTS, read_geometry=False)
    expected = sorted(build.clean_name(n)[0] for n in source["shapeName"])
    places = pd.read_csv(data_file("places.csv"), dtype=str, keep_default_na=False)
    assert sorted(places.loc[places["kind"] == "district", "name"]) == expected


def test_curated_aliases_are_well_formed():
    aliases = pd.read_csv(data_file("aliases.csv"), dtype=str, keep_default_na=False)
    places = pd.read_csv(data_file("places.csv"), dtype=str, keep_default_na=False)
    known = set(zip(places["name"], places["kind"], places["province_iso"], strict=True))
    provinces = provinces_table()
    known |= {(name, "province", iso) for name, iso in zip(provinces["name"], provinces["iso"], strict=True)}
    known |= {(name, "capital", iso) for name, iso in zip(provinces["capital"], provinces["iso"], strict=True)}
    for row in aliases.itertuples(index=False):
        assert row.source, row
        # a row either adds spellings to a listed place or brings its own coordinates
        assert (row.name, row.kind, row.province_iso) in known or (row.lat and row.lon), row


@pytest.mark.parametrize(
    ("alias", "useful"),
    [("کابل", True), ("جلال‌آباد", True), ("Kabul", True), ("KBL", False), ("Кабул", False), ("喀布尔", False)],
)
def test_latin_and_arabic_script_alternate_names_are_kept(build, alias, useful):
    assert build._useful_alias(alias) is useful


def test_generated_tables_carry_dari_names_and_lookalike_foreign_cities():
    places = pd.read_csv(data_file("places.csv"), dtype=str, keep_default_na=False)
    kabul = places[(places["name"] == "Kabul") & (places["kind"] == "city")].iloc[0]
    assert "کابل" in kabul["aliases"].split("|")
    jaghatu = places[places["name"] == "Jaghatu"]
    assert jaghatu["province_iso"].tolist() == ["AF-WAR"]  # split 51/49 by the generalised polygons
    foreign = pd.read_csv(data_file("foreign_places.csv"), dtype=str, keep_default_na=False)
    assert {"Kandy", "Jalal-Abad", "Zābol", "Serhetabat"} <= set(foreign["name"])
    assert "Kushka" in foreign.loc[foreign["name"] == "Serhetabat", "aliases"].iloc[0]


def test_bundled_gazetteer_tables_stay_small():
    for name in ("places.csv", "foreign_places.csv", "aliases.csv", "not_places.csv"):
        assert data_file(name).stat().st_size < 200_000, name


def test_not_place_words_are_documented_and_not_district_names():
    words = pd.read_csv(data_file("not_places.csv"), dtype=str, keep_default_na=False)
    assert list(words.columns) == ["name", "category", "aliases"]
    assert words["category"].str.match(r"^an? ").all()
    places = pd.read_csv(data_file("places.csv"), dtype=str, keep_default_na=False)
    big = places.loc[places["kind"].isin(["district", "city"]), "name"].str.casefold()
    assert not set(words["name"].str.casefold()) & set(big)
