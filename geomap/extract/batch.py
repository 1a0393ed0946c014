"""Step 8: many articles at once: read them with their metadata, extract each, and merge the same
event reported by several articles into one report with all its sources.

Metadata come from, in order of precedence: a ``--meta`` CSV (``path, published, source``), a JSON
sidecar beside the article (``NN.json`` with ``published`` and ``url`` or ``source``), or front matter
at the head of the article (``---`` lines holding ``published: 2021-08-12`` and ``source: URL``).
"""

from __future__ import annotations

import csv
import json
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from geomap._csv import field_limit
from geomap.errors import InputError, shown
from geomap.extract.extractor import candidate_names, extract_reports
from geomap.extract.mentions import prefetch_answers
from geomap.extract.rows import CONFIDENCE, EXTRACT_COLUMNS
from geomap.schema import DATE, NOTE, PLACE, PROVINCE_ISO, SOURCE, STATUS

SOURCES = "sources"
N_SOURCES = "n_sources"
FLAG = "flag"
#: Columns of :func:`extract_batch`'s merged result.
BATCH_COLUMNS = (*EXTRACT_COLUMNS, SOURCES, N_SOURCES, FLAG)
#: Two articles giving the same place and status this many days apart or less disagree on the date.
DATE_TOLERANCE_DAYS = 3
#: Largest article read, in bytes; a longer file is refused with its name.
MAX_ARTICLE_BYTES = 20_000_000
_TEXT_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<body>(?:[^\n]{0,500}\n){0,40}?)---[ \t]*\r?\n")


@dataclass(frozen=True)
class Article:
    """One article to extract: its text, publication date and source (URL or name)."""

    path: str
    text: str
    published: str
    source: str = ""


@dataclass(frozen=True)
class Skipped:
    """An article that could not be read, and why."""

    path: str
    reason: str


def article_paths(inputs: Iterable[str | Path]) -> list[Path]:
    """Text files named by ``inputs``: files as given, folders searched for ``*.txt``/``*.md``."""
    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _TEXT_SUFFIXES)
        else:
            out.append(path)
    return out


def read_meta(path: str | Path) -> dict[str, dict[str, str]]:
    """Read a metadata CSV (``path, published[, source|url]``) into ``{resolved path: {published, source}}``.

    Rows naming files that do not exist are reported in one warning (a misspelt path would
    otherwise leave its article without its date).

    Raises
    ------
    InputError
        If the file is missing, has no ``path``/``published`` columns, a row has no path, or a row's
        ``published`` is not a date (named with its row, column and value).
    """
    from geomap.dates import date_problem, parse_date

    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle, field_limit():
            reader = csv.DictReader(handle)
            columns = {c.strip().casefold() for c in reader.fieldnames or []}
            if not {"path", "published"} <= columns:
                msg = (
                    f"{path}: needs the columns path and published (and optionally source or url); "
                    f"found {sorted(columns)}"
                )
                raise InputError(msg)
            meta = {}
            missing = []
            for number, raw in enumerate(reader, start=2):
                row = {k.strip().casefold(): (v or "").strip() for k, v in raw.items() if k}
                if not row.get("path"):
                    raise InputError(f"{path}: row {number}, column path: empty; give the article's file path")
                published = row.get("published", "")
                if published:
                    try:
                        parse_date(published, "published")
                    except InputError:
                        timed = re.match(r"\s*\d{4}-\d{2}-\d{2}[T ]\d", published)  # no time of day is taken here
                        why = (
                            "a date without a time of day; write it as YYYY-MM-DD" if timed else date_problem(published)
                        )
                        problem = f"{shown(published)}: {why}"
                        raise InputError(f"{path}: row {number}, column published: {problem}") from None
                article = path.parent / row["path"]
                if not article.exists():
                    missing.append(row["path"])
                source = row.get("source") or row.get("url", "")
                meta[str(article.resolve())] = {"published": published, "source": source}
    except FileNotFoundError:
        raise InputError(f"{path}: metadata file not found; check the path") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: metadata file is not UTF-8 text; save it as UTF-8 CSV") from None
    except csv.Error as exc:  # a value past the field limit, or a quote left open
        line = reader.line_num + 1 if "reader" in locals() else 1  # the record being read
        raise InputError(
            f"{path}: row {line}: not a metadata CSV ({exc}); close the quote or shorten the value"
        ) from None
    if missing:
        listed = ", ".join(shown(m) for m in missing[:3])
        listed += f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        warnings.warn(
            f"{path}: {len(missing)} row(s) name files that do not exist ({listed}); paths are relative to "
            "the metadata file's folder",
            stacklevel=2,
        )
    return meta


