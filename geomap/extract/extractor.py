"""The extractor's steps run in order over one article."""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd

from geomap.errors import InputError
from geomap.extract._model import CONTESTED, Mention, Statement
from geomap.extract.claims import _DENIAL, _denies_previous, denier, denies_own_claim
from geomap.extract.dates import (
    MONTH_KINDS,
    _date_for,
    _dates_in,
    _history,
    _later_dates,
    _parse_published,
    counted_clauses,
    heading_date,
    is_state,
    report_dates,
)
from geomap.extract.events import _statements, group_listed, group_status
from geomap.extract.markup import html_as_text, looks_like_html
from geomap.extract.mentions import _mentions_in, _names, _resolve_places, _runs, _runs_naming, place_by_text
from geomap.extract.references import CAPITAL, Antecedent, _next_antecedent, _references
from geomap.extract.rows import CONFIDENCE, DENIED_BY, ORDER, _merge, _row
from geomap.extract.sentences import clean_text, sentence_bounds
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
        One row per place, date and status (and one more for a facility of the place) with
        columns ``date`` (``datetime64[ns]``; ``YYYY-MM-DD`` text once written as CSV),
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
    0 2021-08-08  Kunduz  taliban
    """
    if text is not None and not isinstance(text, str):
        raise InputError(f"text: expected the article as a string, got {type(text).__name__}")
    published_on = _parse_published(published)
    text = text or ""
    if looks_like_html(text):  # an article saved from a web page: its text, not its tags
        text = html_as_text(text)
    filed, default_date = report_dates(text, published_on)
    text = clean_text(text)
    bounds = sentence_bounds(text)
    runs = _sentence_runs(text, bounds)
    resolved = _resolve_places(_candidate_names(runs), geocoder)
    naming = _runs_naming(resolved, runs)
    rows: list[dict[str, Any]] = []
    earlier: Antecedent | None = None
    context = ""
    carried: date | None = None  # the last date the paragraph gave
    section: date | None = None  # the date of the last heading that is only a date
    latest: date | None = None  # the last date the article gave
    pending_denial = ""  # a side that denied claims the next sentence spells out
    group = ""  # the status the sentence before gave a counted group of places it did not name
    timeline: set[str] = set()  # what the entries of a dated list ("Aug. 6 – Zaranj: ...") said so far
    placed: dict[str, Mention] = {}  # districts the article placed in a province the gazetteer does not
    previous_rows = 0
    recent_rows = 0  # where the rows of the last sentence that made any begin
    previous_end = 0
    for index, named in enumerate(runs):
        offset = bounds[2 * index]
        sentence = text[offset : bounds[2 * index + 1]]
        if _PARAGRAPH_BREAK.search(text, previous_end, offset):
            # a new paragraph: references and dates do not reach back, but a heading's date does
            earlier, context, carried = None, "", section
            previous_rows = len(rows)
        previous_end = offset + len(sentence)
        found = _mentions_in(sentence, resolved, named & naming)
        placed_now = _placed_as_before(place_by_text(sentence, found, resolved), found, placed)
        mentions = _references(sentence, placed_now, earlier, resolved)
        earlier = _next_antecedent(sentence, mentions, earlier)
        denies = _denies_previous(sentence) or bool(_DENIAL.search(sentence) and _CONTROL_WORD.search(sentence))
        denies = denies and not denies_own_claim(sentence)
        named_places = _denied_places(sentence, mentions) if denies else set()
        if denies and named_places:  # "the government denied having lost control over Kunduz"
            _contest_denied(rows, 0, 0, denier(sentence), named_places, paragraph_rows=False)
        elif denies:
            _contest_denied(rows, previous_rows, recent_rows, denier(sentence), set())
        recent_rows = previous_rows if previous_rows < len(rows) else recent_rows
        previous_rows = len(rows)
        heading = heading_date(sentence, filed)
        if heading is not None:  # "Friday 13 August" over a live blog's entries
            section = carried = heading
        today = section or filed  # under a dated heading, "yesterday" and "on Thursday" count from its date
        explicit = _dates_in(sentence, today)
        dates = sorted(explicit + _later_dates(sentence, carried or latest, explicit, today))
        history = _history(sentence, published_on)
        plain, asides = _without_brackets(sentence)
        statable = [m for m in mentions if not any(a <= m.start < b for a, b in asides)]
        stated = _statements(plain, statable, context) if statable else []
        clauses = counted_clauses(plain, _dates_in(plain, today)) if stated else []
        if statable:
            stated = _with_listed(plain, statable, stated)
        for statement in stated:
            if _is_history(statement, plain, dates, history):
                continue  # "overran Kunduz in 2015": not news of the day
            state = is_state(statement, plain)
            on, kind = _date_for(statement, dates, default_date, carried, state=state, sentence=plain, clauses=clauses)
            rows.append({**_row(statement, sentence, on, kind, source), ORDER: index})
        if group and _GROUP_NAMED.match(sentence) and len(rows) == previous_rows:
            for mention in statable:  # "Two more capitals fell on Friday. These are Tarinkot and Qalat."
                if mention.reference or (mention.kind == "province" and len(statable) > 1):
                    continue
                statement = Statement(mention, group, 0.7, "the group named before", mention.start)
                on, kind = _date_for(statement, dates, default_date, carried)
                rows.append({**_row(statement, sentence, on, kind, source), ORDER: index})
        group = group_status(plain)
        entry = _TIMELINE_ENTRY.match(sentence)
        if entry:  # "Aug. 12 – Herat: the third-largest city." under a list of capitals that fell
            heads = [m for m in mentions if m.start < entry.end() and not m.reference]
            if len(rows) == previous_rows and heads and len(timeline) == 1:
                statement = Statement(heads[0], next(iter(timeline)), 0.7, "the list it belongs to", heads[0].start)
                on, kind = _date_for(statement, dates, default_date, carried)
                rows.append({**_row(statement, sentence, on, kind, source), ORDER: index})
            timeline |= {r[STATUS] for r in rows[previous_rows:] if r[STATUS] != CONTESTED}
        if pending_denial:  # "X rejected the government's claim of recaptures. Forces retook A and B, it said"
            _contest_denied(rows, previous_rows, previous_rows, pending_denial, set())
        pending_denial = denier(sentence) if denies and not named_places and len(rows) == previous_rows else ""
        if unstated is not None and len(rows) == previous_rows and statable:
            places = list(dict.fromkeys(m.text for m in statable if not m.reference))
            if places:
                unstated.append({"source": source or "", "sentence": " ".join(sentence.split()), "places": places})
        carried = max((d[1] for d in dates if d[2] not in MONTH_KINDS), default=carried)  # a day, not a month
        latest = carried or latest
        context = sentence
    return _merge(rows)


def _sentence_runs(text: str, bounds: array[int]) -> list[frozenset[str]]:
    """Each sentence's :func:`_runs` (``bounds`` from :func:`sentence_bounds`), each distinct set held once."""
    distinct: dict[frozenset[str], frozenset[str]] = {}
    sentences = (text[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2))
    return [distinct.setdefault(runs, runs) for runs in map(_runs, sentences)]


