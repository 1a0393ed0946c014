"""A district written with words around its name: a qualifier, or another district of its province.

Lists of other years and bodies write "<district> Qala" (its fort), "Asl <district>" (the original
one), "<district> Bala", "<district> No. 2", or two districts of one province together. When the
whole name is not on record, a run of its words that names a district answers (method
``partial``, confidence 0.7) only if every other word qualifies a name or names a place of the
same province; otherwise the candidates are listed and the name stays unresolved.
"""

from __future__ import annotations

import math

import pytest

from geomap.gazetteer import CROSS_PROVINCE_FUZZY_CONFIDENCE, WORDS_CONFIDENCE, get_gazetteer
from geomap.geocode import geocode_table


def _answer(query: str) -> tuple[str, str, str, float] | None:
    match = get_gazetteer().resolve(query)
    return None if match is None else (match.entry.name, match.entry.province_iso, match.method, match.confidence)


def _listed(query: str) -> set[tuple[str, str]]:
    match = get_gazetteer().resolve(query)
    return {(e.name, e.province_iso) for e in (match.entry, *match.alternatives)}


@pytest.mark.parametrize(
    ("query", "name", "iso"),
    [
        ("Nad Ali Qala", "Nad Ali", "AF-HEL"),  # the fort (centre) of the district
        ("Khas Zurmat", "Zurmat", "AF-PIA"),  # Zurmat proper
        ("Zurmat Sufla", "Zurmat", "AF-PIA"),  # lower: no district of that name on record
        ("Zurmat Kohna", "Zurmat", "AF-PIA"),  # old
        ("Nad Ali Markaz Bala", "Nad Ali", "AF-HEL"),  # several qualifiers
        ("Yakawlang Number One", "Yakawlang", "AF-BAM"),
        ("زرمت کهنه", "Zurmat", "AF-PIA"),  # Dari: old Zurmat
        ("اصل زرمت", "Zurmat", "AF-PIA"),  # Dari: original Zurmat
        ("نادعلی نمبر دوم", "Nad Ali", "AF-HEL"),  # Dari: Nad Ali number two
        ("Charikar Bala", "Charikar", "AF-PAR"),  # a capital no village elsewhere is named as
        ("Upper Zurmat", "Zurmat", "AF-PIA"),  # upper and lower in English, as Bala and Payin
        ("Nad Ali Lower", "Nad Ali", "AF-HEL"),
        ("شهر غزنی", "Ghazni", "AF-GHA"),  # Dari: Ghazni city, as "Ghazni city" and Pashto "غزني ښار"
        ("شهر کندز", "Kunduz", "AF-KDZ"),
    ],
)
def test_a_district_with_qualifying_words(query, name, iso):
    assert _answer(query) == (name, iso, "partial", WORDS_CONFIDENCE)


def test_two_districts_of_one_province_and_a_qualifier():
    # Nawa and Nad Ali are both of Helmand: the name is in Helmand, the other district listed
    match = get_gazetteer().resolve("Nawa Nad Ali Payin")
    assert (match.entry.province_iso, match.method, match.confidence) == ("AF-HEL", "partial", WORDS_CONFIDENCE)
    assert {match.entry.name, *(e.name for e in match.alternatives)} == {"Nad Ali", "Nawa-i-Barak Zayi"}


def test_a_misspelt_district_of_the_same_province_beside_it():
    # Ahmadabad (misspelt) is of Paktia as Zurmat is; Kandahar (misspelt) is not
    match = get_gazetteer().resolve("Zurmat Ahmadabd")
    assert (match.entry.name, match.entry.province_iso, match.method, match.confidence) == (
        "Zurmat",
        "AF-PIA",
        "partial",
        WORDS_CONFIDENCE,
    )
    assert [(e.name, e.province_iso) for e in match.alternatives] == [("Ahmad Abad", "AF-PIA")]
    assert _answer("Zurmat Kandahr") == ("Zurmat", "AF-PIA", "partial", CROSS_PROVINCE_FUZZY_CONFIDENCE)


def test_a_word_spelled_as_villages_elsewhere_is_no_misspelt_district():
    # "Karez" is a village of many provinces as well as a misspelling of Khakrez (Kandahar), as Dand is
    assert _answer("Karez Dand")[2:] == ("partial", CROSS_PROVINCE_FUZZY_CONFIDENCE)
    assert _listed("Karez Dand") == {("Dand", "AF-KAN")}


