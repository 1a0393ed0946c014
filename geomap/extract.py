"""Pull control reports out of news text, with rules rather than a language model.

:func:`extract_reports` reads an article and returns one report per place and date
that the text makes a control statement about ("the Taliban captured Kunduz",
"Lashkar Gah remained in government hands", "fighting in Kandahar"), in the reports
schema (``date, place, status, source, note``) plus ``province_iso``, ``evidence``
(the sentence) and ``confidence``. The result can be written as CSV and read back
with :func:`geomap.reports.read_reports`.

How it works, step by step:

1. The text is split into sentences (abbreviations such as ``Aug.`` and ``U.S.`` do
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
   a denial (in the sentence or the next one) makes it contested, and a hedge or condition ("could fall",
   "if they take Kabul", "threatening to capture") drops it.
5. The date is the one written nearest to the phrase ("on August 12",
   "12 August 2021", "Aug. 12"), or a weekday ("on Thursday": the latest such day on
   or before publication), or "yesterday"/"today"; otherwise the publication date
   with a lower confidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import pandas as pd

from geomap.reports import parse_date
from geomap.schema import DATE, EVIDENCE, NOTE, PLACE, PROVINCE_ISO, SOURCE, STATUS

CONFIDENCE = "confidence"
#: Columns of :func:`extract_reports`'s result, in order.
EXTRACT_COLUMNS = (DATE, PLACE, STATUS, SOURCE, NOTE, PROVINCE_ISO, EVIDENCE, CONFIDENCE)

TALIBAN = "taliban"
GOVERNMENT = "government"
CONTESTED = "contested"
#: Status of a phrase whose side is named by a pronoun ("in their hands", "under its control"):
#: the side named last before it decides.
_ACTOR = "actor"

#: Kinds of geocoder answer that count as a place mention (villages are left out).
PLACE_KINDS = frozenset({"province", "capital", "city", "district"})
#: Lowest geocoder confidence for a place mention to count.
MIN_PLACE_CONFIDENCE = 0.75


_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- sentences -----------------------------------------------------------------------------------------------------

_ABBREVIATIONS = _word_set(
    "aug sept sep oct nov dec jan feb mar apr jun jul mr mrs ms dr gen lt col sgt capt maj sen rep gov pres "
    "st no vs etc approx est jr sr prof rev gen adm brig cpl pvt"
)
# A sentence ends at . ! ? before a space, at a blank line or at a bullet; a single line break
# does not end one, so hard-wrapped text ("captured\nKunduz") stays whole.
_SENTENCE_END = re.compile(r"[.!?]['\"’”)]*\s+|\n\s*\n|\n\s*[•*\-–]\s+|\n(?=\s*[•*\-–])")


def _sentences(text: str) -> list[tuple[int, str]]:
    """Split ``text`` into ``(offset, sentence)`` pairs."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start() + 1].rstrip()
        last_word = re.search(r"([A-Za-z]+)\.$", before)
        if last_word and m.group(0).startswith(".") and "\n" not in m.group(0):
            word = last_word.group(1)
            # "Aug. 12", "U.S. officials", "Sen. Graham": not the end of a sentence
            if word.casefold() in _ABBREVIATIONS or len(word) == 1:
                continue
        _append_sentence(out, text, start, m.end())
        start = m.end()
    _append_sentence(out, text, start, len(text))
    return out


