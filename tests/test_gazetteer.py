"""Tests of geomap.gazetteer: normalisation, phonetic keys, the index and its ranking rules."""

from __future__ import annotations

import math

import pytest

from geomap.gazetteer import Entry, Gazetteer, get_gazetteer, normalize, phonetic_key, skeleton, split_kind


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mazār-e Sharīf", "mazar sharif"),
        ("Mazar-i-Sharif", "mazar sharif"),
        ("Qal'eh-ye Now", "qaleh now"),
        ("Qalʻeh-ye Now", "qaleh now"),
        ("  Ghazni   Province ", "ghazni"),
        ("Woluswali Zurmat", "zurmat"),
        ("Wilayat-e Balkh", "balkh"),
        ("Kabul city", "kabul"),
        ("", ""),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_split_kind_keeps_the_hint():
    assert split_kind("Ghazni Province") == ("ghazni", "province")
    assert split_kind("Zurmat district") == ("zurmat", "district")
    assert split_kind("Herat") == ("herat", None)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Pol-e Khomri", "Puli Khumri"),
        ("Kondoz", "Kunduz"),
        ("Sheberghan", "Shibirghan"),
        ("Maimana", "Maymana"),
        ("Qal'eh-ye Naw", "Qala-i-Naw"),
        ("Taloqan", "Taluqan"),
        ("Tarin Kowt", "Tarin Kot"),
        ("Mazari Sharif", "Mazar-e Sharif"),
        ("Qandahar", "Kandahar"),
        ("Parvan", "Parwan"),
    ],
)
def test_phonetic_key_folds_transliterations(a, b):
    assert phonetic_key(normalize(a)) == phonetic_key(normalize(b))


def test_phonetic_key_keeps_different_names_apart():
    assert phonetic_key(normalize("Khost")) != phonetic_key(normalize("Kunduz"))
    assert skeleton("hirat") == "hrt"


def _tiny() -> Gazetteer:
    nan = math.nan
    return Gazetteer(
        [
            Entry("Alpha", "province", "AF-AAA", "Alpha", nan, nan, 0, ("Alphastan",), "", 1),
            Entry("Alpha", "capital", "AF-AAA", "Alpha", 1.0, 1.0, 0, (), "", 0),
            Entry("Betaville", "district", "AF-AAA", "Alpha", 2.0, 2.0, 10, (), "", 0),
            Entry("Betaville", "district", "AF-BBB", "Beta", 3.0, 3.0, 500, (), "", 0),
            Entry("Gammatown", "village", "AF-BBB", "Beta", 4.0, 4.0, 0, (), "", 0),
            Entry("Gammatown", "foreign", "", "", 5.0, 5.0, 2_000_000, (), "", 0),
        ]
    )


def test_capital_wins_over_province_of_the_same_name_unless_asked():
    gaz = _tiny()
    assert gaz.resolve("Alpha").entry.kind == "capital"
    assert gaz.resolve("Alpha province").entry.kind == "province"
    assert gaz.resolve("Alphastan").entry.kind == "province"


def test_same_name_in_two_provinces_prefers_population_and_lists_the_other():
    match = _tiny().resolve("Betaville")
    assert match.entry.province_iso == "AF-BBB"
    assert [e.province_iso for e in match.alternatives] == ["AF-AAA"]
    assert match.confidence < 1


def test_big_foreign_city_wins_over_an_afghan_village():
    assert _tiny().resolve("Gammatown").is_foreign


def test_fuzzy_match_needs_a_long_enough_name():
    gaz = _tiny()
    assert gaz.resolve("Betaxille").entry.name == "Betaville"
    assert gaz.resolve("Betaxille").method == "fuzzy"
    assert gaz.resolve("Alph") is None


def test_bundled_gazetteer_is_cached_and_has_every_kind():
    gaz = get_gazetteer()
    assert gaz is get_gazetteer()
    kinds = {e.kind for e in gaz.entries}
    assert {"province", "capital", "district", "city", "village", "foreign"} <= kinds
    assert sum(e.kind == "province" for e in gaz.entries) == 34
    assert sum(e.kind == "district" for e in gaz.entries) >= 398


