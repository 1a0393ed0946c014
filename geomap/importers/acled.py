"""ACLED event exports to reports.

Columns read (ACLED's standard export layout; others are ignored):
``event_id_cnty, event_date, time_precision, event_type, sub_event_type, actor1,
actor2, admin1, location, latitude, longitude, geo_precision`` and, when
present, ``country``, ``iso``, ``source`` and ``notes``. An event whose ``country``
(or numeric ``iso``) is not Afghanistan's is skipped, counted as in another country.

- **Status.** "Non-state actor overtakes territory", "Government regains
  territory" and "Non-violent transfer of territory" give the side of ``actor1``
  (the actor that holds the place afterwards); "Armed clash" between two different
  sides gives ``contested``. Every other event type says nothing about control and
  is skipped. The known event and sub-event types are listed in
  ``geomap/data/acled_event_types.csv``; any other is an error.
- **Place.** ``geo_precision`` 1 or 2: the ``location`` at ``latitude/longitude``
  (a provincial capital stands for its province, any other place is district
  level); 3 (a province-level coordinate): the province ``admin1``, which may then come
  without coordinates.
- **Date.** ``event_date`` (``2021-08-12``, ``12 August 2021`` or
  ``12-August-2021``) with ``time_precision`` 1 (day), 2 (week) or 3 (month).
- **Evidence.** ``source`` is kept as the report's source; the note names the
  event id and sub-event type and carries ACLED's ``notes``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from geomap._data import data_file
from geomap.importers._sides import NONE, TAKES, decide_statuses
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

NAME = "acled"
REQUIRED = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
)
OPTIONAL = ("source", "notes", "country", "iso")
SIGNATURE = ("event_id_cnty", "sub_event_type", "geo_precision")
"""Columns that tell an ACLED export from other tables."""
DATE_FORMATS = ("iso", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y")
PROVINCE_LEVEL = 3


@cache
def event_types() -> dict[tuple[str, str], str]:
    """``(event_type, sub_event_type)`` (case-folded) to its effect: takes, clash or none."""
    table = pd.read_csv(data_file("acled_event_types.csv"), dtype=str, keep_default_na=False)
    return {
        (e.casefold(), s.casefold()): effect
        for e, s, effect in zip(table["event_type"], table["sub_event_type"], table["effect"], strict=True)
    }


def convert(
    source: str, frame: pd.DataFrame, mapping: ActorMapping, scheme: StatusScheme
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """ACLED rows to reports; see the module docstring. Returns ``(reports, unmapped, skipped)``."""
    require_columns(source, frame, REQUIRED, "ACLED", "ucdp")
    problems = Problems(source)
    known = event_types()
    kinds = {key[0] for key in known}
    event_type = frame["event_type"].str.strip().str.casefold()
    sub_type = frame["sub_event_type"].str.strip().str.casefold()
    # One text key per event, so the lookup is a single vectorised map.
    keyed = {f"{kind}\x1f{sub}": effect for (kind, sub), effect in known.items()}
    effect = (event_type + "\x1f" + sub_type).map(keyed).to_numpy(object)
    bad_type = ~event_type.isin(kinds).to_numpy()
    problems.add(bad_type, frame, "event_type", f"unknown ACLED event type; expected one of {_event_type_names()}")
    problems.add(
        pd.isna(effect) & ~bad_type,
        frame,
        "sub_event_type",
        lambda v: "not an ACLED sub-event type of this event type; see geomap/data/acled_event_types.csv",
    )
    effect = np.where(pd.isna(effect), NONE, effect)
    elsewhere = abroad(frame, "country", "iso", "4")  # ISO 3166-1 numeric 004
    effect[elsewhere] = NONE
    relevant = effect != NONE
    problems.add(relevant & (frame["actor1"].str.strip() == "").to_numpy(), frame, "actor1", "empty actor")

    dates = parse_event_dates(frame["event_date"], DATE_FORMATS)
    problems.add(
        relevant & dates.isna().to_numpy(),
        frame,
        "event_date",
        "not a date; expected 2021-08-12 or 12 August 2021, from 1678 to 2261",
    )
    time_precision, bad_time = integer_codes(frame["time_precision"], (1, 2, 3))
    problems.add(relevant & bad_time, frame, "time_precision", "expected 1 (day), 2 (week) or 3 (month)")
    geo_precision, bad_geo = integer_codes(frame["geo_precision"], (1, 2, 3))
    problems.add(relevant & bad_geo, frame, "geo_precision", "expected 1 (exact), 2 (near) or 3 (province)")
    # a province-level event (geo_precision 3) is placed by its admin1: it may come without coordinates
    unlocated = (frame["latitude"].str.strip() == "") & (frame["longitude"].str.strip() == "")
    need_point = relevant & ~((geo_precision == PROVINCE_LEVEL) & unlocated.to_numpy())
    lat, lon = coordinates(frame, problems, "latitude", "longitude", need_point)
    problems.add(
        relevant & ~need_point & (frame["admin1"].str.strip() == "").to_numpy(),
        frame,
        "admin1",
        "empty province and no coordinates: a province-level event (geo_precision 3) needs one or the other",
    )
    problems.raise_if_any()

    status, unmapped, skipped = decide_statuses(frame, effect, ("actor1", "actor2"), mapping, scheme)
    skipped = skipped_abroad(skipped, elsewhere)
    province_level = geo_precision == PROVINCE_LEVEL
    location = frame["location"].str.strip()
    place = np.where(province_level, frame["admin1"].str.strip(), location)
    level = np.where(province_level, "province", point_level(location))
    sub_label = frame["sub_event_type"].str.strip()
    notes = frame["notes"].str.strip() if "notes" in frame.columns else pd.Series("", index=frame.index)
    note = ("ACLED " + frame["event_id_cnty"].str.strip() + ", " + sub_label + ": " + notes).str.rstrip(": ")
    columns = {
        DATE: dates,
        PLACE: place,
        STATUS: status,
        SOURCE: frame["source"].str.strip() if "source" in frame.columns else "",
        NOTE: note,
        LAT: lat,
        LON: lon,
        LEVEL: level,
        PLACE_PRECISION: geo_precision,
        DATE_PRECISION: time_precision,
        EVENT_ID: frame["event_id_cnty"].str.strip(),
    }
    return reports_frame(columns, status != ""), unmapped, skipped


def _event_type_names() -> str:
    table = pd.read_csv(data_file("acled_event_types.csv"), dtype=str, keep_default_na=False)
    return ", ".join(dict.fromkeys(table["event_type"]))


__all__ = ["NAME", "REQUIRED", "SIGNATURE", "TAKES", "convert", "event_types"]
