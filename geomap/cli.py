"""The ``geomap`` command line. It only wires the library's modules together.

Errors from geomap (:class:`geomap.errors.GeomapError`) are printed as one line on
stderr with a non-zero exit status; warnings are printed as one line each.
"""

from __future__ import annotations

import argparse
import itertools
import re
import signal
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, cast

from geomap import __version__
from geomap.errors import GeomapError, UncountedReportsWarning, UnplacedReportsWarning

if TYPE_CHECKING:
    import datetime as dt
    from types import FrameType

    from matplotlib.figure import Figure

    from geomap.timeline import ControlTimeline

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130

# The extensions an output may have, by what it holds; any other is refused before any work.
CSV_EXTENSIONS = (".csv",)
"""geocode, import and extract ``-o``, and ``--unresolved``: a CSV table."""
HTML_EXTENSIONS = (".html", ".htm")
"""map ``-o`` and extract ``--review``: an HTML page."""
PLOT_EXTENSIONS = (".png", ".svg", ".pdf")
"""summary ``--plot``: the chart, saved in the format its extension names."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="geomap",
        allow_abbrev=False,
        description="Map who controls which Afghan place on which date: geocode reports, "
        "work out each area's status per reporting date, draw Folium maps, export GIS files.",
    )
    parser.add_argument("--version", action="version", version=f"geomap {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_provinces(sub)
    _add_export(sub)
    _add_map(sub)
    _add_extract(sub)
    _add_summary(sub)
    _add_image(sub)
    _add_animate(sub)
    _add_demo(sub)
    _add_geocode(sub)
    _add_import(sub)
    # Whole option names only: "--interval" must not quietly mean "--intervals".
    parser.allow_abbrev = False
    for command in sub.choices.values():
        command.allow_abbrev = False
    return parser


def _add_provinces(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    what = "list the 34 bundled provinces (ISO code, name, capital)"
    p = sub.add_parser("provinces", help=what, description=what[0].upper() + what[1:] + ".")
    p.add_argument("--csv", action="store_true", help="print CSV instead of aligned columns")
    p.set_defaults(func=_cmd_provinces)


def _cmd_provinces(args: argparse.Namespace) -> int:
    from geomap.boundaries import load_provinces

    table = load_provinces()[["iso", "name", "capital"]]
    if args.csv:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        sys.stdout.write(table.to_string(index=False) + "\n")
    return 0


def _add_timeline_options(p: argparse.ArgumentParser) -> None:
    """Options shared by every command that builds a control timeline from a reports file."""
    p.add_argument(
        "reports",
        help="reports file: CSV (UTF-8; comma, semicolon or tab), JSON, GeoJSON points or Excel .xlsx with "
        "date, place, status"
        "[, source, note, lat, lon, level, place_precision, date_precision]",
    )
    p.add_argument("--sheet", metavar="NAME", help="worksheet of an .xlsx reports file: name or number (default: 1)")
    order = p.add_mutually_exclusive_group()
    order.add_argument(
        "--day-first",
        action="store_true",
        help="read dates written with numbers day first (15/08/2021, 05.08.2021: 5 August) besides YYYY-MM-DD",
    )
    order.add_argument(
        "--month-first",
        action="store_true",
        help="read dates written with numbers month first, as American spreadsheets save them (8/15/2021; "
        "08/05/2021: 5 August) besides YYYY-MM-DD",
    )
    g = p.add_argument_group("areas")
    g.add_argument(
        "--level",
        choices=["province", "district"],
        default=None,
        help="bundled areas to map: the 34 provinces (default) or the 398 districts",
    )
    g.add_argument("--boundaries", metavar="FILE", help="polygon file to map instead of the bundled areas")
    g.add_argument("--id-field", metavar="NAME", help="unique id attribute of --boundaries")
    g.add_argument("--name-field", metavar="NAME", help="display name attribute of --boundaries")
    g.add_argument(
        "--crs",
        metavar="CRS",
        help="CRS of --boundaries' coordinates, e.g. EPSG:4326: needed when the file states none, "
        "and overrides the one it states",
    )
    g.add_argument("--encoding", metavar="CODEC", help="attribute encoding of --boundaries, e.g. cp1256")
    g.add_argument("--layer", metavar="NAME", help="the layer of --boundaries to map, when the file holds several")
    t = p.add_argument_group("timeline")
    t.add_argument("--scheme", metavar="FILE", help="status scheme JSON (default: Afghanistan 2021)")
    when = t.add_mutually_exclusive_group()
    when.add_argument(
        "--freq",
        choices=["D", "W"],
        help="reporting dates every day (D) or 7th day (W) from the first report, and the last report's date",
    )
    when.add_argument("--dates", metavar="LIST", help="comma-separated reporting dates, YYYY-MM-DD")
    t.add_argument(
        "--aggregate",
        choices=["capital", "latest", "majority"],
        default="capital",
        help="which reports set a province's status (default: capital = the province and its capital)",
    )
    t.add_argument("--strict", action="store_true", help="fail when any report's place cannot be resolved")
    t.add_argument(
        "--min-precision",
        type=int,
        choices=[1, 2, 3],
        metavar="N",
        help="keep only reports whose place and date are at least this precise: 1 = the place and the day, "
        "2 = near it or its district, and the week; 3 = keep all (place_precision/date_precision columns)",
    )
    t.add_argument("--unresolved", metavar="FILE.csv", help="write reports whose place did not resolve to this CSV")
    _add_raw_csv(p)
    e = p.add_argument_group("engine")
    e.add_argument(
        "--engine",
        choices=["pandas", "dask"],
        default="pandas",
        help="pandas (default, in process) or dask: join and per-date aggregation on Dask (pip install 'geomap[dask]')",
    )
    e.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: a Dask scheduler, e.g. tcp://10.0.0.5:8786 "
        "(default: a local cluster of 2 worker processes)",
    )
    o = p.add_argument_group("online geocoding (off by default)")
    o.add_argument("--online", metavar="SERVICE", help="geocode names the offline gazetteer misses, e.g. nominatim")
    o.add_argument("--user-agent", metavar="UA", help="user agent for --online (required by the service)")
    o.add_argument("--cache", metavar="FILE", help="SQLite cache for --online answers")


def _add_raw_csv(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--raw-csv",
        action="store_true",
        help="write the cells of every CSV this command writes as they are; by default text starting with "
        "= + - @ gets a leading ' so spreadsheets show it instead of running it as a formula",
    )


#: Options naming one date, checked before any report is read.
_DATE_OPTIONS = (("date", "--date"), ("start_date", "--start-date"))


def _check_date_options(args: argparse.Namespace) -> None:
    """Refuse a date option that is no date (``--date 14/08/2021``) before the reports are read and geocoded."""
    from geomap.dates import parse_date

    for attribute, option in _DATE_OPTIONS:
        value = getattr(args, attribute, None)
        if value is not None:
            parse_date(value, option)


def _timeline_from_args(
    args: argparse.Namespace, *, lean: bool = False, text_dir: Path | None = None, text_on_demand: bool = False
) -> ControlTimeline:
    """Build the control timeline that ``_add_timeline_options`` describes; report unresolved places.

    ``lean``: the caller reads only statuses, conflicts and evidence (``export``, ``map`` without
    markers): a large CSV is read a chunk at a time and the reports kept compact
    (:func:`geomap.pipeline.build_timeline_lean`), their evidence text in a temporary file in
    ``text_dir``, or, ``text_on_demand`` (a map, citing few reports), read from the file when cited.
    """
    from geomap._io import refuse_overwriting_inputs
    from geomap.boundaries import load_boundaries
    from geomap.errors import InputError
    from geomap.geocode import Geocoder
    from geomap.pipeline import build_timeline, build_timeline_lean
    from geomap.scheme import load_scheme

    _check_date_options(args)
    if args.unresolved:
        refuse_overwriting_inputs(args.unresolved, _run_inputs(args))
        if Path(args.unresolved).is_dir():
            raise InputError(f"{args.unresolved}: is a folder; give a file name for --unresolved")
        _check_extension(args.unresolved, CSV_EXTENSIONS, flag="--unresolved", writes="--unresolved writes a CSV table")
    boundaries = None
    if args.boundaries and args.level:
        raise InputError(
            f"{args.boundaries}: --boundaries maps your own areas and --level {args.level} the bundled "
            f"{args.level}s; give one of them, not both"
        )
    if args.boundaries:
        if not (args.id_field and args.name_field):
            raise InputError(f"{args.boundaries}: --boundaries needs --id-field and --name-field")
        boundaries = load_boundaries(
            args.boundaries,
            id_field=args.id_field,
            name_field=args.name_field,
            crs=args.crs,
            encoding=args.encoding,
            layer=args.layer,
        )
    scheme = load_scheme(args.scheme) if args.scheme else None
    dates = [d.strip() for d in args.dates.split(",") if d.strip()] if args.dates else None
    geocoder = Geocoder(online=args.online, user_agent=args.user_agent, cache=args.cache)
    client = None
    if args.engine == "dask":
        from geomap._dask import connect

        client = connect(args.scheduler)
    try:
        extra = {"text_dir": text_dir, "text_on_demand": text_on_demand} if lean else {}
        timeline = (build_timeline_lean if lean else build_timeline)(
            args.reports,
            boundaries=boundaries,
            scheme=scheme,
            geocoder=geocoder,
            dates=dates,
            freq=args.freq,
            aggregate=args.aggregate,
            level=args.level or "province",
            strict=args.strict,
            sheet=_sheet(args.sheet),
            day_first=args.day_first,
            month_first=args.month_first,
            min_precision=getattr(args, "min_precision", None),
            engine=args.engine,
            **extra,
        )
        if client is not None:
            timeline.long(evidence=False)  # decide every date while the cluster is up
    finally:
        if client is not None:
            from geomap._dask import disconnect

            disconnect(client)
    if timeline.imprecise_dropped:
        print(
            f"geomap: {timeline.imprecise_dropped} report(s) less precise than --min-precision "
            f"{args.min_precision} left out",
            file=sys.stderr,
        )
    count = len(timeline.conflict_days())  # the text of only the 5 shown is built
    if count:
        shown = ", ".join(
            f"{row.area_name} {row.date:%Y-%m-%d} ({' vs '.join(row.statuses)})"
            for row in timeline.conflicts(limit=5).itertuples()
        )
        more = f" and {count - 5} more" if count > 5 else ""
        conflict = timeline.scheme.conflict_key
        how = (
            f"shown as {conflict}"
            if conflict
            else "shown as the last of them in the file (the scheme has no contested)"
        )
        print(f"geomap: conflicting reports, {how}: {shown}{more}", file=sys.stderr)
    _report_province_wide(timeline)
    _report_uncounted(timeline)
    _report_after_dates(args, timeline)
    _refuse_nothing_placed(args, timeline)
    if lean:
        from geomap.pipeline import release_memory

        release_memory()
    return timeline


def _run_inputs(args: argparse.Namespace) -> list[str | Path | None]:
    """Every file a timeline command reads, which no output may replace."""
    cache = getattr(args, "cache", None)
    if cache is None and getattr(args, "online", None):
        from geomap._online import default_cache_path

        cache = default_cache_path()
    return [args.reports, args.boundaries, args.scheme, cache]


def _refuse_nothing_placed(args: argparse.Namespace, timeline: ControlTimeline) -> None:
    """Refuse a run where no report could be placed on the areas (every output would say "no report"),
    once ``--unresolved`` has listed them."""
    from geomap.errors import InputError, shown

    unresolved = timeline.unresolved
    if len(timeline._reports) or not len(unresolved):
        return
    _write_unresolved(args, timeline)
    listed = ", ".join(
        f"{shown(p)} (row {r}: {why})"
        for p, r, why in zip(unresolved["place"][:3], unresolved["row"][:3], unresolved["reason"][:3], strict=True)
    )
    more = f" and {len(unresolved) - 3} more" if len(unresolved) > 3 else ""
    raise InputError(
        f"{args.reports}: none of the {len(unresolved)} report(s) could be placed on the {timeline.area_noun}: "
        f"{listed}{more}; check the place names (geomap geocode NAME shows what a name resolves to) or coordinates"
    )


def _report_unresolved(args: argparse.Namespace, timeline: ControlTimeline) -> None:
    """Say which reports were not mapped (once the outputs, ``--unresolved`` included, are written)."""
    from geomap.errors import shown

    unresolved = timeline.unresolved
    if len(unresolved):
        listed = ", ".join(
            f"{shown(p)} (row {r})" for p, r in zip(unresolved["place"][:5], unresolved["row"][:5], strict=True)
        )
        more = f" and {len(unresolved) - 5} more" if len(unresolved) > 5 else ""
        hint = f"; listed in {args.unresolved}" if args.unresolved else "; use --unresolved FILE to list them"
        print(f"geomap: {len(unresolved)} report(s) not mapped: {listed}{more}{hint}", file=sys.stderr)


def _sheet(value: str | None) -> str | int | None:
    """A worksheet given on the command line: a number is a position, anything else a name."""
    return int(value) if value is not None and value.strip().isdigit() else value


def _report_province_wide(timeline: ControlTimeline) -> None:
    """Say which reports named only a province and so were spread over its districts."""
    from geomap.errors import shown

    wide = timeline.province_wide()
    if wide.empty:
        return
    listed = ", ".join(f"{shown(p)} (row {r})" for p, r in zip(wide["place"][:5], wide["row"][:5], strict=True))
    more = f" and {len(wide) - 5} more" if len(wide) > 5 else ""
    print(
        f"geomap: {len(wide)} report(s) name only a province and were applied to each of its districts, "
        f"marked province-wide: {listed}{more}; name a district or town (or give lat/lon, without level "
        "province) to place them, or use --strict to refuse them",
        file=sys.stderr,
    )


def _report_after_dates(args: argparse.Namespace, timeline: ControlTimeline) -> None:
    """Say how many reports ``--dates`` leaves out by ending before them (no output shows them)."""
    import pandas as pd

    dates = timeline.reporting_dates
    if not getattr(args, "dates", None) or not dates or "date" not in timeline._reports.columns:
        return
    days = timeline._reports["date"]
    after = days > pd.Timestamp(dates[-1])
    count = int(after.sum())
    if count:
        print(
            f"geomap: warning: {count:,} report(s) are dated after the last of --dates ({dates[-1].isoformat()}; "
            f"the latest report is of {days.max():%Y-%m-%d}): no output shows them; add a later date to see them",
            file=sys.stderr,
        )


def _report_uncounted(timeline: ControlTimeline) -> None:
    """Say how many reports the capital rule keeps out of the provinces' statuses (about districts, towns or
    villages): on a province map they would otherwise leave no trace."""
    from geomap.errors import shown
    from geomap.pipeline import uncounted_advice, uncounted_reports

    count, places, parts = uncounted_reports(timeline)
    if not count:
        return
    listed = ", ".join(shown(p) for p in places[:3]) + (", ..." if len(places) > 3 else "")
    print(
        f"geomap: {count:,} report(s) about districts, towns or villages ({listed}) do not set a province's "
        "status under --aggregate capital (only reports about a province or its capital do); "
        + uncounted_advice(count, parts, cli=True),
        file=sys.stderr,
    )


def _write_unresolved(args: argparse.Namespace, timeline: ControlTimeline) -> None:
    """Write ``--unresolved FILE``: called just before the main output is published, so a failure here
    leaves no main output behind and a published main output always has its list."""
    if not args.unresolved:
        return
    from geomap._csv import csv_text
    from geomap._io import write_text_atomic

    unresolved = timeline.unresolved
    columns = [c for c in ("row", "date", "place", "status", "source", "reason") if c in unresolved.columns]
    table = unresolved[columns].copy()
    if "date" in table:
        table["date"] = table["date"].dt.strftime("%Y-%m-%d")
    write_text_atomic(args.unresolved, csv_text(table, raw=args.raw_csv))


def _add_export(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        help="export every area's status per reporting date to GeoJSON, GeoPackage, GeoParquet or CSV",
        description="Export the control timeline. Default: one feature per area per reporting date.",
    )
    _add_timeline_options(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE", help=".geojson, .gpkg, .parquet or .csv")
    p.add_argument("--format", choices=["geojson", "gpkg", "parquet", "csv"], help="override the extension")
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--as-of", metavar="DATE", help="one feature per area, as of this date (YYYY-MM-DD)")
    shape.add_argument("--intervals", action="store_true", help="one feature per unchanged stretch (valid_from/to)")
    p.add_argument(
        "--style",
        metavar="FILE.qml",
        help="also write the QGIS style (colours by status, time settings) to this .qml file; "
        "a .gpkg export carries it inside already",
    )
    p.add_argument(
        "--datapackage",
        action="store_true",
        help="also write a Frictionless datapackage.json beside the export (fields, types, status scheme, "
        "sources and licences)",
    )
    p.add_argument(
        "--compact",
        action="store_true",
        help="parquet/csv: no geometry per row; each area's geometry once in FILE.areas.parquet, joined by id",
    )
    p.set_defaults(func=_cmd_export)


def _cmd_export(args: argparse.Namespace) -> int:
    from geomap._io import atomic_path, refuse_overwriting_inputs
    from geomap.dates import parse_date
    from geomap.errors import InputError
    from geomap.export import COMPACT_FORMATS, compact_areas_path, export, format_of

    inputs = [*_run_inputs(args), args.unresolved]
    refuse_overwriting_inputs(args.output, inputs)
    kind = format_of(Path(args.output), args.format, option="--format")  # fail on a bad extension before any work
    if args.compact and kind not in COMPACT_FORMATS:
        fix = "pass --format parquet or csv" if args.format else "name the output .parquet or .csv"
        raise InputError(
            f"{args.output}: --compact writes a Parquet or CSV table (each area's geometry goes to "
            f"{compact_areas_path(args.output).name}), not {kind}; {fix}, or drop --compact"
        )
    if args.compact:
        refuse_overwriting_inputs(compact_areas_path(args.output), [*inputs, args.output])
    if args.style:
        _check_style_path(args.style, [*inputs, args.output])
    if args.datapackage:
        from geomap.datapackage import DESCRIPTOR_NAME

        refuse_overwriting_inputs(Path(args.output).with_name(DESCRIPTOR_NAME), [*inputs, args.style])
    as_of = parse_date(args.as_of, "--as-of") if args.as_of else None
    timeline = _timeline_from_args(args, lean=True, text_dir=Path(args.output).parent)
    if as_of is not None:
        _warn_before_first_report(as_of, timeline)
    shape = "as-of" if args.as_of else "intervals" if args.intervals else "long"
    if shape != "as-of":  # from here on only the decided statuses and the evidence are read
        from geomap.pipeline import release_memory

        timeline._keep_only_evidence()
        release_memory()
    with atomic_path(args.output) as tmp:
        areas_path = compact_areas_path(args.output) if args.compact else None
        export(
            timeline,
            tmp,
            format=kind,
            shape=shape,
            as_of=as_of,
            raw_csv=args.raw_csv,
            compact=args.compact,
            areas_path=areas_path,
        )
        _write_unresolved(args, timeline)
        if args.style:  # side files are published just before the main output, so a failure leaves neither
            from geomap._io import write_text_atomic
            from geomap.style import qml_style

            write_text_atomic(args.style, qml_style(timeline.scheme, shape=shape))
    _report_unresolved(args, timeline)
    path = Path(args.output)
    print(path)
    if args.compact:
        print(compact_areas_path(args.output))
    if args.style:
        print(args.style)
    if args.datapackage:
        from geomap.datapackage import write_datapackage
        from geomap.errors import OutputError

        own = getattr(args, "boundaries", None)
        try:
            descriptor = write_datapackage(
                path,
                format=kind,
                scheme=timeline.scheme,
                shape=shape,
                bundled_boundaries=not own,
                reports=args.reports,
                boundaries=own,
                areas=compact_areas_path(args.output) if args.compact else None,
            )
        except OutputError as exc:  # the export itself is written (and printed above): say so
            said = str(exc).removesuffix("; nothing was changed")
            raise OutputError(f"{said}; the export is written, its data package not: run again to write it") from None
        print(descriptor)
    return 0


def _warn_outside_dates(
    option: str, value: str | None, timeline: ControlTimeline, shows: str, *, after_only: bool = False
) -> None:
    """Say so when a date option falls before the first reporting date or after the last (``after_only``:
    after the last; the command refuses one before): what is shown then (``shows`` completes "so ...
    <date>", e.g. "the map opens on"). A value that is no date is left to the command to refuse."""
    from geomap.dates import parse_date
    from geomap.errors import InputError

    dates = timeline.reporting_dates
    if value is None or not dates:
        return
    try:
        day = parse_date(value, option)
    except InputError:
        return
    if day < dates[0] and not after_only:
        edge, where = dates[0], "before the first"
    elif day > dates[-1]:
        edge, where = dates[-1], "after the last"
    else:
        return
    print(
        f"geomap: warning: {option} {day.isoformat()} is {where} reporting date ({edge.isoformat()}), "
        f"so {shows} {edge.isoformat()}",
        file=sys.stderr,
    )


def _warn_before_first_report(as_of: dt.date, timeline: ControlTimeline) -> None:
    """Say so when ``--as-of`` precedes every report (each area is then ``unknown``) or follows every report
    (the statuses are those of the last report's date)."""
    dates = timeline.reports.get("date")
    if dates is None or dates.dropna().empty:
        return
    first, last = dates.min().date(), dates.max().date()
    if as_of < first:
        print(
            f"geomap: warning: --as-of {as_of.isoformat()} is before every report (the first is "
            f"{first.isoformat()}), so every area is '{timeline.scheme.unknown}'; give a later date",
            file=sys.stderr,
        )
    elif as_of > last:
        print(
            f"geomap: warning: --as-of {as_of.isoformat()} is after every report (the last is "
            f"{last.isoformat()}), so the statuses are those of {last.isoformat()}",
            file=sys.stderr,
        )


def _check_style_path(style: str, taken: list[str | Path | None]) -> None:
    from geomap._io import refuse_overwriting_inputs
    from geomap.errors import InputError

    if Path(style).suffix.lower() != ".qml":
        raise InputError(f"{style}: --style writes a QGIS .qml file; give a name ending in .qml")
    refuse_overwriting_inputs(style, taken)


def _add_map(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "map",
        help="draw the control timeline as an HTML map with a date slider",
        description="Draw every area's status as a Folium choropleth whose colours follow a date slider "
        "(play/pause, arrow keys, the date in the URL fragment: map.html#2021-08-12). "
        "Data text is always shown as text, never run.",
    )
    _add_timeline_options(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the HTML file to write (.html or .htm)")
    m = p.add_argument_group("map")
    m.add_argument(
        "--layers",
        choices=["slider", "per-date"],
        default="slider",
        help="slider (default): one map and a date slider; per-date: one layer per date in a layer control",
    )
    m.add_argument(
        "--self-contained",
        action="store_true",
        help="inline Leaflet so the file works offline and loads nothing (no basemap unless --tiles)",
    )
    m.add_argument("--title", metavar="TEXT", help="title shown on the map and as the page title")
    m.add_argument("--markers", action="store_true", help="add a circle per reported place")
    m.add_argument(
        "--tiles",
        metavar="NAME|URL",
        help="basemap provider name or http(s) URL template with {z}/{x}/{y}, or 'none' (default OpenStreetMap)",
    )
    m.add_argument("--tile-attribution", metavar="TEXT", help="credit for --tiles, shown as plain text")
    m.add_argument("--no-labels", action="store_true", help="no names of areas, capitals and countries on the map")
    m.add_argument(
        "--date-format",
        metavar="FORMAT",
        help="strftime format of the dates shown (default '12 Aug 2021' style; e.g. '%%Y-%%m-%%d')",
    )
    m.add_argument(
        "--simplify",
        type=float,
        default=0.005,
        metavar="DEGREES",
        help="simplify polygons for display, keeping shared borders (default 0.005; 0 keeps them)",
    )
    m.add_argument("--start-date", metavar="YYYY-MM-DD", help="date shown on opening (default: the last one)")
    p.set_defaults(func=_cmd_map)


def _cmd_map(args: argparse.Namespace) -> int:
    from geomap._io import atomic_path, refuse_overwriting_inputs
    from geomap.render import control_map, map_html

    refuse_overwriting_inputs(args.output, [*_run_inputs(args), args.unresolved])
    _check_extension(args.output, HTML_EXTENSIONS, flag="-o", writes="geomap map writes an HTML page")
    # The page cites a bounded number of reports, read from the lean reports' columns; only
    # markers need every report's coordinates.
    timeline = _timeline_from_args(args, lean=not args.markers, text_on_demand=True)
    _warn_outside_dates("--start-date", args.start_date, timeline, "the map opens on")
    m = control_map(
        timeline,
        layers=args.layers,
        self_contained=args.self_contained,
        title=args.title,
        markers=args.markers,
        tiles=args.tiles,
        tile_attribution=args.tile_attribution,
        labels=not args.no_labels,
        date_format=args.date_format,
        simplify_tolerance=args.simplify,
        start_date=args.start_date,
    )
    page = map_html(m)
    with atomic_path(args.output) as tmp:
        tmp.write_text(page, encoding="utf-8")
        _write_unresolved(args, timeline)
    _report_unresolved(args, timeline)
    print(args.output)
    return 0


def _add_picture_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``image`` and ``animate``."""
    g = p.add_argument_group("picture")
    g.add_argument("--title", metavar="TEXT", help="title above the legend")
    g.add_argument("--no-labels", action="store_true", help="no names of areas, capitals and countries")
    g.add_argument("--date-format", metavar="FORMAT", help="strftime format of dates (default '12 Aug 2021' style)")
    g.add_argument("--credit", metavar="TEXT", help="source line at the bottom (default: the boundaries' sources)")


def _picture_output(args: argparse.Namespace, formats: tuple[str, ...]) -> str:
    """The output's format from its extension, checked before any work is done."""
    from geomap._io import refuse_overwriting_inputs

    names = ", ".join(f.upper() for f in formats[:-1]) + " or " + formats[-1].upper()
    suffix = _check_extension(
        args.output, tuple(f".{f}" for f in formats), flag="-o", writes=f"geomap {args.command} draws {names}"
    )
    refuse_overwriting_inputs(args.output, [*_run_inputs(args), args.unresolved])
    return suffix.lstrip(".")


def _check_extension(path: str, extensions: Sequence[str], *, flag: str, writes: str) -> str:
    """The extension of an output, lower case; refused, before any work, when the command does not write it.

    ``writes`` says what the option writes (``"geomap map writes an HTML page"``), for the message.
    """
    from geomap.errors import InputError

    suffix = Path(path).suffix.lower()
    if suffix not in extensions:
        accepted = ", ".join(extensions[:-1]) + " or " + extensions[-1] if len(extensions) > 1 else extensions[0]
        got = f", not {suffix}" if suffix else ""
        raise InputError(f"{path}: {writes}{got}; give {flag} a name ending in {accepted}")
    return suffix


def _add_image(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "image",
        help="draw the map on one date (or a grid of dates) as PNG, SVG or PDF",
        description="Draw every area's status on one reporting date as a still image, with title, date, legend "
        "with counts, names, scale and source line; --grid draws every reporting date (choose them with --dates) "
        "as small multiples on one sheet.",
    )
    _add_timeline_options(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="map.png, map.svg or map.pdf")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="date shown (the reporting date on or before it; default last)")
    p.add_argument("--grid", action="store_true", help="one small map per reporting date on one sheet")
    p.add_argument("--dpi", type=int, default=300, help="resolution of PNG output (default 300)")
    p.add_argument("--width", type=float, default=10.0, metavar="INCHES", help="figure width (default 10)")
    _add_picture_options(p)
    p.set_defaults(func=_cmd_image)


def _cmd_image(args: argparse.Namespace) -> int:
    from geomap._io import atomic_path
    from geomap.errors import InputError
    from geomap.render.image import IMAGE_FORMATS, render_image

    fmt = _picture_output(args, IMAGE_FORMATS)
    if args.grid and args.date is not None:
        raise InputError("--date picks the one date an image shows; with --grid choose the dates with --dates")
    if not 50 <= args.dpi <= 1200:
        raise InputError(f"--dpi {args.dpi} must be between 50 and 1200")
    if not 2 <= args.width <= 40:
        raise InputError(f"--width {args.width} must be between 2 and 40 inches")
    timeline = _timeline_from_args(args)
    _warn_outside_dates("--date", args.date, timeline, "the image shows the statuses of", after_only=True)
    figure = render_image(
        timeline,
        date=args.date,
        grid=args.grid,
        title=args.title,
        labels=not args.no_labels,
        date_format=args.date_format,
        width=args.width,
        credit=args.credit,
    )
    with atomic_path(args.output) as tmp:
        figure.savefig(tmp, format=fmt, dpi=args.dpi, facecolor="white")
        _write_unresolved(args, timeline)
    _report_unresolved(args, timeline)
    print(args.output)
    return 0


def _add_animate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "animate",
        help="draw the map on every reporting date as a GIF or MP4",
        description="One frame per reporting date, the date large, with counts and the same colours, names and "
        "legend as the HTML map. MP4 needs the imageio-ffmpeg package.",
    )
    _add_timeline_options(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="timeline.gif or timeline.mp4")
    p.add_argument("--width", type=int, default=800, metavar="PIXELS", help="frame width (default 800)")
    p.add_argument("--seconds", type=float, default=0.8, help="seconds per date (default 0.8)")
    p.add_argument(
        "--no-progress", action="store_true", help="no progress bar on stderr (none when it is not a terminal)"
    )
    _add_picture_options(p)
    p.set_defaults(func=_cmd_animate)


