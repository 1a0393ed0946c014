"""The row-wise timeline rules as they stood before the columnar engine: the oracle the engine is checked against.

Kept verbatim (one loop per area, per report day) so the equivalence test compares the
columnar engine with an independent, readable implementation of the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from geomap.join import KIND, NAME
from geomap.schema import (
    AREA_ID,
    AREA_NAME,
    CHANGED,
    CONFLICT,
    DATE,
    DISTRICT,
    DISTRICT_ID,
    EVIDENCE,
    NOTE,
    PLACE,
    PROVINCE,
    PROVINCE_ISO,
    PROVINCE_WIDE,
    SCOPE,
    SINCE,
    SOURCE,
    SOURCES,
    STATUS,
    STATUS_LABEL,
)

DIRECT_KINDS = ("province", "capital", "given")


def counted_reports(self) -> pd.DataFrame:
    reports = self.reports
    if self.aggregate == "capital" and self.provinces and KIND in reports.columns:
        return reports[reports[KIND].isin(DIRECT_KINDS)]
    return reports


def status_on(self, day: dt.date) -> pd.DataFrame:
    """What ``ControlTimeline.status(on=day)`` returned, without geometry."""
    state = evaluate(self, [day], compare=False)
    previous = [d for d in self.reporting_dates if d < day]
    if previous:
        before = evaluate(self, [previous[-1]], compare=False).set_index(AREA_ID)[STATUS]
        state[CHANGED] = state[STATUS].to_numpy() != before.reindex(state[AREA_ID]).to_numpy()
    return state


def conflicts(self) -> pd.DataFrame:
    """Report dates on which the reports that decide an area's status disagree.

    Returns
    -------
    pandas.DataFrame
        One row per area and report date: ``area_id``, ``area_name``, ``date``,
        ``statuses`` (the distinct statuses, in input order), ``places`` and
        ``sources`` (``"; "``-joined).
    """
    counted = counted_reports(self)
    columns = [AREA_ID, AREA_NAME, DATE, "statuses", "places", SOURCES]
    if counted.empty:
        return pd.DataFrame(columns=columns)
    # Under "majority" places vote separately, so only reports on one place disagree.
    keys = [AREA_ID, DATE] + ([NAME] if self.aggregate == "majority" and NAME in counted else [])
    disagree = counted.groupby(keys, sort=True)[STATUS].transform("nunique") > 1
    rows = []
    for (area, day), group in counted[disagree].groupby([AREA_ID, DATE], sort=True):
        rows.append(
            {
                AREA_ID: area,
                AREA_NAME: group[AREA_NAME].iloc[0],
                DATE: pd.Timestamp(day).date(),
                "statuses": list(dict.fromkeys(group[STATUS])),
                "places": "; ".join(dict.fromkeys(group[PLACE])),
                SOURCES: "; ".join(dict.fromkeys(s for s in group[SOURCE] if s)),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def evaluate(self, days: Sequence[dt.date], *, compare: bool) -> pd.DataFrame:
    days_ns = np.array([np.datetime64(d, "ns") for d in days], dtype="datetime64[ns]")
    counted = counted_reports(self)
    area_ids = self.areas[AREA_ID].to_numpy()
    n_areas, n_days = len(area_ids), len(days_ns)
    status = np.full((n_areas, n_days), self.scheme.unknown, dtype=object)
    since = np.full((n_areas, n_days), None, dtype=object)
    conflict = np.zeros((n_areas, n_days), dtype=bool)
    evidence = np.empty((n_areas, n_days), dtype=object)
    evidence.fill(())
    position = {a: i for i, a in enumerate(area_ids)}
    contested = "contested" if "contested" in self.scheme.keys else None
    if self.aggregate == "majority":
        by_place = _report_days(counted, [AREA_ID, NAME if NAME in counted else PLACE], contested)
        places: dict = {}
        for (area, _place), history in by_place.items():
            places.setdefault(area, []).append(history)
        for area, histories in places.items():
            i = position[area]
            _decide_majority(histories, days_ns, status[i], since[i], conflict[i], evidence[i], contested)
    else:
        for area, history in _report_days(counted, [AREA_ID], contested).items():
            i = position[area]
            _decide_latest(history, days_ns, status[i], since[i], conflict[i], evidence[i])
    changed = np.zeros((n_areas, n_days), dtype=bool)
    if compare and n_days > 1:
        changed[:, 1:] = status[:, 1:] != status[:, :-1]
    labels = {k: self.scheme.label(k) for k in self.scheme.keys}
    frame = pd.DataFrame(
        {
            AREA_ID: np.tile(area_ids, n_days),
            AREA_NAME: np.tile(self.areas[AREA_NAME].to_numpy(), n_days),
            DATE: np.repeat(np.array(list(days), dtype=object), n_areas),
            STATUS: status.T.ravel(),
            SINCE: since.T.ravel(),
            CHANGED: changed.T.ravel(),
            CONFLICT: conflict.T.ravel(),
            EVIDENCE: [list(e) for e in evidence.T.ravel()],
        }
    )
    frame.insert(4, STATUS_LABEL, frame[STATUS].map(labels))
    frame.insert(8, SOURCES, [_join_sources(e) for e in frame[EVIDENCE]])
    if self.provinces:
        frame.insert(2, PROVINCE_ISO, frame[AREA_ID])
        frame.insert(3, PROVINCE, frame[AREA_NAME])
    elif self.level == "district":
        for position, column in enumerate((DISTRICT_ID, DISTRICT, PROVINCE_ISO, PROVINCE), start=2):
            frame.insert(position, column, np.tile(self.areas[column].to_numpy(), n_days))
    return frame.sort_values([DATE, AREA_ID], kind="stable").reset_index(drop=True)


def _report_days(frame: pd.DataFrame, keys: list[str], contested: str | None) -> dict:
    """Collapse reports to one decided status per key (area, or area and place) per report date.

    Returns ``{key: (dates, statuses, conflicts, records)}`` with dates as a sorted
    ``datetime64[ns]`` array and, per date, the decided status, whether the
    reports disagreed, and the evidence records. Works on plain arrays: one sort,
    one pass.
    """
    if frame.empty:
        return {}
    frame = frame.sort_values([*keys, DATE], kind="stable")
    key_values = (
        list(zip(*(frame[k].tolist() for k in keys), strict=True)) if len(keys) > 1 else frame[keys[0]].tolist()
    )
    days = frame[DATE].to_numpy("datetime64[ns]")
    statuses = frame[STATUS].tolist()
    iso_days = np.datetime_as_string(days, unit="D").tolist()
    records = [
        {DATE: d, PLACE: p, STATUS: st, SOURCE: so, NOTE: no}
        for d, p, st, so, no in zip(
            iso_days, frame[PLACE].tolist(), statuses, frame[SOURCE].tolist(), frame[NOTE].tolist(), strict=True
        )
    ]
    if SCOPE in frame.columns:
        for record, scope in zip(records, frame[SCOPE].tolist(), strict=True):
            if scope == PROVINCE_WIDE:
                record[SCOPE] = PROVINCE_WIDE
    out: dict = {}
    n = len(statuses)
    start = 0
    while start < n:
        key, day = key_values[start], days[start]
        stop = start + 1
        while stop < n and days[stop] == day and key_values[stop] == key:
            stop += 1
        values = statuses[start:stop]
        distinct = set(values)
        is_conflict = len(distinct) > 1
        decided = (contested or values[-1]) if is_conflict else values[0]
        entry = out.setdefault(key, ([], [], [], []))
        entry[0].append(day)
        entry[1].append(decided)
        entry[2].append(is_conflict)
        entry[3].append(tuple(records[start:stop]))
        start = stop
    return {k: (np.array(v[0], dtype="datetime64[ns]"), v[1], v[2], v[3]) for k, v in out.items()}


def _run_starts(dates: np.ndarray, statuses: list) -> list:
    starts, current_start = [], None
    for k, (day, value) in enumerate(zip(dates, statuses, strict=True)):
        if k == 0 or value != statuses[k - 1]:
            current_start = pd.Timestamp(day).date()
        starts.append(current_start)
    return starts


def _decide_latest(history, days_ns, status, since, conflict, evidence) -> None:
    dates, statuses, conflicts, records = history
    starts = _run_starts(dates, statuses)
    latest = np.searchsorted(dates, days_ns, side="right") - 1
    for j, k in enumerate(latest):
        if k < 0:
            continue
        status[j] = statuses[k]
        since[j] = starts[k]
        conflict[j] = conflicts[k]
        evidence[j] = records[k]


def _decide_majority(places, days_ns, status, since, conflict, evidence, contested=None) -> None:
    """Each place's latest status votes; the most common wins, a tie goes to the most recent vote, and a tie of
    votes as recent is contested (when the scheme has it)."""
    keys = sorted({s for _dates, statuses, _c, _r in places for s in statuses})
    code = {k: i for i, k in enumerate(keys)}
    latest = np.stack([np.searchsorted(dates, days_ns, side="right") - 1 for dates, *_ in places])
    votes = np.full(latest.shape, -1, dtype=np.int64)
    vote_dates = np.full(latest.shape, np.iinfo(np.int64).min, dtype=np.int64)
    for row, (dates, statuses, _conflicts, _records) in enumerate(places):
        known = latest[row] >= 0
        votes[row, known] = np.array([code[s] for s in statuses])[latest[row, known]]
        vote_dates[row, known] = dates.astype(np.int64)[latest[row, known]]
    counts = np.stack([(votes == c).sum(axis=0) for c in range(len(keys))])
    newest = np.stack([np.where(votes == c, vote_dates, np.iinfo(np.int64).min).max(axis=0) for c in range(len(keys))])
    top = counts.max(axis=0)
    for day in range(len(days_ns)):
        if top[day] == 0:
            continue
        tied = np.flatnonzero(counts[:, day] == top[day])
        winner = int(tied[np.argmax(newest[tied, day])])
        as_recent = tied[newest[tied, day] == newest[winner, day]]
        status[day] = contested if contested is not None and len(as_recent) > 1 else keys[winner]
        conflict[day] = len(tied) > 1 or any(
            conflicts[latest[row, day]] for row, (_d, _s, conflicts, _r) in enumerate(places) if latest[row, day] >= 0
        )
        evidence[day] = tuple(
            record
            for row, (*_rest, records) in enumerate(places)
            if latest[row, day] >= 0
            for record in records[latest[row, day]]
        )
        if day > 0 and status[day - 1] == status[day] and since[day - 1] is not None:
            since[day] = since[day - 1]
        else:
            since[day] = pd.Timestamp(int(newest[winner, day])).date()


def _join_sources(records: Iterable[dict]) -> str:
    return "; ".join(dict.fromkeys(r[SOURCE] for r in records if r[SOURCE]))
