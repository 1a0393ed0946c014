"""An offline index of Afghan place names: provinces, capitals, district towns and villages.

The index is built lazily on first use (:func:`get_gazetteer`) from three tables that
ship inside the package, so nothing is read at import time and no network is needed:

- ``provinces.csv``: the 34 provinces and their capitals, with other spellings;
- ``places.csv``: district names (geoBoundaries, public domain) and GeoNames populated
  places (CC BY 4.0) with their province found by point in polygon, built by
  ``scripts/build_places.py``;
- ``aliases.csv``: a hand-curated table of transliterations, historic and local names
  that neither source carries (``Firozkoh`` = Chaghcharan, ``Gereshk`` ...);
- ``foreign_places.csv``: well-known places outside Afghanistan (neighbours' border
  towns, capitals, countries) that must never be matched to an Afghan place.

Names are compared after :func:`normalize` (spelling folded to plain lower-case words)
and :func:`phonetic_key` (transliteration variants folded to one key), first exactly,
then by edit distance. The rules are described in ``docs/geocoding.md``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from geomap._data import data_file, provinces_table

#: Kinds of places, in the order that breaks ties between places spelled alike.
KINDS = ("capital", "province", "city", "district", "village")
FOREIGN = "foreign"
_KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
_KIND_RANK[FOREIGN] = len(KINDS)

#: Words that say what kind of place is meant; removed from the name, kept as a hint.
KIND_WORDS = {
    "province": "province",
    "provinces": "province",
    "provincial": "province",
    "wilayat": "province",
    "welayat": "province",
    "velayat": "province",
    "vilayat": "province",
    "wilayah": "province",
    "district": "district",
    "districts": "district",
    "woluswali": "district",
    "wuluswali": "district",
    "woleswali": "district",
    "wuleswali": "district",
    "uluswali": "district",
    "oluswali": "district",
    "city": "city",
    "town": "city",
    "municipality": "city",
    "capital": "city",
    "village": "village",
}
#: Words that carry no part of a name.
GENERIC_WORDS = frozenset(
    {
        "the",
        "of",
        "in",
        "afghanistan",
        "markaz",
        "center",
        "centre",
        "area",
        "region",
        "valley",
        "bazaar",
        "shahr",
        "nahiya",
    }
)
# Izafa connectors between two words of a name: Mazar-e Sharif, Qala-i-Naw, Qal'eh-ye Now.
CONNECTORS = frozenset({"e", "i", "y", "ye", "yi", "ee", "ae"})

_APOSTROPHES = dict.fromkeys(map(ord, "'`´’‘ʼʻʿʾ′\u02bd"), None)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@cache
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold().translate(_APOSTROPHES).replace("ß", "ss")


def _tokens(name: str) -> tuple[list[str], str | None]:
    words = _NON_ALNUM.sub(" ", _fold(name)).split()
    hint = None
    kept = []
    for word in words:
        if word in KIND_WORDS:
            hint = hint or KIND_WORDS[word]
        elif word not in GENERIC_WORDS:
            kept.append(word)
    # "shahr" alone is a real word in names such as Maidan Shahr: only drop it when leading.
    return kept, hint


def split_kind(name: str) -> tuple[str, str | None]:
    """Normalise ``name`` and return it with the kind its words ask for.

    Parameters
    ----------
    name
        A place name as written in a report.

    Returns
    -------
    tuple
        ``(normalized, hint)`` where ``hint`` is ``"province"``, ``"district"``,
        ``"city"``, ``"village"`` or ``None``.

    Examples
    --------
    >>> split_kind("Ghazni Province")
    ('ghazni', 'province')
    """
    words, hint = _tokens(name)
    words = [w for w in words if w not in CONNECTORS] or words
    return " ".join(words), hint


def normalize(name: str) -> str:
    """Fold a place name to plain lower-case ASCII words.

    Diacritics, apostrophes and the okina are dropped, hyphens and punctuation become
    spaces, izafa connectors (``-e-``, ``-i-``, ``-ye-``) and generic words such as
    ``city``, ``province``, ``district``, ``wilayat`` and ``woluswali`` are removed.

    Parameters
    ----------
    name
        A place name as written in a report.

    Returns
    -------
    str
        The normalised name (may be empty).

    Examples
    --------
    >>> normalize("Mazār-e Sharīf")
    'mazar sharif'
    >>> normalize("Qal'eh-ye Now district")
    'qaleh now'
    """
    return split_kind(name)[0]


def _fold_word(word: str, last: bool) -> str:
    if not last and len(word) >= 4 and word[-1] in "ie" and word[-2] not in "aeiou":
        word = word[:-1]  # Mazari Sharif, Puli Khumri, Sari Pul, Kohi Safi: a fused connector
    if len(word) > 3 and word.endswith("eh"):
        word = word[:-2] + "a"  # Qal'eh, Meymaneh: Persian final -eh
    for old, new in (("ow", "o"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("ey", "ai"), ("ay", "ai")):
        word = word.replace(old, new)
    if "y" in word[1:]:
        word = word[0] + word[1:].replace("y", "i")
    word = word.replace("e", "i").replace("o", "u")
    word = word.replace("ph", "f").replace("q", "k").replace("gh", "g").replace("kh", "k")
    word = word.replace("v", "w").replace("ck", "k").replace("au", "aw")
    word = re.sub(r"c(?!h)", "k", word)
    return re.sub(r"(.)\1+", r"\1", word)


def phonetic_key(normalized: str) -> str:
    """Fold transliteration variants of a normalised name to one compact key.

    ``e``/``i``, ``o``/``u``, ``ay``/``ai``, ``ow``/``o``, ``q``/``k``, ``gh``/``g``,
    ``kh``/``k``, ``v``/``w`` and doubled letters are folded; a final ``i``/``e`` fused
    to a word before another word (``Mazari Sharif``) is dropped; spaces are removed.

    Examples
    --------
    >>> phonetic_key(normalize("Pol-e Khomri")) == phonetic_key(normalize("Puli Khumri"))
    True
    """
    words = normalized.split()
    return "".join(_fold_word(w, i == len(words) - 1) for i, w in enumerate(words))


def skeleton(key: str) -> str:
    """The consonants of a phonetic key (``hirat`` -> ``hrt``), doubled ones collapsed."""
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiouwy]", "", key[:1]) + re.sub(r"[aeiouwy]", "", key[1:]))


@dataclass(frozen=True, slots=True)
class Entry:
    """One place in the gazetteer."""

    name: str
    kind: str
    province_iso: str
    province: str
    lat: float
    lon: float
    population: int = 0
    aliases: tuple[str, ...] = ()
    source: str = ""

    @property
    def label(self) -> str:
        """``"name (province_iso)"`` as shown in ``alternatives``."""
        return f"{self.name} ({self.province_iso})" if self.province_iso else self.name


@dataclass(frozen=True, slots=True)
class Match:
    """The answer of :meth:`Gazetteer.resolve`.

    ``entry`` is the chosen place, ``method`` one of ``exact``, ``alias``, ``fuzzy``;
    ``alternatives`` are other places in other provinces that fit the name as well.
    A match on a foreign place has ``entry.kind == "foreign"``: the name is known to be
    outside Afghanistan and callers treat it as unresolved.
    """

    entry: Entry
    confidence: float
    method: str
    alternatives: tuple[Entry, ...] = ()

    @property
    def is_foreign(self) -> bool:
        """True when the name is a known place outside Afghanistan."""
        return self.entry.kind == FOREIGN


@dataclass(slots=True)
class _Key:
    entry_ids: list[int] = field(default_factory=list)
    primary: set[int] = field(default_factory=set)


class Gazetteer:
    """An index of place entries by normalised name and phonetic key.

    Parameters
    ----------
    entries
        The places. Each entry's ``name`` and ``aliases`` are indexed.

    Examples
    --------
    >>> gaz = get_gazetteer()
    >>> gaz.resolve("Kondoz").entry.province_iso
    'AF-KDZ'
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: list[Entry] = list(entries)
        self._by_norm: dict[str, _Key] = {}
        self._by_key: dict[str, _Key] = {}
        self._by_skeleton: dict[str, _Key] = {}
        self._memo: dict[str, Match | None] = {}
        for entry_id, entry in enumerate(self.entries):
            for position, spelling in enumerate((entry.name, *entry.aliases)):
                norm = normalize(spelling)
                if not norm:
                    continue
                key = phonetic_key(norm)
                for table, value in ((self._by_norm, norm), (self._by_key, key), (self._by_skeleton, skeleton(key))):
                    slot = table.setdefault(value, _Key())
                    if entry_id not in slot.entry_ids:
                        slot.entry_ids.append(entry_id)
                    if position == 0:
                        slot.primary.add(entry_id)
        self._fuzzy = None

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        counts = pd.Series([e.kind for e in self.entries]).value_counts().to_dict() if self.entries else {}
        return f"Gazetteer({len(self.entries)} entries: {counts})"

    def resolve(self, name: str) -> Match | None:
        """Find the place a name most likely means.

        Parameters
        ----------
        name
            A place name as written in a report (any spelling).

        Returns
        -------
        Match or None
            ``None`` when nothing is close enough. A match on a known foreign place
            has ``match.is_foreign`` true.
        """
        text = "" if name is None else str(name)
        if text in self._memo:
            return self._memo[text]
        match = self._resolve(text)
        if len(self._memo) > 200_000:
            self._memo.clear()
        self._memo[text] = match
        return match

    def _resolve(self, text: str) -> Match | None:
        # "Doha, Qatar" / "Ghazni, Afghanistan": the last part may name a country.
        parts = [p for p in re.split(r"[,;/]", text) if p.strip()]
        if len(parts) > 1:
            tail = self._lookup(parts[-1])
            if tail is not None and tail.is_foreign:
                return tail
            text = parts[0]
        return self._lookup(text)

    def _lookup(self, text: str) -> Match | None:
        norm, hint = split_kind(text)
        if not norm:
            return None
        slot = self._by_norm.get(norm)
        if slot is not None:
            return self._choose(slot, hint, "exact", 1.0)
        key = phonetic_key(norm)
        slot = self._by_key.get(key)
        if slot is not None:
            return self._choose(slot, hint, "alias", 0.95)
        return self._fuzzy_lookup(key, hint)

    def _choose(self, slot: _Key, hint: str | None, method: str, confidence: float) -> Match:
        ids = slot.entry_ids
        if hint is not None:
            wanted = {"province": ("province",), "district": ("district",), "city": ("capital", "city")}.get(hint)
            if wanted:
                narrowed = [i for i in ids if self.entries[i].kind in wanted]
                ids = narrowed or ids
        afghan = [i for i in ids if self.entries[i].kind != FOREIGN]
        ids = afghan or ids  # an Afghan place spelled like a foreign one wins
        ranked = sorted(ids, key=lambda i: self._rank(i, slot))
        best = self.entries[ranked[0]]
        if method == "exact" and ranked[0] not in slot.primary:
            method = "alias"
            confidence = min(confidence, 0.95)
        others = []
        seen = {best.province_iso}
        for i in ranked[1:]:
            other = self.entries[i]
            if other.kind != FOREIGN and other.province_iso not in seen:
                seen.add(other.province_iso)
                others.append(other)
        if others:
            confidence *= 0.8
        return Match(best, round(confidence, 3), method, tuple(others))

    def _rank(self, entry_id: int, slot: _Key) -> tuple:
        entry = self.entries[entry_id]
        return (
            entry_id not in slot.primary,  # a place's own name beats another place's alias
            _KIND_RANK[entry.kind],
            -entry.population,
            entry.province_iso,
            entry.name,
        )

    def _fuzzy_lookup(self, key: str, hint: str | None) -> Match | None:
        from geomap._fuzzy import fuzzy_candidates

        if self._fuzzy is None:
            from geomap._fuzzy import FuzzyIndex

            self._fuzzy = FuzzyIndex(list(self._by_key))
        found = fuzzy_candidates(self._fuzzy, key)
        if found is None:
            sk = skeleton(key)
            slot = self._by_skeleton.get(sk) if len(sk) >= 3 and len(key) >= 5 else None
            if slot is None:
                return None
            match = self._choose(slot, hint, "fuzzy", 0.75)
            return match
        matched_key, distance = found
        confidence = max(0.5, 0.9 - 0.1 * (distance - 1) - 0.5 * distance / max(len(key), 1))
        return self._choose(self._by_key[matched_key], hint, "fuzzy", confidence)