def _cmd_animate(args: argparse.Namespace) -> int:
    from geomap._io import atomic_path
    from geomap.errors import InputError
    from geomap.render.image import ANIMATION_FORMATS, render_animation

    fmt = _picture_output(args, ANIMATION_FORMATS)
    if not 0.05 <= args.seconds <= 60:
        raise InputError(f"--seconds {args.seconds} must be between 0.05 and 60")
    timeline = _timeline_from_args(args)
    bar = None
    if not args.no_progress and sys.stderr.isatty():  # a log file gets no bar
        from tqdm import tqdm

        bar = tqdm(total=len(timeline.reporting_dates), unit="frame", desc="frames", file=sys.stderr, leave=False)
    try:
        video = render_animation(
            timeline,
            format=fmt,
            width_px=args.width,
            seconds_per_date=args.seconds,
            title=args.title,
            labels=not args.no_labels,
            date_format=args.date_format,
            credit=args.credit,
            progress=(lambda done, total: bar.update(1)) if bar is not None else None,
        )
    finally:
        if bar is not None:
            bar.close()
    with atomic_path(args.output) as tmp:
        tmp.write_bytes(video)
        _write_unresolved(args, timeline)
    _report_unresolved(args, timeline)
    print(args.output)
    return 0


def _add_extract(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "extract",
        help="find control reports (place, date, status) in news articles",
        description="Read plain-text news articles and write the control statements they make as one reports CSV "
        "(date, place, status, source, note, province_iso, evidence, confidence, level, district, date_basis, "
        "claimed_by, denied_by). Several articles or a folder: the same event reported by several articles "
        "becomes one row with all its sources (sources, n_sources); disagreements are flagged. Rule-based, offline.",
    )
    p.add_argument("articles", nargs="+", help="UTF-8 text files or folders of them ('-' reads one article from stdin)")
    p.add_argument(
        "--published",
        metavar="YYYY-MM-DD",
        help="publication date (required for one article; in a batch, for articles without their own)",
    )
    p.add_argument("--meta", metavar="CSV", help="articles' metadata: columns path, published and source (or url)")
    p.add_argument("--source", metavar="URL", help="source of a single article (e.g. its URL; default: its path)")
    p.add_argument("-o", "--output", metavar="FILE.csv", help="write the CSV here (default: stdout)")
    p.add_argument(
        "--review", metavar="FILE.html", help="also write a review page of the proposed reports (.html or .htm)"
    )
    _add_raw_csv(p)
    p.set_defaults(func=_cmd_extract)


