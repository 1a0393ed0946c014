"""Build ``geomap/data/villages.tsv.gz``, the settlement gazetteer, from Who's On First.

Source: the Who's On First repository ``whosonfirst-data/whosonfirst-data-admin-af``
(one GeoJSON record per place; Afghan localities imported from GeoNames, CC BY 4.0,
with the Who's On First structure under CC0). Clone it and pass its folder::

    git clone --depth 1 https://github.com/whosonfirst-data/whosonfirst-data-admin-af
    .venv/bin/python scripts/build_villages.py whosonfirst-data-admin-af

Kept: current localities (``wof:placetype`` = ``locality``, not superseded or deprecated)
that are not abandoned, destroyed or historical (GeoNames feature codes PPLQ, PPLW, PPLH),
minus the places ``geomap/data/places.csv`` already holds (same GeoNames id). The province
and district of each place are the bundled district containing its point (the nearest one
within about 5 km for a point just outside the border; places farther out are dropped).

Written, one line per place, tab-separated, sorted by district then name:
``name, district_id, lat, lon, geonameid, keys`` where ``keys`` are the distinct phonetic
keys (:func:`geomap.gazetteer.phonetic_key`) of all the place's Latin-script and
Arabic-script spellings, ``|``-separated, so that loading needs no normalisation.
Coordinates are rounded to 4 decimals (about 10 m).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from geomap.boundaries import load_districts  # noqa: E402
from geomap.gazetteer import normalize, phonetic_key  # noqa: E402

OUTPUT = ROOT / "geomap" / "data" / "villages.tsv.gz"
PLACES = ROOT / "geomap" / "data" / "places.csv"
#: GeoNames feature codes of places that are no longer lived in.
GONE = {"PPLQ", "PPLW", "PPLH"}
SNAP_DEGREES = 0.05
DECIMALS = 4
#: Name properties read, besides ``wof:name``: GeoNames' own, its variants, and Dari, Pashto and English names.
NAME_PROPERTIES = ("gn:name", "gn:asciiname", "name:und_x_variant", "name:eng_x_preferred", "name:eng_x_variant")
ARABIC_SCRIPT_PROPERTIES = ("name:fas_x_preferred", "name:pus_x_preferred", "name:prs_x_preferred")
_ARABIC = re.compile(r"^[\u0600-\u06ff\u200c\s-]+$")


def _latin(text: str) -> bool:
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return bool(folded) and all(ord(c) < 0x250 for c in folded)


def _values(value) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]


def read_localities(folder: Path, known: set[int]) -> list[dict]:
    """The current, lived-in localities of a Who's On First checkout, minus GeoNames ids in ``known``."""
    places = []
    for path in sorted((folder / "data").rglob("*.geojson")):
        if "-alt-" in path.name:
            continue
        props = json.loads(path.read_text(encoding="utf-8"))["properties"]
        if props.get("wof:placetype") != "locality" or props.get("mz:is_current") == 0:
            continue
        if props.get("wof:superseded_by") or "edtf:deprecated" in props or props.get("gn:feature_code") in GONE:
            continue
        geonameid = int(props.get("gn:geonameid") or props.get("wof:concordances", {}).get("gn:id") or 0)
        if geonameid in known:
            continue
        name = props["wof:name"]
        latin = [s for key in NAME_PROPERTIES for s in _values(props.get(key)) if _latin(s)]
        arabic = [s for key in (*ARABIC_SCRIPT_PROPERTIES, "name:und_x_variant") for s in _values(props.get(key))]
        arabic = [s for s in arabic if _ARABIC.match(s)]
        spellings = [s.strip() for s in dict.fromkeys([*latin, *arabic]) if s.strip() and s.strip() != name]
        places.append(
            {
                "name": name,
                "lat": float(props["geom:latitude"]),
                "lon": float(props["geom:longitude"]),
                "geonameid": geonameid,
                "spellings": spellings,
            }
        )
    return places


def locate(places: list[dict]) -> list[dict]:
    """Add ``district_id`` (the bundled district containing the point, or the nearest within 5 km)."""
    districts = load_districts()
    tree = shapely.STRtree(districts.geometry.to_numpy())
    ids = districts["district_id"].to_numpy()
    points = shapely.points([p["lon"] for p in places], [p["lat"] for p in places])
    found = np.full(len(points), -1)
    at, district = tree.query(points, predicate="within")
    found[at[::-1]] = district[::-1]
    missing = np.flatnonzero(found < 0)
    at, district = tree.query_nearest(points[missing], max_distance=SNAP_DEGREES)
    found[missing[at[::-1]]] = district[::-1]
    return [{**p, "district_id": ids[f]} for p, f in zip(places, found, strict=True) if f >= 0]


def keys_of(place: dict) -> list[str]:
    keys = []
    for spelling in (place["name"], *place["spellings"]):
        norm = normalize(spelling)
        if norm:
            keys.append(phonetic_key(norm))
    return list(dict.fromkeys(k for k in keys if len(k) >= 3))


def _clean(text: str) -> str:
    return " ".join(text.replace("|", " ").split())


def write(places: list[dict], output: Path) -> None:
    lines = []
    for p in sorted(places, key=lambda p: (p["district_id"], p["name"], p["geonameid"])):
        keys = keys_of(p)
        if not keys:
            continue
        fields = [
            _clean(p["name"]),
            p["district_id"],
            f"{p['lat']:.{DECIMALS}f}",
            f"{p['lon']:.{DECIMALS}f}",
            str(p["geonameid"]),
            "|".join(keys),
        ]
        lines.append("\t".join(fields))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    tmp = output.with_suffix(".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(data)
    tmp.replace(output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a checkout of whosonfirst-data-admin-af")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if not (args.source / "data").is_dir():
        raise SystemExit(f"{args.source}: no data/ folder; pass a checkout of whosonfirst-data-admin-af")
    known = {int(m.group(1)) for m in re.finditer(r"GeoNames (\d+)", PLACES.read_text(encoding="utf-8"))}
    places = locate(read_localities(args.source, known))
    write(places, args.output)
    print(f"wrote {len(places)} places to {args.output} ({args.output.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
