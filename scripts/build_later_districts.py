"""Build ``geomap/data/later_districts.csv``: districts created after the 2014 set, from a table of facts.

Source: ``geomap/data/later_districts_facts.csv``, written by hand from public reference
pages (each row cites its page). Only facts are taken: a district's name, the other
spellings the page gives, its province and the 2014 district(s) it was carved from
(``parents``, ids of the bundled districts; empty when the page does not say)::

    .venv/bin/python scripts/build_later_districts.py [--report]

Each district is placed by the rule a user would expect from a district list:

- its **seat**, the settlement (GeoNames, in ``places.csv`` or the settlement table)
  spelled like the district inside one of its parent districts (inside its province when
  the parents are not known, and only when every such settlement lies in one district);
- else, with a single parent, the **representative point of the parent district**;
- else, when no parent is known, the **province's point**, with no ``district_id`` and
  ``PROVINCE_ONLY_NOTE`` in its source: the name answers its province only, and its
  reports count for the whole province (Bad Pakh, Laghman; Gurtipa and Calbad, Kunduz);
- else it is left out (listed by ``--report``): a district carved from several districts
  with no seat of its name would colour a guessed area.

``district_id`` is the 2014 district holding the point (the parent), so the district's
reports colour the area it was carved from (empty for a district known only by province).

Harm guards (the same as ``build_district_names.py``'s): a spelling is dropped when it has
fewer than four letters, when it is the name of a district, town, capital or province of
geomap's gazetteer (in any province: a later district never takes an existing district's
spelling), when it is the start or the end of the name of a district, town or capital of another
province (Murghab, Badghis's Bala Murghab, "upper Murghab", without its qualifier: reports use the
short name), when it is the parent's own name, or, for a spelling other than the district's
name, when a settlement of another province is spelled exactly so. The district's own name
is kept when it is only a village's name elsewhere and the district has a seat of that name,
or when the village elsewhere is only spelled alike (the same phonetic key): the district
outranks a village of the same name, and the village is listed in ``alternatives`` (with a
lower confidence); a province written beside the name decides, and a village spelled exactly
as asked is not taken for another spelling of the district. A district with no seat of its
name whose name a settlement of another province carries exactly (Marghab, Ghor; the Jowzjan
village), or settlements of three or more other provinces carry spelled alike (Chehel Gazi, Faryab;
villages of eight provinces), is left out: the name is on record elsewhere, and the district
would outrank those places.

Written with the columns of ``new_districts.csv``:
``name, kind, province_iso, lat, lon, population, aliases, source, district_id``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from geomap._villages import get_villages  # noqa: E402
from geomap.gazetteer import (  # noqa: E402
    FOREIGN,
    LATER_DISTRICT_NOTE,
    PROVINCE_ONLY_NOTE,
    build_gazetteer,
    normalize,
    phonetic_key,
    with_districts,
)

FACTS = ROOT / "geomap" / "data" / "later_districts_facts.csv"
OUTPUT = ROOT / "geomap" / "data" / "later_districts.csv"
COLUMNS = ("name", "kind", "province_iso", "lat", "lon", "population", "aliases", "source", "district_id")
#: Fewer letters than this and a spelling is too short to tell places apart.
MIN_LETTERS = 4
#: A spelling of at least this many key letters that begins or ends the name of a district or town of
#: another province (Murghab, the end of Bala Murghab in Badghis) is read as that place's short name.
MIN_PART = 5


def read_facts(path: Path = FACTS) -> list[dict]:
    """The rows of the facts table, ``aliases`` and ``parents`` split into lists."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["aliases"] = [a for a in row["aliases"].split("|") if a]
        row["parents"] = [p for p in row["parents"].split("|") if p]
    return rows


def _key(spelling: str) -> str:
    return phonetic_key(normalize(spelling))


#: A name settlements of this many other provinces carry (spelled alike) is a common one.
COMMON_PROVINCES = 3


