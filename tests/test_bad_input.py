"""Bad input to every public function: a GeomapError naming the argument, never an error from inside."""

from __future__ import annotations

import math
import re

import pytest

import geomap

NAN = math.nan


def _bad_values():
    import geopandas as gpd
    import pandas as pd

    return {
        "wrong type": 42,
        "empty table": pd.DataFrame(),
        "empty geotable": gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"),
        "NaN everywhere": pd.DataFrame({"date": [NAN] * 2, "place": [NAN] * 2, "status": [NAN] * 2}),
        "NaN list": [NAN, NAN],
    }


def _areas():
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame({"area_id": ["A"], "area_name": ["Alpha"]}, geometry=[box(65, 33, 66, 34)], crs="EPSG:4326")


def _reports():
    import pandas as pd

    return pd.DataFrame(
        {"date": pd.to_datetime(["2021-08-01"]), "place": ["x"], "status": ["taliban"], "source": [""], "note": [""]}
    ).assign(area_id="A", area_name="Alpha")


# name -> (argument, call with the bad value in that argument)
CALLS = {
    "ControlTimeline": [
        ("areas", lambda bad: geomap.ControlTimeline(bad, _reports())),
        ("reports", lambda bad: geomap.ControlTimeline(_areas(), bad)),
    ],
    "Geocoder": [
        ("online", lambda bad: geomap.Geocoder(online=bad)),
        ("min_score", lambda bad: geomap.Geocoder(min_score=bad)),
    ],
    "Status": [("key", lambda bad: geomap.Status(bad, "Label", "#123456"))],
    "StatusScheme": [("statuses", lambda bad: geomap.StatusScheme(bad))],
    "build_timeline": [("reports", lambda bad: geomap.build_timeline(bad))],
    "control_map": [("timeline", lambda bad: geomap.control_map(bad))],
    "export_frame": [("timeline", lambda bad: geomap.export_frame(bad))],
    "export_timeline": [("timeline", lambda bad: geomap.export_timeline(bad, "/nonexistent/x.geojson"))],
    "extract_reports": [
        ("text", lambda bad: geomap.extract_reports(bad, published="2021-08-01")),
        ("published", lambda bad: geomap.extract_reports("Kabul fell.", published=bad)),
    ],
    "geocode": [("names", lambda bad: geomap.geocode(bad))],
    "load_boundaries": [("path", lambda bad: geomap.load_boundaries(bad, id_field="a", name_field="b"))],
    "load_scheme": [("path", lambda bad: geomap.load_scheme(bad))],
    "make_scheme": [("statuses", lambda bad: geomap.make_scheme(bad))],
    "map_html": [("m", lambda bad: geomap.map_html(bad))],
    "plot_summary": [("timeline", lambda bad: geomap.plot_summary(bad))],
    "read_reports": [("reports", lambda bad: geomap.read_reports(bad))],
    "render_animation": [("timeline", lambda bad: geomap.render_animation(bad))],
    "render_image": [("timeline", lambda bad: geomap.render_image(bad))],
}
TAKES_NO_INPUT = {"load_districts", "load_provinces"}


def _is_error_class(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, BaseException)


def test_every_public_function_is_walked():
    public = {n for n in geomap.__all__ if callable(getattr(geomap, n)) and not _is_error_class(getattr(geomap, n))}
    assert public == set(CALLS) | TAKES_NO_INPUT


CASES = [(name, argument, call) for name, calls in CALLS.items() for argument, call in calls]


@pytest.mark.parametrize("kind", ["wrong type", "empty table", "empty geotable", "NaN everywhere", "NaN list"])
@pytest.mark.parametrize(("name", "argument", "call"), CASES, ids=[f"{n}-{a}" for n, a, _ in CASES])
def test_bad_input_is_a_geomap_error_naming_the_argument(name, argument, call, kind):
    bad = _bad_values()[kind]
    with pytest.raises(geomap.GeomapError) as info:
        call(bad)
    # One line starting with the argument's name ("reports: ...", "reports (DataFrame), row 2, ..."); a
    # table with bad rows gets one such line per problem.
    lines = getattr(info.value, "problems", None) or [str(info.value)]
    for line in lines:
        assert "\n" not in line and re.match(rf"{argument}\b", line), line
