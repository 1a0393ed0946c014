"""Benchmark: an ACLED-layout export of 100,000 events imported as reports.

Prints, in one run, side by side:

- ``geomap.importers.import_events(path, "acled")``: reading, checking every
  value, mapping actors to sides, places and precision (target: under 10 s);
- ``pandas.read_csv(path, dtype=str)`` of the same file: the floor, reading
  alone with nothing checked;
- the file's size.

The events are random but shaped like a real Afghan export: ACLED's 31 columns,
the six event types in realistic proportions (about one in five a battle, a few
territorial changes), 60 actor names of which a few have no side in the default
mapping, 2,000 locations, dates over 2021 in ACLED's two date styles, all three
precision codes, and a note of 100-300 characters per event. Nothing in it comes
from ACLED.

Run: ``python bench/bench_import.py [N]`` (default 100,000 events).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from geomap._data import provinces_table
from geomap.importers import import_events

HEADER = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
TYPES = [
    ("Political violence", "Battles", "Armed clash", 16),
    ("Political violence", "Battles", "Non-state actor overtakes territory", 2),
    ("Political violence", "Battles", "Government regains territory", 1),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike", 20),
    ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack", 10),
    ("Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED", 15),
    ("Political violence", "Violence against civilians", "Attack", 12),
    ("Demonstrations", "Protests", "Peaceful protest", 14),
    ("Demonstrations", "Riots", "Violent demonstration", 2),
    ("Strategic developments", "Strategic developments", "Arrests", 6),
    ("Strategic developments", "Strategic developments", "Non-violent transfer of territory", 2),
]
SIDES = [
    "Taliban",
    "Military Forces of Afghanistan (2004-2021)",
    "Police Forces of Afghanistan (2004-2021)",
    "Militia (Pro-Government)",
    "Unidentified Armed Group (Afghanistan)",
    "Islamic State (Afghanistan)",
]
WORDS = [
    "the",
    "a",
    "district",
    "forces",
    "village",
    "reported",
    "fighting",
    "clashes",
    "near",
    "checkpoint",
    "road",
    "area",
    "local",
    "officials",
]


def write_events(path: Path, n: int, seed: int = 15) -> None:
    """Write ``n`` random ACLED-layout events to ``path``."""
    rng = random.Random(seed)
    provinces = provinces_table()
    actors = SIDES + [f"Militia ({rng.choice(WORDS).title()} Clan {k})" for k in range(50)]
    actors += ["Hypothetical Front A", "Hypothetical Front B", "Hypothetical Front C", "Hypothetical Front D"]
    places = []
    for k in range(2000):
        row = provinces.iloc[k % len(provinces)]
        name = row.capital if k < len(provinces) else f"{rng.choice(WORDS).title()}abad {k}"
        lat = row.capital_lat + rng.uniform(-0.3, 0.3) * (k >= len(provinces))
        lon = row.capital_lon + rng.uniform(-0.3, 0.3) * (k >= len(provinces))
        places.append((row["name"], name, f"{lat:.4f}", f"{lon:.4f}"))
    weights = [t[3] for t in TYPES]
    start = dt.date(2021, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        for k in range(n):
            disorder, event_type, sub_type, _ = rng.choices(TYPES, weights)[0]
            day = start + dt.timedelta(days=rng.randrange(365))
            date = day.isoformat() if k % 2 else f"{day.day} {day:%B %Y}"
            admin1, location, lat, lon = rng.choice(places)
            actor1 = rng.choice(SIDES) if rng.random() < 0.9 else rng.choice(actors)
            actor2 = rng.choice(actors) if sub_type == "Armed clash" or rng.random() < 0.5 else ""
            note = " ".join(rng.choices(WORDS, k=rng.randrange(20, 50)))
            writer.writerow(
                [f"AFG{k}", date, day.year, rng.choice("1112"), disorder, event_type, sub_type, actor1, "", "",
                 actor2, "", "", "", "", "4", "Caucasus and Central Asia", "Afghanistan", admin1, location, "",
                 location, lat, lon, rng.choice("1112223"), "Example Wire; Example Radio", "National", note,
                 rng.randrange(5), "", "1700000000"]
            )  # fmt: skip


def _best_of(runs: int, work) -> tuple[float, float, object]:
    """Best wall-clock and best CPU time of ``runs`` calls (CPU time is steadier on a shared machine)."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = work()
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - started_cpu)
    return best, best_cpu, result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "acled-events.csv"
        write_events(path, n)
        size = path.stat().st_size
        pandas_time, pandas_cpu, frame = _best_of(3, lambda: pd.read_csv(path, dtype=str, keep_default_na=False))
        import_time, import_cpu, result = _best_of(3, lambda: import_events(path, "acled"))
    load = os.getloadavg()[0]
    print(f"{n:,} ACLED-layout events, {size / 1e6:.1f} MB CSV, best of 3 runs each; load average {load:.1f}")
    print(f"  {'':<40}{'wall s':>8}{'CPU s':>8}{'events/s':>11}")
    print(f"  {'geomap import_events (all checks)':<40}{import_time:>8.2f}{import_cpu:>8.2f}{n / import_time:>11,.0f}")
    print(
        f"  {'pandas.read_csv(dtype=str), the floor':<40}{pandas_time:>8.2f}{pandas_cpu:>8.2f}{n / pandas_time:>11,.0f}"
    )
    verdict = "met" if import_time < 10 else "MISSED"
    print(f"  ratio to the bare read: {import_time / pandas_time:.2f}x; target under 10 s wall: {verdict}")
    print(
        f"  {len(result.reports):,} reports; {len(result.unmapped)} unmapped actors "
        f"({int(result.unmapped['events'].sum()):,} events); skipped: {result.skipped}"
    )
    assert len(frame) == n


if __name__ == "__main__":
    main()