def test_districts_of_two_provinces_stay_candidates():
    assert _answer("Zurmat Nad Ali Bala")[2:] == ("partial", CROSS_PROVINCE_FUZZY_CONFIDENCE)
    assert _listed("Zurmat Nad Ali Bala") == {("Zurmat", "AF-PIA"), ("Nad Ali", "AF-HEL")}


def test_a_name_of_several_provinces_with_a_qualifier_stays_a_candidate():
    # Kohistan is a district of several provinces; "Bala" does not say which
    match = get_gazetteer().resolve("Kohistan Bala")
    assert match.confidence == CROSS_PROVINCE_FUZZY_CONFIDENCE
    assert len({e.province_iso for e in (match.entry, *match.alternatives)}) >= 3


@pytest.mark.parametrize(
    ("query", "name", "iso"),
    [
        ("Nad Ali Zorkhab", "Nad Ali", "AF-HEL"),  # a word that names nothing: perhaps a village elsewhere
        ("Qala Nad Ali", "Nad Ali", "AF-HEL"),  # the fort of Nad Ali, as villages are named, not the district
        ("Qalat Bala", "Qalat", "AF-ZAB"),  # villages elsewhere are named as the capital Qalat
    ],
)
def test_other_words_hold_the_district_as_a_candidate(query, name, iso):
    assert _answer(query) == (name, iso, "partial", CROSS_PROVINCE_FUZZY_CONFIDENCE)
    assert geocode_table([query]).loc[0, "method"] == ""  # unresolved by default


def test_the_dari_word_for_city_does_not_answer_alone_or_split_a_name_on_record():
    assert _answer("شهر") is None or _answer("شهر")[3] < 0.5  # "city" alone is no place
    assert _answer("میدان شهر")[:2] == ("Maidan Shahr", "AF-WAR")  # the capital's name holds the word
    assert _answer("شهر بزرگ")[:2] == ("Shahri Buzurg", "AF-BDS")  # and so does a district's


def test_villages_named_as_the_capital_are_listed():
    listed = _listed("Qalat Bala")
    assert ("Qalat", "AF-ZAB") in listed and len({iso for _, iso in listed}) >= 3


def test_a_saint_after_the_name_and_a_district_seat():
    # wali (saint) after a saint's name qualifies it; before a name it begins a person's name
    assert _answer("Nad Ali Wali") == ("Nad Ali", "AF-HEL", "partial", WORDS_CONFIDENCE)
    assert _answer("Wali Nad Ali")[3] == CROSS_PROVINCE_FUZZY_CONFIDENCE
    # the district's seat, which carries the district's name (the Dari tables hold only the town)
    name, iso, method, confidence = _answer("امام صاحب بالا")
    assert (iso, method, confidence) == ("AF-KDZ", "partial", WORDS_CONFIDENCE) and "Imam Sahib" in name


def test_a_village_or_a_building_is_not_read_as_its_district():
    assert _answer("Nad Ali Qala village") is None  # the text says village
    assert _answer("Nad Ali Bala School") is None  # buildings are read by their own rule


def test_a_name_on_record_is_not_split():
    assert _answer("Nad Ali")[2:] == ("exact", 1.0)
    assert _answer("Darwaz-e Bala")[2] in ("exact", "alias")  # a district of its own, not Darwaz


def test_geocode_table_reports_the_method_and_holds_candidates():
    table = geocode_table(["Nad Ali Qala", "Zurmat Nad Ali Bala"]).set_index("query")
    row = table.loc["Nad Ali Qala"]
    assert (row["province_iso"], row["kind"], row["method"], row["confidence"]) == (
        "AF-HEL",
        "district",
        "partial",
        WORDS_CONFIDENCE,
    )
    assert row["district_id"] == "AF-HEL-nad-ali"
    held = table.loc["Zurmat Nad Ali Bala"]
    assert held["method"] == "" and math.isnan(held["lat"])
    assert set(held["alternatives"].split("; ")) == {"Nad Ali (AF-HEL)", "Zurmat (AF-PIA)"}
