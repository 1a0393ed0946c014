"""Turn Afghan place names into provinces, districts and coordinates, offline by default.

:func:`geocode` resolves each name with the bundled gazetteer
(:mod:`geomap.gazetteer`): exact and alias matches on normalised names first, then
edit-distance matches that are strict enough not to force a foreign or unrelated name
onto an Afghan place. The district of each resolved place is the bundled district
(:func:`geomap.boundaries.load_districts`) that contains its coordinates. Names the
gazetteer cannot resolve may be sent to an online geocoder when (and only when) asked;
the network code lives in :mod:`geomap._online`.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geomap.errors import InputError
from geomap.gazetteer import (
    _PART_SPLIT,
    Entry,
    Match,
    gc_paused,
    get_gazetteer,
    inside_another_district,
    province_only,
)
from geomap.schema import DISTRICT, DISTRICT_ID, LAT, LON, PROVINCE, PROVINCE_ISO

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely

QUERY = "query"
NAME = "name"
KIND = "kind"
CONFIDENCE = "confidence"
METHOD = "method"
ALTERNATIVES = "alternatives"
REASON = "reason"
#: How precisely the answer places the name: 1 the place itself, 2 only the bundled district holding it (a
#: district the 2014 polygons do not draw: Dand, Bano), 3 only its province (a district created after 2014
#: whose 2014 parent is not known), 0 unresolved; the scale of :mod:`geomap.precision`.
PLACE_PRECISION = "place_precision"
#: ``place_precision`` of an answer that knows only the bundled district holding the place.
DISTRICT_ONLY_PRECISION = 2
#: ``place_precision`` of an answer that knows only the province.
PROVINCE_ONLY_PRECISION = 3
#: The columns of :func:`geocode`'s result, in order.
GEOCODE_COLUMNS = (
    QUERY,
    NAME,
    KIND,
    PROVINCE_ISO,
    PROVINCE,
    DISTRICT_ID,
    DISTRICT,
    LAT,
    LON,
    CONFIDENCE,
    METHOD,
    ALTERNATIVES,
    REASON,
    PLACE_PRECISION,
)
#: A point this close (degrees, about 5 km) outside every bundled district goes to the nearest one.
DISTRICT_SNAP_DEGREES = 0.05
#: Values of the ``method`` column.
METHODS = ("exact", "alias", "fuzzy", "partial", "online", "given")
#: Lowest confidence of an offline match that is accepted by default.
DEFAULT_MIN_SCORE = 0.5

REASON_EMPTY = "empty name"
REASON_FOREIGN = "outside Afghanistan ({name})"
REASON_UNKNOWN = "no Afghan place with a similar name in the offline gazetteer"
REASON_NO_ANSWER = "; the online geocoder did not answer (try again later)"
REASON_LOW = "best match {name} ({iso}) scored {score:.2f}, below min_score {min_score:.2f}"
#: The reason of a name held because places of several provinces fit it.
REASON_AMBIGUOUS = (
    "ambiguous: places of {provinces} provinces fit it (see alternatives); best match {name} ({iso}) scored "
    "{score:.2f}, below min_score {min_score:.2f}"
)
#: The reason of a name held because the place it names lies outside the province written after it.
REASON_OTHER_PROVINCE = (
    "{name} is in {province} ({iso}), not in {given}, the province given with it: the name and its province "
    "disagree; check both (best match scored {score:.2f}, below min_score {min_score:.2f})"
)
#: The reason of a name held because the provinces written after it are two or more ("Jalalabad, Nangarhar, Laghman").
REASON_PROVINCES_DISAGREE = (
    "the provinces given with it disagree ({given}); keep the one it lies in (best match {name} ({iso}) scored "
    "{score:.2f}, below min_score {min_score:.2f})"
)
#: Said after :data:`REASON_AMBIGUOUS` of a name that names no province or district after a comma already.
REASON_ADD_PROVINCE = "; add the province, e.g. '{query}, {province}'"


def geocode(
    names: Iterable[str],
    *,
    online: str | Any | None = None,
    cache: str | os.PathLike[str] | None = None,
    user_agent: str | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    progress: bool | None = None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], object] | None = None,
) -> gpd.GeoDataFrame:
    """Resolve Afghan place names to a province, a district and coordinates.

    Parameters
    ----------
    names
        Place names in any common spelling (``"Mazar-e Sharif"``, ``"Kondoz"``,
        ``"Ghazni province"``), as text; missing ones (``None``, NaN, ``pandas.NA``)
        come back unresolved. Duplicates are allowed and resolved once. A pandas
        Series keeps its index in the result, so ``df["iso"] = geocode(df["place"])["province_iso"]``
        lines up.
    online
        ``None`` (default) stays offline. ``"nominatim"`` or any geopy geocoder
        instance is asked about the names the offline gazetteer could not resolve,
        at most once per second, and its answers are kept in ``cache``.
    cache
        Path of the SQLite cache of online answers; default
        ``$XDG_CACHE_HOME/geomap/geocode.sqlite`` (``~/.cache/geomap/geocode.sqlite``).
    user_agent
        Required with ``online="nominatim"``: identifies your application to the service.
    min_score
        Offline matches with a lower confidence are left unresolved.
    progress
        Show a progress bar on stderr for online lookups; ``None`` shows it when
        stderr is a terminal.
    clock, sleep
        The clock and sleep that space online requests (``time.monotonic`` and
        ``time.sleep`` by default); tests pass fakes so they never wait.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per name, in input order (indexed as ``names`` when it is a Series), in
        EPSG:4326, with columns ``query, name, kind, province_iso, province, district_id,
        district, lat, lon, confidence, method, alternatives, reason, place_precision``
        and a point ``geometry``.
        ``district_id`` and ``district`` name the bundled district containing the point
        (missing for a whole province, and for a district created after 2014 whose 2014
        parent is not known: ``place_precision`` 3, only its province is known).
        Unresolved rows have missing (NA: ``pandas.isna`` is true) ``name``/``kind``/
        ``province_iso``/``province``/``district_id``/``district``, NaN coordinates, no
        geometry (``None``), confidence 0, an empty string as ``method`` and ``alternatives``
        (unless candidates are listed), ``place_precision`` 0 and a ``reason``.

    Raises
    ------
    GeocoderServiceError
        When an online service refuses access (HTTP 403) or fails for good.
    InputError
        When ``online="nominatim"`` is asked for without a ``user_agent``, or a name is not
        text (bytes, a list, a number); a ``ValueError``.

    Examples
    --------
    >>> df = geocode(["Mazar-e Sharif", "Ghazni province", "Doha"])
    >>> df[["name", "kind", "province_iso", "district", "method"]].fillna("").values.tolist()
    [['Mazar-i-Sharif', 'capital', 'AF-BAL', 'Mazari Sharif', 'exact'], ['Ghazni', 'province', 'AF-GHA', '', 'exact'], \
['', '', '', '', '']]
    >>> df.loc[2, "reason"]
    'outside Afghanistan (Doha)'
    """
    import geopandas as gpd
    import shapely

    index = names.index if isinstance(names, pd.Series) else None  # rows line up with the caller's
    table = geocode_table(
        names,
        online=online,
        cache=cache,
        user_agent=user_agent,
        min_score=min_score,
        progress=progress,
        clock=clock,
        sleep=sleep,
    )
    if index is not None:
        table.index = index
    points = shapely.points(table[LON].to_numpy(), table[LAT].to_numpy())
    points[np.isnan(table[LON].to_numpy()) | np.isnan(table[LAT].to_numpy())] = None
    return gpd.GeoDataFrame(table, geometry=points, crs="EPSG:4326")


def geocode_table(
    names: Iterable[str],
    *,
    online: str | Any | None = None,
    cache: str | os.PathLike[str] | None = None,
    user_agent: str | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    progress: bool | None = None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], object] | None = None,
) -> pd.DataFrame:
    """:func:`geocode` as a plain table: the same rows and columns, without the point geometry.

    Places of the bundled gazetteer carry their district from the compiled index, so
    this needs neither geopandas nor the district polygons unless a place comes from
    an online geocoder (its district is then found by point in polygon). The command
    line uses it to start quickly.
    """
    if isinstance(names, str | bytes | pd.DataFrame) or not isinstance(names, Iterable):
        got = f"the single string {names!r}" if isinstance(names, str) else type(names).__name__
        hint = "a column such as table['place']" if isinstance(names, pd.DataFrame) else f"a list, e.g. [{'Kabul'!r}]"
        raise InputError(f"names: expected a list of place names, got {got}; pass {hint}")
    check_score(min_score)
    queries = [_query(n, position) for position, n in enumerate(names, start=1)]
    if queries and not any(q.strip() for q in queries):
        raise InputError(f"names: all {len(queries)} names are missing (NaN, None or blank); pass place names as text")
    return _geocode_queries(
        queries, online=online, cache=cache, user_agent=user_agent, min_score=min_score, progress=progress,
        clock=clock, sleep=sleep,
    )  # fmt: skip


def _geocode_queries(
    queries: list[str],
    *,
    online: str | Any | None = None,
    cache: str | os.PathLike[str] | None = None,
    user_agent: str | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    progress: bool | None = None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], object] | None = None,
) -> pd.DataFrame:
    """:func:`geocode_table` of names already checked, blank ones included (a names file's blank lines)."""
    unique = list(dict.fromkeys(queries))
    texts = [_without_controls(q) if _CONTROLS.search(q) else q for q in unique]  # "\x1b[31mKandahar\x1b[0m"
    with gc_paused():  # many small objects, no cycles: see gc_paused
        matches = get_gazetteer().resolve_many(texts)
        rows = {
            query: _offline_row(text, match, min_score) if text is query else
            {**_offline_row(text, match, min_score), QUERY: query}
            for query, text, match in zip(unique, texts, matches, strict=True)
        }  # fmt: skip
    if online is not None:
        from geomap._online import resolve_online

        cleaned = dict(zip(unique, texts, strict=True))  # what is asked online: the name without control characters
        pending = [q for q in unique if rows[q][METHOD] == "" and cleaned[q].strip() and not rows[q].get("_settled")]
        found = resolve_online(
            list(dict.fromkeys(cleaned[q] for q in pending)), online=online, cache=cache, user_agent=user_agent,
            progress=progress, clock=clock, sleep=sleep,
        )  # fmt: skip
        for query in pending:
            if cleaned[query] in found:
                rows[query] = _online_row(query, found[cleaned[query]], rows[query])
            else:
                rows[query] = {**rows[query], REASON: rows[query][REASON] + REASON_NO_ANSWER}
    table = _with_districts(_frame([rows[q] for q in unique]))
    if len(unique) == len(queries):
        return table
    # each distinct name's row once, then repeated by position (a list of a few names a million times)
    return table.take(pd.Index(unique).get_indexer(queries)).reset_index(drop=True)


# Terminal escape sequences (colours, cursor moves) and the other control characters but tab: not part of a
# name copied from a terminal or a badly exported file.
_CONTROLS = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _without_controls(query: str) -> str:
    """``query`` without terminal escape sequences and control characters (a tab or line break is a space)."""
    return _CONTROLS.sub(lambda m: " " if m.group() in "\n\r\x0b\x0c\x85" else "", query)


def check_score(min_score: object) -> float:
    """``min_score`` as a float, or an :class:`InputError` naming it."""
    if isinstance(min_score, bool) or not isinstance(min_score, int | float) or not 0 <= min_score <= 1:
        raise InputError(f"min_score: expected a number between 0 and 1 (a confidence), got {_shown(min_score)}")
    return float(min_score)


def _shown(value: object) -> str:
    """A value in a one-line message: short text and numbers as written, anything else by its type."""
    if isinstance(value, str | int | float) and len(repr(value)) <= 60:
        return repr(value)
    return f"a {type(value).__name__}"


def _is_missing(value: object) -> bool:
    """Whether ``value`` is a missing name: ``None``, NaN, ``pandas.NA`` or ``NaT``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _query(value: object, position: int) -> str:
    """The text of one name (``""`` for a missing one); anything but text is refused, naming its position."""
    if isinstance(value, str):
        return value
    if _is_missing(value):
        return ""
    shown = repr(value) if isinstance(value, bytes | int | float) and len(repr(value)) <= 60 else _shown(value)
    raise InputError(f"names: name {position} is {shown}, not text; pass place names as str, e.g. 'Kabul'")


def _unresolved(query: str, reason: str, settled: bool = False) -> dict[str, Any]:
    row = {
        QUERY: query,
        NAME: None,
        KIND: None,
        PROVINCE_ISO: None,
        PROVINCE: None,
        LAT: math.nan,
        LON: math.nan,
        CONFIDENCE: 0.0,
        METHOD: "",
        ALTERNATIVES: "",
        REASON: reason,
        PLACE_PRECISION: 0,
    }
    if settled:  # known not to be an Afghan place (abroad, or not a place): not asked online
        row["_settled"] = True
    return row


def _offline_row(query: str, match: Match | None, min_score: float) -> dict[str, Any]:
    if not query.strip():
        return _unresolved(query, REASON_EMPTY)
    if match is None:
        refusal = get_gazetteer().refusal(query)
        return _unresolved(query, refusal or REASON_UNKNOWN, settled=refusal is not None)
    entry = match.entry
    if match.is_foreign:
        if match.method == "fuzzy":  # only like a foreign name: not known to be abroad
            return _unresolved(query, REASON_UNKNOWN)
        return _unresolved(query, REASON_FOREIGN.format(name=entry.name), settled=True)
    if match.confidence < min_score:
        provinces = {e.province_iso for e in (entry, *match.alternatives) if e.province_iso}
        low = REASON_AMBIGUOUS if len(provinces) > 1 else REASON_LOW
        given = _provinces_given(query)
        if len(given) > 1:
            low = REASON_PROVINCES_DISAGREE
        elif given and next(iter(given)) not in provinces:
            low = REASON_OTHER_PROVINCE
        elif low is REASON_AMBIGUOUS and not _gives_a_province(query):
            low += REASON_ADD_PROVINCE
        reason = low.format(
            given=" and ".join(given.values()),
            name=entry.name,
            iso=entry.province_iso,
            score=match.confidence,
            min_score=min_score,
            provinces=len(provinces),
            query=" ".join(query.split()),
            province=entry.province,
        )
        row = _unresolved(query, reason)
        # the candidates are kept, so a user can pick one or add the province to the name
        row[ALTERNATIVES] = "; ".join(e.label for e in (entry, *match.alternatives))
        return row
    return {
        QUERY: query,
        NAME: entry.name,
        KIND: entry.kind,
        PROVINCE_ISO: entry.province_iso,
        PROVINCE: entry.province,
        DISTRICT_ID: entry.district_id or None,
        DISTRICT: entry.district or None,
        LAT: entry.lat,
        LON: entry.lon,
        CONFIDENCE: float(match.confidence),
        METHOD: match.method,
        ALTERNATIVES: "; ".join(other.label for other in match.alternatives),
        REASON: "",
        PLACE_PRECISION: _place_precision(entry),
    }


def _provinces_given(query: str) -> dict[str, str]:
    """The provinces the parts of ``query`` after a comma (or bracket, ...) name, as a province or by its
    capital ("Herat, Kandahar"): ISO code -> name, in the order given."""
    given: dict[str, str] = {}
    for part in _PART_SPLIT.split(query)[1:]:
        if part.strip():
            found = get_gazetteer().resolve(part)
            if (
                found is not None
                and not found.is_foreign
                and found.entry.kind in ("province", "capital")
                and found.confidence >= DEFAULT_MIN_SCORE
            ):
                given.setdefault(found.entry.province_iso, found.entry.province)
    return given


def _gives_a_province(query: str) -> bool:
    """Whether a part of ``query`` after a comma (or bracket, ...) names a province, capital or district."""
    for part in _PART_SPLIT.split(query)[1:]:
        if part.strip():
            found = get_gazetteer().resolve(part)
            if found is not None and found.entry.kind in ("province", "capital", "district"):
                return True
    return False


def _place_precision(entry: Entry) -> int:
    """How precisely the answer places the name (see :data:`PLACE_PRECISION`)."""
    if province_only(entry):
        return PROVINCE_ONLY_PRECISION
    return DISTRICT_ONLY_PRECISION if inside_another_district(entry) else 1


def _online_row(query: str, answer: dict[str, Any] | None, offline: dict[str, Any]) -> dict[str, Any]:
    if not answer:
        reason = offline[REASON] + "; the online geocoder found no place in Afghanistan"
        return {**offline, REASON: reason}
    return {
        QUERY: query,
        NAME: answer["name"],
        KIND: answer.get("kind") or "village",
        PROVINCE_ISO: answer["province_iso"],
        PROVINCE: answer["province"],
        LAT: float(answer["lat"]),
        LON: float(answer["lon"]),
        CONFIDENCE: float(answer.get("confidence", 0.6)),
        METHOD: "online",
        ALTERNATIVES: "",
        REASON: "",
        PLACE_PRECISION: 1,
    }


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns: dict[str, Any] = {}
    for column in GEOCODE_COLUMNS:
        values = [row.get(column) for row in rows]
        if column in (LAT, LON, CONFIDENCE):
            columns[column] = np.array(values, dtype=float)  # None is NaN
        elif column == PLACE_PRECISION:
            columns[column] = np.array(values, dtype=np.int8)
        else:
            columns[column] = _text_values(values)
    return pd.DataFrame(columns, columns=list(GEOCODE_COLUMNS))


def _text_values(values: list[Any]) -> pd.Series:
    """Text with missing values as NaN (NA) on every supported pandas.

    ``astype("str")`` alone turns ``None`` into the text ``'None'`` before pandas 3.
    """
    text = pd.Series([v if type(v) is str else math.nan if _is_missing(v) else str(v) for v in values], dtype=object)
    return text.astype("str") if int(pd.__version__.split(".")[0]) >= 3 else text


def _with_districts(df: pd.DataFrame) -> pd.DataFrame:
    """Fill in the bundled district containing each place that has none yet (none for a whole province).

    Gazetteer places carry theirs (compiled); only online answers and places of a
    gazetteer built without districts are looked up here, by point in polygon.
    """
    lon, lat = df[LON].to_numpy(), df[LAT].to_numpy()
    wanted = ~np.isnan(lon) & ~np.isnan(lat) & (df[KIND] != "province").to_numpy() & df[DISTRICT_ID].isna().to_numpy()
    wanted &= df[PLACE_PRECISION].to_numpy() != PROVINCE_ONLY_PRECISION  # a whole province's point: no district
    if not wanted.any():
        return df
    import shapely

    points = shapely.points(lon[wanted], lat[wanted])
    ids, names = _district_of(points, df.loc[wanted, PROVINCE_ISO].to_numpy(dtype=object))
    df.loc[wanted, DISTRICT_ID] = ids
    df.loc[wanted, DISTRICT] = names
    return df


def _district_of(points: np.ndarray, provinces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """District id and name of each point: the district of its province containing it, or the nearest one.

    A point outside every district by a few km goes to the nearest district; a point whose
    district lies in another province than the place's (approximate coordinates near a
    province line) goes to the nearest district of the place's own province.
    """
    import shapely

    tree, ids, names = _district_index()
    found = np.full(len(points), -1)
    point_at, district_at = tree.query(points, predicate="within")
    found[point_at[::-1]] = district_at[::-1]  # on a shared edge: the district that comes first
    missing = np.flatnonzero(found < 0)
    if len(missing):
        point_at, district_at = tree.query_nearest(points[missing], max_distance=DISTRICT_SNAP_DEGREES)
        found[missing[point_at[::-1]]] = district_at[::-1]
    for i in np.flatnonzero(found >= 0):
        if provinces[i] and not ids[found[i]].startswith(f"{provinces[i]}-"):
            own = np.flatnonzero(np.char.startswith(ids.astype(str), f"{provinces[i]}-"))
            found[i] = own[int(np.argmin(shapely.distance(tree.geometries[own], points[i])))] if len(own) else -1
    known = found >= 0
    out_ids = np.full(len(found), None, dtype=object)
    out_names = np.full(len(found), None, dtype=object)
    out_ids[known], out_names[known] = ids[found[known]], names[found[known]]
    return out_ids, out_names


@cache
def _district_index() -> tuple[shapely.STRtree, np.ndarray, np.ndarray]:
    import shapely

    from geomap.boundaries import load_districts

    districts = load_districts()
    tree = shapely.STRtree(districts.geometry.to_numpy())
    return tree, districts[DISTRICT_ID].to_numpy(dtype=object), districts["name"].to_numpy(dtype=object)


def read_place_names(path: str | os.PathLike[str], *, sheet: str | int | None = None) -> list[str]:
    """Read place names from a text file (one per line) or a table (CSV, TSV, JSON, .xlsx) with a ``place`` column.

    A file is read as CSV when its name ends in ``.csv`` or its first line is a CSV
    header naming a ``place`` column; otherwise every line is one name, so the names
    line up with the file's lines: a blank line is an empty name (blank lines at the end
    are dropped). Lines end at a line feed (a carriage return before it is dropped; a file
    of carriage returns only is split at them), not at other line breaks Unicode knows
    (U+0085, U+2028), which may stand inside a name copied from a web page.

    Parameters
    ----------
    path
        The file to read (UTF-8), or ``"-"`` for standard input (names or CSV text).
    sheet
        The worksheet of an ``.xlsx`` file: its name or 1-based position; the first by default.

    Returns
    -------
    list of str
        The names, in file order.

    Raises
    ------
    InputError
        The file is missing, not UTF-8, or a CSV file without a ``place`` column.
    """
    return list(iter_place_names(path, sheet=sheet))


def iter_place_names(path: str | os.PathLike[str], *, sheet: str | int | None = None) -> Iterator[str]:
    """:func:`read_place_names` a name at a time: a names file of one name a line is read a block at a time,
    so memory holds a block, not the file (a table is read whole).

    Raises
    ------
    InputError
        As :func:`read_place_names`, when the name with the problem is reached; also for a line longer
        than :data:`geomap._text.MAX_LINE_BYTES` bytes (no place name is: a wrong file).
    """
    from contextlib import ExitStack

    from geomap._csv import split_record
    from geomap._text import iter_lines, open_binary
    from geomap.errors import InputError
    from geomap.schema import PLACE

    source = str(path)
    stdin = source == "-"
    if not stdin and Path(path).suffix.lower() in (".csv", ".tsv", ".json", ".geojson", ".xlsx", ".xlsm"):
        yield from _read_names_table(path, sheet)
        return
    with ExitStack() as stack:
        if stdin:
            import sys

            if sys.stdin is None:
                raise InputError("-: standard input is closed; pipe the names in, or give --input FILE")
            lines = iter_lines(sys.stdin.buffer, "<stdin>", what="names")
        else:
            lines = iter_lines(stack.enter_context(open_binary(path, what="names file")), source, what="names file")
        first = next(lines, None)
        if first is None:
            return
        header = [h.strip().lower() for h in (split_record(first) or [])]
        if len(header) > 1 and PLACE in header:  # a CSV table under another file name
            if not stdin:
                stack.close()
                yield from _read_names_table(path, sheet)
                return
            import csv

            table = pd.DataFrame(list(csv.reader(lines)), columns=None)
            table = table.reindex(columns=range(len(header))).set_axis(header, axis=1)
            yield from _table_places(table)
            return
        if header != [PLACE]:  # a column of names under its header ("cut -d, -f2 reports.csv") skips it
            lines = itertools.chain([first], lines)
        blanks = 0  # blank lines are names (the rows line up with the lines) unless no name follows them
        for line in lines:
            name = line.strip()
            if not name:
                blanks += 1
                continue
            yield from itertools.repeat("", blanks)
            blanks = 0
            yield name


def _read_names_table(path: str | os.PathLike[str], sheet: str | int | None) -> list[str]:
    """The place names of a table file (CSV, TSV, JSON, Excel) with a ``place`` column."""
    from geomap.errors import InputError, row_message
    from geomap.reports import read_table
    from geomap.schema import PLACE

    source = str(path)
    try:
        _, frame, _ = read_table(path, sheet=sheet)  # the same reader as reports files (CSV, TSV, JSON, Excel)
    except InputError as exc:
        if "is empty" in str(exc):  # said of a reports file: a header row with date, place, status
            raise InputError(
                f"{source}: the names file is empty; give one name a line, or a table with a place column"
            ) from None
        raise
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    if PLACE not in frame.columns:
        why = f"no {PLACE!r} column; name the column of place names {PLACE!r}"
        raise InputError(row_message(source, None, None, ", ".join(map(str, frame.columns)), why))
    return _table_places(frame)


def _table_places(frame: pd.DataFrame) -> list[str]:
    """The place names of a names table (lower-case column names), with its province column read into them."""
    from geomap.reports import with_admin_names
    from geomap.schema import PLACE

    cells = frame[PLACE]
    if isinstance(cells, pd.DataFrame):  # the column named twice: the first
        cells = cells.iloc[:, 0]
    places = pd.Series(["" if v is None or v != v else str(v).strip() for v in cells], dtype=object)
    return [str(name) for name in with_admin_names(places, frame.reset_index(drop=True))]


@dataclass(frozen=True)
class Geocoder:
    """A geocoder as one object: offline by default, online when asked.

    Call it with a list of names to get the table :func:`geocode` returns. Pass it
    wherever geomap resolves place names (:func:`geomap.pipeline.build_timeline`,
    :func:`geomap.extract.extract_reports`); any callable with the same signature
    works there too.

    Parameters
    ----------
    online
        ``None`` (default) stays offline. ``"nominatim"`` or a geopy geocoder
        instance is asked about names the offline gazetteer cannot resolve.
    user_agent
        Required with ``online="nominatim"``.
    cache
        SQLite cache of online answers (default ``~/.cache/geomap/geocode.sqlite``).
    min_score
        Offline matches with a lower confidence are left unresolved.
    progress
        Progress bar for online lookups; ``None`` shows it when stderr is a terminal.
    clock, sleep
        Clock and sleep spacing online requests (tests pass fakes).

    Raises
    ------
    InputError
        ``min_score`` outside 0..1, an unknown service, or ``online="nominatim"``
        without a ``user_agent``.

    Examples
    --------
    >>> offline = Geocoder()
    >>> offline(["Kondoz"]).loc[0, "province_iso"]
    'AF-KDZ'
    >>> Geocoder(online="nominatim", user_agent="my-project/1.0 (me@example.org)")
    Geocoder(online='nominatim', user_agent='my-project/1.0 (me@example.org)', min_score=0.5)
    """

    online: str | Any | None = None
    user_agent: str | None = None
    cache: str | os.PathLike[str] | None = None
    min_score: float = DEFAULT_MIN_SCORE
    progress: bool | None = None
    clock: Callable[[], float] | None = None
    sleep: Callable[[float], object] | None = None

    def __post_init__(self) -> None:
        check_score(self.min_score)
        if self.online is not None:
            from geomap._online import make_geocoder

            make_geocoder(self.online, self.user_agent)  # bad settings fail here, not at the first lookup

    def __call__(self, names: Sequence[str]) -> pd.DataFrame:
        """Resolve ``names``; see :func:`geocode` for the table."""
        return geocode(
            names,
            online=self.online,
            cache=self.cache,
            user_agent=self.user_agent,
            min_score=self.min_score,
            progress=self.progress,
            clock=self.clock,
            sleep=self.sleep,
        )

    def __repr__(self) -> str:
        parts = [f"online={self.online!r}"] if self.online is not None else []
        if self.user_agent:
            parts.append(f"user_agent={self.user_agent!r}")
        if self.cache is not None:
            parts.append(f"cache={str(self.cache)!r}")
        parts.append(f"min_score={self.min_score}")
        return f"Geocoder({', '.join(parts)})"
