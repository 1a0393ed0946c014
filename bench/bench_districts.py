"""District level: landing reports on the 398 bundled districts, and the size and build time of the map.

1. Landing 100,000 reports (90% points, 10% province-wide) on the districts with
   ``geomap.join.locate_on_districts`` beside what a skilled user would write with geopandas:
   ``sjoin(points, districts, predicate="within")`` for the points and a merge on the
   province code for the province-wide reports. Both must land every report on the same districts.
2. The district map: 398 districts x 365 daily dates from random reports, built with
   ``control_map(..., self_contained=True)`` (targets: <= 1.0 MB, built in <= 3 s), beside the
   same page without the province layer (names and borders) to show what that layer costs,
   with gzip sizes beside the raw ones.

Run with ``.venv/bin/python bench/bench_districts.py``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.join import locate_on_districts
from geomap.levels import level_areas
from geomap.reports import read_reports
from geomap.scheme import AFGHANISTAN_2021

N_REPORTS = 100_000
N_DATES = 365
SIZE_TARGET = 1_000_000
TIME_TARGET = 3.0


def random_points_in(districts: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points spread over the districts: a random district, then a random point inside it."""
    picks = rng.integers(0, len(districts), size=n)
    bounds = shapely.bounds(districts.geometry.values)
    x = np.empty(n)
    y = np.empty(n)
    todo = np.arange(n)
    while todo.size:
        b = bounds[picks[todo]]
        x[todo] = rng.uniform(b[:, 0], b[:, 2])
        y[todo] = rng.uniform(b[:, 1], b[:, 3])
        inside = shapely.contains_xy(districts.geometry.values[picks[todo]], x[todo], y[todo])
        todo = todo[~inside]
    return x, y


def bench_landing(districts: gpd.GeoDataFrame) -> None:
    rng = np.random.default_rng(12)
    x, y = random_points_in(districts, N_REPORTS, rng)
    wide = rng.random(N_REPORTS) < 0.1
    frame = pd.DataFrame(
        {
            "date": [
                (dt.date(2021, 1, 1) + dt.timedelta(days=int(d))).isoformat() for d in rng.integers(0, 365, N_REPORTS)
            ],
            "place": [f"report {k}" for k in range(N_REPORTS)],
            "status": np.array(AFGHANISTAN_2021.reportable)[rng.integers(0, 3, N_REPORTS)],
            "lat": y,
            "lon": x,
            "level": np.where(wide, "province", ""),
        }
    )
    reports = read_reports(frame)

    start = time.perf_counter()
    located, unresolved = locate_on_districts(reports, districts)
    ours = time.perf_counter() - start

    start = time.perf_counter()
    points = gpd.GeoDataFrame(reports, geometry=gpd.points_from_xy(reports["lon"], reports["lat"]), crs="EPSG:4326")
    joined = gpd.sjoin(points, districts[["area_id", "province_iso", "geometry"]], predicate="within", how="inner")
    joined = joined[~joined.index.duplicated()]
    specific = joined[joined["level"] != "province"][["row", "date", "area_id"]]
    province_rows = joined[joined["level"] == "province"][["row", "date", "province_iso"]]
    spread = province_rows.merge(districts[["area_id", "province_iso"]], on="province_iso")
    taken = pd.MultiIndex.from_frame(specific[["area_id", "date"]])
    spread = spread[~pd.MultiIndex.from_frame(spread[["area_id", "date"]]).isin(taken)]
    baseline = pd.concat([specific, spread[["row", "date", "area_id"]]], ignore_index=True)
    theirs = time.perf_counter() - start

    same = set(zip(located["row"], located["area_id"], strict=True)) == set(
        zip(baseline["row"], baseline["area_id"], strict=True)
    )
    print(f"1. landing {N_REPORTS:,} reports ({int(wide.sum()):,} province-wide) on {len(districts)} districts")
    print(f"   {'':32} {'geomap':>10} {'geopandas sjoin + merge':>24}")
    print(f"   {'time (s)':32} {ours:10.2f} {theirs:24.2f}")
    print(f"   {'rows landed':32} {len(located):10,} {len(baseline):24,}")
    print(f"   same districts for every report: {same}; unresolved: {len(unresolved)}; {theirs / ours:.1f}x")


def best_build(build, repeat: int = 2) -> tuple[str, float]:
    """The page and the best of ``repeat`` build times (the first build also pays for imports)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        html = build()
        times.append(time.perf_counter() - start)
    return html, min(times)


def sizes(text: str) -> tuple[int, int]:
    raw = text.encode("utf-8")
    return len(raw), len(gzip.compress(raw, 6))


def bench_map(districts: gpd.GeoDataFrame) -> None:
    from geomap.render import MapData, build_map, control_map, map_data, map_html
    from geomap.timeline import ControlTimeline

    rng = np.random.default_rng(2021)
    n = 1500  # about four reports a day, each sent once with its source and coordinates
    x, y = random_points_in(districts, n, rng)
    reports = pd.DataFrame(
        {
            "date": [
                (dt.date(2021, 1, 1) + dt.timedelta(days=int(d))).isoformat() for d in rng.integers(0, N_DATES, n)
            ],
            "place": [f"place {k}" for k in range(n)],
            "status": np.array(AFGHANISTAN_2021.reportable)[rng.integers(0, 3, n)],
            "source": "https://example.org/report",
            "note": "",
            "lat": y,
            "lon": x,
        }
    )
    dates = [dt.date(2021, 1, 1) + dt.timedelta(days=k) for k in range(N_DATES)]
    timeline = ControlTimeline.from_reports(reports, level="district", dates=dates)
    timeline.long()  # the timeline's own work is not the map's

    html, built = best_build(lambda: map_html(control_map(timeline, self_contained=True)))
    plain = map_data(timeline)
    plain.groups = None
    plain_html, plain_built = best_build(lambda: map_html(build_map(plain, self_contained=True)))
    # The province map issue's measure: a random status per district per day, no reports.
    codes = rng.integers(0, len(AFGHANISTAN_2021.keys), size=(len(districts), N_DATES), dtype=np.uint8)
    bare = MapData(areas=districts, scheme=AFGHANISTAN_2021, dates=dates, codes=codes, area_noun="districts")
    bare.groups = districts["province"].tolist()
    bare_html, bare_built = best_build(lambda: map_html(build_map(bare, self_contained=True)))

    rows = [
        ("district map, 1,500 reports", html, built),
        ("  the same without provinces", plain_html, plain_built),
        ("district map, random, no reports", bare_html, bare_built),
    ]
    print(f"2. district map: {len(districts)} districts x {N_DATES} daily dates, self-contained (best of 2 builds)")
    print(f"   {'':34} {'size (KB)':>10} {'gzip (KB)':>10} {'build (s)':>10}")
    for label, text, seconds in rows:
        raw, zipped = sizes(text)
        print(f"   {label:34} {raw / 1000:10.0f} {zipped / 1000:10.0f} {seconds:10.2f}")
    print(f"   {'target':34} {SIZE_TARGET / 1000:10.0f} {'':>10} {TIME_TARGET:10.1f}")
    within = all(len(t.encode()) <= SIZE_TARGET and s <= TIME_TARGET for label, t, s in rows if "without" not in label)
    print(f"   {'within' if within else 'OUTSIDE'} the targets")


def main() -> None:
    districts = level_areas("district")
    bench_landing(districts)
    bench_map(districts)


if __name__ == "__main__":
    main()