def _cmd_extract(args: argparse.Namespace) -> int:

    from geomap._csv import csv_text
    from geomap._io import atomic_path, refuse_overwriting_inputs, write_text_atomic
    from geomap.errors import InputError
    from geomap.extract import Article, Skipped, extract_batch, extract_reports, load_articles, read_meta
    from geomap.extract.batch import read_bounded
    from geomap.extract.review import review_page

    inputs = [a for a in args.articles if a != "-"]
    for out in (args.output, args.review):
        if out:
            refuse_overwriting_inputs(out, [*inputs, args.meta])
    if args.output:
        _check_extension(args.output, CSV_EXTENSIONS, flag="-o", writes="geomap extract writes a CSV table")
    if args.review:
        _check_extension(args.review, HTML_EXTENSIONS, flag="--review", writes="--review writes an HTML page")
    single = len(args.articles) == 1 and (args.articles[0] == "-" or not Path(args.articles[0]).is_dir())
    unstated: list[dict[str, Any]] | None = [] if args.review else None  # the sentences only a review page shows
    if single and not args.meta:
        name = "<stdin>" if args.articles[0] == "-" else args.articles[0]
        if not args.published:
            raise InputError(f"{name}: no publication date; give --published YYYY-MM-DD")
        try:
            if args.articles[0] == "-":
                raw = read_bounded(sys.stdin.buffer, name)
            else:
                with Path(name).open("rb") as stream:
                    raw = read_bounded(stream, name)
            if b"\x00" in raw[:8192]:
                raise InputError(f"{name}: a binary file, not text; give the article as UTF-8 text")
            text = raw.decode("utf-8-sig")
        except FileNotFoundError:
            raise InputError(f"{name}: article file not found; check the path") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not UTF-8 text (byte {exc.start}); save the article as UTF-8") from None
        except IsADirectoryError:
            raise InputError(f"{name}: a folder; give text files") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot read the article ({exc.strerror}); give a text file") from None
        source = args.source or ("" if args.articles[0] == "-" else name)  # the file, when no URL is given
        if not source:
            print(
                "geomap: warning: text from stdin has no source; give --source URL so each report cites it",
                file=sys.stderr,
            )
        reports = extract_reports(text, published=args.published, source=source, unstated=unstated)
    else:
        from geomap.extract.batch import article_paths

        meta = read_meta(args.meta) if args.meta else None
        articles: list[Article] = []
        skipped = 0
        for item in load_articles(article_paths(inputs), meta=meta, published=args.published):
            if isinstance(item, Skipped):
                print(f"{item.path}: skipped: {item.reason}", file=sys.stderr)
                skipped += 1
            else:
                articles.append(item)
        if not articles:
            named = ", ".join(args.articles[:3]) + (" ..." if len(args.articles) > 3 else "")
            why = "see the reasons above" if skipped else "no .txt or .md file was found there"
            raise InputError(f"{named}: no article could be read; {why}")
        reports = extract_batch(articles, progress=sys.stderr.isatty(), unstated=unstated)
    if reports.empty:
        what = "the text" if len(args.articles) == 1 else f"{len(args.articles)} inputs"
        print(f"geomap: no statement of control found in {what}; the CSV holds its header only", file=sys.stderr)
    text = csv_text(reports, raw=args.raw_csv)
    page = review_page(reports, unstated) if unstated is not None else None
    if args.output:
        # The review page is published just before the CSV: a failure leaves neither, never half the work.
        with atomic_path(args.output) as tmp:
            tmp.write_text(text, encoding="utf-8")
            if page is not None:
                write_text_atomic(args.review, page)
    elif page is not None:
        write_text_atomic(args.review, page)
    if page is not None:
        print(f"{args.review}: review page of {len(reports)} report(s)", file=sys.stderr)
    if args.output:
        print(f"{args.output}: {len(reports)} report(s)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _add_summary(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "summary",
        help="count areas per status per reporting date (table, optional PNG chart)",
        description="Print how many areas had each status on each reporting date; --plot draws it as stacked bars.",
    )
    _add_timeline_options(p)
    p.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also draw the counts as stacked bars to this file: .png, .svg or .pdf",
    )
    p.add_argument(
        "--by",
        choices=["province"],
        help="one row per province and date: its areas per status (with --level district, its districts), "
        "and at district level the province's status rolled up from them",
    )
    p.add_argument(
        "--rollup",
        choices=["capital", "majority"],
        help="with --by province at district level: a province takes its capital's district's status "
        "(capital, default) or its districts' most common status (majority)",
    )
    p.add_argument("--csv", action="store_true", help="print CSV instead of aligned columns")
    p.set_defaults(func=_cmd_summary)


