"""Pull control reports out of news text, with rules rather than a language model.

:func:`extract_reports` reads an article and returns one report per place and date
that the text makes a control statement about ("the Taliban captured Kunduz",
"Lashkar Gah remained in government hands", "fighting in Kandahar"), in the reports
schema (``date, place, status, source, note``) plus ``province_iso``, ``evidence``
(the sentence) and ``confidence``. The result can be written as CSV and read back
with :func:`geomap.reports.read_reports`.

How it works, step by step:

1. The text is split (:mod:`.sentences`) into sentences (abbreviations such as ``Aug.`` and ``U.S.`` do
   not end one).
2. Candidate place names are runs of capitalised words ("Lashkar Gah",
   "Pul-e Khumri", "Mazar-i-Sharif"); every sub-run of up to four words is sent to
   :func:`geomap.geocode.geocode` in one call per text, and the longest resolved
   spans are kept. Misspellings the geocoder accepts ("Ghanzi") are kept too;
   foreign places (Doha, Islamabad) and people or organisations do not resolve.
3. Each place is tied to the control phrase that governs it: a phrase before it
   ("captured", "the fall of", "fighting in", "government-held") with only filler
   words between ("the provincial capital of", "Afghanistan's third largest city"),
   or a phrase after it ("fell to the Taliban", "was overrun", "remained under
   government control"). Places coordinated with a governed place ("captured Ghazni
   and Herat") share its phrase; places in distance or direction phrases
   ("150 km from Kabul", "south of Kabul") and places merely mentioned
   ("residents in Kabul said") get nothing. "The city", "the valley", "the provincial
   capital" and "it" stand for the last place named before them in the paragraph
   ("Fighters entered Kunduz on Sunday. By evening it was in their hands"), and
   "their"/"its" take the side named last.
4. Negation flips a decisive statement ("did not fall" is government control),
   a denial (in the sentence, the next one, or naming the place later) makes it contested, a hedge or
   condition ("could fall", "if they take Kabul", "threatening to capture") drops it, and an attempt under
   way ("troops are trying to retake Kunduz") is fighting for the place.
5. The date is the one written nearest to the phrase ("on August 12",
   "12 August 2021", "Aug. 12"), or a weekday ("on Thursday": the latest such day on
   or before the day of the report), "yesterday"/"today", or one counted from the last date given
   ("a day earlier") or back from the report ("two weeks ago"); otherwise the day of the report (its
   dateline's date, a weekly report's last day, else the publication date) with a lower confidence.
"""

from geomap.extract.batch import BATCH_COLUMNS, Article, Skipped, extract_batch, load_articles, read_meta
from geomap.extract.extractor import extract_reports
from geomap.extract.rows import CONFIDENCE, EXTRACT_COLUMNS

__all__ = [
    "BATCH_COLUMNS",
    "CONFIDENCE",
    "EXTRACT_COLUMNS",
    "Article",
    "Skipped",
    "extract_batch",
    "extract_reports",
    "load_articles",
    "read_meta",
]
