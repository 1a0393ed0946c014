"""The geocoder's batch path gives the answers of the name-by-name path.

Many names are resolved with the edit-distance step done in vectorised batches
(``Gazetteer.resolve_many``, ``FuzzyIndex.prefetch``) and the villages looked up in the
compiled key index (``villages.keys.gz``); a single name is scanned, and after many the
deletion index answers. Every path must list the same candidates, so the answers match.
"""

from __future__ import annotations

import gzip
import random

from rapidfuzz.distance import OSA

import geomap._fuzzy as fuzzy_module
from geomap import _villages
from geomap._data import data_file
from geomap._fuzzy import FuzzyIndex, max_edits
from geomap.gazetteer import build_gazetteer, get_gazetteer, load_compiled, with_districts


def _fresh():
    """A gazetteer with empty memos (each call a new object)."""
    return load_compiled() or with_districts(build_gazetteer())


def _spellings(n: int, seed: int) -> list[str]:
    """Place and village names respelt, misspelt, joined and qualified the ways reports write them."""
    rng = random.Random(seed)
    with gzip.open(data_file(_villages.VILLAGES_FILE), "rt", encoding="utf-8") as handle:
        villages = [line.split("\t", 1)[0] for line in handle.read().splitlines()[::97]]
    places = [e.name for e in get_gazetteer().entries if e.kind != "foreign"]
    names = []
    for _ in range(n):
        name = list(rng.choice(villages if rng.random() < 0.6 else places))
        for _ in range(rng.choice((0, 0, 1, 2))):
            i = rng.randrange(len(name))
            name[i : i + 1] = rng.choice(([], [rng.choice("aeiouykhq")], [name[i], name[i]], ["-e-"]))
        text = "".join(name)
        roll = rng.random()
        if roll < 0.1:
            text = f"{text}, {rng.choice(places)}"
        elif roll < 0.15:
            text = f"{text} village"
        elif roll < 0.2:
            text = f"{text}-{rng.choice(places)}"
        elif roll < 0.3:  # a building named after the place, as polling-centre lists write them
            form = rng.choice(("{} High School", "مسجد جامع {}", "Masjid-e {} Mosque, {}", "مکتب {} و {}"))
            text = form.format(text, rng.choice(places))
        names.append(text)
    pashto = ["واټه پور", "څوکی", "ښوونځی د کلي", "د ډند ولسوالۍ", "لیسه ښوونځی څرخ"]
    extra = ["", "Kabul", "Herati", "Doha, Qatar", "Ka\x07bul\x00", "x" * 10_000, "Mazar-e-Sharif" * 20]
    return [*names, *pashto, *extra]


def test_batch_answers_are_the_name_by_name_answers(monkeypatch):
    names = _spellings(700, seed=11)
    batch = [repr(m) for m in _fresh().resolve_many(names)]
    single = _fresh()
    assert [repr(single.resolve(n)) for n in names] == batch
    # once the deletion index is built (after many single names), the answers stay the same
    monkeypatch.setattr(fuzzy_module, "SCANS_BEFORE_INDEX", 0)
    indexed = _fresh()
    assert [repr(indexed.resolve(n)) for n in names] == batch
    assert indexed.fuzzy_index()._by_deletion is not None


def test_a_batch_compares_the_words_of_buildings_names_and_their_dari_readings_at_once():
    from geomap.gazetteer import phonetic_key, split_kind

    gazetteer = _fresh()
    gazetteer.resolve_many(["Qalai Sabzak Girls High School", "واټه پورر"])
    found = gazetteer.fuzzy_index()._found
    assert phonetic_key(split_kind("qalai sabzak")[0]) in found  # the words before "Girls High School"
    assert phonetic_key(split_kind("واته پورر")[0]) in found  # the Pashto letter read as the Dari one


def test_every_search_path_lists_the_keys_a_full_scan_finds():
    keys = sorted(get_gazetteer()._fuzzy_keys)
    rng = random.Random(5)
    queries = []
    for _ in range(400):
        word = list(rng.choice(keys))
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(word))
            word[i : i + 1] = rng.choice(([], [rng.choice("abdgikmnrstu")], [rng.choice("aiu"), word[i]]))
        queries.append("".join(word))
    queries += ["kabul", "x" * 30, "abdulrahimzaikilkala"]  # a key on record, long keys (3 edits)
    batch, scanned, indexed = FuzzyIndex(keys), FuzzyIndex(keys), FuzzyIndex(keys)
    batch.prefetch(queries)
    assert indexed.by_deletion  # built now
    for query in queries:
        if len(query) < 4:
            continue
        limit = max(max_edits(len(query)), 1)
        want = [(k, d) for k in keys if (d := OSA.distance(query, k)) <= limit]
        assert batch.within(query, limit) == want, query
        assert scanned.within(query, limit) == want, query
        assert indexed.within(query, limit) == want, query


