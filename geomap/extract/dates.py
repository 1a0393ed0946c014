"""Step 5: time expressions, resolved against the publication date."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from geomap.dates import in_range, parse_date
from geomap.extract._model import Statement
from geomap.extract._prefilter import prefiltered
from geomap.extract.sentences import dateline, reporting_period_end

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
    # "15/08/2021", "15.08.2021": read only when one order is possible (or both give the same day)
    ("numeric", re.compile(r"\b(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})\b")),
    ("md", re.compile(rf"\b{_MONTH_RE}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}}))?", re.I)),
    ("dm", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}(?:,?\s+(?P<y>\d{{4}}))?", re.I)),
    # "on the 8th", "Friday the 6th": a day of the month of the report (or of the month before)
    (
        "ordinal",
        re.compile(
            r"\b(?:(?i:on|by|since|until|from)\s+|(?P<wd2>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)"
            r"the\s+(?P<d>\d{1,2})(?:st|nd|rd|th)\b"
            r"(?!\s+(?i:of\b|century|centuries|corps|battalion|brigade|division|regiment|army|time|times|day|days|floor|"
            r"anniversary|round|place|year|years|month|months|week|weeks|ward|district|police|unit|zone|attempt|try|"
            r"capital|city|province|largest|biggest|consecutive|straight)\b)"
        ),
    ),
    ("weekday", re.compile(r"\b(?P<last>last\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    (
        "relative",
        re.compile(
            r"\b(?P<rel>yesterday|today|tonight|this\s+(?:morning|afternoon|evening)|last\s+night|overnight|"
            r"(?:earlier|later)\s+in\s+the\s+day)\b",
            re.I,
        ),
    ),
    # "in May", "in early July", "by the end of June": the month alone, read only when the sentence gives no day
    (
        "month",
        re.compile(
            r"\b(?i:in|during|by)\s+(?:(?i:the\s+)?(?P<part>(?i:early|late|mid|"
            r"(?:start|beginning|middle|end)\s+of))[- ]?\s*)?(?P<mon>January|February|March|April|May|June|July|August|"
            r"September|October|November|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)(?!\w)"
            r"(?:,?\s+(?P<y>(?:19|20)\d{2})|(?P<last>\s+(?i:last\s+year)))?(?![\s,]*\d)"
        ),
    ),
    (
        "vague",
        re.compile(
            r"\b(?P<rel>(?:last|this|earlier\s+this|past)\s+week(?:end)?|in\s+recent\s+days|(?:earlier\s+)?this\s+month|"
            r"recently|(?:several|a\s+few|few|some)\s+days\s+ago)\b",
            re.I,
        ),
    ),
)
# the same, each tried only on sentences holding what its matches need (a month name and a digit, ...)
_FILTERED_DATE_PATTERNS = tuple((kind, prefiltered(regex)) for kind, regex in _DATE_PATTERNS)
_DATE_CONFIDENCE = {
    "iso": 1.0, "numeric": 1.0, "md": 1.0, "dm": 1.0, "ordinal": 0.95, "weekday": 0.95, "relative": 0.92,
    "later": 0.9, "carried": 0.85, "month": 0.7, "vague": 0.65, "published": 0.75,
}  # fmt: skip
#: How each kind of date is reported in the ``date_basis`` column.
DATE_BASIS = {
    "iso": "explicit", "numeric": "explicit", "md": "explicit", "dm": "explicit", "ordinal": "explicit",
    "weekday": "weekday",
    "relative": "relative", "later": "relative", "carried": "carried", "month": "month", "vague": "publication",
    "published": "publication",
}  # fmt: skip
#: Kinds of date that give only the month: the row's ``date_precision`` is 3 (:mod:`geomap.precision`).
MONTH_KINDS = frozenset({"month"})
#: The day a part of a month is dated to ("early July": the 10th); the month alone, or its end, is its last day.
_PART_OF_MONTH = {"early": 10, "start of": 10, "beginning of": 10, "mid": 20, "middle of": 20}
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_COUNT = r"(?P<n>an?|one|two|three|four|five|six|seven|\d{1,2})\s+(?P<unit>days?|weeks?)"
# "a day later", "two days later", "the next day", "a day earlier", "the day before": counted from the date the
# text gave before
_LATER = prefiltered(
    re.compile(
        rf"\b(?:{_COUNT}\s+(?P<dir>later|earlier)|the\s+(?:next|following)\s+(?P<next>day|morning|evening|night)|"
        r"the\s+(?P<prev>day\s+before|previous\s+(?:day|night|evening)|preceding\s+day))\b",
        re.I,
    )
)
# "a week ago", "two days ago": counted back from the day of the report
_AGO = prefiltered(re.compile(rf"\b{_COUNT}\s+ago\b", re.I))
# "overran Kunduz in 2015 and 2016": history, not news of the day ("under siege since 2020" still holds)
_PAST_YEAR = prefiltered(
    re.compile(
        r"\b(?:(?:in|during|until|of|back\s+in)\s+(?:(?:early|late|mid)[- ]?)?"
        rf"(?:{_MONTH_RE.replace('(?P<mon>', '(?:')}\s+)?(?:(?P<y>(?:19|20)\d{{2}})|(?P<last>last\s+year))"
        r"|(?P<bare>last\s+year))\b",
        re.I,
    )
)


def _days(m: re.Match[str]) -> int:
    n = m["n"].casefold()
    days = int(n) if n.isdigit() else _NUMBER_WORDS[n]
    return days * (7 if m["unit"].casefold().startswith("week") else 1)


def _later_dates(
    sentence: str, anchor: date | None, dates: list[tuple[int, date, str]], reference: date | None = None
) -> list[tuple[int, date, str]]:
    """Dates written relative to the one given before ("a day later", "a day earlier") or to the day of the
    report ("a week ago", counted from ``reference``): ``(position, date, "later")``."""
    out = []
    for m in _LATER.finditer(sentence):
        before = [d for d in dates if d[0] < m.start() and d[2] not in MONTH_KINDS]
        base = before[-1][1] if before else anchor
        if base is None:
            continue
        if m["next"]:
            days = 1
        elif m["prev"]:
            days = -1
        else:
            days = _days(m) * (-1 if m["dir"].casefold() == "earlier" else 1)
        out.append((m.start(), base + timedelta(days=days), "later"))
    if reference is not None:
        out += [(m.start(), reference - timedelta(days=_days(m)), "later") for m in _AGO.finditer(sentence)]
    return [d for d in out if in_range(d[1])]  # past 2261 or before 1678: no date a map can show


def _history(sentence: str, published: date) -> list[int]:
    """Positions of years before the publication year ("in 2015"): statements nearest them are history."""
    return [m.start() for m in _PAST_YEAR.finditer(sentence) if m["last"] or m["bare"] or int(m["y"]) < published.year]


def _dates_in(sentence: str, published: date) -> list[tuple[int, date, str]]:
    """Dates written in ``sentence``: ``(position, date, kind)``, none after ``published``."""
    out = []
    days_of_month: list[tuple[int, int]] = []  # spans of "Friday the 6th": the weekday is not a date of its own
    written: list[int] = []  # where written dates begin: "Friday, Aug. 6" is the 6th, whatever the weekday says
    for kind, regex in _FILTERED_DATE_PATTERNS:
        for m in regex.finditer(sentence):
            if kind == "weekday" and (
                any(a <= m.start() < b for a, b in days_of_month)
                or any(_WEEKDAY_BEFORE_DATE.fullmatch(sentence, m.end(), at) for at in written if at >= m.end())
            ):
                continue
            value = _date_value(kind, m, published)
            if kind in _WRITTEN_KINDS and (value is not None or kind in {"md", "dm"}):
                # a date after publication too (the weekday names that day), not one that cannot be read
                # ("08/06/2021": August or June), where the weekday still dates the statement
                written.append(m.start())
            if value is not None and in_range(value) and value <= published:  # 1500 or 3000: not a date to map
                out.append((m.start(), value, kind))
                if kind == "ordinal":
                    days_of_month.append(m.span())
    return out


def written_after(sentence: str, published: date) -> bool:
    """Whether ``sentence`` writes out a date after ``published`` (which :func:`_dates_in` leaves out)."""
    for kind, regex in _FILTERED_DATE_PATTERNS:
        if kind in _WRITTEN_KINDS:
            for m in regex.finditer(sentence):
                value = _date_value(kind, m, published)
                if kind in {"md", "dm"} and value is None and not m["y"]:  # "on Aug. 15", still to come
                    try:
                        value = date(published.year, _MONTHS[m["mon"].casefold().rstrip(".")], int(m["d"]))
                    except (ValueError, KeyError):
                        continue
                if value is not None and value > published:
                    return True
    return False


#: Kinds of date that are written out (a day and a month); a weekday just before one names the same day.
_WRITTEN_KINDS = frozenset({"iso", "numeric", "md", "dm"})
#: What may stand between a weekday and the date it names: "Friday, Aug. 6", "Friday (6 August)".
_WEEKDAY_BEFORE_DATE = re.compile(r"[\s,(\u2013-]{0,4}")


def _date_value(kind: str, m: re.Match[str], published: date) -> date | None:
    try:
        if kind == "iso":
            return date(int(m["y"]), int(m["m"]), int(m["d"]))
        if kind == "numeric":
            return _numeric_date(int(m["a"]), int(m["b"]), int(m["y"]))
        if kind in {"md", "dm"}:
            month = _MONTHS[m["mon"].casefold().rstrip(".")]
            year = int(m["y"]) if m["y"] else published.year
            value = date(year, month, int(m["d"]))
            if not m["y"] and value > published:
                # "on 28 December" in a January article is last year; "the 31 August deadline" is ahead
                return date(year - 1, month, int(m["d"])) if (value - published).days > 180 else None
            return value
    except (ValueError, KeyError):
        return None
    if kind == "ordinal":
        return _day_of_month(int(m["d"]), published)
    if kind == "month":
        return _month_date(m, published)
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


def _month_date(m: re.Match[str], published: date) -> date | None:
    """The day a month named alone is dated to: the end of the month or of its part ("early July": 10 July),
    when the event had happened; the publication date when that is earlier. A month after publication is last
    year's when over half a year ahead ("in December" in a January text), else still to come (``None``); a
    month of an earlier year written out is history (``None``)."""
    month = _MONTHS[m["mon"].casefold().rstrip(".")]
    if m["last"]:
        return None  # "in June last year": history, not news of the day (:func:`_history`)
    year = int(m["y"]) if m["y"] else published.year
    if year < published.year:
        return None  # "in September 2015": history too
    part = " ".join((m["part"] or "").casefold().split())
    if m["y"] and date(year, month, 1) > published:
        return None  # "in May 2022" in a 2021 text: still to come
    if not m["y"] and date(year, month, 1) > published:
        if (date(year, month, 1) - published).days <= 180:
            return None
        year -= 1
    day = _PART_OF_MONTH.get(part, calendar.monthrange(year, month)[1])
    return min(date(year, month, day), published)


def _day_of_month(day: int, published: date) -> date | None:
    """Day ``day`` of the month of ``published``, or of the month before when that day is still to come."""
    year, month = published.year, published.month
    if day > published.day:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _numeric_date(first: int, second: int, year: int) -> date | None:
    """``first/second/year`` as a date when only one order of day and month is possible ("15/08/2021" is
    15 August, "08/15/2021" too), or both give the same day; ``None`` when it is ambiguous ("08/07/2021")."""
    readings = set()
    for day, month in ((first, second), (second, first)):
        try:
            readings.add(date(year, month, day))
        except ValueError:
            continue
    return readings.pop() if len(readings) == 1 else None


# A statement of how things stand ("the Taliban now control X", "X is in Taliban hands") is true on the day of
# the report; a date given for another clause of the sentence ("after Y fell on July 6") is not its date.
_STATE_CUE = re.compile(r"\b(?:controls?|holds?|hands|under|control\s+of|remains?|still)\b", re.I)
_PRESENT = re.compile(r"\b(?:is|are|remains?|controls|holds|now|currently|still)\b", re.I)
_PAST = re.compile(r"\b(?:was|were|had|held|controlled|took|taken|fell|came|since)\b", re.I)
_CLAUSE_EDGE = re.compile(r"[,;:()—–]|\b(?:after|before|when|while|since|but|and)\b", re.I)


def is_state(statement: Statement, sentence: str) -> bool:
    """True when the statement says how things stand now rather than what happened."""
    cue = statement.cue
    if not _STATE_CUE.search(cue):
        return False
    around = sentence[max(0, statement.cue_start - 25) : statement.cue_start] + " " + cue
    return bool(_PRESENT.search(around)) and not _PAST.search(around)


# "..., a day after the Taliban entered Farah": what the clause tells happened that many days before the date
# written earlier in the sentence ("a day before": after it)
_COUNTED_CLAUSE = prefiltered(re.compile(rf"\b{_COUNT}\s+(?P<rel>after|before)\s+", re.I))
_CLAUSE_END = re.compile(r"[,;:.]|\s(?:and|but|while|as)\s", re.I)


def counted_clauses(sentence: str, dates: list[tuple[int, date, str]]) -> list[tuple[int, int, date]]:
    """``(start, end, date)`` of each clause dated from the written date before it ("fell on Aug. 11, a day
    after the Taliban entered Farah": Farah on 10 August); none without a written date before it."""
    out = []
    for m in _COUNTED_CLAUSE.finditer(sentence):
        before = [d for d in dates if d[0] < m.start() and d[2] in _WRITTEN_KINDS | {"ordinal", "weekday"}]
        if not before:
            continue
        days = _days(m) * (-1 if m["rel"].casefold() == "after" else 1)
        end = _CLAUSE_END.search(sentence, m.end())
        out.append((m.end(), end.start() if end else len(sentence), before[-1][1] + timedelta(days=days)))
    return out


def _date_for(
    statement: Statement,
    dates: list[tuple[int, date, str]],
    published: date,
    carried: date | None = None,
    *,
    state: bool = False,
    sentence: str = "",
    clauses: list[tuple[int, int, date]] | None = None,
) -> tuple[date, str]:
    """The date of a statement: the one written nearest its phrase (a month named alone, "in May", only
    when the sentence gives no day), else the date the paragraph gave last (``carried``), else
    ``published`` (the day of the report). A ``state`` ("now controls") takes only a
    date written in its own clause; a statement in a clause counted from a date (:func:`counted_clauses`)
    takes that clause's date."""
    for start, end, value in clauses or ():
        if start <= statement.cue_start < end or start <= statement.mention.start < end:
            return value, "later"
    if state:
        cue = statement.cue_start
        dates = [d for d in dates if not _CLAUSE_EDGE.search(sentence, min(d[0], cue), max(d[0], cue))]
        carried = None
    dates = _with_months(dates, sentence, statement.cue_start)
    if not dates:
        return (carried, "carried") if carried is not None else (published, "published")
    _, value, kind = min(dates, key=lambda d: abs(d[0] - statement.cue_start))
    return value, kind


def _with_months(dates: list[tuple[int, date, str]], sentence: str, cue: int) -> list[tuple[int, date, str]]:
    """The dates a statement whose phrase is at ``cue`` may take: the days written, or a month named alone
    that dates its clause (:func:`_month_dates`) when no day is written, or when the month is in the
    phrase's clause and every day is in another ("In early July the Taliban seized Spin Boldak, and on
    Monday they took Aybak": Spin Boldak in July)."""
    days = [d for d in dates if d[2] not in MONTH_KINDS]
    months = [d for d in dates if d[2] in MONTH_KINDS and _month_dates(sentence, d[0], cue)]
    if not months or not days:
        return days or months
    if not sentence:
        return days
    in_clause = [
        d for d in days if not _CLAUSE_EDGE.search(sentence, min(d[0], cue), max(d[0], cue))
        and not _THAT.search(sentence, min(d[0], cue), max(d[0], cue))  # "said on Monday that ...": the saying's day
    ]  # fmt: skip
    months_in_clause = [m for m in months if not _CLAUSE_EDGE.search(sentence, min(m[0], cue), max(m[0], cue))]
    if in_clause:
        # "officials said on Monday that the Taliban captured Nirkh in May": the nearer of the clause's dates
        nearest = min(in_clause + months_in_clause, key=lambda d: abs(d[0] - cue))
        return months_in_clause if nearest[2] in MONTH_KINDS else days
    near = [
        m
        for m in months
        if not _CLAUSE_EDGE.search(sentence, min(m[0], cue), max(m[0], cue))
        or not any(min(m[0], cue) < d[0] < max(m[0], cue) for d in days)  # "In May, ...": the sentence's
    ]
    return near or days


_THAT = re.compile(r"\bthat\b", re.I)
# Words that open a clause of its own inside a sentence: "Fighting that began in May continued ..."
_RELATIVE = re.compile(r"\b(?:that|which|who|whom|whose|where)\b", re.I)


def _month_dates(sentence: str, at: int, cue: int) -> bool:
    """Whether a month named alone at ``at`` dates the statement whose phrase is at ``cue``: it opens the
    sentence ("In May, the Taliban captured ..."), or stands in the phrase's clause ("captured Nirkh in
    May", "the Taliban in May captured"), not in a clause of its own ("Fighting that began in May
    continued", "the Taliban, who launched their offensive in May, took ...")."""
    if not sentence or not sentence[:at].strip(" \t\n\"'“‘("):
        return True
    if _CLAUSE_EDGE.search(sentence, min(at, cue), max(at, cue)):
        return False
    if at > cue:
        return True
    edges = list(_CLAUSE_EDGE.finditer(sentence, 0, at))
    return not _RELATIVE.search(sentence, edges[-1].end() if edges else 0, at)


# A line that is only a date: the heading of a live blog's entries ("Friday 13 August", "Aug. 13, 2021")
_HEADING = re.compile(
    r"^\W*(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Za-z]{3,9}\.?|[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?)"
    r"(?:,?\s+\d{4})?\W*$|^\W*\d{4}-\d{2}-\d{2}\W*$"
)


def heading_date(sentence: str, published: date) -> date | None:
    """The date a line that is only a date gives ("Friday 13 August"): the entries under it, until the next
    such line, happened that day unless they say otherwise; ``None`` for any other line."""
    if len(sentence) > 40 or not _HEADING.match(sentence):
        return None
    found = [d for _, d, kind in _dates_in(sentence, published) if kind in {"iso", "md", "dm"}]
    return found[0] if found else None


def report_dates(text: str, published: date) -> tuple[date, date]:
    """The day the story was filed (its dateline's date, "HERAT, July 8:", else ``published``) and the day an
    undated statement gets (the end of the period the report covers, "(2 – 8 August 2021)", else the first)."""
    filed = published
    found = [d for d in _dates_in(dateline(text), published) if d[2] not in MONTH_KINDS]
    if found and 0 <= (published - found[0][1]).days <= 7:
        filed = found[0][1]
    period = [d for d in _dates_in(reporting_period_end(text), published) if d[2] not in MONTH_KINDS]
    if period and 0 <= (published - period[0][1]).days <= 14:
        return filed, period[0][1]
    return filed, filed


def _parse_published(published: date | datetime | str) -> date:
    return parse_date(published, "published")
