"""Map levels: the bundled provinces or the bundled districts, and how the two relate.

``level="province"`` maps the 34 provinces, ``level="district"`` the 398
districts. Both come as a GeoDataFrame with ``area_id`` and ``area_name`` plus
``province_iso`` and ``province``; districts also carry ``district_id`` and
``district``. Every district lies in exactly one province, so district
statuses can be counted per province and rolled up into a province view
(:func:`province_counts`, :func:`province_rollup`).

Roll-up rules (``rule=``)
-------------------------
``"capital"`` (default)
    A province takes the status of the district its capital lies in: the
    capital is what reports about a province's fall name.
``"majority"``
    A province takes the most common status among its districts, unknown
    districts left out; a tie goes to the scheme's ``contested`` status when it
    has one, otherwise to the status listed first in the scheme. A province
    whose districts are all unknown is unknown.
"""

from __future__ import annotations

from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.boundaries import load_districts, load_provinces
from geomap.errors import InputError
from geomap.schema import (
    AREA_ID,
    AREA_NAME,
    DATE,
    DISTRICT,
    DISTRICT_ID,
    PROVINCE,
    PROVINCE_ISO,
    STATUS,
    STATUS_LABEL,
)

LEVELS = ("province", "district")
"""The bundled map levels."""

ROLLUP_RULES = ("capital", "majority")
"""How a province's status is derived from its districts' statuses (module docstring)."""


def check_level(level: str) -> str:
    """Return ``level`` if it is one of :data:`LEVELS`, else raise :class:`InputError`."""
    if level not in LEVELS:
        raise InputError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    return level


def level_areas(level: str) -> gpd.GeoDataFrame:
    """The bundled areas of a level, in EPSG:4326, sorted by ``area_id``.

    Parameters
    ----------
    level
        ``"province"`` or ``"district"``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``area_id``, ``area_name``, ``province_iso``, ``province`` (and for
        districts ``district_id`` and ``district``), then ``geometry``.

    Raises
    ------
    InputError
        For an unknown level.
    """
    if check_level(level) == "province":
        provinces = load_provinces()
        provinces[PROVINCE_ISO] = provinces["iso"]
        provinces[PROVINCE] = provinces["name"]
        return provinces
    return _districts().copy()


@cache
def _districts() -> gpd.GeoDataFrame:
    gdf = load_districts()
    gdf[DISTRICT] = gdf[AREA_NAME]
    columns = [AREA_ID, AREA_NAME, DISTRICT_ID, DISTRICT, PROVINCE_ISO, PROVINCE, "geometry"]
    gdf = gdf[columns].sort_values(AREA_ID, kind="stable").reset_index(drop=True)
    gdf.attrs["repaired"] = []
    return gdf


