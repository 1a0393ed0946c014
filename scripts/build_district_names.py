"""Build ``geomap/data/district_names.csv``: district spellings and later districts from Who's On First.

Source: the district ("county") records of the Who's On First repository
``whosonfirst-data/whosonfirst-data-admin-af`` (Who's On First, CC BY 4.0; the district
outlines come from Mapzen's Mesoshapes, CC0, whose names and codes the records carry).
Clone it and pass its folder (the same checkout ``scripts/build_villages.py`` reads)::

    git clone --depth 1 https://github.com/whosonfirst-data/whosonfirst-data-admin-af
    .venv/bin/python scripts/build_district_names.py whosonfirst-data-admin-af

Each record is placed by its label point (``lbl:latitude``/``lbl:longitude``) in the
bundled 2014 districts. Two kinds of rows are written, with the columns of ``aliases.csv``
plus ``district_id``:

- **More spellings of a 2014 district**: the record's English and French names, its
  Mesoshapes, statoids and Quattroshapes names and its Dari and Pashto names (without the
  word for "district"), when the record's own name is that district's. A spelling is kept
  only when geomap does not already answer it with that district, and when it cannot
  take a name from another place (see below).
- **Districts created after the 2014 set** (Dilaram, Sharak Hairatan): a record whose
  label point lies in a 2014 district that another record already names. It geocodes to
  its label point and to the 2014 district holding it (the district it was carved from).

A spelling is **dropped** when it is shorter than four letters, when its phonetic key is
that of a district, town, capital, province or settlement in another province (it would
take that place's name), or of another district or town of the same province (the
records' variant lists also hold the names of the district a later one was carved from:
Khash Rod for Dilaram). Only names and points are taken (facts).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from geomap._villages import get_villages  # noqa: E402
from geomap.gazetteer import FOREIGN, build_gazetteer, normalize, phonetic_key, skeleton, with_districts  # noqa: E402

OUTPUT = ROOT / "geomap" / "data" / "district_names.csv"
SOURCE = "Who's On First (CC BY 4.0)"
COLUMNS = ("name", "kind", "province_iso", "lat", "lon", "population", "aliases", "source", "district_id")
#: Latin-script name properties read: Who's On First's own, Mesoshapes', statoids' and Quattroshapes'.
LATIN_PROPERTIES = (
    "wof:name",
    "name:eng_x_preferred",
    "name:eng_x_variant",
    "name:fra_x_preferred",
    "name:und_x_variant",
    "meso:name_en",
    "meso:gaul_admin",
    "statoids:name",
    "qs:name",
)
#: Dari and Pashto names (Wikipedia titles: "ولسوالی نادعلی", "د نادعلي ولسوالۍ").
ARABIC_PROPERTIES = ("name:fas_x_preferred", "name:prs_x_preferred", "name:pus_x_preferred")
_DISTRICT_WORD = re.compile(r"\s+(district|distrikt)$|^(district|distrikt)\s+(of\s+|de\s+|d')?", re.IGNORECASE)
_ARABIC_DISTRICT_WORD = re.compile(r"^ولسوال[یيۍ]\s*|^د\s+|\s*ولسوال[یيۍ]$")
#: Arabic-script letters as Latin consonants (vowel carriers dropped), to compare a Dari or
#: Pashto name with the record's Latin names by their consonants.
# fmt: off
_ARABIC_LATIN = str.maketrans(
    {
        "ب": "b", "پ": "p", "ت": "t", "ټ": "t", "ث": "s", "ج": "j", "چ": "ch", "ځ": "z", "څ": "s",
        "ح": "h", "خ": "kh", "د": "d", "ډ": "d", "ذ": "z", "ر": "r", "ړ": "r", "ز": "z", "ژ": "zh",
        "ږ": "zh", "س": "s", "ش": "sh", "ښ": "sh", "ص": "s", "ض": "z", "ط": "t", "ظ": "z", "غ": "gh",
        "ف": "f", "ق": "q", "ک": "k", "ك": "k", "ګ": "g", "گ": "g", "ل": "l", "م": "m", "ن": "n",
        "ڼ": "n", "ه": "h", "ة": "h", "ا": "a", "آ": "a", "أ": "a", "إ": "a", "ع": "", "ء": "",
        "و": "u", "ی": "i", "ي": "i", "ې": "e", "ۍ": "ai", "ئ": "i", "\u200c": "",
    }
)
# fmt: on
_ARABIC = re.compile(r"^[\u0600-\u06ff\u200c\s-]+$")
MIN_LETTERS = 4


def _values(value) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]


def _latin(text: str) -> bool:
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return bool(folded) and all(ord(c) < 0x250 for c in folded)


def read_districts(folder: Path) -> list[dict]:
    """The current district records of a Who's On First checkout: name, label point and spellings."""
    records = []
    for path in sorted((folder / "data").rglob("*.geojson")):
        if "-alt-" in path.name:
            continue
        props = json.loads(path.read_text(encoding="utf-8"))["properties"]
        if props.get("wof:placetype") != "county" or props.get("mz:is_current") == 0:
            continue
        if props.get("wof:superseded_by") or "edtf:deprecated" in props:
            continue
        latin = [_DISTRICT_WORD.sub("", s).strip() for key in LATIN_PROPERTIES for s in _values(props.get(key))]
        arabic = [
            _ARABIC_DISTRICT_WORD.sub("", s).strip() for key in ARABIC_PROPERTIES for s in _values(props.get(key))
        ]
        spellings = [s for s in latin if s and _latin(s)] + [s for s in arabic if s and _ARABIC.match(s)]
        records.append(
            {
                "name": _DISTRICT_WORD.sub("", props["wof:name"]).strip(),
                "lat": float(props.get("lbl:latitude", props["geom:latitude"])),
                "lon": float(props.get("lbl:longitude", props["geom:longitude"])),
                "spellings": list(dict.fromkeys(spellings)),
            }
        )
    return records