def _cmd_summary(args: argparse.Namespace) -> int:
    from geomap._io import atomic_path, refuse_overwriting_inputs
    from geomap.errors import InputError
    from geomap.plot import plot_summary, summary_by_province, summary_table

    plot_format = None
    if args.plot:
        refuse_overwriting_inputs(args.plot, [*_run_inputs(args), args.unresolved])
        plot_format = _check_extension(
            args.plot, PLOT_EXTENSIONS, flag="--plot", writes="--plot draws a PNG, SVG or PDF chart"
        ).lstrip(".")
    if args.rollup and not (args.by and args.level == "district"):
        raise InputError(
            f"--rollup {args.rollup} rolls districts up into provinces; use it with --level district --by province"
        )
    if args.by and args.boundaries:
        raise InputError(f"{args.boundaries}: --by province needs the bundled areas; drop --boundaries or --by")
    timeline = _timeline_from_args(args)
    table = summary_by_province(timeline, rollup=args.rollup or "capital") if args.by else summary_table(timeline)
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure = cast("Figure", plot_summary(timeline).figure)  # a new top-level figure
        try:
            with atomic_path(args.plot) as tmp:
                figure.savefig(tmp, format=plot_format, dpi=120)
                _write_unresolved(args, timeline)
        finally:
            plt.close(figure)
    else:
        _write_unresolved(args, timeline)
    _report_unresolved(args, timeline)
    if args.csv:
        from geomap._csv import csv_text

        sys.stdout.write(csv_text(table, raw=args.raw_csv))
    else:
        sys.stdout.write(_as_terminal_text(table.to_string(index=False)) + "\n")
    if args.plot:
        print(args.plot, file=sys.stderr)
    return 0