def test_every_afghan_entry_has_a_province_and_a_point_inside_the_country():
    for entry in get_gazetteer().entries:
        if entry.kind == "foreign":
            continue
        assert entry.province_iso.startswith("AF-"), entry
        assert 29 < entry.lat < 39, entry
        assert 60 < entry.lon < 75.5, entry


def test_importing_builds_nothing():
    import subprocess
    import sys

    code = "import geomap.gazetteer as g, geomap.geocode; print(g.get_gazetteer.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0"


def test_hacek_letters_fold_to_digraphs():
    assert normalize("Čaghčarān") == "chaghcharan"
    assert normalize("Badahšan") == "badahshan"


def test_every_capital_absorbed_its_geonames_town():
    capitals = [e for e in get_gazetteer().entries if e.kind == "capital"]
    assert len(capitals) == 34
    assert all(e.population > 0 for e in capitals)
    assert get_gazetteer().resolve("Fayroz Koh").entry.kind == "capital"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("كابل", "کابل"),  # Arabic kaf and yeh fold to the Dari letters
        ("غزني", "غزنی"),
        ("کابُل", "کابل"),  # harakat removed
        ("کـابل", "کابل"),  # tatweel removed
        ("جلال\u200cآباد", "جلال اباد"),  # zero-width non-joiner is a space
        ("ولایت هرات", "هرات"),
        ("Kabul's", "kabul"),
        ("Lal-o-Sarjangal", "lal sarjangal"),
        ("Tala wa Barfak", "tala barfak"),
    ],
)
def test_normalize_arabic_script_possessives_and_joins(raw, expected):
    assert normalize(raw) == expected


def test_khel_and_khail_share_a_key():
    assert phonetic_key(normalize("Yahya Khail")) == phonetic_key(normalize("Yahya Khel"))


def _village_and_foreign() -> Gazetteer:
    nan = math.nan
    return Gazetteer(
        [
            Entry("Alpha", "province", "AF-AAA", "Alpha", nan, nan, 0, (), "", 0),
            Entry("Alphai", "village", "AF-BBB", "Beta", 2.0, 2.0, 0, (), "", 0),
            Entry("Sandai", "village", "AF-AAA", "Alpha", 1.0, 1.0, 0, ("Sande",), "GeoNames 1", 0),
            Entry("Sandy", "foreign", "", "", 5.0, 5.0, 150_000, (), "GeoNames 2 (XX)", 0),
            Entry("Tolkarani", "district", "AF-AAA", "Alpha", 1.0, 1.0, 0, (), "", 0),
            Entry("Tolkaram", "district", "AF-BBB", "Beta", 2.0, 2.0, 0, (), "", 0),
            Entry("Omega", "province", "AF-CCC", "Omega", nan, nan, 0, (), "", 0),
        ],
        {"Wordy": "a test word"},
    )


def test_phonetic_likeness_to_a_village_is_not_an_alias():
    gaz = _village_and_foreign()
    assert gaz.resolve("Sandy").is_foreign
    assert gaz.resolve("Sandi").is_foreign
    match = gaz.resolve("Sanday")  # the village's key, not a spelling on record
    assert (match.entry.name, match.method, match.confidence) == ("Sandai", "fuzzy", 0.8)
    assert gaz.resolve("Sandai").method == "exact"


def test_demonym_rule_and_its_exception():
    gaz = _village_and_foreign()
    assert gaz.resolve("Omegai") is None
    assert gaz.refusal("Omegais") == "a demonym of Omega, not a place"
    assert gaz.resolve("Alphai").entry.name == "Alphai"  # a place is named so
    assert gaz.refusal("Wordy") == "a test word, not a place"
    assert gaz.refusal("Omega") is None


def test_fuzzy_match_lists_an_equally_close_place_in_another_province():
    match = _village_and_foreign().resolve("Tolkaran")
    assert match.method == "fuzzy"
    assert match.entry.name == "Tolkarani"  # a dropped letter beats a changed one
    assert [e.label for e in match.alternatives] == ["Tolkaram (AF-BBB)"]


def test_foreign_label_names_the_country():
    assert _village_and_foreign().entries[3].label == "Sandy (XX)"


