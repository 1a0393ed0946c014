"""The public namespace: what ``import geomap`` offers and what it loads."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import pytest

import geomap

HEAVY = ("pandas", "geopandas", "shapely", "folium", "matplotlib", "rapidfuzz", "pyproj", "numpy")


def _loaded_after(code: str) -> list[str]:
    script = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_import_geomap_loads_no_heavy_library():
    assert _loaded_after("import geomap") == []


def test_version_and_help_load_no_heavy_library():
    for argv in (["--version"], ["--help"]):
        code = f"from geomap.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"
        assert _loaded_after(code) == [], argv


def test_every_public_name_resolves_and_nothing_else_leaks():
    names = {name for name, value in vars(geomap).items() if not isinstance(value, types.ModuleType)}
    public = {name for name in names if not name.startswith("_")} | set(dir(geomap))
    assert public <= set(geomap.__all__) | {"errors"}
    for name in ("Any", "annotations", "import_module", "TYPE_CHECKING"):
        assert not hasattr(geomap, name), name
    for name in geomap.__all__:
        value = getattr(geomap, name)
        assert not isinstance(value, types.ModuleType), name
        if callable(value):
            assert value.__doc__, f"{name} has no docstring"


def test_function_names_stay_functions_after_their_modules_are_imported():
    import geomap.export
    import geomap.geocode  # binds nothing over the function

    assert callable(geomap.geocode)
    assert geomap.geocode.__name__ == "geocode"
    assert geomap.export_timeline.__module__ == "geomap.export"


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'export'"):
        geomap.__getattr__("export")


def test_py_typed_marker_is_shipped():
    from importlib import resources

    assert resources.files("geomap").joinpath("py.typed").is_file()


@pytest.mark.parametrize("name", ["control_map", "export_frame", "plot_summary"])
def test_functions_that_take_a_timeline_refuse_anything_else(name):
    import geopandas as gpd
    from shapely.geometry import box

    status_table = gpd.GeoDataFrame({"area_id": ["A"]}, geometry=[box(65, 33, 66, 34)], crs="EPSG:4326")
    function = getattr(geomap, name)
    with pytest.raises(geomap.InputError, match=r"^timeline: expected a ControlTimeline, got GeoDataFrame; pass the"):
        function(status_table)
    with pytest.raises(geomap.InputError, match=r"^timeline: expected a ControlTimeline, got str; build one with"):
        function("reports.csv")


def test_export_timeline_refuses_a_table_before_writing(tmp_path):
    import pandas as pd

    out = tmp_path / "x.geojson"
    with pytest.raises(geomap.InputError, match=r"^timeline: expected a ControlTimeline, got DataFrame"):
        geomap.export_timeline(pd.DataFrame({"a": [1]}), out)
    assert not out.exists()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: geomap.geocode("Kabul"), "names: expected a list of place names, got the single string 'Kabul'"),
        (lambda: geomap.geocode(None), "names: expected a list of place names, got NoneType"),
        (lambda: geomap.read_reports(None), "reports: expected a file path, a DataFrame or a list of dicts"),
        (lambda: geomap.build_timeline(42), "reports: expected a file path, a DataFrame or a list of dicts, got int"),
        (
            lambda: geomap.load_boundaries(42, id_field="a", name_field="b"),
            "path: expected a file path or a GeoDataFrame, got int",
        ),
        (lambda: geomap.load_scheme(None), "path: expected the path of a JSON status scheme"),
        (lambda: geomap.make_scheme(None), "statuses: expected a list of status objects"),
        (lambda: geomap.map_html(None), r"m: expected the folium\.Map made by control_map\(\)"),
        (lambda: geomap.extract_reports(5, published="2021-08-01"), "text: expected the article as a string"),
        (lambda: geomap.Geocoder(min_score="high"), "min_score: expected a number between 0 and 1"),
    ],
)
def test_wrong_argument_types_name_the_argument(call, message):
    with pytest.raises(geomap.GeomapError, match="^" + message):
        call()


def test_reports_that_are_all_missing_values_are_refused_row_by_row():
    import math

    import pandas as pd

    frame = pd.DataFrame({"date": [math.nan] * 2, "place": [math.nan] * 2, "status": [None] * 2})
    with pytest.raises(geomap.InputError) as info:
        geomap.build_timeline(frame)
    first = info.value.problems[0]
    assert first == "reports (DataFrame), row 1, column 'date': None: empty date; write the date as YYYY-MM-DD"
    assert len(info.value.problems) == 6


# The data flow, one module per step, in the order the README draws it.
STEPS = [
    ("reports",),
    ("geocode", "gazetteer"),
    ("join",),
    ("timeline",),
    ("render", "export", "plot", "style", "datapackage"),
]
#: Documented shortcuts that reach forward from the engine: ControlTimeline.from_reports
#: (to the pipeline) and ControlTimeline.plot (to render.image), both imported when called.
SHORTCUTS = {("timeline", "pipeline"), ("timeline", "render")}


def _imports(path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("geomap."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("geomap."))
    return found


def test_no_step_of_the_data_flow_imports_a_later_step():
    from pathlib import Path

    package = Path(geomap.__file__).parent
    position = {module: k for k, step in enumerate(STEPS) for module in step}
    position["pipeline"] = len(STEPS)  # runs the steps, so comes after all of them
    for module, k in position.items():
        path = package / f"{module}.py"
        files = [path] if path.exists() else sorted((package / module).glob("*.py"))
        later = {
            other
            for file in files
            for other in _imports(file)
            if position.get(other, -1) > k and (module, other) not in SHORTCUTS
        }
        assert not later, f"{module} imports later step(s) {sorted(later)}"
