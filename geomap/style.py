"""Default GIS styles for exported control layers: QGIS QML and OGC SLD, and the GeoPackage ``layer_styles`` table.

Both styles colour the layer by ``status``, one category per status of the scheme
with its label and colour, so an exported layer opens coloured in QGIS. The QML
also carries the layer's temporal settings:

``"intervals"``
    start and end from the expressions ``to_datetime("valid_from")`` and
    ``to_datetime("valid_to")`` (QGIS compares a GeoPackage's date fields with each
    frame's date and time as text, which drew every change a day early; QGIS's own
    field detection finds the fields), drawn in ``valid_from`` order;
``"long"``
    each feature on its day: from ``to_datetime("date")`` to a day later;
``"as-of"``
    none.

The templates are files in ``geomap/data/styles/`` (``control.qml``,
``control.sld``); this module copies their one example category per status. A
GeoPackage keeps styles in the ``layer_styles`` table that QGIS reads and writes;
the style stored there with ``useAsDefault`` is applied when the layer is opened.
"""

from __future__ import annotations

import copy
import os
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

from geomap._data import data_file
from geomap.errors import InputError
from geomap.schema import DATE, STATUS, VALID_FROM, VALID_TO
from geomap.scheme import StatusScheme

LAYER_STYLES = "layer_styles"
STYLE_NAME = "geomap control status"
_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"
_NAMESPACES = {"": _SLD, "se": _SE, "ogc": _OGC, "xlink": "http://www.w3.org/1999/xlink"}
_TEMPORAL_MODES = {"as-of": None, "long": "instant", "intervals": "start-end"}
# QgsVectorLayerTemporalProperties::TemporalMode values written in QML.
_QGIS_MODE = {"instant": "1", "start-end": "2"}
#: QGIS's temporal mode "start and end date/time from expressions" (QgsVectorLayerTemporalProperties).
_QGIS_EXPRESSIONS_MODE = "4"

_LAYER_STYLES_SQL = f"""
CREATE TABLE IF NOT EXISTS {LAYER_STYLES} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)"""


def qml_style(scheme: StatusScheme, *, shape: str = "long") -> str:
    """A QGIS QML style: categorised by ``status`` with the scheme's labels and colours.

    Parameters
    ----------
    scheme
        The status scheme whose statuses become the categories, in scheme order.
    shape
        The export shape (``"long"``, ``"as-of"``, ``"intervals"``), which sets the
        temporal settings (module docstring).

    Returns
    -------
    str
        The QML document.

    Examples
    --------
    >>> from geomap.scheme import AFGHANISTAN_2021
    >>> 'label="Taliban control"' in qml_style(AFGHANISTAN_2021)
    True
    """
    temporal = _temporal_mode(shape)
    root = ET.fromstring(_template("control.qml"))
    renderer = _child(root, "renderer-v2")
    categories, symbols = _child(renderer, "categories"), _child(renderer, "symbols")
    category_pattern, symbol_pattern = categories[0], symbols[0]
    categories.remove(category_pattern)
    symbols.remove(symbol_pattern)
    renderer.set("attr", STATUS)
    for number, status in enumerate(scheme.statuses):
        category = copy.deepcopy(category_pattern)
        category.attrib.update(value=status.key, symbol=str(number), label=status.label)
        categories.append(category)
        symbol = copy.deepcopy(symbol_pattern)
        symbol.set("name", str(number))
        _child(symbol, "layer/prop[@k='color']").set("v", _qgis_colour(status.color))
        symbols.append(symbol)
    order = _child(renderer, "orderby")
    if temporal == "start-end":
        renderer.set("enableorderby", "1")
        order[0].text = f'"{VALID_FROM}"'
    else:
        renderer.remove(order)
    element = _child(root, "temporal")
    if temporal is not None:
        # Start and end from expressions, not fields: QGIS compares a date field with the frame's date and time
        # as text in a GeoPackage ('2021-08-03' < '2021-08-03T00:00:00'), which drew each day's statuses a day
        # early; to_datetime() makes both sides dates and times.
        start = VALID_FROM if temporal == "start-end" else DATE
        end = VALID_TO if temporal == "start-end" else DATE
        element.attrib.update(enabled="1", mode=_QGIS_EXPRESSIONS_MODE)
        element.set("startField", start)
        element.set("endField", end if temporal == "start-end" else "")
        element.set("startExpression", f'to_datetime("{start}")')
        # an instant lasts its day: QGIS keeps a feature whose end lies after the frame's start
        element.set(
            "endExpression",
            f'to_datetime("{end}")' if temporal == "start-end" else f"to_datetime(\"{end}\") + to_interval('1 day')",
        )
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


