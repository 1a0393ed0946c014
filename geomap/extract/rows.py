"""Step 7: rows of the result: confidence, notes, and one row per place and date."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pandas as pd

from geomap.extract._model import CONTESTED, GOVERNMENT, TALIBAN, Mention, Statement
from geomap.extract.claims import _CLAIM, denier, speaker, third_party
from geomap.extract.dates import _DATE_CONFIDENCE, MONTH_KINDS, written_after
from geomap.extract.dates import DATE_BASIS as DATE_BASIS_OF
from geomap.precision import DATE_PRECISION
from geomap.schema import DATE, EVIDENCE, NOTE, PLACE, PROVINCE_ISO, SOURCE, STATUS

CONFIDENCE = "confidence"
LEVEL = "level"
DISTRICT = "district"
DATE_BASIS = "date_basis"
CLAIMED_BY = "claimed_by"
DENIED_BY = "denied_by"
#: Columns of :func:`extract_reports`'s result, in order.
EXTRACT_COLUMNS = (
    DATE, PLACE, STATUS, SOURCE, NOTE, PROVINCE_ISO, EVIDENCE, CONFIDENCE, LEVEL, DISTRICT, DATE_BASIS, CLAIMED_BY,
    DENIED_BY, DATE_PRECISION,
)  # fmt: skip
#: ``date_precision`` of a row dated by a month named alone ("in May"): the month (:mod:`geomap.precision`).
MONTH_PRECISION = 3

#: Level of a place by the geocoder's kind of answer.
_LEVELS = {"capital": "capital", "province": "province", "district": "district", "city": "town"}
_CROSSING = re.compile(r"\b(?:border\s+(?:crossing|port|town|post|point)s?|crossings?|dry\s+port)\b", re.I)
_FACILITY = re.compile(
    r"^['’]s\s+(?:[\w-]+\s+){0,2}?(?:airport|air\s*base|base|prison|jail|headquarters|compound|garrison|dam|"
    r"office|palace)\b",
    re.I,
)


def _level(statement: Statement, sentence: str) -> str:
    """``capital``, ``district``, ``province``, ``town``, ``crossing`` or ``facility``."""
    mention = statement.mention
    if statement.level:
        return statement.level
    near = sentence[max(0, mention.start - 40) : mention.end + 40]
    if not mention.reference and _FACILITY.match(sentence[mention.end :]):
        return "facility"
    if _CROSSING.search(near):
        return "crossing"
    if mention.kind == "district" or (mention.reference and "district" in mention.text.casefold()):
        return "district"
    return _LEVELS.get(mention.kind, "town")


_PART_LEVELS = ("town", "district")


def _province_text(iso: str) -> str:
    """``"Ghazni province"``: the province itself, never its capital of the same name (``""`` if unknown)."""
    from geomap.gazetteer import get_gazetteer

    name = get_gazetteer().province_name(iso)
    return f"{name} province" if name else ""


def _named_part(statement: Statement) -> tuple[str, str] | None:
    """``(place, district)`` of a part the text names in a province ("Sangar village in Kunar": ``"Sangar,
    Kunar"``), when the gazetteer knows a place of that name there; else ``None`` (the row stays a part of the
    province, which no district takes)."""
    mention = statement.mention
    if not statement.part or mention.kind not in ("province", "capital") or statement.level not in _PART_LEVELS:
        return None
    from geomap.gazetteer import get_gazetteer

    gazetteer = get_gazetteer()
    written = f"{statement.part}, {gazetteer.province_name(mention.province_iso)}"
    found = gazetteer.resolve(written)
    if found is None or found.entry.province_iso != mention.province_iso or found.entry.kind == "province":
        return None
    if found.confidence < 0.5:
        return None
    return written, found.entry.district


def _place_text(mention: Mention) -> str:
    """The place as the row writes it: its name, followed by its province ("Kohistan, Kapisa") when the name
    alone would be read as a place of another province or as one of several, so the row maps as the text
    placed it."""
    if mention.kind in ("province", "capital") or not mention.province_iso:
        return mention.name
    from geomap.gazetteer import get_gazetteer

    gazetteer = get_gazetteer()
    alone = gazetteer.resolve(mention.name)
    if alone is None or (alone.entry.province_iso == mention.province_iso and not alone.alternatives):
        return mention.name  # a name the gazetteer does not know (another geocoder's) is left as it is
    province = gazetteer.province_name(mention.province_iso)
    return f"{mention.name}, {province}" if province else mention.name


def _confidence(statement: Statement, sentence: str, date_kind: str, claimed_by: str, denied_by: str) -> float:
    """How likely the row is right: the phrase's strength, how sure the place is, how the date was found,
    lowered for a Taliban claim, a denial, a place named only by reference and a fuzzy place match."""
    mention = statement.mention
    confidence = statement.strength * min(1.0, float(mention.confidence)) * _DATE_CONFIDENCE[date_kind]
    if statement.status == TALIBAN and (claimed_by == TALIBAN or _CLAIM.search(sentence) or third_party(sentence)):
        confidence *= 0.8
    if denied_by:
        confidence *= 0.8
    if mention.reference:
        confidence *= 0.9
    if statement.level in {"facility", "town"} and mention.kind != "city":
        confidence *= 0.8  # a part of the place, placed by the text rather than the gazetteer
    elif mention.kind == "district":
        confidence *= 0.92  # district names are more often shared, misspelt or placed by the text
    return round(confidence, 2)


def _row(statement: Statement, sentence: str, on: date, date_kind: str, source: str | None) -> dict[str, Any]:
    mention = statement.mention
    written = f"written {mention.text!r}; " if mention.text != mention.name else ""
    claimed_by = speaker(sentence)
    denied_by = denier(sentence) if statement.status == CONTESTED else ""
    when = {
        "published": "; its date is after publication, publication date used"
        if written_after(sentence, on)
        else "; no date in the sentence, publication date used",
        "vague": "; vague date in the sentence, publication date used",
        "carried": "; date carried from an earlier sentence",
        "later": "; date counted from an earlier one",
        "month": "; only the month in the sentence, dated to the end of the time it names",
    }.get(date_kind, "")
    level = _level(statement, sentence)
    place, district = _place_text(mention), mention.name if level == "district" else mention.district
    named = _named_part(statement)
    if named is not None:  # "Sangar village in Kunar": the village, placed in the province the text names
        place, district = named
    elif (
        (statement.level in _PART_LEVELS or level == "crossing")
        and mention.kind in ("province", "capital")
        and not mention.reference
    ):
        # "several villages in Ghazni", "two districts in Kandahar", "the border town of Kandahar province": a part
        # of the province (not its capital, whose name it shares), which a timeline does not take for the whole
        place, district = _province_text(mention.province_iso) or place, ""
    return {
        DATE: on.isoformat(),
        PLACE: place,
        STATUS: statement.status,
        SOURCE: source or "",
        NOTE: f"{written}phrase: {' '.join(statement.cue.split())}{when}",
        PROVINCE_ISO: mention.province_iso,
        EVIDENCE: _evidence(sentence, statement),
        CONFIDENCE: _confidence(statement, sentence, date_kind, claimed_by, denied_by),
        LEVEL: level,
        DISTRICT: district,
        DATE_BASIS: DATE_BASIS_OF[date_kind],
        CLAIMED_BY: claimed_by,
        DENIED_BY: denied_by,
        DATE_PRECISION: MONTH_PRECISION if date_kind in MONTH_KINDS else 1,
    }


#: Characters of a sentence quoted whole as a row's evidence; of a longer one (a text with no full stops), the
#: part around the place and the phrase, :data:`EVIDENCE_CONTEXT` characters either side, is quoted.
MAX_EVIDENCE_CHARS = 1_000
EVIDENCE_CONTEXT = 300
#: Statements of one place and day quoted in its merged row's evidence at most (the rest counted).
MAX_QUOTED = 8


def _evidence(sentence: str, statement: Statement) -> str:
    """The sentence, spaces collapsed; of a sentence too long to quote, the part around the statement, cut at
    words and marked with "…"."""
    if len(sentence) > MAX_EVIDENCE_CHARS:
        cue_end = statement.cue_start + len(statement.cue)
        start = max(0, min(statement.mention.start, statement.cue_start) - EVIDENCE_CONTEXT)
        end = min(len(sentence), max(statement.mention.end, cue_end) + EVIDENCE_CONTEXT)
        while 0 < start < end and not sentence[start - 1].isspace():
            start += 1  # a whole first word
        while start < end < len(sentence) and not sentence[end].isspace():
            end -= 1  # a whole last word
        sentence = ("… " if start > 0 else "") + sentence[start:end] + (" …" if end < len(sentence) else "")
    return " ".join(sentence.split())


_WHOLE_PLACE = frozenset({"capital", "province"})
#: Position of the sentence a row comes from, kept while merging the rows of one article.
ORDER = "_order"
_EARLIER = re.compile(r"\bhad\s+(?:been|long\s+been)\b", re.I)


def _same_event_key(row: dict[str, Any]) -> tuple[str, str, str]:
    """What two statements of one article must share to be about the same event: the place and status;
    a province and its capital count as one place ("captured Kunduz", "the fall of Kunduz province")."""
    if row[LEVEL] in _WHOLE_PLACE:
        return (row[PROVINCE_ISO], "", row[STATUS])
    return (row[PROVINCE_ISO], row[PLACE], row[STATUS])


def _undated_into_dated(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop a statement the article makes without a date ("with the seizure of Ghazni") when it dates the
    same event elsewhere ("Aug. 12 - Ghazni: the Taliban seized the city"): the dated row stands, noting it."""
    dated = {_same_event_key(r) for r in rows if r[DATE_BASIS] != "publication"}
    dropped = {k for r in rows if r[DATE_BASIS] == "publication" and (k := _same_event_key(r)) in dated}
    if not dropped:
        return rows
    out = []
    for row in rows:
        key = _same_event_key(row)
        if key in dropped:
            if row[DATE_BASIS] == "publication":
                continue
            row = {**row, NOTE: row[NOTE] + "; also stated without a date"}
        out.append(row)
    return out


