"""Benchmark: reports to the long control table, and points to districts.

Prints, in one run, side by side:

1. 100,000 reports (5,000 distinct place spellings) over 365 daily reporting
   dates on the 34 provinces to ``ControlTimeline.long()``, geocoding included
   (target <= 5 s), beside a straightforward pandas loop over dates.
2. 1,000,000 random points joined to the 398 districts with
   ``geomap.join.join_points`` beside a bare ``geopandas.sjoin`` on the same
   input (target: throughput ratio >= 0.8). Needs ../shared/data; skipped
   with a message when it is absent.

Run: ``python bench/bench_timeline.py``.
"""

from __future__ import annotations

import datetime as dt
import random
import string
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap._data import provinces_table
from geomap.boundaries import load_boundaries
from geomap.join import join_points
from geomap.timeline import ControlTimeline

DISTRICTS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "afghanistan-districts-geoboundaries"
    / "geoBoundaries-AFG-ADM2.shp"
)
STATUSES = ["taliban", "contested", "government"]


def spellings(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct report-like spellings of province and capital names (case, hyphens, typos)."""
    table = provinces_table()
    bases: list[str] = []
    for row in table.itertuples():
        bases += [row.name, row.capital, f"{row.name} province"]
        bases += [s for s in row.name_alt.split("|") + row.capital_alt.split("|") if s]
    out: list[str] = list(dict.fromkeys(bases))
    seen = set(out)
    while len(out) < n:
        word = rng.choice(bases)
        change = rng.randrange(4)
        if change == 0:
            word = word.upper() if rng.random() < 0.5 else word.lower()
        elif change == 1:
            word = word.replace("-", " ") if "-" in word else word.replace(" ", "-")
            word = word + rng.choice(["", " city", " City"])
        else:
            i = rng.randrange(1, max(2, len(word) - 1))
            letter = rng.choice(string.ascii_lowercase)
            word = word[:i] + letter + word[i + 1 :] if change == 2 else word[:i] + word[i] + word[i:]
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out[:n]


def make_reports(n: int, places: list[str], rng: random.Random) -> pd.DataFrame:
    start = dt.date(2021, 1, 1)
    return pd.DataFrame(
        {
            "date": [(start + dt.timedelta(days=rng.randrange(365))).isoformat() for _ in range(n)],
            "place": [rng.choice(places) for _ in range(n)],
            "status": [rng.choice(STATUSES) for _ in range(n)],
            "source": [f"https://example.org/report/{i}" for i in range(n)],
        }
    )


def naive_long(reports: pd.DataFrame, iso: pd.Series, dates: list[dt.date]) -> pd.DataFrame:
    """The obvious pandas approach: for every date, the latest report per province so far."""
    frame = reports.assign(area_id=iso.to_numpy(), day=pd.to_datetime(reports["date"])).dropna(subset=["area_id"])
    frame = frame.sort_values("day", kind="stable")
    parts = []
    for day in dates:
        known = frame[frame["day"] <= pd.Timestamp(day)]
        parts.append(known.groupby("area_id").tail(1).assign(reporting_date=day))
    return pd.concat(parts)


def bench_timeline() -> None:
    rng = random.Random(42)
    places = spellings(5_000, rng)
    reports = make_reports(100_000, places, rng)
    t0 = time.perf_counter()
    timeline = ControlTimeline.from_reports(reports, freq="D")
    long = timeline.long()
    ours = time.perf_counter() - t0
    assert len(long) == 34 * len(timeline.reporting_dates)

    from geomap.geocode import geocode

    t0 = time.perf_counter()
    iso = geocode(reports["place"])["province_iso"]
    naive_long(reports, iso, timeline.reporting_dates)
    naive = time.perf_counter() - t0

    resolved = 1 - len(timeline.unresolved) / len(reports)
    print("reports -> long table (100,000 reports, 5,000 spellings, 34 provinces)")
    print(f"  reporting dates: {len(timeline.reporting_dates)}, rows: {len(long):,}, reports placed: {resolved:.1%}")
    print(f"  {'geomap ControlTimeline':<32}{ours:8.2f} s   (target <= 5 s)")
    print(f"  {'pandas loop over dates':<32}{naive:8.2f} s   (geocoding already warm; x{naive / ours:.1f} of geomap)")


def bench_join() -> None:
    if not DISTRICTS.exists():
        print(f"join benchmark skipped: {DISTRICTS} not found (needs ../shared/data beside the checkout)")
        return
    districts = load_boundaries(DISTRICTS, id_field="shapeID", name_field="shapeName")
    rng = np.random.default_rng(0)
    n = 1_000_000
    minx, miny, maxx, maxy = districts.total_bounds
    x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:4326")
    areas = districts.geometry.values

    t0 = time.perf_counter()
    joined = gpd.sjoin(points, districts[["area_id", "geometry"]], predicate="intersects", how="left")
    base = time.perf_counter() - t0

    t0 = time.perf_counter()
    ours_index = join_points(points.geometry.x.to_numpy(), points.geometry.y.to_numpy(), areas, snap=0)
    ours = time.perf_counter() - t0

    matched = joined["index_right"].notna()
    agree = joined[matched].index.nunique() == int((ours_index >= 0).sum())
    print("points -> districts (1,000,000 points, 398 districts)")
    print(f"  {'geopandas.sjoin':<32}{base:8.2f} s   {n / base:12,.0f} points/s")
    print(f"  {'geomap.join.join_points':<32}{ours:8.2f} s   {n / ours:12,.0f} points/s")
    print(f"  throughput ratio geomap/sjoin: {base / ours:.2f} (target >= 0.8); same points matched: {agree}")


def main() -> int:
    bench_timeline()
    print()
    bench_join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
