"""The settlement gazetteer: about 30,000 Afghan villages, looked up by phonetic key.

The table ``geomap/data/villages.tsv.gz`` is compiled by ``scripts/build_villages.py``
(Who's On First localities, from GeoNames, CC BY 4.0) with each village's district and
the phonetic keys of all its spellings already computed, so loading it is a split of
lines into a dict: no pandas, no normalisation, a few tens of milliseconds.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import cache

from geomap._data import data_file

VILLAGES_FILE = "villages.tsv.gz"


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
    """Villages by the phonetic keys of their spellings."""

    def __init__(self, lines: list[str]) -> None:
        # rows stay text until asked for: building ~30,000 objects would double the load time
        self._lines = lines
        self.by_key: dict[str, list[int]] = {}
        for position, line in enumerate(lines):
            for key in line.rpartition("\t")[2].split("|"):
                self.by_key.setdefault(key, []).append(position)

    def __len__(self) -> int:
        return len(self._lines)

    def village(self, position: int) -> Village:
        """The village on line ``position`` of the table."""
        name, district_id, lat, lon, geonameid, _ = self._lines[position].split("\t")
        return Village(name, district_id, float(lat), float(lon), int(geonameid))

    def lookup(self, key: str) -> list[Village]:
        """The villages one of whose spellings has the phonetic key ``key``."""
        return [self.village(i) for i in self.by_key.get(key, ())]


@cache
def get_villages() -> VillageIndex:
    """The bundled settlement gazetteer, loaded once (empty when the table is missing)."""
    path = data_file(VILLAGES_FILE)
    if not path.is_file():
        return VillageIndex([])
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return VillageIndex(handle.read().splitlines())