def _merge(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per place and date, and one more for a part of it (a facility): agreeing statements keep the
    most confident; Taliban against government on one day is ``contested``; fighting told before a decisive
    statement ("besieged for a week ... then fell") is part of it, but fighting told after it ("heavy fighting
    is still reported in the city") or a denied claim keeps its own ``contested`` row. A statement the article
    also dates elsewhere keeps only the dated row."""
    if not rows:
        dtypes = {CONFIDENCE: "float64", DATE: "datetime64[ns]"}
        return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "object")) for c in EXTRACT_COLUMNS})
    groups: dict[tuple[str, str, bool], list[dict[str, Any]]] = {}
    for row in _undated_into_dated(rows):
        groups.setdefault((row[PLACE], row[DATE], row[LEVEL] == "facility"), []).append(row)
    merged = [best for key in sorted(groups) for best in _merge_day(groups[key])]
    out = pd.DataFrame(merged, columns=list(EXTRACT_COLUMNS))
    out[DATE] = pd.to_datetime(out[DATE], format="%Y-%m-%d").astype("datetime64[ns]")  # text only in CSV
    return out.sort_values([DATE, PLACE], kind="stable").reset_index(drop=True)


def _merge_day(group: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows one place keeps for one day (see :func:`_merge`)."""
    statuses = {r[STATUS] for r in group}
    decisive = [r for r in group if r[STATUS] != CONTESTED]
    fighting = [r for r in group if r[STATUS] == CONTESTED]
    if {TALIBAN, GOVERNMENT} <= statuses or not decisive:
        return [_best(fighting or group, group, CONTESTED, statuses)]
    status = decisive[0][STATUS]
    last = max(r.get(ORDER, 0) for r in decisive)
    later = [r for r in fighting if (r.get(ORDER, 0) > last and not _EARLIER.search(r[EVIDENCE])) or r[DENIED_BY]]
    if not later:
        return [_best(decisive, group, status, statuses)]
    return [_best(decisive, decisive, status, {status}), _best(later, later, CONTESTED, {CONTESTED})]


def _best(chosen: list[dict[str, Any]], group: list[dict[str, Any]], status: str, statuses: set[str]) -> dict[str, Any]:
    best = {k: v for k, v in max(chosen, key=lambda r: float(r[CONFIDENCE])).items() if k != ORDER}
    if len(statuses) > 1:
        best[STATUS] = status
        best[NOTE] += f"; other statements: {', '.join(sorted(statuses - {status}))}"
        quoted = list(dict.fromkeys(r[EVIDENCE] for r in group))
        more = f" | … and {len(quoted) - MAX_QUOTED} more" if len(quoted) > MAX_QUOTED else ""
        best[EVIDENCE] = " | ".join(quoted[:MAX_QUOTED]) + more
    return best
