"""Size and speed of geomap's control map beside folium's TimeSliderChoropleth, in one run.

Inputs are synthetic: every area gets a random status on every one of 365 daily dates
(the worst case for a status table: most areas change every day).

1. 398 districts x 365 dates (from ../shared/data; skipped with a message when absent):
   geomap's self-contained HTML (targets: <= 1.5 MB, >= 5x smaller than TimeSliderChoropleth,
   built in <= 5 s) beside folium's ``TimeSliderChoropleth`` fed the same display geometry.
2. 34 bundled provinces x 365 dates, self-contained (target: <= 400 KB).
3. In headless Chromium (skipped when chromium is absent): the time of one slider step
   (restyle + counts panel), measured in the page with ``performance.now()`` (target: <= 50 ms).

Run with ``.venv/bin/python bench/bench_render.py``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from geomap.boundaries import load_boundaries, load_provinces
from geomap.render import MapData, build_map, display_geometries, map_html
from geomap.scheme import AFGHANISTAN_2021

SHARED = Path(__file__).resolve().parents[2] / "shared"
DISTRICTS = SHARED / "data" / "afghanistan-districts-geoboundaries" / "geoBoundaries-AFG-ADM2.shp"
N_DATES = 365
TOLERANCE = 0.005
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def random_map_data(areas, n_dates: int, *, seed: int = 2021, noun: str = "areas") -> MapData:
    rng = np.random.default_rng(seed)
    dates = [dt.date(2021, 1, 1) + dt.timedelta(days=k) for k in range(n_dates)]
    codes = rng.integers(0, len(AFGHANISTAN_2021.keys), size=(len(areas), n_dates), dtype=np.uint8)
    return MapData(areas=areas, scheme=AFGHANISTAN_2021, dates=dates, codes=codes, area_noun=noun)


def timeline_from_random_reports(areas, *, n_reports: int = 3000, seed: int = 2021):
    """A daily ControlTimeline over 2021 from random reports at a point inside each area."""
    import pandas as pd

    from geomap.timeline import ControlTimeline

    rng = np.random.default_rng(seed)
    points = areas.geometry.representative_point()
    picks = rng.integers(0, len(areas), size=n_reports)
    days = rng.integers(0, N_DATES, size=n_reports)
    statuses = np.array(AFGHANISTAN_2021.reportable)[rng.integers(0, len(AFGHANISTAN_2021.reportable), n_reports)]
    reports = pd.DataFrame(
        {
            "date": [(dt.date(2021, 1, 1) + dt.timedelta(days=int(d))).isoformat() for d in days],
            "place": [f"{areas['area_name'].iloc[i]} (report {k})" for k, i in enumerate(picks)],
            "status": statuses,
            "source": "https://example.org/report",
            "note": "",
            "lat": points.y.to_numpy()[picks],
            "lon": points.x.to_numpy()[picks],
        }
    )
    dates = [dt.date(2021, 1, 1) + dt.timedelta(days=k) for k in range(N_DATES)]
    return ControlTimeline.from_reports(reports, boundaries=areas, dates=dates, aggregate="latest")


def build_from_timeline(timeline) -> tuple[str, float]:
    from geomap.render import control_map

    timeline.long()  # the timeline's own work is not the renderer's
    start = time.perf_counter()
    html = map_html(control_map(timeline, self_contained=True, markers=True))
    return html, time.perf_counter() - start


def build_geomap(data: MapData) -> tuple[str, float]:
    start = time.perf_counter()
    html = map_html(build_map(data, self_contained=True, simplify_tolerance=TOLERANCE))
    return html, time.perf_counter() - start


def build_time_slider_choropleth(data: MapData) -> tuple[str, float]:
    """folium's TimeSliderChoropleth on the same display geometry and statuses."""
    import folium
    import geopandas as gpd
    from folium.plugins import TimeSliderChoropleth

    start = time.perf_counter()
    geoms = display_geometries(data.areas.geometry.values, TOLERANCE)
    gdf = gpd.GeoDataFrame({"name": data.areas["area_name"].to_numpy()}, geometry=geoms, crs="EPSG:4326")
    gdf.index = [str(i) for i in range(len(gdf))]
    colors = [s.color for s in data.scheme.statuses]
    stamps = [str(int(dt.datetime.combine(d, dt.time()).timestamp())) for d in data.dates]
    styledict = {
        str(i): {stamp: {"color": colors[c], "opacity": 0.78} for stamp, c in zip(stamps, row, strict=True)}
        for i, row in enumerate(data.codes.tolist())
    }
    minx, miny, maxx, maxy = data.areas.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=6, tiles=None)
    TimeSliderChoropleth(gdf.to_json(), styledict=styledict).add_to(m)
    html = m.get_root().render()
    return html, time.perf_counter() - start


