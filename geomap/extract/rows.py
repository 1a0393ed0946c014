"""Step 7: rows of the result: confidence, notes, and one row per place and date."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from geomap.extract._model import CONTESTED, GOVERNMENT, TALIBAN, Statement
from geomap.extract.claims import _CLAIM, denier, speaker
from geomap.extract.dates import _DATE_CONFIDENCE
from geomap.extract.dates import DATE_BASIS as DATE_BASIS_OF
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
    DENIED_BY,
)  # fmt: skip

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


def _confidence(statement: Statement, sentence: str, date_kind: str, claimed_by: str, denied_by: str) -> float:
    """How likely the row is right: the phrase's strength, how sure the place is, how the date was found,
    lowered for a Taliban claim, a denial, a place named only by reference and a fuzzy place match."""
    mention = statement.mention
    confidence = statement.strength * min(1.0, float(mention.confidence)) * _DATE_CONFIDENCE[date_kind]
    if statement.status == TALIBAN and (claimed_by == TALIBAN or _CLAIM.search(sentence)):
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


def _row(statement: Statement, sentence: str, on: date, date_kind: str, source: str | None) -> dict:
    mention = statement.mention
    written = f"written {mention.text!r}; " if mention.text != mention.name else ""
    claimed_by = speaker(sentence)
    denied_by = denier(sentence) if statement.status == CONTESTED else ""
    when = {
        "published": "; no date in the sentence, publication date used",
        "vague": "; vague date in the sentence, publication date used",
        "carried": "; date carried from an earlier sentence",
        "later": "; date counted from an earlier one",
    }.get(date_kind, "")
    level = _level(statement, sentence)
    return {
        DATE: on.isoformat(),
        PLACE: mention.name,
        STATUS: statement.status,
        SOURCE: source or "",
        NOTE: f"{written}phrase: {' '.join(statement.cue.split())}{when}",
        PROVINCE_ISO: mention.province_iso,
        EVIDENCE: " ".join(sentence.split()),
        CONFIDENCE: _confidence(statement, sentence, date_kind, claimed_by, denied_by),
        LEVEL: level,
        DISTRICT: mention.name if level == "district" else mention.district,
        DATE_BASIS: DATE_BASIS_OF[date_kind],
        CLAIMED_BY: claimed_by,
        DENIED_BY: denied_by,
    }


def _merge(rows: list[dict]) -> pd.DataFrame:
    """One row per (place, date): agreeing statements keep the most confident; a
    decisive statement beats "contested"; Taliban against government is contested."""
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == CONFIDENCE else "object") for c in EXTRACT_COLUMNS})
    frame = pd.DataFrame(rows, columns=list(EXTRACT_COLUMNS))
    merged = []
    for _, group in frame.groupby([PLACE, DATE], sort=True):
        whole = group[group[LEVEL] != "facility"]
        if len(whole) and len(whole) < len(group):
            group = whole  # "retook the airport, but the rest of the city is theirs": the city's own status
        statuses = set(group[STATUS])
        if {TALIBAN, GOVERNMENT} <= statuses:
            status = CONTESTED
        elif TALIBAN in statuses:
            status = TALIBAN
        elif GOVERNMENT in statuses:
            status = GOVERNMENT
        else:
            status = CONTESTED
        chosen = group[group[STATUS] == status] if status in statuses else group
        best = chosen.sort_values(CONFIDENCE, ascending=False).iloc[0].to_dict()
        if len(statuses) > 1:
            best[STATUS] = status
            best[NOTE] += f"; other statements: {', '.join(sorted(statuses - {status}))}"
            best[EVIDENCE] = " | ".join(dict.fromkeys(group[EVIDENCE]))
        merged.append(best)
    out = pd.DataFrame(merged, columns=list(EXTRACT_COLUMNS))
    return out.sort_values([DATE, PLACE], kind="stable").reset_index(drop=True)
