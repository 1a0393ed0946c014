"""Names of buildings (polling centres, schools, mosques, clinics, markets) are read as the place named in them."""

from __future__ import annotations

import pandas as pd
import pytest

from geomap.gazetteer import FACILITY_CONFIDENCE, facility_words, get_gazetteer
from geomap.geocode import geocode_table


@pytest.mark.parametrize(
    ("query", "name", "iso"),
    [
        ("Deh Sabz Girls School", "Dih Sabz", "AF-KAB"),  # a district before the words
        ("Khas Kunar Clinic", "Khas Kunar", "AF-KNR"),
        ("School of Pul-e Alam", "Pul-i-Alam", "AF-LOG"),  # ... or after them
        ("Markaz-e Sehi Baraki Barak", "Baraki Barak", "AF-LOG"),  # a health centre
        ("Madrasa Nazamia Khost", "Khost", "AF-KHO"),  # a span of the words left: the capital
        ("High School, Jabalussaraj", "Jabalussaraj", "AF-PAR"),  # the place after a comma
        ("Ghazni High School No. 2", "Ghazni", "AF-GHA"),
        ("Bagram Air Base", "Bagram", "AF-PAR"),
        ("لیسه هرات", "Herat", "AF-HER"),  # a lycee, in Dari
        # a capital or province named in a building is that place, though a village somewhere is
        # spelled alike (Qabul in Kandahar, Jalalabad in Jowzjan, Khost in Nuristan, Parwanah in Herat)
        ("Kabul University", "Kabul", "AF-KAB"),
        ("Jalalabad Hospital", "Jalalabad", "AF-NAN"),
        ("Khost Lycee", "Khost", "AF-KHO"),
        ("Parwan Hospital", "Parwan", "AF-PAR"),
        # the words say district: not one of the villages named Sangin, Andar elsewhere
        ("Sangin District Hospital", "Sangin", "AF-HEL"),
        ("Andar District School", "Andar", "AF-GHA"),
        # institutions of news reports
        ("Kandahar Police HQ", "Kandahar", "AF-KAN"),
        ("Ghazni Central Prison", "Ghazni", "AF-GHA"),
        ("Serena Hotel, Kabul", "Kabul", "AF-KAB"),
        ("Kunduz Police Headquarters", "Kunduz", "AF-KDZ"),
    ],
)
def test_a_building_is_read_as_its_place(query, name, iso):
    match = get_gazetteer().resolve(query)
    assert (match.entry.name, match.entry.province_iso) == (name, iso)
    assert 0.5 <= match.confidence <= FACILITY_CONFIDENCE


@pytest.mark.parametrize(
    ("query", "name", "iso", "elsewhere"),
    [
        ("Andar Clinic", "Andar", "AF-GHA", {"AF-HER", "AF-PIA", "AF-WAR", "AF-ZAB"}),
        ("Bagrami Clinic", "Bagrami", "AF-KAB", {"AF-NAN"}),
        ("Khwaja Ghar market", "Khwaja Ghar", "AF-TAK", {"AF-KAP"}),
    ],
)
def test_a_district_in_a_buildings_name_is_weighed_against_villages_of_that_name(query, name, iso, elsewhere):
    # villages of other provinces carry the district's name: the building may stand in any of them
    match = get_gazetteer().resolve(query)
    assert (match.entry.name, match.entry.province_iso) == (name, iso)
    assert match.confidence < 0.5 and elsewhere <= {e.province_iso for e in match.alternatives}
    assert geocode_table([query])["province_iso"].isna().all()


def test_names_with_the_words_on_record_keep_them():
    match = get_gazetteer().resolve("Masjid-e Sabz")  # a village named after its mosque
    assert (match.entry.name, match.entry.kind, match.entry.province_iso) == ("Masjid-e Sabz", "village", "AF-SAR")
    assert match.confidence > FACILITY_CONFIDENCE


def test_buildings_without_a_known_place_stay_unresolved():
    table = geocode_table(["Girls School", "Lycee Ghazi", "Mosque of Nowhere-e Khas", "Deh Sabz Girls School"])
    # no place; a word that is a village in several provinces; an unknown name; a district
    assert table["province_iso"].isna().tolist() == [True, True, True, False]
    assert "Gazi (AF-HEL)" in table.loc[1, "reason"] or "Ghazni" in table.loc[1, "alternatives"]


def test_places_in_two_provinces_leave_the_building_unresolved():
    row = geocode_table(["Kabul Herat Highway Market"]).iloc[0]
    assert pd.isna(row["province_iso"])
    assert "best match Kabul (AF-KAB) scored 0.45, below min_score 0.50" in row["reason"]
    assert row["alternatives"] == "Kabul (AF-KAB); Herat (AF-HER)"


