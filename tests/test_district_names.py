"""District names as other lists write them: Who's On First spellings, later districts, list conventions."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from geomap._data import data_file
from geomap.gazetteer import build_gazetteer, get_gazetteer, normalize, phonetic_key
from geomap.geocode import geocode_table


def _rows() -> list[dict]:
    with data_file("district_names.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("query", "name", "iso", "district"),
    [
        ("Sharak-e-Hayratan", "Sharak Hairatan", "AF-BAL", "AF-BAL-kaldar"),  # created after 2014 from Kaldar
        ("Sharak Hairatan", "Sharak Hairatan", "AF-BAL", "AF-BAL-kaldar"),
        ("Bughran", "Baghran", "AF-HEL", "AF-HEL-baghran"),  # was a near miss of Baghlan
        ("Azro", "Azra", "AF-LOG", "AF-LOG-azra"),
        ("Naka", "Nika", "AF-PKA", "AF-PKA-nika"),
        ("Fereng wa Gharu", "Farang Wa Gharu", "AF-BGL", "AF-BGL-farang-wa-gharu"),
        ("شولگره", "Sholgara", "AF-BAL", "AF-BAL-sholgara"),  # the Dari name, "district" dropped
    ],
)
def test_who_s_on_first_spellings_reach_their_district(query, name, iso, district):
    row = geocode_table([query]).iloc[0]
    assert (row["name"], row["kind"], row["province_iso"], row["district_id"]) == (name, "district", iso, district)


def test_a_later_district_geocodes_to_its_point_inside_the_district_it_was_carved_from():
    from shapely import Point

    from geomap.boundaries import load_districts

    districts = load_districts().set_index("district_id")
    later = [r for r in _rows() if r["district_id"]]
    assert {r["name"] for r in later} == {"Sharak Hairatan", "Dilaram"}
    for row in later:
        assert row["district_id"].startswith(row["province_iso"] + "-")
        assert districts.loc[row["district_id"], "geometry"].contains(Point(float(row["lon"]), float(row["lat"])))
    assert geocode_table(["Dilaram"]).iloc[0][["province_iso", "district_id"]].tolist() == [
        "AF-NIM",
        "AF-NIM-khash-rod",
    ]


def test_no_added_spelling_takes_the_name_of_a_place_in_another_province():
    """The guard of the build: every added spelling is new to the gazetteer or a name of that very district."""
    before = build_gazetteer(district_names=False)
    holders: dict[str, set[str]] = {}
    for entry in before.entries:
        if entry.kind not in ("foreign", "village"):
            for spelling in (entry.name, *entry.aliases):
                holders.setdefault(phonetic_key(normalize(spelling)), set()).add(entry.province_iso)
    rows = _rows()
    assert len(rows) > 40
    for row in rows:
        for spelling in filter(None, row["aliases"].split("|")):
            assert holders.get(phonetic_key(normalize(spelling)), {row["province_iso"]}) == {row["province_iso"]}, (
                spelling
            )


@pytest.mark.parametrize(
    ("query", "name", "iso"),
    [
        ("Dand Aw Patan", "Dand Patan", "AF-PIA"),  # Pashto "aw" (and) for Dari "wa"
        ("Ismail Khel aw Mandozai", "Mando Zayi", "AF-KHO"),  # two names joined: the district
        ("Provincial Capital (Asadabad)", "Asadabad", "AF-KNR"),  # nothing but generic words around it
        ("District Center (Sharana)", "Sharana", "AF-PKA"),
        ("Yakawlang-2", "Yakawlang", "AF-BAM"),  # a numbered part of a district
        ("Kabul District 5", "Kabul", "AF-KAB"),
    ],
)
def test_conventions_of_district_lists(query, name, iso):
    match = get_gazetteer().resolve(query)
    assert match is not None and (match.entry.name, match.entry.province_iso) == (name, iso)
    assert match.confidence >= 0.5


def test_aw_meaning_water_stays_part_of_a_village_name():
    match = get_gazetteer().resolve("Siyah Aw")
    assert match is not None and (match.entry.name, match.entry.kind) == ("Siyah Aw", "village")


def test_generic_words_alone_are_not_a_place():
    assert get_gazetteer().resolve("Provincial Capital") is None


def test_one_consonant_for_another_in_a_short_name_is_another_name_not_a_typo():
    row = geocode_table(["Zabuk"]).iloc[0]  # not known, one consonant from the province Zabul
    assert pd.isna(row["province_iso"]) and "Zabul" in row["alternatives"]
    row = geocode_table(["Zawol"]).iloc[0]  # a district of Herat created after 2014, not the province Zabul
    assert (row["province_iso"], row["district_id"]) == ("AF-HER", "AF-HER-shindand")
    for typo, iso in (("Ghanzi", "AF-GHA"), ("Heart", "AF-HER"), ("Zabol", "AF-ZAB"), ("Kondoz", "AF-KDZ")):
        assert geocode_table([typo]).iloc[0]["province_iso"] == iso, typo