def _append_sentence(out: list[tuple[int, str]], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip(" \t\r\n•*-–")
    if stripped:
        out.append((start + chunk.index(stripped), stripped))


# --- place mentions ------------------------------------------------------------------------------------------------

_WORD = r"[A-Z][A-Za-z’'āīūēōĀ]*(?:-[A-Za-z]+)*"
_RUN = re.compile(rf"{_WORD}(?:(?:\s+|\s+[ei]\s+|\s*-\s*[ei]\s*-\s*){_WORD})*")


@dataclass(frozen=True)
class Mention:
    """A resolved place name in a sentence (offsets relative to the sentence)."""

    start: int
    end: int
    text: str
    name: str
    province_iso: str
    kind: str
    confidence: float
    reference: bool = False  # made by "the city", "the valley" or "it" rather than by name


def _runs(sentence: str) -> list[tuple[int, list[tuple[int, int]]]]:
    """Capitalised runs as lists of ``(start, end)`` word spans."""
    runs = []
    for m in _RUN.finditer(sentence):
        words = [(w.start() + m.start(), w.end() + m.start()) for w in re.finditer(rf"{_WORD}", m.group(0))]
        runs.append((m.start(), words))
    return runs


def _strip_possessive(text: str) -> str:
    return re.sub(r"['’]s$", "", text)


def _candidates(sentence: str) -> list[tuple[int, int, str]]:
    """Every sub-run of up to four capitalised words: ``(start, end, text)``."""
    spans = []
    for _, words in _runs(sentence):
        for i in range(len(words)):
            for j in range(i, min(i + 4, len(words))):
                start, end = words[i][0], words[j][1]
                text = _strip_possessive(sentence[start:end])
                spans.append((start, start + len(text), text))
    return spans


def _usable(row: pd.Series) -> bool:
    """Whether a geocoder answer is good enough to count as a place mention in running text.

    Journalists misspell provinces and cities ("Ghanzi"), so those may match by edit
    distance; a district must match exactly or by a known alias, because many district
    names are a letter away from personal names ("Kabir", "Zaman"); villages are
    skipped, their names collide with everyday words ("March").
    """
    iso = row.get(PROVINCE_ISO)
    if not isinstance(iso, str) or not iso:
        return False
    kind = row.get("kind")
    if kind not in PLACE_KINDS:
        return False
    if kind == "district" and row.get("method") not in {"exact", "alias", "given"}:
        return False
    return float(row.get(CONFIDENCE) or 0) >= MIN_PLACE_CONFIDENCE


def _mentions(sentence: str, resolved: dict[str, dict]) -> list[Mention]:
    """Longest non-overlapping resolved spans, left to right."""
    found = []
    for start, end, text in _candidates(sentence):
        hit = resolved.get(text)
        if hit is not None:
            found.append(Mention(start, end, text, hit["name"], hit[PROVINCE_ISO], hit["kind"], hit[CONFIDENCE]))
    found.sort(key=lambda m: (-(m.end - m.start), m.start))
    chosen: list[Mention] = []
    for mention in found:
        if all(mention.end <= c.start or mention.start >= c.end for c in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


def _resolve_places(names: Iterable[str], geocoder: Callable[[list[str]], pd.DataFrame] | None) -> dict[str, dict]:
    """Geocode candidate names once; keep the ones that resolve to an Afghan place."""
    unique = sorted({n for n in names if len(n) >= 3 and not _not_place(n)})
    if not unique:
        return {}
    if geocoder is None:
        from geomap.geocode import geocode as geocoder
    # "Kandahari" or "Herati" describe people from a place; ask about the stem too to tell
    stems = {n[:-1] for n in unique if n.endswith("i") and " " not in n}
    table = geocoder(sorted(set(unique) | stems))
    answers = {row["query"]: row.to_dict() for _, row in table.iterrows()}
    resolved = {}
    for name in unique:
        row = answers.get(name)
        if row is None or not _usable(pd.Series(row)):
            continue
        stem = answers.get(name[:-1]) if name in stems or name[:-1] in stems else None
        if row.get("method") != "exact" and stem is not None and stem.get("method") == "exact":
            continue  # a demonym, not a mention of the place
        resolved[name] = row
    return resolved


def _not_place(name: str) -> bool:
    """Months and weekdays are dates here; other non-place words are refused by the geocoder."""
    words = name.casefold().split()
    return len(words) == 1 and (words[0].rstrip(".") in _MONTHS or words[0] in _WEEKDAYS)


# --- references to a place named earlier ---------------------------------------------------------------------------

#: The national capital: "the capital" and "the Afghan capital" stand for it.
CAPITAL = "Kabul"

_REFERENCE = re.compile(
    r"\b(?:the|this|that)\s+(?P<adj>(?:(?:embattled|besieged|beleaguered|strategic|key|northern|southern|eastern|"
    r"western|central|north-eastern|north-western|south-eastern|south-western|northeastern|northwestern|"
    r"southeastern|southwestern|provincial|afghan|national|country's|remote|mountainous|small|tiny|whole|entire|"
    r"border|besieged|ancient|historic)\s+)*)(?P<noun>city|town|capital|valley|province|district)\b"
    r"(?!\s+(?:centre|center|council|police|limits|walls|hall|governor|administration|authorities|officials|"
    r"residents|mayor|chief|streets|outskirts|edge|hospital|airport|prison|headquarters)\b)"
    r"|\b(?P<it>it)\b",
    re.I,
)
# "it" stands for a place only as the subject of a control verb ("it fell", "it was in their hands")
# or as the object of one ("took it"); elsewhere it is mostly the group, the claim or the weather.
_IT_SUBJECT = re.compile(
    r"\s+(?:(?:now|finally|also|still|then|soon|quickly|eventually|too)\s+)?"
    r"(?:was|is|fell|falls|remained|remains|stayed|surrendered|has\s+(?:been|fallen)|had\s+(?:been|fallen))\b",
    re.I,
)
_IT_OBJECT = re.compile(
    r"\b(?:took|taken|take|takes|seized|captured|overran|overrun|retook|retaken|recaptured|regained|held|hold|holds|"
    r"controls?|controlled|defended|surrendered|handed|lost)\s+$",
    re.I,
)
# A place abroad or one the gazetteer does not know named after the antecedent ("fled to Quetta. The city ...")
# makes "the city" ambiguous.
_OTHER_PLACE = re.compile(
    r"\b(?:in|to|at|from|into|towards?|near|across)\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)"
)


_IT_OBJECT_END = re.compile(
    r"\s*(?:[.,;:—–)]|$|\s+(?:on|by|from|back|over|after|without|for\s+good|early|late|overnight|yesterday|today|"
    r"last|this|within|and|again|in\s+(?:the\s+)?(?:morning|afternoon|evening|night)|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)",
    re.I,
)


def _it_is_a_place(sentence: str, m: re.Match[str]) -> bool:
    """True when "it" is the subject ("it fell") or the whole object ("took it on Sunday") of a control verb."""
    if _IT_SUBJECT.match(sentence[m.end() :]):
        return True
    return bool(_IT_OBJECT.search(sentence[: m.start()]) and _IT_OBJECT_END.match(sentence[m.end() :]))


@dataclass(frozen=True)
class Antecedent:
    """The place a later "the city" or "it" may stand for, and the text written since it."""

    mention: Mention
    since: str


def _references(
    sentence: str, mentions: list[Mention], earlier: Antecedent | None, resolved: dict[str, dict]
) -> list[Mention]:
    """Mentions made by reference ("the provincial capital", "the valley", "it"), resolved to a place.

    Parameters
    ----------
    sentence
        The sentence.
    mentions
        Places named in it.
    earlier
        The last place named in the paragraph's earlier sentences, if any.
    resolved
        Geocoder answers by name, for the national capital.

    Returns
    -------
    list of Mention
        The reference mentions, with the antecedent's name and province; a reference
        whose antecedent is unknown or ambiguous is left out.
    """
    out = []
    for m in _REFERENCE.finditer(sentence):
        if any(m.start() < c.end and c.start < m.end() for c in mentions):
            continue
        if not m.group("it") and re.match(r"\s*(?:of\b|,?\s*[A-Z])", sentence[m.end() :]):
            continue  # "the city of Kunduz", "the provincial capital, Aybak": the name follows
        if m.group("it") and not _it_is_a_place(sentence, m):
            continue
        if any(re.fullmatch(r"\s*,\s*", sentence[c.end : m.start()]) for c in mentions):
            continue  # "Bamyan, the central province ...": an apposition, not a new mention
        place = _antecedent(sentence, m, mentions, earlier, resolved)
        if place is not None:
            out.append(replace(place, start=m.start(), end=m.end(), text=m.group(0), reference=True))
    return sorted(mentions + out, key=lambda c: c.start)


def _antecedent(
    sentence: str, m: re.Match[str], mentions: list[Mention], earlier: Antecedent | None, resolved: dict[str, dict]
) -> Mention | None:
    """The place a reference stands for: the last one named before it, or the national capital."""
    noun = (m.group("noun") or "").casefold()
    adjectives = (m.group("adj") or "").casefold().split()
    if noun == "capital" and {"afghan", "national", "country's"} & set(adjectives):
        return _capital_mention(resolved)
    topic = _topic(sentence, [c for c in mentions if c.end <= m.start()])
    if topic is not None:
        place, since = topic, sentence[topic.end : m.start()]
    elif earlier is not None:
        place, since = earlier.mention, earlier.since + " " + sentence[: m.start()]
    else:
        place, since = None, ""
    if noun == "capital" and "provincial" not in adjectives and (place is None or place.kind != "province"):
        return _capital_mention(resolved)  # "the capital" alone is Kabul unless a province was just named
    if place is None or _other_place(since, resolved):
        return None
    return place


def _topic(sentence: str, mentions: list[Mention]) -> Mention | None:
    """The place a later reference most likely stands for: the last one named, skipping places that
    only locate ("150 km from Kabul") or describe ("the capital of Badghis") another."""
    named = [c for c in mentions if not _locative(sentence, c)]
    main = [c for c in named if not re.search(r"\bof\s+(?:the\s+)?$", sentence[: c.start])]
    return (main or named or [None])[-1]


def _capital_mention(resolved: dict[str, dict]) -> Mention | None:
    hit = resolved.get(CAPITAL)
    if hit is None:
        return None
    return Mention(0, 0, CAPITAL, hit["name"], hit[PROVINCE_ISO], hit["kind"], hit[CONFIDENCE])


def _other_place(text: str, resolved: dict[str, dict]) -> bool:
    """True when ``text`` names a place that is not a resolved Afghan one ("in Quetta", "to Iran")."""
    for m in _OTHER_PLACE.finditer(text):
        name = _strip_possessive(m.group("name"))
        if name in resolved or _not_place(name) or name.split()[0].casefold() in _NOT_OTHER_PLACE:
            continue
        return True
    return False


_NOT_OTHER_PLACE = _word_set("the a an their its his her this that taliban government afghan u.s. us")


# --- control phrases -----------------------------------------------------------------------------------------------

_OBJ = r"(?:the\s+)?(?:Taliban|insurgents?|militants?|fighters|rebels)"
# Government and resistance forces; "fighters" alone, "Taliban forces" and "insurgent forces" are the other side.
_GOV = (
    r"(?<!taliban\s)(?<!insurgent\s)"
    r"(?:the\s+)?(?:(?:Afghan|government|national|security|army|state|local|resistance|pro-government|special)\s+)*"
    r"(?:government|army|forces|troops|soldiers|commandos|defenders|militias?|resistance|police|"
    r"(?<=resistance\s)fighters|(?<=government\s)fighters)"
)


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    status: str
    before: bool  # True: the phrase comes before the place ("captured X"); False: after ("X fell")
    strength: float = 0.9
    passive: bool = False  # an "after" participle that needs a passive auxiliary or "by"
    sided: bool = False  # a government phrase that is the Taliban's when they are named before it ("resisting")


def _p(
    pattern: str, status: str, *, before: bool, strength: float = 0.9, passive: bool = False, sided: bool = False
) -> _Pattern:
    return _Pattern(re.compile(pattern, re.IGNORECASE), status, before, strength, passive, sided)


_PATTERNS = (
    # phrase, then the place
    _p(
        r"\b(?:captur(?:e|ed|es|ing)|seiz(?:e|ed|es|ing)|overr(?:an|un|uns|unning)|overt(?:ook|ake|akes|aking|aken)|"
        r"t(?:ook|ake|akes|aking|aken)\s+(?:full\s+|complete\s+)?(?:control\s+(?:of|over)|over|hold\s+of)|"
        r"took|taken|takes?|taking|sw(?:ept|eeping)\s+into|rolled\s+into|marched\s+into|walked\s+into|strolled\s+into|conquer(?:ed|s|ing)?)\b",
        TALIBAN,
        before=True,
    ),
    _p(r"\b(?:fall|capture|seizure|takeover|handover|loss|surrender|collapse)\s+of\b", TALIBAN, before=True),
    _p(
        r"\b(?:hand(?:ed|s|ing)?\s+over|turn(?:ed|s|ing)?\s+over|surrender(?:ed|s|ing)?|gave\s+up|giv(?:e|es|ing)\s+up)\b"
        rf"(?=\s+(?:[\w'’-]+\s+){{1,6}}?(?:over\s+)?to\s+{_OBJ}\b)",
        TALIBAN,
        before=True,
    ),
    _p(
        r"\b(?:leav(?:e|es|ing)|left|ced(?:e|ed|es|ing)|abandon(?:s|ed|ing)?|yield(?:s|ed|ing)?)\b"
        rf"(?=\s+(?:[\w'’-]+\s+){{1,6}}?(?:entirely\s+|completely\s+|wholly\s+)?to\s+{_OBJ}\b)",
        TALIBAN,
        before=True,
    ),
    _p(r"\bTaliban[- ](?:held|controlled|captured|occupied|run)\b", TALIBAN, before=True),
    _p(
        rf"\b{_OBJ}\s+(?:(?:now|also|already|firmly|are|is|were|was)\s+)*(?:control|controls|hold|holds|occupy|occupies|"
        r"in\s+(?:full\s+)?control\s+of)\b",
        TALIBAN,
        before=True,
    ),
    _p(
        r"\b(?:recaptur(?:e|ed|es|ing)|ret(?:ook|ake|akes|aking|aken)|regain(?:ed|s|ing)?(?:\s+control\s+(?:of|over))?|"
        r"reclaim(?:ed|s|ing)?|re-?took|re-?taken)\b",
        GOVERNMENT,
        before=True,
    ),
    _p(r"\b(?:recapture|retaking|reconquest)\s+of\b", GOVERNMENT, before=True),
    _p(r"\b(?:government|army)[- ](?:held|controlled)\b", GOVERNMENT, before=True),
    _p(
        rf"\b{_GOV}\s+(?:still\s+|now\s+|firmly\s+|continue\s+to\s+|continued\s+to\s+)?"
        r"(?:hold|holds|held|control|controls|controlled|defend|defends|defended|secured?|kept|"
        r"(?:(?:are|is|were|was|remain|remains|remained)\s+)?(?:still\s+|firmly\s+)?in\s+(?:full\s+|firm\s+)?control\s+of)"
        r"(?:\s+(?:on\s+to|onto|control\s+of))?\b",
        GOVERNMENT,
        before=True,
    ),
    _p(
        rf"\b(?:drove|driven|pushed|forced|chased|expelled|ousted|cleared|evicted)\s+(?:{_OBJ}\s+)?(?:back\s+)?"
        r"(?:out\s+of|from)\b",
        GOVERNMENT,
        before=True,
    ),
    _p(
        rf"\b(?:push(?:ed|es|ing)?|beat(?:en|s|ing)?|drove|driven|forced|fought)\s+back\s+{_OBJ}\s+"
        r"(?:in|from|around|near|at|outside|on\s+the\s+outskirts\s+of)\b",
        GOVERNMENT,
        before=True,
    ),
    _p(
        r"\b(?:they|it)\s+(?:(?:still|now|firmly|had|have|has|already|continue\s+to|continued\s+to)\s+)*"
        r"(?:held|hold|holds|control|controls|controlled|secured|kept)(?:\s+control\s+of)?\b",
        _ACTOR,
        before=True,
    ),
    _p(r"\b(?:held|holding|hold|holds)\s+out\s+(?:in|at|inside)\b", GOVERNMENT, before=True, sided=True),
    _p(
        r"\b(?:repell?(?:ed|s|ing)?|repuls(?:e|ed|es|ing)|beat(?:en)?\s+back|fought\s+off|fend(?:ed|ing)?\s+off|"
        r"foil(?:ed|s)?|thwart(?:ed|s)?|push(?:ed)?\s+back|broke)\s+(?:an?\s+|the\s+)?(?:\w+\s+){0,3}?"
        r"(?:attacks?|assaults?|offensives?|push|advances?|attempts?|siege)\s+"
        r"(?:(?:to\s+(?:take|capture|seize|enter|overrun))|on|against|in|near|around|into|of)\b",
        GOVERNMENT,
        before=True,
    ),
    _p(
        r"\b(?:fighting|clash(?:es|ed|ing)?|battl(?:e|es|ed|ing)|combat|skirmish(?:es)?|gunfights?|firefights?)"
        r"(?:\s+(?!in\b|for\b|around\b|near\b|inside\b|over\b|outside\b|at\b|on\b|into\b)[\w'’-]+){0,10}?"
        r"\s+(?:in|for(?:\s+control\s+of)?|around|near|inside|over|outside|at|on\s+the\s+outskirts\s+of|"
        r"in\s+and\s+around|across|into|(?:the\s+)?(?:outskirts|edges?|gates|streets|heart|centre|center)\s+of)\b",
        CONTESTED,
        before=True,
        strength=0.8,
    ),
    _p(
        r"\b(?:besieg(?:e|ed|es|ing)|surround(?:ed|s|ing)?|encircl(?:e|ed|es|ing)|attack(?:ed|s|ing)?|"
        r"assault(?:ed|s|ing)?|storm(?:ed|s|ing)|shell(?:ed|s|ing)|enter(?:ed|s|ing)|push(?:ed|es|ing)?\s+(?:(?:deeper|further|farther)\s+)?into|"
        r"infiltrat(?:ed|es|ing)|stormed\s+into|breached)\b",
        CONTESTED,
        before=True,
        strength=0.8,
    ),
    _p(
        r"\b(?:siege|encirclement|assault|attacks?|offensive|battle|fight|struggle|push|contest)\s+"
        r"(?:on|of|against|for(?:\s+control\s+of)?|into|to)\b",
        CONTESTED,
        before=True,
        strength=0.8,
    ),
    _p(r"\b(?:contested|besieged|embattled|beleaguered)\b", CONTESTED, before=True, strength=0.8),
    # the place, then the phrase
    _p(
        r"\b(?:fell|falls|fallen|fall|falling|collapsed|surrendered)(?:\s+to\s+(?:the\s+)?Taliban)?\b",
        TALIBAN,
        before=False,
    ),
    _p(
        r"\b(?:handed|surrendered|gave\s+up|turned)\s+(?:over\s+)?(?:(?:the|their|its)\s+)?"
        rf"(?:city|province|town|capital|it|control)?\s*(?:over\s+)?to\s+{_OBJ}",
        TALIBAN,
        before=False,
    ),
    _p(
        r"\b(?:captured|seized|overrun|taken(?:\s+over)?|lost|conquered|handed(?:\s+over)?(?=\s+to\b)|handed\s+over)\b",
        TALIBAN,
        before=False,
        passive=True,
    ),
    _p(
        r"\b(?:in\s+(?:the\s+)?Taliban(?:['’]s)?\s+hands|under\s+(?:full\s+|complete\s+)?Taliban\s+(?:control|rule)|"
        rf"in\s+the\s+hands\s+of\s+{_OBJ}|(?:controlled|held|occupied|run)\s+by\s+{_OBJ}|"
        rf"under\s+(?:the\s+)?control\s+of\s+{_OBJ})",
        TALIBAN,
        before=False,
    ),
    _p(
        r"\b(?:was|is|became|becomes|becoming)\s+the\s+(?:[\w-]+\s+){0,3}?(?:capitals?|city|cities|town)"
        r"(?:\s+[\w-]+){0,4}?\s+(?:to\s+(?:fall|be\s+captured|be\s+taken|be\s+overrun)|"
        rf"(?:taken|captured|seized|overrun)\s+by\s+{_OBJ}|lost\s+to)\b",
        TALIBAN,
        before=False,
    ),
    _p(r"\b(?:recaptured|retaken|regained|re-?taken)\b", GOVERNMENT, before=False, passive=True),
    _p(
        r"\b(?:in\s+(?:the\s+)?government(?:['’]s)?\s+hands|under\s+(?:the\s+)?(?:full\s+|firm\s+)?government\s+control|"
        rf"in\s+the\s+hands\s+of\s+{_GOV}|"
        rf"(?:controlled|held|defended|secured|guarded)\s+by\s+{_GOV}|"
        rf"under\s+(?:the\s+)?control\s+of\s+{_GOV}|held\s+out|holding\s+out|holds\s+out|"
        r"(?:still\s+|firmly\s+)?government[- ](?:held|controlled))",
        GOVERNMENT,
        before=False,
    ),
    _p(
        r"\b(?:resist(?:s|ed|ing)?|(?:held|holding|holds|hold|stood|standing)\s+(?:firm|the\s+line)|secure|"
        r"(?:fully\s+|firmly\s+)?under\s+control)\b",
        GOVERNMENT,
        before=False,
        strength=0.8,
        sided=True,
    ),
    _p(
        r"\b(?:repell?(?:ed|s|ing)?|repuls(?:e|ed|es|ing)|beat\s+back|fought\s+off|fend(?:ed|ing)?\s+off|foil(?:ed|s)?|"
        r"thwart(?:ed|s)?)\s+(?:an?\s+|the\s+|several\s+|repeated\s+|multiple\s+)?(?:[\w-]+\s+){0,3}?"
        r"(?:attacks?|assaults?|offensives?|push|advances?|attempts?)\b",
        GOVERNMENT,
        before=False,
        sided=True,
    ),
    _p(
        rf",\s+{_GOV}\s+(?:have\s+|had\s+)?(?:pushed|beat|drove|forced|fought)\s+(?:back\s+)?{_OBJ}(?:\s+back)?\b",
        GOVERNMENT,
        before=False,
    ),
    _p(
        r"\b(?:slipp(?:ed|ing)|slips|fell|falls|passed|went)\s+out\s+of\s+(?:the\s+)?(?:Afghan\s+)?"
        r"(?:government(?:['’]s)?|state)\s+(?:control|hands)\b",
        TALIBAN,
        before=False,
    ),
    _p(rf"\b(?:abandoned|evacuated|vacated|deserted)\s+by\s+{_GOV}", TALIBAN, before=False, strength=0.7),
    _p(rf"\b(?:gone|went|goes|going|passed|switched|defected)\s+(?:over\s+)?to\s+{_OBJ}", TALIBAN, before=False),
    _p(
        r"\b(?:gave|give|gives|giving)\s+up(?=\s*(?:[.,;:]|$)|\s+without\b|\s+(?:on|by|late|early|overnight)\b)",
        TALIBAN,
        before=False,
    ),
    _p(r"\btheirs\b", _ACTOR, before=False, strength=0.8),
    _p(
        r"\b(?:still\s+(?:hold|holds|held|holding|stands|stood|standing)|(?:held|holding|holds|hold)\s+on)"
        r"(?=\s*(?:[.,;:]|$)|\s+(?:against|despite|for|on|after)\b)",
        GOVERNMENT,
        before=False,
        strength=0.8,
        sided=True,
    ),
    _p(
        r"\b(?:in\s+(?:their|its)\s+(?:own\s+)?hands|under\s+(?:their|its)\s+(?:own\s+)?(?:full\s+|firm\s+|complete\s+)?control|"
        r"in\s+(?:full\s+|firm\s+|complete\s+)?control\s+of\s+(?:their|its)\s+forces)\b",
        _ACTOR,
        before=False,
        strength=0.8,
    ),
    _p(
        r"\b(?:under\s+(?:(?:heavy|sustained|renewed|constant|intense)\s+)?(?:siege|attack|pressure|fire|threat)|besieged|surrounded|"
        r"encircled|contested|being\s+attacked|attacked|cut\s+off|chang(?:ed|es|ing)\s+hands)\b",
        CONTESTED,
        before=False,
        strength=0.8,
    ),
)

# Words that may sit between a phrase and its place without breaking the link.
_FILLER_BEFORE = _word_set(
    """the a an its their of city town provincial province capital capitals centre center key strategic strategically
    important major main commercial ancient northern southern eastern western central north south east west
    northeastern northwestern southeastern southwestern north-eastern north-western south-eastern south-western
    north-east north-west south-east south-west far second third fourth fifth largest biggest big
    afghanistan's country's nation's province's city's region's much most all parts part rest whole entire nearby
    also now just already then finally eventually largely quickly swiftly control over remote mountainous
    neighbouring neighboring historic including among them such as one two three four five six seven eight nine
    ten eleven twelve both more other another outskirts suburbs edge edges gates approaches
    1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34"""
)
_FILLER_AFTER = _word_set(
    """city town province provincial capital centre center itself also now has have had was were is are be been being
    did does do not n't never yet already finally eventually reportedly largely effectively quickly swiftly completely
    entirely fully almost nearly mostly then just still firmly remained remains remain stayed stays stay
    as of last on this week again came come comes coming itself apparently officially both all each too 's
    defenders garrison no longer
    governor governors officials elders leaders chief
    """
)
_COORDINATION = re.compile(
    r"^(?:\s*,)?\s*(?:,|and|or|as\s+well\s+as|along\s+with|plus|together\s+with|&)\s*$|^\s*,\s*$"
)
_APPOSITION = re.compile(r",[^,;]*?,")
# A clause left open before the phrase ("Kunduz, which the group seized") is an aside unless it starts
# something else ("Lashkar Gah, where the insurgents seized the police headquarters").
_OPEN_ASIDE = re.compile(
    r",(?![^,;]*\b(?:where|when|though|although|but|while|whereas|because|if|unless|despite|however)\b)[^,;]*?,", re.I
)


def _without_asides(gap: str) -> str:
    """``gap`` between a place and a phrase after it, without asides ("X, the capital of Y, fell")."""
    gap = _APPOSITION.sub(" ", gap)
    if gap.lstrip().startswith(","):
        gap = _OPEN_ASIDE.sub(" ", gap + ",")
    return gap


_DATE_FILLER = re.compile(
    r"\b(?:on|by|since|early|late|last)?\s*(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?\b|\b(?:on|by)?\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)"
    r"[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b|\b(?:on|by)?\s*\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|"
    r"sept?|oct|nov|dec)[a-z]*\.?(?:\s+\d{4})?\b|\b(?:yesterday|today|tonight|overnight)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"\b(?:not|never|no\s+longer|yet\s+to|failed\s+to|unable\s+to|fail\s+to)\b|n['’]t\b", re.I)
_HEDGE = re.compile(
    r"\b(?:could|would|might|may|will|can|shall|should|must|if|unless|whether|once|expected|likely|poised|about|"
    r"threaten(?:s|ed|ing)?|risk|verge|brink|close\s+to|set\s+to|aim(?:s|ed|ing)?|plan(?:s|ned|ning)?|"
    r"want(?:s|ed)?|seek(?:s|ing)?|sought|try(?:ing)?|tried|attempt(?:s|ed|ing)?|bid|vow(?:s|ed)?|hop(?:e|es|ed|ing)|"
    r"intend(?:s|ed)?|prepar(?:e|es|ed|ing)|ready|fear(?:s|ed)?|warn(?:s|ed)?|predict(?:s|ed)?)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[;:—–]|\bbut\b|\bwhile\b|\bwhereas\b|\balthough\b|\bthough\b|\bafter\b|\bbefore\b", re.I)
_DENIAL = re.compile(
    r"\b(?:den(?:y|ied|ies|ying|ial)|reject(?:ed|s)?|refut(?:e|ed|es)|dismiss(?:ed|es)?|disput(?:e|ed|es))\b", re.I
)
_CLAIM = re.compile(r"\b(?:claim(?:s|ed|ing)?|reportedly|unconfirmed|allegedly|said\s+it\s+had)\b", re.I)
_UNOPPOSED = re.compile(r"\bwithout\s+(?:a\s+|any\s+)?(?:fight|fighting|resistance|a\s+shot|opposition)\b", re.I)
_PASSIVE_AUX = re.compile(r"\b(?:was|were|is|are|been|being|be|has|have|had|get|got)\b", re.I)
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:st|nd|rd|th)?|[^\sA-Za-z\d]")


@dataclass(frozen=True)
class Statement:
    """A control statement about one place in one sentence."""

    mention: Mention
    status: str
    strength: float
    cue: str
    cue_start: int


def _gap_is_filler(gap: str, fillers: frozenset[str]) -> bool:
    gap = _DATE_FILLER.sub(" ", gap.replace("’", "'"))
    for word in _WORDS.findall(gap):
        if word in {",", "-", "'", "’"}:
            continue
        if word.casefold() not in fillers:
            return False
    return gap.count(",") <= 1


def _chain_gap(gap: str) -> bool:
    """True when ``gap`` only joins two places in a list ("and", ", ", an apposition)."""
    gap = _APPOSITION.sub(",", gap.replace("’", "'"))
    gap = _DATE_FILLER.sub(" ", gap)
    gap = re.sub(r"\b(?:the|city|town|province|provincial|capital|of|in|at|also|then|later|neighbouring|"
                 r"(?:north|south|east|west|central)(?:-?(?:east|west))?(?:ern)?)\b", " ", gap,
                 flags=re.I)  # fmt: skip
    return bool(_COORDINATION.match(gap))


def _status_after(pattern: _Pattern, window: str, sentence: str, cue_start: int) -> str | None:
    """Apply hedges, negation and denials to a phrase's status; ``None`` drops it."""
    if _HEDGE.search(window):
        return None
    status = pattern.status
    if _NEGATION.search(window):
        status = {TALIBAN: GOVERNMENT, GOVERNMENT: TALIBAN}.get(status)
        if status is None:
            return None
    if status != CONTESTED and _DENIAL.search(sentence):
        return CONTESTED
    return status


def _preceding_window(sentence: str, cue_start: int) -> str:
    """Words of the same clause right before a phrase (up to five)."""
    head = sentence[:cue_start]
    breaks = list(_CLAUSE_BREAK.finditer(head))
    if breaks:
        head = head[breaks[-1].end() :]
    words = head.split()
    window = " ".join(words[-5:])
    # "managed to capture" happened; "to capture" alone is an intention
    if re.search(r"\b(?:managed|went\s+on|moved\s+on|succeeded)\s+to\s*$", window, re.I):
        return ""
    if re.search(r"\b(?:failed|fail|fails|unable|refused)\s+to\s*$", window, re.I):
        return window  # a failed attempt: the negation decides
    if re.search(r"\bto\s*$", window, re.I):
        return window + " will"
    # "fell to" is not an infinitive; any earlier condition in the clause still counts
    if re.search(r"\b(?:if|unless|whether|once)\b", head, re.I):
        return window + " if"
    return window


def _statements(sentence: str, mentions: list[Mention], context: str = "") -> list[Statement]:
    """Control statements about the mentions of one sentence.

    Parameters
    ----------
    sentence
        The sentence.
    mentions
        Its place mentions, including resolved references ("the city").
    context
        The sentences before it in the same paragraph: they name the side a pronoun
        stands for ("Fighters entered Kunduz. By evening it was in their hands").
    """
    out: list[Statement] = []
    cues = []
    for pattern in _PATTERNS:
        for m in pattern.regex.finditer(sentence):
            if pattern.status == _ACTOR:
                side = _last_side(context + " " + sentence[: m.start()])
                if side is None:
                    continue
                pattern = replace(pattern, status=side)
            elif pattern.sided and _last_side(_clause_before(sentence, m.start())) == TALIBAN:
                pattern = replace(pattern, status=TALIBAN)  # "Taliban fighters in Kunduz resisted ..."
            cues.append((m, pattern))
    decisive = [m.span() for m, p in cues if p.status != CONTESTED]
    # "repelled an assault on X": the assault is part of the decisive phrase, not fighting of its own
    cues = [(m, p) for m, p in cues if p.status != CONTESTED or not any(a <= m.start() < b for a, b in decisive)]
    for m, pattern in cues:
        if pattern.before:
            out += _objects_of(sentence, mentions, m, pattern)
        else:
            out += _subjects_of(sentence, mentions, m, pattern)
    return _latest_in_sequence(sentence, out)


_SEQUENCE = re.compile(r"\b(?:before|until|till|then|eventually|finally|later|again)\b", re.I)


def _latest_in_sequence(sentence: str, statements: list[Statement]) -> list[Statement]:
    """Drop a decisive statement that a later one in the sentence overturns ("held out for a month
    before the city was overrun"): the sentence tells what happened last."""
    decisive = {TALIBAN, GOVERNMENT}
    out = []
    for s in statements:
        overturned = any(
            t.mention.province_iso == s.mention.province_iso
            and {s.status, t.status} == decisive
            and t.cue_start > s.cue_start
            and _SEQUENCE.search(sentence[s.cue_start : t.cue_start + len(t.cue) + 8])  # "was lost again"
            for t in statements
        )
        if not overturned:
            out.append(s)
    return out


_SIDES = re.compile(
    rf"(?P<tal>\b{_OBJ}\b)|(?P<gov>\b{_GOV}\b|\b(?:government|authorities|ministry|governor)\b)"
    r"(?!\s+(?:headquarters|stations?|compounds?|bases?|posts?|checkpoints?|buildings?|offices?|positions?|convoys?))",
    re.I,
)


def _clause_before(sentence: str, end: int) -> str:
    """The part of ``sentence``'s clause that comes before ``end``."""
    head = sentence[:end]
    breaks = list(_CLAUSE_BREAK.finditer(head))
    return head[breaks[-1].end() :] if breaks else head


def _last_side(text: str) -> str | None:
    """The side named last in ``text``: ``taliban``, ``government`` or ``None``."""
    last = None
    for m in _SIDES.finditer(text):
        last = GOVERNMENT if m.group("gov") else TALIBAN
    return last


def _objects_of(sentence: str, mentions: list[Mention], m: re.Match[str], pattern: _Pattern) -> list[Statement]:
    status = _status_after(pattern, _preceding_window(sentence, m.start()), sentence, m.start())
    if status == CONTESTED and m.group(0).lower().startswith("enter") and _UNOPPOSED.search(sentence):
        status = TALIBAN  # "entered X without a fight": taken, not fought over
    if status is None:
        return []
    found: list[Statement] = []
    anchor = m.end()
    for mention in mentions:
        if mention.start < m.end():
            continue
        if _possessed(sentence, mention) and not (status == CONTESTED and _FACILITY_OF.match(sentence[mention.end :])):
            break  # "retook Kunduz's prison": the object is the prison, not the city
        gap = sentence[anchor : mention.start]
        fillers = _FILLER_BEFORE | _FACILITIES if status == CONTESTED else _FILLER_BEFORE
        linked = _gap_is_filler(gap, fillers) if not found else _chain_gap(gap)
        if linked and not found and status != CONTESTED and _EDGE.search(gap):
            status = CONTESTED  # "captured the outskirts of X": fighting at X, not X taken
        if not linked and found and "'s" in gap.replace("’", "'") and _gap_is_filler(gap, _FILLER_BEFORE | {"s"}):
            linked = True  # "Ghazni province's capital city Ghazni"
        if not linked or (found and _locative(sentence, mention)):
            if found:
                continue  # a place in an apposition; a later coordinated place may still follow
            break
        found.append(Statement(mention, status, pattern.strength, m.group(0), m.start()))
        anchor = mention.end
    return found


def _subjects_of(sentence: str, mentions: list[Mention], m: re.Match[str], pattern: _Pattern) -> list[Statement]:
    found: list[Statement] = []
    anchor = m.start()
    for mention in reversed(mentions):
        if mention.end > m.start():
            continue
        gap = sentence[mention.end : anchor]
        if not found:
            if _locative(sentence, mention):
                continue  # "Tarinkot, 110 km north of Kandahar, fell": Kandahar only locates Tarinkot
            if gap.lstrip().startswith(",") and re.search(r"\bof\s+(?:the\s+)?$", sentence[: mention.start]):
                continue  # "Qala-i-Naw, the capital of Badghis, changed hands": Badghis describes
            raw_gap = gap
            gap = _without_asides(gap)
            gap = re.sub(r"^['’]s\b", " ", gap)
            if not _gap_is_filler(_strip_modal_words(gap), _FILLER_AFTER) and not _shared_subject(gap):
                break
            passive = _PASSIVE_AUX.search(raw_gap) or _followed_by_agent(sentence, m.end())
            if pattern.passive and not passive and not raw_gap.strip().startswith(","):
                break
            # hedges and negations inside an aside ("once home to", "which had not been attacked") do not count
            if _HEDGE.search(gap) or re.search(r"\bto\s*$", raw_gap) or _conditional_before(sentence, mention):
                return []
            status = _status_after(pattern, gap, sentence, m.start())
            if status is None:
                return []
            if _followed_by_object(sentence, mentions, m.end()):
                break  # "X captured Y": X is the subject of an active verb, not a place that fell
        elif not (_chain_gap(gap) or not re.sub(r"[\s,]|\bin\b", "", gap)):
            break  # "Mahmud-i-Raqi in Kapisa surrendered" still links both
        found.append(Statement(mention, status, pattern.strength, m.group(0), m.start()))
        anchor = mention.start
    return found


_LOCATIVE = re.compile(
    r"(?:\b(?:km|kilometres|kilometers|miles|mi)\b[^,.;]{0,30}?(?:of|from)\s+"
    r"|\b(?:north|south|east|west)(?:-?(?:east|west))?\s+of\s+"
    r"|\b(?:outside|near|from|to|towards?|via|through|beyond)\s+)"
    r"(?:the\s+)?(?:(?:national|provincial)\s+)?(?:capital\s+|city\s+of\s+)?$",
    re.IGNORECASE,
)


# Fighting at a place's airport or prison is fighting in the place; taking the prison is not taking the place.
_FACILITIES = _word_set(
    "airport airbase base prison jail police headquarters compound bazaar market garrison checkpoint checkpoints "
    "army military governor's office palace university stadium in near at"
)
_FACILITY_OF = re.compile(
    r"^['’]s\s+(?:[\w-]+\s+){0,2}?(?:airport|airbase|base|prison|jail|headquarters|compound|bazaar|market|garrison|"
    r"checkpoints?|office|palace|districts?|neighbou?rhoods?|suburbs?)\b",
    re.I,
)
_EDGE = re.compile(r"\b(?:outskirts|suburbs|edges?|gates|approaches)\b", re.I)

_POSSESSED = re.compile(
    r"^['’]s\s+(?!(?:(?:provincial|central|northern|southern|eastern|western|main|old|inner|outer)\s+)?"
    r"(?:capital|city|centre|center|provincial|districts?|neighbou?rhoods?|suburbs|outskirts|streets|parts?)\b)[a-z]",
    re.I,
)


def _possessed(sentence: str, mention: Mention) -> bool:
    """True when the mention owns the real object ("Kunduz's prison", but not "Ghazni's capital")."""
    return bool(_POSSESSED.match(sentence[mention.end :]))


def _conditional_before(sentence: str, mention: Mention) -> bool:
    """True when the clause holding a subject starts with a condition ("If Kabul falls, ...")."""
    head = sentence[: mention.start]
    breaks = list(_CLAUSE_BREAK.finditer(head))
    if breaks:
        head = head[breaks[-1].end() :]
    return bool(re.search(r"\b(?:if|unless|whether|once|should)\s+(?:\w+\s+){0,3}$", head, re.I))


def _locative(sentence: str, mention: Mention) -> bool:
    """True when a mention only locates something else ("50 km from X", "north of X", "to X")."""
    return bool(_LOCATIVE.search(sentence[max(0, mention.start - 60) : mention.start]))


def _strip_modal_words(gap: str) -> str:
    return _HEDGE.sub(" ", gap).replace(" to ", " ")


def _followed_by_agent(sentence: str, end: int) -> bool:
    return bool(re.match(r"\s+by\b", sentence[end:], re.I))


def _shared_subject(gap: str) -> bool:
    """True when ``gap`` is another predicate of the same place joined by a conjunction
    ("X was retaken last month but *was lost again*", "X was attacked and captured")."""
    joins = list(re.finditer(r"\b(?:but|and|then|before)\b", gap))
    if not joins:
        return False
    head, tail = gap[: joins[-1].start()], gap[joins[-1].end() :]
    if not _gap_is_filler(_strip_modal_words(tail), _FILLER_AFTER):
        return False
    return any(
        _gap_is_filler(head[: m.start()], _FILLER_AFTER)
        for pattern in _PATTERNS
        if not pattern.before
        for m in pattern.regex.finditer(head)
    )


def _followed_by_object(sentence: str, mentions: list[Mention], end: int) -> bool:
    for mention in mentions:
        if mention.start >= end:
            gap = sentence[end : mention.start]
            return "," not in gap and _gap_is_filler(gap, _FILLER_BEFORE)
    return False


# --- dates ---------------------------------------------------------------------------------------------------------

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
_DATE_CONFIDENCE = {"iso": 1.0, "md": 1.0, "dm": 1.0, "weekday": 0.95, "relative": 0.9, "vague": 0.6, "published": 0.7}


def _dates_in(sentence: str, published: date) -> list[tuple[int, date, str]]:
    """Dates written in ``sentence``: ``(position, date, kind)``, none after ``published``."""
    out = []
    for kind, regex in _DATE_PATTERNS:
        for m in regex.finditer(sentence):
            value = _date_value(kind, m, published)
            if value is not None and value <= published:
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


def _date_for(statement: Statement, dates: list[tuple[int, date, str]], published: date) -> tuple[date, str]:
    if not dates:
        return published, "published"
    _, value, kind = min(dates, key=lambda d: abs(d[0] - statement.cue_start))
    return value, kind


def _parse_published(published: date | datetime | str) -> date:
    return parse_date(published, "published date")


# --- public API ----------------------------------------------------------------------------------------------------


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
    sentences = _sentences(text)
    names = [c[2] for _, s in sentences for c in _candidates(s)]
    resolved = _resolve_places([*names, CAPITAL], geocoder)
    rows = []
    earlier: Antecedent | None = None
    context = ""
    earlier_dates: list[tuple[int, date, str]] = []
    previous_rows = 0
    previous_end = 0
    for offset, sentence in sentences:
        if re.search(r"\n\s*\n", text[previous_end:offset]):
            earlier, context, earlier_dates = None, "", []  # a new paragraph: references do not reach back
            previous_rows = len(rows)
        previous_end = offset + len(sentence)
        mentions = _references(sentence, _mentions(sentence, resolved), earlier, resolved)
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


_DENIES_PREVIOUS = re.compile(
    r"\b(?P<verb>den(?:y|ied|ies|ying)|reject(?:ed|s|ing)?|dismiss(?:ed|es|ing)?|disput(?:e|ed|es|ing)|"
    r"refut(?:e|ed|es|ing))\s+(?:(?:(?:the|this|that|these|those|such|their|its|his|her)\s+)?(?:[\w-]+\s+)?"
    r"(?:claims?|reports?|assertions?|accounts?)|it|this|that|them)\b(?!\s+(?:that|about|of|on|over|from)\b)",
    re.I,
)


def _denies_previous(sentence: str) -> bool:
    """True when ``sentence`` denies what the one before it reported ("Officials rejected the claim")."""
    m = _DENIES_PREVIOUS.search(sentence)
    return bool(m) and not _NEGATION.search(" ".join(sentence[: m.start()].split()[-3:]))


def _next_antecedent(sentence: str, mentions: list[Mention], earlier: Antecedent | None) -> Antecedent | None:
    """The place later references in the paragraph may stand for, after ``sentence``."""
    last = _topic(sentence, mentions)
    if last is not None:
        return Antecedent(last, sentence[last.end :])
    if earlier is None or earlier.since.count(".") >= 2:
        return None  # two sentences without a place: the thread is lost
    return Antecedent(earlier.mention, earlier.since + " " + sentence)


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
