"""The default QGIS style: QML and SLD built from the status scheme, stored in a GeoPackage's layer_styles."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from geomap.cli import main
from geomap.errors import InputError
from geomap.export import export
from geomap.scheme import AFGHANISTAN_2021, make_scheme
from geomap.style import qml_style, sld_style, write_gpkg_style
from geomap.timeline import ControlTimeline

SE = "{http://www.opengis.net/se}"
OGC = "{http://www.opengis.net/ogc}"
# A label with XML-special characters and template syntax must come through as plain text.
ODD = make_scheme(
    [
        {"key": "north", "label": 'North <b>&</b> "allies" {{x}}', "color": "#1B9E77"},
        {"key": "south", "label": "South", "color": "#d95f02"},
        {"key": "unknown", "label": "No report", "color": "#d9d9d9"},
    ],
    name="Odd",
)
ROWS = pd.DataFrame(
    {
        "date": ["2021-08-06", "2021-08-10", "2021-08-12"],
        "place": ["Zaranj", "Zaranj", "Ghazni"],
        "status": ["contested", "taliban", "taliban"],
    }
)


def _categories(qml: str) -> list[tuple[str, str, str]]:
    root = ET.fromstring(qml)
    renderer = root.find("renderer-v2")
    colours = {s.get("name"): s.find("layer/prop[@k='color']").get("v") for s in renderer.find("symbols")}
    return [(c.get("value"), c.get("label"), colours[c.get("symbol")]) for c in renderer.find("categories")]


def test_qml_has_one_category_per_status_with_label_and_colour():
    qml = qml_style(AFGHANISTAN_2021)
    root = ET.fromstring(qml)
    assert root.find("renderer-v2").get("type") == "categorizedSymbol"
    assert root.find("renderer-v2").get("attr") == "status"
    assert _categories(qml) == [
        ("taliban", "Taliban control", "198,40,40,255"),
        ("contested", "Contested", "249,168,37,255"),
        ("government", "Government or resistance control", "21,101,192,255"),
        ("unknown", "No report", "217,217,217,255"),
    ]


def test_qml_temporal_settings_follow_the_shape():
    def temporal(shape):
        element = ET.fromstring(qml_style(AFGHANISTAN_2021, shape=shape)).find("temporal")
        return element.get("enabled"), element.get("mode"), element.get("startField"), element.get("endField")

    assert temporal("intervals") == ("1", "4", "valid_from", "valid_to")
    assert temporal("long") == ("1", "4", "date", "")
    assert temporal("as-of")[0] == "0"
    renderer = ET.fromstring(qml_style(AFGHANISTAN_2021, shape="intervals")).find("renderer-v2")
    assert renderer.get("enableorderby") == "1"
    assert renderer.find("orderby/orderByClause").text == '"valid_from"'
    assert ET.fromstring(qml_style(AFGHANISTAN_2021, shape="long")).find("renderer-v2/orderby") is None
    with pytest.raises(InputError, match="unknown export shape"):
        qml_style(AFGHANISTAN_2021, shape="wide")


def test_labels_are_escaped_text_in_qml_and_sld():
    qml, sld = qml_style(ODD), sld_style(ODD)
    assert _categories(qml)[0] == ("north", 'North <b>&</b> "allies" {{x}}', "27,158,119,255")
    assert "<b>" not in qml and "<b>" not in sld
    rules = ET.fromstring(sld).findall(f".//{SE}Rule")
    assert [r.find(f"{SE}Description/{SE}Title").text for r in rules] == [
        'North <b>&</b> "allies" {{x}}',
        "South",
        "No report",
    ]


def test_sld_rule_per_status_filters_on_status():
    root = ET.fromstring(sld_style(AFGHANISTAN_2021, layer="control"))
    rules = root.findall(f".//{SE}Rule")
    assert [
        (
            r.find(f"{SE}Name").text,
            r.find(f".//{OGC}PropertyName").text,
            r.find(f".//{OGC}Literal").text,
            r.find(f".//{SE}Fill/{SE}SvgParameter[@name='fill']").text,
        )
        for r in rules
    ] == [
        ("taliban", "status", "taliban", "#c62828"),
        ("contested", "status", "contested", "#f9a825"),
        ("government", "status", "government", "#1565c0"),
        ("unknown", "status", "unknown", "#d9d9d9"),
    ]
    assert root.get("version") == "1.1.0"


def test_geopackage_export_stores_the_default_style(tmp_path):
    timeline = ControlTimeline.from_reports(ROWS)
    path = export(timeline, tmp_path / "out.gpkg", shape="intervals")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT f_table_name, f_geometry_column, styleName, useAsDefault, styleQML, styleSLD FROM layer_styles"
        ).fetchall()
        contents = dict(db.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    db.close()
    assert len(rows) == 1
    table, geometry, name, default, qml, sld = rows[0]
    assert (table, geometry, name, default) == ("control", "geom", "geomap control status", 1)
    assert qml == qml_style(AFGHANISTAN_2021, shape="intervals")
    assert sld == sld_style(AFGHANISTAN_2021, layer="control")
    assert contents == {"control": "features", "layer_styles": "attributes"}


def test_restyling_keeps_one_default(tmp_path):
    path = export(ControlTimeline.from_reports(ROWS), tmp_path / "out.gpkg")
    write_gpkg_style(path, ODD)
    with sqlite3.connect(path) as db:
        defaults = db.execute("SELECT styleQML FROM layer_styles WHERE useAsDefault = 1").fetchall()
        total = db.execute("SELECT COUNT(*) FROM layer_styles").fetchone()[0]
    db.close()
    assert total == 2 and len(defaults) == 1 and "North" in defaults[0][0]
    with pytest.raises(InputError, match="no feature table 'other'"):
        write_gpkg_style(path, ODD, layer="other")


def test_cli_style_writes_qml_beside_any_format(tmp_path, capsys):
    reports = tmp_path / "reports.csv"
    ROWS.to_csv(reports, index=False)
    out, qml = tmp_path / "out.geojson", tmp_path / "out.qml"
    assert main(["export", str(reports), "-o", str(out), "--intervals", "--style", str(qml)]) == 0
    assert qml.read_text(encoding="utf-8") == qml_style(AFGHANISTAN_2021, shape="intervals")
    assert main(["export", str(reports), "-o", str(out), "--style", str(tmp_path / "out.sld")]) == 1
    assert "give a name ending in .qml" in capsys.readouterr().err
