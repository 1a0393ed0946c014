"""Benchmark of news extraction on real labelled texts, printed beside the figures before the rewrite.

    .venv/bin/python bench/bench_extract.py [-v]

Reads ``../shared/news-dev`` (relative to the checkout root: real 2021 news texts with labelled
control statements, not part of the project) and skips with a message when it is absent.
Every text is extracted in one process with its publication date, and the rows are scored as
that set's ``score.py`` does: (province, status) pairs per text for precision and recall
(``strict`` leaves out the entries labelled weak), the date of matched rows, rows placed
abroad, and the precision of rows with confidence >= 0.8 (right pair and right date).
The figures are given for all texts and for the odd- and even-numbered halves, so a rule tuned
on one half can be checked on the other.

Baseline: the single-module extractor as it was before the package rewrite, measured with the
set's own ``score.py`` (its figures are fixed below; that code is no longer in the tree), and the
package extractor before the latest round of rules (``PREVIOUS``), measured with this script.
Time: the whole set in one :func:`geomap.extract.extract_batch` call, the geocoder warm; and the time
per KB on hostile texts of nothing but abbreviations from 10 KB to 5 MB (target: flat within 2x, 5 MB < 30 s).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV_SET = ROOT.parent / "shared" / "news-dev"

#: Figures of the extractor before the rewrite, by ``score.py`` on the same set: all / odd / even.
BASELINE = {
    "all": {
        "precision": 0.92,
        "recall": 0.49,
        "strict": 0.54,
        "dates": 0.84,
        "abroad": 0,
        "hi_precision": 0.92,
        "hi_rows": 49,
        "rows": 120,
    },
    "odd": {
        "precision": 0.93,
        "recall": 0.55,
        "strict": 0.61,
        "dates": 0.92,
        "abroad": 0,
        "hi_precision": 0.91,
        "hi_rows": 33,
        "rows": 66,
    },
    "even": {
        "precision": 0.92,
        "recall": 0.44,
        "strict": 0.47,
        "dates": 0.74,
        "abroad": 0,
        "hi_precision": 0.94,
        "hi_rows": 16,
        "rows": 54,
    },
}
#: Figures of the package extractor before the rules of the current round (one row per place and day, no
#: report dates, counted parts, fighting verbs, denials reaching back): all / odd / even.
PREVIOUS = {
    "all": {"precision": 0.95, "recall": 0.62, "strict": 0.68, "dates": 0.87, "abroad": 0, "hi_precision": 0.97,
            "hi_rows": 30, "rows": 159},
    "odd": {"precision": 0.99, "recall": 0.74, "strict": 0.82, "dates": 0.93, "abroad": 0, "hi_precision": 1.00,
            "hi_rows": 19, "rows": 91},
    "even": {"precision": 0.90, "recall": 0.50, "strict": 0.54, "dates": 0.78, "abroad": 0, "hi_precision": 0.91,
             "hi_rows": 11, "rows": 68},
}  # fmt: skip
FIGURES = ("precision", "recall", "strict", "dates", "abroad", "hi_precision", "hi_rows", "rows")


def days(specs: list[str]) -> set[str]:
    """Every day of the gold's date specs (``YYYY-MM-DD`` or ``A..B``)."""
    out = set()
    for spec in specs:
        a, _, b = spec.partition("..")
        lo, hi = dt.date.fromisoformat(a), dt.date.fromisoformat(b or a)
        while lo <= hi:
            out.add(lo.isoformat())
            lo += dt.timedelta(days=1)
    return out


def score_text(rows: list[dict], entries: list[dict], tally: dict, verbose: str | None = None) -> None:
    """Add one text's counts to ``tally`` (same rules as the set's score.py)."""
    accept: dict[tuple[str, str], set[str]] = {}
    strict = set()
    main_pairs: dict[tuple[str, str], list[dict]] = {}
    for e in entries:
        for st in [e["status"], *e.get("alt_status", [])]:
            accept.setdefault((e["iso"], st), set()).update(days(e["dates"]))
        main_pairs.setdefault((e["iso"], e["status"]), []).append(e)
        if not e.get("weak"):
            strict.add((e["iso"], e["status"]))
    af = [x for x in rows if str(x.get("province_iso") or "").startswith("AF-")]
    tally["abroad"] += sum(1 for x in rows if x.get("province_iso") and not str(x["province_iso"]).startswith("AF-"))
    emitted = {(x["province_iso"], x["status"]) for x in af}
    right = {p for p in emitted if p in accept}

    def found(pair: tuple[str, str]) -> bool:
        return any((e["iso"], s) in emitted for e in main_pairs[pair] for s in [e["status"], *e.get("alt_status", [])])

    matched = [x for x in af if (x["province_iso"], x["status"]) in accept]
    tally["gold"] += len(main_pairs)
    tally["strict_gold"] += len(strict)
    tally["found"] += sum(found(p) for p in main_pairs)
    tally["found_strict"] += sum(found(p) for p in strict)
    tally["emitted"] += len(emitted)
    tally["right"] += len(right)
    tally["rows"] += len(matched)
    tally["date_ok"] += sum(x["date"] in accept[(x["province_iso"], x["status"])] for x in matched)
    for x in af:
        if float(x.get("confidence") or 0) >= 0.8:
            tally["hi"] += 1
            pair = (x["province_iso"], x["status"])
            tally["hi_ok"] += pair in accept and x["date"] in accept[pair]
    if verbose:
        for p in main_pairs:
            if not found(p):
                print(f"{verbose} missed {p[0]} {p[1]}: {main_pairs[p][0]['place']}")
        for x in af:
            pair = (x["province_iso"], x["status"])
            if pair not in accept:
                print(f"{verbose} wrong  {pair[0]} {pair[1]} {x['place']}: {x['evidence'][:150]}")
            elif x["date"] not in accept[pair]:
                print(f"{verbose} date   {pair[0]} {pair[1]} {x['place']} {x['date']} ({x.get('date_basis')})")


