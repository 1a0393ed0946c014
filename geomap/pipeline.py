"""The data flow in one place: reports -> geocode -> join -> timeline.

:func:`build_timeline` runs the steps in order, each from its own module:

1. :func:`geomap.reports.read_reports` reads and validates the reports;
2. the geocoder (:class:`geomap.geocode.Geocoder`, offline by default, or any
   callable that takes a list of names and returns a table like
   :func:`geomap.geocode.geocode`) resolves the places that have no coordinates;
3. :func:`geomap.join.locate_reports` puts each report into an area;
4. :class:`geomap.timeline.ControlTimeline` works out every area's status on
   every reporting date.

Rendering and exporting take the timeline from there. No step reaches back to an
earlier one: the timeline never reads files or calls a geocoder.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import itertools
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from geomap._pages import on_ordinary_pages
from geomap.errors import GeocodeError, InputError, OutputError, shown

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from geomap._textstore import TextStore
    from geomap.scheme import StatusScheme
    from geomap.timeline import ControlTimeline

#: Anything that turns a list of place names into a geocoder table (one row per name,
#: in order, with at least ``name, kind, province_iso, lat, lon, confidence, method, reason``).
GeocoderLike: TypeAlias = "Callable[[list[str]], pd.DataFrame]"
#: Reports as :func:`geomap.reports.read_reports` accepts them.
ReportsLike: TypeAlias = "str | os.PathLike[str] | pd.DataFrame | list[dict[str, object]]"

LEVELS = ("province", "district")
ENGINES = ("pandas", "dask")
AGGREGATIONS = ("capital", "latest", "majority")
FREQUENCIES = {"D": 1, "W": 7}


@on_ordinary_pages
def build_timeline(
    reports: ReportsLike,
    *,
    level: Literal["province", "district"] = "province",
    boundaries: gpd.GeoDataFrame | None = None,
    scheme: StatusScheme | None = None,
    geocoder: GeocoderLike | None = None,
    dates: Iterable[str | dt.date] | None = None,
    freq: Literal["D", "W"] | None = None,
    aggregate: Literal["capital", "latest", "majority"] = "capital",
    strict: bool = False,
    sheet: str | int | None = None,
    min_precision: int | None = None,
    engine: Literal["pandas", "dask"] = "pandas",
    day_first: bool = False,
    month_first: bool = False,
) -> ControlTimeline:
    """Read reports, geocode their places, join them to areas and build the control timeline.

    Parameters
    ----------
    reports
        A reports file (``.csv``, ``.tsv``, ``.json``, ``.xlsx``; see
        :func:`geomap.reports.read_reports`), a DataFrame (a GeoDataFrame of points: each
        point as the report's ``lat``/``lon``) or a list of records
        with ``date, place, status`` and optional ``source, note, lat, lon, level``.
    level
        ``"province"`` (default) maps the 34 bundled provinces; ``"district"``
        the 398 bundled districts (see :mod:`geomap.levels`; with ``strict``,
        a report naming only a province is refused there). Not together with
        ``boundaries``.
    boundaries
        Your own area polygons from :func:`geomap.boundaries.load_boundaries`.
    scheme
        The status scheme; :data:`geomap.scheme.AFGHANISTAN_2021` by default.
    geocoder
        Resolves place names that have no coordinates: ``None`` uses the
        offline gazetteer; pass :class:`geomap.geocode.Geocoder` with
        ``online="nominatim"`` (and a user agent) to ask an online service
        about names the gazetteer misses, or any callable that takes a list
        of names and returns a table like :func:`geomap.geocode.geocode`.
    dates
        Explicit reporting dates (``YYYY-MM-DD`` strings or dates).
    freq
        ``"D"`` (every day) or ``"W"`` (every 7th day) from the first report
        to the last. By default the reporting dates are the distinct report dates.
    aggregate
        Which reports set an area's status: ``"capital"``, ``"latest"`` or
        ``"majority"`` (see :mod:`geomap.timeline`).
    strict
        Raise :class:`~geomap.errors.GeocodeError` when any report cannot be
        placed, instead of listing it in ``timeline.unresolved``.
    sheet
        The worksheet of an ``.xlsx`` reports file (name or 1-based number);
        the first by default.
    day_first
        Read dates written with numbers day first (``15/08/2021``, ``05.08.2021``: 5 August),
        as :func:`geomap.reports.read_reports` does.
    month_first
        Read dates written with numbers month first (``8/15/2021``: 15 August), as American
        spreadsheets save them; not with ``day_first``.
    min_precision
        Keep only reports at least this precise in place and date (1-3, see
        :mod:`geomap.precision`); ``None`` keeps all. The number left out is
        the timeline's ``imprecise_dropped``.
    engine
        ``"pandas"`` (default, in process) or ``"dask"``: the join and the
        per-date aggregation on Dask (the active ``distributed`` client if
        any), with the same results; needs ``pip install 'geomap[dask]'``.

    Returns
    -------
    ControlTimeline
        The timeline; ``timeline.unresolved`` lists the reports that could not
        be placed, each with a ``reason``.

    Raises
    ------
    InputError
        A bad argument (named in the message) or invalid reports (every bad
        row listed with its row, column, value and what to do).
    GeocodeError
        ``strict=True`` and some report could not be placed.

    Examples
    --------
    >>> from geomap.pipeline import build_timeline
    >>> timeline = build_timeline(
    ...     [{"date": "2021-08-12", "place": "Ghazni", "status": "taliban"},
    ...      {"date": "2021-08-15", "place": "Kabul", "status": "taliban"}]
    ... )
    >>> timeline.status(on="2021-08-13").set_index("area_id").loc["AF-GHA", "status"]
    'taliban'
    """
    import numpy as np

    from geomap._threads import concurrently
    from geomap.join import PARALLEL_MIN_ROWS, AreaText, _locate_on_districts, _locate_reports, points_ahead
    from geomap.precision import check_min_precision, keep_mask
    from geomap.reports import read_reports
    from geomap.timeline import ControlTimeline

    scheme = _checked_options(scheme, level, aggregate, engine, dates, freq, geocoder)
    check_min_precision(min_precision)
    areas = _areas(level, boundaries)
    provinces = boundaries is None and level == "province"
    districts = boundaries is None and level == "district"
    province_polygons = None if provinces or districts else _bundled_provinces()
    bounds = _report_bounds(areas, bundled=boundaries is None)
    # A given list of dates is parsed now and refused after the file's problems, as before: a bad
    # list must not leave a join running that nothing would use.
    given_dates: list[dt.date] | None = None
    bad_dates: InputError | None = None
    if dates is not None:
        try:
            given_dates = _reporting_dates(np.empty(0, dtype="datetime64[D]"), dates=dates, freq=freq)
        except InputError as error:
            bad_dates = error
    # The reports' points are joined to the areas while the rest of the table is built, once the
    # file's values are checked (unless rows will be dropped, which would leave other points to join).
    ahead = points_ahead(
        areas,
        districts=districts,
        provinces=provinces,
        province_polygons=province_polygons,
        engine=engine,
        provinces_later=True,  # the area columns are left to write (place(), below), and with them the provinces
    )
    on_points = ahead.start if min_precision is None and engine == "pandas" and bad_dates is None else None
    table = read_reports(
        reports,
        scheme=scheme,
        bounds=bounds,
        sheet=sheet,
        on_points=on_points,
        day_first=day_first,
        month_first=month_first,
    )
    if min_precision is not None:
        table = _geocoded_precision(table, geocoder, None if boundaries is None else areas)
    keep = keep_mask(table, min_precision)
    if not keep.all():
        table = table[keep].reset_index(drop=True)

    def place() -> tuple[pd.DataFrame, pd.DataFrame, AreaText | None]:
        # the area columns are left to build until timeline.reports is asked for
        geocoded = geocode_places(table, geocoder, areas=None if boundaries is None else areas)
        if districts:
            return _locate_on_districts(table, areas, geocoded=geocoded, engine=engine, ahead=ahead, defer=True)
        return _locate_reports(
            table,
            areas,
            provinces=provinces,
            geocoded=geocoded,
            province_polygons=province_polygons,
            engine=engine,
            ahead=ahead,
            defer=True,
        )

    if bad_dates is not None:  # refused before any join
        raise bad_dates
    if given_dates is not None:  # the reports' days are not needed
        reporting_dates = given_dates
        located, unresolved, area_text = place()
    else:  # the reports' days are counted while they are placed
        (located, unresolved, area_text), seen = concurrently(
            place, lambda: _observed_days(table), parallel=len(table) >= PARALLEL_MIN_ROWS
        )
        _warn_suspect_days(seen)
        reporting_dates = _reporting_dates(seen, dates=None, freq=freq)
    if strict:
        _refuse_unplaced(reports, located, unresolved)
    timeline = ControlTimeline(
        areas,
        located,
        scheme=scheme,
        reporting_dates=reporting_dates,
        aggregate=aggregate,
        provinces=provinces,
        unresolved=unresolved,
        level=None if boundaries is not None else level,
        engine=engine,
        _area_text=area_text,
    )
    timeline.imprecise_dropped = int((~keep).sum())
    _release_arrow_memory()
    _warn_unplaced(timeline)
    _warn_uncounted(timeline)
    return timeline


def _warn_unplaced(timeline: ControlTimeline) -> None:
    """Say, as an :class:`~geomap.errors.UnplacedReportsWarning`, how many reports were left out and why."""
    unresolved = timeline.unresolved
    if not len(unresolved):
        return
    import warnings

    from geomap.errors import UnplacedReportsWarning, shown

    first = unresolved.iloc[0]
    warnings.warn(
        f"{len(unresolved):,} report(s) could not be placed on the {timeline.area_noun} and are left out, "
        f"e.g. {shown(first['place'])} (row {first['row']}: {first['reason']}); see timeline.unresolved",
        UnplacedReportsWarning,
        stacklevel=_outside_geomap(),
    )


def uncounted_reports(timeline: ControlTimeline) -> tuple[int, list[str], int]:
    """How many reports the ``capital`` rule keeps out of the provinces' statuses (about districts, towns or
    villages), with the first of their places (at most 1,000 looked at) and how many of them are about a
    part of a province they do not name (kind ``part``: no district map places them either); ``(0, [], 0)``
    under another rule or on other areas."""
    import numpy as np

    from geomap.geocode import KIND
    from geomap.join import PART
    from geomap.timeline import DIRECT_KINDS

    reports = timeline._reports
    if timeline.aggregate != "capital" or not timeline.provinces or KIND not in reports.columns:
        return 0, [], 0
    kinds = reports[KIND]
    left = ~kinds.isin(DIRECT_KINDS).to_numpy()
    count = int(left.sum())
    if not count:
        return 0, [], 0
    places = list(dict.fromkeys(reports["place"].iloc[np.flatnonzero(left)[:1000]]))  # no object per report
    return count, places, int(kinds.eq(PART).sum())


def uncounted_advice(count: int, parts: int, *, cli: bool) -> str:
    """What to do about ``count`` reports the ``capital`` rule leaves out, ``parts`` of them about a part of a
    province they do not name (which only ``latest`` or ``majority`` count: no district map places them)."""
    rules = "--aggregate latest or majority" if cli else "aggregate='latest' or 'majority'"
    level = "map districts with --level district" if cli else "use level='district'"
    if parts == count:
        return f"count them with {rules} (they name no district)"
    if parts:
        return f"count them with {rules}, or {level} ({parts:,} of them name no district and stay off that map)"
    return f"count them with {rules}, or {level}"


def _warn_uncounted(timeline: ControlTimeline) -> None:
    """Say, as an :class:`~geomap.errors.UncountedReportsWarning`, how many reports set no province's status."""
    count, places, parts = uncounted_reports(timeline)
    if not count:
        return
    import warnings

    from geomap.errors import UncountedReportsWarning, shown

    listed = ", ".join(shown(p) for p in places[:3]) + (", ..." if len(places) > 3 else "")
    warnings.warn(
        f"{count:,} report(s) about districts, towns or villages ({listed}) do not set a province's status "
        "under aggregate='capital' (only reports about a province or its capital do); "
        + uncounted_advice(count, parts, cli=False),
        UncountedReportsWarning,
        stacklevel=_outside_geomap(),
    )


