"""Build ``geomap/data/district_spellings.csv``: the Dari names a public list gives the districts.

Source: the district lists of the MIT-licensed package ``OpenAfghanistan/provinces``
(``database/seeders/*ProvinceSeeder.php``: each province with its districts' English and
Dari names), the checkout ``scripts/build_new_districts.py`` reads::

    git clone https://github.com/OpenAfghanistan/provinces
    .venv/bin/python scripts/build_district_spellings.py provinces [--report]

Only names are taken (facts). A listed district is matched to the district or capital of
geomap's gazetteer it names: its English name (or a part of ``"Darwaz-e-Payin (Maimay)"``)
looked up in its province must answer a district or capital of that province, spelled as on
record or within a typo, and written with the consonants of that place's name. Its **Dari
name** is then added as a spelling of that place, unless geomap answers it with that place
already at full confidence (a spelling held against namesakes is added, which lifts it), it is
shorter than three letters, or its consonants are not those of the place's
Latin name (a quarter of them may differ); it is dropped when it is the name on record of a
district, town, capital or province named otherwise (it would take that place's name). A
village of the same name elsewhere does not drop it: the district's Latin name stands
against such villages too, and the Dari name means the same place. The list's English
names are only used to match the district, never added (some are common words, "Shuhada").
Districts created after 2014 are left to their own tables, which give their names.

Rerun after changing ``places.csv``, ``aliases.csv``, ``district_names.csv`` or the
settlement table, then ``scripts/build_gazetteer.py``.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from build_new_districts import listed_districts  # noqa: E402

from geomap._villages import get_villages  # noqa: E402
from geomap.gazetteer import (  # noqa: E402
    FOREIGN,
    Entry,
    Gazetteer,
    build_gazetteer,
    consonant_core,
    normalize,
    phonetic_key,
)

OUTPUT = ROOT / "geomap" / "data" / "district_spellings.csv"
SOURCE = "OpenAfghanistan/provinces (MIT)"
COLUMNS = ("name", "kind", "province_iso", "lat", "lon", "population", "aliases", "source")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
#: Kinds of place a listed district may be (the provincial centre's district is the capital).
TARGET_KINDS = ("district", "capital")
#: A listed English name reaching its place only through a misspelling needs this confidence.
MIN_CONFIDENCE = 0.7
#: A Dari name the gazetteer answers with the place at this confidence or more is not added.
ANSWERED_CONFIDENCE = 0.95


def _core(spelling: str) -> str:
    return consonant_core(normalize(spelling) if _ARABIC.search(spelling) else phonetic_key(normalize(spelling)))


def _writes(spelling: str, entry: Entry) -> bool:
    """Whether ``spelling`` writes the name of ``entry``: its consonants within a quarter of theirs."""
    from rapidfuzz.distance import OSA

    core = _core(spelling)
    for name in (entry.name, *entry.aliases[: entry.curated]):
        if _ARABIC.search(name):
            continue
        other = _core(name)
        if core and other and OSA.distance(core, other) <= max(1, min(len(core), len(other)) // 4):
            return True
    return False


def _target(
    gazetteer: Gazetteer, named: dict[str, list[Entry]], parts: list[str], province: str, iso: str
) -> tuple[Entry, bool] | None:
    """The district or capital of ``iso`` that one of the listed English spellings names, if any.

    Returned with whether the whole spelling names it (rather than a span of its words).

    A part is tried whole, then by its spans of two words or more, longest first ("Wali Mohammad
    Shahid Khugyani" names Wali Muhammadi Shahid): a spelling on record of a district or capital of
    the province, else the closest such name within a typo, written with the same consonants.
    """
    for part in parts:
        words = normalize(part).split()
        spans = [part] + [
            " ".join(words[start : start + size])
            for size in range(len(words) - 1, 1, -1)
            for start in range(len(words) - size + 1)
        ]
        for span in spans:
            own = [e for e in named.get(phonetic_key(normalize(span)), []) if e.province_iso == iso]
            if own:
                return min(own, key=lambda e: TARGET_KINDS.index(e.kind)), span == part
            for match in (gazetteer._nearest_within(span, {iso}), gazetteer.resolve(f"{span}, {province}")):
                if (
                    match is not None
                    and not match.is_foreign
                    and match.entry.province_iso == iso
                    and match.entry.kind in TARGET_KINDS
                    and match.confidence >= MIN_CONFIDENCE
                    and _writes(span, match.entry)
                ):
                    return match.entry, span == part
    return None


def _answers(gazetteer: Gazetteer, spelling: str, entry: Entry) -> bool:
    """Whether the gazetteer already answers ``spelling`` with ``entry`` as written or by an alias,
    at full confidence (not held against namesakes: a spelling on record would lift it)."""
    match = gazetteer.resolve(spelling)
    return (
        match is not None
        and not match.is_foreign
        and match.method in ("exact", "alias")
        and match.confidence >= ANSWERED_CONFIDENCE
        and (match.entry.name, match.entry.kind, match.entry.province_iso)
        == (entry.name, entry.kind, entry.province_iso)
    )


def district_spellings(folder: Path) -> tuple[list[dict], list[str]]:
    """The rows of ``district_spellings.csv`` and a report of what was matched, dropped and why."""
    gazetteer = build_gazetteer(district_spellings=False)
    provinces = {e.province: e.province_iso for e in gazetteer.entries if e.kind == "province"}
    larger = [e for e in gazetteer.entries if e.kind not in (FOREIGN, "village")]
    holders: dict[str, list[Entry]] = {}  # phonetic key of every name on record -> the larger places holding it
    for e in larger:
        for spelling in (e.name, *e.aliases[: e.curated]):
            holders.setdefault(phonetic_key(normalize(spelling)), []).append(e)
    named: dict[str, list[Entry]] = {}  # phonetic key of every own or curated name -> the districts and capitals
    for e in larger:
        if e.kind in TARGET_KINDS:
            for spelling in (e.name, *e.aliases[: e.curated]):
                named.setdefault(phonetic_key(normalize(spelling)), []).append(e)
    villages = get_villages()

    def conflict(spelling: str, entry: Entry) -> str:
        key = phonetic_key(normalize(spelling))
        own = phonetic_key(normalize(entry.name))
        for other in holders.get(key, ()):
            if other is entry or (other.name, other.province_iso) == (entry.name, entry.province_iso):
                continue
            if phonetic_key(normalize(other.name)) != own:  # a namesake is as ambiguous as the Latin name
                return f"a name of {other.name} ({other.kind}, {other.province_iso})"
        if not _ARABIC.search(spelling):
            elsewhere = [v for v in villages.lookup(key) if v.province_iso != entry.province_iso]
            if elsewhere:
                return f"a settlement of {elsewhere[0].province_iso}"
        return ""

    # the places this table's rows add spellings to (the districts of later tables are not among them)
    earlier = build_gazetteer(district_spellings=False, new_districts=False, later_districts=False)
    mergeable = {(e.name, e.kind, e.province_iso) for e in earlier.entries}
    added: dict[tuple[str, str, str], list[str]] = {}
    report = []
    for province, iso, english, dari, parts in listed_districts(folder, gazetteer, provinces):
        found = _target(gazetteer, named, parts, province, iso)
        if found is None:
            report.append(f"{english} / {dari} ({iso}): no district or capital of that name in the province")
            continue
        entry, whole = found
        if (entry.name, entry.kind, iso) not in mergeable:  # added after this table: its own table names it
            continue
        for spelling in [dari] if dari else []:
            if sum(c.isalpha() for c in spelling) < 3 or _answers(gazetteer, spelling, entry):
                continue
            if whole and not _writes(spelling, entry):
                report.append(f"{spelling!r} for {entry.name} ({iso}) dropped: not a spelling of it")
                continue
            why = conflict(spelling, entry)
            if why:
                report.append(f"{spelling!r} for {entry.name} ({iso}) dropped: {why}")
                continue
            added.setdefault((entry.name, entry.kind, iso), []).append(spelling)
            report.append(f"{spelling!r} added to {entry.name} ({entry.kind}, {iso})")
    rows = [
        {
            "name": name,
            "kind": kind,
            "province_iso": iso,
            "lat": "",
            "lon": "",
            "population": "0",
            "aliases": "|".join(dict.fromkeys(spellings)),
            "source": SOURCE,
        }
        for (name, kind, iso), spellings in added.items()
    ]
    return rows, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a checkout of OpenAfghanistan/provinces")
    parser.add_argument("--report", action="store_true", help="print every spelling added or dropped, and why")
    args = parser.parse_args()
    rows, report = district_spellings(args.source)
    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["province_iso"], r["name"], r["kind"])))
    spellings = sum(len(r["aliases"].split("|")) for r in rows)
    print(f"wrote {len(rows)} places to {OUTPUT}: {spellings} spellings")
    if args.report:
        print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