def test_prefetched_answers_stay_bounded(monkeypatch):
    monkeypatch.setattr(fuzzy_module, "_PREFETCH_SIZE", 100)
    index = FuzzyIndex(sorted(get_gazetteer()._fuzzy_keys))
    for start in range(0, 1000, 90):
        index.prefetch(f"kandahar{i}" for i in range(start, start + 90))
        assert len(index._found) <= 190


def test_remembered_lookups_stay_bounded_and_answer_as_new(monkeypatch):
    import geomap.gazetteer as gazetteer_module

    monkeypatch.setattr(gazetteer_module, "_LOOKUPS_REMEMBERED", 50)
    gazetteer = _fresh()
    names = _spellings(300, seed=5)
    answers = [repr(gazetteer.resolve(name)) for name in names]
    assert len(gazetteer._lookup_memo) <= 51
    assert answers == [repr(_fresh().resolve(name)) for name in names]


def test_a_batch_leaves_the_collector_on_and_a_cycle_made_in_it_collectable():
    import gc
    import weakref

    from geomap.gazetteer import gc_paused

    class Node:
        pass

    with gc_paused():
        assert not gc.isenabled()
        node = Node()
        node.self = node  # a reference cycle, freed by the collector only
        alive = weakref.ref(node)
        del node
    assert gc.isenabled()
    gc.collect()
    assert alive() is None


def test_a_batch_keeps_the_objects_a_program_froze_frozen():
    import gc

    from geomap.gazetteer import gc_paused

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with gc_paused():
            kept = [object() for _ in range(10)]
        assert frozen > 0 and gc.get_freeze_count() == frozen and kept
    finally:
        gc.unfreeze()


def test_compiled_village_keys_are_fresh_and_equal_the_indexed_ones():
    table = data_file(_villages.VILLAGES_FILE).read_bytes()
    rows = _villages.load_keys(table)
    assert rows is not None, "rerun scripts/build_gazetteer.py after changing villages.tsv.gz"
    lines = gzip.decompress(table).decode("utf-8").splitlines()
    indexed = _villages.index_keys(lines)
    common = _villages.common_keys(indexed, lines)
    mark = _villages.COMMON_MARK
    assert rows == [
        f"{key}\t{mark if key in common else ''}{','.join(map(str, at))}" for key, at in sorted(indexed.items())
    ]
    compiled = _villages.VillageIndex(lines, rows)
    for key in [*list(indexed)[::500], "kabul", "zzzz", "", "a"]:
        assert compiled.positions(key) == indexed.get(key, []), key


def test_village_keys_of_another_table_are_ignored(tmp_path):
    table = data_file(_villages.VILLAGES_FILE).read_bytes()
    target = tmp_path / "keys.gz"
    other = gzip.compress(b"Qala\tAF-KAB-kabul\t34.5\t69.1\t1\tkala\n")
    assert _villages.compile_keys(target, other) == 1
    assert _villages.load_keys(other, target) == ["kala\t0"]
    assert _villages.load_keys(table, target) is None  # written for another table
    target.write_bytes(b"not gzip")
    assert _villages.load_keys(other, target) is None


def test_villages_answer_the_same_with_or_without_the_compiled_keys():
    from geomap.gazetteer import normalize, phonetic_key

    villages = _villages.get_villages()
    plain = _villages.VillageIndex(villages._lines)
    for name in ("Tangi", "Qala-e-Naw", "Sangar", "Deh", "Zzzz"):
        key = phonetic_key(normalize(name))
        assert villages.lookup(key) == plain.lookup(key), name


def test_a_name_repeated_gets_the_same_row_at_each_of_its_positions():
    import pandas as pd

    from geomap.geocode import geocode_table

    names = ["Kabul", "Xqzt Qqq", "Kabul", "", "Herat", "Xqzt Qqq"] * 3
    table = geocode_table(names)
    assert table.index.tolist() == list(range(18))
    assert table["query"].tolist() == names
    assert table["province_iso"].fillna("").tolist() == ["AF-KAB", "", "AF-KAB", "", "AF-HER", ""] * 3
    once = geocode_table(["Kabul", "Xqzt Qqq", "", "Herat"])
    pd.testing.assert_frame_equal(table.iloc[[0, 1, 3, 4]].reset_index(drop=True), once)
