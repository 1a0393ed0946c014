"""Benchmark: time on pathological input grows in step with its size.

    .venv/bin/python bench/bench_hostile.py [--max-mb 5] [--only NAME]

Each input is timed at growing sizes, and beside it, in the same run and the same way, a floor:
the least work any reader of that input must do (a plain sentence split and word split of the
same text, a plain lower-casing and word split of the same name, ``pandas.read_csv`` of the same
file). Printed per size: geomap's wall-clock and CPU time and CPU ms per KB, the floor's CPU time and
ms per KB, and the ratio of the CPU times (CPU time, because on a shared machine the wall clock mostly
measures the other processes; both sides are timed the same way).
The last column, ``flat``, is geomap's CPU ms per KB at that size over the least ms per KB of the sizes up
to it: quadratic work shows as a ``flat`` growing with the size; the target is <= 2 everywhere (time per
KB may fall with the size, as fixed costs spread).

Inputs (all written here, none from elsewhere):

* ``abbreviations`` - the text that made sentence splitting quadratic: ``Gen. U.S. Aug. Mr. Dr.
  Kunduz Jan.`` over and over, no sentence ever ending (every piece is cut at the longest sentence
  length); ``geomap extract``'s target: 5 MB in under 30 s, ms per KB flat within 2x from 10 KB;
* ``initials`` - sentences dense with ranks, initials and dated abbreviations ("Lt. Col. J. R.
  Rahimi met Gen. A. Karimi on Aug. 12 in Kunduz.") with names drawn from a list of thirty: what
  a long real text of such sentences costs, every sentence naming a place;
* ``invented names`` - the same with names made of random syllables, so nearly every name is new
  and goes to the geocoder (whose fuzzy search then sets the pace); every run, the warm-up's
  included, is on text of its own seed, so no name is answered from the geocoder's caches;
* ``capitalised run`` - one run of capitalised words with no punctuation (10,000 characters and
  more), the input that makes a backtracking name pattern explode;
* ``long name`` - one place name of N KB given to the offline geocoder;
* ``long CSV cells`` - a reports CSV whose note cells are 64 KB of quoted text with commas, quotes
  and formula-like starts, read by :func:`geomap.reports.read_reports` (floor: ``pandas.read_csv``).

Sizes up to 100 KB are timed as the best of three runs, larger ones once. Every input is run once
at a small size first, so start-up costs (imports, the gazetteer) are not counted as work per KB.
Note the machine's load (``uptime``) with the figures.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KB = 1000
PUBLISHED = "2021-08-16"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TAGS = re.compile(r"<[^<>]*>")


# ------------------------------------------------------------------------------------- inputs
def abbreviations(size: int) -> str:
    unit = "Gen. U.S. Aug. Mr. Dr. Kunduz Jan. "
    return (unit * (size // len(unit) + 1))[:size]


_RANKS = ["Gen.", "Lt. Col.", "Maj.", "Capt.", "Sgt.", "Dr.", "Mr.", "Mrs.", "Sen.", "Gov.", "Prof.", "Brig. Gen."]
_SURNAMES = [
    "Rahimi", "Karimi", "Noori", "Haidari", "Ahmadzai", "Sultani", "Hakimi", "Jalali", "Nazari", "Sharifi",
    "Wardak", "Popal", "Amiri", "Rasuli", "Safi", "Stone", "Miller", "Brooks", "Walsh", "Carter", "Hughes",
    "Baker", "Foster", "Reyes", "Khan", "Mohammadi", "Yousufzai", "Habibi", "Qaderi", "Samadi",
]  # fmt: skip
_PLACES = ["Kunduz", "Ghazni", "Herat", "Lashkar Gah", "Pul-i-Khumri", "Taloqan", "Zaranj", "Sheberghan"]
_MONTHS = ["Jan.", "Feb.", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
_VERBS = ["met", "told", "briefed", "visited", "called", "thanked"]


def initials(size: int, seed: int = 9) -> str:
    """Sentences of ranks, initials and abbreviated dates; names drawn at random, so they keep changing."""
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:

        def person() -> str:
            letters = " ".join(f"{rng.choice('ABCDEFGHJKLMNPRSTW')}." for _ in range(rng.randint(1, 3)))
            return f"{rng.choice(_RANKS)} {letters} {rng.choice(_SURNAMES)}"

        sentence = (
            f"{person()} of the U.S. Army {rng.choice(_VERBS)} {person()} on {rng.choice(_MONTHS)} "
            f"{rng.randint(1, 28)} in {rng.choice(_PLACES)}, Mr. {rng.choice(_SURNAMES)} said. "
        )
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)[:size]


_SYLLABLES = ["ka", "ri", "mo", "za", "de", "la", "ho", "su", "ni", "ba", "te", "ra", "gu", "lo", "fa", "me"]


def invented_names(size: int, seed: int = 9) -> str:
    """The same sentences with names made up of random syllables: nearly every name is new, so the
    geocoder is asked about each one (no cache helps)."""
    rng = random.Random(seed)

    def name() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()

    parts: list[str] = []
    length = 0
    while length < size:
        sentence = (
            f"Gen. {rng.choice('ABCDEFG')}. {name()} {name()} met Lt. Col. {name()} {name()} on Aug. "
            f"{rng.randint(1, 28)} in {rng.choice(_PLACES)}. "
        )
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)[:size]


def capitalised_run(size: int) -> str:
    words = ["Abdul", "Rahman", "Khan", "Kunduz", "Mazar-i-Sharif", "Sar-e Pol", "Ghazni", "Pul - e - Khumri"]
    out = " ".join(words[i % len(words)] for i in range(size // 6 + 1))
    return out[:size].rstrip(" -")


def speech_run(size: int) -> str:
    """One sentence with a control phrase and thousands of verbs of speech naming no side."""
    out = "Kunduz fell on Sunday" + ", a man said, a woman told" * (size // 26 + 1)
    return out[:size] + "."


def statement_run(size: int) -> str:
    """Control statements with no sentence end: a phrase and two places every 90 characters."""
    out = "The Taliban captured Ghazni on Thursday and fighting in Kandahar continued, officials said " * (
        size // 90 + 1
    )
    return out[:size]


def unclosed_markup(size: int) -> str:
    """A page of tags that are never closed (the standard library's HTML parser reads the rest of the text again
    at each), among sentences."""
    unit = "<a href=x The Taliban took Ghazni. "
    return "<p>The Taliban captured Ghazni on Thursday.</p>" + unit * (size // len(unit))


def html_floor(text: str) -> None:
    """The least an HTML reader does: tags dropped by one regex, then words."""
    _TAGS.sub(" ", text).split()


def csv_with_wide_header(size: int, folder: Path) -> Path:
    """A header of as many columns as fit in ``size`` bytes (8 bytes each), up to the 10,000 read."""
    path = folder / f"wide-{size}.csv"
    if not path.exists():
        n = min(size // 8, 9_990)
        header = "date,place,status," + ",".join(f"c{i:06d}" for i in range(n))
        path.write_text(header + "\n" + ("2021-08-12,Ghazni,taliban" + "," * n + "\n") * 3, encoding="utf-8")
    return path


def long_name(size: int) -> str:
    return ("Mazar-i-" + "Sharif-e " * (size // 9 + 1))[:size]


def csv_with_long_cells(size: int, folder: Path) -> Path:
    path = folder / f"cells-{size}.csv"
    if not path.exists():
        cell = '"' + ('=SUM(A1), Gen. ""A."" +B; -C @D ' * 2000)[:64_000] + '"'
        row = f"2021-08-12,Ghazni,taliban,,{cell}\n"
        path.write_text("date,place,status,source,note\n" + row * max(1, size // len(row)), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------- work and floors
def extract(text: str) -> None:
    from geomap.extract import extract_reports

    extract_reports(text, published=PUBLISHED)


def split_floor(text: str) -> None:
    """The least a text reader does: sentences by a plain regex, then words."""
    for sentence in _SENTENCE_END.split(text):
        sentence.split()


def geocode_name(name: str) -> None:
    from geomap.geocode import geocode

    geocode([name])


def name_floor(name: str) -> None:
    unicodedata.normalize("NFKC", name).casefold().split()


def read_reports(path: Path) -> None:
    from geomap.reports import read_reports

    read_reports(path)


def pandas_floor(path: Path) -> None:
    import pandas as pd

    pd.read_csv(path, dtype=str, keep_default_na=False)


# ------------------------------------------------------------------------------------- timing
def timed(
    work: Callable[[object], None], value: object, size: int, again: Callable[[int], object] | None = None
) -> tuple[float, float]:
    """``(wall, cpu)`` seconds of ``work(value)``, the best of three runs up to 100 KB; with ``again``,
    each run after the first is on ``again(run)`` instead (new input, where a cache would answer
    the same input again)."""
    best = (float("inf"), float("inf"))
    for repeat in range(3 if size <= 100 * KB else 1):
        if repeat and again is not None:
            value = again(repeat)
        wall, cpu = time.perf_counter(), time.process_time()
        work(value)
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu), key=lambda t: t[1])
    return best


def run(
    name: str, sizes: list[int], make: Callable[..., object], work, floor, note: str = "", fresh: bool = False
) -> list[float]:
    """Time ``work`` and ``floor`` on ``make(size)`` for each size; print a row per size; the CPU ms per KB.

    ``fresh``: every run on new input (``make(size, seed=...)``), for inputs a cache must not answer."""
    warm_up = make(sizes[0], seed=1) if fresh else make(sizes[0])
    work(warm_up)  # start-up paid once, as in any real run
    floor(warm_up)
    print(f"\n{name}{'  (' + note + ')' if note else ''}")
    print(f"{'size':>10} {'wall s':>9} {'cpu s':>9} {'ms/KB':>8} {'floor s':>9} {'ms/KB':>8} {'ratio':>7} {'flat':>6}")
    per_kb = []
    for size in sizes:
        value = make(size, seed=1000 * size) if fresh else make(size)  # no text shares a name seen before
        again = (lambda k, size=size: make(size, seed=1000 * size + k)) if fresh else None
        wall, cpu = timed(work, value, size, again)
        _, base = timed(floor, value, size)
        per_kb.append(cpu / (size / KB) * 1000)
        print(
            f"{_size(size):>10} {wall:>9.3f} {cpu:>9.3f} {per_kb[-1]:>8.3f} {base:>9.4f} "
            f"{base / (size / KB) * 1000:>8.4f} {cpu / base if base else float('inf'):>7.0f} "
            f"{per_kb[-1] / min(per_kb):>6.2f}",
            flush=True,
        )
    return per_kb


_FRESH = {"invented names"}
"""Inputs timed on new text each run: the geocoder's caches would answer a repeated name."""