def _sidecar(path: Path) -> dict[str, str]:
    """The publication date and source a JSON file beside an article gives (``article.json``: ``published``,
    ``url`` or ``source``); ``{}`` when there is none.

    Raises
    ------
    InputError
        The file is not a JSON object, or one of those fields is not text.
    """
    side = path.with_suffix(".json")
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"its metadata file {side.name} cannot be read ({exc}); fix or remove it") from None
    if not isinstance(data, dict):
        raise InputError(f"its metadata file {side.name} is not a JSON object with published and url; fix it")
    found = {"published": data.get("published"), "source": data.get("url") or data.get("source")}
    for key, value in found.items():
        if value is not None and not isinstance(value, str):
            field = "published" if key == "published" else ("url" if data.get("url") else "source")
            raise InputError(f"its metadata file {side.name}: {field} is {value!r}, not text; fix it")
    return {k: v or "" for k, v in found.items()}


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    m = _FRONT_MATTER.match(text)
    if m is None:
        return {}, text
    fields = {}
    for line in m.group("body").splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().casefold()] = value.strip().strip("\"'")
    meta = {
        "published": fields.get("published") or fields.get("date", ""),
        "source": fields.get("source") or fields.get("url", ""),
    }
    # blank the front matter instead of cutting it, so offsets into the text stay those of the file
    return meta, " " * m.end() + text[m.end() :]


def read_bounded(stream: BinaryIO, name: str | Path) -> bytes:
    """At most :data:`MAX_ARTICLE_BYTES` of an article, from a file, a pipe or a device that never ends."""
    raw = stream.read(MAX_ARTICLE_BYTES + 1)
    if len(raw) > MAX_ARTICLE_BYTES:
        raise InputError(f"{name}: more than {MAX_ARTICLE_BYTES:,} bytes; split the article")
    return raw


def _read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise InputError(f"{path}: {size:,} bytes, larger than {MAX_ARTICLE_BYTES:,}; split the file")
    with path.open("rb") as stream:
        raw = read_bounded(stream, path)
    if b"\x00" in raw[:8192]:
        raise InputError(f"{path}: a binary file, not text; give the article as UTF-8 text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save the article as UTF-8") from None


def load_articles(
    paths: Iterable[str | Path], *, meta: dict[str, dict[str, str]] | None = None, published: str | None = None
) -> Iterator[Article | Skipped]:
    """Read each article with its publication date and source; an unreadable one is a :class:`Skipped`.

    ``published`` is the date for articles that give none of their own.
    """
    meta = meta or {}
    for path in map(Path, paths):
        try:
            text = _read_text(path)
        except FileNotFoundError:
            yield Skipped(str(path), "file not found")
            continue
        except InputError as exc:
            yield Skipped(str(path), str(exc).removeprefix(f"{path}: "))
            continue
        except OSError as exc:
            yield Skipped(str(path), f"cannot read it ({exc.strerror})")
            continue
        front, text = _front_matter(text)
        info = {"published": published or "", "source": ""}
        try:
            side = _sidecar(path)
        except InputError as exc:
            yield Skipped(str(path), str(exc))
            continue
        for found in (side, front, meta.get(str(path.resolve()), {})):
            info.update({k: v for k, v in found.items() if v})
        if not text.strip():
            yield Skipped(str(path), "empty file")
        elif not info["published"]:
            yield Skipped(str(path), "no publication date (give it in --meta, a JSON sidecar or front matter)")
        else:
            yield Article(str(path), text, info["published"], info["source"] or str(path))


