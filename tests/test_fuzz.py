"""Fuzzing every reader: a GeomapError with a clear message or success, never another exception;
nothing written on error, an existing output left intact.

Runs a fixed number of examples per reader (``FUZZ_EXAMPLES``, default small so the suite stays
quick), derandomized under CI so a CI run is reproducible; locally each run tries new inputs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="install the dev extra: pip install -e '.[dev]'")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from geomap._online import AnswerCache  # noqa: E402
from geomap.boundaries import load_boundaries  # noqa: E402
from geomap.cli import main  # noqa: E402
from geomap.errors import GeomapError  # noqa: E402
from geomap.importers._table import EventsError  # noqa: E402
from geomap.reports import ReportsError, read_reports  # noqa: E402
from geomap.scheme import load_scheme  # noqa: E402

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
SLOW = settings(FUZZ, max_examples=max(5, EXAMPLES // 4))


def check_error(exc: GeomapError) -> None:
    """A message a user can act on: one line (reports and events errors: a headline and one line per problem)."""
    lines = str(exc).split("\n")
    assert lines[0].strip(), "empty message"
    if isinstance(exc, ReportsError | EventsError):
        assert all(line.startswith("  ") and line.strip() for line in lines[1:])
    else:
        assert len(lines) == 1, str(exc)


def outcome(call, *args, **kwargs) -> object:
    try:
        return call(*args, **kwargs)
    except GeomapError as exc:
        check_error(exc)
        return exc


# ---------------------------------------------------------------------------------------------------- cells

dates = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2021-08-12", "2021-02-30", "0001-01-01", "9999-12-31", "2021-08-12T99:99", "12/08/2021", ""]),
    st.datetimes().map(lambda d: d.isoformat()),
)
places = st.one_of(
    st.sampled_from(["Ghazni", "Kabul", "Mazar-i-Sharif", "Kondoz", "Doha", "Lashkar Gah", "کابل", "Gen.", "=1+1"]),
    st.text(max_size=40),
)
statuses = st.one_of(
    st.sampled_from(["taliban", "Government", "contested", "unknown", "fell", ""]), st.text(max_size=12)
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["34.5", "69.2", "", "1e400", "-0", "nan", "34,5"]),
)
free_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=60)
COLUMNS = ["date", "place", "status", "source", "note", "lat", "lon", "level", "", "Date", "extra"]
CELLS = {"date": dates, "place": places, "status": statuses, "lat": numbers, "lon": numbers}


@st.composite
def report_tables(draw) -> tuple[list[str], list[list[str]]]:
    header = draw(st.lists(st.sampled_from(COLUMNS), min_size=0, max_size=8))
    rows = draw(
        st.lists(
            st.lists(st.one_of(*(CELLS.get(c.lower(), free_text) for c in header or ["x"])), max_size=9),
            max_size=6,
        )
    )
    return header, rows


def csv_text(header: list[str], rows: list[list[str]], delimiter: str) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(COLUMNS), inner, max_size=5),
    max_leaves=20,
)


# ---------------------------------------------------------------------------------------------------- readers


@FUZZ
@given(table=report_tables(), suffix=st.sampled_from([".csv", ".tsv", ".txt", ".CSV"]))
def test_reports_csv(tmp_path_factory, table, suffix):
    path = tmp_path_factory.mktemp("csv") / f"reports{suffix}"
    path.write_text(csv_text(*table, delimiter="\t" if suffix == ".tsv" else ","), encoding="utf-8")
    outcome(read_reports, path)


@FUZZ
@given(raw=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".json", ".tsv", ".xyz", ""]))
def test_reports_raw_bytes(tmp_path_factory, raw, suffix):
    path = tmp_path_factory.mktemp("raw") / f"reports{suffix}"
    path.write_bytes(raw)
    outcome(read_reports, path)


@FUZZ
@given(
    data=st.one_of(
        json_values,
        st.lists(
            st.fixed_dictionaries(
                {"date": dates, "place": places, "status": statuses},
                optional={"lat": numbers, "lon": numbers, "note": free_text},
            )
        ),
    ),
    escape=st.sampled_from(["", "\\ud800", "\\udfff\\ud800", "\\u0000", "\\ud83d\\ude00"]),
)
def test_reports_json(tmp_path_factory, data, escape):
    text = json.dumps(data)
    if escape and '"' in text:
        first = text.index('"') + 1
        text = text[:first] + escape + text[first:]
    path = tmp_path_factory.mktemp("json") / "reports.json"
    path.write_text(text, encoding="utf-8")
    outcome(read_reports, path)


@FUZZ
@given(
    statuses=st.lists(
        st.one_of(
            json_values,
            st.fixed_dictionaries(
                {"key": st.one_of(st.sampled_from(["a", "unknown", "B", ""]), json_values)},
                optional={
                    "label": json_values,
                    "color": st.sampled_from(["#d7301f", "red", "", None]),
                    "aliases": json_values,
                },
            ),
        ),
        max_size=4,
    ),
    unknown=st.one_of(st.just("unknown"), json_values),
)
def test_schemes(tmp_path_factory, statuses, unknown):
    path = tmp_path_factory.mktemp("scheme") / "scheme.json"
    path.write_text(json.dumps({"statuses": statuses, "unknown": unknown}), encoding="utf-8")
    outcome(load_scheme, path)


coordinates = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False) | st.sampled_from([65.0, 33.0, 66.0, 34.0])
rings = st.lists(st.tuples(coordinates, coordinates).map(list), min_size=0, max_size=6)


@SLOW
@given(
    features=st.lists(
        st.fixed_dictionaries(
            {
                "properties": st.fixed_dictionaries({"id": st.one_of(st.text(max_size=4), st.integers(), st.none())}),
                "geometry": st.one_of(
                    st.none(),
                    st.fixed_dictionaries(
                        {
                            "type": st.sampled_from(["Polygon", "LineString", "Point"]),
                            "coordinates": st.lists(rings, max_size=2),
                        }
                    ),
                ),
            }
        ),
        min_size=0,
        max_size=3,
    ),
    crs=st.sampled_from([None, "EPSG:4326", "EPSG:32642", "EPSG:3857", "nonsense"]),
)
def test_boundary_files(tmp_path_factory, features, crs):
    for feature in features:
        feature["type"] = "Feature"
    path = tmp_path_factory.mktemp("geo") / "b.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    result = outcome(load_boundaries, path, id_field="id", name_field="id", crs=crs)
    if not isinstance(result, GeomapError):
        assert result.crs.to_epsg() == 4326 and result.geometry.is_valid.all()


@FUZZ
@given(raw=st.binary(max_size=2000), header=st.booleans())
def test_geocoding_caches(tmp_path_factory, raw, header):
    path = tmp_path_factory.mktemp("cache") / "c.sqlite"
    path.write_bytes((b"SQLite format 3\x00" if header else b"") + raw)

    def use():
        cache = AnswerCache(path)
        try:
            cache.get("nominatim", "Qala")
            cache.put("nominatim", "Qala", None)
        finally:
            cache.close()

    outcome(use)


words = st.sampled_from(
    [
        "Gen.",
        "Aug.",
        "Mr.",
        "U.S.",
        "A.",
        "B.",
        "Taliban",
        "captured",
        "Ghazni",
        "Kabul",
        "on",
        "12",
        "August",
        "fell",
        "to",
        "the",
        "\n\n",
        ".",
        ",",
        '"',
        "Sunday",
        "2021-08-12",
        "yesterday",
        "not",
        "Herat",
        "-",
    ]
)


@SLOW
@given(text=st.one_of(st.lists(words, max_size=80).map(" ".join), st.text(max_size=300)))
def test_articles(text):
    from geomap.extract import extract_reports

    result = outcome(extract_reports, text, published="2021-08-15")
    if not isinstance(result, GeomapError):
        assert set(result.columns) >= {"date", "place", "status"}


@FUZZ
@given(names=st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=60), min_size=1, max_size=5))
def test_place_names(names):
    from geomap.geocode import geocode

    result = outcome(geocode, names)
    if not isinstance(result, GeomapError):
        assert result["query"].tolist() == names


# ---------------------------------------------------------------------------------------------------- the CLI

SENTINEL = "an existing output that must survive a failed run\n"


@SLOW
@given(table=report_tables(), fmt=st.sampled_from(["csv", "geojson"]))
def test_failed_runs_write_nothing_and_keep_existing_output(tmp_path_factory, table, fmt):
    folder = tmp_path_factory.mktemp("cli")
    reports = folder / "reports.csv"
    reports.write_text(csv_text(*table, delimiter=","), encoding="utf-8")
    out = folder / f"out.{fmt}"
    out.write_text(SENTINEL, encoding="utf-8")
    unresolved = folder / "unresolved.csv"
    status = main(["export", str(reports), "-o", str(out), "--unresolved", str(unresolved)])
    names = sorted(p.name for p in Path(folder).iterdir())
    if status == 0:
        assert out.read_text(encoding="utf-8") != SENTINEL and unresolved.exists()
    else:
        assert out.read_text(encoding="utf-8") == SENTINEL
        assert names == sorted(["reports.csv", out.name])
    assert not any(name.startswith(".") for name in names)


# ---------------------------------------------------------------------------------------------------- 180 degrees

near_180 = st.sampled_from([179.0, 179.5, 180.0, -180.0, -179.5, -179.0, 0.0, 90.0, -90.0])
lats = st.floats(min_value=-89.0, max_value=89.0, allow_nan=False)


@FUZZ
@given(rings=st.lists(st.lists(st.tuples(near_180 | st.floats(-180, 180), lats), min_size=3, max_size=7), max_size=3))
def test_rings_near_180_degrees(tmp_path_factory, rings):
    features = [
        {
            "type": "Feature",
            "properties": {"id": str(k)},
            "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]},
        }
        for k, ring in enumerate(rings)
    ]
    path = tmp_path_factory.mktemp("am") / "b.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    result = outcome(load_boundaries, path, id_field="id", name_field="id")
    if not isinstance(result, GeomapError):
        import shapely

        from geomap._antimeridian import lon_lat_bounds

        parts = shapely.get_parts(result.geometry.values)
        widths = shapely.bounds(parts)[:, 2] - shapely.bounds(parts)[:, 0]
        west, south, east, north = lon_lat_bounds(result.geometry.values)
        assert all(-180 <= v <= 180 for v in (west, east)) and -90 <= south <= north <= 90
        assert result.geometry.is_valid.all() and (widths <= 360).all()


# ---------------------------------------------------------------------------------------------------- event imports


@FUZZ
@given(
    data=st.one_of(
        json_values,
        st.fixed_dictionaries({"sides": st.dictionaries(st.sampled_from(["taliban", "government", "x"]), json_values)}),
    ),
    yaml=st.booleans(),
)
def test_actor_mappings(tmp_path_factory, data, yaml):
    from geomap.importers.actors import load_actor_mapping

    path = tmp_path_factory.mktemp("actors") / ("a.yaml" if yaml else "a.json")
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML too
    outcome(load_actor_mapping, path)


ACLED = Path(__file__).parent / "data" / "events" / "acled-sample.csv"


@FUZZ
@given(
    cells=st.dictionaries(
        st.sampled_from(
            [
                "event_date",
                "time_precision",
                "event_type",
                "sub_event_type",
                "actor1",
                "actor2",
                "location",
                "latitude",
                "longitude",
                "geo_precision",
                "admin1",
            ]
        ),
        st.one_of(dates, numbers, places, st.sampled_from(["1 January 0001", "31 December 9999", "3", "Battles"])),
        max_size=4,
    )
)
def test_acled_rows(tmp_path_factory, cells):
    import csv

    from geomap.importers import import_events

    rows = list(csv.reader(ACLED.open(encoding="utf-8")))
    header, row = rows[0], list(rows[1])
    for column, value in cells.items():
        row[header.index(column)] = value
    path = tmp_path_factory.mktemp("acled") / "events.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, row])
    outcome(import_events, path, "acled")
