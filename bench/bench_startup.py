"""Start-up time of geomap's commands, beside bare Python and ``import pandas``, in one run.

    .venv/bin/python bench/bench_startup.py [--runs N]

Each command runs N times (default 15) in a fresh process, after one warm-up run
so the file cache is warm for every row alike; the table shows the median and the
fastest wall time. The floors are ``python -c pass`` (nothing can start faster)
and ``python -c "import pandas"`` (what any command that reads a table pays).
Below the table: which heavy libraries each geomap entry point loads.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable
HEAVY = ("numpy", "pandas", "geopandas", "shapely", "pyproj", "folium", "matplotlib", "rapidfuzz", "pyarrow")


def _geomap() -> list[str]:
    script = Path(PYTHON).with_name("geomap")
    found = str(script) if script.exists() else shutil.which("geomap")
    return [found] if found else [PYTHON, "-m", "geomap"]


COMMANDS: list[tuple[str, list[str]]] = [
    ("python -c pass", [PYTHON, "-c", "pass"]),
    ('python -c "import pandas"', [PYTHON, "-c", "import pandas"]),
    ('python -c "import geopandas"', [PYTHON, "-c", "import geopandas"]),
    ('python -c "import geomap"', [PYTHON, "-c", "import geomap"]),
    ("geomap --version", [*_geomap(), "--version"]),
    ("geomap --help", [*_geomap(), "--help"]),
    ("geomap geocode Kabul", [*_geomap(), "geocode", "Kabul"]),
]

LOADS = {
    "import geomap": "import geomap",
    "geomap --version": "from geomap.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass",
    "geomap --help": "from geomap.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    "geomap.build_timeline": "import geomap\ngeomap.build_timeline",
}


def time_command(argv: list[str], runs: int) -> list[float]:
    subprocess.run(argv, capture_output=True, check=True)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def loaded_modules(code: str) -> list[str]:
    script = "import sys, io, contextlib\nwith contextlib.redirect_stdout(io.StringIO()):\n"
    script += "".join(f"    {line}\n" for line in code.splitlines())
    script += f"print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"start-up, {args.runs} runs each (after one warm-up), wall time in ms\n")
    print(f"{'command':<32} {'median':>8} {'fastest':>8} {'median - bare python':>22}")
    bare = None
    for label, argv in COMMANDS:
        times = time_command(argv, args.runs)
        median, fastest = statistics.median(times) * 1000, min(times) * 1000
        bare = median if bare is None else bare
        print(f"{label:<32} {median:8.0f} {fastest:8.0f} {median - bare:+22.0f}")
    print("\nheavy libraries loaded:")
    for label, code in LOADS.items():
        print(f"  {label:<24} {', '.join(loaded_modules(code)) or 'none'}")


if __name__ == "__main__":
    main()
