"""The extractor's steps run in order over one article."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

from geomap.errors import InputError
from geomap.extract._model import CONTESTED, Statement
from geomap.extract.claims import _denies_previous, denier
from geomap.extract.dates import _date_for, _dates_in, _history, _later_dates, _parse_published, is_state, report_dates
from geomap.extract.events import _statements
from geomap.extract.mentions import _mentions_in, _names, _resolve_places, _runs, _runs_naming, place_by_text
from geomap.extract.references import CAPITAL, Antecedent, _next_antecedent, _references
from geomap.extract.rows import CONFIDENCE, DENIED_BY, ORDER, _merge, _row
from geomap.extract.sentences import _sentences, clean_text
from geomap.schema import PROVINCE_ISO, STATUS


def extract_reports(
    text: str,
    *,
    published: date | str,
    source: str | None = None,
    geocoder: Callable[[list[str]], pd.DataFrame] | None = None,
    unstated: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Find control statements about Afghan places in news text.

    Parameters
    ----------
    text
        The article (plain text; paragraphs separated by blank lines).
    published
        Publication date (``datetime.date`` or ``"YYYY-MM-DD"``): relative dates
        ("on Thursday", "yesterday") count back from it, and a statement with no
        date of its own gets it, with a lower confidence.
    source
        Written into the ``source`` column of every row (e.g. the article's URL).
    geocoder
        A callable like :func:`geomap.geocode.geocode` (list of names -> DataFrame with
        ``query, name, kind, province_iso, confidence``); the offline geocoder by default.
    unstated
        If given, each sentence that names an Afghan place but makes no statement about it is
        appended to it as ``{"source", "sentence", "places"}`` (for a review page).

    Returns
    -------
    pandas.DataFrame
        One row per place and date with columns ``date`` (``datetime64[ns]``;
        ``YYYY-MM-DD`` text once written as CSV),
        ``place`` (the geocoder's canonical name), ``status`` (``taliban``,
        ``government`` or ``contested``), ``source``, ``note`` (how the place was
        written and the phrase that decided), ``province_iso``, ``evidence`` (the
        sentence) and ``confidence`` (0-1), sorted by date and place.

    Raises
    ------
    InputError
        If ``published`` is not a date.

    Examples
    --------
    >>> extract_reports("The Taliban captured Kunduz on Sunday.", published="2021-08-09")[["date", "place", "status"]]
             date   place   status
    0  2021-08-08  Kunduz  taliban
    """
    if text is not None and not isinstance(text, str):
        raise InputError(f"text: expected the article as a string, got {type(text).__name__}")
    published_on = _parse_published(published)
    filed, default_date = report_dates(text or "", published_on)
    text = clean_text(text or "")
    sentences = _sentences(text)
    runs = [_runs(s) for _, s in sentences]
    resolved = _resolve_places(_candidate_names(runs), geocoder)
    naming = _runs_naming(resolved, runs)
    rows: list[dict[str, Any]] = []
    earlier: Antecedent | None = None
    context = ""
    carried: date | None = None  # the last date the paragraph gave
    latest: date | None = None  # the last date the article gave
    previous_rows = 0
    recent_rows = 0  # where the rows of the last sentence that made any begin
    previous_end = 0
    for index, ((offset, sentence), named) in enumerate(zip(sentences, runs, strict=True)):
        if _PARAGRAPH_BREAK.search(text, previous_end, offset):
            earlier, context, carried = None, "", None  # a new paragraph: references and dates do not reach back
            previous_rows = len(rows)
        previous_end = offset + len(sentence)
        mentions = _references(
            sentence, place_by_text(sentence, _mentions_in(sentence, resolved, named & naming)), earlier, resolved
        )
        earlier = _next_antecedent(sentence, mentions, earlier)
        if _denies_previous(sentence):
            _contest_denied(rows, previous_rows, recent_rows, denier(sentence), {m.province_iso for m in mentions})
        recent_rows = previous_rows if previous_rows < len(rows) else recent_rows
        previous_rows = len(rows)
        explicit = _dates_in(sentence, filed)
        dates = sorted(explicit + _later_dates(sentence, carried or latest, explicit, filed))
        history = _history(sentence, published_on)
        plain, asides = _without_brackets(sentence)
        statable = [m for m in mentions if not any(a <= m.start < b for a, b in asides)]
        for statement in _statements(plain, statable, context) if statable else []:
            if _is_history(statement, plain, dates, history):
                continue  # "overran Kunduz in 2015": not news of the day
            state = is_state(statement, plain)
            on, kind = _date_for(statement, dates, default_date, carried, state=state, sentence=plain)
            rows.append({**_row(statement, sentence, on, kind, source), ORDER: index})
        if unstated is not None and len(rows) == previous_rows and statable:
            places = list(dict.fromkeys(m.text for m in statable if not m.reference))
            if places:
                unstated.append({"source": source or "", "sentence": " ".join(sentence.split()), "places": places})
        carried = max((d[1] for d in dates), default=carried) if dates else carried
        latest = carried or latest
        context = sentence
    return _merge(rows)