def sld_style(scheme: StatusScheme, *, layer: str = "control") -> str:
    """An OGC SLD 1.1 style with one rule per status (``status = key``, titled with the label).

    Parameters
    ----------
    scheme
        The status scheme.
    layer
        The layer name written into the SLD.

    Returns
    -------
    str
        The SLD document (UTF-8 XML declaration included).
    """
    for prefix, uri in _NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(_template("control.sld"))
    named = _child(root, f"{{{_SLD}}}NamedLayer")
    _child(named, f"{{{_SE}}}Name").text = layer
    user_style = _child(named, f"{{{_SLD}}}UserStyle")
    _child(user_style, f"{{{_SE}}}Name").text = layer
    feature_style = _child(user_style, f"{{{_SE}}}FeatureTypeStyle")
    pattern = _child(feature_style, f"{{{_SE}}}Rule")
    feature_style.remove(pattern)
    for status in scheme.statuses:
        rule = copy.deepcopy(pattern)
        _child(rule, f"{{{_SE}}}Name").text = status.key
        _child(rule, f"{{{_SE}}}Description/{{{_SE}}}Title").text = status.label
        _child(rule, f".//{{{_OGC}}}PropertyName").text = STATUS
        _child(rule, f".//{{{_OGC}}}Literal").text = status.key
        _child(rule, f".//{{{_SE}}}Fill/{{{_SE}}}SvgParameter[@name='fill']").text = status.color.lower()
        feature_style.append(rule)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _child(parent: ET.Element, path: str) -> ET.Element:
    """The element at ``path`` under ``parent`` in one of the bundled templates (always there)."""
    found = parent.find(path)
    if found is None:
        raise LookupError(f"style template lacks {path}")
    return found


def write_gpkg_style(
    path: str | os.PathLike[str], scheme: StatusScheme, *, layer: str = "control", shape: str = "long"
) -> None:
    """Store the default QML and SLD of ``layer`` in a GeoPackage's ``layer_styles`` table.

    The table is created (and registered in ``gpkg_contents`` as attributes, as
    QGIS does) when missing; an earlier default style of the layer stops being
    the default.

    Parameters
    ----------
    path
        An existing GeoPackage holding ``layer``.
    scheme, shape
        See :func:`qml_style`.
    layer
        The feature table to style.
    """
    qml, sld = qml_style(scheme, shape=shape), sld_style(scheme, layer=layer)
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)).fetchone()
        if row is None:
            raise InputError(f"{path}: no feature table {layer!r} to style; export the layer first")
        db.execute(_LAYER_STYLES_SQL)
        db.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier) VALUES (?, 'attributes', ?)",
            (LAYER_STYLES, LAYER_STYLES),
        )
        db.execute(f"UPDATE {LAYER_STYLES} SET useAsDefault = 0 WHERE f_table_name = ?", (layer,))
        db.execute(
            f"INSERT INTO {LAYER_STYLES} (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
            "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) "
            "VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', '')",
            (layer, row[0], STYLE_NAME, qml, sld, f"{scheme.name or 'status'}: fill by status"),
        )
    db.close()


def _temporal_mode(shape: str) -> str | None:
    if shape not in _TEMPORAL_MODES:
        raise InputError(f"unknown export shape {shape!r}; use one of {', '.join(_TEMPORAL_MODES)}")
    return _TEMPORAL_MODES[shape]


def _template(name: str) -> str:
    return Path(data_file(f"styles/{name}")).read_text(encoding="utf-8")


def _qgis_colour(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[k : k + 2], 16) for k in (1, 3, 5))
    return f"{red},{green},{blue},255"
