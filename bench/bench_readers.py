"""Benchmark: the CSV readers on hostile large files, and ``geomap map`` at scale, beside a baseline.

    .venv/bin/python bench/bench_readers.py --baseline DIR --csv REPORTS.csv [--case NAME ...]

``DIR`` is a checkout of the code to compare with (e.g. ``git worktree add /tmp/base main~3``);
both trees run the same command on the same file, one process after the other, through
``/usr/bin/time``: wall-clock and CPU seconds, the whole process's peak memory (maxrss), the exit
code and the size of what was written. ``REPORTS.csv`` is a large reports file (e.g. a file of
5,000,000 reports of another shape); the cases write
what they need from it into a temporary folder:

* ``long-cell`` - its first 200 MB with one note of 5 MB (longer than Arrow's 1 MB read block),
  through ``geomap export --level district --freq D`` to GeoParquet;
* ``late-ragged`` - its first 1,000,000 reports with a record of one field too many 10 lines from
  the end, through the same export (it fails, naming the row; the time is the time to say so);
* ``export-1m`` - its first 1,000,000 reports as they are, through the same export (what the
  plain file costs, to see that the cases above cost nothing on it);
* ``map-1m`` / ``map-5m`` - ``geomap map --self-contained`` of its first 1,000,000 reports / of
  the whole file (target at 1,000,000: a page of at most 3 MB in at most 30 s).

The load average is printed beside each run: on a shared machine compare CPU time and memory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ["export", "--level", "district", "--freq", "D"]
CASES = ("long-cell", "late-ragged", "export-1m", "map-1m", "map-5m")


def head(source: Path, target: Path, *, rows: int | None = None, size: int | None = None) -> None:
    """The header and the first ``rows`` records (or ``size`` bytes of whole lines) of ``source``."""
    with open(source, "rb") as src, open(target, "wb") as out:
        written = 0
        for k, line in enumerate(src):
            if (rows is not None and k > rows) or (size is not None and written >= size):
                break
            out.write(line)
            written += len(line)


def with_long_cell(source: Path, target: Path) -> None:
    """200 MB of ``source`` with the last field of record 600,000 made 5 MB long."""
    head(source, target, size=200 << 20)
    lines = target.read_bytes().split(b"\n")
    fields = lines[600_000].split(b",")
    fields[-1] = b"x" * (5 << 20)
    lines[600_000] = b",".join(fields)
    target.write_bytes(b"\n".join(lines))


def with_late_ragged_row(source: Path, target: Path) -> None:
    """1,000,000 reports of ``source``, one field too many 10 lines before the end."""
    head(source, target, rows=1_000_000)
    lines = target.read_bytes().split(b"\n")
    lines[-12] += b",extra"
    target.write_bytes(b"\n".join(lines))


def run(tree: Path, args: list[str], output: Path) -> str:
    """One run of geomap from ``tree``: the figures as one line."""
    load = os.getloadavg()
    output.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = ["/usr/bin/time", "-f", "%e %U %S %M", sys.executable, "-m", "geomap", *args]
    # run from the output's folder: `python -m` puts the working folder first on the path
    done = subprocess.run(command, env=env, cwd=output.parent, capture_output=True, text=True, check=False)
    wall, user, system, peak = done.stderr.strip().splitlines()[-1].split()
    size = f"{output.stat().st_size / 1e6:7.2f} MB" if output.exists() else "    -     "
    problem = next((line for line in done.stderr.splitlines() if " row " in line), "")[:70]
    return (
        f"{float(wall):7.1f} s wall {float(user) + float(system):7.1f} s cpu {int(peak) / 1024:7.0f} MiB peak "
        f"exit {done.returncode}  out {size}  load {load[0]:.2f} {problem}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="checkout of the code to compare with")
    parser.add_argument("--csv", type=Path, required=True, help="a large reports file")
    parser.add_argument("--case", action="append", choices=CASES, help="run only these (repeatable)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.csv.parent if os.access(args.csv.parent, os.W_OK) else None) as tmp:
        folder = Path(tmp)
        for case in args.case or CASES:
            if case == "long-cell":
                data, out = folder / "long-cell.csv", folder / "long.parquet"
                with_long_cell(args.csv, data)
                command = [*EXPORT[:1], str(data), *EXPORT[1:], "-o", str(out)]
            elif case == "late-ragged":
                data, out = folder / "late-ragged.csv", folder / "long.parquet"
                with_late_ragged_row(args.csv, data)
                command = [*EXPORT[:1], str(data), *EXPORT[1:], "-o", str(out)]
            elif case == "export-1m":
                data, out = folder / "first-1m.csv", folder / "long.parquet"
                head(args.csv, data, rows=1_000_000)
                command = [*EXPORT[:1], str(data), *EXPORT[1:], "-o", str(out)]
            else:
                data, out = args.csv, folder / "map.html"
                if case == "map-1m":
                    data = folder / "first-1m.csv"
                    head(args.csv, data, rows=1_000_000)
                command = ["map", str(data), "--self-contained", "-o", str(out)]
            print(f"{case}: {' '.join(command[:1] + [Path(c).name if '/' in c else c for c in command[1:]])}")
            for label, tree in (("baseline", args.baseline), ("this tree", ROOT)):
                print(f"  {label:9s} {run(tree, command, out)}", flush=True)
            if data.parent == folder:
                data.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