@pytest.mark.parametrize(
    "query",
    [
        "Kabul-Kandahar highway",
        "Kabul Kandahar highway",
        "Kabul Kandahar",
        "Kandahar-Herat Road",
        "Mazar - Kabul highway",
    ],
)
def test_a_road_named_after_the_capitals_it_joins_is_in_neither(query):
    row = geocode_table([query]).iloc[0]
    assert pd.isna(row["province_iso"])
    assert row["reason"].startswith("ambiguous: places of 2 provinces fit it")
    names = {"Kabul": "AF-KAB", "Kandahar": "AF-KAN", "Herat": "AF-HER", "Mazar": "AF-BAL"}
    isos = {iso for name, iso in names.items() if name in query}
    assert {part.rsplit("(", 1)[1].rstrip(")") for part in row["alternatives"].split("; ")} == isos


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Spin Boldak-Kandahar highway", "Kandahar (AF-KAN)"),  # both ends in one province
        ("Herat-Islam Qala highway", "Herat (AF-HER)"),
        ("Spin Boldak-Chaman highway", "Spin Boldak (AF-KAN)"),  # the other end abroad
    ],
)
def test_a_road_is_none_of_the_places_it_joins(query, listed):
    row = geocode_table([query]).iloc[0]
    assert pd.isna(row["province_iso"]) and row["alternatives"] == listed


@pytest.mark.parametrize(
    ("query", "name", "iso"),
    [
        ("Kajaki dam", "Kajaki", "AF-HEL"),
        ("Salang tunnel", "Salang", "AF-PAR"),
        ("Bazarak Panjshir", "Bazarak", "AF-PAN"),  # a capital, then its own province
        ("Sangar Ghor", "Sangar", "AF-GHO"),  # a village, then its province
    ],
)
def test_a_work_or_a_road_is_read_as_its_place(query, name, iso):
    match = get_gazetteer().resolve(query)
    assert (match.entry.name, match.entry.province_iso) == (name, iso)
    assert match.confidence >= 0.5


def test_a_quarter_of_kabul_named_after_a_province_is_in_kabul():
    for query in ("Karte Parwan Mosque", "مسجد کارته پروان"):
        match = get_gazetteer().resolve(query)
        assert (match.entry.name, match.entry.province_iso) == ("Karte Parwan", "AF-KAB")


def test_the_word_list_is_a_data_file():
    words = facility_words()
    assert {"school", "masjid", "clinic", "market", "مکتب", "highway", "dam"} <= words
    assert "kabul" not in words and "" not in words


@pytest.mark.parametrize(
    "query",
    [
        "Tapa-e Balkh Mosque",  # a hill or quarter named after Balkh
        "مسجد جامع تپه بلخ",
        "Boland Ghor School",  # a village name ending in a province's
        "Abdul Rahim Wardak School",  # a person's name
    ],
)
def test_a_province_named_at_the_end_of_another_name_in_a_building_stays_a_candidate(query):
    match = get_gazetteer().resolve(query)
    assert match.entry.kind == "province" and match.confidence < 0.5
    assert geocode_table([query])["province_iso"].isna().all()


def test_a_province_named_first_or_after_a_qualifier_in_a_building_is_that_province():
    for query, iso in (("Balkh Girls School", "AF-BAL"), ("Logar High School", "AF-LOG")):
        match = get_gazetteer().resolve(query)
        assert (match.entry.province_iso, match.confidence) == (iso, FACILITY_CONFIDENCE)


@pytest.mark.parametrize(
    ("query", "iso"),
    [
        ("Sar-e Pul Mosque", "AF-SAR"),  # bridge-head: villages of many provinces are named so
        ("Qala-e Naw Girls School", "AF-BDG"),  # new fort
        ("مکتب فیض آباد", "AF-BDS"),
    ],
)
def test_a_capital_named_as_villages_of_many_provinces_stays_a_candidate_in_a_buildings_name(query, iso):
    match = get_gazetteer().resolve(query)
    assert match.entry.province_iso == iso and match.confidence < 0.5
    assert len({a.province_iso for a in match.alternatives} - {iso}) >= 3


def test_a_capital_with_few_village_namesakes_is_read_from_a_buildings_name():
    assert get_gazetteer().resolve("Maymana High School").entry.province_iso == "AF-FYB"  # a village in Samangan
    assert get_gazetteer().resolve("Maymana High School").confidence == FACILITY_CONFIDENCE


