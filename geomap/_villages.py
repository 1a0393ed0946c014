"""The settlement gazetteer: about 30,000 Afghan villages, looked up by phonetic key.

The table ``geomap/data/villages.tsv.gz`` is compiled by ``scripts/build_villages.py``
(Who's On First localities, from GeoNames, CC BY 4.0) with each village's district and
the phonetic keys of all its spellings already computed, so loading it is a split of
lines: no pandas, no normalisation. Its keys are indexed in ``villages.keys.gz``, written
by ``scripts/build_gazetteer.py`` (:func:`compile_keys`): the keys sorted, each with the
lines it is on, searched by bisection. Reading it takes about a fifth of the time of
indexing the table's keys; it records a digest of the table and is used only while
the table matches it (otherwise the keys are indexed on load, with the same answers).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from geomap._data import data_file

VILLAGES_FILE = "villages.tsv.gz"
#: The compiled key index of the table (:func:`compile_keys`).
KEYS_FILE = "villages.keys.gz"


@dataclass(frozen=True, slots=True)
class Village:
    """One settlement of the table."""

    name: str
    district_id: str
    lat: float
    lon: float
    geonameid: int

    @property
    def province_iso(self) -> str:
        """``AF-GHA`` for the district ``AF-GHA-muqur``."""
        return self.district_id[:6]


class VillageIndex:
    """Villages by the phonetic keys of their spellings.

    ``keys`` is the compiled index (sorted ``key<TAB>line,line`` strings, see
    :func:`compile_keys`); without it the keys of ``lines`` are indexed here.
    """

    def __init__(self, lines: list[str], keys: list[str] | None = None) -> None:
        # rows stay text until asked for: building ~30,000 objects would double the load time
        self._lines = lines
        self._sorted = keys
        self.by_key: dict[str, list[int]] = {} if keys is not None else index_keys(lines)
        self._common: set[str] | None = None  # common_keys(), when the index was not compiled
        self._by_start: dict[tuple[str, int], list[str]] | None = None  # near(): keys by first letter and length
        self._keys: frozenset[str] = frozenset()  # near(): every key, once the groups are built
        self._starts: dict[bool, list[str]] = {}  # near(): the letters keys start with (all; Latin ones)

    def __len__(self) -> int:
        return len(self._lines)

    def village(self, position: int) -> Village:
        """The village on line ``position`` of the table."""
        name, district_id, lat, lon, geonameid, _ = self._lines[position].split("\t")
        return Village(name, district_id, float(lat), float(lon), int(geonameid))

    def name(self, position: int) -> str:
        """The name of the village on line ``position``."""
        line = self._lines[position]
        return line[: line.index("\t")]

    def province_iso(self, position: int) -> str:
        """The province (``AF-GHA``) of the village on line ``position``."""
        line = self._lines[position]
        start = line.index("\t") + 1
        return line[start : min(start + 6, line.index("\t", start))]  # the district id's first part

    def positions(self, key: str) -> list[int]:
        """The lines of the villages one of whose spellings has the phonetic key ``key``, in table order."""
        if self._sorted is None:
            return self.by_key.get(key, [])
        row = self._row(key)
        return [] if row is None else [int(p) for p in row.lstrip(COMMON_MARK).split(",")]

    def is_common(self, key: str) -> bool:
        """Whether villages spelled within a letter of ``key`` lie in many provinces, or are many (:func:`common_keys`).

        Such a name is common across the country, and the table does not hold every village:
        one village of it in one province says little about where the name means.
        """
        if self._sorted is None:
            if self._common is None:
                self._common = common_keys(self.by_key, self._lines)
            return key in self._common
        row = self._row(key)
        return row is not None and row.startswith(COMMON_MARK)

    def _row(self, key: str) -> str | None:
        """What follows ``key`` and a tab in the compiled index, or None."""
        assert self._sorted is not None
        probe = key + "\t"  # a tab sorts before every letter: the key's own row comes first
        at = bisect_left(self._sorted, probe)
        if at == len(self._sorted) or not self._sorted[at].startswith(probe):
            return None
        return self._sorted[at][len(probe) :]

    def near(self, key: str, limit: int) -> list[tuple[str, int]]:
        """``[(village key, distance), ...]``: the keys within ``limit`` edits of ``key`` (optimal string alignment).

        Searched among the keys that start with the letter ``key`` starts with, and, within one
        edit, those that start with another (a letter changed, added or dropped at the start,
        or the first two swapped), as :func:`geomap._fuzzy.fuzzy_matches` reads a misspelling.
        ``key`` itself is listed (distance 0) when villages have it.
        """
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import extract

        if not key:
            return []
        groups = self._groups()
        found: dict[str, int] = {}
        for length in range(len(key) - limit, len(key) + limit + 1):
            keys = groups.get((key[0], length))
            if keys:
                for other, distance, _ in extract(key, keys, scorer=OSA.distance, score_cutoff=limit, limit=None):
                    found[other] = int(distance)
        if limit >= 1 and len(key) > 1:
            tail = key[1:]
            known, starts = self._keys, self._starts[key.isascii()]
            for other in (tail, key[1] + key[0] + key[2:], *(c + tail for c in starts), *(c + key for c in starts)):
                if other in known and other[0] != key[0]:
                    found[other] = 1
        return sorted(found.items(), key=lambda item: (item[1], item[0]))

    def _groups(self) -> dict[tuple[str, int], list[str]]:
        """The table's keys by first letter and length (and the set of them), built on first use."""
        if self._by_start is None:
            keys = list(self.by_key) if self._sorted is None else [row[: row.index("\t")] for row in self._sorted]
            groups: dict[tuple[str, int], list[str]] = {}
            for key in keys:
                if key:
                    groups.setdefault((key[0], len(key)), []).append(key)
            self._keys = frozenset(keys)
            letters = {letter for letter, _ in groups}
            self._starts = {False: sorted(letters), True: sorted(c for c in letters if c.isascii())}
            self._by_start = groups
        return self._by_start

    def lookup(self, key: str) -> list[Village]:
        """The villages one of whose spellings has the phonetic key ``key``."""
        return [self.village(i) for i in self.positions(key)]


