"""Step 9: a review page for proposed reports: each row with its sentence, the place and the phrase
marked, and the sentences that named an Afghan place without a statement.

The page is one self-contained HTML file. Its script and stylesheet are files in ``static/``; the
rows reach the page as JSON in a ``<script type="application/json">`` element (with ``<``, ``>``
and ``&`` escaped) and are put on the page with ``textContent``: text from an article is only ever
shown, never run.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from typing import Any

import pandas as pd

from geomap.schema import DATE, EVIDENCE, NOTE, PLACE, PROVINCE_ISO, SOURCE, STATUS

_PHRASE = re.compile(r"phrase: ([^;]*)")
_WRITTEN = re.compile(r"written '([^']*)'|written \"([^\"]*)\"")
_REVIEW_FIELDS = (
    "confidence", "level", "district", "date_basis", "claimed_by", "denied_by", "n_sources", "sources", "flag",
)  # fmt: skip


def _json_for_script(data: object) -> str:
    """JSON that cannot close or open a tag inside a ``<script>`` element."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _day_text(value: object) -> str:
    """A report's date as ``YYYY-MM-DD`` (the table holds datetime64; a CSV read back holds text)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) else str(value)


def _cell(value: object) -> object:
    """A value of the reports table as the page's JSON holds it: text, a number, or ``""`` when missing."""
    if isinstance(value, pd.Timestamp):
        return _day_text(value)
    if isinstance(value, str | bool | int | float):
        return "" if isinstance(value, float) and pd.isna(value) else value
    return "" if value is None or value is pd.NaT or value is pd.NA else str(value)


def _row_data(row: dict[str, Any]) -> dict[str, Any]:
    note = str(row.get(NOTE) or "")
    phrase = _PHRASE.search(note)
    written = _WRITTEN.search(note)
    out = {
        "date": _day_text(row.get(DATE)),
        "place": row.get(PLACE, ""),
        "status": row.get(STATUS, ""),
        "province_iso": row.get(PROVINCE_ISO, ""),
        "source": row.get(SOURCE, ""),
        "note": note,
        "evidence": row.get(EVIDENCE, ""),
        "written": (written.group(1) or written.group(2)) if written else row.get(PLACE, ""),
        "trigger": phrase.group(1).strip() if phrase else "",
    }
    for field in _REVIEW_FIELDS:
        if field in row and not pd.isna(row[field]):
            out[field] = row[field]
    for field, value in row.items():  # any other column, for the download
        out.setdefault(str(field), _cell(value))
    return out


def review_page(
    reports: pd.DataFrame, unstated: list[dict[str, Any]] | None = None, *, title: str = "Proposed reports"
) -> str:
    """The review page as HTML text.

    Parameters
    ----------
    reports
        Rows of :func:`geomap.extract.extract_reports` or :func:`geomap.extract.extract_batch`.
    unstated
        Sentences that named an Afghan place without a statement (``{"source", "sentence", "places"}``).
    title
        The page title (shown as text).

    Returns
    -------
    str
        A self-contained HTML page (no outside request).
    """
    static = resources.files("geomap.extract") / "static"
    css = (static / "review.css").read_text(encoding="utf-8")
    script = (static / "review.js").read_text(encoding="utf-8")
    data = {
        "title": title,
        "rows": [_row_data(r) for r in reports.to_dict("records")],
        # the downloaded rows keep every column the extractor wrote, in its order (a file to map as it is)
        "columns": [str(c) for c in reports.columns],
        "unstated": list(unstated or []),
    }
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        '<header><h1 id="title"></h1><p id="summary"></p>\n'
        '<label>Show <select id="filter"><option value="all">all rows</option>'
        '<option value="low">confidence below 0.8</option><option value="flagged">flagged</option>'
        '</select></label> <button id="export" type="button">Download accepted rows (CSV)</button></header>\n'
        '<main><table id="rows"><thead><tr><th>accept</th><th>date</th><th>place</th><th>status</th>'
        "<th>confidence</th><th>evidence</th><th>details</th></tr></thead><tbody></tbody></table>\n"
        '<h2>Sentences naming a place without a statement</h2><ul id="unstated"></ul></main>\n'
        f'<script type="application/json" id="review-data">{_json_for_script(data)}</script>\n'
        f"<script>\n{script}</script>\n</body>\n</html>\n"
    )