def test_a_common_capital_name_inside_a_longer_run_of_a_buildings_name_stays_a_candidate():
    match = get_gazetteer().resolve("لیسه دختران سرپل")  # girls' lycee; villages Sar-e Pul lie everywhere
    assert match.entry.province_iso == "AF-SAR" and match.confidence < 0.5
    for query in ("لیسه دختران شهر سرپل", "مکتب مرکز سرپل"):  # the words for city and centre say the town
        match = get_gazetteer().resolve(query)
        assert (match.entry.name, match.confidence) == ("Sar-e Pol", FACILITY_CONFIDENCE)


def test_every_listed_building_word_is_read_whatever_its_spelling_elsewhere():
    # the quick test before the building reading takes each word of the list as written:
    # Dari words of the list that no Latin prefix covers are read too
    from geomap.gazetteer import _may_name_a_facility

    assert all(_may_name_a_facility(f"Herat {word}") for word in facility_words())
    assert not _may_name_a_facility("Herat")


@pytest.mark.parametrize(
    ("query", "name", "kind", "iso", "confident"),
    [
        ("Qarghayee High School, Laghman", "Qarghayi", "district", "AF-LAG", True),  # not the province
        ("Sangar Mosque, Kunar", "Sangar", "village", "AF-KNR", True),  # the Sangar of Kunar
        ("Deh Sabz Girls School, Kabul", "Dih Sabz", "district", "AF-KAB", True),  # not Kabul city
        ("Serena Hotel, Kabul", "Kabul", "capital", "AF-KAB", True),  # a name of no place: in the town
        ("Xqzt High School, Laghman", "Laghman", "province", "AF-LAG", False),  # somewhere in Laghman only
    ],
)
def test_a_province_after_a_building_says_where_it_is(query, name, kind, iso, confident):
    match = get_gazetteer().resolve(query)
    assert (match.entry.name, match.entry.kind, match.entry.province_iso) == (name, kind, iso)
    assert (match.confidence >= 0.5) is confident


@pytest.mark.parametrize(
    "query",
    [
        "Haji Baz Mohammad Mosque",  # named after a man; villages so named lie all over the country
        "مکتب رحمت الله",  # the school of Rahmatullah
        "Ghulam Haidar High School",
    ],
)
def test_a_building_named_after_a_person_leaves_its_village_a_candidate(query):
    match = get_gazetteer().resolve(query)
    assert match is None or (match.entry.kind == "village" and match.confidence < 0.5)


@pytest.mark.parametrize(
    ("query", "name", "iso"),
    [
        ("Khwaja Mohammad School, Herat", "Khwajah Muhammad", "AF-HER"),  # the province rules out namesakes
        ("Haji Baz Mohammad Mosque, Nimroz", "Haji Baz Muhammad", "AF-NIM"),
    ],
)
def test_a_building_named_after_a_person_with_its_province_answers_its_village(query, name, iso):
    match = get_gazetteer().resolve(query)
    assert (match.entry.name, match.entry.province_iso) == (name, iso) and match.confidence >= 0.5


def test_personal_name_words_are_folded_and_hold_the_suffix():
    from geomap.gazetteer import _names_a_person, personal_name_words

    assert {"haji", "muhammad", "حاجی"} <= personal_name_words()
    assert _names_a_person(("rahmatullah",)) and _names_a_person(("رحمت", "الله"))
    assert not _names_a_person(("deh", "sabz"))


@pytest.mark.parametrize("query", ["Haji Mohammad Mosque, Ghazni", "Sayed Ahmad School, Herat"])
def test_a_mosque_or_school_after_a_province_named_as_its_capital_is_somewhere_in_the_province(query):
    # polling-centre lists write the province after the building: it may stand anywhere in it, so
    # neither the town (a report there would set the province by the capital) nor the province answers
    match = get_gazetteer().resolve(query)
    assert match.entry.kind == "province" and match.method == "partial" and match.confidence < 0.5


@pytest.mark.parametrize(
    ("query", "name"),
    [("Serena Hotel, Kabul", "Kabul"), ("Central Prison, Herat", "Herat"), ("پوهنتون, هرات", "Herat")],
)
def test_a_towns_institution_after_a_province_named_as_its_capital_is_in_the_town(query, name):
    match = get_gazetteer().resolve(query)
    assert (match.entry.name, match.entry.kind) == (name, "capital") and match.confidence >= 0.5


def test_the_dari_word_for_building_is_a_building_word_not_a_village():
    # تعمیر (building): "the district building of Qaramqol", not the village Ta'mir of Farah
    assert get_gazetteer().resolve("تعمیر ولسوالی قرمقول").entry.name == "Qaramqol"
    match = get_gazetteer().resolve("تعمیر لیسه ذکور ده نو")
    assert match is None or match.entry.name != "Ta'mir"