def _outside_geomap() -> int:
    """The ``stacklevel`` of the first caller outside the geomap package (a warning names the user's line)."""
    import sys
    from types import FrameType

    package = str(Path(__file__).resolve().parent)
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _checked_options(
    scheme: StatusScheme | None,
    level: str,
    aggregate: str,
    engine: str,
    dates: Iterable[str | dt.date] | None,
    freq: str | None,
    geocoder: GeocoderLike | None,
) -> StatusScheme:
    """Refuse a bad option of :func:`build_timeline` in one line; return the scheme to use."""
    from geomap.scheme import AFGHANISTAN_2021, StatusScheme

    scheme = AFGHANISTAN_2021 if scheme is None else scheme
    if not isinstance(scheme, StatusScheme):
        raise InputError(f"scheme: expected a StatusScheme (see geomap.load_scheme), got {type(scheme).__name__}")
    _check_choice("aggregate", aggregate, AGGREGATIONS)
    _check_choice("level", level, LEVELS)
    _check_choice("engine", engine, ENGINES)
    if dates is not None and freq is not None:
        raise InputError("dates, freq: give either explicit reporting dates or a frequency, not both")
    if freq is not None:
        _check_choice("freq", freq, tuple(FREQUENCIES))
    if geocoder is not None and not callable(geocoder):
        raise InputError(
            f"geocoder: expected a Geocoder or a callable taking a list of names, got {type(geocoder).__name__}"
        )
    return scheme


#: The columns of located reports a timeline reads (statuses, evidence, conflicts, province-wide reports).
LEAN_COLUMNS = (
    "row",
    "date",
    "place",
    "status",
    "source",
    "note",
    "area_id",
    "area_name",
    "name",
    "kind",
    "province_iso",
    "scope",
    "place_precision",
    "date_precision",
)
_LEAN_NUMBERS = {"row": "int32", "place_precision": "int8", "date_precision": "int8"}


def lean_columns(aggregate: str, *, provinces: bool) -> list[str]:
    """:data:`LEAN_COLUMNS` less those the rule does not read: the geocoded ``name`` only under
    ``majority`` (places vote), the gazetteer ``kind`` only under ``capital`` on provinces (which
    reports count). Each is some bytes a report that nothing reads otherwise."""
    unread = set()
    if aggregate != "majority":
        unread.add("name")
    if not (aggregate == "capital" and provinces):
        unread.add("kind")
    return [c for c in LEAN_COLUMNS if c not in unread]