def _add_demo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="map the bundled August 2021 example: self-contained HTML map and GeoJSON",
        description="Write the bundled example of the August 2021 offensive as a self-contained HTML map and a "
        "GeoJSON export (one feature per province per reporting date). Works offline.",
    )
    p.add_argument("-o", "--output-dir", default="geomap-demo", metavar="DIR", help="folder (default: ./geomap-demo)")
    p.add_argument(
        "--level",
        choices=["province", "district"],
        default="province",
        help="map the 34 provinces (default) or the 398 districts",
    )
    p.set_defaults(func=_cmd_demo)


def _cmd_demo(args: argparse.Namespace) -> int:
    from geomap.demo import write_demo

    for path in write_demo(args.output_dir, level=args.level):
        print(path)
    return 0


def _add_geocode(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "geocode",
        help="resolve Afghan place names to province, kind and coordinates (offline; online on request)",
        description="Resolve place names with the bundled offline gazetteer and print CSV with the columns "
        "query, name, kind, province_iso, province, district_id, district, lat, lon, confidence, method, "
        "alternatives, reason, place_precision.",
    )
    p.add_argument("names", nargs="*", metavar="NAME", help="place names to resolve")
    p.add_argument(
        "--input",
        "-i",
        metavar="FILE",
        help="file with one name per line, or a CSV, TSV, JSON or .xlsx reports file with a 'place' column "
        "('-': standard input)",
    )
    p.add_argument("--sheet", metavar="NAME", help="worksheet of an .xlsx --input file: name or number (default: 1)")
    p.add_argument("-o", "--output", metavar="FILE.csv", help="write the CSV here (atomically) instead of stdout")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 if any name stays unresolved (the CSV is still written, unresolved rows included)",
    )
    p.add_argument("--min-score", type=float, default=None, help="lowest confidence accepted offline (default 0.5)")
    p.add_argument("--online", choices=["nominatim"], help="ask Nominatim about names the gazetteer cannot resolve")
    p.add_argument("--user-agent", metavar="UA", help="identifies your application to Nominatim (required online)")
    p.add_argument("--cache", metavar="PATH", help="SQLite cache of online answers (default ~/.cache/geomap)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar for online lookups")
    _add_raw_csv(p)
    p.set_defaults(func=_cmd_geocode)


