"""MapData -> the JSON object the page reads, made safe to sit inside a script element."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import numpy as np
import shapely

from geomap.errors import InputError
from geomap.render.geometry import (
    COORDINATE_DECIMALS,
    display_geometries,
    encode_geometry,
    encode_lines,
    neighbours,
    outline_of,
)
from geomap.render.labels import area_label_candidates, capital_points, country_labels
from geomap.render.mapdata import STATUS_ALPHABET, MapData, _text
from geomap.render.style import check_date_format, format_date, hatched
from geomap.schema import AREA_ID, AREA_NAME

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def page_payload(
    data: MapData,
    *,
    simplify_tolerance: float = 0.005,
    outline: bool = False,
    labels: bool = True,
    date_format: str | None = None,
) -> dict[str, Any]:
    """The JSON object the page reads: geometry once, a status table, reports once.

    Parameters
    ----------
    data
        What to show.
    simplify_tolerance
        See :func:`display_geometries`.
    outline
        Also send the outline of the areas' union (drawn when there are no tiles).
    labels
        Send where the names go (areas, capitals, neighbouring countries).
    date_format
        ``strftime`` format of the dates shown; default "12 Aug 2021" (see :func:`format_date`).

    Returns
    -------
    dict
        ``dates``, ``statuses``, ``names``, ``ids``, ``areas`` (per area its geometry, see
        :func:`encode_geometry`), ``scale``, ``table`` (per area a string of one status character
        per date, or its runs: :func:`compact_runs`), ``since``, ``conflict`` (see :func:`conflict_flags`),
        ``evidence``, ``reports``, ``counts`` (per area a string of one :data:`COUNT_ALPHABET` character per
        date, or its runs), ``noun``, ``title``, ``range``,
        ``bounds``, with a ``date_format`` ``date_labels`` and ``other_date_labels``, with
        ``labels`` ``labels`` (``points`` per area, ``capitals``, ``countries``; coordinates in
        ``scale`` units) and, with ``outline``, ``outline`` and ``neighbours`` (borders around
        Afghanistan); on a district map
        ``groups`` (province names and borders, see :func:`_groups`). A report of a whole province
        spread over its districts carries a ninth element, ``1``.
    """
    date_format = check_date_format(date_format)
    geoms = display_geometries(data.areas.geometry.values, simplify_tolerance)
    codes = np.asarray(data.codes)
    if codes.shape != (len(data.areas), len(data.dates)):
        raise InputError(
            f"status table has shape {codes.shape}; expected {(len(data.areas), len(data.dates))} (areas, dates)"
        )
    alphabet = np.frombuffer(STATUS_ALPHABET.encode("ascii"), dtype=np.uint8)
    chars = alphabet[codes.astype(np.intp)]
    table = [compact_runs(row.tobytes().decode("ascii")) for row in chars]
    report_dates = sorted(r["date"] for r in data.reports if r.get("date"))
    first = report_dates[0] if report_dates else data.dates[0].isoformat()
    last = report_dates[-1] if report_dates else data.dates[-1].isoformat()
    key_index = {key: i for i, key in enumerate(data.scheme.keys)}
    reports = [
        [
            r["date"],
            r["place"],
            key_index.get(r["status"], -1),
            r["source"],
            r["note"],
            r.get("lat"),
            r.get("lon"),
            r.get("precision", ""),
            *([1] if r.get("province_wide") else []),
        ]
        for r in data.reports
    ]
    payload = {
        "title": data.title,
        "noun": data.area_noun,
        "dates": [d.isoformat() for d in data.dates],
        "range": [first, last],
        "statuses": [
            {"label": s.label, "color": s.color, "hatch": hatched(s.key, data.scheme)} for s in data.scheme.statuses
        ],
        "unknown": key_index[data.scheme.unknown],
        # a place's reports of one date that disagree show this status on its marker (null: the last of them)
        "contested": key_index.get(data.scheme.conflict_key) if data.scheme.conflict_key else None,
        "ids": [str(v) for v in data.areas[AREA_ID]],
        "names": [_text(v) for v in data.areas[AREA_NAME]],
        "scale": 10**COORDINATE_DECIMALS,
        "areas": [encode_geometry(g) for g in geoms],
        "table": table,
        "since": [[[j, s] for j, s in runs] for runs in data.since] if data.since else [],
        "conflict": conflict_flags(data.conflict or [], len(data.dates)),
        "evidence": [[[j, refs] for j, refs in runs] for runs in data.evidence] if data.evidence else [],
        "reports": reports,
        "counts": _count_table(data.counts),
    }
    if date_format is not None:
        # The page writes the default "12 Aug 2021" itself; another format travels as text:
        # the reporting dates' labels in date order, other dates shown (reports, "since") by ISO date.
        payload["date_labels"] = [format_date(day, date_format) for day in data.dates]
        others = {first, last}
        others.update(r[0] for r in reports if r[0])
        others.update(s for runs in data.since for _, s in runs if s)
        others.difference_update(payload["dates"])
        payload["other_date_labels"] = {day: format_date(day, date_format) for day in sorted(others)}
    minx, miny, maxx, maxy = (float(v) for v in data.areas.total_bounds)
    payload["bounds"] = [[miny, minx], [maxy, maxx]]
    if labels:
        payload["labels"] = _label_payload(data, geoms)
    if data.groups is not None:
        payload["groups"] = _groups(geoms, data.groups)
    if outline:
        payload["outline"] = encode_geometry(outline_of(geoms))
        around = neighbours(data.areas.total_bounds)
        if around is not None:
            payload["neighbours"] = around
    return payload


COUNT_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
"""One character per area and date for the number of evidence reports; the last means that many or more."""


def conflict_flags(conflict: list[list[int]], n_dates: int) -> list[str]:
    """Per area, the dates on which its reports conflict as a hexadecimal string: character ``j``
    holds dates ``4j .. 4j + 3``, date ``4j + k`` in its bit ``k``; trailing zeros left out, so an
    area without conflicts is ``""``. A page of 398 districts x 1,095 dates carries at most 110 KB
    of it, however many of its area-dates conflict (a list of date numbers took 780 KB for a
    million random reports). A date number outside the dates is refused."""
    width = (n_dates + 3) // 4
    flags = np.zeros((len(conflict), width * 4), dtype=np.uint8)
    for i, days in enumerate(conflict):
        index = np.asarray(days, dtype=np.intp)
        outside = index[(index < 0) | (index >= n_dates)]
        if outside.size:
            raise InputError(f"conflict of area {i} on date number {outside[0]}; there are {n_dates} dates")
        flags[i, index] = 1
    nibbles = flags.reshape(len(conflict), width, 4) @ np.array([1, 2, 4, 8], dtype=np.uint8)
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[nibbles]
    return [row.tobytes().decode("ascii").rstrip("0") for row in digits]


def _count_table(counts: np.ndarray | None) -> list[str]:
    if counts is None:
        return []
    alphabet = np.frombuffer(COUNT_ALPHABET.encode("ascii"), dtype=np.uint8)
    chars = alphabet[np.minimum(np.asarray(counts), len(COUNT_ALPHABET) - 1).astype(np.intp)]
    return [compact_runs(row.tobytes().decode("ascii")) for row in chars]


RUNS_MARK = "~"
"""First character of a per-date string written as its runs (:func:`compact_runs`)."""
_RUNS_MIN_DATES = 16
"""Shorter strings are always written one character per date."""


def compact_runs(text: str) -> str:
    """One character per date, or its runs when they are shorter: ``"~"`` then, per run, its
    character and its length in decimal, runs separated by commas (``"3333333300"`` -> ``"~38,02"``).

    A status or count holds for days on end: a district's year of daily statuses with a few
    changes is a dozen characters instead of 365. :func:`expand_runs` (and the page's script)
    reads both forms."""
    if len(text) < _RUNS_MIN_DATES:
        return text
    letters = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    starts = np.flatnonzero(np.diff(letters)) + 1
    if 3 * (len(starts) + 1) >= len(text):  # a run takes a character, a digit and a comma at least
        return text
    edges = [0, *starts.tolist(), len(text)]
    runs = ",".join(f"{text[a]}{b - a}" for a, b in itertools.pairwise(edges))
    return RUNS_MARK + runs if len(runs) + 1 < len(text) else text


def expand_runs(text: str) -> str:
    """The one-character-per-date string :func:`compact_runs` wrote (returned as is when plain)."""
    if not text.startswith(RUNS_MARK):
        return text
    return "".join(run[0] * int(run[1:]) for run in text[1:].split(","))


def _label_payload(data: MapData, geoms: Any) -> dict[str, Any]:
    """Label anchors in the page's integer units: one point per area, capitals, countries."""
    scale = 10**COORDINATE_DECIMALS

    def units(x: float, y: float) -> list[int]:
        return [round(x * scale), round(y * scale)]

    return {
        "points": [[units(x, y) for x, y in options] for options in area_label_candidates(geoms)],
        "capitals": [[i, name, *units(x, y)] for i, name, x, y in capital_points(data.areas[AREA_ID].tolist(), geoms)],
        "countries": [[name, *units(x, y)] for name, x, y in country_labels(data.areas.total_bounds)],
    }


def _groups(geoms: np.ndarray, groups: list[str]) -> dict[str, Any]:
    """Province names per area (``names`` once, ``of`` an index per area) and the borders between
    provinces (``borders``, lines as :func:`encode_lines`), taken from the displayed areas so they
    match them."""
    names = list(dict.fromkeys(groups))
    position = {name: k for k, name in enumerate(names)}
    of = np.array([position[g] for g in groups], dtype=np.int64)
    return {"names": names, "of": of.tolist(), "borders": encode_lines(_group_borders(geoms, of))}


def _group_borders(geoms: np.ndarray, of: np.ndarray) -> Any:
    """The borders between areas of different groups, each once (the outer edge is the outline's).

    A ring segment of an area is a border when an area of another group lies along it and
    none of its own group does. Its midpoint is tested first against the other areas' edges
    (two-point lines: cheap), then, for the few segments no other edge matches (the outer
    edge, neighbours simplified apart), against the areas themselves. That works even where
    neighbours do not share vertices exactly, and needs no polygon union.
    """
    rings, ring_area = shapely.get_rings(geoms, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same = ring_of[:-1] == ring_of[1:]
    a, b = coords[:-1][same], coords[1:][same]
    own = ring_area[ring_of[:-1][same]]
    mid = shapely.points((a + b) / 2)
    near = 2 * 10**-COORDINATE_DECIMALS
    point, edge = shapely.STRtree(shapely.linestrings(np.stack([a, b], axis=1))).query(
        mid, predicate="dwithin", distance=near
    )
    point, area = point[own[edge] != own[point]], own[edge][own[edge] != own[point]]
    alone = np.setdiff1d(np.arange(len(a)), point)
    if alone.size:
        hit, hit_area = shapely.STRtree(geoms).query(mid[alone], predicate="dwithin", distance=near)
        others = hit_area != own[alone[hit]]
        point = np.concatenate([point, alone[hit[others]]])
        area = np.concatenate([area, hit_area[others]])
    across = of[area] != of[own[point]]
    border = np.zeros(len(a), dtype=bool)
    border[point[across]] = True
    border[point[~across]] = False  # a segment along an area of its own group is inside the group
    a, b = a[border], b[border]
    # A border between two groups comes once from each side: keep one copy.
    scale = 10**COORDINATE_DECIMALS
    ia, ib = np.rint(a * scale).astype(np.int64), np.rint(b * scale).astype(np.int64)
    swap = (ia[:, 0] > ib[:, 0]) | ((ia[:, 0] == ib[:, 0]) & (ia[:, 1] > ib[:, 1]))
    lo, hi = np.where(swap[:, None], ib, ia), np.where(swap[:, None], ia, ib)
    _, first = np.unique(np.hstack([lo, hi]), axis=0, return_index=True)
    first = np.sort(first)
    segments = shapely.linestrings(np.stack([lo[first], hi[first]], axis=1) / scale)
    return shapely.line_merge(shapely.multilinestrings(segments))


def json_for_script(payload: Any) -> str:
    """JSON safe to place inside ``<script type="application/json">``.

    ``<``, ``>``, ``&`` and the line separators U+2028/U+2029 are written as ``\\u`` escapes,
    so no text in the data can close the script element or start markup.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_ESCAPE_RE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)
