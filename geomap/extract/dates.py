"""Step 5: time expressions, resolved against the publication date."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from geomap.dates import in_range, parse_date
from geomap.extract._model import Statement

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}

_MONTH_RE = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" \
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"  # fmt: skip
_DATE_PATTERNS = (
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    ("md", re.compile(rf"\b{_MONTH_RE}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}}))?", re.I)),
    ("dm", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}(?:,?\s+(?P<y>\d{{4}}))?", re.I)),
    ("weekday", re.compile(r"\b(?P<last>last\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("relative", re.compile(r"\b(?P<rel>yesterday|today|tonight|this\s+morning|last\s+night|overnight)\b", re.I)),
    (
        "vague",
        re.compile(
            r"\b(?P<rel>(?:last|this|earlier\s+this|past)\s+week(?:end)?|in\s+recent\s+days|(?:earlier\s+)?this\s+month|"
            r"recently|days\s+ago)\b",
            re.I,
        ),
    ),
)
_DATE_CONFIDENCE = {
    "iso": 1.0, "md": 1.0, "dm": 1.0, "weekday": 0.95, "relative": 0.92, "later": 0.9, "carried": 0.85,
    "vague": 0.65, "published": 0.75,
}  # fmt: skip
#: How each kind of date is reported in the ``date_basis`` column.
DATE_BASIS = {
    "iso": "explicit", "md": "explicit", "dm": "explicit", "weekday": "weekday", "relative": "relative",
    "later": "relative", "carried": "carried", "vague": "publication", "published": "publication",
}  # fmt: skip
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
# "a day later", "two days later", "the next day": counted from the date the text gave before
_LATER = re.compile(
    r"\b(?:(?P<n>an?|one|two|three|four|five|six|seven|\d{1,2})\s+(?P<unit>days?|weeks?)\s+(?:later|after)|"
    r"the\s+(?:next|following)\s+(?P<next>day|morning|evening|night))\b",
    re.I,
)
# "overran Kunduz in 2015 and 2016": history, not news of the day
_PAST_YEAR = re.compile(
    r"\b(?:in|since|during|until|of|back\s+in)\s+(?:(?:early|late|mid)[- ]?)?(?P<y>(?:19|20)\d{2})\b", re.I
)


def _later_dates(sentence: str, anchor: date | None, dates: list[tuple[int, date, str]]) -> list[tuple[int, date, str]]:
    """Dates written relative to the one given before ("a day later"): ``(position, date, "later")``."""
    out = []
    for m in _LATER.finditer(sentence):
        before = [d for d in dates if d[0] < m.start()]
        base = before[-1][1] if before else anchor
        if base is None:
            continue
        if m["next"]:
            days = 1
        else:
            n = m["n"].casefold()
            days = int(n) if n.isdigit() else _NUMBER_WORDS[n]
            days *= 7 if m["unit"].casefold().startswith("week") else 1
        out.append((m.start(), base + timedelta(days=days), "later"))
    return out


def _history(sentence: str, published: date) -> list[int]:
    """Positions of years before the publication year ("in 2015"): statements nearest them are history."""
    return [m.start() for m in _PAST_YEAR.finditer(sentence) if int(m["y"]) < published.year]


def _dates_in(sentence: str, published: date) -> list[tuple[int, date, str]]:
    """Dates written in ``sentence``: ``(position, date, kind)``, none after ``published``."""
    out = []
    for kind, regex in _DATE_PATTERNS:
        for m in regex.finditer(sentence):
            value = _date_value(kind, m, published)
            if value is not None and in_range(value) and value <= published:  # 1500 or 3000: not a date to map
                out.append((m.start(), value, kind))
    return out


def _date_value(kind: str, m: re.Match[str], published: date) -> date | None:
    try:
        if kind == "iso":
            return date(int(m["y"]), int(m["m"]), int(m["d"]))
        if kind in {"md", "dm"}:
            month = _MONTHS[m["mon"].casefold().rstrip(".")]
            year = int(m["y"]) if m["y"] else published.year
            value = date(year, month, int(m["d"]))
            if not m["y"] and value > published:
                # "on 28 December" in a January article is last year; "the 31 August deadline" is ahead
                value = date(year - 1, month, int(m["d"])) if (value - published).days > 180 else None
            return value
    except (ValueError, KeyError):
        return None
    if kind == "weekday":
        back = (published.weekday() - _WEEKDAYS[m["wd"].casefold()]) % 7
        if m["last"] and back == 0:
            back = 7
        return published - timedelta(days=back)
    if kind == "vague":
        return published  # "last week": true by the publication date, the day itself unknown
    rel = " ".join(m["rel"].casefold().split())
    if rel in {"yesterday", "last night"}:
        return published - timedelta(days=1)
    return published


def _date_for(
    statement: Statement, dates: list[tuple[int, date, str]], published: date, carried: date | None = None
) -> tuple[date, str]:
    """The date of a statement: the one written nearest its phrase, else the date the paragraph gave
    last (``carried``), else the publication date."""
    if not dates:
        return (carried, "carried") if carried is not None else (published, "published")
    _, value, kind = min(dates, key=lambda d: abs(d[0] - statement.cue_start))
    return value, kind


def _parse_published(published: date | datetime | str) -> date:
    return parse_date(published, "published date")
