"""Benchmark: event-data scale, from 10^4 to 5x10^6 reports over the 398 districts.

Prints, in one run, per size: the time and peak memory (RSS) of each stage beside
``pandas.read_csv`` of the same file (the floor), each measured in a fresh subprocess
(the stage's peak is the kernel's high-water mark, reset before the stage, so one stage's
memory does not hide another's):

* ``pandas read_csv`` - the floor;
* ``timeline`` - read and validate the CSV, join the points to the districts and
  decide every district's status on every one of the 1,095 daily reporting dates
  (target: <= 5x the floor, peak <= 4 GB at 5M reports; at 5M both are run ``--repeat``
  times, 3 by default, alternately, each in a fresh process, and the target is judged on
  their medians, with the ratio of each pair of runs beside it);
* ``export parquet`` / ``export compact`` / ``export gpkg`` - the long table of
  398 x 1,095 area-dates, streamed, from a timeline already built in the process;
* ``geomap export`` (``cli parquet``, and with ``--gpkg`` / ``--geojson`` the other long
  formats) - the command as a user runs it, in its own process, its whole-process peak
  taken from the kernel (``wait4``'s ``ru_maxrss``), reading included (target: <= 1 GB
  whatever the report count);
* ``map`` - a self-contained page with bounded evidence (target at 1M reports:
  <= 3 MB, <= 30 s);
* ``dask`` (``--dask``) - the same timeline on a local cluster of 2 worker processes,
  its long GeoParquet compared byte for byte with the in-process one (with
  ``--timeline-only``: the decided table, as Parquet, and every row's evidence
  references, byte for byte);
* ``bad row`` (``--bad-row``) - a malformed line near row 3,000,000 must be named by
  ``geomap export`` with its row number, and nothing written.

Reports are synthetic: random points inside the districts, three statuses, three
years of daily dates. Needs ../shared/data (the districts); skipped with a message
when it is absent.

Run: ``python bench/bench_scale.py [--max-reports 1000000] [--dask] [--bad-row]``; ``--csv FILE`` measures
a reports file of your own instead of the generated ones (any columns ``geomap`` reads, with
``lat``/``lon``), and ``--level district`` joins to the bundled districts instead of the shapefile.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DISTRICTS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "afghanistan-districts-geoboundaries"
    / "geoBoundaries-AFG-ADM2.shp"
)
SIZES = (10_000, 100_000, 1_000_000, 5_000_000)
DAYS = 1_095
START = "2019-01-01"
STATUSES = ("taliban", "contested", "government")
CHUNK = 500_000
#: Targets: the timeline of 5,000,000 reports within this multiple of the pandas read; a page of
#: 1,000,000 reports within this size and time.
TIMELINE_TARGET = 5.0
MAP_TARGET_BYTES = 3 * 10**6
MAP_TARGET_SECONDS = 30.0


# ------------------------------------------------------------------------------------- data
def make_reports(n: int, path: Path, seed: int = 16, distinct: bool = False) -> None:
    """Write ``n`` synthetic reports with coordinates inside the districts (in chunks, bounded memory).

    Points are drawn from a pool of some 240,000, as event data repeats a place's coordinates;
    ``distinct``: every report's point drawn afresh, so nearly every point is new (the joins
    then test some 10% of them, those near a border, one by one)."""
    import numpy as np
    import pandas as pd

    from geomap.boundaries import load_boundaries
    from geomap.join import join_points

    districts = load_boundaries(DISTRICTS, id_field="shapeID", name_field="shapeName")
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = districts.total_bounds
    x = rng.uniform(minx, maxx, 400_000)
    y = rng.uniform(miny, maxy, 400_000)
    inside = join_points(x, y, districts.geometry.values, snap=0) >= 0
    pool_x, pool_y = np.round(x[inside], 5), np.round(y[inside], 5)
    start = np.datetime64(START)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("date,place,status,source,lat,lon\n")
        for first in range(0, n, CHUNK):
            size = min(CHUNK, n - first)
            pick = rng.integers(0, len(pool_x), size)
            if distinct:
                pool_x, pool_y = _fresh_points(districts, size, rng)
                pick = np.arange(size)
            ids = np.arange(first, first + size)
            chunk = pd.DataFrame(
                {
                    "date": np.datetime_as_string(start + rng.integers(0, DAYS, size), unit="D"),
                    "place": np.char.add("site ", (pick % 5000).astype(str)),
                    "status": np.array(STATUSES)[rng.integers(0, len(STATUSES), size)],
                    "source": np.char.add("https://example.org/r/", ids.astype(str)),
                    "lat": pool_y[pick],
                    "lon": pool_x[pick],
                }
            )
            chunk.to_csv(fh, header=False, index=False, lineterminator="\n")


def _fresh_points(districts, n: int, rng) -> tuple:
    """``n`` new random points inside the districts (rounded to 5 decimals, as the pool's are)."""
    import numpy as np

    from geomap.join import join_points

    minx, miny, maxx, maxy = districts.total_bounds
    xs, ys, have = [], [], 0
    while have < n:
        x, y = rng.uniform(minx, maxx, 2 * n), rng.uniform(miny, maxy, 2 * n)
        inside = join_points(x, y, districts.geometry.values, snap=0) >= 0
        xs.append(x[inside])
        ys.append(y[inside])
        have += int(inside.sum())
    return np.round(np.concatenate(xs)[:n], 5), np.round(np.concatenate(ys)[:n], 5)


def add_bad_row(path: Path, line: int) -> None:
    """Rewrite ``path`` with line ``line`` replaced by a row with one field too many."""
    tmp = path.with_suffix(".tmp")
    with open(path, encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as dst:
        for k, text in enumerate(src, start=1):
            dst.write("2020-01-01,site 1,taliban,https://example.org/bad,34.5,69.1,extra\n" if k == line else text)
    tmp.replace(path)


# ------------------------------------------------------------------------------------- stages
class PeakRSS:
    """This process's peak resident memory while a stage runs.

    On Linux the kernel's own high-water mark (``VmHWM``), reset before the stage by writing ``5``
    to ``/proc/self/clear_refs``: exact, and nothing runs beside the stage. Where the kernel
    refuses or ignores that reset, resident memory sampled from ``/proc/self/statm`` every few
    milliseconds on a thread (which may miss a short peak and takes the GIL 200 times a second)."""

    def __init__(self, interval: float = 0.005):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._kernel = _reset_high_water_mark()

    @staticmethod
    def now() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            time.sleep(self.interval)

    def __enter__(self) -> PeakRSS:
        self.before = self.now()
        self.peak = self.before
        if self._kernel:
            self._kernel = _reset_high_water_mark()
        else:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._kernel:
            self.peak = max(self.peak, _high_water_mark())
            return
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())


def _reset_high_water_mark() -> bool:
    """Reset the kernel's peak resident memory of this process to its current size; whether it did
    (the peak then within a few MB of the resident size)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        peak = _high_water_mark()
    except OSError:
        return False
    return 0 < peak <= PeakRSS.now() + (16 << 20)


def _high_water_mark() -> int:
    """The kernel's peak resident memory of this process since the last reset, in bytes (0 if unknown)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def measure(results: dict, name: str, action):
    with PeakRSS() as rss:
        start, cpu = time.perf_counter(), time.process_time()
        value = action()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    results[name] = {"seconds": seconds, "cpu": cpu, "peak": rss.peak, "before": rss.before}
    return value


def floor_worker(csv_path: str) -> None:
    """Read the CSV with pandas in this (fresh) process and print the measurement as JSON."""
    import pandas as pd

    results: dict = {}
    measure(results, "pandas read_csv", lambda: pd.read_csv(csv_path))
    print(json.dumps(results))


def timeline_worker(csv_path: str, out_dir: str, stages: list[str], engine: str) -> None:
    from geomap.boundaries import load_boundaries
    from geomap.export import export
    from geomap.timeline import ControlTimeline

    results: dict = {}
    out = Path(out_dir)
    districts = load_boundaries(DISTRICTS, id_field="shapeID", name_field="shapeName")

    def build():
        options = {} if engine == "pandas" else {"engine": engine}
        options |= {"level": "district"} if "district" in stages else {"boundaries": districts}
        timeline = ControlTimeline.from_reports(csv_path, freq="D", **options)
        timeline.long(evidence=False)  # decide every area on every date
        return timeline

    client = None
    if engine == "dask":  # a local cluster of 2 worker processes, as `geomap --engine dask` starts
        from geomap._dask import connect

        client = connect()
    timeline = measure(results, "timeline", build)
    if client is not None:
        from geomap._dask import disconnect

        disconnect(client)
    results["timeline"]["cells"] = len(timeline.areas) * len(timeline.reporting_dates)
    if "tables" in stages:  # the decided table and every row's evidence references, for comparison
        timeline.long(evidence=False).to_parquet(out / "table.parquet")
        decided = timeline._decisions()
        parts = ("status", "since", "conflict", "cell_offsets", "cell_groups", "group_offsets", "rows")
        (out / "evidence-refs.bin").write_bytes(b"".join(getattr(decided, k).tobytes() for k in parts))
    if "export" in stages or "long" in stages:
        measure(results, "export parquet", lambda: export(timeline, out / "long.parquet"))
        results["export parquet"]["bytes"] = (out / "long.parquet").stat().st_size
    if "export" in stages:
        measure(results, "export compact", lambda: export(timeline, out / "compact.parquet", compact=True))
        results["export compact"]["bytes"] = sum(p.stat().st_size for p in out.glob("compact*.parquet"))
        if "gpkg" in stages:
            measure(results, "export gpkg", lambda: export(timeline, out / "long.gpkg"))
            results["export gpkg"]["bytes"] = (out / "long.gpkg").stat().st_size
    if "map" in stages:
        from geomap.render import control_map, map_html

        html = measure(results, "map", lambda: map_html(control_map(timeline, self_contained=True)))
        results["map"]["bytes"] = len(html.encode())
    print(json.dumps(results))


def run_worker(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"error": {"message": tail[0]}}
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_command(csv_path: Path, output: Path, level: str = "boundaries") -> list[str]:
    """``geomap export`` of the long table over the 398 districts, every day."""
    areas = ["--level", "district"] if level == "district" else ["--boundaries", str(DISTRICTS)]
    areas += [] if level == "district" else ["--id-field", "shapeID", "--name-field", "shapeName"]
    return [sys.executable, "-m", "geomap", "export", str(csv_path), *areas, "--freq", "D", "-o", str(output)]


def cli_export(csv_path: Path, output: Path, level: str = "boundaries") -> dict:
    """Run ``geomap export`` in its own process: wall time, CPU time and the kernel's peak RSS."""
    start = time.perf_counter()
    process = subprocess.Popen(
        export_command(csv_path, output, level), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    stderr = process.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0 or not output.exists():
        return {"message": (stderr.strip().splitlines() or ["no output"])[-1][:200]}
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak": usage.ru_maxrss * 1024,  # kilobytes on Linux
        "before": 0,
        "bytes": output.stat().st_size,
        "whole": True,
    }


def bad_row_check(csv_path: Path, out_dir: Path) -> str:
    """Run ``geomap export`` on a file with a malformed row; report what it said, whether it wrote,
    and its time and peak memory."""
    output = out_dir / "bad.parquet"
    start = time.perf_counter()
    process = subprocess.Popen(
        export_command(csv_path, output),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    lines = stderr.strip().splitlines()
    first = " ".join(line.strip() for line in lines[:2])  # the summary and the first problem
    wrote = "something" if output.exists() else "nothing"
    peak = usage.ru_maxrss * 1024  # kilobytes on Linux
    return f"exit {process.returncode} in {seconds:.1f}s, peak {mb(peak)}, wrote {wrote}: {first[:400]}"


# ------------------------------------------------------------------------------------- report
def mb(value: int) -> str:
    return f"{value / 2**20:,.0f} MB"


def print_size(n: int, floor: dict, stages: dict) -> None:
    base = floor.get("pandas read_csv", {})
    floor_s = base.get("seconds")
    print(f"\n{n:,} reports")
    print(f"  {'stage':<18}{'time':>10}{'x floor':>9}{'peak RSS':>11}{'stage adds':>12}{'output':>11}{'CPU':>9}")
    rows = [("pandas read_csv", base), *stages.items()]
    for name, row in rows:
        if "seconds" not in row:
            print(f"  {name:<18}  failed: {row.get('message', '')}")
            continue
        ratio = f"{row['seconds'] / floor_s:.1f}x" if floor_s else "-"
        added = "(process)" if row.get("whole") else mb(row["peak"] - row["before"])
        size = mb(row["bytes"]) if "bytes" in row else ""
        cpu = f"{row['cpu']:.1f}s" if "cpu" in row else ""
        print(f"  {name:<18}{row['seconds']:>9.1f}s{ratio:>9}{mb(row['peak']):>11}{added:>12}{size:>11}{cpu:>9}")
    timeline = stages.get("timeline", {})
    if n >= 5_000_000 and floor_s and "seconds" in timeline:
        runs = timeline.get("runs")
        if runs and len(runs["reads"]) > 1:  # medians of runs alternating with the read: one slow run decides nothing
            reads, timelines = runs["reads"], runs["timelines"]
            floor_s, seconds = statistics.median(reads), statistics.median(timelines)
            pairs = sorted(t / r for t, r in zip(timelines, reads, strict=True))
            spread = f"; run by run {pairs[0]:.1f}-{pairs[-1]:.1f}x"
            what = f"median of {len(reads)} runs each, alternately, {seconds:.2f} s"
        else:
            seconds, spread, what = timeline["seconds"], "", f"{timeline['seconds']:.2f} s"
        ratio = seconds / floor_s
        verdict = "met" if ratio <= TIMELINE_TARGET else "NOT met"
        print(
            f"  timeline ({what}): {ratio:.1f}x the pandas read ({floor_s:.2f} s){spread} "
            f"against {TIMELINE_TARGET:g}x: {verdict}"
        )
    page = stages.get("map", {})
    if n == 1_000_000 and "bytes" in page:
        verdict = "met" if page["bytes"] <= MAP_TARGET_BYTES and page["seconds"] <= MAP_TARGET_SECONDS else "NOT met"
        print(
            f"  map: {page['bytes'] / 10**6:.2f} MB (10^6 bytes) in {page['seconds']:.1f} s against "
            f"{MAP_TARGET_BYTES / 10**6:g} MB in {MAP_TARGET_SECONDS:g} s: {verdict}"
        )
    for name, row in rows:
        if row.get("whole"):
            verdict = "met" if row["peak"] <= 10**9 else "NOT met"
            beside = f" (pandas read_csv of the file alone: {mb(base['peak'])})" if "peak" in base else ""
            print(f"  {name}: whole-process peak {mb(row['peak'])}{beside} against 1 GB (10^9 bytes): {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-reports", type=int, default=5_000_000, help="largest size to run (default 5,000,000)")
    parser.add_argument("--sizes", help="comma-separated sizes instead of 10^4..5x10^6")
    parser.add_argument("--gpkg", action="store_true", help="also time the GeoPackage export")
    parser.add_argument("--geojson", action="store_true", help="also run `geomap export` to GeoJSON")
    parser.add_argument("--no-cli", action="store_true", help="skip running `geomap export` itself")
    parser.add_argument(
        "--timeline-only",
        action="store_true",
        help="no exports; with --dask, compare the decided table and the evidence references instead",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="N",
        help="run the pandas read and the timeline N times each, alternately, and judge the 5x target on "
        "their medians (default 3; 1: the first run only)",
    )
    parser.add_argument("--no-map", action="store_true", help="skip the map stage")
    parser.add_argument("--map-max", type=int, default=1_000_000, help="largest size to draw a map of")
    parser.add_argument("--dask", action="store_true", help="also run the Dask engine and compare its table")
    parser.add_argument("--bad-row", action="store_true", help="check a malformed row at line 3,000,000")
    parser.add_argument("--keep", metavar="DIR", help="keep the generated CSV files in this folder")
    parser.add_argument(
        "--distinct-points",
        action="store_true",
        help="generate a new point for every report instead of drawing from a pool of places",
    )
    parser.add_argument("--csv", action="append", metavar="FILE", help="measure this reports file (repeatable)")
    parser.add_argument(
        "--level", choices=("boundaries", "district"), default="boundaries", help="the shapefile, or bundled districts"
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, csv_path, out_dir, *rest = args.worker
        if kind == "floor":
            floor_worker(csv_path)
        else:
            timeline_worker(csv_path, out_dir, rest[1:], engine=rest[0])
        return 0
    if not DISTRICTS.exists():
        print(f"skipped: {DISTRICTS} not found (the 398 districts live in ../shared/data)")
        return 0
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(SIZES)
    sizes = [n for n in sizes if n <= args.max_reports]
    if args.csv:
        sizes = []  # only the files given
        missing = [p for p in args.csv if not Path(p).is_file()]
        if missing:
            print(f"not found: {', '.join(missing)}")
            return 1
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="geomap-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    what = (
        ", ".join(args.csv)
        if args.csv
        else f"Synthetic reports over the 398 districts, {DAYS} daily dates from {START}"
    )
    print(f"{what}; {'bundled districts' if args.level == 'district' else DISTRICTS.name}; CSV files in {folder}")
    try:
        run_sizes(args, sizes, folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)  # generated files are large: never leave them behind
    return 0


def run_sizes(args: argparse.Namespace, sizes: list[int], folder: Path) -> None:
    """Measure each size (or each file given), then the malformed row if asked."""
    given = [(_records(Path(p)), Path(p)) for p in args.csv or []]
    kind = "-distinct" if args.distinct_points else ""
    for n, csv_path in given or [(n, folder / f"reports-{n}{kind}.csv") for n in sizes]:
        if not csv_path.exists():
            make_reports(n, csv_path, distinct=args.distinct_points)
        out = Path(tempfile.mkdtemp(prefix=f"out-{n}-", dir=folder))
        floor = run_worker(["floor", str(csv_path), str(out)])
        exports = not args.timeline_only
        stages = ["export"] if exports else ["tables"]
        stages += (["gpkg"] if args.gpkg and exports else []) + ([] if args.no_map or n > args.map_max else ["map"])
        stages += ["district"] if args.level == "district" else []
        measured = run_worker(["timeline", str(csv_path), str(out), "pandas", *stages])
        if exports and not args.no_cli:  # the command as a user runs it, one format at a time
            formats = ["parquet"] + (["gpkg"] if args.gpkg else []) + (["geojson"] if args.geojson else [])
            for kind in formats:
                measured[f"cli {kind}"] = cli_export(csv_path, out / f"cli.{kind}", args.level)
                (out / f"cli.{kind}").unlink(missing_ok=True)
        if args.dask:
            dask_out = Path(tempfile.mkdtemp(prefix=f"dask-{n}-", dir=folder))
            dask_stages = ["long" if exports else "tables"] + (["district"] if args.level == "district" else [])
            dask = run_worker(["timeline", str(csv_path), str(dask_out), "dask", *dask_stages])
            measured["dask timeline"] = dask.get("timeline", dask.get("error", {}))
            compared = ["long.parquet"] if exports else ["table.parquet", "evidence-refs.bin"]
            same = all(
                (dask_out / name).exists() and (dask_out / name).read_bytes() == (out / name).read_bytes()
                for name in compared
            )
            verdict = "byte-identical" if same else "DIFFERENT"
            measured["dask timeline"]["message"] = f"{' and '.join(compared)} {verdict}"
        timed = "seconds" in floor.get("pandas read_csv", {}) and "seconds" in measured.get("timeline", {})
        if args.repeat > 1 and n >= 5_000_000 and timed:
            measured["timeline"]["runs"] = repeat_timeline(csv_path, out, args, floor, measured)
        print_size(n, floor, measured)
        print(f"  load average (1, 5, 15 min) at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
        if args.dask:
            print(f"  dask engine vs in-process: {measured['dask timeline']['message']}")
        for leftover in [*out.glob("*"), *(dask_out.glob("*") if args.dask else [])]:
            leftover.unlink()
    if args.bad_row:
        n = 3_000_000
        csv_path = folder / f"reports-{n}-bad.csv"
        make_reports(n, csv_path)
        add_bad_row(csv_path, 3_000_000)
        print(f"\nmalformed line 3,000,000 of {n + 1:,}: {bad_row_check(csv_path, folder)}")
        print(f"  load average (1, 5, 15 min) at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")


def repeat_timeline(csv_path: Path, out: Path, args: argparse.Namespace, floor: dict, measured: dict) -> dict:
    """``args.repeat - 1`` more runs of the pandas read and of the timeline alone, alternately, each
    in a fresh process: the two sides' times over all runs (the first pair included)."""
    reads = [floor["pandas read_csv"]["seconds"]]
    timelines = [measured["timeline"]["seconds"]]
    extra = ["district"] if args.level == "district" else []
    for _ in range(args.repeat - 1):
        read = run_worker(["floor", str(csv_path), str(out)]).get("pandas read_csv", {})
        timeline = run_worker(["timeline", str(csv_path), str(out), "pandas", *extra]).get("timeline", {})
        if "seconds" in read and "seconds" in timeline:
            reads.append(read["seconds"])
            timelines.append(timeline["seconds"])
    return {"reads": reads, "timelines": timelines}


def _records(path: Path) -> int:
    """Lines of a CSV file after the header (its records, when none spans lines)."""
    lines, last = 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n") - 1


if __name__ == "__main__":
    sys.exit(main())