@on_ordinary_pages
def build_timeline_lean(reports: ReportsLike, **options: Any) -> ControlTimeline:
    """:func:`build_timeline` for a caller that reads only the timeline's statuses, conflicts and
    evidence (``geomap export``): the same timeline in a fraction of the memory at millions of reports.

    A large, plain CSV or TSV file (one record per line: what the fast reader takes) is read,
    checked, geocoded and placed a chunk at a time, so it is never held whole. Every problem in
    the file is still reported, with its row, before anything is returned. ``timeline.reports``
    then keeps only :data:`LEAN_COLUMNS` (``name`` only under ``majority``, ``kind`` only under
    ``capital`` on provinces: :func:`lean_columns`), text with few distinct values as ``category`` (sorted
    categories), and ``timeline.unresolved`` is as usual. Any other input (or ``engine="dask"``,
    or a file that turns out not to be plain) is built by :func:`build_timeline`.

    Where the file has ``source``/``note`` columns, their text is read in a second pass once the
    engine has decided and kept on disk, in a temporary file (deleted when the timeline is, or
    when the process ends) that the evidence reads a batch at a time: ``timeline.reports`` then
    has no ``source``/``note`` columns (the evidence, :meth:`~ControlTimeline.long` and
    :meth:`~ControlTimeline.conflicts` read them from the file).

    Parameters
    ----------
    reports, **options
        As for :func:`build_timeline`.
    text_dir
        The folder of that temporary file (default: the system's temporary folder); ``geomap
        export`` puts it beside its output.
    text_on_demand
        For a caller that cites few reports (``geomap map``: a page carries at most a few
        thousand): no temporary file; each call for evidence text reads the reports it asks for
        from the file in one pass over its ``source``/``note`` columns.
    """
    from geomap._chunked import NotPlain

    text_dir = options.pop("text_dir", None)
    on_demand = bool(options.pop("text_on_demand", False))
    if isinstance(reports, str | os.PathLike) and options.get("engine", "pandas") == "pandas":
        path = Path(reports)
        if path.suffix.lower() in (".csv", ".txt", ".tsv", "") and path.is_file() and options.get("sheet") is None:
            try:
                delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
                return _build_in_chunks(
                    reports, path, delimiter, text_dir=text_dir, text_on_demand=on_demand, **options
                )
            except NotPlain:
                _release_arrow_memory()  # then read it whole, carefully
    return build_timeline(reports, **options)


def _build_in_chunks(
    reports: str | os.PathLike[str],
    path: Path,
    delimiter: str,
    *,
    level: Literal["province", "district"] = "province",
    boundaries: gpd.GeoDataFrame | None = None,
    scheme: StatusScheme | None = None,
    geocoder: GeocoderLike | None = None,
    dates: Iterable[str | dt.date] | None = None,
    freq: Literal["D", "W"] | None = None,
    aggregate: Literal["capital", "latest", "majority"] = "capital",
    strict: bool = False,
    sheet: str | int | None = None,
    min_precision: int | None = None,
    engine: Literal["pandas", "dask"] = "pandas",
    text_dir: str | os.PathLike[str] | None = None,
    text_on_demand: bool = False,
    day_first: bool = False,
    month_first: bool = False,
) -> ControlTimeline:
    """:func:`build_timeline` on a plain CSV file read a chunk at a time (see :func:`build_timeline_lean`).

    Errors come in the order :func:`build_timeline` raises them: every row's problems first,
    then a bad ``dates``, then the geocoder's or the join's; so a chunk's later steps are skipped
    (and their error kept) once any earlier step has failed.

    Raises
    ------
    NotPlain
        The file needs the careful reader (nothing is kept).
    """
    import numpy as np
    import pandas as pd

    from geomap._chunked import NotPlain, assemble, compact_piece, header_names, plain_csv_chunks
    from geomap.join import KIND, about_province, locate_on_districts, locate_reports
    from geomap.precision import check_min_precision, keep_mask
    from geomap.reports import ReportsError, validate_reports
    from geomap.schema import AREA_ID, NOTE, PROVINCE_ISO, SOURCE
    from geomap.timeline import ControlTimeline

    scheme = _checked_options(scheme, level, aggregate, engine, dates, freq, geocoder)
    check_min_precision(min_precision)
    bound_heap()
    areas = _areas(level, boundaries)
    provinces = boundaries is None and level == "province"
    districts = boundaries is None and level == "district"
    bounds = _report_bounds(areas, bundled=boundaries is None)
    province_polygons = None if provinces or districts else _bundled_provinces()
    if geocoder is None:
        from geomap.geocode import Geocoder

        geocoder = Geocoder()
    failures: dict[int, Exception] = {}  # step -> its first error: 1 dates, 2 geocoding and joining
    try:
        _reporting_dates(np.empty(0, dtype="datetime64[D]"), dates=dates, freq=None)
    except InputError as exc:
        failures[1] = exc
    problems: list[str] = []
    days: list[np.ndarray] = []
    main: list[pa.Table] = []
    spread: list[tuple[pa.Table, np.ndarray | None]] = []
    taken: list[np.ndarray] = []  # district level: (district, day) keys of the specific reports
    unresolved_parts: list[pd.DataFrame] = []
    empty: pd.DataFrame | None = None
    dropped = 0
    area_index = pd.Index(areas[AREA_ID])
    lean = lean_columns(aggregate, provinces=provinces)
    coded = Codebooks([c for c in CODED_COLUMNS if c in lean])
    # Free text (sources, notes) is checked by nothing and read by the evidence only: it is read
    # in a second pass once the engine has decided, so the two never sit in memory together.
    names = header_names(path, delimiter=delimiter)
    folded = [n.lower() for n in names]
    later = [n for n, f in zip(names, folded, strict=True) if f in (SOURCE, NOTE) and folded.count(f) == 1]
    blank: list[int] = []  # rows of the blank lines skipped: the free text's pass skips them too
    for frame, rows in _checked_chunks(plain_csv_chunks(path, delimiter=delimiter, skip=later, blank=blank), path):
        try:
            table = validate_reports(
                frame,
                scheme=scheme,
                source_name=str(path),
                rows=rows,
                bounds=bounds,
                day_first=day_first,
                month_first=month_first,
            )
        except ReportsError as exc:
            problems += exc.problems
            continue
        except InputError:
            raise NotPlain(path) from None  # a header problem: reported as the whole-file reader reports it
        del frame
        if min_precision is not None:
            table = _geocoded_precision(table, geocoder, None if boundaries is None else areas)
        keep = keep_mask(table, min_precision)
        if not keep.all():
            dropped += int((~keep).sum())
            table = table[keep].reset_index(drop=True)
        days.append(_observed_days(table))
        if problems or failures:
            continue
        try:
            geocoded = geocode_places(table, geocoder, areas=None if boundaries is None else areas)
            if districts:
                located, unresolved = locate_on_districts(table, areas, geocoded=geocoded, engine=engine)
            else:
                located, unresolved = locate_reports(
                    table,
                    areas,
                    provinces=provinces,
                    geocoded=geocoded,
                    province_polygons=province_polygons,
                    engine=engine,
                )
        except Exception as exc:  # raised once every row is checked, as when read whole
            failures[2] = exc
            continue
        del table, geocoded
        columns = [c for c in lean if c in located.columns]
        small = {c: t for c, t in _LEAN_NUMBERS.items() if c in columns}
        if empty is None:  # taken, not sliced: a slice of no rows would keep the chunk's columns alive
            empty = located[columns].take([])
        unresolved_parts.append(unresolved)
        # Province-wide reports spread over areas come last, after every chunk's own reports (as when read whole).
        wide = np.zeros(len(located), dtype=bool)
        if not provinces and KIND in located and PROVINCE_ISO in located:
            wide = about_province(located) & located[PROVINCE_ISO].ne("").to_numpy()
        keys = _area_day_keys(area_index, located) if districts else None
        if (~wide).any():
            main.append(coded(compact_piece(located[~wide], columns, small)))
            if keys is not None:
                taken.append(np.unique(keys[~wide]))
                if len(taken) >= 16:  # merged now and then: as many as the (district, day) pairs, not the chunks
                    taken = [np.unique(np.concatenate(taken))]
        if wide.any():
            spread.append(
                (coded(compact_piece(located[wide], columns, small)), keys[wide] if keys is not None else None)
            )
        del located, unresolved
        release_memory()
    if problems:
        raise ReportsError(str(path), problems)
    for step in sorted(failures):
        raise failures[step]
    if not days:
        raise NotPlain(path)  # no records: the whole-file reader says so
    seen = np.unique(np.concatenate(days))
    if dates is None:  # as build_timeline: only the report days that make reporting dates are looked at
        _warn_suspect_days(seen)
    reporting_dates = _reporting_dates(seen, dates=dates, freq=freq)
    if taken:  # a province-wide report never overrides a specific report of the same district and date
        specific = np.unique(np.concatenate(taken))
        spread = [
            (piece.filter(~np.isin(keys, specific)), keys) if keys is not None else (piece, keys)
            for piece, keys in spread
        ]
    pieces = main + [piece for piece, _keys in spread]
    del main, spread
    assert empty is not None  # every chunk was placed
    located = assemble(coded.decoded(pieces), list(empty.columns)) if pieces else empty
    release_memory()  # the pieces, before the codes are sorted: at 10,000,000 reports some 250 MB
    located = coded.categories(located)
    unresolved = pd.concat(unresolved_parts, ignore_index=True)
    del unresolved_parts
    release_memory()
    if strict:
        _refuse_unplaced(reports, located, unresolved)
    timeline = ControlTimeline(
        areas,
        located,
        scheme=scheme,
        reporting_dates=reporting_dates,
        aggregate=aggregate,
        provinces=provinces,
        unresolved=unresolved,
        level=None if boundaries is not None else level,
        engine=engine,
        _frugal=True,
    )
    timeline.imprecise_dropped = dropped
    if later:
        timeline._decisions()  # the engine's arrays, built before the free text is read
        release_memory()  # what deciding freed, before the text comes in
        _read_free_text(path, delimiter, later, timeline, blank, text_dir, on_demand=text_on_demand)
    _warn_unplaced(timeline)
    _warn_uncounted(timeline)
    return timeline