def _candidate_names(runs: list[frozenset[str]]) -> set[str]:
    """The names looked up for an article whose sentences have these capitalised runs."""
    return {*_names(run for found in runs for run in found), CAPITAL}


def candidate_names(text: str) -> set[str]:
    """The names :func:`extract_reports` looks up for ``text`` (so a batch can look them all up at once)."""
    return _candidate_names([_runs(s) for _, s in _sentences(clean_text(text))])


def _contest_denied(rows: list[dict[str, Any]], previous: int, recent: int, by: str, places: set[str]) -> None:
    """A denial ("officials rejected the claim") contests the sentence before it; when that one made no
    statement, the last sentence that did (a claim may be denied a paragraph later). A denial that names
    places contests only rows about them; a side's denial leaves its own gains alone."""
    start = previous if previous < len(rows) else recent
    for i in range(start, len(rows)):
        if places and rows[i][PROVINCE_ISO] not in places:
            continue
        if by == rows[i][STATUS]:
            continue  # a side denies the other side's gains, not its own
        rows[i] = {**rows[i], STATUS: CONTESTED, DENIED_BY: by, CONFIDENCE: round(rows[i][CONFIDENCE] * 0.75, 2)}


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Brackets and parentheses hold asides ("Zaranj [the capital of Nimruz] has been seized", "(AP)"): blanked
# for the phrase rules, so they neither break nor make a link; the dates in them still count.
_BRACKETS = re.compile(r"\[[^\[\]\n]{0,300}\]|\([^()\n]{0,300}\)")


def _without_brackets(sentence: str) -> tuple[str, list[tuple[int, int]]]:
    """``sentence`` with bracketed asides blanked (same length) and their spans."""
    spans = [m.span() for m in _BRACKETS.finditer(sentence)]
    if not spans:
        return sentence, []
    return _BRACKETS.sub(lambda m: " " * len(m.group(0)), sentence), spans


_CLAUSE_EDGE = re.compile(r"[,;:()—–]")


def _is_history(statement: Statement, sentence: str, dates: list[tuple[int, date, str]], history: list[int]) -> bool:
    """True when the year written nearest the statement's phrase, in its clause, is before the publication
    year ("overran Kunduz in 2015"; not "who overran Kunduz in 2015, took Herat on Thursday")."""
    cue = statement.cue_start
    history = [p for p in history if not _CLAUSE_EDGE.search(sentence, min(p, cue), max(p, cue))]
    if not history:
        return False
    nearest_history = min(abs(p - cue) for p in history)
    nearest_date = min((abs(p - statement.cue_start) for p, _, _ in dates), default=None)
    return nearest_date is None or nearest_history < nearest_date
