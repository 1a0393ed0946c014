"""Classes of real-world spellings the geocoder reads, and the speed-ups that must not change its answers."""

from __future__ import annotations

import random
import subprocess
import sys

import pandas as pd
import pytest

from geomap.gazetteer import get_gazetteer, normalize, phonetic_key
from geomap.geocode import geocode, geocode_table


def _resolve(name: str):
    match = get_gazetteer().resolve(name)
    assert match is not None, name
    return match


@pytest.mark.parametrize(
    ("query", "name", "iso"),
    [
        ("Khulmi", "Khulm", "AF-BAL"),  # adjectival form of a town and district
        ("Hazrati Imam Sahib", "Imam Sahib", "AF-KDZ"),  # honorific before a name on record
        ("Hazrat-e Imam Sahib", "Imam Sahib", "AF-KDZ"),
        ("Hazrati Sultan", "Hazrati Sultan", "AF-SAM"),  # ... unless the name on record has it
        ("Markazi Bihsud", "Markazi Bihsud", "AF-WAR"),  # "central" that begins a name
        ("Chaman-Spin Boldak", "Spin Boldak", "AF-KAN"),  # a border crossing: the Afghan side
        ("Spin Boldak - Chaman", "Spin Boldak", "AF-KAN"),
        ("Narang wa Badil", "Narang", "AF-KNR"),  # a district renamed with a second name joined
        ("Taloqan - center of Taloqan", "Taloqan", "AF-TAK"),
        ("Mazar-e-Sharif", "Mazar-i-Sharif", "AF-BAL"),  # izafa hyphens do not split a name
        ("Ghaziabad", "Ghaziabad", "AF-KNR"),  # a district beats its foreign namesake
        ("Nish", "Nesh", "AF-KAN"),
    ],
)
def test_real_spelling_classes(query, name, iso):
    match = _resolve(query)
    assert (match.entry.name, match.entry.province_iso) == (name, iso)
    assert match.confidence >= 0.5


def test_baghlan_markazi_is_in_baghlan():
    assert _resolve("Baghlan Markazi").entry.province_iso == "AF-BGL"


def test_adjectival_forms_are_weaker_than_names_on_record_and_capitals_stay_demonyms():
    assert _resolve("Khulmi").method == "fuzzy"
    assert _resolve("Khulmi").confidence < _resolve("Khulm").confidence
    assert get_gazetteer().resolve("Kabuli") is None
    assert get_gazetteer().refusal("Kabuli") == "a demonym of Kabul, not a place"


def test_a_foreign_namesake_of_a_district_is_listed_and_the_text_can_say_abroad():
    match = _resolve("Ghaziabad")
    assert [other.label for other in match.alternatives] == ["Ghāziābād (IN)"]
    assert _resolve("Ghaziabad, India").is_foreign


def test_a_compound_across_provinces_is_left_unresolved_with_both():
    row = geocode_table(["Kabul-Jalalabad"]).iloc[0]
    assert row["method"] == ""
    assert "Kabul (AF-KAB)" in row["alternatives"] and "Jalalabad (AF-NAN)" in row["alternatives"]


def test_a_district_in_brackets_picks_the_place_in_its_province():
    match = _resolve("Ismail Khail (Mandozai)")
    assert match.entry.province_iso == "AF-KHO"
    assert match.confidence >= 0.5


def test_a_letter_added_at_a_word_start_is_not_a_typo_of_another_name():
    row = geocode_table(["Dasht-e-Marchi"]).iloc[0]
    assert row["method"] == ""  # not Dashte Archi in Kunduz
    assert "Dashte Archi (AF-KDZ)" in row["alternatives"]
    assert _resolve("Dasht-e-Barchi").entry.province_iso == "AF-KAB"  # the quarter of Kabul, on record
    assert _resolve("Dashte Arch").entry.name == "Dashte Archi"  # a dropped letter inside a word is
    assert _resolve("Dashte Arch").confidence >= 0.5


@pytest.mark.parametrize(("a", "b"), [("Darah", "Dara"), ("Terwah", "Terwa"), ("Qalah", "Qala")])
def test_a_silent_final_h_is_folded(a, b):
    assert phonetic_key(normalize(a)) == phonetic_key(normalize(b))


