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
        probe = key + "\t"  # a tab sorts before every letter: the key's own row comes first
        at = bisect_left(self._sorted, probe)
        if at == len(self._sorted) or not self._sorted[at].startswith(probe):
            return []
        return [int(p) for p in self._sorted[at][len(probe) :].split(",")]

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


def _digest(table: bytes) -> str:
    return hashlib.sha256(table).hexdigest()


def compile_keys(path: str | os.PathLike[str], table: bytes | None = None) -> int:
    """Write the sorted key index of the bundled table (or of the gzipped ``table``) to ``path``; its number of keys.

    The first line records a digest of the table it indexes.
    """
    table = data_file(VILLAGES_FILE).read_bytes() if table is None else table
    by_key = index_keys(gzip.decompress(table).decode("utf-8").splitlines())
    rows = [f"{key}\t{','.join(map(str, lines))}" for key, lines in sorted(by_key.items())]
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