def _checked_chunks(chunks: Iterator[tuple[pd.DataFrame, np.ndarray]], path: Path) -> Iterator[Any]:
    """The chunks; records with too many or too few fields reported as the whole-file reader reports them."""
    from geomap._fastcsv import RaggedRows
    from geomap.reports import ReportsError, ragged_problems

    try:
        yield from chunks
    except RaggedRows as ragged:
        raise ReportsError(str(path), ragged_problems(path, ragged)) from None


CODED_COLUMNS = ("place", "name")
"""Text columns of the compact reports kept as codes into one dictionary for the whole file: place
names repeat over the file but may be mostly distinct within one chunk."""


class Codebooks:
    """Text columns of the compact reports' pieces as ``int32`` codes into one growing dictionary per
    column (each distinct text held once for the whole run), made ``category`` at the end.

    A column whose dictionary grows past :data:`CODEBOOK_LIMIT` values stops being coded (its
    pieces are decoded back to text): hashing an ever larger dictionary per chunk would cost more
    than the codes save.
    """

    def __init__(self, columns: Sequence[str]) -> None:
        import pyarrow as pa

        self.values: dict[str, pa.Array] = {c: pa.array([], type=pa.large_string()) for c in columns}
        self.dropped: set[str] = set()

    def __call__(self, piece: pa.Table) -> pa.Table:
        """The piece with its coded columns as codes (the dictionaries grown by its new values)."""
        for column in self.values:
            if column in self.dropped or column not in piece.column_names:
                continue
            codes = self._encode(column, piece.column(column))
            if codes is not None:
                piece = piece.set_column(piece.column_names.index(column), column, codes)
        return piece

    def _encode(self, column: str, chunked: pa.ChunkedArray) -> pa.Array | None:
        import pyarrow as pa
        import pyarrow.compute as pc

        array = chunked.combine_chunks()
        if pa.types.is_dictionary(array.type):  # few distinct: code the dictionary, then take
            codes = self._encode(column, pa.chunked_array([array.dictionary]))
            if codes is None:
                return None
            indices = array.indices.cast(pa.int32())
            return pc.if_else(indices.is_null(), pa.scalar(-1, pa.int32()), codes.take(indices))
        if not (pa.types.is_large_string(array.type) or pa.types.is_string(array.type)):
            self.dropped.add(column)
            return None
        array = array.cast(pa.large_string())
        known = self.values[column]
        found = pc.index_in(array, value_set=known)
        new = pc.and_(found.is_null(), array.is_valid())
        if pc.any(new).as_py():
            known = pa.concat_arrays([known, pc.unique(array.filter(new))])
            if len(known) > CODEBOOK_LIMIT:
                self.dropped.add(column)
                return None
            self.values[column] = known
            found = pc.index_in(array, value_set=known)
        return found.cast(pa.int32()).fill_null(-1)

    def decoded(self, pieces: list[pa.Table]) -> list[pa.Table]:
        """The pieces with the columns no longer coded back as text (the others stay codes)."""
        import pyarrow as pa

        for column in self.dropped & set(self.values):
            known = self.values[column]
            for k, piece in enumerate(pieces):
                if column in piece.column_names and pa.types.is_integer(piece.schema.field(column).type):
                    codes = piece.column(column).combine_chunks()
                    text = known.take(pa.array(codes.to_numpy(zero_copy_only=False), mask=codes.to_numpy() < 0))
                    pieces[k] = piece.set_column(piece.column_names.index(column), column, text)
        return pieces

    def categories(self, located: pd.DataFrame) -> pd.DataFrame:
        """The coded columns of the assembled reports as ``category`` (categories sorted), as
        :func:`geomap._chunked.text_column` makes them."""
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        for column, known in self.values.items():
            if column in self.dropped or column not in located.columns or located[column].dtype != np.int32:
                continue
            order = pc.array_sort_indices(known).to_numpy()
            rank = np.empty(len(order) + 1, dtype=np.int32)
            rank[order] = np.arange(len(order), dtype=np.int32)
            rank[-1] = -1  # a missing value's code (-1) reads the last entry: missing again
            # the type Arrow gives such a column (categories sorted), then the codes put into it
            # directly: one array of codes per report, no masked copies on the way
            categories = known.take(pa.array(order))
            dtype = pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), categories).to_pandas().dtype
            sorted_codes = rank[located[column].to_numpy()]
            located[column] = pd.Categorical.from_codes(sorted_codes, dtype=dtype)
        return located


CODEBOOK_LIMIT = 2_000_000
"""Most distinct values a :class:`Codebooks` column keeps coding."""