def index_keys(lines: list[str]) -> dict[str, list[int]]:
    """The lines of ``lines`` (rows of the table) each phonetic key is on."""
    by_key: dict[str, list[int]] = {}
    for position, line in enumerate(lines):
        for key in line.rpartition("\t")[2].split("|"):
            by_key.setdefault(key, []).append(position)
    return by_key


#: Provinces whose villages, spelled within a letter of a name, make the name common (:meth:`VillageIndex.is_common`).
COMMON_PROVINCES = 13
#: Villages spelled within a letter of a name (another spelling than its own) that make it common too.
COMMON_VILLAGES = 14
#: Marks a common key's row in the compiled index (before its lines).
COMMON_MARK = "*"


def _near_variants(key: str) -> set[str]:
    """``key`` and the keys one letter shorter: two keys within a letter of each other share one."""
    return {key, *(key[:i] + key[i + 1 :] for i in range(len(key)))}


def common_keys(by_key: dict[str, list[int]], lines: list[str]) -> set[str]:
    """The keys whose villages and the villages spelled within a letter of them lie in many provinces.

    A letter added, dropped or changed (two keys sharing a key one letter shorter) counts as
    within a letter; the provinces of the villages of other keys are counted, the key's own included.
    A key is common when those provinces number :data:`COMMON_PROVINCES` or more, or those
    villages (of the other keys) :data:`COMMON_VILLAGES` or more: a name a letter from many
    villages is a common name, however few provinces the table's villages of it lie in.
    """
    provinces = {key: {lines[p].split("\t", 2)[1][:6] for p in positions} for key, positions in by_key.items()}
    shorter: dict[str, list[str]] = {}
    for key in by_key:
        for variant in _near_variants(key):
            shorter.setdefault(variant, []).append(key)
    common = set()
    for key in by_key:
        near: set[str] = set()
        others: set[str] = set()
        for variant in _near_variants(key):
            for other in shorter[variant]:
                if other != key and other not in others:
                    others.add(other)
                    near |= provinces[other]
        if len(near) >= COMMON_PROVINCES or len({p for o in others for p in by_key[o]}) >= COMMON_VILLAGES:
            common.add(key)
    return common


def _digest(table: bytes) -> str:
    return hashlib.sha256(table).hexdigest()


def compile_keys(path: str | os.PathLike[str], table: bytes | None = None) -> int:
    """Write the sorted key index of the bundled table (or of the gzipped ``table``) to ``path``; its number of keys.

    The first line records a digest of the table it indexes.
    """
    table = data_file(VILLAGES_FILE).read_bytes() if table is None else table
    lines = gzip.decompress(table).decode("utf-8").splitlines()
    by_key = index_keys(lines)
    common = common_keys(by_key, lines)
    rows = [
        f"{key}\t{COMMON_MARK if key in common else ''}{','.join(map(str, positions))}"
        for key, positions in sorted(by_key.items())
    ]
    payload = gzip.compress("\n".join([_digest(table), *rows]).encode("utf-8"), compresslevel=9, mtime=0)
    target = Path(path)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
        handle.write(payload)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, target)
    return len(rows)


def load_keys(table: bytes, path: str | os.PathLike[str] | None = None) -> list[str] | None:
    """The compiled key index of the gzipped ``table``, or ``None`` when missing or written for another table."""
    path = data_file(KEYS_FILE) if path is None else Path(path)
    if not path.is_file():
        return None
    try:
        digest, *rows = gzip.decompress(path.read_bytes()).decode("utf-8").split("\n")
    except (OSError, EOFError, UnicodeDecodeError, ValueError):
        return None
    return rows if digest == _digest(table) else None


@cache
def get_villages() -> VillageIndex:
    """The bundled settlement gazetteer, loaded once (empty when the table is missing)."""
    path = data_file(VILLAGES_FILE)
    if not path.is_file():
        return VillageIndex([])
    table = path.read_bytes()
    return VillageIndex(gzip.decompress(table).decode("utf-8").splitlines(), load_keys(table))