def _key(spelling: str) -> str:
    if _ARABIC.match(spelling):
        spelling = spelling.translate(_ARABIC_LATIN)
    return phonetic_key(normalize(spelling))


def _letters(spelling: str) -> int:
    return sum(c.isalpha() for c in spelling)


def _close(spelling: str, names: list[str]) -> bool:
    """Whether a spelling writes one of ``names``: letters within a quarter of their length, or a longer form.

    Dari and Pashto names are compared by their consonants only (short vowels are not written).
    """
    from rapidfuzz.distance import OSA

    arabic = bool(_ARABIC.match(spelling))
    key = _key(spelling)
    for name in names:
        other = _key(name)
        if not other:
            continue
        if arabic:
            a, b = skeleton(key), skeleton(other)
            if a and b and OSA.distance(a, b) <= max(1, min(len(a), len(b)) // 4):
                return True
            continue
        if OSA.distance(key, other) <= max(1, min(len(key), len(other)) // 4):
            return True
        if len(other) >= 5 and key.startswith(other):
            return (
                True  # a longer form: Narang Wa Badil for Narang (never a shortened one: Nader Shah for Nadir Shah Kot)
            )
    return False


def district_names(folder: Path) -> tuple[list[dict], list[str]]:
    """The rows of ``district_names.csv`` and a report of what was dropped and why."""
    import shapely

    from geomap.boundaries import load_districts

    gazetteer = with_districts(build_gazetteer(district_names=False, later_districts=False))
    districts = load_districts()
    tree = shapely.STRtree(districts.geometry.values)
    # every phonetic key of an Afghan place -> the (province, district_id, kind) of the places holding it
    holders: dict[str, set[tuple[str, str, str]]] = {}
    for e in gazetteer.entries:
        if e.kind in (FOREIGN, "village"):
            continue
        for spelling in (e.name, *e.aliases):
            holders.setdefault(_key(spelling), set()).add((e.province_iso, e.district_id, e.kind))
    # the consonants of every Latin-script name of an Afghan place -> its provinces (for Dari and Pashto names)
    consonants: dict[str, set[str]] = {}
    for e in gazetteer.entries:
        if e.kind not in (FOREIGN, "village"):
            for spelling in (e.name, *e.aliases):
                if not _ARABIC.match(spelling):
                    consonants.setdefault(skeleton(_key(spelling)), set()).add(e.province_iso)
    villages = get_villages()

    groups: dict[str, list[dict]] = {}  # 2014 district -> the records whose label point it holds
    rows_of = {}
    for record in read_districts(folder):
        hit = tree.query(shapely.Point(record["lon"], record["lat"]), predicate="within")
        if len(hit) == 0:
            continue
        row = districts.iloc[int(hit[0])]
        groups.setdefault(row["district_id"], []).append(record)
        rows_of[row["district_id"]] = row
    # a spelling two records placed in different districts give is nobody's (a misfiled variant)
    owners: dict[str, set[str]] = {}
    for district_id, records in groups.items():
        for record in records:
            for spelling in record["spellings"]:
                owners.setdefault(_key(spelling), set()).add(f"{district_id}/{record['name']}")

    def conflict(spelling: str, iso: str, district_id: str, own: set[str]) -> str:
        key = _key(spelling)
        if _letters(spelling) < MIN_LETTERS or not key:
            return "too short"
        if len(owners.get(key, ())) > 1:
            return f"given by {len(owners[key])} records"
        for province, holder_district, kind in holders.get(key, ()):
            if province != iso:
                return f"a {kind} of {province}"
            if kind == "province" or (kind in ("district", "capital") and holder_district not in own):
                return f"a {kind} in {holder_district or province}"
            if kind == "city" and own and holder_district not in own:
                return f"a town in {holder_district}"
        if _ARABIC.match(spelling) and consonants.get(skeleton(key), {iso}) != {iso}:
            return "its consonants are those of a place in another province"
        elsewhere = [v for v in villages.lookup(key) if v.province_iso != iso]
        if elsewhere:
            return f"a settlement of {elsewhere[0].province_iso}"
        return ""

    rows, report = [], []
    for district_id, records in sorted(groups.items()):
        row = rows_of[district_id]
        iso = row["province_iso"]
        names_2014 = [row["name"], *[n for n in str(row.get("name_alt") or "").split("|") if n]]
        # the record that is the 2014 district: the one named like it, else the closest-named one
        original = min(records, key=lambda r: (not _close(r["name"], names_2014), _distance(r["name"], row["name"])))
        for record in records:
            is_new = record is not original
            own = set() if is_new else {district_id}
            names = [record["name"]] if is_new else [record["name"], *names_2014]
            kept = []
            for spelling in record["spellings"]:
                if spelling == record["name"] and is_new:
                    continue
                if not is_new:
                    answer = gazetteer.resolve(spelling)
                    if answer is not None and not answer.is_foreign and answer.entry.district_id == district_id:
                        continue  # answered already
                if not _close(spelling, names):
                    report.append(f"{spelling!r} for {record['name']} ({iso}) dropped: not a spelling of {names[0]}")
                    continue
                why = conflict(spelling, iso, district_id, own)
                if why:
                    report.append(f"{spelling!r} for {record['name']} ({iso}) dropped: {why}")
                    continue
                kept.append(spelling)
            if is_new:
                why = conflict(record["name"], iso, district_id, own)
                if why:
                    report.append(f"{record['name']} ({iso}): district created after 2014 left out: {why}")
                    continue
                rows.append(_row(record["name"], iso, record["lat"], record["lon"], kept, district_id))
                report.append(f"{record['name']} ({iso}): district created after 2014, in {row['name']}")
            elif kept:
                place = next(
                    (
                        e
                        for e in gazetteer.entries
                        if e.kind == "district" and e.name == row["name"] and e.province_iso == iso
                    ),
                    None,
                )
                if place is not None:
                    rows.append(_row(place.name, iso, float("nan"), float("nan"), kept, ""))
    return rows, report


def _distance(a: str, b: str) -> int:
    from rapidfuzz.distance import OSA

    return OSA.distance(_key(a), _key(b))


def _row(name: str, iso: str, lat: float, lon: float, aliases: list[str], district_id: str) -> dict:
    return {
        "name": name,
        "kind": "district",
        "province_iso": iso,
        "lat": f"{lat:.5f}" if lat == lat else "",
        "lon": f"{lon:.5f}" if lon == lon else "",
        "population": "0",
        "aliases": "|".join(dict.fromkeys(aliases)),
        "source": SOURCE if not district_id else f"{SOURCE}; created after 2014",
        "district_id": district_id,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a checkout of whosonfirst-data/whosonfirst-data-admin-af")
    parser.add_argument("--report", action="store_true", help="print every dropped spelling and why")
    args = parser.parse_args()
    rows, report = district_names(args.source)
    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["province_iso"], r["name"])))
    new = sum(1 for r in rows if r["district_id"])
    spellings = sum(len(r["aliases"].split("|")) for r in rows if r["aliases"])
    print(f"wrote {len(rows)} rows to {OUTPUT}: {new} districts created after 2014, {spellings} spellings")
    if args.report:
        print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
