"""Control timelines: every area's status on every reporting date, with its evidence.

Rules
-----
* An area's status on a reporting date is that of the **latest report on or
  before that date** among the reports that count for the area.
* Which reports count is the aggregation rule (``aggregate``):

  ``"capital"`` (default)
      On the bundled provinces: reports about the province itself or its
      capital (gazetteer kinds ``province`` and ``capital``, or reports with
      coordinates). Reports about other places in the province (district
      towns, villages) are kept in ``reports`` but do not set the status.
      On user boundaries every report located in an area counts.
  ``"latest"``
      Every report about any place in the area counts; the latest wins.
  ``"majority"``
      Each place's latest status counts once; the most common status wins
      (a tie goes to the most recent among the tied statuses; statuses tied
      on votes as recent, of one day, give the contested status when the
      scheme has one). ``since`` is the date of the report that made the
      winning status win.

* Reports that carry coordinates count as reports about the province itself,
  unless their ``level`` is ``district``.
* **Levels**: ``level="province"`` (default) maps the bundled provinces,
  ``level="district"`` the bundled districts. How reports land on districts
  (districts, towns and villages set their district, a capital its district, a
  province-wide report every district of the province unless a report of the
  same date names the district) is described in :mod:`geomap.join`. On
  districts every report that lands in a district counts, so ``"capital"`` and
  ``"latest"`` agree there. Province-wide evidence records carry
  ``"scope": "province-wide"``.
* **Conflicts**: when the reports that decide an area's status (those on the
  latest date) disagree, the area is flagged ``conflict`` and its status is the
  scheme's ``contested`` status if it has one, otherwise the last such report in
  input order. All of them are listed as evidence. Under ``"majority"``, an
  area is flagged when statuses tie (a tie broken by recency included) or when a
  voting place's own reports of its latest day disagree; the evidence lists every
  place's vote, and :meth:`ControlTimeline.conflicts` lists the latter (reports
  about one place that disagree), not ties between places.
* ``since`` is the date of the first report of the current unbroken run of the
  same status; ``changed`` says whether the status differs from the previous
  reporting date (``False`` on the first).
* Reporting dates default to the distinct report dates; ``freq="D"`` or ``"W"``
  gives every day or every 7th day from the first report to the last, and
  ``dates=[...]`` an explicit list.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import json.encoder
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap._columnar import (
    Decisions,
    _key_order,
    code_dtype,
    decide,
    distinct_values,
    index_dtype,
    positions_in,
)
from geomap._pages import ordinary_pages
from geomap._textstore import EvidenceTexts
from geomap.dates import parse_date
from geomap.errors import InputError
from geomap.join import KIND, NAME, AreaText
from geomap.levels import check_level, province_counts, province_rollup
from geomap.precision import DATE_PRECISION, PLACE_PRECISION, PRECISION
from geomap.precision import describe as describe_precision
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
from geomap.scheme import AFGHANISTAN_2021, StatusScheme

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from geomap.pipeline import ReportsLike

_encode_text: Callable[[str], str] = json.encoder.encode_basestring
"""What ``json.dumps(ensure_ascii=False)`` writes for a str."""
AGGREGATIONS = ("capital", "latest", "majority")
ENGINES = ("pandas", "dask")
DIRECT_KINDS = ("province", "capital", "given")
ROW = "row"
"""The reports' row column (:data:`geomap.reports.ROW`): where a report is in its file."""
DATETIME = "datetime64[ns]"
"""The dtype of every date column in the tables a timeline returns."""
BATCH_ROWS = 20_000
"""Rows per batch of :meth:`ControlTimeline.iter_long` (bounds the memory of streaming exports)."""
BATCH_EVIDENCE = 60_000
"""Evidence reports per batch of :meth:`ControlTimeline.iter_long` beyond which a batch takes fewer
rows, so a batch's evidence text does not grow with the reports behind each row."""


MAX_AREA_DATES = 5_000_000
"""Areas times reporting dates a timeline decides at most (the 398 districts on 12,500 dates): each is a
status with its evidence, and a file of reports on tens of thousands of distinct days (or a daily frequency
over decades) would otherwise need many gigabytes."""


def _check_area_dates(areas: int, dates: int, noun: str) -> None:
    """Refuse a timeline of more than :data:`MAX_AREA_DATES` area-dates, saying how to make fewer."""
    if areas * dates > MAX_AREA_DATES:
        raise InputError(
            f"{dates:,} reporting dates for {areas:,} {noun} make {areas * dates:,} statuses to decide, more than "
            f"{MAX_AREA_DATES:,}; report weekly (--freq W, freq='W'), give the dates (--dates), map fewer areas, "
            "or check the reports' years"
        )


