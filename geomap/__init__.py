"""geomap: maps of who controls which place, on which date.

Reports -> geocode -> join -> timeline -> render / export. The public API is
re-exported here (``geomap.geocode`` and ``geomap.export`` are the modules: use
``from geomap.geocode import geocode`` and ``from geomap.export import export``).
Importing geomap does no I/O; the map and text modules (which pull in folium and
matplotlib) load on first use.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from geomap.boundaries import load_boundaries, load_districts, load_provinces
from geomap.errors import (
    BoundaryError,
    GeocodeError,
    GeocoderServiceError,
    GeomapError,
    InputError,
    OutputError,
)
from geomap.export import export_frame
from geomap.reports import read_reports
from geomap.scheme import AFGHANISTAN_2021, Status, StatusScheme, load_scheme, make_scheme
from geomap.timeline import ControlTimeline

try:
    __version__ = version("geomap")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"

_LAZY = {
    "control_map": "geomap.render",
    "map_html": "geomap.render",
    "render_animation": "geomap.render",
    "render_image": "geomap.render",
    "extract_reports": "geomap.extract",
    "plot_summary": "geomap.plot",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'geomap' has no attribute {name!r}")


__all__ = [
    "AFGHANISTAN_2021",
    "BoundaryError",
    "ControlTimeline",
    "GeocodeError",
    "GeocoderServiceError",
    "GeomapError",
    "InputError",
    "OutputError",
    "Status",
    "StatusScheme",
    "__version__",
    "control_map",
    "export_frame",
    "extract_reports",
    "load_boundaries",
    "load_districts",
    "load_provinces",
    "load_scheme",
    "make_scheme",
    "map_html",
    "plot_summary",
    "read_reports",
    "render_animation",
    "render_image",
]