def _read_free_text(
    path: Path,
    delimiter: str,
    names: list[str],
    timeline: ControlTimeline,
    blank: list[int],
    directory: str | os.PathLike[str] | None = None,
    *,
    on_demand: bool = False,
) -> None:
    """Read the ``source``/``note`` columns (``names``: as in the file) in a second pass over the file.

    Each located report's evidence text (its JSON object and its source, exactly as the exports
    write them) goes to a :class:`geomap._textstore.TextStore` (a temporary file in ``directory``)
    as the chunks go by, the reports of neighbouring days side by side (so an export batch, a few
    reporting dates, reads a few stretches of the file), and ``timeline.reports`` loses its
    ``source``/``note`` columns: the evidence reads the text back a batch at a time. The unresolved
    reports (few, and listed with their sources) take their row's text into their own columns.
    The file's text is never held whole. ``on_demand``: no store; the located reports' text is
    read from the file when asked for (:class:`FileTexts`), and the second pass, only for the
    unresolved reports' text, is skipped when there are none.
    """
    import numpy as np
    import pyarrow as pa

    from geomap._chunked import RowPicker, compact_text, plain_csv_chunks, text_column
    from geomap._columnar import index_dtype
    from geomap._textstore import RowTexts, TextStore
    from geomap.reports import ROW, _cells, _text
    from geomap.schema import DATE, NOTE, SOURCE
    from geomap.timeline import report_json

    reports, unresolved = timeline.reports, timeline.unresolved
    in_file = {name.lower(): name for name in names}
    rows = reports[ROW].to_numpy()
    n = int(rows.max()) + 1 if len(rows) else 0
    # one report of each row (the copies of a province-wide report share its text)
    first = np.full(n, -1, dtype=index_dtype(len(rows)))
    first[rows] = np.arange(len(rows), dtype=first.dtype)
    del rows
    keys = _text_keys(first, reports[DATE])
    pickers = {
        name: RowPicker(_record_positions(unresolved[ROW].to_numpy(), np.asarray(blank, dtype=np.int64)), plain=True)
        for name in names
        if len(unresolved) and name.lower() in unresolved.columns
    }
    if on_demand:
        del first, keys
        _feed_pickers(path, delimiter, pickers)
        timeline._texts = FileTexts(path, delimiter, names, blank, reports)
        del reports[SOURCE], reports[NOTE]
        for name, picker in pickers.items():
            unresolved[name.lower()] = text_column(picker.result(), categories=False)
        release_memory()
        return
    store = TextStore(int(keys.max()) + 1 if len(keys) else 0, directory if _is_dir(directory) else None)
    try:
        for frame, chunk_rows in plain_csv_chunks(path, delimiter=delimiter, only=names):
            columns = {name: pa.array(_cells(_text(frame[name])), from_pandas=True) for name in names}
            del frame
            for name, picker in pickers.items():
                picker.add(compact_text(columns[name]))
            chunk_rows = chunk_rows[chunk_rows < n]  # the rows of the chunk's records (blank lines left out)
            local = np.flatnonzero(first[chunk_rows] >= 0)  # the records with a located report
            for start in range(0, len(local), TEXT_SLICE):  # a slice at a time: few Python strings at once
                part = local[start : start + TEXT_SLICE]
                located = chunk_rows[part]
                table = reports.iloc[first[located]]
                text = {
                    column: (
                        columns[in_file[column]].take(pa.array(part)).to_pylist()
                        if column in in_file
                        else table[column].tolist()
                    )
                    for column in (SOURCE, NOTE)
                }
                texts = report_json(table, text[SOURCE], text[NOTE], with_source=True)
                del table, text
                _write_runs(store, keys[located], texts)
                del texts, located
            del columns
            release_memory()
        store.finish()
    except OSError as exc:  # the temporary store of the reports' text: say where it was
        store.close()
        folder = directory if _is_dir(directory) else tempfile.gettempdir()
        reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise OutputError(
            f"{folder}: the reports' text could not be set aside there ({reason}); free some space and run again"
        ) from None
    except BaseException:
        store.close()
        raise
    del first
    del reports[SOURCE], reports[NOTE]  # in place: no copy of the other columns
    timeline._texts = RowTexts(store, keys)
    for name, picker in pickers.items():
        unresolved[name.lower()] = text_column(picker.result(), categories=False)
    del pickers
    release_memory()


def _feed_pickers(path: Path, delimiter: str, pickers: dict[str, Any]) -> None:
    """Feed each column's :class:`~geomap._chunked.RowPicker` (keyed by its name in the file) one
    pass over the file's text in those columns; no pass without pickers."""
    import pyarrow as pa

    from geomap._chunked import compact_text, plain_csv_chunks
    from geomap.reports import _cells, _text

    if not pickers:
        return
    for frame, _rows in plain_csv_chunks(path, delimiter=delimiter, only=list(pickers)):
        for name, picker in pickers.items():
            picker.add(compact_text(pa.array(_cells(_text(frame[name])), from_pandas=True)))
        del frame


class FileTexts:
    """The located reports' evidence text read from the reports file when asked for: each
    :meth:`read` is one pass over the file's ``source``/``note`` columns keeping only the rows
    asked for, so nothing of the text is held between calls (for a caller citing few reports;
    an export, citing them all a batch at a time, keeps them in a :class:`~geomap._textstore.TextStore`).
    """

    def __init__(self, path: Path, delimiter: str, names: list[str], blank: list[int], reports: pd.DataFrame) -> None:
        import numpy as np

        from geomap.schema import NOTE, SOURCE

        self.path, self.delimiter, self.names = path, delimiter, list(names)
        self.blank = np.asarray(blank, dtype=np.int64)
        self.reports = reports
        in_file = {name.lower() for name in self.names}
        # a column the file lacks: its values as the reports have them (before they lose it)
        self.given = {column: reports[column] for column in (SOURCE, NOTE) if column not in in_file}

    def read(self, rows: np.ndarray) -> list[str]:
        """The text of each of ``rows`` (rows of located reports), as :class:`~geomap._textstore.RowTexts` gives it."""
        import numpy as np

        from geomap._chunked import RowPicker
        from geomap.reports import ROW
        from geomap.schema import NOTE, SOURCE
        from geomap.timeline import report_json

        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return []
        wanted, inverse = np.unique(rows, return_inverse=True)
        every = self.reports[ROW].to_numpy()
        order = np.argsort(every, kind="stable")
        ordered = every[order]
        at = np.searchsorted(ordered, wanted)
        if (at >= len(every)).any() or (ordered[np.minimum(at, len(every) - 1)] != wanted).any():
            raise KeyError("rows without a located report")
        table = self.reports.iloc[order[at]]
        pickers = {name: RowPicker(_record_positions(wanted, self.blank), plain=True) for name in self.names}
        _feed_pickers(self.path, self.delimiter, pickers)
        in_file = {name.lower(): name for name in self.names}
        text = {
            column: (
                pickers[in_file[column]].result().to_pylist()
                if column in in_file
                else self.given[column].iloc[order[at]].tolist()
            )
            for column in (SOURCE, NOTE)
        }
        texts = report_json(table, text[SOURCE], text[NOTE], with_source=True)
        return [texts[k] for k in inverse.tolist()]


