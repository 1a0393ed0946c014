"""Tests of the settlement gazetteer (geomap._villages) and how the geocoder weighs it."""

from __future__ import annotations

import gzip
import math

import pytest

import geomap._villages as villages_module
from geomap._data import data_file
from geomap._villages import VillageIndex, get_villages
from geomap.boundaries import load_districts
from geomap.gazetteer import Entry, Gazetteer, normalize, phonetic_key
from geomap.geocode import geocode


def _table_lines() -> list[str]:
    with gzip.open(data_file("villages.tsv.gz"), "rt", encoding="utf-8") as handle:
        return handle.read().splitlines()


def test_table_holds_tens_of_thousands_of_villages_in_bundled_districts():
    lines = _table_lines()
    assert len(lines) > 25_000
    district_ids = set(load_districts()["district_id"])
    assert {line.split("\t")[1] for line in lines} <= district_ids
    # every district of the country has settlements
    assert len({line.split("\t")[1] for line in lines}) > 390


def test_stored_keys_match_the_current_normalisation():
    # the keys are compiled at build time; a change to normalize/phonetic_key needs a rebuild
    stale = []
    for line in _table_lines():
        name, *_, keys = line.split("\t")
        norm = normalize(name)
        if norm and len(phonetic_key(norm)) >= 3 and phonetic_key(norm) not in keys.split("|"):
            stale.append(name)
    assert stale == [], f"rerun scripts/build_villages.py: {stale[:5]}"


def test_a_real_village_resolves_with_its_district():
    row = geocode(["Arab Khu"]).iloc[0]
    assert (row["kind"], row["province_iso"], row["district_id"]) == ("village", "AF-BAL", "AF-BAL-balkh")
    assert (round(row["lat"], 2), round(row["lon"], 2)) == (36.74, 66.80)
    assert row["confidence"] == pytest.approx(0.85)


# ---------------------------------------------------------------------- rules, on a tiny gazetteer
VILLAGES = [
    ("Tangi Dara", "AF-AAA-one", 1.0),
    ("Sangar", "AF-AAA-one", 1.1),
    ("Sangar", "AF-BBB-two", 2.1),
    ("Pul Kala", "AF-BBB-two", 2.2),
    ("Surkh Dara", "AF-AAA-one", 1.2),
]


def _lines(villages: list[tuple[str, str, float]]) -> list[str]:
    """Settlement-table lines of ``(name, district_id, coordinate)`` villages."""
    return [
        f"{name}\t{district}\t{xy}\t{xy}\t{n}\t{phonetic_key(normalize(name))}"
        for n, (name, district, xy) in enumerate(villages)
    ]


LINES = _lines(VILLAGES)


@pytest.fixture
def gaz(monkeypatch) -> Gazetteer:
    monkeypatch.setattr(villages_module, "get_villages", lambda: VillageIndex(LINES))
    nan = math.nan
    return Gazetteer(
        [
            Entry("Alpha", "province", "AF-AAA", "Alpha", nan, nan, 0, (), "", 0),
            Entry("Beta", "province", "AF-BBB", "Beta", nan, nan, 0, (), "", 0),
            Entry("Surkh Dara", "district", "AF-BBB", "Beta", 2.0, 2.0, 0, (), "", 0),
            Entry("Pulkalan", "district", "AF-AAA", "Alpha", 1.0, 1.0, 0, (), "", 0),
        ]
    )


def test_a_village_of_one_province_answers(gaz):
    match = gaz.resolve("Tangi Dara")
    assert (match.entry.name, match.entry.kind, match.entry.province_iso) == ("Tangi Dara", "village", "AF-AAA")
    assert (match.method, match.confidence) == ("exact", 0.85)
    assert gaz.resolve("Tange Darra").method == "alias"  # same phonetic key, another spelling


def test_a_village_name_in_several_provinces_is_held_back_with_its_candidates(gaz):
    match = gaz.resolve("Sangar")
    assert match.confidence < 0.5
    assert {match.entry.province_iso, *(e.province_iso for e in match.alternatives)} == {"AF-AAA", "AF-BBB"}