def later_districts(facts: list[dict]) -> tuple[list[dict], list[str]]:
    """The rows of ``later_districts.csv`` and a report of what was placed, dropped and why."""
    import shapely

    from geomap.boundaries import load_districts

    gazetteer = with_districts(build_gazetteer(later_districts=False))
    districts = load_districts().set_index("district_id")
    # every phonetic key of an Afghan place that is not a village -> (province, district_id, kind, name)
    holders: dict[str, list[tuple[str, str, str, str]]] = {}
    settlements: dict[str, list[tuple[str, str, float, float]]] = {}  # key -> (name, district_id, lat, lon)
    for e in gazetteer.entries:
        if e.kind == FOREIGN:
            continue
        for spelling in (e.name, *e.aliases):
            key = _key(spelling)
            if e.kind in ("village", "city"):
                settlements.setdefault(key, []).append((e.name, e.district_id, e.lat, e.lon))
            if e.kind != "village":
                holders.setdefault(key, []).append((e.province_iso, e.district_id, e.kind, e.name))
    villages = get_villages()

    rows, report = [], []
    for fact in facts:
        name, iso, parents = fact["name"], fact["province_iso"], fact["parents"]
        unknown = [p for p in parents if p not in districts.index or not p.startswith(iso)]
        if unknown:
            report.append(f"{name} ({iso}) left out: parent {unknown[0]} is not a bundled district of {iso}")
            continue
        kept = []
        for spelling in [name, *fact["aliases"]]:
            why = _conflict(spelling, iso, holders, parents, districts)
            if not why and spelling != name:
                why = _village_elsewhere(spelling, iso, settlements, villages)
            if why:
                report.append(f"{spelling!r} for {name} ({iso}) dropped: {why}")
            else:
                kept.append(spelling)
        if name not in kept:
            report.append(f"{name} ({iso}) left out: its name is taken")
            continue
        seats = _seats(kept, iso, parents, settlements, villages)
        namesake = "" if seats else _village_elsewhere(name, iso, settlements, villages)
        common = "" if seats or namesake else _common_elsewhere(name, iso, settlements, villages)
        if namesake or common:  # the name is on record only elsewhere: a report naming it may mean that place
            spelled = f"{namesake} is spelled so" if namesake else f"{common} are spelled alike"
            report.append(f"{name} ({iso}) left out: no seat of that name, and {spelled}")
            continue
        if len({s[1] for s in seats}) == 1:
            seat_name, district_id, lat, lon = seats[0]
            how = f"seat {seat_name}"
        elif not seats and len(parents) == 1:
            point = districts.loc[parents[0], "geometry"].representative_point()
            district_id, lat, lon = parents[0], shapely.get_y(point), shapely.get_x(point)
            how = "point inside the parent district"
        elif not seats and not parents:
            province = next(e for e in gazetteer.entries if e.kind == "province" and e.province_iso == iso)
            district_id, lat, lon = "", province.lat, province.lon
            how = f"the province's point, {PROVINCE_ONLY_NOTE}"
        else:
            where = "several districts" if seats else "no seat of that name"
            report.append(f"{name} ({iso}) left out: {where} and {len(parents) or 'no'} known parent(s)")
            continue
        if parents and district_id not in parents:  # cannot happen: seats are searched inside the parents
            raise AssertionError(f"{name}: seat outside its parents")
        rows.append(
            {
                "name": name,
                "kind": "district",
                "province_iso": iso,
                "lat": f"{lat:.5f}",
                "lon": f"{lon:.5f}",
                "population": "0",
                "aliases": "|".join(dict.fromkeys(k for k in kept if k != name)),
                "source": f"{fact['source']}; {how}; {LATER_DISTRICT_NOTE}",
                "district_id": district_id,
            }
        )
        where = f"in {districts.loc[district_id, 'name']} ({district_id})" if district_id else f"in {iso}"
        report.append(f"{name} ({iso}): {where}, {how}")
    return rows, report


def _conflict(spelling: str, iso: str, holders: dict, parents: list[str], districts) -> str:
    key = _key(spelling)
    if sum(c.isalpha() for c in spelling) < MIN_LETTERS or not key:
        return "too short"
    for province, district_id, kind, name in holders.get(key, ()):
        if kind == "city" and (district_id in parents or (not parents and province == iso)):
            continue  # the district's own town: its seat
        return f"the {kind} {name} ({district_id or province})"
    for parent in parents:
        if key == _key(districts.loc[parent, "name"]):
            return "the name of the parent district"
    if len(key) >= MIN_PART:
        for other, places in holders.items():
            if len(other) - len(key) >= MIN_LETTERS - 1 and (other.startswith(key) or other.endswith(key)):
                for province, district_id, kind, name in places:
                    if kind != "province" and province != iso:
                        return f"a part of the {kind} {name} ({district_id or province})"
    return ""


def _village_elsewhere(spelling: str, iso: str, settlements: dict, villages) -> str:
    """A settlement of another province spelled exactly so: the other spelling would take its name."""
    key, norm = _key(spelling), normalize(spelling)
    candidates = [(s[0], s[1]) for s in settlements.get(key, ())]
    candidates += [(v.name, v.district_id) for v in villages.lookup(key)]
    for other, district_id in candidates:
        if not district_id.startswith(iso) and normalize(other) == norm:
            return f"the settlement {other} ({district_id})"
    return ""


def _common_elsewhere(spelling: str, iso: str, settlements: dict, villages) -> str:
    """Settlements spelled alike (the same phonetic key) in three or more other provinces: the name is a
    common one, and a district with no seat of that name would outrank them all."""
    key = _key(spelling)
    found = {(s[0], s[1]) for s in settlements.get(key, ())} | {(v.name, v.district_id) for v in villages.lookup(key)}
    others = sorted({d[:6] for _, d in found if d and not d.startswith(iso)})
    if len(others) < COMMON_PROVINCES:
        return ""
    return f"settlements in {len(others)} other provinces ({', '.join(others[:3])}{', ...' if len(others) > 3 else ''})"


def _seats(spellings: list[str], iso: str, parents: list[str], settlements: dict, villages) -> list[tuple]:
    """Settlements spelled like the district inside its parents (its province when they are unknown)."""
    found = []
    for spelling in spellings:
        key = _key(spelling)
        candidates = list(settlements.get(key, ()))
        candidates += [(v.name, v.district_id, v.lat, v.lon) for v in villages.lookup(key)]
        for seat in candidates:
            inside = seat[1] in parents if parents else seat[1].startswith(iso)
            if inside and seat not in found:
                found.append(seat)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="print where each district went and what was dropped")
    args = parser.parse_args()
    rows, report = later_districts(read_facts())
    tmp = OUTPUT.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["province_iso"], r["name"])))
    tmp.replace(OUTPUT)
    print(f"wrote {len(rows)} districts created after 2014 to {OUTPUT}")
    if args.report:
        print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