def _split_alt(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in str(value).split("|") if v.strip())


def _province_entries() -> list[Entry]:
    entries = []
    for row in provinces_table().itertuples(index=False):
        entries.append(
            Entry(
                row.name, "province", row.iso, row.name, row.capital_lat, row.capital_lon, 0, _split_alt(row.name_alt)
            )
        )
        entries.append(
            Entry(
                row.capital,
                "capital",
                row.iso,
                row.name,
                row.capital_lat,
                row.capital_lon,
                0,
                _split_alt(row.capital_alt),
                "provinces.csv",
            )
        )
    return entries


def _table_entries(name: str, province_names: dict[str, str]) -> list[Entry]:
    path = data_file(name)
    if not path.is_file():
        return []
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    entries = []
    for row in table.itertuples(index=False):
        iso = row.province_iso
        entries.append(
            Entry(
                row.name,
                row.kind,
                iso,
                province_names.get(iso, ""),
                float(row.lat) if row.lat else float("nan"),
                float(row.lon) if row.lon else float("nan"),
                int(float(row.population)) if getattr(row, "population", "") else 0,
                _split_alt(row.aliases),
                getattr(row, "source", ""),
            )
        )
    return entries


def build_gazetteer() -> Gazetteer:
    """Build a fresh :class:`Gazetteer` from the tables bundled with geomap.

    Use :func:`get_gazetteer` for the cached one.
    """
    provinces = _province_entries()
    province_names = {e.province_iso: e.province for e in provinces}
    centroids = _province_centroids()
    provinces = [
        Entry(e.name, e.kind, e.province_iso, e.province, *centroids.get(e.province_iso, (e.lat, e.lon)), 0, e.aliases)
        if e.kind == "province"
        else e
        for e in provinces
    ]
    entries = [*provinces]
    for table in ("aliases.csv", "places.csv", "foreign_places.csv"):
        entries.extend(_table_entries(table, province_names))
    return Gazetteer(entries)


def _province_centroids() -> dict[str, tuple[float, float]]:
    path = data_file("province_centroids.csv")
    if not path.is_file():
        return {}
    table = pd.read_csv(path, dtype={"iso": str})
    return {row.iso: (float(row.lat), float(row.lon)) for row in table.itertuples(index=False)}


@cache
def get_gazetteer() -> Gazetteer:
    """The gazetteer built from geomap's bundled tables, built once on first call.

    Returns
    -------
    Gazetteer
        Its ``entries`` attribute lists every place; ``resolve(name)`` finds one.
    """
    return build_gazetteer()