class ControlTimeline:
    """Every area's control status on every reporting date, with the evidence.

    The engine only: it holds located reports and answers questions about them;
    it neither reads files nor geocodes. Build one with
    :func:`geomap.pipeline.build_timeline` (or its shortcut :meth:`from_reports`).
    Attributes: ``areas`` (GeoDataFrame),
    ``scheme``, ``reporting_dates`` (sorted ``datetime.date`` list), ``reports``
    (located reports), ``unresolved`` (reports that could not be placed),
    ``aggregate``, ``level`` (``"province"``, ``"district"`` or ``None`` for
    user boundaries) and ``area_noun`` (``"provinces"``, ``"districts"`` or
    ``"areas"``).
    """

    def __init__(
        self,
        areas: gpd.GeoDataFrame,
        reports: pd.DataFrame,
        *,
        scheme: StatusScheme = AFGHANISTAN_2021,
        reporting_dates: Sequence[dt.date] | None = None,
        aggregate: str = "capital",
        provinces: bool = True,
        unresolved: pd.DataFrame | None = None,
        level: str | None = None,
        engine: str = "pandas",
        _area_text: AreaText | None = None,
        _frugal: bool = False,
    ):
        _check_tables(areas, reports, deferred=() if _area_text is None else (AREA_ID, AREA_NAME))
        if aggregate not in AGGREGATIONS:
            raise InputError(f"unknown aggregation rule {aggregate!r}; use one of {', '.join(AGGREGATIONS)}")
        if engine not in ENGINES:
            raise InputError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
        self.engine = engine
        self.areas = areas.reset_index(drop=True)
        self.scheme = scheme
        self.aggregate = aggregate
        if level is None and provinces:
            level = "province"
        self.level = check_level(level) if level is not None else None
        self.provinces = self.level == "province"
        self.area_noun = f"{self.level}s" if self.level else "areas"
        self._reports = reports.reset_index(drop=True)
        self._area_text = _area_text
        """The area columns of ``reports`` while they are not yet built (see :attr:`reports`)."""
        self.unresolved = unresolved if unresolved is not None else self.reports.iloc[0:0]
        self.imprecise_dropped = 0
        if reporting_dates is None:
            reporting_dates = _distinct_days(self._reports[DATE])
        self.reporting_dates: list[dt.date] = sorted(set(reporting_dates))
        _check_area_dates(len(self.areas), len(self.reporting_dates), self.area_noun)
        self._long: pd.DataFrame | None = None
        self._decided: Decisions | None = None
        self._disagreeing_rows: np.ndarray | None = None
        self._texts: EvidenceTexts | None = None
        """Where the reports' evidence text is, when not in ``reports`` (see :meth:`_report_texts`)."""
        self._keys: list[str] | None = None  # the status keys, once the reports' statuses are let go
        self._frugal = _frugal
        """Whether the engine saves memory before time (see :func:`geomap._columnar.decide`)."""

    @property
    def reports(self) -> pd.DataFrame:
        """The located reports (one row per report and area it counts for; see :meth:`from_reports`).

        Where the timeline was built by :func:`geomap.pipeline.build_timeline`, the ``area_id`` and
        ``area_name`` columns (and ``province_iso`` where every report's province is known by code)
        are written when this table is first asked for: deciding the statuses needs only each
        report's area position."""
        if self._area_text is not None:
            area_text, self._area_text = self._area_text, None
            with ordinary_pages():  # a text column per report: see geomap._pages
                area_text.attach(self._reports)
        return self._reports

    @reports.setter
    def reports(self, reports: pd.DataFrame) -> None:
        self._area_text = None
        self._reports = reports

    # ------------------------------------------------------------------ building
    @classmethod
    def from_reports(cls, reports: ReportsLike, **options: Any) -> ControlTimeline:
        """Build a timeline from reports: a shortcut for :func:`geomap.pipeline.build_timeline`.

        Parameters
        ----------
        reports
            A reports file, a DataFrame or a list of records.
        **options
            The keyword options of :func:`geomap.pipeline.build_timeline`
            (``level``, ``boundaries``, ``scheme``, ``geocoder``, ``dates``,
            ``freq``, ``aggregate``, ``strict``, ``sheet``, ``day_first``, ``month_first``, ``min_precision``,
            ``engine``).

        Returns
        -------
        ControlTimeline
        """
        from geomap.pipeline import build_timeline

        return build_timeline(reports, **options)

    # ------------------------------------------------------------------ queries
    def long(self, *, evidence: bool = True) -> pd.DataFrame:
        """One row per area per reporting date (sorted by date, then area id).

        Columns: ``area_id, area_name, date, status, status_label, since,
        changed, conflict, sources, evidence`` (a list of dicts with ``date,
        place, status, source, note``, and ``scope: "province-wide"`` for a
        province-wide report at district level); on provinces also
        ``province_iso`` and ``province``; on districts ``district_id``,
        ``district``, ``province_iso`` and ``province``. ``date`` and ``since``
        are ``datetime64[ns]`` (``since`` is ``NaT`` while the status is unknown).

        Parameters
        ----------
        evidence
            ``False`` leaves out ``sources`` and ``evidence``: the table then costs
            memory in proportion to areas x dates only, however many reports there
            are (:meth:`evidence_rows` gives the evidence as report positions).
        """
        if not evidence:
            return self._frame(self.reporting_dates, self._decisions(), compare=True, evidence=False)
        if self._long is None:
            self._long = self._evaluate(self.reporting_dates, compare=True)
        return self._long.copy()

    def iter_long(self, *, batch_rows: int | None = None, evidence: str = "records") -> Iterator[pd.DataFrame]:
        """The rows of :meth:`long` in batches of whole reporting dates, for writing without holding them all.

        Parameters
        ----------
        batch_rows
            About how many rows per batch (at least one reporting date each). By default
            :data:`BATCH_ROWS`, or fewer where rows cite many reports: consecutive reporting
            dates whose rows cite at most :data:`BATCH_EVIDENCE` evidence reports together
            (a date citing more is a batch of its own), so a batch's evidence text stays bounded
            where reports crowd on a few dates.
        evidence
            ``"records"`` (lists of dicts, as in :meth:`long`) or ``"json"`` (their JSON
            text, as the exports write it; built once per report day, not per row).

        Yields
        ------
        pandas.DataFrame
            Consecutive slices of :meth:`long` (same columns, evidence included).
        """
        decisions = self._decisions()
        n_days, n_areas = len(self.reporting_dates), max(1, len(self.areas))
        if batch_rows is None and evidence:  # rows citing many reports: fewer dates per batch there
            windows = _date_windows(_cited_per_day(decisions, n_areas, n_days), BATCH_ROWS // n_areas, BATCH_EVIDENCE)
        else:
            step = max(1, (BATCH_ROWS if batch_rows is None else batch_rows) // n_areas)
            windows = [(start, start + step) for start in range(0, n_days, step)]
        for window in windows:
            yield self._frame(self.reporting_dates, decisions, compare=True, evidence=evidence, window=window)

    def status(self, on: str | dt.date | None = None) -> gpd.GeoDataFrame:
        """The areas with their status as of ``on`` (default: the last reporting date).

        ``on`` is a ``YYYY-MM-DD`` string, a ``datetime.date``, a ``pandas.Timestamp`` or a
        ``numpy.datetime64``. Returns a GeoDataFrame in the areas' CRS with the columns of
        :meth:`long` (``date`` and ``since`` as ``datetime64[ns]``).
        """
        if on is None and not self.reporting_dates:
            raise InputError("the timeline has no reporting dates, so it has no status to show")
        day = parse_date(on, "on: the status date") if on is not None else self.reporting_dates[-1]
        state = self._evaluate([day], compare=False)
        previous = [d for d in self.reporting_dates if d < day]
        if previous:
            before = self._evaluate([previous[-1]], compare=False).set_index(AREA_ID)[STATUS]
            state[CHANGED] = state[STATUS].to_numpy() != before.reindex(state[AREA_ID]).to_numpy()
        geo = self.areas[[AREA_ID, "geometry"]].merge(state, on=AREA_ID, how="left")
        return gpd.GeoDataFrame(geo, geometry="geometry", crs=self.areas.crs)

    def changes(self) -> pd.DataFrame:
        """Rows of :meth:`long` where the status changed from the previous reporting date.

        The first reporting date has no previous one, so none of its rows are listed.
        """
        table = self.long()
        return table[table[CHANGED]].reset_index(drop=True)

    def conflicts(self, limit: int | None = None) -> pd.DataFrame:
        """Report dates on which the reports that decide an area's status disagree.

        Parameters
        ----------
        limit
            At most this many rows (the first in area id and date order); ``None`` for all.
            :meth:`conflict_days` counts them without building their text.

        Returns
        -------
        pandas.DataFrame
            One row per area and report date, sorted by area id and date: ``area_id``,
            ``area_name``, ``date`` (``datetime64[ns]``), ``statuses`` (the distinct statuses,
            in input order), ``places`` and ``sources`` (``"; "``-joined).
        """
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < 0):
            raise InputError(f"limit: expected a whole number of rows, 0 or more (or None for all), got {limit!r}")
        columns = [AREA_ID, AREA_NAME, DATE, "statuses", "places", SOURCES]
        counted = self._counted()
        mask = self._disagreeing(counted)
        if limit is not None and mask.any():
            wanted = _conflict_days(counted, mask).iloc[:limit]
            # only the reports of the wanted area-days are taken (a cheap filter first, then the exact one)
            mask &= counted[AREA_ID].isin(wanted[AREA_ID]).to_numpy() & counted[DATE].isin(wanted[DATE]).to_numpy()
        rows = _take_rows(counted, np.flatnonzero(mask))
        by_day = [AREA_ID, DATE]
        if limit is not None and len(rows):
            rows = rows[pd.MultiIndex.from_frame(rows[by_day]).isin(pd.MultiIndex.from_frame(wanted))]
        if rows.empty:
            return _empty(columns)
        if SOURCE not in rows.columns:  # the sources are on disk (see _report_texts)
            rows = rows.assign(**{SOURCE: self._report_texts(rows.index.to_numpy())[1]})
        rows = rows.sort_values(by_day, kind="stable")
        first = rows.drop_duplicates(by_day).set_index(by_day)
        grouped = {"sort": False, "observed": True}
        statuses = rows.drop_duplicates([*by_day, STATUS]).groupby(by_day, **grouped)[STATUS].agg(list)
        places = rows.drop_duplicates([*by_day, PLACE]).groupby(by_day, **grouped)[PLACE].agg("; ".join)
        cited = rows[rows[SOURCE].astype(bool)].drop_duplicates([*by_day, SOURCE])
        if cited.empty:  # no report cites a source (an empty group's index cannot be reindexed by
            # category codes of another width: more than 127 areas)
            sources = pd.Series("", index=first.index, dtype=object)
        else:
            sources = cited.groupby(by_day, **grouped)[SOURCE].agg("; ".join).reindex(first.index, fill_value="")
        out = pd.DataFrame(
            {
                AREA_ID: first.index.get_level_values(0),
                AREA_NAME: first[AREA_NAME].to_numpy(),
                DATE: first.index.get_level_values(1).to_numpy(DATETIME),
                "statuses": statuses.reindex(first.index).to_numpy(),
                "places": places.reindex(first.index).to_numpy(),
                SOURCES: sources.to_numpy(),
            }
        )
        return out

    def conflict_days(self) -> pd.DataFrame:
        """The area ids and dates of :meth:`conflicts` (same rows, same order), without their text.

        Cheap at millions of reports: it costs a sort of the reports, not a string per conflict.
        """
        counted = self._counted()
        return _conflict_days(counted, self._disagreeing(counted))

    def _disagreeing(self, counted: pd.DataFrame) -> np.ndarray:
        """Mask of the counted reports whose area and date (under ``majority``: and place) have more than
        one status."""
        if self._disagreeing_rows is not None and len(self._disagreeing_rows) == len(counted):
            return self._disagreeing_rows.copy()
        # Under "majority" places vote separately, so only reports on one place disagree.
        keys = [counted[AREA_ID], counted[DATE]]
        if self.aggregate == "majority" and NAME in counted:
            keys.append(counted[NAME])
        self._disagreeing_rows = _disagree(keys, counted[STATUS])  # a bit per report, kept for the next call
        return self._disagreeing_rows.copy()

    def summary(self, by: str | None = None) -> pd.DataFrame:
        """Counts of areas per status per reporting date.

        Parameters
        ----------
        by
            ``None`` (default): one row per reporting date (the index, a
            ``DatetimeIndex`` named ``date``), one column
            per status in scheme order. ``"province"``: one row per date and
            province (see :func:`geomap.levels.province_counts`), on the bundled
            levels only; at district level it counts districts per province.

        Returns
        -------
        pandas.DataFrame
        """
        if by is not None:
            if by != "province":
                raise InputError(f"by: unknown summary grouping {by!r}; use 'province' (or none)")
            return province_counts(self.long(evidence=False), list(self.scheme.keys))
        table = self.long(evidence=False)  # counts need no evidence (its text costs seconds at millions of reports)
        counts = pd.crosstab(table[DATE], table[STATUS]).reindex(columns=self.scheme.keys, fill_value=0)
        counts = counts.reindex(pd.DatetimeIndex(self.reporting_dates).as_unit("ns"), fill_value=0)
        counts.index.name = DATE
        counts.columns.name = None
        return counts.astype(int)

    def rollup(self, rule: str = "capital") -> pd.DataFrame:
        """Each province's status per reporting date, derived from its districts' statuses.

        Parameters
        ----------
        rule
            ``"capital"`` (the status of the capital's district) or ``"majority"``
            (the most common known status among its districts); see
            :mod:`geomap.levels`.

        Returns
        -------
        pandas.DataFrame
            ``date, province_iso, province, status, status_label, rule,
            decided_by`` and the district counts per status.

        Raises
        ------
        InputError
            The timeline is not at district level, or the rule is unknown.
        """
        if self.level != "district":
            raise InputError("a province roll-up needs a district-level timeline; build it with level='district'")
        scheme = self.scheme
        labels = {k: scheme.label(k) for k in scheme.keys}
        return province_rollup(
            self.long(evidence=False),
            keys=list(scheme.keys),
            labels=labels,
            unknown=scheme.unknown,
            rule=rule,
            contested=scheme.conflict_key,
        )

    def province_wide(self) -> pd.DataFrame:
        """The reports that named only a province and were applied to each of its districts.

        Returns
        -------
        pandas.DataFrame
            One row per such report (``row``, ``date``, ``place``, ``status``,
            ``province_iso``, ``districts``: how many districts it set); empty
            below district level.
        """
        columns = ["row", DATE, PLACE, STATUS, PROVINCE_ISO, "districts"]
        if SCOPE not in self.reports.columns:
            return _empty(columns)
        wide = self.reports[self.reports[SCOPE].eq(PROVINCE_WIDE)]
        if wide.empty:
            return _empty(columns)
        grouped = wide.groupby("row", sort=True)
        out = grouped[[DATE, PLACE, STATUS, PROVINCE_ISO]].first()
        out["districts"] = grouped[AREA_ID].nunique()
        return out.reset_index()[columns]

    def describe_counts(self, on: str | dt.date | None = None) -> list[str]:
        """Sentences such as ``"Taliban control: 11 of 34 provinces"`` for a date (default: last)."""
        row = self.status(on=on)[STATUS].value_counts()
        total = len(self.areas)
        return [f"{s.label}: {int(row.get(s.key, 0))} of {total} {self.area_noun}" for s in self.scheme.statuses]

    def __repr__(self) -> str:
        span = f"{self.reporting_dates[0]}..{self.reporting_dates[-1]}" if self.reporting_dates else "no dates"
        rows = len(self._reports)
        located = int(self._reports[ROW].nunique()) if ROW in self._reports.columns else rows
        # a report about a whole province counts once per area of it: say so, not more reports than given
        spread = ""
        if rows > located:
            spread = f" ({rows} rows: a province-wide report counts in each of its {self.area_noun})"
        return (
            f"<ControlTimeline: {len(self.areas)} {self.area_noun}, {len(self.reporting_dates)} reporting dates "
            f"({span}), {located} located reports{spread}, {len(self.unresolved)} unresolved>"
        )

    def plot(
        self,
        date: dt.date | str | None = None,
        *,
        grid: bool = False,
        title: str | None = None,
        labels: bool = True,
        date_format: str | None = None,
        width: float = 10.0,
        credit: str | None = None,
    ) -> Figure:
        """Draw the map on ``date`` (default the last reporting date) as a matplotlib figure.

        A shortcut for :func:`geomap.render.image.render_image` (same options: ``grid``, ``title``,
        ``labels``, ``date_format``, ``width``, ``credit``); save the result with ``savefig``.
        """
        from geomap.render.image import render_image

        return render_image(
            self, date=date, grid=grid, title=title, labels=labels, date_format=date_format, width=width, credit=credit
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        head = esc(repr(self))
        if not self.reporting_dates:
            return f"<p>{head}</p>"
        summary = self.summary()
        counts = summary.tail(12)
        cells = "".join(
            f'<th style="text-align:left"><span style="display:inline-block;width:.9em;height:.9em;'
            f'background:{esc(self.scheme.color(k))};margin-right:.3em"></span>{esc(self.scheme.label(k))}</th>'
            for k in counts.columns
        )
        body = "".join(
            f"<tr><td>{esc(d.strftime('%Y-%m-%d'))}</td>" + "".join(f"<td>{int(v)}</td>" for v in row) + "</tr>"
            for d, row in zip(counts.index, counts.to_numpy(), strict=True)
        )
        note = "" if len(summary) <= 12 else "<p><em>last 12 reporting dates</em></p>"
        return f"<div><p><strong>{head}</strong></p>{note}<table><tr><th>date</th>{cells}</tr>{body}</table></div>"

    # ------------------------------------------------------------------ engine
    def evidence_rows(self) -> list[np.ndarray]:
        """Per row of :meth:`long`, the positions in ``reports`` of its evidence reports (in evidence order)."""
        decisions = self._decisions()
        return [decisions.cell_rows(c) for c in self._long_cells(len(self.reporting_dates))]

    def latest_evidence(self, limit: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """At most ``limit`` latest evidence reports of each row of :meth:`long`, as shared sets.

        Rows with the same evidence (an area on dates between two report days) share one set,
        so the work and the result grow with the report days, not with areas x dates.

        Returns
        -------
        (sets, row_set, totals)
            ``sets[k]``: positions in ``reports`` of set ``k``'s latest ``limit`` reports, oldest
            first; ``row_set``: each long row's set; ``totals[k]``: how many reports set ``k`` has.
        """
        decisions = self._decisions()
        members, row_set = _evidence_sets(decisions, self._long_cells(len(self.reporting_dates)))
        day = _day_numbers(self._reports[DATE]) if len(self._reports) else np.empty(0, dtype=np.int64)
        sets, totals = [], np.zeros(len(members), dtype=np.int64)
        for k, groups in enumerate(members):
            parts = [decisions.rows[decisions.group_offsets[g] : decisions.group_offsets[g + 1]] for g in groups]
            positions = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
            totals[k] = len(positions)
            if len(positions) > limit:
                positions = positions[np.argsort(day[positions], kind="stable")][len(positions) - limit :]
            sets.append(positions)
        return sets, row_set, totals

    def _counted(self, *, lean: bool = False) -> pd.DataFrame:
        """The reports that set statuses (``lean``: without the area columns while they are not built)."""
        reports = self._reports if lean else self.reports
        if self.aggregate == "capital" and self.provinces and KIND in reports.columns:
            return reports[reports[KIND].isin(DIRECT_KINDS)]
        return reports

    def _status_keys(self) -> list[str]:
        """Status codes of the engine: sorted keys (majority ties go to the first), any stray status included."""
        if self._keys is not None:
            return self._keys
        statuses = cast("list[str]", distinct_values(self._reports[STATUS]))
        return sorted(set(self.scheme.keys) | set(statuses))

    def _keep_only_evidence(self) -> None:
        """Let go of every column of ``reports`` but ``row``, for a caller that reads only :meth:`long`,
        :meth:`iter_long` and the evidence from here on (``geomap export`` of the long and interval
        tables, once it has reported the conflicts and province-wide reports).

        Only where the evidence text is kept on disk (:func:`geomap.pipeline.build_timeline_lean`):
        the statuses are decided first, and the evidence reads the text by row. At 10,000,000 reports
        the other columns hold some 260 MB. Nothing happens where the text is in ``reports``.
        """
        if self._texts is None or ROW not in self.reports.columns:
            return
        self._decisions()
        self._keys = self._status_keys()
        self._disagreeing_rows = None
        self.reports = self.reports[[ROW]]

    def _decisions(self, days: Sequence[dt.date] | None = None) -> Decisions:
        """The engine's arrays for ``days`` (default: the reporting dates, computed once)."""
        if days is None:
            if self._decided is None:
                self._decided = self._decide(self.reporting_dates)
            return self._decided
        return self._decide(days)

    def _decide(self, days: Sequence[dt.date]) -> Decisions:
        counted = self._counted(lean=True)
        keys = self._status_keys()
        area = self._area_positions(counted)
        mine = area >= 0
        if not mine.all():
            counted, area = counted[mine], area[mine]
        del mine
        place = None
        if self.aggregate == "majority":
            names = counted[NAME if NAME in counted else PLACE]
            place = pd.factorize(names, sort=True, use_na_sentinel=False)[0]
        conflict = self.scheme.conflict_key
        contested = keys.index(conflict) if conflict is not None else None
        engine = decide
        if self.engine == "dask":
            from geomap._dask import decide_dask as engine
        # Per-report arrays in the narrowest types their values allow: at millions of reports they
        # set the engine's memory.
        area = area.astype(code_dtype(len(self.areas)), copy=False)
        status = positions_in(counted[STATUS], keys, narrow=True)
        n = len(self._reports)
        # None: every report counts, each at its own position (the engine's order is then the positions)
        position = None if len(counted) == n else counted.index.to_numpy().astype(index_dtype(n))
        return engine(
            area,
            _day_numbers(counted[DATE]),
            status,
            position,
            np.array(list(days), dtype="datetime64[D]").astype(np.int64),
            n_areas=len(self.areas),
            unknown=keys.index(self.scheme.unknown),
            contested=contested,
            place=place,
            frugal=self._frugal,
        )

    def _area_positions(self, counted: pd.DataFrame) -> np.ndarray:
        """Each counted report's position in ``areas`` (``-1``: none), in the narrowest type."""
        candidates = self.areas[AREA_ID].to_numpy()
        if self._area_text is None:
            return positions_in(counted[AREA_ID], candidates, narrow=True)
        # as positions_in() answers the column the positions will give, from its distinct values
        text = self._area_text
        where = np.asarray(pd.Index(candidates).get_indexer(pd.Index(text.ids, dtype=object)), dtype=np.int64)
        positions = text.positions if len(counted) == len(self._reports) else text.positions[counted.index]
        area: np.ndarray = where.astype(code_dtype(len(candidates)))[positions]
        return area

    def _report_texts(self, positions: np.ndarray) -> tuple[list[str], list[str]]:
        """Each report's evidence object as JSON text (the bytes ``json.dumps`` gives) and its source,
        for the reports at ``positions``: read from the text store where the text is kept on disk
        (its record of a report is the JSON text, a newline, the source; JSON text holds no raw
        newline), else built from ``reports``."""
        if self._texts is not None:
            rows = self._reports[ROW].to_numpy()[np.asarray(positions, dtype=np.int64)]
            pairs = [text.partition("\n") for text in self._texts.read(rows)]
            return [p[0] for p in pairs], [p[2] for p in pairs]
        table = _take_rows(self._reports, np.asarray(positions, dtype=np.int64))  # no area column needed
        source = table[SOURCE].tolist()
        return report_json(table, source, table[NOTE].tolist()), source

    def _long_cells(self, n_days: int, window: tuple[int, int] | None = None) -> np.ndarray:
        """Engine cell of each row of the long table (dates, then area ids, ascending), for dates in ``window``."""
        area_order = np.argsort(self.areas[AREA_ID].to_numpy(), kind="stable")
        start, stop = window if window is not None else (0, n_days)
        days = np.arange(start, min(stop, n_days))
        return (area_order[None, :] * n_days + days[:, None]).ravel()

    def _evaluate(self, days: Sequence[dt.date], *, compare: bool) -> pd.DataFrame:
        days = list(days)
        decisions = self._decisions() if compare and days == self.reporting_dates else self._decisions(days)
        return self._frame(days, decisions, compare=compare)

    def _frame(
        self,
        days: list[dt.date],
        decisions: Decisions,
        *,
        compare: bool,
        evidence: bool | str = True,
        window: tuple[int, int] | None = None,
    ) -> pd.DataFrame:
        n_days = len(days)
        cells = self._long_cells(n_days, window)
        keys = np.array(self._status_keys(), dtype=object)
        status = decisions.status.ravel()[cells]
        changed = np.zeros(len(cells), dtype=bool)
        if compare and n_days > 1:
            flat = decisions.status.ravel()
            later = cells % n_days > 0
            changed[later] = flat[cells[later]] != flat[cells[later] - 1]
        area_index = cells // n_days
        labels = {k: self.scheme.label(k) if k in self.scheme.keys else k for k in keys}
        frame = pd.DataFrame(
            {
                AREA_ID: _take(self.areas[AREA_ID], area_index),
                AREA_NAME: _take(self.areas[AREA_NAME], area_index),
                DATE: np.array(days, dtype="datetime64[D]")[cells % max(n_days, 1)].astype(DATETIME),
                STATUS: _take(pd.Series(keys), status),
                SINCE: decisions.since.ravel()[cells].view("datetime64[D]").astype(DATETIME),
                CHANGED: changed,
                CONFLICT: decisions.conflict.ravel()[cells],
            }
        )
        frame.insert(4, STATUS_LABEL, _take(pd.Series([labels[k] for k in keys]), status))
        if evidence:
            values, sources = _evidence_columns(self, decisions, cells, as_json=evidence == "json")
            frame[EVIDENCE] = values
            frame.insert(8, SOURCES, sources)
        if self.provinces:
            frame.insert(2, PROVINCE_ISO, frame[AREA_ID])
            frame.insert(3, PROVINCE, frame[AREA_NAME])
        elif self.level == "district":
            for position, column in enumerate((DISTRICT_ID, DISTRICT, PROVINCE_ISO, PROVINCE), start=2):
                frame.insert(position, column, _take(self.areas[column], area_index))
        return frame


def check_timeline(value: object, argument: str = "timeline") -> ControlTimeline:
    """Return ``value`` if it is a :class:`ControlTimeline`, else raise an :class:`InputError` naming ``argument``.

    Functions that draw or export a timeline call this first, so a wrong argument (a
    GeoDataFrame from :meth:`ControlTimeline.status`, a reports table, a path) gets one
    clear line instead of an ``AttributeError`` from deep inside.
    """
    if isinstance(value, ControlTimeline):
        return value
    kind = type(value).__name__
    hint = "build one with geomap.build_timeline(reports)"
    if isinstance(value, pd.DataFrame):
        hint = "pass the timeline itself (a table taken from one, or reports for geomap.build_timeline, will not do)"
    raise InputError(f"{argument}: expected a ControlTimeline, got {kind}; {hint}")


AREA_COLUMNS = (AREA_ID, AREA_NAME)
LOCATED_COLUMNS = (DATE, PLACE, STATUS, SOURCE, NOTE, AREA_ID)
_BUILD_HINT = "build the timeline with geomap.build_timeline(reports), which reads, geocodes and joins them"


def _check_tables(areas: object, reports: object, *, deferred: Sequence[str] = ()) -> None:
    """Refuse tables the engine cannot use, with one line naming the argument (``deferred``: columns
    of ``reports`` still to be built)."""
    if not isinstance(areas, gpd.GeoDataFrame):
        raise InputError(f"areas: expected a GeoDataFrame of areas, got {type(areas).__name__}; {_BUILD_HINT}")
    missing = [c for c in AREA_COLUMNS if c not in areas.columns]
    if missing:
        raise InputError(f"areas: no {', '.join(missing)} column(s); load them with geomap.load_boundaries()")
    if not isinstance(reports, pd.DataFrame):
        kind = type(reports).__name__
        raise InputError(f"reports: expected a DataFrame of located reports, got {kind}; {_BUILD_HINT}")
    missing = [c for c in LOCATED_COLUMNS if c not in reports.columns and c not in deferred]
    if missing:
        raise InputError(f"reports: no {', '.join(missing)} column(s), so they are not located reports; {_BUILD_HINT}")
    if not pd.api.types.is_datetime64_any_dtype(reports[DATE]) and len(reports):
        raise InputError(f"reports: column 'date' holds {reports[DATE].dtype}, not dates; {_BUILD_HINT}")


# ---------------------------------------------------------------------- evidence
def _take(values: pd.Series, index: np.ndarray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """``values[index]`` keeping the column's dtype (string columns are taken without a round trip through Python)."""
    return values.array.take(index) if len(values) else values.to_numpy()[index]


def _take_rows(frame: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """``frame.iloc[positions]`` (``positions`` rising), Arrow columns held in several chunks (sources
    and notes read a chunk at a time) taken one chunk at a time: Arrow's own take of such a column
    first joins its chunks, a copy of the whole column per call."""
    cuts: set[int] = set()
    for column in frame.columns:
        chunked = getattr(frame[column].array, "_pa_array", None)
        if chunked is not None and chunked.num_chunks > 1:
            cuts.update(np.cumsum([len(chunk) for chunk in chunked.chunks])[:-1].tolist())
    if not cuts or len(positions) < 2:
        return frame.iloc[positions]
    edges = np.array([0, *sorted(cuts), len(frame)], dtype=np.int64)
    which = np.searchsorted(edges, positions, side="right") - 1
    bounds = np.r_[0, np.flatnonzero(np.diff(which)) + 1, len(positions)].tolist()
    pieces = []
    for a, b in itertools.pairwise(bounds):
        start, stop = int(edges[which[a]]), int(edges[which[a] + 1])
        pieces.append(frame.iloc[start:stop].iloc[positions[a:b] - start])
    return pd.concat(pieces) if len(pieces) > 1 else pieces[0]


def _empty(columns: list[str]) -> pd.DataFrame:
    """A table without rows whose date column already has the dtype it has with rows."""
    frame = pd.DataFrame(columns=columns)
    return frame.astype({DATE: DATETIME}) if DATE in columns else frame


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of a datetime column: int32 (every day a ``datetime64[ns]`` can hold fits)."""
    ns = dates.to_numpy("datetime64[ns]")
    if np.isnat(ns).any():  # a missing date (NaT) keeps its int64 code
        days: np.ndarray = ns.astype("datetime64[D]").view(np.int64)
        return days
    days = np.empty(len(ns), dtype=np.int32)
    for start in range(0, len(ns), _SLICE):  # a slice at a time: no int64 copy of the column
        days[start : start + _SLICE] = ns[start : start + _SLICE].astype("datetime64[D]").view(np.int64)
    return days


def _evidence_sets(decisions: Decisions, cells: np.ndarray) -> tuple[list[list[int]], np.ndarray]:
    """The distinct evidence sets (lists of groups) among ``cells``, and each cell's set."""
    offsets, cell_groups = decisions.cell_offsets, decisions.cell_groups
    counts = offsets[cells + 1] - offsets[cells]
    if len(cells) == 0 or counts.max(initial=0) <= 1:
        first = np.full(len(cells), -1, dtype=np.int64)
        some = counts > 0
        first[some] = cell_groups[offsets[cells[some]]]
        sets, inverse = np.unique(first, return_inverse=True)
        return [[int(g)] if g >= 0 else [] for g in sets], inverse
    keys = [tuple(cell_groups[offsets[c] : offsets[c + 1]].tolist()) for c in cells]
    index: dict[tuple[int, ...], int] = {}
    inverse = np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)
    return [list(k) for k in index], inverse


def _evidence_columns(
    timeline: ControlTimeline, decisions: Decisions, cells: np.ndarray, *, as_json: bool = False
) -> tuple[Any, Any]:
    """Evidence (lists of dicts, or their JSON text) and joined sources for each cell.

    Work is done once per distinct evidence set (a report day, or under ``majority`` the
    places' votes), not once per cell: cells only index into the sets' results.
    """
    group_offsets, rows = decisions.group_offsets, decisions.rows
    members, inverse = _evidence_sets(decisions, cells)
    if as_json:
        return _evidence_json(timeline, decisions, members, inverse)
    reports = timeline.reports
    needed = sorted({g for groups in members for g in groups})
    record: dict[int, dict[str, Any]] = {}
    if needed and timeline._texts is not None:  # the text is on disk, as JSON: read back as it was written
        positions = np.unique(np.concatenate([rows[group_offsets[g] : group_offsets[g + 1]] for g in needed]))
        stored, _sources = timeline._report_texts(positions)
        record = {i: json.loads(t) for i, t in zip(positions.tolist(), stored, strict=True)}
    elif needed:
        positions = np.unique(np.concatenate([rows[group_offsets[g] : group_offsets[g + 1]] for g in needed]))
        table = _take_rows(reports, positions)
        iso = np.datetime_as_string(table[DATE].to_numpy("datetime64[D]"), unit="D").tolist()
        columns = (table[PLACE].tolist(), table[STATUS].tolist(), table[SOURCE].tolist(), table[NOTE].tolist())
        for i, (d, p, st, so, no) in zip(positions.tolist(), zip(iso, *columns, strict=True), strict=True):
            record[i] = {DATE: d, PLACE: p, STATUS: st, SOURCE: so, NOTE: no}
        if PLACE_PRECISION in table.columns and DATE_PRECISION in table.columns:
            # Only imprecise reports carry the key, so evidence of precise ones stays as it was.
            places, days_known = table[PLACE_PRECISION].to_numpy(), table[DATE_PRECISION].to_numpy()
            for k in np.flatnonzero((places > 1) | (days_known > 1)).tolist():
                record[int(positions[k])][PRECISION] = describe_precision(places[k], days_known[k])
        if SCOPE in table.columns:
            for i, scope in zip(positions.tolist(), table[SCOPE].tolist(), strict=True):
                if scope == PROVINCE_WIDE:
                    record[i][SCOPE] = PROVINCE_WIDE
    evidence = np.empty(len(members), dtype=object)
    sources = np.empty(len(members), dtype=object)
    for k, groups in enumerate(members):
        items = [record[i] for g in groups for i in rows[group_offsets[g] : group_offsets[g + 1]].tolist()]
        evidence[k] = items
        sources[k] = _join_sources(items)
    texts = _take(pd.Series(sources), inverse) if len(sources) else sources[inverse]
    lists = np.array([list(items) for items in evidence[inverse]] + [None], dtype=object)[:-1]  # a fresh list per row
    return lists, texts


def _cited_per_day(decisions: Decisions, n_areas: int, n_days: int) -> np.ndarray:
    """How many evidence reports the cells of each date cite together (``int64``, one per date)."""
    sizes = np.diff(decisions.group_offsets)
    cumulative = np.zeros(len(decisions.cell_groups) + 1, dtype=np.int64)
    if len(sizes):
        np.cumsum(sizes[decisions.cell_groups], out=cumulative[1:])
    per_cell = cumulative[decisions.cell_offsets[1:]] - cumulative[decisions.cell_offsets[:-1]]
    counts: np.ndarray = per_cell.reshape(n_areas, n_days).sum(axis=0) if n_days else np.zeros(0, np.int64)
    return counts


def _date_windows(cited: np.ndarray, most_dates: int, most_cited: int) -> list[tuple[int, int]]:
    """Consecutive ``(start, stop)`` ranges of dates covering every date once: each at most
    ``most_dates`` dates citing at most ``most_cited`` reports together (at least one date each)."""
    windows = []
    counts = cited.tolist()
    start, most_dates = 0, max(1, most_dates)
    while start < len(counts):
        stop, total = start + 1, counts[start]
        while stop < len(counts) and stop - start < most_dates and total + counts[stop] <= most_cited:
            total += counts[stop]
            stop += 1
        windows.append((start, stop))
        start = stop
    return windows


def _conflict_days(counted: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """The distinct (area id, date) of the ``mask`` rows, sorted; only those two columns are copied."""
    if not mask.any():
        return _empty([AREA_ID, DATE])
    # As counted.loc[mask, [AREA_ID, DATE]].drop_duplicates(), found on codes: a row of each
    # distinct (area, date) among the rows in conflict, then only those rows copied.
    area_at, n_areas = _slicer(counted[AREA_ID])
    day_at, n_days = _slicer(counted[DATE])
    size = (n_areas + 1) * (n_days + 1)
    if size <= _PRESENCE_CELLS // 8:
        # a table of (area, date) cells marked a slice of rows at a time, with no sort and nothing
        # per row in conflict (at millions of reports most may be), each slice's codes made as it
        # comes; any row of a cell will do: equal codes, equal values
        some_row = np.full(size, -1, dtype=np.int64)
        for start in range(0, len(mask), _SLICE):
            stop = start + _SLICE
            local = np.flatnonzero(mask[start:stop])
            cell = (area_at(start, stop)[local].astype(np.int64) + 1) * (n_days + 1)
            cell += day_at(start, stop)[local]
            cell += 1
            some_row[cell] = start + local
        first = np.sort(some_row[some_row >= 0])
        return counted[[AREA_ID, DATE]].iloc[first].sort_values([AREA_ID, DATE], kind="stable").reset_index(drop=True)
    area, day = area_at(0, len(mask)), day_at(0, len(mask))
    del area_at, day_at
    rows = np.flatnonzero(mask)
    key = (area[rows].astype(np.int64) + 1) * (n_days + 1)
    key += day[rows]
    key += 1
    del area, day
    if size > _COUNTING_KEYS_PER_ROW * len(key) + 1_000_000:
        key, size = _refactorized(key)
    order = _key_order(key, size)
    sizes = np.bincount(key, minlength=size)
    del key
    starts = (np.cumsum(sizes) - sizes)[sizes > 0]
    first = np.sort(rows[order[starts]])
    del order, rows
    days = counted[[AREA_ID, DATE]].iloc[first]
    return days.sort_values([AREA_ID, DATE], kind="stable").reset_index(drop=True)


def _disagree(keys: list[pd.Series], status: pd.Series) -> np.ndarray:
    """Rows whose group (equal ``keys``; rows with a missing key in no group) has more than one distinct
    status (missing statuses aside): ``groupby(keys)[status].transform("nunique") > 1``, on codes.

    Categories and days are their own codes (no hashing). While groups times statuses are few
    (an area's days: a few hundred thousand, a handful of statuses), a table marks which statuses
    each group has, with no sort; else groups are put in order by a counting sort, and each row
    reads its group's answer. Either way a few bytes per row."""
    n = len(status)
    if n == 0:
        return np.zeros(0, dtype=bool)
    most = _COUNTING_KEYS_PER_ROW * n + 1_000_000
    sliced = [_code_slices(key) for key in keys]
    status_sliced = _code_slices(status)
    if status_sliced is not None and all(c is not None for c in sliced):
        columns = [c for c in sliced if c is not None]
        size = math.prod(count + 1 for _, count in columns)
        if size <= most and size * (status_sliced[1] + 1) <= _PRESENCE_CELLS:
            return _disagree_in_slices(columns, status_sliced, size, n)
    del sliced, status_sliced
    group: np.ndarray | None = None
    size = 1
    valid: np.ndarray | None = None
    for key in keys:
        codes, count = _codes(key)
        missing = codes < 0
        if missing.any():
            valid = ~missing if valid is None else valid & ~missing
        del missing
        if group is None:
            group, size = codes.astype(_wide_enough(count + 1)), count + 1
            group += 1
            continue
        if size * (count + 1) > most:  # keep the combined code below the number of rows
            group, size = _refactorized(group)
        if group.dtype != _wide_enough(size * (count + 1)):
            group = group.astype(np.int64)
        group *= count + 1
        group += codes
        group += 1
        size *= count + 1
        del codes
    assert group is not None
    if size > most:
        group, size = _refactorized(group)
    codes, count = _codes(status)
    small = codes.astype(code_dtype(count + 1), copy=False)
    del codes
    if size * (count + 1) <= _PRESENCE_CELLS:
        several = _several_statuses(group, small, size, count)
    else:
        several = _several_statuses_sorted(group, small, size, count)
    del small
    out: np.ndarray = several[group]
    if valid is not None:
        out &= valid
    return out


def _disagree_in_slices(
    keys: list[tuple[Callable[[int, int], np.ndarray], int]],
    status: tuple[Callable[[int, int], np.ndarray], int],
    size: int,
    n: int,
) -> np.ndarray:
    """:func:`_disagree` by the table of statuses per group, a slice of rows at a time: each slice's
    group codes are made twice (to mark the table, then to read it), so nothing but the answer, a
    bit per row, grows with the rows (the group codes of every row took 4 bytes a row, and a date's
    day codes 4 more)."""
    status_at, count = status

    def groups(start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        group = np.zeros(min(stop, n) - start, dtype=np.int64)
        valid = np.ones(len(group), dtype=bool)
        for codes_at, values in keys:  # the codes of the keys in mixed radix; a missing one (-1) in no group
            codes = codes_at(start, stop)
            valid &= codes >= 0
            group *= values + 1
            group += codes
            group += 1
        return group, valid

    present = np.zeros((count + 1, size), dtype=bool)
    for start in range(0, n, _SLICE):
        group, _valid = groups(start, start + _SLICE)
        present[status_at(start, start + _SLICE), group] = True  # a missing status (-1): the last line
    several = present[:count].sum(axis=0, dtype=np.int32) > 1
    del present
    out = np.empty(n, dtype=bool)
    for start in range(0, n, _SLICE):
        group, valid = groups(start, start + _SLICE)
        out[start : start + _SLICE] = several[group] & valid
    return out


def _wide_enough(size: int) -> type[np.signedinteger]:
    """int32 for codes below ``size`` while they fit in it (half the bytes per row), else int64."""
    return np.int32 if size < 2**31 else np.int64


_PRESENCE_CELLS = 50_000_000
"""Most groups x statuses for which :func:`_disagree` marks statuses in a table (one byte each)."""


def _several_statuses(group: np.ndarray, status: np.ndarray, size: int, count: int) -> np.ndarray:
    """Per group code (``0 .. size - 1``), whether its rows have more than one status code (``0 ..
    count - 1``; -1, missing, aside): each status present marked in a (status, group) table."""
    present = np.zeros((count + 1, size), dtype=bool)
    present[status, group] = True  # a missing status (-1) marks the last line, left out below
    several: np.ndarray = present[:count].sum(axis=0, dtype=np.int32) > 1
    return several


def _several_statuses_sorted(group: np.ndarray, status: np.ndarray, size: int, count: int) -> np.ndarray:
    """As :func:`_several_statuses`, by a stable counting sort of the rows by group."""
    order = _key_order(group, size)
    ranked = status[order]
    del order
    sizes = np.bincount(group, minlength=size)
    used = np.flatnonzero(sizes)
    starts = (np.cumsum(sizes) - sizes)[used]
    del sizes
    # the lowest and highest status code of each group, missing statuses (-1) aside
    high = np.maximum.reduceat(ranked, starts)
    ranked[ranked < 0] = count
    low = np.minimum.reduceat(ranked, starts)
    del ranked
    several = np.zeros(size, dtype=bool)
    several[used] = low < high
    return several


_COUNTING_KEYS_PER_ROW = 4
"""Group codes are combined while there are at most this many possible codes per row (plus a million)."""


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Codes ``0 .. count - 1`` of a column's values (-1 where missing) and ``count``: a category's own
    codes, a date's day, else the codes of ``pandas.factorize``. Equal values, equal codes."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), len(values.cat.categories)
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "M":
        found = _day_codes(values.to_numpy("datetime64[ns]").view(np.int64))
        if found is not None:
            return found
    codes, uniques = pd.factorize(values)
    return codes, len(uniques)


_DAY_NS = 86_400_000_000_000
_SLICE = 1 << 20
"""Rows converted at once where a whole column's temporary copies would cost several bytes per row."""


def _day_codes(ns: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Days from the first (``int32``; -1 where missing) of nanosecond times that are all midnights,
    and the span of days; ``None`` when some is not a midnight, none is known or the span is much
    wider than the rows. Worked a slice at a time: only the ``int32`` codes grow with the rows."""
    span = _day_span(ns)
    if span is None:
        return None
    first, count = span
    days = np.empty(len(ns), dtype=np.int32)
    for start in range(0, len(ns), _SLICE):
        days[start : start + _SLICE] = _days_from(ns[start : start + _SLICE], first)
    return days, count


def _days_from(ns: np.ndarray, first: int) -> np.ndarray:
    """Days from ``first`` of nanosecond midnights (``int32``; -1 where missing)."""
    days = (ns // _DAY_NS - first).astype(np.int32)
    days[ns == _NAT] = -1
    return days


def _slicer(values: pd.Series) -> tuple[Callable[[int, int], np.ndarray], int]:
    """:func:`_code_slices`, or where it gives none the whole column's codes, sliced."""
    sliced = _code_slices(values)
    if sliced is not None:
        return sliced
    codes, count = _codes(values)
    return (lambda start, stop: codes[start:stop]), count


def _code_slices(values: pd.Series) -> tuple[Callable[[int, int], np.ndarray], int] | None:
    """As :func:`_codes`, a slice of rows at a time: a function giving the codes of rows
    ``start:stop``, and ``count``; ``None`` where only the whole column's codes will do (text,
    factorized at once). A category's codes are its own; a date's day is worked out per slice,
    so nothing of the column's size is made."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        return (lambda start, stop: codes[start:stop]), len(values.cat.categories)
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "M" and len(values):
        ns = values.to_numpy("datetime64[ns]").view(np.int64)
        span = _day_span(ns)
        if span is not None:
            first, count = span
            return (lambda start, stop: _days_from(ns[start:stop], first)), count
    return None


def _day_span(ns: np.ndarray) -> tuple[int, int] | None:
    """The first day and the span of :func:`_day_codes`, without making the codes."""
    low = high = None
    for start in range(0, len(ns), _SLICE):
        part = ns[start : start + _SLICE]
        known = part[part != _NAT]
        if not len(known):
            continue
        if (known % _DAY_NS).any():
            return None
        a, b = int(known.min()), int(known.max())
        low, high = (a, b) if low is None or high is None else (min(low, a), max(high, b))
    if low is None or high is None:
        return None
    first, last = low // _DAY_NS, high // _DAY_NS
    if last - first >= _COUNTING_KEYS_PER_ROW * len(ns) + 1_000_000:
        return None
    return first, last - first + 1


_NAT = np.iinfo(np.int64).min


def _refactorized(group: np.ndarray) -> tuple[np.ndarray, int]:
    codes, uniques = pd.factorize(group)
    return codes.astype(np.int64, copy=False), len(uniques)


def _evidence_json(
    timeline: ControlTimeline, decisions: Decisions, members: list[list[int]], inverse: np.ndarray
) -> tuple[Any, Any]:
    """:func:`_evidence_columns` as JSON text: each report's object written once as text (the bytes
    ``json.dumps`` gives), each evidence set joined from them; no dict per report."""
    group_offsets, rows = decisions.group_offsets, decisions.rows
    needed = sorted({g for groups in members for g in groups})
    parts = [rows[group_offsets[g] : group_offsets[g + 1]] for g in needed]
    positions = np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
    del parts
    texts, source = timeline._report_texts(positions)
    evidence = np.empty(len(members), dtype=object)
    sources = np.empty(len(members), dtype=object)
    for k, groups in enumerate(members):
        at = [np.searchsorted(positions, rows[group_offsets[g] : group_offsets[g + 1]]) for g in groups]
        index = np.concatenate(at).tolist() if at else []
        evidence[k] = "[" + ", ".join([texts[i] for i in index]) + "]"
        sources[k] = "; ".join(dict.fromkeys(source[i] for i in index if source[i]))
    del texts, source
    if not len(members):
        return evidence[inverse], sources[inverse]
    return _take(pd.Series(evidence), inverse), _take(pd.Series(sources), inverse)


def report_json(
    table: pd.DataFrame, source: Sequence[object], note: Sequence[object], *, with_source: bool = False
) -> list[str]:
    """Each report's evidence object as JSON text, the bytes ``json.dumps(..., ensure_ascii=False)``
    gives for it: ``date, place, status, source, note`` (``source`` and ``note`` given beside the
    table's rows), then ``precision`` for an imprecise report and ``scope`` for a province-wide one.
    ``with_source``: each followed by a newline and the source itself (no text where it is missing),
    as the evidence text store keeps them (JSON text holds no raw newline).

    Text that repeats (a category's values, the precision descriptions) is encoded once."""
    iso = np.datetime_as_string(table[DATE].to_numpy("datetime64[D]"), unit="D").tolist()
    extra = np.full(len(table), "}", dtype=object)
    if PLACE_PRECISION in table.columns and DATE_PRECISION in table.columns:
        places, days_known = table[PLACE_PRECISION].to_numpy(), table[DATE_PRECISION].to_numpy()
        imprecise = np.flatnonzero((places > 1) | (days_known > 1))
        pairs = list(zip(places[imprecise].tolist(), days_known[imprecise].tolist(), strict=True))
        described = {
            pair: f', "{PRECISION}": {_json_value(describe_precision(*pair))}}}' for pair in dict.fromkeys(pairs)
        }
        extra[imprecise] = [described[pair] for pair in pairs]
    if SCOPE in table.columns:
        wide = np.flatnonzero(table[SCOPE].eq(PROVINCE_WIDE).to_numpy())
        extra[wide] = [f'{e[:-1]}, "{SCOPE}": "{PROVINCE_WIDE}"}}' for e in extra[wide].tolist()]
    ends: list[str] = extra.tolist()
    if with_source:
        raw = [value if type(value) is str else "" for value in source]
        ends = [f"{e}\n{s}" for e, s in zip(ends, raw, strict=True)]
        del raw
    return [
        f'{{"{DATE}": "{d}", "{PLACE}": {p}, "{STATUS}": {st}, "{SOURCE}": {so}, "{NOTE}": {no}{more}'
        for d, p, st, so, no, more in zip(
            iso,
            _json_values(table[PLACE]),
            _json_values(table[STATUS]),
            _json_values(source),
            _json_values(note),
            ends,
            strict=True,
        )
    ]


def _json_values(values: pd.Series | Sequence[object]) -> list[str]:
    """:func:`_json_value` of each value; a category's values encoded once each (those present)."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories
        used, inverse = np.unique(values.cat.codes.to_numpy(), return_inverse=True)
        present = categories.take(np.maximum(used, 0)).tolist()
        encoded = np.empty(len(used), dtype=object)
        encoded[:] = [_json_value(np.nan if c < 0 else v) for c, v in zip(used.tolist(), present, strict=True)]
        taken: list[str] = encoded[inverse.ravel()].tolist()
        return taken
    items = values.tolist() if isinstance(values, pd.Series) else values
    try:
        return list(map(_encode_text, items))  # all text: the common case
    except TypeError:
        return [_json_value(v) for v in items]


def _json_value(value: object) -> str:
    """``json.dumps(value, ensure_ascii=False)``, the common case (text) without building an encoder."""
    return _encode_text(value) if type(value) is str else json.dumps(value, ensure_ascii=False)


def _join_sources(records: Iterable[dict[str, Any]]) -> str:
    return "; ".join(dict.fromkeys(r[SOURCE] for r in records if r[SOURCE]))


# ---------------------------------------------------------------------- helpers
def _distinct_days(dates: pd.Series) -> list[dt.date]:
    """The sorted distinct days of a datetime column, as ``datetime.date``."""
    days = np.unique(pd.to_datetime(dates).to_numpy("datetime64[D]"))
    return [d.item() for d in days[~np.isnat(days)]]