# ---------------------------------------------------------------------- counts and roll-ups
def province_counts(long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Districts per status per province per date.

    Parameters
    ----------
    long
        A district-level long table (:meth:`geomap.timeline.ControlTimeline.long`).
    keys
        The scheme's status keys, in order (the count columns).

    Returns
    -------
    pandas.DataFrame
        ``date, province_iso, province``, one int column per status key and
        ``districts`` (the province's number of districts), sorted by date then
        ISO code.
    """
    _require_provinces(long)
    counts = pd.crosstab([long[DATE], long[PROVINCE_ISO], long[PROVINCE]], long[STATUS])
    counts = counts.reindex(columns=keys, fill_value=0).astype(int)
    counts.columns.name = None
    counts["districts"] = counts.sum(axis=1)
    return counts.reset_index().sort_values([DATE, PROVINCE_ISO], kind="stable").reset_index(drop=True)


def province_rollup(
    long: pd.DataFrame,
    *,
    keys: list[str],
    labels: dict[str, str],
    unknown: str,
    rule: str = "capital",
    capitals: pd.Series | None = None,
    contested: str | None = "contested",
) -> pd.DataFrame:
    """Each province's status per date, derived from its districts' statuses.

    Parameters
    ----------
    long
        A district-level long table.
    keys, labels, unknown
        The scheme's status keys (in order), their labels, and its unknown key.
    rule
        ``"capital"`` or ``"majority"`` (module docstring).
    capitals
        For ``"capital"``: the district id of each province's capital, indexed by
        ISO code; default :func:`capital_districts` (the bundled districts).
    contested
        For ``"majority"``: the scheme's contested status, which a tie gives (``None``: the first
        of the tied statuses in the scheme's order).

    Returns
    -------
    pandas.DataFrame
        ``date, province_iso, province, status, status_label, rule, decided_by``
        (the capital's district, or ``"k of n districts"``) and the counts of
        :func:`province_counts`.

    Raises
    ------
    InputError
        For an unknown rule, or a table without provinces.
    """
    if rule not in ROLLUP_RULES:
        raise InputError(f"unknown roll-up rule {rule!r}; use one of {', '.join(ROLLUP_RULES)}")
    counts = province_counts(long, keys)
    if rule == "capital":
        capitals = capital_districts() if capitals is None else capitals
        at_capital = long[long[AREA_ID].to_numpy() == long[PROVINCE_ISO].map(capitals).to_numpy()]
        pick = at_capital.set_index([DATE, PROVINCE_ISO])
        index = pd.MultiIndex.from_frame(counts[[DATE, PROVINCE_ISO]])
        status = pick[STATUS].reindex(index).fillna(unknown).to_numpy()
        decided = pick[AREA_NAME].reindex(index).fillna("").map(lambda n: f"capital district {n}" if n else "")
        decided_by = decided.to_numpy()
    else:
        known = [k for k in keys if k != unknown]
        votes = counts[known].to_numpy()
        top = votes.max(axis=1) if known else np.zeros(len(counts), dtype=int)
        contested = contested if contested in keys else None
        status, decided_by = [], []
        for row, best in zip(votes, top, strict=True):
            total = int(row.sum())
            if best == 0:
                status.append(unknown)
                decided_by.append("no district known")
                continue
            tied = [known[k] for k in np.flatnonzero(row == best)]
            status.append(tied[0] if len(tied) == 1 else (contested or tied[0]))
            decided_by.append(f"{int(best)} of {total} known districts" + (" (tie)" if len(tied) > 1 else ""))
    out = counts[[DATE, PROVINCE_ISO, PROVINCE]].copy()
    out[STATUS] = status
    out[STATUS_LABEL] = out[STATUS].map(labels)
    out["rule"] = rule
    out["decided_by"] = decided_by
    return pd.concat([out, counts.drop(columns=[DATE, PROVINCE_ISO, PROVINCE])], axis=1)


def capital_districts() -> pd.Series:
    """The district each provincial capital lies in: ``district_id`` indexed by province ISO code."""
    return _capital_districts().copy()


@cache
def _capital_districts() -> pd.Series:
    districts = _districts()
    capitals = load_provinces()[["iso", "capital"]].merge(
        _capital_points(), left_on="iso", right_index=True, how="left"
    )
    from geomap.join import join_points

    hit = join_points(capitals["lon"].to_numpy(float), capitals["lat"].to_numpy(float), districts.geometry.values)
    ids = districts[AREA_ID].to_numpy()
    return pd.Series(np.where(hit >= 0, ids[np.maximum(hit, 0)], ""), index=capitals["iso"].to_numpy())


def _capital_points() -> pd.DataFrame:
    from geomap._data import provinces_table

    table = provinces_table().set_index("iso")
    return table[["capital_lat", "capital_lon"]].rename(columns={"capital_lat": "lat", "capital_lon": "lon"})


def _require_provinces(long: pd.DataFrame) -> None:
    if PROVINCE_ISO not in long.columns:
        raise InputError(
            "counting per province needs the bundled levels (level='province' or 'district'); "
            "these areas have no province"
        )