def test_a_province_in_or_beside_the_name_picks_the_village(gaz):
    for text in ("Sangar, Beta", "Sangar (Beta)", "Sangar Beta"):
        match = gaz.resolve(text)
        assert (match.entry.province_iso, match.confidence, match.alternatives) == ("AF-BBB", 0.85, ()), text


def test_a_place_of_the_main_tables_spelled_as_on_record_stands(gaz):
    # the district Surkh Dara of Beta, not the village Surkh Dara of Alpha
    match = gaz.resolve("Surkh Dara")
    assert (match.entry.kind, match.entry.province_iso, match.method) == ("district", "AF-BBB", "exact")


def test_a_village_spelled_exactly_beats_a_misspelling_of_a_place_elsewhere(gaz):
    # "Pul Kala" is one letter from the district Pulkalan (Alpha), and spelled as a village of Beta
    match = gaz.resolve("Pul Kala")
    assert (match.entry.name, match.entry.province_iso) == ("Pul Kala", "AF-BBB")
    assert [e.label for e in match.alternatives] == ["Pulkalan (AF-AAA)"]
    assert match.confidence < 0.5


def test_bundled_index_loads_once():
    assert get_villages() is get_villages()


# ------------------------------------------------- a district's seat and villages of its name elsewhere
SEAT_VILLAGES = [
    ("Shash Bagh", "AF-BBB-two", 2.3),
    ("Shash Bagh", "AF-CCC-three", 3.3),
    ("Shash Bagh", "AF-DDD-four", 4.3),
    ("Tor Kotai", "AF-BBB-two", 2.4),
    ("Tor Kotai", "AF-CCC-three", 3.4),
    ("Tor Kotai", "AF-DDD-four", 4.4),
]


@pytest.fixture
def seats(monkeypatch) -> Gazetteer:
    monkeypatch.setattr(villages_module, "get_villages", lambda: VillageIndex(_lines(SEAT_VILLAGES)))
    nan = math.nan
    provinces = [
        Entry(name, "province", iso, name, nan, nan, 0, (), "", 0)
        for name, iso in (("Alpha", "AF-AAA"), ("Beta", "AF-BBB"), ("Gamma", "AF-CCC"), ("Delta", "AF-DDD"))
    ]
    return Gazetteer(
        [
            *provinces,
            Entry("Khani Shash Bagh", "district", "AF-AAA", "Alpha", 1.0, 1.0, 0, (), "", 0),
            Entry("Tor Kot", "district", "AF-AAA", "Alpha", 1.5, 1.5, 0, (), "", 0),
            # the seats: named by a part of the district's name, and by the whole of it
            Entry(
                "Shash Bagh",
                "village",
                "AF-AAA",
                "Alpha",
                1.1,
                1.1,
                0,
                (),
                "",
                0,
                "AF-AAA-khani-shash-bagh",
                "Khani Shash Bagh",
            ),
            Entry("Tor Kotai", "village", "AF-AAA", "Alpha", 1.6, 1.6, 0, (), "", 0, "AF-AAA-tor-kot", "Tor Kot"),
        ]
    )


def test_a_seat_named_by_part_of_its_district_is_one_village_of_a_common_name(seats):
    # villages of three other provinces carry the name: any of them may be meant
    match = seats.resolve("Shash Bagh")
    assert match.confidence < 0.5
    provinces = {match.entry.province_iso, *(e.province_iso for e in match.alternatives)}
    assert provinces == {"AF-AAA", "AF-BBB", "AF-CCC", "AF-DDD"}
    # the province beside the name decides
    assert seats.resolve("Shash Bagh, Alpha").entry.province_iso == "AF-AAA"
    assert seats.resolve("Shash Bagh, Alpha").confidence >= 0.5


def test_a_seat_named_as_its_district_keeps_its_name(seats):
    match = seats.resolve("Tor Kotai")
    assert (match.entry.name, match.entry.province_iso, match.alternatives) == ("Tor Kotai", "AF-AAA", ())
    assert match.confidence >= 0.5
