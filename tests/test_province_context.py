"""A province written in or beside a name decides where the place is, and a place elsewhere is never answered."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from geomap.gazetteer import get_gazetteer
from geomap.geocode import geocode_table


def _districts() -> list[tuple[str, str, str]]:
    """(district, its province's name, its province's ISO code) for every bundled district."""
    data = resources.files("geomap") / "data"
    with (data / "provinces.csv").open(encoding="utf-8") as fh:
        provinces = {row["iso"]: row["name"] for row in csv.DictReader(fh)}
    with (data / "places.csv").open(encoding="utf-8") as fh:
        return [
            (row["name"], provinces[row["province_iso"]], row["province_iso"])
            for row in csv.DictReader(fh)
            if row["kind"] == "district"
        ]


@pytest.mark.parametrize(
    ("query", "name", "iso"),
    [
        ("MUQUR GHAZNI", "Muqur", "AF-GHA"),  # the province's name is also its capital's
        ("Muqur (Badghis)", "Muqur", "AF-BDG"),
        ("Qarabagh Ghazni", "Qarabagh", "AF-GHA"),
        ("Arghandab, Zabul", "Arghandab", "AF-ZAB"),
        ("SURUBI (PAKTIKA)", "Sarobi", "AF-PKA"),  # Paktika's district spelled like Kabul's
        ("SURUBI PAKTIKA", "Sarobi", "AF-PKA"),
        ("Surobi, Kabul", "Surobi", "AF-KAB"),
        ("Lash Wa Juwayn Farah", "Lash Wa Juwayn", "AF-FRA"),
    ],
)
def test_the_named_province_picks_the_place(query, name, iso):
    match = get_gazetteer().resolve(query)
    assert (match.entry.name, match.entry.province_iso) == (name, iso)
    assert match.confidence >= 0.5


def test_the_namesake_elsewhere_stays_a_candidate():
    match = get_gazetteer().resolve("Surobi, Paktika")
    assert match.entry.province_iso == "AF-PKA"
    assert [(e.name, e.province_iso) for e in match.alternatives] == [("Surobi", "AF-KAB")]


def test_a_place_outside_the_named_province_is_not_answered():
    table = geocode_table(["Zabiul, Herat", "Herat, Kandahar", "Zabiul", "Zabuk, Herat", "Zawol, Herat"])
    # a misspelling of a province elsewhere, and a capital of another province: candidates only
    assert table["province_iso"].isna().tolist() == [True, True, False, True, False]
    assert table.loc[1, "reason"].startswith("Herat is in Herat (AF-HER), not in Kandahar, the province given")
    assert table.loc[2, "province_iso"] == "AF-ZAB"  # with nothing said, the misspelling stands
    assert "Zabul (AF-ZAB)" in table.loc[3, "alternatives"]
    assert table.loc[4, "district_id"] == "AF-HER-shindand"  # Zawol: a Herat district created after 2014


@pytest.mark.parametrize("form", ["{n} ({p})", "{n}, {p}", "{n} {p}", "{N} {P}"])
def test_every_district_with_its_province(form):
    wrong = []
    for name, province, iso in _districts():
        query = form.format(n=name, p=province, N=name.upper(), P=province.upper())
        match = get_gazetteer().resolve(query)
        if match is None or match.entry.province_iso != iso or match.confidence < 0.5:
            wrong.append((query, match and match.entry.province_iso))
    assert wrong == []