def step_times(html: str, steps: int = 60) -> tuple[list[float], list[float]] | None:
    executable = shutil.which("chromium")
    if executable is None:
        print("  chromium not found: install it with `apt-get update && apt-get install -y chromium`")
        return None
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        path = Path(folder) / "map.html"
        path.write_text(html, encoding="utf-8")
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
        page.goto(path.as_uri() + "#2021-01-01")
        page.wait_for_function("window.geomapMaps && window.geomapMaps.length > 0")
        times = page.evaluate(
            """async (steps) => {
                const api = window.geomapMaps[0];
                const script = [], painted = [];
                for (let k = 0; k < steps; k++) {
                    await new Promise(requestAnimationFrame);
                    const t0 = performance.now();
                    script.push(api.step());
                    // two frames later the restyled paths have been laid out and painted
                    await new Promise(requestAnimationFrame);
                    await new Promise(requestAnimationFrame);
                    painted.push(performance.now() - t0);
                }
                return [script, painted];
            }""",
            steps,
        )
        browser.close()
    return times


def kb(n: int) -> str:
    return f"{n / 1024:,.0f} KB"


def main() -> int:
    print(f"Control map benchmark: random statuses, {N_DATES} daily dates, tolerance {TOLERANCE} degrees\n")
    district_html = None
    if DISTRICTS.exists():
        districts = load_boundaries(DISTRICTS, id_field="shapeID", name_field="shapeName")
        data = random_map_data(districts, N_DATES, noun="districts")
        ours, ours_s = build_geomap(data)
        theirs, theirs_s = build_time_slider_choropleth(data)
        district_html = ours
        ratio = len(theirs.encode()) / len(ours.encode())
        print(f"{len(districts)} districts x {N_DATES} dates")
        print(f"  {'':34}{'size':>12}{'build':>10}")
        print(f"  {'geomap control_map (self-contained)':34}{kb(len(ours.encode())):>12}{ours_s:>9.2f}s")
        print(f"  {'folium TimeSliderChoropleth':34}{kb(len(theirs.encode())):>12}{theirs_s:>9.2f}s")
        print(f"  geomap is {ratio:.1f}x smaller (targets: <= 1.5 MB, >= 5x smaller, build <= 5 s)")
        real, real_s = build_from_timeline(timeline_from_random_reports(districts))
        print(
            f"  from a ControlTimeline of 3000 random reports (evidence popups, markers): "
            f"{kb(len(real.encode()))} in {real_s:.2f}s\n"
        )
    else:
        print(f"districts skipped: ../shared/data not found at {DISTRICTS}\n")

    provinces = load_provinces()
    ours, ours_s = build_geomap(random_map_data(provinces, N_DATES, noun="provinces"))
    print(f"{len(provinces)} provinces x {N_DATES} dates")
    print(f"  geomap control_map (self-contained): {kb(len(ours.encode()))} in {ours_s:.2f}s (target <= 400 KB)\n")

    html = district_html or ours
    label = "398 districts" if district_html else "34 provinces"
    print(f"slider step in headless Chromium ({label}, restyle + counts, performance.now() in the page)")
    times = step_times(html)
    if times:
        script, painted = times
        print(
            f"  step function: median {statistics.median(script):.1f} ms, max {max(script):.1f} ms "
            f"over {len(script)} steps (target <= 50 ms)"
        )
        print(
            f"  step until two frames later (includes the frame wait): median {statistics.median(painted):.1f} ms, "
            f"max {max(painted):.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