def test_same_name_districts_in_two_provinces_are_always_flagged():
    gaz = get_gazetteer()
    by_name: dict[str, set[str]] = {}
    for entry in gaz.entries:
        if entry.kind == "district":
            by_name.setdefault(entry.name, set()).add(entry.province_iso)
    shared = [name for name, provinces in by_name.items() if len(provinces) > 1]
    assert len(shared) >= 8
    for name in shared:
        match = gaz.resolve(name)
        assert match.alternatives, name
        assert match.confidence < 0.95, name


def test_a_short_name_reached_only_through_the_phonetic_key_is_fuzzy():
    gaz = get_gazetteer()
    back = gaz.resolve("Back")  # "ck" folds to "k": the district Bak, by sound only
    assert (back.entry.name, back.method) == ("Bak", "fuzzy")
    assert back.confidence < 0.95
    assert gaz.resolve("Bak").method == "exact"
    assert gaz.resolve("Kowt").method == "alias"  # a spelling on record


def test_compiled_index_is_fresh_and_equals_the_built_one():
    from geomap.gazetteer import build_gazetteer, load_compiled, with_districts

    compiled = load_compiled()
    assert compiled is not None, "rerun scripts/build_gazetteer.py after changing the tables or gazetteer.py"
    built = with_districts(build_gazetteer())
    assert list(map(repr, compiled.entries)) == list(map(repr, built.entries))  # repr: NaN != NaN
    for name in ("Kondoz", "Mazar-e Sharif", "Ghazni province", "Zabol", "Herati", "کابل", "Ghanzi", "Doha"):
        assert repr(compiled.resolve(name)) == repr(built.resolve(name)), name


def test_an_out_of_date_compiled_index_is_ignored(monkeypatch):
    import geomap.gazetteer as gazetteer_module

    monkeypatch.setattr(gazetteer_module, "source_fingerprint", lambda: "changed tables")
    assert gazetteer_module.load_compiled() is None


def test_a_gazetteer_built_for_want_of_the_index_answers_as_the_index(monkeypatch):
    import geomap.gazetteer as gazetteer_module

    compiled = gazetteer_module.load_compiled()
    monkeypatch.setattr(gazetteer_module, "load_compiled", lambda path=None: None)
    gazetteer_module.get_gazetteer.cache_clear()
    try:
        built = gazetteer_module.get_gazetteer()
    finally:
        gazetteer_module.get_gazetteer.cache_clear()
    assert built is not compiled and len(built.district_names) == 398
    for name in ("Shwak", "Kondoz", "Chahar Bagh", "Nadirshah Kot"):  # a district seat's rules need its district
        assert repr(built.resolve(name)) == repr(compiled.resolve(name)), name
    assert built.resolve("Shwak").confidence == 1.0


def test_compile_writes_a_loadable_index(tmp_path):
    import geomap.gazetteer as gazetteer_module

    target = tmp_path / "gazetteer.pickle.gz"
    gazetteer_module.compile_gazetteer(target)
    loaded = gazetteer_module.load_compiled(target)
    assert loaded is not None and loaded.resolve("Kondoz").entry.province_iso == "AF-KDZ"


@pytest.mark.parametrize(
    "words",
    [["mosque", "mosq", "masjid"], ["a", "ab", "abc", "b"], ["x"], ["مسجد", "مکتب", "مدرسه", "high school", "(c)"]],
)
def test_literal_alternation_matches_what_the_plain_alternation_matches(words):
    import re

    from geomap.gazetteer import _literal_alternation

    trie, plain = re.compile(_literal_alternation(words)), re.compile("|".join(map(re.escape, words)))
    texts = [*words, "", "ma", "mosqu", "abd", "zab", "a mosque here", "مسج", "high", "(c", "(c)x", "xx"]
    assert [bool(trie.search(t)) for t in texts] == [bool(plain.search(t)) for t in texts]
    assert all(trie.fullmatch(w) for w in words)


def test_literal_alternation_of_no_word_matches_nothing():
    import re

    from geomap.gazetteer import _literal_alternation

    assert re.search(_literal_alternation([]), "anything") is None
