"""Access to the reference data that ships inside the package.

Everything here is read with :mod:`importlib.resources`, so it works from an
installed wheel as well as from a checkout, and nothing is read at import time.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

SHAPEFILE_NAME = "afghanistan_provinces.shp"
DISTRICTS_SHAPEFILE_NAME = "afghanistan_districts.shp"


def data_file(name: str) -> Path:
    """Path of a file in ``geomap/data``."""
    return Path(str(resources.files("geomap") / "data" / name))


def bundled_shapefile(name: str = SHAPEFILE_NAME) -> Path:
    """Path of a bundled shapefile (the provinces unless ``name`` says otherwise).

    A wheel carries them as ``geomap/shapefiles/``; an editable install of a
    checkout reads them from the top-level ``shapefiles/`` folder.
    """
    packaged = Path(str(resources.files("geomap") / "shapefiles" / name))
    if packaged.is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[1] / "shapefiles" / name
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(f"the bundled shapefile {name} is missing (looked in {packaged} and {checkout})")


@cache
def _provinces_table() -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(data_file("provinces.csv"), dtype=str, keep_default_na=False).assign(
        capital_lat=lambda df: df["capital_lat"].astype(float),
        capital_lon=lambda df: df["capital_lon"].astype(float),
    )


def provinces_table() -> pd.DataFrame:
    """The 34 provinces: ``iso, name, name_alt, capital, capital_alt, capital_lat, capital_lon``.

    ``name_alt`` and ``capital_alt`` hold other spellings separated by ``|``.
    """
    return _provinces_table().copy()