def _candidate_names(runs: list[frozenset[str]]) -> set[str]:
    """The names looked up for an article whose sentences have these capitalised runs."""
    return {*_names(run for found in runs for run in found), CAPITAL}


def candidate_names(text: str) -> set[str]:
    """The names :func:`extract_reports` looks up for ``text`` (so a batch can look them all up at once)."""
    text = clean_text(text)
    return _candidate_names(_sentence_runs(text, sentence_bounds(text)))


_GROUP_NAMED = re.compile(r"^(?:These|They|Those)\s+(?:are|were|include|included|being)\b\s*:?")
# A dated list entry: "Aug. 12 – Herat:", "August 7 - Sheberghan:"
_TIMELINE_ENTRY = re.compile(
    r"^(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8})(?:,?\s+\d{4})?\s*[-–—]{1,2}\s*[A-Z][^:.\n]{1,40}:"
)


def _with_listed(sentence: str, mentions: list[Mention], stated: list[Statement]) -> list[Statement]:
    """``stated`` with the places a group lists (:func:`~geomap.extract.events.group_listed`) given the
    group's status, dated and weighed by the group's phrase, and without a statement about the province
    the group belongs to when every listed place lies in it ("retook three districts of Baghlan: ...")."""
    group = group_listed(sentence, mentions)
    if group is None:
        return stated
    provinces = {m.province_iso for m in group.places}
    kept = [
        s
        for s in stated
        if not (
            group.group_start <= s.mention.start < group.list_start
            and s.mention.kind in ("province", "capital")  # "two districts of Kunduz"
            and provinces == {s.mention.province_iso}
        )
    ]
    covered = {s.mention.start for s in kept}
    added = [
        Statement(m, group.status, 0.7, group.cue, group.cue_start, level=group.level if m.kind == "capital" else "")
        for m in group.places
        if m.start not in covered
    ]
    return kept + added


def _placed_as_before(mentions: list[Mention], found: list[Mention], placed: dict[str, Mention]) -> list[Mention]:
    """A district the article placed in a province once ("Dawlatabad district in Faryab") stays there when it is
    named again without one; ``placed`` remembers the placements."""
    out = []
    for mention, before in zip(mentions, found, strict=True):
        if mention.province_iso != before.province_iso:
            placed[mention.name] = mention
        elif mention.name in placed:
            again = placed[mention.name]
            mention = replace(mention, province_iso=again.province_iso, district=again.district)
        out.append(mention)
    return out


def _denied_places(sentence: str, mentions: list[Mention]) -> set[str]:
    """Provinces of the places named in the clause a denial governs ("denied having lost control over
    Kunduz"; not "denied it, claiming Shinwari was theirs")."""
    m = _DENIAL.search(sentence)
    if m is None:
        return set()
    edge = re.search(r"[,;:.]", sentence[m.end() :])
    end = m.end() + edge.start() if edge else len(sentence)
    return {c.province_iso for c in mentions if m.end() <= c.start < end}


def _contest_denied(
    rows: list[dict[str, Any]], previous: int, recent: int, by: str, places: set[str], *, paragraph_rows: bool = True
) -> None:
    """A denial ("officials rejected the claim") contests the sentence before it; when that one made no
    statement, the last sentence that did (a claim may be denied a paragraph later). A denial that names
    places contests only rows about them, anywhere before it in the article (``paragraph_rows=False``); a
    side's denial leaves its own gains alone, and fighting stays fighting."""
    start = (previous if previous < len(rows) else recent) if paragraph_rows else 0
    for i in range(start, len(rows)):
        if rows[i][STATUS] == CONTESTED and rows[i][DENIED_BY]:
            continue
        if places and rows[i][PROVINCE_ISO] not in places:
            continue
        if by == rows[i][STATUS]:
            continue  # a side denies the other side's gains, not its own
        rows[i] = {**rows[i], STATUS: CONTESTED, DENIED_BY: by, CONFIDENCE: round(rows[i][CONFIDENCE] * 0.75, 2)}


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A denial about control ("denied the fall of the districts", "denied having lost control"), not about casualties
_CONTROL_WORD = re.compile(
    r"\b(?:fall|fallen|fell|captur\w*|lost|los(?:e|es|ing)|control\w*|taken|took|seiz\w*|overr\w*|retak\w*|"
    r"recaptur\w*|held|hold\w*|occup\w*)\b",
    re.I,
)
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