def _record_positions(rows: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Each row's position among the records a plain file's chunks give (its blank lines, sorted, left out)."""
    import numpy as np

    return rows - 2 - np.searchsorted(blank, rows) if len(blank) else rows - 2


TEXT_SLICE = 20_000
"""Reports whose evidence text is made at once in the second pass (bounds the Python strings held)."""
TEXT_RUN = 20_000
"""About how many reports of neighbouring days one stretch of the evidence text file holds."""


def _text_keys(first: np.ndarray, dates: pd.Series) -> np.ndarray:
    """Each row's key in the evidence text store (``int32``; -1 for a row without a located report,
    ``first[row]`` being one of its reports): rows in stretches of about :data:`TEXT_RUN` reports of
    neighbouring days (whole days, in day order), in row order within each.

    Two passes over the rows, a slice at a time, so that nothing but the keys grows with the reports:
    the reports of each day counted, then each row's key its stretch's start plus the rows of that
    stretch before it."""
    import numpy as np

    ns = dates.to_numpy()
    keys = np.full(len(first), -1, dtype=np.int32 if len(first) < 2**31 else np.int64)
    if not len(ns):
        return keys
    low, high = _day_range(ns)

    def days(part: np.ndarray) -> np.ndarray:  # each located row's day from the first, a missing date first
        values = ns[part].astype("datetime64[D]").view(np.int64)
        offsets: np.ndarray = np.clip(values, low, high) - low
        return offsets

    slices = range(0, len(first), TEXT_SLICE * 50)
    counts = np.zeros(high - low + 1, dtype=np.int64)
    for start in slices:
        part = first[start : start + TEXT_SLICE * 50]
        counts += np.bincount(days(part[part >= 0]), minlength=len(counts))
    stretch = (np.cumsum(counts) - counts) // TEXT_RUN  # each day's stretch
    size = np.bincount(stretch, weights=counts).astype(np.int64)
    filled = np.cumsum(size) - size  # the next key of each stretch
    for start in slices:
        part = first[start : start + TEXT_SLICE * 50]
        located = np.flatnonzero(part >= 0)
        region = stretch[days(part[located])]
        order = np.argsort(region, kind="stable")
        ordered = region[order]
        begins = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        runs = np.diff(np.r_[begins, len(ordered)])
        rank = np.arange(len(ordered)) - np.repeat(begins, runs)  # place among the slice's rows of its stretch
        keys[start + located[order]] = filled[ordered] + rank
        filled += np.bincount(region, minlength=len(filled))
    return keys


def _day_range(ns: np.ndarray) -> tuple[int, int]:
    """The first and last day (days since 1970-01-01) of datetimes, missing ones aside; ``(0, 0)``
    when none is known. A slice at a time: the known values of a whole column took 8 bytes a row."""
    import numpy as np

    low = high = None
    for start in range(0, len(ns), TEXT_SLICE * 50):
        part = ns[start : start + TEXT_SLICE * 50]
        known = part[~np.isnat(part)]
        if len(known):
            a = int(known.min().astype("datetime64[D]").view(np.int64))
            b = int(known.max().astype("datetime64[D]").view(np.int64))
            low, high = (a, b) if low is None or high is None else (min(low, a), max(high, b))
    return (0, 0) if low is None or high is None else (low, high)


def _write_runs(store: TextStore, keys: np.ndarray, texts: list[str]) -> None:
    """Write ``texts[k]`` as the text of ``keys[k]``, each run of consecutive keys at once."""
    import numpy as np

    if not len(keys):
        return
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    cuts = [0, *(np.flatnonzero(np.diff(ordered) != 1) + 1).tolist(), len(keys)]
    for a, b in itertools.pairwise(cuts):
        store.write(int(ordered[a]), [texts[k] for k in order[a:b].tolist()])


def _is_dir(path: str | os.PathLike[str] | None) -> bool:
    return path is not None and Path(path).is_dir()


def _area_day_keys(area_index: pd.Index, located: pd.DataFrame) -> np.ndarray:
    """One int64 per located report naming its area and day."""
    import numpy as np

    area = area_index.get_indexer(located["area_id"]).astype(np.int64)
    day = located["date"].to_numpy("datetime64[D]").astype(np.int64)
    keys: np.ndarray = area * (1 << 32) + (day + (1 << 31))
    return keys


def _release_arrow_memory() -> None:
    """Hand memory Arrow freed while reading back to the system (its allocator keeps it otherwise)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def release_memory() -> None:
    """Hand freed memory back to the system: Arrow's pool, and the C allocator's free pages (glibc's
    ``malloc_trim``, where there is one). Between the steps of a large run this keeps the process's
    resident memory near what it holds rather than near the largest step so far."""
    _release_arrow_memory()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    libc = _glibc()
    return None if libc is None else libc.malloc_trim


MMAP_THRESHOLD = 1 << 18
"""Bytes from which the C allocator maps each block on its own (see :func:`bound_heap`)."""


@functools.cache
def bound_heap() -> None:
    """Have the C allocator (glibc) map every block of :data:`MMAP_THRESHOLD` bytes or more on its own,
    so an array freed goes straight back to the system.

    By default glibc raises that threshold up to 32 MB as large blocks are freed, after which the
    per-report arrays of a large run (a few MB to tens of MB each) come from the heap, and the holes
    they leave keep the process's resident memory hundreds of MB above what it holds. Nothing where
    the C library is not glibc."""
    libc = _glibc()
    if libc is not None:
        libc.mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD; fixing it turns the dynamic threshold off


@functools.cache
def _glibc() -> Any:
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018 - both exist only in glibc
    except (OSError, AttributeError):  # not glibc
        return None
    return libc


def _refuse_unplaced(reports: object, located: pd.DataFrame, unresolved: pd.DataFrame) -> None:
    """Under ``strict``: a report that could not be placed, or at district level names only a province."""
    from geomap.schema import PROVINCE_WIDE, SCOPE

    if len(unresolved):
        first = unresolved.iloc[0]
        raise GeocodeError(
            f"{_source_name(reports)}, row {first['row']}, column 'place': {shown(first['place'])}: "
            f"{first['reason']}; {len(unresolved)} report(s) could not be placed (fix the spelling, add lat/lon, "
            "or drop --strict to map the rest)"
        )
    if SCOPE in located:
        wide = located[located[SCOPE].eq(PROVINCE_WIDE)]
        if len(wide):
            first = wide.iloc[0]
            count = wide["row"].nunique()
            raise GeocodeError(
                f"{_source_name(reports)}, row {first['row']}, column 'place': {shown(first['place'])}: names only a "
                f"province, not a district; {count} report(s) like it (name the district, town or village, add "
                "lat/lon, or drop --strict to apply them to every district of the province)"
            )


def geocode_places(
    table: pd.DataFrame, geocoder: GeocoderLike | None = None, *, areas: gpd.GeoDataFrame | None = None
) -> pd.DataFrame | None:
    """Geocode the places of validated reports that have no coordinates.

    Each distinct name is asked once.

    Parameters
    ----------
    table
        Validated reports (:func:`geomap.reports.read_reports`).
    geocoder
        As in :func:`build_timeline`; ``None`` is the offline gazetteer.
    areas
        The user's own areas (``area_id``, ``area_name``, polygons in EPSG:4326): a place written as one
        area's id or name (case, accents and spacing aside) is that area, at a point inside it, before
        any geocoder is asked; a name several areas share is left unresolved with their ids.

    Returns
    -------
    pandas.DataFrame or None
        The geocoder's answer for each report, one row per report in order;
        ``None`` when every report has coordinates.

    Raises
    ------
    InputError
        The geocoder returned something other than one row per name with a
        ``query`` or the expected columns.
    """
    import pandas as pd

    lat, lon = table["lat"], table["lon"]
    if lat.dtype == "float64" and lon.dtype == "float64" and not (_any_nan(lat) or _any_nan(lon)):
        return None
    need = lat.isna() | lon.isna()
    if not need.any():
        return None
    if geocoder is None:
        from geomap.geocode import Geocoder

        geocoder = Geocoder()
    places = table["place"].astype(str)
    if areas is None and "level" in table.columns:
        # "Khash" with level district is the district (Badakhshan's), not the town of that name (Nimroz's)
        district = table["level"].eq("district").to_numpy() & ~places.str.contains(_DISTRICT_WORD).to_numpy()
        if district.any():  # the word after the name, before any district or province after a comma
            places = places.where(~district, places.str.replace(r"^[^,،]*", r"\g<0> district", n=1, regex=True))
    unique = [str(name) for name in pd.unique(places[need])]
    by_area = _area_answers(unique, areas) if areas is not None else {}
    asked = [name for name in unique if name not in by_area]
    result = _geocoder_answers(geocoder, asked) if asked else pd.DataFrame(columns=_ANSWER_COLUMNS)
    if areas is not None:
        result = _with_area_answers(result, asked, unique, by_area)
    result.index = pd.Index(unique)
    return result.reindex(places.to_numpy()).reset_index(drop=True)


_DISTRICT_WORD = r"(?i)\bdistrict\b|\bwoluswali\b|ولسوالی|ولسوالۍ"