GEOCODE_BATCH = 10_000
"""Names ``geomap geocode`` resolves and writes at a time (a names file of any length in bounded memory)."""
GEOCODE_BATCH_CHARS = 1_000_000
"""Characters of names in one batch at most (fewer names when they are long)."""


def _batches(names: Iterable[str]) -> Iterator[list[str]]:
    """Consecutive batches of ``names``: at most :data:`GEOCODE_BATCH` names and, beyond the first name of a
    batch, :data:`GEOCODE_BATCH_CHARS` characters."""
    batch: list[str] = []
    chars = 0
    for name in names:
        if batch and (len(batch) == GEOCODE_BATCH or chars + len(name) > GEOCODE_BATCH_CHARS):
            yield batch
            batch, chars = [], 0
        batch.append(name)
        chars += len(name)
    if batch:
        yield batch


def _cmd_geocode(args: argparse.Namespace) -> int:
    from geomap._io import refuse_overwriting_inputs
    from geomap.errors import GeocodeError, InputError, shown
    from geomap.geocode import DEFAULT_MIN_SCORE, _geocode_queries, iter_place_names

    if args.output:  # before the names are read: a wrong output is refused before any work
        from geomap._online import default_cache_path

        cache = args.cache or (default_cache_path() if args.online else None)
        refuse_overwriting_inputs(args.output, [args.input, cache])
        _check_extension(args.output, CSV_EXTENSIONS, flag="-o", writes="geomap geocode writes a CSV table")
    inputs = iter_place_names(args.input, sheet=_sheet(args.sheet)) if args.input else ()
    batches = _batches(itertools.chain(args.names, inputs))  # a names file is read as its batches are resolved
    first = next(batches, [])
    if not any(name.strip() for name in first):
        second = next(batches, None)  # blank lines at the end of a file are dropped: more means a name follows
        if second is None:
            raise InputError("geocode: no names given; pass NAME ... or --input FILE (--input - reads standard input)")
        batches = itertools.chain([second], batches)
    batches = itertools.chain([first], batches)
    from geomap._csv import csv_text
    from geomap._io import atomic_path

    options = {
        "online": args.online,
        "cache": args.cache,
        "user_agent": args.user_agent,
        "min_score": DEFAULT_MIN_SCORE if args.min_score is None else args.min_score,
        "progress": False if args.no_progress else None,
    }
    unresolved: list[str] = []
    count = 0
    given = 0
    terminal = not args.output and sys.stdout.isatty()

    def pieces() -> Iterator[str]:  # the CSV a batch of names at a time: memory does not grow with the file
        nonlocal count, given
        for number, batch in enumerate(batches):
            given += sum(1 for name in batch if name.strip())
            result = _geocode_queries(batch, **options)  # a batch of blank lines is a batch of rows
            missed = (result["method"] == "") & (result["query"].str.strip() != "")  # a blank line is no name
            count += int(missed.sum())
            unresolved.extend(result.loc[missed, "query"].head(5 - len(unresolved)).tolist())
            queries = result["query"]
            if terminal or (queries.str.len() > QUERY_CELL_CHARS).any():  # most batches: nothing to change
                result["query"] = [_query_cell(q, terminal) for q in queries]
            text = csv_text(result, raw=args.raw_csv)
            yield text if number == 0 else text.split("\n", 1)[1]  # the header once

    if args.output:
        with atomic_path(args.output) as tmp, open(tmp, "w", encoding="utf-8") as out:
            out.writelines(pieces())
    else:
        for piece in pieces():
            sys.stdout.write(piece)
    if args.strict and count:
        listed = ", ".join(shown(name) for name in unresolved)
        more = ", ..." if count > 5 else ""
        written = f"; {args.output} lists them with their reasons" if args.output else ""
        raise GeocodeError(f"{count} of {given} names unresolved: {listed}{more}{written}")
    return 0


