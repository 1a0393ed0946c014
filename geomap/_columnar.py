"""The columnar timeline engine: every area's status on every reporting date as arrays.

The rules are those of :mod:`geomap.timeline`; this module only computes them with whole-array
operations, so the cost is a few sorts of the reports plus work proportional to areas x dates:

1. **Report days.** One stable sort puts the counted reports in (track, day) order, where a
   track is an area (``capital``/``latest``) or an area's place (``majority``). Each run of
   equal (track, day) is a *group*: its decided status is the reports' status, or the
   contested status (else the last report in input order) when they disagree.
2. **As-of join.** For every track and reporting date, a binary search over the groups' sorted
   (track, day) keys finds the latest group on or before the date.
3. **Aggregation.** ``capital``/``latest`` take that group; ``majority`` counts the places'
   votes per area and date with one ``bincount`` and breaks ties by the newest vote.

Evidence is never copied per area-date: each cell points at groups, each group at a slice of
report positions (rows of ``ControlTimeline.reports``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

NO_DAY = np.iinfo(np.int64).min
_CELLS_PER_CHUNK = 4_000_000
"""Upper bound on track x date cells held at once by the majority rule (bounds its memory)."""


@dataclass(frozen=True)
class Decisions:
    """Statuses of ``n_areas`` areas on ``n_days`` days, with references to the evidence.

    Cell ``(a, j)`` is ``a * n_days + j``. Its evidence is the report positions
    ``rows[group_offsets[g]:group_offsets[g + 1]]`` for each group ``g`` in
    ``cell_groups[cell_offsets[c]:cell_offsets[c + 1]]``, in order.
    """

    status: np.ndarray  # (n_areas, n_days) codes into the key list; the unknown code where no report
    since: np.ndarray  # (n_areas, n_days) int64 days since 1970-01-01; NO_DAY where unknown
    conflict: np.ndarray  # (n_areas, n_days) bool
    cell_offsets: np.ndarray  # (n_areas * n_days + 1,) int64
    cell_groups: np.ndarray  # int64 group ids
    group_offsets: np.ndarray  # (n_groups + 1,) int64 into rows
    rows: np.ndarray  # int64 report positions, grouped

    def cell_rows(self, cell: int) -> np.ndarray:
        """Report positions behind one cell, in evidence order."""
        groups = self.cell_groups[self.cell_offsets[cell] : self.cell_offsets[cell + 1]]
        if len(groups) == 1:
            g = groups[0]
            return self.rows[self.group_offsets[g] : self.group_offsets[g + 1]]
        parts = [self.rows[self.group_offsets[g] : self.group_offsets[g + 1]] for g in groups]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class _Groups:
    rows: np.ndarray  # report positions in (track, day, input) order
    offsets: np.ndarray  # group starts in rows, plus the end
    track: np.ndarray  # per group
    day: np.ndarray  # per group
    decided: np.ndarray  # per group
    conflict: np.ndarray  # per group


_SORT_SLICE = 1 << 20
"""Rows a :func:`_counting_sort` sorts at once when memory comes first (at least as many as keys)."""


def decide(
    area: np.ndarray,
    day: np.ndarray,
    status: np.ndarray,
    position: np.ndarray | None,
    query_days: np.ndarray,
    *,
    n_areas: int,
    unknown: int,
    contested: int | None,
    place: np.ndarray | None = None,
    frugal: bool = False,
) -> Decisions:
    """Decide every area's status on every query day.

    Parameters
    ----------
    area, day, status, position
        Per counted report: area index (``0..n_areas-1``), day (int days since the epoch),
        status code and position in the reports table, in input order; ``position`` ``None``
        when the counted reports are the whole table (each report's position is its index).
    query_days
        Sorted int days to decide.
    n_areas
        Number of areas.
    unknown, contested
        Codes of the unknown status and of the contested status (``None`` if the scheme has none).
    place
        Per report, a place code whose order is the places' sort order; given, the majority rule
        applies (each place's latest status votes).
    frugal
        Sort the reports a slice at a time (:data:`_SORT_SLICE` rows): 16 bytes a report less at
        the engine's peak, for some 0.2 s more per 5,000,000 reports.
    """
    query_days = np.asarray(query_days, dtype=np.int64)
    slice_rows = _SORT_SLICE if frugal else None
    if place is None:
        groups = _groups(area, day, status, position, contested, slice_rows)
        return _decide_latest(groups, query_days, n_areas=n_areas, unknown=unknown)
    n_places = int(place.max()) + 1 if len(place) else 1
    track_ids, track = np.unique(area.astype(np.int64) * n_places + place, return_inverse=True)
    groups = _groups(track.astype(np.int64), day, status, position, contested, slice_rows)
    return _decide_majority(
        groups, track_ids // n_places, query_days, n_areas=n_areas, unknown=unknown, contested=contested
    )


def _groups(
    track: np.ndarray,
    day: np.ndarray,
    status: np.ndarray,
    position: np.ndarray | None,
    contested: int | None,
    slice_rows: int | None = _SORT_SLICE,
) -> _Groups:
    """The (track, day) groups of the reports. Per-report arrays stay as narrow as their values
    allow (keys in int32 while they fit, report positions in :func:`index_dtype`), and each is
    freed once used: at millions of reports these arrays set the engine's memory. The reports
    are sorted ``slice_rows`` at a time (``None``: all at once; see :func:`_counting_sort`)."""
    n = len(track)
    combined = _track_day_key(track, day)
    if combined is None:
        order = np.lexsort((day, track))
        t, d = track[order], day[order]
        new = np.ones(n, dtype=bool)
        new[1:] = (t[1:] != t[:-1]) | (d[1:] != d[:-1])
        del t, d
        starts = np.flatnonzero(new)
        group_track, group_day = track[order[starts]].astype(np.int64), day[order[starts]].astype(np.int64)
    else:
        key, span, low = combined
        del combined  # the key is let go once ordered
        keys = span * (int(track.max()) + 1) if n else 1
        order, counts = _key_order_counts(key, keys, slice_rows)
        if counts is None:
            ordered = key[order]
            new = np.ones(n, dtype=bool)
            np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
            starts = np.flatnonzero(new)
            present = ordered[starts].astype(np.int64)
            del ordered, new
        else:  # the groups are the keys present, in order: no pass over the keys in sorted order
            present = np.flatnonzero(counts)
            starts = np.cumsum(counts)[present] - counts[present]
        del key
        group_track, group_day = np.divmod(present, span)
        group_day += low
    order = order.astype(index_dtype(n), copy=False)
    small = status.astype(np.int8) if len(status) and status.min() >= 0 and status.max() < 127 else status
    offsets = np.append(starts, n).astype(np.int64)
    if n:
        s = small[order]
        conflict = np.minimum.reduceat(s, starts) != np.maximum.reduceat(s, starts)
        del s
        decided = status[order[offsets[1:] - 1]].astype(np.int64)
    else:
        conflict = np.zeros(0, dtype=bool)
        decided = status[:0].astype(np.int64)
    if contested is not None:
        decided = np.where(conflict, contested, decided)
    if position is None:  # the reports are the rows of the table, in order: the order is their positions
        return _Groups(order, offsets, group_track, group_day, decided, conflict)
    # positions index the whole reports table, which may be longer than this call's n
    top = int(position.max()) + 1 if n else 0
    rows = position[order].astype(index_dtype(top), copy=False)
    return _Groups(rows, offsets, group_track, group_day, decided, conflict)


def index_dtype(n: int) -> type[np.signedinteger]:
    """The narrowest signed integer type that holds the positions of ``n`` items and -1."""
    return np.int32 if n < 2**31 else np.int64


def code_dtype(n: int) -> type[np.signedinteger]:
    """The narrowest signed integer type that holds the codes ``-1 .. n - 1``."""
    for dtype in (np.int8, np.int16, np.int32):
        if n <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def _track_day_key(track: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, int, int] | None:
    """One non-negative integer key per report ordering (track, day), with its day span and first
    day: int32 while the keys fit in it, else int64; ``None`` when they would not fit in 62 bits."""
    if len(track) == 0:
        return np.empty(0, dtype=np.int64), 1, 0
    low = int(day.min())
    span = int(day.max()) - low + 1
    keys = (int(track.max()) + 1) * span
    if keys >= 2**62:
        return None
    dtype = np.int32 if keys < 2**31 else np.int64
    key: np.ndarray = track.astype(dtype)
    np.multiply(key, span, out=key)
    np.add(key, (day - low).astype(dtype, copy=False), out=key)
    return key, span, low


def _key_order(key: np.ndarray, keys: int) -> np.ndarray:
    """Stable order of non-negative int ``key`` (all ``< keys``)."""
    return _key_order_counts(key, keys)[0]


def _key_order_counts(
    key: np.ndarray, keys: int, slice_rows: int | None = _SORT_SLICE
) -> tuple[np.ndarray, np.ndarray | None]:
    """Stable order of non-negative int ``key`` (all ``< keys``), and the number of rows of each key
    when a counting sort found it (``None`` after a comparison sort)."""
    if len(key) and keys <= _COUNTING_SORT_KEYS_PER_ROW * len(key) + 1_000_000:
        if slice_rows is None or len(key) <= max(slice_rows, keys):
            whole = _groupsort(key, keys)  # the counts come with the order
            if whole is not None:
                return whole
        else:
            counts = np.bincount(key, minlength=keys)
            counted = _counting_sort(key, keys, counts, slice_rows=slice_rows)
            if counted is not None:
                return counted, counts
    return np.argsort(key, kind="stable"), None


def _groupsort(key: np.ndarray, keys: int) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`_counting_sort` of all rows at once, with the number of rows of each key; ``None`` where
    pandas offers no counting sort."""
    try:
        from pandas._libs.algos import groupsort_indexer
    except ImportError:  # pragma: no cover - a pandas internal: never fail on it
        return None
    try:
        order, counts = groupsort_indexer(key.astype(np.intp, copy=False), keys)
    except (TypeError, ValueError):  # pragma: no cover - a pandas internal: never fail on it
        return None
    return order.astype(index_dtype(len(key)), copy=False), counts[1:]  # counts[0]: rows of key -1 (none)


def _track_day_order(track: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Positions sorted by (track, day), input order kept within each: one stable sort of a
    combined key (a counting sort while keys are few; as ``np.lexsort((day, track))``)."""
    combined = _track_day_key(track, day)
    if combined is None:
        return np.lexsort((day, track))
    key, span, _ = combined
    return _key_order(key, span * (int(track.max()) + 1) if len(track) else 1)


_COUNTING_SORT_KEYS_PER_ROW = 4
"""A counting sort is used while there are at most this many possible keys per row (plus a million)."""


def _counting_sort(
    key: np.ndarray, keys: int, counts: np.ndarray | None = None, *, slice_rows: int | None = _SORT_SLICE
) -> np.ndarray | None:
    """Stable order of non-negative int ``key`` (all ``< keys``) by a counting sort, in time
    proportional to rows plus keys; ``None`` where pandas offers none (then a comparison sort).

    The order is in :func:`index_dtype`. Beyond ``slice_rows`` rows (and keys) it is sorted a
    slice at a time, each slice's rows put after those of the slices before with the same key:
    only the order itself grows with the rows, where sorting them at once takes a 64-bit copy of
    the keys and a 64-bit order besides (16 bytes a row more, at the engine's peak), but about
    a third of the time (0.1 s against 0.3 s for 5,000,000 reports). ``slice_rows`` ``None``
    sorts them at once. ``counts``, when given, is ``np.bincount(key, minlength=keys)``."""
    try:
        from pandas._libs.algos import groupsort_indexer
    except ImportError:  # pragma: no cover - a pandas internal: never fail on it
        return None
    n = len(key)
    step = max(slice_rows, keys) if slice_rows is not None else n
    try:
        if n <= step:
            whole: np.ndarray = groupsort_indexer(key.astype(np.intp, copy=False), keys)[0]
            return whole.astype(index_dtype(n), copy=False)
        counts = np.bincount(key, minlength=keys) if counts is None else counts
        fill = np.cumsum(counts)  # then the next place of each key
        fill -= counts
        order = np.empty(n, dtype=index_dtype(n))
        for start in range(0, n, step):
            part = key[start : start + step].astype(np.intp)
            sub = groupsort_indexer(part, keys)[0]
            sizes = np.bincount(part, minlength=keys)
            ranked = part[sub]
            del part
            before = np.cumsum(sizes) - sizes  # where each key's rows start among the slice's
            place = fill[ranked]
            place += np.arange(len(sub))
            place -= before[ranked]
            del ranked
            sub += start
            order[place] = sub
            fill += sizes
        return order
    except (TypeError, ValueError):  # pragma: no cover - a pandas internal: never fail on it
        return None


def _latest_group(groups: _Groups, tracks: np.ndarray, query_days: np.ndarray) -> np.ndarray:
    """For each track (rows) and query day (columns): the latest group on or before the day, or -1."""
    if len(groups.track) == 0:
        return np.full((len(tracks), len(query_days)), -1, dtype=np.int64)
    base = min(int(groups.day.min()), int(query_days.min())) - 1
    span = max(int(groups.day.max()), int(query_days.max())) - base + 1
    keys = groups.track * span + (groups.day - base)
    wanted = tracks[:, None] * span + (query_days - base)[None, :]
    found = np.searchsorted(keys, wanted, side="right") - 1
    valid = found >= 0
    valid[valid] = groups.track[found[valid]] == np.broadcast_to(tracks[:, None], found.shape)[valid]
    return np.where(valid, found, -1)


def _decide_latest(groups: _Groups, query_days: np.ndarray, *, n_areas: int, unknown: int) -> Decisions:
    n_groups = len(groups.track)
    # since: the day of the first group of the current run of equal decided statuses on the track.
    run_start = np.ones(n_groups, dtype=bool)
    run_start[1:] = (groups.track[1:] != groups.track[:-1]) | (groups.decided[1:] != groups.decided[:-1])
    first = np.maximum.accumulate(np.where(run_start, np.arange(n_groups), 0)) if n_groups else run_start
    run_day = groups.day[first] if n_groups else groups.day
    latest = _latest_group(groups, np.arange(n_areas, dtype=np.int64), query_days)
    known = latest >= 0
    k = np.where(known, latest, 0)
    if n_groups:
        status = np.where(known, groups.decided[k], unknown)
        since = np.where(known, run_day[k], NO_DAY)
        conflict = known & groups.conflict[k]
    else:
        status = np.full(latest.shape, unknown)
        since = np.full(latest.shape, NO_DAY, dtype=np.int64)
        conflict = np.zeros(latest.shape, dtype=bool)
    flat_known = known.ravel()
    cell_offsets = np.zeros(flat_known.size + 1, dtype=np.int64)
    np.cumsum(flat_known, out=cell_offsets[1:])
    return Decisions(status, since, conflict, cell_offsets, latest.ravel()[flat_known], groups.offsets, groups.rows)


def _decide_majority(
    groups: _Groups,
    track_area: np.ndarray,
    query_days: np.ndarray,
    *,
    n_areas: int,
    unknown: int,
    contested: int | None = None,
) -> Decisions:
    """Each place's latest status votes; the most common wins, a tie the most recent among the tied statuses,
    and a tie of votes as recent is ``contested`` (when the scheme has it; else the first of them). A cell is a
    conflict when statuses tie, or when a voting place's own reports of its latest day disagree."""
    n_days = len(query_days)
    n_tracks = len(track_area)
    n_keys = int(max(groups.decided.max(initial=0), unknown)) + 1
    status = np.full((n_areas, n_days), unknown, dtype=np.int64)
    top = np.zeros((n_areas, n_days), dtype=np.int64)
    newest_winner = np.full((n_areas, n_days), NO_DAY, dtype=np.int64)
    conflict = np.zeros((n_areas, n_days), dtype=bool)
    cells, cell_groups = [], []
    chunk = max(1, _CELLS_PER_CHUNK // max(1, n_tracks))
    for j0 in range(0, n_days, chunk):
        days = query_days[j0 : j0 + chunk]
        width = len(days)
        latest = _latest_group(groups, np.arange(n_tracks, dtype=np.int64), days)
        tt, jj = np.nonzero(latest >= 0)  # row-major: track order within each day
        g = latest[tt, jj]
        votes = groups.decided[g]
        slot = (jj * n_areas + track_area[tt]) * n_keys + votes
        counts = np.bincount(slot, minlength=width * n_areas * n_keys).reshape(width, n_areas, n_keys)
        newest = np.full(width * n_areas * n_keys, NO_DAY, dtype=np.int64)
        np.maximum.at(newest, slot, groups.day[g])
        newest_by_key = newest.reshape(width, n_areas, n_keys)
        best = counts.max(axis=2)
        tied = (counts == best[..., None]) & (best[..., None] > 0)
        # Among the tied statuses the most recent vote wins; equal dates go to the first key (sorted keys).
        recency = np.where(tied, newest_by_key, NO_DAY)
        winner = np.argmax(recency, axis=2)
        voted = best > 0
        decided = np.where(voted, winner, unknown)
        if contested is not None:  # statuses tied on votes and on their newest vote's date: no winner
            as_recent = (recency == recency.max(axis=2, keepdims=True)) & tied
            decided = np.where(voted & (as_recent.sum(axis=2) > 1), contested, decided)
        status[:, j0 : j0 + width] = decided.T
        top[:, j0 : j0 + width] = best.T
        newest_winner[:, j0 : j0 + width] = np.take_along_axis(newest_by_key, winner[..., None], axis=2)[..., 0].T
        # a tie between statuses, or a voting place whose own reports of its latest day disagree
        own = np.bincount(jj * n_areas + track_area[tt], weights=groups.conflict[g], minlength=width * n_areas)
        conflict[:, j0 : j0 + width] = (voted & ((tied.sum(axis=2) > 1) | (own.reshape(width, n_areas) > 0))).T
        cells.append(track_area[tt] * n_days + j0 + jj)
        cell_groups.append(g)
    # since: the newest winning vote at the start of the current run of equal statuses (a run
    # also restarts after a date without votes).
    voted = top > 0
    start = np.ones((n_areas, n_days), dtype=bool)
    if n_days > 1:
        start[:, 1:] = (status[:, 1:] != status[:, :-1]) | ~voted[:, :-1]
    first = np.maximum.accumulate(np.where(start, np.arange(n_days)[None, :], 0), axis=1)
    since = np.where(voted, np.take_along_axis(newest_winner, first, axis=1), NO_DAY)
    cell = np.concatenate(cells) if cells else np.empty(0, dtype=np.int64)
    group = np.concatenate(cell_groups) if cell_groups else np.empty(0, dtype=np.int64)
    order = np.argsort(cell, kind="stable")
    cell_offsets = np.zeros(n_areas * n_days + 1, dtype=np.int64)
    np.cumsum(np.bincount(cell, minlength=n_areas * n_days), out=cell_offsets[1:])
    return Decisions(status, since, conflict, cell_offsets, group[order], groups.offsets, groups.rows)


def positions_in(
    values: pd.Series, candidates: pd.Index | list[str] | np.ndarray, *, narrow: bool = False
) -> np.ndarray:
    """Position of each value in ``candidates`` (``-1`` where absent), as ``int64`` (``narrow``:
    the narrowest type holding them, :func:`code_dtype`).

    As ``pandas.Index(candidates).get_indexer(values)`` (a missing value matches a missing
    candidate); a ``category`` column is looked up once per category, Arrow-backed text by
    Arrow's hash kernel, without a Python object or a factorization per row.
    """
    import pandas as pd

    from geomap._columns import remembered_codes

    dtype = code_dtype(len(candidates)) if narrow else np.int64
    if not len(values):
        return np.empty(0, dtype=dtype)
    candidates = pd.Index(candidates)
    if isinstance(values.dtype, pd.CategoricalDtype):
        # each category's position, and last the missing value's (a code of -1 reads it): one
        # array of the result's type per row, where factorizing took two of int64
        lookup = candidates.get_indexer(pd.Index(values.cat.categories, dtype=object).append(pd.Index([None])))
        looked_up: np.ndarray = lookup.astype(dtype)[values.cat.codes.to_numpy()]
        return looked_up
    array = values.array
    known = remembered_codes(array)
    if known is not None:  # the column was built from these values: no hashing of its rows
        distinct, remembered = known
        where = np.asarray(candidates.get_indexer(pd.Index(distinct, dtype=object)), dtype=np.int64)
        taken: np.ndarray = where.astype(dtype)[remembered]
        return taken
    pa_values = getattr(array, "_pa_array", None)
    if pa_values is not None and isinstance(values.dtype, pd.StringDtype):
        import pyarrow as pa
        import pyarrow.compute as pc

        texts = [None if pd.isna(c) else str(c) for c in candidates]
        if all(t is None or t == c for t, c in zip(texts, candidates, strict=True)):
            hits = pc.index_in(pa_values, value_set=pa.array(texts, type=pa_values.type))
            return np.asarray(hits.fill_null(-1).to_numpy(), dtype=dtype)
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(candidates.get_indexer(distinct).astype(dtype)[codes], dtype=dtype)


def distinct_values(values: pd.Series) -> list[object]:
    """The distinct values of a column (as ``pandas.unique``, in no particular order); a column
    built from remembered codes is answered from them without hashing its rows."""
    import pandas as pd

    from geomap._columns import remembered_codes

    known = remembered_codes(values.array)
    if known is not None:
        distinct, codes = known
        present = np.bincount(codes, minlength=len(distinct)) > 0
        return [value for value, used in zip(distinct, present, strict=True) if used]
    return list(pd.unique(values))


def distinct_days(days: np.ndarray) -> np.ndarray:
    """``numpy.unique`` of a ``datetime64[D]`` array (sorted, ``NaT`` last if present), by counting
    the days of the span the values cover instead of sorting them when the span is short."""
    values = np.asarray(days, dtype="datetime64[D]")
    numbers = values.view(np.int64)
    missing = np.isnat(values)
    known = numbers[~missing] if missing.any() else numbers
    if not len(known):
        return np.unique(values)
    low, high = int(known.min()), int(known.max())
    if high - low > 4 * len(known) + 1_000_000:
        return np.unique(values)
    seen = np.flatnonzero(np.bincount(known - low, minlength=high - low + 1)) + low
    found = seen.astype("datetime64[D]")
    return np.append(found, np.datetime64("NaT", "D")) if missing.any() else found