def _size(size: int) -> str:
    return f"{size / 1e6:g} MB" if size >= 1_000_000 else f"{size / KB:g} KB"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-mb", type=float, default=5, help="largest text size in MB (default 5)")
    parser.add_argument("--only", help="run only the inputs whose name contains this")
    args = parser.parse_args(argv)
    top = int(args.max_mb * 1_000_000)
    text_sizes = [s for s in (10 * KB, 100 * KB, 1_000_000, 5_000_000) if s <= top] or [10 * KB]
    tmp = Path(tempfile.mkdtemp(prefix="geomap-hostile-"))
    inputs = [
        ("abbreviations", text_sizes, abbreviations, extract, split_floor, "target: 5 MB < 30 s, flat <= 2"),
        ("initials", text_sizes, initials, extract, split_floor, "names keep changing"),
        ("invented names", text_sizes[:3], invented_names, extract, split_floor, "every name new: geocoder-bound"),
        ("capitalised run", [10 * KB, 100 * KB, 1_000_000], capitalised_run, extract, split_floor, ""),
        ("speech run", [10 * KB, 100 * KB, 1_000_000], speech_run, extract, split_floor, "one sentence"),
        ("statement run", [10 * KB, 100 * KB, 400 * KB], statement_run, extract, split_floor, "no sentence end"),
        ("long name", [1 * KB, 10 * KB, 100 * KB, 1_000_000], long_name, geocode_name, name_floor, "geocode"),
        ("unclosed markup", [10 * KB, 100 * KB, 1_000_000], unclosed_markup, extract, html_floor, "HTML page"),
        (
            "wide CSV header",
            [10 * KB, 40 * KB, 80 * KB],
            lambda size: csv_with_wide_header(size, tmp),
            read_reports,
            pandas_floor,
            "columns: 1,280 to 9,990",
        ),
        (
            "long CSV cells",
            [100 * KB, 1_000_000, 10_000_000],
            lambda size: csv_with_long_cells(size, tmp),
            read_reports,
            pandas_floor,
            "read_reports beside pandas.read_csv",
        ),
    ]
    print("Pathological input: geomap's time beside the floor of the same input, measured the same way")
    worst = {}
    for name, sizes, make, work, floor, note in inputs:
        if args.only and args.only not in name:
            continue
        per_kb = run(name, sizes, make, work, floor, note, fresh=name in _FRESH)
        worst[name] = max(per_kb[i] / min(per_kb[: i + 1]) for i in range(len(per_kb)))
    print(
        "\nflat (ms/KB at a size over the least at the sizes up to it, worst case; target <= 2): "
        + ", ".join(f"{name} {value:.2f}" for name, value in worst.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