#: A query cell of ``geomap geocode`` longer than this is cut (a name is at most 200 characters; CSV readers
#: refuse cells of more than 131,072).
QUERY_CELL_CHARS = 1_000
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# What a terminal acts on rather than shows: control characters and bidirectional overrides.
_TERMINAL_CONTROLS = re.compile(f"{_CONTROL_CHARS.pattern}|[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _as_terminal_text(text: str) -> str:
    """``text`` with control characters and bidirectional overrides written as escapes (``\\x1b``, ``\\u202e``):
    a terminal shows them, and acts on none (a scheme's label cannot clear the screen or reverse the text)."""
    return _TERMINAL_CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _query_cell(query: str, terminal: bool) -> str:
    """A query as its output cell: cut after :data:`QUERY_CELL_CHARS` characters with its length said, and, on a
    terminal, control characters written as escapes (``\\x1b``), so the terminal shows them and acts on none."""
    if len(query) > QUERY_CELL_CHARS:
        query = f"{query[:200]}... ({len(query):,} characters)"
    return _as_terminal_text(query) if terminal else query


def _add_import(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import",
        help="turn ACLED or UCDP GED event exports into reports",
        description="Read an ACLED or UCDP GED export (CSV, the source's standard columns) and write reports CSV "
        "(date, place, status, source, note, lat, lon, level, place_precision, date_precision, event_id). "
        "Territorial events give the side of the actor that holds the place; battles give 'contested'. "
        "Actors with no side in the mapping are listed with a count, and their events skipped.",
    )
    p.add_argument("layout", choices=["acled", "ucdp"], help="the export's layout")
    p.add_argument("events", help="the event export (CSV, UTF-8)")
    p.add_argument("-o", "--output", metavar="FILE.csv", help="write the reports CSV here (default: stdout)")
    p.add_argument("--actors", metavar="FILE", help="actor-to-side mapping, JSON or YAML (default: Afghanistan 2021)")
    p.add_argument("--scheme", metavar="FILE", help="status scheme JSON (default: Afghanistan 2021)")
    p.add_argument("--strict", action="store_true", help="fail when any actor has no side in the mapping")
    _add_raw_csv(p)
    p.set_defaults(func=_cmd_import)


def _cmd_import(args: argparse.Namespace) -> int:
    from geomap._io import refuse_overwriting_inputs, write_text_atomic
    from geomap.importers import import_events
    from geomap.scheme import AFGHANISTAN_2021, load_scheme

    if args.output:
        refuse_overwriting_inputs(args.output, [args.events, args.actors, args.scheme])
        _check_extension(args.output, CSV_EXTENSIONS, flag="-o", writes="geomap import writes a CSV table")
    scheme = load_scheme(args.scheme) if args.scheme else AFGHANISTAN_2021
    result = import_events(args.events, args.layout, mapping=args.actors, scheme=scheme, strict=args.strict)
    for line in result.unmapped_lines():
        print(f"geomap: warning: {line}", file=sys.stderr)
    from geomap._csv import csv_text

    text = csv_text(result.reports, raw=args.raw_csv)
    if args.output:
        write_text_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    skipped = ", ".join(f"{count} {why}" for why, count in result.skipped.items())
    print(
        f"geomap: {result.events} event(s) read, {len(result.reports)} report(s) written"
        + (f"; skipped: {skipped}" if skipped else ""),
        file=sys.stderr,
    )
    return 0


OUTPUT_OPTIONS = ("output", "unresolved", "style", "plot", "review")
"""Options that name a file to write (``demo --output-dir`` is a folder it creates)."""


def _missing_output_folder(args: argparse.Namespace) -> str | None:
    """The message for an output whose folder does not exist (a typo should not create a tree of folders)."""
    for option in OUTPUT_OPTIONS:
        value = getattr(args, option, None)
        if not isinstance(value, str) or value in ("", "-"):
            continue
        folder = Path(value).parent
        flag = "-o" if option == "output" else "--" + option
        try:
            missing = not folder.exists() and not Path(value).is_symlink()
        except OSError as exc:  # a name longer than the system allows
            return f"{value[:80]}...: {exc.strerror or exc}; give {flag} a shorter path"
        if missing:
            return f"{value}: the folder {folder} does not exist; create it first (mkdir -p {folder}) or correct {flag}"
    return None


def _clashing_outputs(args: argparse.Namespace) -> str | None:
    """The message for two outputs of one run that name the same file (the second would replace the first)."""
    from geomap._io import same_path

    values = [(o, getattr(args, o, None)) for o in OUTPUT_OPTIONS]
    given: list[tuple[str, str]] = [(o, v) for o, v in values if isinstance(v, str) and v not in ("", "-")]
    for k, (option, value) in enumerate(given):
        for other, other_value in given[k + 1 :]:
            if same_path(value, other_value):
                flags = ["-o" if o == "output" else "--" + o for o in (option, other)]
                return (
                    f"{other_value}: {flags[0]} {value} and {flags[1]} {other_value} name the same file; "
                    "give each output its own name"
                )
    return None


def _subparser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            return cast(argparse.ArgumentParser, action.choices[command])
    return None


def _suggest_command(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """A misspelt command (the first argument): the nearest command name, with the list of commands."""
    import difflib

    if not argv or argv[0].startswith("-"):
        return
    commands = next((list(a.choices) for a in parser._actions if isinstance(a, argparse._SubParsersAction)), [])
    if argv[0] in commands:
        return
    close = difflib.get_close_matches(argv[0], commands, n=1, cutoff=0.6)
    if close:
        parser.error(f"unknown command {argv[0]!r}; did you mean {close[0]!r}? (commands: {', '.join(commands)})")


def _refuse_unknown(parser: argparse.ArgumentParser, args: argparse.Namespace, unknown: list[str]) -> None:
    """Unrecognised arguments: shown with the command's own usage, and the nearest option for a misspelling."""
    import difflib

    command = _subparser(parser, getattr(args, "command", None)) or parser
    options = [o for action in command._actions for o in action.option_strings if o.startswith("--")]
    shown = []
    for item in unknown:
        name = item.split("=", 1)[0]
        begun = [o for o in options if len(name) > 3 and o.startswith(name)][:3]  # "--self": --self-contained
        close = begun or (difflib.get_close_matches(name, options, n=1, cutoff=0.6) if name.startswith("-") else [])
        shown.append(f"{item} (did you mean {' or '.join(close)}?)" if close else item)
    command.error(f"unrecognized arguments: {' '.join(shown)}")


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    print(f"geomap: warning: {message}", file=sys.stderr)


def _has_lone_surrogate(text: str) -> bool:
    from geomap._json import has_lone_surrogate

    return has_lone_surrogate(text)


class _Terminated(KeyboardInterrupt):
    """A signal that ends the command (SIGTERM, SIGHUP), handled as Ctrl-C; the exit status is 128 + its number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (and SIGHUP: the terminal closed) like Ctrl-C while a command runs, so a killed write
    removes its temporary file."""

    def interrupt(signum: int, frame: FrameType | None) -> NoReturn:
        raise _Terminated(signum)

    names = [n for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    previous = {}
    try:
        for name in names:
            number = getattr(signal, name)
            previous[number] = signal.signal(number, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _unused_options(args: argparse.Namespace) -> list[str]:
    """Options given that another option must switch on, each with what to add."""
    unused = []
    if getattr(args, "online", None) is None:
        for option in ("user_agent", "cache"):
            if getattr(args, option, None) is not None:
                unused.append(f"--{option.replace('_', '-')} is used only with --online; it has no effect here")
    if not getattr(args, "boundaries", None):
        for option in ("encoding", "layer", "id_field", "name_field", "crs"):
            if getattr(args, option, None) is not None:
                unused.append(
                    f"--{option.replace('_', '-')} is used only with --boundaries (the reports are read as UTF-8); "
                    "it has no effect here"
                )
    if getattr(args, "scheduler", None) and getattr(args, "engine", "pandas") != "dask":
        unused.append("--scheduler is used only with --engine dask; it has no effect here")
    return unused


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit status."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    _suggest_command(parser, argv)
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        _refuse_unknown(parser, args, unknown)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    problem = _missing_output_folder(args) or _clashing_outputs(args)
    if problem is not None:
        print(f"geomap: error: {problem}", file=sys.stderr)
        return EXIT_ERROR
    undecodable = next((k for k, v in vars(args).items() if isinstance(v, str) and _has_lone_surrogate(v)), None)
    if undecodable is not None:
        option = "--" + undecodable.replace("_", "-")
        print(f"geomap: error: {option} holds bytes that are not text in this locale; pass UTF-8", file=sys.stderr)
        return EXIT_ERROR
    names = getattr(args, "names", None) or []
    if any(_has_lone_surrogate(n) for n in names):
        print("geomap: error: a NAME holds bytes that are not text in this locale; pass UTF-8", file=sys.stderr)
        return EXIT_ERROR
    for unused in _unused_options(args):
        print(f"geomap: warning: {unused}", file=sys.stderr)
    try:
        with _terminate_as_interrupt(), warnings.catch_warnings():  # one-line warnings only while the command runs
            warnings.showwarning = _show_warning
            # the commands say which reports were not placed themselves, after --unresolved is written
            warnings.filterwarnings("ignore", category=UnplacedReportsWarning)
            warnings.filterwarnings("ignore", category=UncountedReportsWarning)
            return int(args.func(args) or 0)
    except GeomapError as exc:
        print(f"geomap: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt as exc:
        print("geomap: interrupted", file=sys.stderr)
        return 128 + exc.signum if isinstance(exc, _Terminated) else EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file that vanished or cannot be read mid-run: say which, without a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"geomap: error: {where}{exc.strerror or exc}; check the file and run again", file=sys.stderr)
        return EXIT_ERROR
    except MemoryError:
        print("geomap: error: out of memory; split the input into smaller files", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
