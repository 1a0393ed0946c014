"""Step 7: rows of the result: confidence, notes, and one row per place and date."""

from __future__ import annotations

from datetime import date

import pandas as pd

from geomap.extract._model import CONTESTED, GOVERNMENT, TALIBAN, Statement
from geomap.extract.claims import _CLAIM
from geomap.extract.dates import _DATE_CONFIDENCE
from geomap.schema import DATE, EVIDENCE, NOTE, PLACE, PROVINCE_ISO, SOURCE, STATUS

CONFIDENCE = "confidence"
#: Columns of :func:`extract_reports`'s result, in order.
EXTRACT_COLUMNS = (DATE, PLACE, STATUS, SOURCE, NOTE, PROVINCE_ISO, EVIDENCE, CONFIDENCE)


def _row(statement: Statement, sentence: str, on: date, date_kind: str, source: str | None) -> dict:
    mention = statement.mention
    written = f"written {mention.text!r}; " if mention.text != mention.name else ""
    confidence = statement.strength * min(1.0, float(mention.confidence)) * _DATE_CONFIDENCE[date_kind]
    if _CLAIM.search(sentence) and statement.status == TALIBAN:
        confidence *= 0.8
    when = {
        "published": "; no date in the sentence, publication date used",
        "vague": "; vague date in the sentence, publication date used",
    }.get(date_kind, "")
    return {
        DATE: on.isoformat(),
        PLACE: mention.name,
        STATUS: statement.status,
        SOURCE: source or "",
        NOTE: f"{written}phrase: {' '.join(statement.cue.split())}{when}",
        PROVINCE_ISO: mention.province_iso,
        EVIDENCE: " ".join(sentence.split()),
        CONFIDENCE: round(confidence, 2),
    }


def _merge(rows: list[dict]) -> pd.DataFrame:
    """One row per (place, date): agreeing statements keep the most confident; a
    decisive statement beats "contested"; Taliban against government is contested."""
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == CONFIDENCE else "object") for c in EXTRACT_COLUMNS})
    frame = pd.DataFrame(rows, columns=list(EXTRACT_COLUMNS))
    merged = []
    for _, group in frame.groupby([PLACE, DATE], sort=True):
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