def figures(t: dict) -> dict:
    """Ratios from a tally."""

    def ratio(a: str, b: str) -> float:
        return t[a] / t[b] if t[b] else 0.0

    return {
        "precision": ratio("right", "emitted"),
        "recall": ratio("found", "gold"),
        "strict": ratio("found_strict", "strict_gold"),
        "dates": ratio("date_ok", "rows"),
        "abroad": t["abroad"],
        "hi_precision": ratio("hi_ok", "hi"),
        "hi_rows": t["hi"],
        "rows": t["rows"],
    }


def main(argv: list[str]) -> int:
    if not (DEV_SET / "gold.json").exists():
        print(f"skipped: {DEV_SET} not found (the labelled real texts are kept outside the project)")
        return 0
    from geomap.extract import Article, extract_batch

    verbose = "-v" in argv
    gold = json.loads((DEV_SET / "gold.json").read_text())
    articles = []
    for key in sorted(gold):
        meta = json.loads((DEV_SET / "articles" / f"{key}.json").read_text())
        path = DEV_SET / "articles" / f"{key}.txt"
        articles.append(Article(path=str(path), text=path.read_text(), published=meta["published"], source=key))
    extract_batch(articles[:1])  # warm the geocoder, as a batch run pays it once
    start = time.perf_counter()
    table = extract_batch(articles, merge=False)
    seconds = time.perf_counter() - start
    table["date"] = table["date"].dt.strftime("%Y-%m-%d")  # the gold writes days as text
    tallies = {
        half: dict.fromkeys(
            (
                "gold",
                "strict_gold",
                "found",
                "found_strict",
                "emitted",
                "right",
                "rows",
                "date_ok",
                "abroad",
                "hi",
                "hi_ok",
            ),
            0,
        )
        for half in ("all", "odd", "even")
    }
    rows_by_text = {key: [] for key in gold}
    for row in table.to_dict("records"):
        rows_by_text[row["source"]].append(row)
    for key in sorted(gold):
        half = "odd" if int(key) % 2 else "even"
        for name in ("all", half):
            score_text(rows_by_text[key], gold[key], tallies[name], verbose=key if verbose and name == "all" else None)
    print(f"news-dev: {len(gold)} real texts, {sum(len(v) for v in gold.values())} labelled statements")
    print("columns: before = the single-module extractor; prev = the package before this round's rules; now")
    head = "".join(f"{h + ' before':>12}{h + ' prev':>10}{h + ' now':>9}" for h in ("all", "odd", "even"))
    print(f"{'figure':<14}{head}")
    for fig in FIGURES:
        line = f"{fig:<14}"
        for half in ("all", "odd", "even"):
            now = figures(tallies[half])[fig]
            before, prev = BASELINE[half].get(fig), PREVIOUS[half].get(fig)
            fmt = (lambda v: f"{v:.2f}") if isinstance(now, float) else str
            line += f"{fmt(before) if before is not None else '-':>12}{fmt(prev) if prev is not None else '-':>10}"
            line += f"{fmt(now):>9}"
        print(line)
    print(f"time for the {len(articles)} texts in one batch: {seconds:.2f} s (target < 10 s)")
    hostile_text_times()
    return 0


def hostile_text_times() -> None:
    """Time per KB on texts of nothing but abbreviations (no sentence ends) from 10 KB to 5 MB: it should stay flat."""
    from geomap.extract import extract_reports

    unit = "Gen. U.S. Aug. Mr. Dr. Kunduz Jan. "
    print("text of abbreviations      size      time   ms per KB")
    for size in (10_000, 1_000_000, 5_000_000):
        text = (unit * (size // len(unit) + 1))[:size]
        start = time.perf_counter()
        extract_reports(text, published="2021-08-12")
        took = time.perf_counter() - start
        print(f"{'':<22}{size / 1e6:>8.2f} MB {took:>8.2f} s {took / (size / 1000) * 1000:>8.2f}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