def test_shah_keeps_its_h():
    assert phonetic_key(normalize("Shah")) != phonetic_key(normalize("Sha"))


def test_deletion_index_finds_what_a_full_scan_finds():
    from rapidfuzz.distance import OSA

    from geomap._fuzzy import FuzzyIndex, max_edits

    gazetteer = get_gazetteer()
    keys = sorted(gazetteer._fuzzy_keys)
    index = FuzzyIndex(keys)
    rng = random.Random(7)
    for _ in range(300):
        word = list(rng.choice(keys))
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(word))
            word[i : i + 1] = rng.choice(([], [rng.choice("abdgikmnrstu")], [rng.choice("aiu"), word[i]]))
        query = "".join(word)
        limit = max(max_edits(len(query)), 1)
        want = {k for k in keys if OSA.distance(query, k) <= limit}
        got = {k for k in index.near(query, limit) if OSA.distance(query, k) <= limit}
        assert got == want, query


def test_geocode_table_is_geocode_without_the_geometry():
    names = ["Kabul", "Khulmi", "Arghun, Balkh", "Doha", "Ghazni province", "Zzzz"]
    table = geocode_table(names)
    frame = geocode(names)
    pd.testing.assert_frame_equal(table, pd.DataFrame(frame.drop(columns="geometry")))


def test_compiled_districts_are_those_of_the_polygons():
    import numpy as np
    import shapely

    from geomap.geocode import _district_of

    entries = [e for e in get_gazetteer().entries if e.district_id][::7]
    ids, _ = _district_of(
        shapely.points([e.lon for e in entries], [e.lat for e in entries]),
        np.array([e.province_iso for e in entries], dtype=object),
    )
    assert list(ids) == [e.district_id for e in entries]


def test_the_geocode_command_needs_neither_geopandas_nor_shapely():
    code = (
        "import sys, io, contextlib\n"
        "from geomap.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    main(['geocode', 'Kabul', 'Khulmi'])\n"
        "print(out.getvalue().splitlines()[1].split(',')[5])\n"
        "print(sorted(m for m in ('geopandas', 'shapely', 'pyogrio') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "AF-KAB-kabul"
    assert out[1] == "[]"


@pytest.mark.parametrize(
    ("query", "iso", "district"),
    [
        ("Bano", "AF-BGL", "AF-BGL-andarab"),  # created after 2014 from Andarab
        ("Terwa", "AF-PKA", "AF-PKA-mata-khan"),
        ("Maimay", "AF-BDS", "AF-BDS-darwazbala"),  # the seat of Darwaz-e Payin
    ],
)
def test_districts_created_after_2014_geocode_inside_the_district_they_were_carved_from(query, iso, district):
    row = geocode_table([query]).iloc[0]
    assert (row["kind"], row["province_iso"], row["district_id"]) == ("district", iso, district)


def test_the_new_district_table_names_known_provinces_and_2014_districts():
    import csv

    from geomap._data import data_file
    from geomap.boundaries import load_districts

    districts = set(load_districts()["district_id"])
    with data_file("new_districts.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        assert row["kind"] == "district" and row["district_id"] in districts
        assert row["district_id"].startswith(row["province_iso"] + "-")


def test_ai_written_for_e_reaches_a_district_but_not_a_village():
    match = _resolve("Naish")
    assert (match.entry.name, match.entry.province_iso, match.method) == ("Nesh", "AF-KAN", "fuzzy")
    assert match.confidence < 0.95


def test_text_far_longer_than_a_name_is_refused_quickly_and_not_cached():
    import time

    gazetteer = get_gazetteer()
    names = ["Kabul-" * 1700, "x" * 10_000, "a-" * 5000]
    start = time.perf_counter()
    table = geocode_table(names)
    assert time.perf_counter() - start < 5
    assert table["method"].tolist() == ["", "", ""]
    assert set(table["reason"]) == {"longer than 200 characters, not a place name"}
    assert not any(len(key) > 200 for key in gazetteer._memo)
