"""The extractor's steps run in order over one article."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pandas as pd

from geomap.extract._model import CONTESTED
from geomap.extract.claims import _denies_previous
from geomap.extract.dates import _date_for, _dates_in, _parse_published
from geomap.extract.events import _statements
from geomap.extract.mentions import _candidates, _mentions, _resolve_places
from geomap.extract.references import CAPITAL, Antecedent, _next_antecedent, _references
from geomap.extract.rows import _merge, _row
from geomap.extract.sentences import _sentences, clean_text
from geomap.schema import STATUS


def extract_reports(
    text: str,
    *,
    published: date | str,
    source: str | None = None,
    geocoder: Callable[[list[str]], pd.DataFrame] | None = None,
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

    Returns
    -------
    pandas.DataFrame
        One row per place and date with columns ``date`` (``YYYY-MM-DD`` text),
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
    published_on = _parse_published(published)
    text = text or ""
    text = clean_text(text)
    sentences = _sentences(text)
    candidates = [_candidates(s) for _, s in sentences]
    names = [c[2] for found in candidates for c in found]
    resolved = _resolve_places([*names, CAPITAL], geocoder)
    rows = []
    earlier: Antecedent | None = None
    context = ""
    earlier_dates: list[tuple[int, date, str]] = []
    previous_rows = 0
    previous_end = 0
    for (offset, sentence), named in zip(sentences, candidates, strict=True):
        if re.search(r"\n\s*\n", text[previous_end:offset]):
            earlier, context, earlier_dates = None, "", []  # a new paragraph: references do not reach back
            previous_rows = len(rows)
        previous_end = offset + len(sentence)
        mentions = _references(sentence, _mentions(sentence, resolved, named), earlier, resolved)
        earlier = _next_antecedent(sentence, mentions, earlier)
        if _denies_previous(sentence):
            rows[previous_rows:] = [{**row, STATUS: CONTESTED} for row in rows[previous_rows:]]
        previous_rows = len(rows)
        dates = _dates_in(sentence, published_on)
        for statement in _statements(sentence, mentions, context) if mentions else []:
            # "By evening it was in their hands": undated, it happened on the day the paragraph last gave
            on, kind = _date_for(
                statement, dates or (earlier_dates if statement.mention.reference else []), published_on
            )
            rows.append(_row(statement, sentence, on, kind, source))
        earlier_dates = dates or earlier_dates
        context = sentence
    return _merge(rows)
