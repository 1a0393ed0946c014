"""Exports opened in real, headless QGIS: the layer is coloured by status and its time fields are found.

QGIS's Python bindings live in the system Python (Debian ``python3-qgis``), not in
the project's virtual environment, so ``tests/qgis_probe.py`` runs there as a
subprocess and reports what QGIS sees as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geomap.export import export
from geomap.scheme import make_scheme
from geomap.timeline import ControlTimeline

QGIS_PYTHON = os.environ.get("GEOMAP_QGIS_PYTHON", "/usr/bin/python3")
QGIS_INSTALL_HINT = (
    "QGIS's Python bindings not found: install them with `apt-get update && apt-get install -y python3-qgis` "
    "(or set GEOMAP_QGIS_PYTHON to a Python that can `import qgis.core`)"
)
PROBE = Path(__file__).with_name("qgis_probe.py")
ROWS = pd.DataFrame(
    {
        "date": ["2021-08-06", "2021-08-10", "2021-08-12", "2021-08-12"],
        "place": ["Zaranj", "Zaranj", "Ghazni", "Herat"],
        "status": ["contested", "taliban", "taliban", "north"],
    }
)
SCHEME = make_scheme(
    [
        {"key": "taliban", "label": "Taliban control", "color": "#c62828"},
        {"key": "contested", "label": "Contested <fighting>", "color": "#f9a825"},
        {"key": "north", "label": "Northern forces & allies", "color": "#1b9e77"},
        {"key": "unknown", "label": "No report", "color": "#d9d9d9"},
    ],
    name="Test",
)


def _qgis_python() -> str:
    has_qgis = Path(QGIS_PYTHON).exists() and (
        subprocess.run([QGIS_PYTHON, "-c", "import qgis"], capture_output=True, timeout=60).returncode == 0
    )
    if not has_qgis:
        if os.environ.get("CI"):
            pytest.fail(QGIS_INSTALL_HINT)
        pytest.skip(QGIS_INSTALL_HINT)
    return QGIS_PYTHON


@pytest.fixture(scope="module")
def qgis_view(tmp_path_factory) -> dict:
    """What QGIS sees in an interval and a long GeoPackage export of a custom scheme."""
    python = _qgis_python()
    folder = tmp_path_factory.mktemp("qgis")
    timeline = ControlTimeline.from_reports(ROWS, scheme=SCHEME)
    paths = {shape: str(export(timeline, folder / f"{shape}.gpkg", shape=shape)) for shape in ("intervals", "long")}
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(folder)}
    done = subprocess.run(
        [python, str(PROBE), *paths.values()], capture_output=True, text=True, timeout=300, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    return {shape: seen[path] for shape, path in paths.items()}


@pytest.mark.parametrize("shape", ["intervals", "long"])
def test_layer_opens_categorised_by_status_with_scheme_colours(qgis_view, shape):
    layer = qgis_view[shape]
    assert layer["valid"]
    assert layer["renderer"] == "categorizedSymbol"
    assert layer["attribute"] == "status"
    assert layer["categories"] == [
        {"value": "taliban", "label": "Taliban control", "color": "#c62828"},
        {"value": "contested", "label": "Contested <fighting>", "color": "#f9a825"},
        {"value": "north", "label": "Northern forces & allies", "color": "#1b9e77"},
        {"value": "unknown", "label": "No report", "color": "#d9d9d9"},
    ]


def test_interval_layer_time_fields_are_detected(qgis_view):
    layer = qgis_view["intervals"]
    assert layer["field_types"]["valid_from"] == "Date" and layer["field_types"]["valid_to"] == "Date"
    # QGIS's own detection picks the start and end fields ...
    assert (layer["guessed_start"], layer["guessed_end"]) == ("valid_from", "valid_to")
    # ... and the layer opens with "separate start and end fields" preset to them; its stored style takes start
    # and end from expressions on them instead (to_datetime: see the next test).
    assert (layer["temporal_mode"], layer["start_field"], layer["end_field"]) == (2, "valid_from", "valid_to")
    assert layer["default_style_temporal_mode"] == 4
    # Applying the stored style (as "Load default style" does) switches dynamic time control on.
    assert layer["default_style_temporal_active"] is True
    assert layer["features"] == 34 + 3  # one stretch per province, plus the changes in Nimroz, Ghazni and Herat


def test_long_layer_has_a_real_date_field(qgis_view):
    layer = qgis_view["long"]
    assert layer["field_types"]["date"] == "Date"
    assert layer["features"] == 34 * 3
    assert layer["default_style_temporal_active"] is True


def test_the_temporal_controller_draws_each_day_s_statuses_on_that_day(qgis_view):
    # QGIS compared a GeoPackage's date fields with the frame's date and time as text, so each change showed a
    # day early and a province was drawn twice on the day before it
    timeline = ControlTimeline.from_reports(ROWS, scheme=SCHEME)
    drawn = qgis_view["intervals"]["drawn_by_day"]
    assert drawn["2021-08-05"] == []  # before the first report
    for day in ("2021-08-06", "2021-08-09", "2021-08-10", "2021-08-12"):
        expected = timeline.status(on=day)[["area_id", "status"]].values.tolist()
        assert drawn[day] == sorted(expected), day
    assert drawn["2021-08-13"] == []  # after the last reporting date (valid_to is exclusive)
    assert ["AF-NIM", "contested"] in drawn["2021-08-09"] and ["AF-NIM", "taliban"] in drawn["2021-08-10"]
    # the long layer draws each reporting date's rows on that day, and nothing between
    long = qgis_view["long"]["drawn_by_day"]
    for day in ("2021-08-06", "2021-08-10", "2021-08-12"):
        assert long[day] == sorted(timeline.status(on=day)[["area_id", "status"]].values.tolist()), day
    assert long["2021-08-05"] == long["2021-08-07"] == long["2021-08-11"] == []


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
