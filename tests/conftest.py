"""Shared pytest fixtures. Each section belongs to one part of the test suite."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Polygon

# ----------------------------------------------------------------------------------------------------
# Data: tiny geometries built in code, and the optional shared district file

SHARED = Path(__file__).resolve().parents[2] / "shared"
DISTRICTS = SHARED / "data" / "afghanistan-districts-geoboundaries" / "geoBoundaries-AFG-ADM2.shp"


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    """Three unit squares in a row inside Afghanistan, ids A, B, C (B and C share a border at x=67)."""
    return gpd.GeoDataFrame(
        {"code": ["A", "B", "C"], "label": ["Alpha", "Beta", "Gamma"]},
        geometry=[
            Polygon([(65, 33), (66, 33), (66, 34), (65, 34)]),
            Polygon([(66, 33), (67, 33), (67, 34), (66, 34)]),
            Polygon([(67, 33), (68, 33), (68, 34), (67, 34)]),
        ],
        crs="EPSG:4326",
    )


@pytest.fixture
def districts_path() -> Path:
    """The shared 398-district file; skips when ../shared is not beside the checkout."""
    if not DISTRICTS.exists():
        pytest.skip(f"district data not found at {DISTRICTS}: these tests need ../shared/data beside the checkout")
    return DISTRICTS


# ----------------------------------------------------------------------------------------------------
# Browser: headless Chromium through Playwright (tests marked ``browser``)

CHROMIUM_INSTALL_HINT = "chromium not found: install it with `apt-get update && apt-get install -y chromium`"
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


def _missing_browser(message: str) -> None:
    """Skip locally, but fail on CI, where the browser is installed on purpose."""
    import os

    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    import shutil

    executable = shutil.which("chromium")
    if executable is None:
        _missing_browser(CHROMIUM_INSTALL_HINT)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("playwright not installed: install it with `pip install playwright` (no browser download)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# ----------------------------------------------------------------------------------------------------
# Control maps (geomap.render): three squares whose names, reports and title carry markup and script


@pytest.fixture
def injection():
    """Texts that would run or break the page if a map ever treated data as code."""
    from types import SimpleNamespace

    return SimpleNamespace(
        title="{{6*7}}<img src=x onerror=window.__pwned=1></script><script>window.__pwned=1</script>",
        name="<img src=x onerror=window.__pwned=1> {% raw %}",
        gamma="Gamma `${window.__pwned=1}` \\ back\\slash {# comment #}",
        place='<b onmouseover="window.__pwned=1">Dashtak</b> {{ 7*7 }}',
        note="</script><script>window.__pwned=1</script> ${alert(1)} `tick` \\ \u2028 end {{ 7*7 }}",
        source="javascript:window.__pwned=1",
        template_source="`${window.__pwned=1}` \\",
    )


@pytest.fixture
def square_areas(injection):
    """Three neighbouring 1-degree squares in a row (shared borders): A, B, C from west to east."""
    from shapely.geometry import box

    return gpd.GeoDataFrame(
        {"area_id": ["A", "B", "C"], "area_name": ["Alpha", injection.name, injection.gamma]},
        geometry=[box(65, 33, 66, 34), box(66, 33, 67, 34), box(67, 33, 68, 34)],
        crs="EPSG:4326",
    )


@pytest.fixture
def square_reports(injection):
    """Four reports on four dates: A government then Taliban, B Taliban, C contested on the last date."""
    import pandas as pd

    return pd.DataFrame(
        [
            ("2021-08-01", "Alphaville", "government", "https://example.org/a?x=1&y=2", "held", 33.5, 65.5),
            ("2021-08-03", injection.place, "taliban", injection.source, injection.note, 33.5, 66.5),
            ("2021-08-05", "Alphaville", "taliban", injection.template_source, "fell", 33.5, 65.5),
            ("2021-08-07", "Gammatown", "contested", "", "", 33.5, 67.5),
        ],
        columns=["date", "place", "status", "source", "note", "lat", "lon"],
    )


@pytest.fixture
def square_timeline(square_areas, square_reports):
    from geomap.timeline import ControlTimeline

    return ControlTimeline.from_reports(square_reports, boundaries=square_areas, aggregate="latest")
