"""The ``geomap`` command line. It only wires the library's modules together.

Errors from geomap (:class:`geomap.errors.GeomapError`) are printed as one line on
stderr with a non-zero exit status; warnings are printed as one line each.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from geomap import __version__
from geomap.errors import GeomapError

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="geomap",
        description="Map who controls which Afghan place on which date: geocode reports, "
        "work out each area's status per reporting date, draw Folium maps, export GIS files.",
    )
    parser.add_argument("--version", action="version", version=f"geomap {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_provinces(sub)
    return parser


def _add_provinces(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("provinces", help="list the 34 bundled provinces (ISO code, name, capital)")
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


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"geomap: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    warnings.showwarning = _show_warning
    try:
        return int(args.func(args) or 0)
    except GeomapError as exc:
        print(f"geomap: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("geomap: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