def extract_batch(
    articles: Iterable[Article],
    *,
    merge: bool = True,
    geocoder: Callable[[list[str]], pd.DataFrame] | None = None,
    progress: bool = False,
    unstated: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Extract reports from many articles in one process.

    Parameters
    ----------
    articles
        The articles (see :func:`load_articles`).
    merge
        Merge the same event (place, status and date) reported by several articles into one row
        with all their sources (``sources``, ``n_sources``); rows that disagree with another
        article's on the status or the date of the same place are kept, each with a ``flag``.
    geocoder
        As for :func:`geomap.extract.extract_reports`.
    progress
        Show a progress bar on stderr.
    unstated
        As for :func:`geomap.extract.extract_reports`: collects the sentences naming a place
        without a statement.

    Returns
    -------
    pandas.DataFrame
        The rows of every article (``source`` is each article's source); with ``merge`` the
        columns of :data:`BATCH_COLUMNS`.

    Raises
    ------
    InputError
        If an article's publication date is not a date (the message names the article).
    """
    items = list(articles)
    if geocoder is None:  # the offline geocoder: every article's names in one call
        texts = [article.text for article in items if isinstance(article.text, str)]
        prefetch_answers(name for text in texts for name in candidate_names(text))
    if progress:
        from tqdm import tqdm

        items = tqdm(items, desc="extract", unit="article")
    frames = []
    for article in items:
        try:
            found = extract_reports(
                article.text,
                published=article.published,
                source=article.source,
                geocoder=geocoder,
                unstated=unstated,
            )
        except InputError as exc:
            raise InputError(f"{article.path}: {exc}") from None
        frames.append(found)
    table = pd.concat(frames, ignore_index=True) if frames else extract_reports("", published="2000-01-01")
    return merge_articles(table) if merge else table


def merge_articles(table: pd.DataFrame) -> pd.DataFrame:
    """One row per place, status and date across articles, with every source and their count; a row
    whose status or date another article contradicts for the same place is flagged, never merged away."""
    if table.empty:
        return pd.DataFrame({c: pd.Series(dtype=table[c].dtype if c in table else "object") for c in BATCH_COLUMNS})
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for record in table.to_dict("records"):
        key = (record[PLACE], record[PROVINCE_ISO], record[STATUS], record[DATE])
        if not any(pd.isna(k) for k in key):  # as a groupby, which leaves rows with a missing key out
            groups.setdefault(key, []).append(record)
    rows = []
    for group in groups.values():
        best = dict(most_confident(group))
        sources = list(dict.fromkeys(r[SOURCE] for r in group if r[SOURCE]))
        best[SOURCES] = " | ".join(sources)
        best[N_SOURCES] = max(1, len(sources))
        best[FLAG] = ""
        rows.append(best)
    merged = pd.DataFrame(rows)
    merged[FLAG] = _flags(rows)
    merged[NOTE] = merged[NOTE].where(
        merged[N_SOURCES] < 2, merged[NOTE] + "; reported by " + merged[N_SOURCES].astype(str) + " articles"
    )
    out = merged.reindex(columns=list(BATCH_COLUMNS)).astype({DATE: "datetime64[ns]"})
    return out.sort_values([DATE, PLACE, STATUS], kind="stable").reset_index(drop=True)


def most_confident(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The record of highest confidence; equally confident ones are told apart as sorting the
    confidences with pandas does (the rule a table of them always followed)."""
    values = [r[CONFIDENCE] for r in records]
    if len(values) == 1:
        return records[0]
    top = max(values)
    if values.count(top) == 1 and not any(pd.isna(v) for v in values):
        return records[values.index(top)]
    first = int(pd.Series(values, dtype="float64").sort_values(ascending=False).index[0])
    return records[first]


def _flags(rows: list[dict[str, Any]]) -> list[str]:
    """For each merged row: another article's different status for the same place on the same date, or
    the same status on a date up to :data:`DATE_TOLERANCE_DAYS` days apart."""
    by_place: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for row in rows:
        by_place.setdefault((row[PLACE], row[PROVINCE_ISO]), []).append(row)
    flags = []
    for row in rows:
        same_place = by_place[(row[PLACE], row[PROVINCE_ISO])]
        day = pd.Timestamp(row[DATE])
        window = {day + pd.Timedelta(days=d) for d in range(-DATE_TOLERANCE_DAYS, DATE_TOLERANCE_DAYS + 1)}
        notes = []
        other_status = {r[STATUS] for r in same_place if r[STATUS] != row[STATUS] and r[DATE] == row[DATE]}
        if other_status:
            notes.append(f"status disagrees: {', '.join(sorted(other_status))} on the same date")
        other_date = {
            r[DATE] for r in same_place if r[STATUS] == row[STATUS] and r[DATE] != row[DATE] and r[DATE] in window
        }
        if other_date:
            notes.append(
                f"date disagrees: also {', '.join(sorted({pd.Timestamp(d).strftime('%Y-%m-%d') for d in other_date}))}"
            )
        flags.append("; ".join(notes))
    return flags
