"""The bundled example: the Taliban offensive of August 2021, ready to map.

``geomap/data/afghanistan-2021.csv`` (a copy of ``examples/afghanistan-2021.csv``)
holds cited reports of the fall of each provincial capital. :func:`example_reports`
reads it; :func:`write_demo` writes its self-contained map and GeoJSON export, which
is what ``geomap demo`` does.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import pandas as pd

from geomap._data import data_file
from geomap.levels import check_level

EXAMPLE_NAME = "afghanistan-2021"
EXAMPLE_TITLE = "Taliban offensive, May-September 2021: control of provincial capitals"
EXAMPLE_TITLES = {
    "province": EXAMPLE_TITLE,
    "district": "Taliban offensive, May-September 2021: control of districts",
}
"""The demo map's title per level: the same period (the example's reporting dates), each level's areas."""


def example_path() -> Path:
    """Path of the bundled example reports CSV (works from an installed wheel)."""
    return data_file(f"{EXAMPLE_NAME}.csv")


def example_reports() -> pd.DataFrame:
    """The bundled example reports: ``date, place, status, source, note`` as text."""
    return pd.read_csv(example_path(), dtype=str, keep_default_na=False)


def write_demo(
    output_dir: str | os.PathLike[str] = "geomap-demo", *, level: Literal["province", "district"] = "province"
) -> list[Path]:
    """Write the example's map and GeoJSON export into ``output_dir``.

    Parameters
    ----------
    output_dir
        Folder to write into (created if missing). Files already there with the
        same names are replaced atomically.
    level
        ``"province"`` (default) or ``"district"``: at district level the files are
        named ``afghanistan-2021-districts.*`` and the map shows the 398 districts
        with province borders over them.

    Returns
    -------
    list of pathlib.Path
        ``[DIR/afghanistan-2021.html, DIR/afghanistan-2021.geojson]``: a self-contained
        map page (no network needed to open it) and a GeoJSON export: one feature per
        province per reporting date, or at district level one feature per district per
        unchanged stretch (``valid_from``, exclusive ``valid_to``).
    """
    from geomap._io import write_text_atomic
    from geomap.export import export
    from geomap.pipeline import build_timeline
    from geomap.render import control_map, map_html

    check_level(level)
    out = Path(output_dir)
    stem = EXAMPLE_NAME if level == "province" else f"{EXAMPLE_NAME}-{level}s"
    timeline = build_timeline(example_path(), level=level)
    html = map_html(control_map(timeline, self_contained=True, title=EXAMPLE_TITLES[level]))
    html_path = write_text_atomic(out / f"{stem}.html", html)
    # 398 districts on every reporting date would repeat each outline ~20 times: one feature per
    # unchanged stretch (valid_from/valid_to) says the same in a file a tenth of the size.
    shape = "long" if level == "province" else "intervals"
    geojson_path = export(timeline, out / f"{stem}.geojson", format="geojson", shape=shape)
    return [html_path, Path(geojson_path)]