def _geocoded_precision(
    table: pd.DataFrame, geocoder: GeocoderLike | None, areas: gpd.GeoDataFrame | None
) -> pd.DataFrame:
    """The reports with their ``place_precision`` raised to what the geocoder knows of their places (rows
    without coordinates): a district the 2014 polygons do not draw is known only by the district holding
    it (2), one whose 2014 parent is not known only by its province (3). For ``min_precision``, which
    then leaves such reports out as it leaves out reports that say so themselves."""
    import numpy as np
    import pandas as pd

    from geomap.join import _has_point
    from geomap.precision import PLACE_PRECISION

    todo = ~_has_point(table)
    if PLACE_PRECISION not in table.columns or not todo.any():
        return table
    geocoded = geocode_places(table, geocoder, areas=areas)
    if geocoded is None or PLACE_PRECISION not in geocoded.columns:
        return table
    known = pd.to_numeric(geocoded[PLACE_PRECISION], errors="coerce").fillna(0).to_numpy().astype(int)
    claimed = table[PLACE_PRECISION].to_numpy()
    raised = np.where(todo, np.maximum(claimed, known), claimed).astype(claimed.dtype, copy=False)
    if np.array_equal(raised, claimed):
        return table
    table = table.copy()
    table[PLACE_PRECISION] = raised
    return table


_NO_AREA = "not the id or name of an area of the boundaries either (give lat and lon for places elsewhere)"
_ANSWER_COLUMNS = ("query", "name", "kind", "province_iso", "lat", "lon", "confidence", "method", "reason")


def _geocoder_answers(geocoder: GeocoderLike, unique: list[str]) -> pd.DataFrame:
    """The geocoder's table for ``unique`` names, checked: one row per name, the columns a timeline reads."""
    import pandas as pd

    from geomap.errors import GeocodeError, GeomapError

    try:
        result = geocoder(unique)
    except GeomapError:
        raise
    except Exception as exc:  # a geocoder of the caller's own: said in one line, the cause kept
        raise GeocodeError(
            f"geocoder: it raised {type(exc).__name__} ({' '.join(str(exc).split())[:200]}) on {len(unique)} name(s); "
            "fix the geocoder, or leave geocoder out to use the offline gazetteer"
        ) from exc
    if not isinstance(result, pd.DataFrame) or len(result) != len(unique):
        got = f"{len(result)} rows" if isinstance(result, pd.DataFrame) else type(result).__name__
        raise InputError(
            f"geocoder: expected a table with one row per name ({len(unique)} rows), got {got}; "
            "a geocoder takes a list of names and returns a DataFrame like geomap.geocode()"
        )
    missing = [c for c in ("name", "kind", "province_iso", "lat", "lon", "confidence", "method") if c not in result]
    if missing:
        raise InputError(f"geocoder: its table lacks column(s) {', '.join(missing)}; return a table like geocode()")
    result = pd.DataFrame(result).reset_index(drop=True)
    if "reason" not in result:
        result["reason"] = ""
    _warn_namesakes(result)
    return result


#: An Afghan province's code in a geocoder's ``alternatives`` ("Qarabagh (AF-KAB)").
_ALTERNATIVE_PROVINCE = re.compile(r"\((AF-[A-Z]{3})\)")


def _warn_namesakes(result: pd.DataFrame) -> None:
    """Warn (:class:`~geomap.errors.NamesakesWarning`) about names answered in one province while places of
    other provinces bear them too ("Qarabagh": Ghazni, and Kabul listed): the map shows them in the first.
    Not a capital or province (Fayzabad, Badakhshan's capital, before the districts named so)."""
    if "alternatives" not in result or not len(result):
        return
    placed = result["method"].fillna("").astype(str).ne("") & result["alternatives"].fillna("").astype(str).ne("")
    placed &= ~result["kind"].isin(("capital", "province"))  # a capital before its namesakes: what reports mean
    shared = []
    for row in result.loc[placed].itertuples():
        others = sorted(set(_ALTERNATIVE_PROVINCE.findall(str(row.alternatives))) - {row.province_iso})
        if others:
            shared.append((str(row.query), str(row.province_iso), others))
    if not shared:
        return
    import warnings

    from geomap.errors import NamesakesWarning, shown

    listed = ", ".join(f"{shown(q)} in {iso} (also {', '.join(o[:3])})" for q, iso, o in shared[:3])
    warnings.warn(
        f"{len(shared):,} place name(s) are places of several provinces and were placed in the first of them: "
        f"{listed}{', ...' if len(shared) > 3 else ''}; add the province to be sure (a province column, or "
        f"{shown(shared[0][0] + ', <province>')})",
        NamesakesWarning,
        stacklevel=_outside_geomap(),
    )


def _fold_name(name: object) -> str:
    """A name as compared with an area's: Unicode-normalised, accents dropped, case folded, spaces collapsed."""
    import unicodedata

    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def _area_answers(names: list[str], areas: gpd.GeoDataFrame) -> dict[str, dict[str, Any]]:
    """The answers of the names that are an area's id or name: ``{name: answer row}`` (see :func:`geocode_places`)."""
    from geomap.schema import AREA_ID, AREA_NAME

    ids, labels = areas[AREA_ID].astype(str).to_numpy(), areas[AREA_NAME].astype(str).to_numpy()
    by_id = {_fold_name(i): k for k, i in reversed(list(enumerate(ids)))}
    by_id.update({i: k for k, i in enumerate(ids)})  # an id as written first ("a" and "A" may both be ids)
    by_label: dict[str, list[int]] = {}
    for k, label in enumerate(labels):
        by_label.setdefault(_fold_name(label), []).append(k)
    points = None
    answers: dict[str, dict[str, Any]] = {}
    for name in names:
        folded = _fold_name(name)
        if name.strip() in by_id or folded in by_id:
            hits, method = [by_id.get(name.strip(), by_id.get(folded, -1))], "area id"
        elif folded in by_label:
            hits, method = by_label[folded], "area name"
        else:
            continue
        if len(hits) > 1:
            shown_ids = ", ".join(ids[k] for k in hits[:5])
            reason = f"the name of {len(hits)} areas (ids {shown_ids}); write the area's id, or give lat and lon"
            answers[name] = {"query": name, "name": name, "kind": "", "province_iso": "", "lat": float("nan"),
                             "lon": float("nan"), "confidence": 0.0, "method": "", "reason": reason}  # fmt: skip
            continue
        if points is None:
            points = areas.geometry.representative_point()
        point = points.iloc[hits[0]]
        answers[name] = {"query": name, "name": labels[hits[0]], "kind": "area", "province_iso": "",
                         "lat": float(point.y), "lon": float(point.x), "confidence": 1.0, "method": method,
                         "reason": ""}  # fmt: skip
    return answers


def _with_area_answers(
    result: pd.DataFrame, asked: list[str], unique: list[str], by_area: dict[str, dict[str, Any]]
) -> pd.DataFrame:
    """The answers of ``unique`` names in order: the areas' for the names in ``by_area``, the geocoder's
    (``result``, one row per name of ``asked``) for the others; a name neither knows says so."""
    import pandas as pd

    result = result.reset_index(drop=True)
    if len(result):
        unresolved = result["method"].fillna("").astype(str).eq("").to_numpy()
        reason = result["reason"].fillna("").astype(str)
        result["reason"] = reason.where(~unresolved, reason.str.cat(["; "] * len(reason)).str.lstrip("; ") + _NO_AREA)
    if not by_area:
        return result
    rows = dict(zip(asked, result.to_dict("records"), strict=True))
    rows.update(by_area)
    return pd.DataFrame([rows[name] for name in unique])


def _any_nan(values: pd.Series) -> bool:
    """Whether a float column holds NaN (its minimum is NaN then: one pass, no mask the size of it)."""
    import numpy as np

    return bool(len(values)) and bool(np.isnan(values.to_numpy().min()))


