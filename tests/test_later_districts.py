"""Districts created after 2014 from the facts table: placement, spellings, namesakes, harm guards."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from geomap._data import data_file
from geomap.gazetteer import (
    LATER_DISTRICT_CONFIDENCE,
    PROVINCE_ONLY_CONFIDENCE,
    PROVINCE_ONLY_NOTE,
    Entry,
    Gazetteer,
    get_gazetteer,
)
from geomap.geocode import geocode_table

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location(
        "build_later_districts", ROOT / "scripts" / "build_later_districts.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table(name: str) -> list[dict]:
    with data_file(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_fact_cites_a_public_page_and_names_bundled_districts():
    from geomap.boundaries import load_districts

    ids = set(load_districts()["district_id"])
    facts = _table("later_districts_facts.csv")
    assert len(facts) >= 6
    for row in facts:
        assert "https://" in row["source"], row["name"]
        for parent in filter(None, row["parents"].split("|")):
            assert parent in ids and parent.startswith(row["province_iso"] + "-"), (row["name"], parent)


@pytest.fixture(scope="module")
def built():
    """What the build script makes of the facts table now (a few seconds: it builds the gazetteer)."""
    script = _script()
    return script.later_districts(script.read_facts())


def test_the_bundled_table_is_what_the_build_script_writes(built):
    rows, _ = built
    assert sorted(rows, key=lambda r: (r["province_iso"], r["name"])) == _table("later_districts.csv")


def test_each_district_lies_inside_the_district_it_was_carved_from(built):
    from shapely import Point

    from geomap.boundaries import load_districts

    districts = load_districts().set_index("district_id")
    rows, report = built
    assert {(r["name"], r["district_id"]) for r in rows} >= {
        ("Zawol", "AF-HER-shindand"),
        ("Zirkoh", "AF-HER-shindand"),
        ("Pashtkoh", "AF-HER-shindand"),
        ("Koh-e Zor", "AF-HER-shindand"),
        ("Gerda Serai", "AF-PIA-zadran"),
        ("Aqtash", "AF-KDZ-khanabad"),
        ("Spinghar", "AF-NAN-acheen"),
        ("Rohani Baba", "AF-PIA-zurmat"),
        ("Nawamish", "AF-HEL-baghran"),
    }
    for row in rows:
        if row["district_id"]:
            assert districts.loc[row["district_id"], "geometry"].contains(Point(float(row["lon"]), float(row["lat"])))
    # a district whose parent the page does not give and with no settlement of its name answers its province
    assert "Abshar (AF-PAN): in AF-PAN, the province's point, parent district not known" in report
    assert "Bad Pakh (AF-LAG): in Mihtarlam (AF-LAG-mihtarlam), point inside the parent district" in report
    # another spelling that is exactly a settlement of another province is not taken
    assert "'Zirko' for Zirkoh (AF-HER) dropped: the settlement Zirko (AF-BAM-waras)" in report


@pytest.mark.parametrize(
    ("query", "name", "iso", "parent"),
    [
        ("Zawol", "Zawol", "AF-HER", "AF-HER-shindand"),  # was the province Zabul, then unresolved
        ("Zawol, Herat", "Zawol", "AF-HER", "AF-HER-shindand"),
        ("ZAWOL (HERAT)", "Zawol", "AF-HER", "AF-HER-shindand"),
        ("Zawul district", "Zawol", "AF-HER", "AF-HER-shindand"),
        ("Zirkoh, Herat", "Zirkoh", "AF-HER", "AF-HER-shindand"),  # was a village in Bamyan
        ("Zerkoh", "Zirkoh", "AF-HER", "AF-HER-shindand"),
        ("Pashtkoh", "Pashtkoh", "AF-HER", "AF-HER-shindand"),
        ("Poshteh-Koh, Herat", "Pashtkoh", "AF-HER", "AF-HER-shindand"),
        ("Koh-e Zor", "Koh-e Zor", "AF-HER", "AF-HER-shindand"),
        ("Koh-i-Zor", "Koh-e Zor", "AF-HER", "AF-HER-shindand"),
        ("Kooh-Zoor", "Koh-e Zor", "AF-HER", "AF-HER-shindand"),
        ("Gerda Serai", "Gerda Serai", "AF-PIA", "AF-PIA-zadran"),
        ("Garda Siray, Paktia", "Gerda Serai", "AF-PIA", "AF-PIA-zadran"),
        ("Gerda Serai District", "Gerda Serai", "AF-PIA", "AF-PIA-zadran"),
        ("Aqtash, Kunduz", "Aqtash", "AF-KDZ", "AF-KDZ-khanabad"),  # was Oqtosh in Tajikistan
        ("Aqtash", "Aqtash", "AF-KDZ", "AF-KDZ-khanabad"),
    ],
)
def test_spellings_of_a_later_district_reach_its_province_and_parent(query, name, iso, parent):
    row = geocode_table([query]).iloc[0]
    assert (row["name"], row["kind"], row["province_iso"], row["district_id"]) == (name, "district", iso, parent)
    assert 0.5 <= row["confidence"] <= LATER_DISTRICT_CONFIDENCE


def test_a_later_district_with_a_namesake_settlement_elsewhere_and_no_seat_is_left_out(built):
    rows, report = built
    assert "Marghab" not in {r["name"] for r in rows}
    # Murghab (and مرغاب) is the short name of Badghis's Bala Murghab, "upper Murghab"
    assert "'Murghab' for Marghab (AF-GHO) dropped: a part of the district Bala Murghab (AF-BDG-bala-murghab)" in report
    assert "'مرغاب' for Marghab (AF-GHO) dropped: a part of the district Bala Murghab (AF-BDG-bala-murghab)" in report
    # the name is on record only as a Jowzjan village, which the district would outrank
    assert (
        "Marghab (AF-GHO) left out: no seat of that name, and the settlement Marghab (AF-JOW-shibirghan) is spelled so"
        in report
    )
    script = _script()
    one_parent = {**_fact("Marghab", ["AF-GHO-chaghcharan"]), "province_iso": "AF-GHO"}
    rows, report = script.later_districts([one_parent])
    assert rows == []
    assert "Marghab (AF-GHO) left out: no seat of that name" in report[-1]


@pytest.mark.parametrize(
    ("query", "name", "kind", "iso", "district_id"),
    [
        ("Marghab, Jowzjan", "Marghab", "village", "AF-JOW", "AF-JOW-shibirghan"),  # the province named decides
        ("Murghab, Badghis", "Bala Murghab", "village", "AF-BDG", "AF-BDG-bala-murghab"),
        ("Bala Murghab", "Bala Murghab", "district", "AF-BDG", "AF-BDG-bala-murghab"),
        ("Laja Mangal", "Laja Ahmad Khail", "district", "AF-PIA", "AF-PIA-laja-ahmad-khail"),  # not Lazha Mangal
    ],
)
def test_namesakes_of_the_new_rows_keep_their_answers(query, name, kind, iso, district_id):
    row = geocode_table([query]).iloc[0]
    assert (row["name"], row["kind"], row["province_iso"], row["district_id"]) == (name, kind, iso, district_id)


def test_the_ghor_district_takes_no_spelling_of_badghis():
    answers = geocode_table(["Murghab", "Marghab", "Marghab, Ghor"])
    assert not answers["province_iso"].eq("AF-GHO").any()


def test_a_later_district_is_answered_below_full_confidence_and_a_2014_district_is_not():
    answers = geocode_table(["Gerda Serai", "Zadran", "Bano"])
    assert answers["confidence"].tolist() == [LATER_DISTRICT_CONFIDENCE, 1.0, LATER_DISTRICT_CONFIDENCE]
    assert answers["district"].tolist() == ["Zadran", "Zadran", "Andarab"]  # the area it colours


def test_a_village_of_another_province_spelled_like_a_later_district_stays_a_candidate():
    gazetteer = get_gazetteer()
    bare = gazetteer.resolve("Zirkoh")
    assert (bare.entry.name, bare.entry.province_iso) == ("Zirkoh", "AF-HER")
    assert [a.label for a in bare.alternatives] == ["Zir-e Koh (AF-BAM)"]
    assert bare.confidence == pytest.approx(0.8 * LATER_DISTRICT_CONFIDENCE)
    named = gazetteer.resolve("Zirkoh, Bamyan")  # the province named decides
    assert (named.entry.name, named.entry.kind, named.entry.district_id) == ("Zir-e Koh", "village", "AF-BAM-kahmard")


def test_a_later_district_reached_by_a_village_s_spelling_is_as_likely_as_the_village():
    # "Zir Koh": a spelling of Zirkoh (Herat) that a village of Bamyan has on record; neither is taken for sure
    gazetteer = get_gazetteer()
    bare = gazetteer.resolve("Zir Koh")
    assert bare.confidence < 0.5
    assert {bare.entry.label, *(a.label for a in bare.alternatives)} == {"Zir-e Koh (AF-BAM)", "Zirkoh (AF-HER)"}
    assert gazetteer.resolve("Zir Koh District").entry.label == "Zirkoh (AF-HER)"  # the text says which
    assert gazetteer.resolve("Zir Koh, Bamyan").entry.label == "Zir-e Koh (AF-BAM)"
    # a misspelling of a later district is not weighed so: the village spelled as written answers (Koh-e Zor, Herat)
    assert gazetteer.resolve("Koh-e Sur").entry.label == "Koh-e Sur (AF-PAN)"
    # nor is a later district whose village of that spelling lies in its own province: the village answers
    village = gazetteer.resolve("Darah-ye Bum")
    assert (village.entry.label, village.entry.kind, village.confidence) == ("Darah-ye Bum (AF-BDG)", "village", 0.85)


@pytest.mark.parametrize(
    ("village", "iso", "district"),
    [
        ("Pusht Koh", "AF-HER", "AF-HER-guzara"),  # one vowel from Pashtkoh, same province
        ("Koh-e Sur", "AF-PAN", "AF-PAN-paryan"),  # one consonant from Koh-e Zor
        ("Zawuli", "AF-PKA", "AF-PKA-sharan"),  # Zawol with the adjectival -i
        ("Terwak", "AF-GHA", "AF-GHA-ab-band"),  # one letter from Terwa
        ("Zir-e Koh", "AF-BAM", "AF-BAM-kahmard"),  # the phonetic key of Zirkoh
        ("Sar-e Banu", "AF-DAY", "AF-DAY-sangi-takht"),  # was Bano (Baghlan) with "Sar-e" read as a prefix
    ],
)
def test_a_village_spelled_exactly_is_not_taken_for_another_spelling_of_a_later_district(village, iso, district):
    # the village is the answer, or, for a common name (Sar-e Banu), the candidate below the default min_score
    row = geocode_table([village], min_score=0.25).iloc[0]
    assert (row["name"], row["kind"], row["province_iso"], row["district_id"]) == (village, "village", iso, district)


def _fact(name: str, parents: list[str], aliases: list[str] | None = None) -> dict:
    return {"name": name, "aliases": aliases or [], "province_iso": "AF-HER", "parents": parents, "source": "x"}


def test_the_build_leaves_out_names_it_cannot_place_safely():
    script = _script()
    facts = [
        _fact("Shindand", ["AF-HER-adraskan"]),  # the town of another district
        _fact("Qala Nawabad", ["AF-HER-shindand"], ["Kabul"]),
        _fact("Nowhere Kalay", ["AF-HER-shindand", "AF-HER-adraskan"]),
        _fact("Wrongplace", ["AF-KAB-paghman"]),
    ]
    rows, report = script.later_districts(facts)
    assert [r["name"] for r in rows] == ["Qala Nawabad"]
    assert rows[0]["aliases"] == ""  # the capital's name is never taken
    assert rows[0]["district_id"] == "AF-HER-shindand"
    text = "\n".join(report)
    assert "Shindand (AF-HER) left out: its name is taken" in text
    assert "'Kabul' for Qala Nawabad (AF-HER) dropped: the " in text  # a province, capital or town
    assert "Nowhere Kalay (AF-HER) left out: no seat of that name and 2 known parent(s)" in text
    assert "Wrongplace (AF-HER) left out: parent AF-KAB-paghman is not a bundled district of AF-HER" in text


def test_districts_known_only_by_province_are_placed_at_the_province_without_a_district(built):
    from shapely import Point

    from geomap.boundaries import load_provinces

    provinces = load_provinces().set_index("area_id")
    rows, _ = built
    vague = {r["name"]: r for r in rows if not r["district_id"]}
    assert set(vague) >= {"Abshar", "Gurtipa", "Lazha Mangal", "Tagab Alam", "Farahrod", "Chahar Buran"}
    assert not {"Bad Pakh", "Calbad", "Spinghar", "Rohani Baba"} & set(vague)  # their parent is known
    for row in vague.values():
        assert PROVINCE_ONLY_NOTE in row["source"]
        assert provinces.loc[row["province_iso"], "geometry"].contains(Point(float(row["lon"]), float(row["lat"])))


@pytest.mark.parametrize(
    ("query", "name", "iso"),
    [
        ("Abshar", "Abshar", "AF-PAN"),
        ("Gurtipa", "Gurtipa", "AF-KDZ"),
        ("Tagab Alam", "Tagab Alam", "AF-BDG"),
        ("Tagab-e Alam", "Tagab Alam", "AF-BDG"),  # another spelling the source gives
        ("Farahrod District", "Farahrod", "AF-FRA"),
        ("Lazha Mangal", "Lazha Mangal", "AF-PIA"),
    ],
)
def test_a_district_known_only_by_province_answers_the_province_only(query, name, iso):
    row = geocode_table([query]).iloc[0]
    assert (row["name"], row["kind"], row["province_iso"]) == (name, "district", iso)
    assert pd.isna(row["district_id"]) and pd.isna(row["district"])
    assert row["place_precision"] == 3
    assert 0.5 <= row["confidence"] <= PROVINCE_ONLY_CONFIDENCE


def test_a_district_the_polygons_do_not_draw_is_placed_only_by_the_district_holding_it():
    # created after 2014 (Gerda Serai, Bano) or merged into another in the 2014 polygons (Dand): a report
    # about it concerns part of the polygon it lands in
    answers = geocode_table(["Gerda Serai", "Bano", "Dand", "Andarab", "Kabul", "Ghazni province", "Xqzt Dand"])
    assert answers["place_precision"].tolist() == [2, 2, 2, 1, 1, 1, 0]
    assert answers["district_id"].tolist()[1:4] == ["AF-BGL-andarab", "AF-KAN-kandahar", "AF-BGL-andarab"]


def test_a_namesake_of_another_province_stays_in_the_alternatives():
    source = f"a public page; the province's point, {PROVINCE_ONLY_NOTE}; created after 2014"
    gazetteer = Gazetteer(
        [
            Entry("Laghman", "province", "AF-LAG", "Laghman", 34.7, 70.2, curated=0),
            Entry("Herat", "province", "AF-HER", "Herat", 34.3, 62.2, curated=0),
            Entry("Qarya Nawdeh", "district", "AF-LAG", "Laghman", 34.7, 70.2, source=source),
            Entry("Qarya Nawdeh", "village", "AF-HER", "Herat", 34.4, 62.1),
        ]
    )
    match = gazetteer.resolve("Qarya Nawdeh")
    assert (match.entry.kind, match.entry.province_iso) == ("district", "AF-LAG")
    assert [a.label for a in match.alternatives] == ["Qarya Nawdeh (AF-HER)"]
    assert match.confidence == pytest.approx(0.8 * PROVINCE_ONLY_CONFIDENCE)
    named = gazetteer.resolve("Qarya Nawdeh, Herat")  # the province named decides
    assert (named.entry.kind, named.entry.province_iso) == ("village", "AF-HER")


def test_a_report_about_such_a_district_is_province_wide_in_the_timeline():
    import geomap

    reports = pd.DataFrame(
        {"date": ["2021-08-02", "2021-08-02"], "place": ["Abshar", "Khenj"], "status": ["taliban", "government"]}
    )
    long = geomap.build_timeline(reports, level="district").long()
    panjshir = long[long["province_iso"] == "AF-PAN"].drop_duplicates("area_id").set_index("area_id")
    # every district of Panjshir but the one a report of the same date names
    assert panjshir["status"].to_dict() == {
        "AF-PAN-bazarak": "taliban",
        "AF-PAN-dara": "taliban",
        "AF-PAN-khenj": "government",
        "AF-PAN-paryan": "taliban",
        "AF-PAN-rukha": "taliban",
        "AF-PAN-shutul": "taliban",
        "AF-PAN-unaba": "taliban",
    }
    (evidence,) = panjshir.loc["AF-PAN-dara", "evidence"]
    assert (evidence["place"], evidence["scope"]) == ("Abshar", "province-wide")
    assert evidence["precision"] == "place known only to the province"


def test_a_name_settlements_of_many_provinces_share_is_no_district_without_a_seat(built):
    rows, report = built
    assert "Chehel Gazi" not in {r["name"] for r in rows}
    (line,) = [r for r in report if r.startswith("Chehel Gazi (AF-FYB) left out")]
    assert "settlements in 9 other provinces" in line and line.endswith("are spelled alike")
    # two other provinces do not make a name common: Aqtash (Kunduz) stays
    assert ("Aqtash", "AF-KDZ-khanabad") in {(r["name"], r["district_id"]) for r in rows}
