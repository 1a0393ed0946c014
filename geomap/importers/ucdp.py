"""UCDP Georeferenced Event Dataset (GED) exports to reports.

Columns read (the GED CSV layout; others are ignored): ``id, date_start,
date_prec, type_of_violence, side_a, side_b, where_prec, where_coordinates, adm_1,
latitude, longitude`` and, when present, ``country``, ``country_id``,
``where_description``, ``dyad_name``, ``source_article`` and ``source_office``. An
event whose ``country`` (or Gleditsch-Ward ``country_id``) is not Afghanistan's (700)
is skipped, counted as in another country.

- **Status.** GED records fatal fighting, not who holds a place afterwards: an
  event of state-based (1) or non-state (2) violence between two different sides
  is ``contested``; one-sided violence (3) says nothing about control and is
  skipped. Side A and side B are looked up in the actor mapping
  (``"Government of Afghanistan*"`` matches "Government of Afghanistan,
  Government of United States of America").
- **Place.** ``where_prec`` 1 (exact), 2 (within about 25 km) or 3 (a district):
  the place named in ``where_coordinates`` at ``latitude/longitude`` (a provincial
  capital stands for its province, any other place is district level); 4 or 5 (a
  province or a larger region): the province ``adm_1``; 6 and 7 (country-wide,
  international waters or airspace) cannot be placed and are skipped. Place
  precision on geomap's 1-3 scale: 1, 2, 2, 3, 3.
- **Date.** ``date_start`` with ``date_prec`` 1 (the day), 2 (2-6 days), 3 (a
  week), 4 (a month) or 5 (more than a month); date precision on geomap's 1-3
  scale: 1, 2, 2, 3, 3.
- **Evidence.** ``source_article`` (or ``source_office``) is the source; the
  note names the GED id, the dyad and ``where_description``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geomap.importers._sides import CLASH, NONE, decide_statuses
from geomap.importers._table import (
    DATE_PRECISION,
    EVENT_ID,
    PLACE_PRECISION,
    Problems,
    abroad,
    coordinates,
    integer_codes,
    parse_event_dates,
    point_level,
    reports_frame,
    require_columns,
    skipped_abroad,
)
from geomap.importers.actors import ActorMapping
from geomap.schema import DATE, LAT, LEVEL, LON, NOTE, PLACE, SOURCE, STATUS
from geomap.scheme import StatusScheme

NAME = "ucdp"
REQUIRED = (
    "id",
    "date_start",
    "date_prec",
    "type_of_violence",
    "side_a",
    "side_b",
    "where_prec",
    "where_coordinates",
    "adm_1",
    "latitude",
    "longitude",
)
OPTIONAL = ("where_description", "dyad_name", "source_article", "source_office", "country", "country_id")
SIGNATURE = ("side_a", "where_prec", "type_of_violence")
"""Columns that tell a GED export from other tables."""
DATE_FORMATS = ("iso", "%d/%m/%Y")
WHERE_TO_PRECISION = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}
DATE_TO_PRECISION = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}
UNPLACEABLE = (6, 7)


def convert(
    source: str, frame: pd.DataFrame, mapping: ActorMapping, scheme: StatusScheme
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """GED rows to reports; see the module docstring. Returns ``(reports, unmapped, skipped)``."""
    require_columns(source, frame, REQUIRED, "UCDP GED", "acled")
    problems = Problems(source)
    violence, bad_violence = integer_codes(frame["type_of_violence"], (1, 2, 3))
    problems.add(
        bad_violence,
        frame,
        "type_of_violence",
        "unknown UCDP type of violence; expected 1 (state-based), 2 (non-state) or 3 (one-sided)",
    )
    effect = np.where(np.isin(violence, (1, 2)), CLASH, NONE).astype(object)
    where, bad_where = integer_codes(frame["where_prec"], range(1, 8))
    problems.add((effect != NONE) & bad_where, frame, "where_prec", "expected a UCDP location precision 1-7")
    elsewhere = abroad(frame, "country", "country_id", "700")  # Gleditsch-Ward 700
    effect[elsewhere] = NONE
    unplaceable = np.isin(where, UNPLACEABLE) & (effect != NONE)
    effect[unplaceable] = NONE
    relevant = effect != NONE
    problems.add(relevant & (frame["side_a"].str.strip() == "").to_numpy(), frame, "side_a", "empty side")
    problems.add(relevant & (frame["side_b"].str.strip() == "").to_numpy(), frame, "side_b", "empty side")
    dates = parse_event_dates(frame["date_start"], DATE_FORMATS)
    problems.add(
        relevant & dates.isna().to_numpy(), frame, "date_start", "not a date; expected 2021-08-12, from 1678 to 2261"
    )
    date_prec, bad_date_prec = integer_codes(frame["date_prec"], range(1, 6))
    problems.add(relevant & bad_date_prec, frame, "date_prec", "expected a UCDP date precision 1-5")
    lat, lon = coordinates(frame, problems, "latitude", "longitude", relevant)
    problems.raise_if_any()

    status, unmapped, skipped = decide_statuses(frame, effect, ("side_a", "side_b"), mapping, scheme)
    if unplaceable.any():
        skipped["a country-wide or offshore location"] = int(unplaceable.sum())
        skipped["not about control"] = skipped.get("not about control", 0) - int(unplaceable.sum())
        skipped = {k: v for k, v in skipped.items() if v}
    skipped = skipped_abroad(skipped, elsewhere)
    province_level = where >= 4
    location = frame["where_coordinates"].str.strip()
    place = np.where(province_level, frame["adm_1"].str.strip(), location)
    level = np.where(province_level, "province", point_level(location))
    source_text = _first_nonempty(frame, ("source_article", "source_office"))
    description = _first_nonempty(frame, ("where_description",))
    dyad = _first_nonempty(frame, ("dyad_name",))
    note = ("UCDP GED " + frame["id"].str.strip() + ", " + dyad + ": " + description).str.rstrip(": ")
    columns = {
        DATE: dates,
        PLACE: place,
        STATUS: status,
        SOURCE: source_text,
        NOTE: note,
        LAT: lat,
        LON: lon,
        LEVEL: level,
        PLACE_PRECISION: pd.Series(where).map(WHERE_TO_PRECISION).fillna(0).astype(int).to_numpy(),
        DATE_PRECISION: pd.Series(date_prec).map(DATE_TO_PRECISION).fillna(0).astype(int).to_numpy(),
        EVENT_ID: frame["id"].str.strip(),
    }
    return reports_frame(columns, status != ""), unmapped, skipped


def _first_nonempty(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.Series:
    out = pd.Series("", index=frame.index)
    for name in names:
        if name in frame.columns:
            out = out.where(out != "", frame[name].str.strip())
    return out