def _check_choice(name: str, value: object, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise InputError(f"{name}: unknown value {value!r}; use one of {', '.join(allowed)}")


def _areas(level: str, boundaries: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """The area polygons: the user's boundaries, or the bundled areas of ``level``."""
    import geopandas as gpd

    from geomap.levels import level_areas

    if boundaries is None:
        return level_areas(level)
    if level != "province":
        raise InputError(
            f"level={level!r} maps the bundled {level}s, and boundaries replace them; "
            "give either the level or your own boundaries (CLI: --level or --boundaries), not both"
        )
    if not isinstance(boundaries, gpd.GeoDataFrame):
        raise InputError(
            f"boundaries: expected a GeoDataFrame from geomap.load_boundaries(), got {type(boundaries).__name__}"
        )
    missing = [c for c in ("area_id", "area_name") if c not in boundaries.columns]
    if missing:
        raise InputError(
            f"boundaries: no {', '.join(missing)} column(s); load the polygons with "
            "geomap.load_boundaries(path_or_geodataframe, id_field=..., name_field=...)"
        )
    if len(boundaries) == 0:
        raise InputError("boundaries: the table has no areas; give at least one polygon")
    from geomap.boundaries import checked_boundaries

    # polygons built in memory get the checks of a file: a CRS, valid polygons, EPSG:4326
    return _cut_at_antimeridian(checked_boundaries(boundaries))


def _cut_at_antimeridian(boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Polygons drawn across 180 degrees cut there (as :func:`geomap.load_boundaries` does)."""
    import geopandas as gpd

    from geomap._antimeridian import PoleError, split_at_antimeridian

    if boundaries.crs is not None and not boundaries.crs.is_geographic:
        return boundaries
    try:
        geoms, cut = split_at_antimeridian(boundaries.geometry.values)
    except PoleError as exc:
        area = boundaries["area_id"].iloc[int(exc.args[0])]
        raise InputError(
            f"boundaries: area {area!r} has a ring that goes round the globe (it encloses a pole); "
            "cut it at 180 degrees into parts that each stay on one side"
        ) from None
    if not cut.any():
        return boundaries
    return boundaries.set_geometry(gpd.GeoSeries(geoms, index=boundaries.index, crs=boundaries.crs))


def _bundled_provinces() -> gpd.GeoDataFrame:
    from geomap.boundaries import load_provinces

    return load_provinces()


def _report_bounds(areas: gpd.GeoDataFrame, *, bundled: bool) -> tuple[float, float, float, float]:
    """The box given coordinates must fall in: the areas' box, padded, so points near the areas but
    outside them are listed as unresolved rather than refused; widened to Afghanistan when the areas
    lie there. ``west > east`` when the areas straddle 180 degrees (see :func:`lon_lat_bounds`)."""
    from geomap._antimeridian import crosses, lon_lat_bounds
    from geomap.reports import AFGHANISTAN_BOUNDS

    if bundled:
        return AFGHANISTAN_BOUNDS
    pad = 0.5
    west, south, east, north = lon_lat_bounds(areas.geometry.values)
    south, north = max(-90.0, south - pad), min(90.0, north + pad)
    width = east - west if west <= east else east + 360 - west
    if width + 2 * pad >= 360:
        return (-180.0, south, 180.0, north)
    west, east = west - pad, east + pad
    west, east = (west + 360 if west < -180 else west), (east - 360 if east > 180 else east)
    box = AFGHANISTAN_BOUNDS
    near_afghanistan = (
        not crosses((west, 0, east, 0)) and west <= box[2] and east >= box[0] and south <= box[3] and north >= box[1]
    )
    if near_afghanistan:
        return (min(box[0], west), min(box[1], south), max(box[2], east), max(box[3], north))
    return (west, south, east, north)


def _observed_days(table: pd.DataFrame) -> np.ndarray:
    """The distinct days of the reports (``datetime64[D]``, sorted): counted, no Python object per report."""
    import numpy as np

    from geomap._columnar import distinct_days

    dates = table["date"].to_numpy("datetime64[ns]")
    if len(dates) <= _DAYS_SLICE:
        return distinct_days(dates.astype("datetime64[D]"))
    # a slice at a time: no copy of the column in days
    seen = [
        distinct_days(dates[k : k + _DAYS_SLICE].astype("datetime64[D]")) for k in range(0, len(dates), _DAYS_SLICE)
    ]
    return np.unique(np.concatenate(seen))


_DAYS_SLICE = 1 << 20


MAX_FREQ_DATES = 20_000
"""Reporting dates a frequency may make (55 years of days): a report dated centuries away from the others
would otherwise make hundreds of thousands of maps."""


#: Days between a report's date and every other report's beyond which the date looks mistyped.
ISOLATED_DAYS = 366


def _warn_suspect_days(days_seen: np.ndarray) -> None:
    """Warn (:class:`~geomap.errors.SuspectDatesWarning`) about report days that look mistyped: after
    today, or the first or last day of the reports a year or more apart from every other."""
    import warnings

    import numpy as np

    from geomap.errors import SuspectDatesWarning

    days = days_seen[~np.isnat(days_seen)].astype("datetime64[D]")
    if not len(days):
        return
    today = np.datetime64(dt.date.today(), "D")
    found = []
    later = days[days > today]
    if len(later):
        found.append(f"{len(later)} report day(s) after today ({today}): {', '.join(map(str, later[:3]))}")
    gap = np.timedelta64(ISOLATED_DAYS, "D")
    if len(days) > 2 and days[1] - days[0] >= gap:  # of two days, either may be the odd one
        found.append(f"{days[0]}, more than a year before every other report day (the next is {days[1]})")
    if len(days) > 2 and days[-1] - days[-2] >= gap and not days[-1] > today:
        found.append(f"{days[-1]}, more than a year after every other report day (the one before is {days[-2]})")
    if found:
        warnings.warn(
            f"report dates that look mistyped: {'; '.join(found)}; check their years",
            SuspectDatesWarning,
            stacklevel=_outside_geomap(),
        )


def _reporting_dates(
    days_seen: np.ndarray, *, dates: Iterable[str | dt.date] | None, freq: str | None
) -> list[dt.date]:
    """The reporting dates: ``dates`` if given, else the distinct report days (``days_seen``),
    every day or every 7th with ``freq``."""
    from geomap.dates import parse_date

    if dates is not None:
        if isinstance(dates, str | dt.date):
            raise InputError("dates: expected a list of dates, got a single value; wrap it in a list")
        parsed = [parse_date(d, "dates: the reporting date") for d in dates]
        if not parsed:
            raise InputError("dates: the list of reporting dates is empty; give at least one YYYY-MM-DD date")
        return sorted(set(parsed))
    import numpy as np

    observed: list[dt.date] = [d.item() for d in days_seen[~np.isnat(days_seen)]]
    if freq is None or not observed:
        return observed
    step = FREQUENCIES[freq]
    count = (observed[-1] - observed[0]).days // step + 1
    if count > MAX_FREQ_DATES:
        raise InputError(
            f"freq={freq!r}: the reports run from {observed[0].isoformat()} to {observed[-1].isoformat()}, "
            f"{count:,} reporting dates, more than {MAX_FREQ_DATES:,}; "
            f"{'use --freq W, ' if freq == 'D' else ''}give the dates (--dates), or check the reports' years"
        )
    days = [observed[0] + dt.timedelta(days=k) for k in range(0, (observed[-1] - observed[0]).days + 1, step)]
    if days[-1] != observed[-1]:
        days.append(observed[-1])
    return days


def _source_name(reports: object) -> str:
    return str(reports) if isinstance(reports, str | os.PathLike) else "<reports>"
