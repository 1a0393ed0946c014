"""Open exported GeoPackage layers in headless QGIS and print what QGIS sees, as JSON.

Run with the Python that has QGIS's bindings (Debian: ``/usr/bin/python3`` with
``python3-qgis``), not the project's virtual environment::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_probe.py out.gpkg [more.gpkg ...]

For each file: the renderer type and attribute, each category's value, label and
colour, the temporal settings the layer opened with, and the start/end fields
QGIS's own detection picks from the layer's fields, and whether the time settings
are on once the stored default style is applied, and what its temporal controller draws on
each day.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    QgsApplication,
    QgsDateTimeRange,
    QgsFeatureRequest,
    QgsVectorLayer,
    QgsVectorLayerTemporalContext,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QTime

#: The days the temporal controller is stepped through, one frame a day (the test's reports span them).
DAYS = [f"2021-08-{day:02d}" for day in range(5, 14)]


def by_day(layer: QgsVectorLayer) -> dict:
    """Per day, the areas and statuses QGIS draws when its temporal controller shows that day."""
    properties = layer.temporalProperties()
    context = QgsVectorLayerTemporalContext()
    context.setLayer(layer)
    out = {}
    for day in DAYS:
        year, month, number = map(int, day.split("-"))
        start = QDateTime(QDate(year, month, number), QTime(0, 0))
        frame = QgsDateTimeRange(start, start.addDays(1), True, False)
        request = QgsFeatureRequest().setFilterExpression(properties.createFilterString(context, frame))
        out[day] = sorted([f["province_iso"], f["status"]] for f in layer.getFeatures(request))
    return out


def describe(path: str) -> dict:
    layer = QgsVectorLayer(f"{path}|layername=control", "control", "ogr")
    if not layer.isValid():
        return {"valid": False}
    renderer = layer.renderer()
    categories = []
    if renderer.type() == "categorizedSymbol":
        categories = [
            {"value": c.value(), "label": c.label(), "color": c.symbol().color().name()} for c in renderer.categories()
        ]
    temporal = layer.temporalProperties()
    opened = (temporal.isActive(), int(temporal.mode()), temporal.startField(), temporal.endField())
    guessed = QgsVectorLayerTemporalProperties(None)
    guessed.guessDefaultsFromFields(layer.fields())
    kind = renderer.type()
    attribute = renderer.classAttribute() if hasattr(renderer, "classAttribute") else None
    layer.loadDefaultStyle()  # replaces (and deletes) the renderer read above
    return {
        "drawn_by_day": by_day(layer),
        "default_style_temporal_mode": int(layer.temporalProperties().mode()),
        "valid": True,
        "features": layer.featureCount(),
        "renderer": kind,
        "attribute": attribute,
        "categories": categories,
        "temporal_active": opened[0],
        "temporal_mode": opened[1],
        "start_field": opened[2],
        "end_field": opened[3],
        "default_style_temporal_active": layer.temporalProperties().isActive(),
        "guessed_start": guessed.startField(),
        "guessed_end": guessed.endField(),
        "field_types": {f.name(): f.typeName() for f in layer.fields()},
    }


def main() -> None:
    app = QgsApplication([], False)
    app.initQgis()
    try:
        print(json.dumps({path: describe(path) for path in sys.argv[1:]}))
    finally:
        app.exitQgis()


if __name__ == "__main__":
    main()
