"""Build ``geomap/data/new_districts.csv``: districts created or renamed after the 2014 district set.

Source: the district lists of the MIT-licensed package ``OpenAfghanistan/provinces``
(``database/seeders/*ProvinceSeeder.php``: each province with its districts' English and
Dari names). Check out the repository and pass its folder::

    git clone https://github.com/OpenAfghanistan/provinces
    .venv/bin/python scripts/build_new_districts.py provinces

Only names and provinces are taken (facts). A listed district is **new** when none of
its spellings (the English name, each part of ``"Darwaz-e-Payin (Maimay)"``, the Dari
name) is a district, town or capital of its province in geomap's gazetteer built from the
2014 tables, nor a district of another province (a filing error in the list), nor close
to the name of the 2014 district it lies in (a respelling). Its **seat** is the populated
place of the same name in that province (GeoNames, in ``places.csv`` or the settlement
table): the new district geocodes to the seat's point and to the 2014 district containing
it, the district it was carved from. Listed names with no seat in their province are
reported and left out: without a point inside the district they would colour a guessed
area. Junk rows of the list (``N/A``, numbered parts such as ``Kohistan-1``, "Center of
Kapisa") are skipped.

Written with the columns of ``aliases.csv`` plus ``district_id`` (the 2014 district):
``name, kind, province_iso, lat, lon, population, aliases, source, district_id``.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from geomap._villages import get_villages  # noqa: E402
from geomap.gazetteer import (  # noqa: E402
    FOREIGN,
    LATER_DISTRICT_NOTE,
    Gazetteer,
    build_gazetteer,
    normalize,
    phonetic_key,
)

OUTPUT = ROOT / "geomap" / "data" / "new_districts.csv"
SOURCE = "OpenAfghanistan/provinces (MIT)"
COLUMNS = ("name", "kind", "province_iso", "lat", "lon", "population", "aliases", "source", "district_id")
_EN = re.compile(r"""['"]en_name['"]\s*=>\s*['"]([^'"]*)['"]""")
_FA = re.compile(r"""['"]name['"]\s*=>\s*['"]([^'"]*)['"]""")
#: Confidence a seat's match needs (a spelling on record, or the same phonetic key).
SEAT_CONFIDENCE = 0.8


def read_lists(folder: Path) -> list[tuple[str, str, str]]:
    """``(province name, district English name, district Dari name)`` of every seeder file."""
    rows = []
    for path in sorted((folder / "database" / "seeders").glob("*ProvinceSeeder.php")):
        text = path.read_text(encoding="utf-8")
        head, _, body = text.partition("createMany")
        province = _EN.search(head)
        if province is None:
            continue
        for line in body.splitlines():
            en, fa = _EN.search(line), _FA.search(line)
            if en:
                rows.append((province.group(1).strip(), en.group(1).strip(), fa.group(1).strip() if fa else ""))
    return rows


def _junk(name: str) -> bool:
    return not re.search(r"[A-Za-z]{3}", name) or bool(re.search(r"\d", name)) or name.upper() == "N/A"


def listed_districts(
    folder: Path, gazetteer: Gazetteer, provinces: dict[str, str]
) -> Iterator[tuple[str, str, str, str, list[str]]]:
    """``(province, ISO code, English name, Dari name, English parts)`` of each listed district
    whose province is known, leaving out entries that are no name and "centre of" rows; the
    parts are the English name split at brackets ("Khak-e Safed (Khaki Safed)")."""
    for province, english, dari in read_lists(folder):
        match = gazetteer.resolve(f"{province} province")
        iso = match.entry.province_iso if match is not None and not match.is_foreign else provinces.get(province)
        if iso is None or _junk(english) or english.casefold().startswith(("center of", "centre of")):
            continue
        parts = [p.strip(" .") for p in re.split(r"[()]", english) if p.strip(" .")]
        yield province, iso, english, dari, parts


def _in_province(gazetteer: Gazetteer, spelling: str, province: str, iso: str) -> bool:
    match = gazetteer.resolve(f"{spelling}, {province}")
    if match is None or match.is_foreign:
        return False
    near = [match.entry, *match.alternatives]
    return any(e.province_iso == iso and e.kind in ("district", "city", "capital", "province") for e in near)


def _elsewhere(gazetteer: Gazetteer, spelling: str, iso: str) -> bool:
    match = gazetteer.resolve(spelling)
    return bool(
        match
        and not match.is_foreign
        and match.method in ("exact", "alias")
        and match.entry.kind == "district"
        and match.entry.province_iso != iso
    )


def _seat(gazetteer: Gazetteer, parts: list[str], province: str, iso: str):
    """The populated place named like the district in its province: ``(name, lat, lon, district_id)``."""
    for part in parts:
        match = gazetteer.resolve(f"{part}, {province}")
        if (
            match is not None
            and match.entry.kind != FOREIGN
            and match.entry.province_iso == iso
            and match.entry.kind in ("village", "city")
            and match.confidence >= SEAT_CONFIDENCE
        ):
            return match.entry.name, match.entry.lat, match.entry.lon, match.entry.district_id
        found = [v for v in get_villages().lookup(phonetic_key(normalize(part))) if v.province_iso == iso]
        if found:
            return found[0].name, found[0].lat, found[0].lon, found[0].district_id
    return None


def new_districts(folder: Path) -> tuple[list[dict], list[str]]:
    from geomap.gazetteer import with_districts

    gazetteer = with_districts(build_gazetteer(new_districts=False, later_districts=False))
    names = {e.district_id: e.name for e in gazetteer.entries if e.kind == "district" and e.district_id}
    provinces = {e.province: e.province_iso for e in gazetteer.entries if e.kind == "province"}
    rows, unplaced, seen = [], [], set()
    for province, iso, english, dari, parts in listed_districts(folder, gazetteer, provinces):
        spellings = [*parts, *([dari] if dari else [])]
        if any(_in_province(gazetteer, s, province, iso) or _elsewhere(gazetteer, s, iso) for s in spellings):
            continue
        seat = _seat(gazetteer, parts, province, iso)
        if seat is None:
            unplaced.append(f"{english} ({iso})")
            continue
        name, lat, lon, district_id = seat
        parent = phonetic_key(normalize(names.get(district_id, "")))
        if any(_close(phonetic_key(normalize(p)), parent) for p in parts) or (iso, parts[0]) in seen:
            continue  # a respelling of the 2014 district the seat lies in (Shwak: Shawak)
        seen.add((iso, parts[0]))
        aliases = [*parts[1:], *([name] if name not in parts else []), *([dari] if dari else [])]
        rows.append(
            {
                "name": parts[0],
                "kind": "district",
                "province_iso": iso,
                "lat": f"{lat:.5f}",
                "lon": f"{lon:.5f}",
                "population": "0",
                "aliases": "|".join(dict.fromkeys(aliases)),
                "source": f"{SOURCE}; seat {name}; {LATER_DISTRICT_NOTE}",
                "district_id": district_id,
            }
        )
    return rows, unplaced


def _close(a: str, b: str) -> bool:
    from rapidfuzz.distance import OSA

    return bool(a and b) and OSA.distance(a, b) <= max(1, min(len(a), len(b)) // 4)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a checkout of OpenAfghanistan/provinces")
    args = parser.parse_args()
    rows, unplaced = new_districts(args.source)
    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["province_iso"], r["name"])))
    print(f"wrote {len(rows)} districts to {OUTPUT}")
    if unplaced:
        print(f"left out, no seat of that name in the province: {', '.join(unplaced)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
