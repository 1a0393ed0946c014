"""Step 1: clean the text and split it into sentences, in time linear in its length.

A sentence ends at ``.``, ``!`` or ``?`` before a space, at a blank line or at a bullet; a
single line break does not end one, so hard-wrapped text ("captured\\nKunduz") stays whole.
Abbreviations ("Aug. 12", "U.S. officials", "Gen. Miller") do not end a sentence; the test
looks only at the word before the stop, so a text of nothing but abbreviations is still split
in linear time. A run longer than :data:`MAX_SENTENCE` characters without an end is cut at a
space: later steps then never see more than that at once.

A dateline at the head of a paragraph ("KABUL, Afghanistan (AP) —", "Herat, Aug 13 (Reuters) -",
"KABUL:") says where the story was filed, not what happened there: it is blanked out (same
length, so offsets still point into the original text).
"""

from __future__ import annotations

import re
from array import array

from geomap.extract._data import words

#: Longest sentence handed to the later steps; longer runs are cut at a space.
MAX_SENTENCE = 2000

_ABBREVIATIONS = words("abbreviations")


def _not_after_abbreviation() -> str:
    """Look-behinds that keep a full stop after an abbreviation or a single letter from ending a sentence."""
    by_length: dict[int, list[str]] = {}
    for word in sorted(_ABBREVIATIONS):
        by_length.setdefault(len(word), []).append(re.escape(word))
    behind = [rf"(?<!\b(?i:{'|'.join(group)})\.)" for _, group in sorted(by_length.items())]
    return "".join(behind) + r"(?<![^A-Za-z][A-Za-z]\.)(?<!^[A-Za-z]\.)"


# Each alternative is a single scan, and abbreviations are refused by look-behinds in the regex itself, so
# the split is one linear pass with no Python work per refused full stop.
_SENTENCE_END = re.compile(
    rf"[!?]['\"’”)]*\s+|\.{_not_after_abbreviation()}['\"’”)]*\s+|\n\s*\n|\n\s*[•*\-–]\s+|\n(?=\s*[•*\-–])"
)
_DASH = r"(?:\.?[ \t]*[-–—]{1,2}|:)"
_AGENCY = r"(?:[ \t]*\([^()\n]{1,60}\))"
_DATELINE = re.compile(
    r"^[ \t]*(?:"
    # KABUL, Afghanistan (AP) —   KABUL (Dispatches) –   KABUL:   MAZAR-I-SHARIF, Aug 13 (Reuters) -
    # KABUL, Afghanistan, July 6 (AP) —
    rf"[A-Z][A-Z'’.-]{{2,25}}(?:[ -][A-Z][A-Z'’.-]{{0,25}}){{0,3}}"
    r"(?:,[ \t]*[A-Z][A-Za-z.]{1,15}(?:[ \t]+\d{1,2}(?:st|nd|rd|th)?)?(?:,?[ \t]+\d{4})?){0,2}"
    rf"(?:{_AGENCY}?{_DASH}|{_AGENCY}[ \t])"
    # Kabul, May 12 (EFE).-   Herat, Afghanistan —   Kabul, Afghanistan, July 6 (AP) —
    rf"|[A-Z][a-z]{{2,20}}(?:[ -][A-Z][a-z]{{1,20}}){{0,2}},[ \t]*"
    r"(?:Afghanistan(?:,[ \t]*[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2})?|[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2})"
    rf"(?:,?[ \t]+\d{{4}})?{_AGENCY}?{_DASH}"
    r")[ \t]*",
    re.MULTILINE,
)


def clean_text(text: str) -> str:
    """``text`` with datelines blanked out (same length, so offsets stay valid)."""
    return _DATELINE.sub(lambda m: " " * len(m.group(0)), text)


def dateline(text: str) -> str:
    """The first dateline of ``text`` ("HERAT, July 8:"), or ``""``: its date, when it has one, is the day
    the story was filed."""
    m = _DATELINE.search(text, 0, 3000)
    return m.group(0) if m else ""


# "Weekly Humanitarian Update (14 – 20 June 2021)": the title gives the period the report covers.
_PERIOD = re.compile(
    r"\(\s*\d{1,2}(?:\s+[A-Za-z]{3,9}\.?)?\s*[–—-]{1,2}\s*(?P<end>\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4})\s*\)"
)


def reporting_period_end(text: str) -> str:
    """The last day of the period a report covers when its first lines give one ("(2 – 8 August 2021)"),
    as written ("8 August 2021"), or ``""``."""
    m = _PERIOD.search(text, 0, 400)
    return m.group("end") if m else ""


def _sentences(text: str) -> list[tuple[int, str]]:
    """Split ``text`` into ``(offset, sentence)`` pairs."""
    bounds = sentence_bounds(text)
    return [(bounds[i], text[bounds[i] : bounds[i + 1]]) for i in range(0, len(bounds), 2)]


def sentence_bounds(text: str) -> array[int]:
    """Where each sentence of ``text`` starts and ends, flat: ``start0, end0, start1, end1, ...``.

    Sixteen bytes a sentence, however many there are (a text of millions of short sentences
    is not held as millions of strings): ``text[start:end]`` is the sentence."""
    out: array[int] = array("q")
    start = 0
    for m in _SENTENCE_END.finditer(text):
        _append_sentence(out, text, start, m.end())
        start = m.end()
    _append_sentence(out, text, start, len(text))
    return out


def _append_sentence(out: array[int], text: str, start: int, end: int) -> None:
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        cut = cut if cut > start else start + MAX_SENTENCE
        _append_piece(out, text, start, cut)
        start = cut
    _append_piece(out, text, start, end)


def _append_piece(out: array[int], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip(" \t\r\n•*-–")
    if stripped:
        first = start + chunk.index(stripped)
        out.extend((first, first + len(stripped)))
