"""geomap: maps of who controls which place, on which date.

The data flows one way, one module per step::

    reports.py -> geocode.py -> join.py -> timeline.py -> render / export.py
                  (pipeline.py runs the steps: build_timeline)

Everything a user needs is importable from here: ``geomap.build_timeline``,
``geomap.geocode`` (the function), ``geomap.export_timeline``,
``geomap.control_map`` ... (see ``__all__``). Importing geomap does no I/O and
loads none of pandas, geopandas, shapely, folium or matplotlib: each name loads
its module on first use.
"""

import sys as _sys
import types as _types
import typing as _typing
from importlib import import_module as _import_module

from geomap.errors import (
    BoundaryError,
    GeocodeError,
    GeocoderServiceError,
    GeomapError,
    InputError,
    NamesakesWarning,
    OutputError,
    SuspectDatesWarning,
    UncountedReportsWarning,
    UnplacedReportsWarning,
)

if _typing.TYPE_CHECKING:
    from geomap.boundaries import load_boundaries, load_districts, load_provinces
    from geomap.export import export as export_timeline
    from geomap.export import export_frame
    from geomap.extract import extract_reports
    from geomap.geocode import Geocoder, geocode
    from geomap.pipeline import build_timeline
    from geomap.plot import plot_summary
    from geomap.render import control_map, map_html, render_animation, render_image
    from geomap.reports import ReportsError, read_reports
    from geomap.scheme import AFGHANISTAN_2021, Status, StatusScheme, load_scheme, make_scheme
    from geomap.timeline import ControlTimeline

__version__ = "0.1.0"

#: Public name -> (module, attribute). Loaded on first access, then kept.
_LAZY: dict[str, tuple[str, str]] = {
    "AFGHANISTAN_2021": ("geomap.scheme", "AFGHANISTAN_2021"),
    "ControlTimeline": ("geomap.timeline", "ControlTimeline"),
    "Geocoder": ("geomap.geocode", "Geocoder"),
    "Status": ("geomap.scheme", "Status"),
    "StatusScheme": ("geomap.scheme", "StatusScheme"),
    "build_timeline": ("geomap.pipeline", "build_timeline"),
    "control_map": ("geomap.render", "control_map"),
    "export_frame": ("geomap.export", "export_frame"),
    "export_timeline": ("geomap.export", "export"),
    "extract_reports": ("geomap.extract", "extract_reports"),
    "geocode": ("geomap.geocode", "geocode"),
    "load_boundaries": ("geomap.boundaries", "load_boundaries"),
    "load_districts": ("geomap.boundaries", "load_districts"),
    "load_provinces": ("geomap.boundaries", "load_provinces"),
    "load_scheme": ("geomap.scheme", "load_scheme"),
    "make_scheme": ("geomap.scheme", "make_scheme"),
    "map_html": ("geomap.render", "map_html"),
    "plot_summary": ("geomap.plot", "plot_summary"),
    "read_reports": ("geomap.reports", "read_reports"),
    "ReportsError": ("geomap.reports", "ReportsError"),
    "render_animation": ("geomap.render", "render_animation"),
    "render_image": ("geomap.render", "render_image"),
}

__all__ = [
    "AFGHANISTAN_2021",
    "BoundaryError",
    "ControlTimeline",
    "GeocodeError",
    "Geocoder",
    "GeocoderServiceError",
    "GeomapError",
    "InputError",
    "NamesakesWarning",
    "OutputError",
    "ReportsError",
    "Status",
    "StatusScheme",
    "SuspectDatesWarning",
    "UncountedReportsWarning",
    "UnplacedReportsWarning",
    "__version__",
    "build_timeline",
    "control_map",
    "export_frame",
    "export_timeline",
    "extract_reports",
    "geocode",
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


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'geomap' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(_import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(__all__) | {"errors"})


class _Package(_types.ModuleType):
    """The geomap package module, whose public function names never turn into submodules.

    Python binds a submodule to its package's attribute when the submodule is first
    imported, so ``import geomap.geocode`` anywhere would make ``geomap.geocode`` the
    module instead of the function. Such a binding is skipped for public names; the
    submodule stays importable as usual (``from geomap.geocode import geocode``).
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LAZY and isinstance(value, _types.ModuleType):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
