"""geomap: maps of who controls which place, on which date.

Reports -> geocode -> join -> timeline -> render / export. The public API is
re-exported here; importing geomap does no I/O.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from geomap.boundaries import load_boundaries, load_provinces
from geomap.errors import (
    BoundaryError,
    GeocodeError,
    GeocoderServiceError,
    GeomapError,
    InputError,
    OutputError,
)
from geomap.scheme import AFGHANISTAN_2021, Status, StatusScheme, load_scheme

try:
    __version__ = version("geomap")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"

__all__ = [
    "AFGHANISTAN_2021",
    "BoundaryError",
    "GeocodeError",
    "GeocoderServiceError",
    "GeomapError",
    "InputError",
    "OutputError",
    "Status",
    "StatusScheme",
    "__version__",
    "load_boundaries",
    "load_provinces",
    "load_scheme",
]
