"""Step 3: references to a place named earlier ("the city", "the provincial capital", "it")."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from geomap.extract._data import words
from geomap.extract._model import Mention
from geomap.extract.mentions import CONFIDENCE, _locative, _not_place, _strip_possessive, _text, after_opening_in
from geomap.schema import PROVINCE_ISO

#: The national capital: "the capital" and "the Afghan capital" stand for it.
CAPITAL = "Kabul"

_REFERENCE = re.compile(
    r"\b(?:the|this|that)\s+(?P<adj>(?:(?:embattled|besieged|beleaguered|strategic|key|northern|southern|eastern|"
    r"western|central|north-eastern|north-western|south-eastern|south-western|northeastern|northwestern|"
    r"southeastern|southwestern|provincial|local|afghan|national|country['’]s|nation['’]s|remote|mountainous|small|tiny|whole|entire|"
    r"border|besieged|ancient|historic)\s+)*)(?P<noun>city|town|capital|valley|province|district)\b"
    # "the city council", "the district governor" are people; "the district headquarters" is the place
    r"(?!\s+(?:council|limits|hall|governor|administration|authorities|officials|residents|mayor|chief|"
    r"police\s+chief)\b)"
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


# After "the city" or "the district": the place's name follows ("of Kunduz", "centre of Andar", ", Aybak").
_NAME_FOLLOWS = re.compile(r"\s*(?:(?:cent(?:re|er)|headquarters|seat)\s+)?(?:of\s+(?!\d)|,?\s*[A-Z])")


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
    province: Mention | None = None  # the last province named, for "the province"


def _references(
    sentence: str, mentions: list[Mention], earlier: Antecedent | None, resolved: dict[str, dict[str, Any]]
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
        if not m.group("it") and _NAME_FOLLOWS.match(sentence, m.end()):
            continue  # "the city of Kunduz", "the district centre of Andar", "the provincial capital, Aybak"
        if m.group("it") and not _it_is_a_place(sentence, m):
            continue
        if any(
            re.fullmatch(r"\s*,\s*", sentence[c.end : m.start()]) and not after_opening_in(sentence, c)
            for c in mentions
        ):
            continue  # "Bamyan, the central province ...": an apposition, not a new mention
        place = _antecedent(sentence, m, mentions, earlier, resolved)
        if place is not None:
            out.append(replace(place, start=m.start(), end=m.end(), text=m.group(0), reference=True))
    return sorted(mentions + out, key=lambda c: c.start)


def _antecedent(
    sentence: str,
    m: re.Match[str],
    mentions: list[Mention],
    earlier: Antecedent | None,
    resolved: dict[str, dict[str, Any]],
) -> Mention | None:
    """The place a reference stands for: the last one named before it, or the national capital."""
    noun = (m.group("noun") or "").casefold()
    adjectives = (m.group("adj") or "").casefold().replace("’", "'").split()
    if noun == "capital" and {"afghan", "national", "country's", "nation's"} & set(adjectives):
        return _capital_mention(resolved)
    if noun == "province":
        named = [c for c in mentions if c.end <= m.start() and c.kind == "province"]
        if named:
            return named[-1]
        if earlier is not None and earlier.province is not None:
            return earlier.province
    topic = _topic(sentence, [c for c in mentions if c.end <= m.start()])
    if topic is not None:
        place, since = topic, sentence[topic.end : m.start()]
    elif earlier is not None:
        place, since = earlier.mention, earlier.since + " " + sentence[: m.start()]
    else:
        place, since = None, ""
    if noun == "capital" and "provincial" not in adjectives and (place is None or place.kind != "province"):
        if _in_quote(sentence, m.start()):
            return None  # a speaker's "the capital" may be their own province's ("we will defend the capital")
        return _capital_mention(resolved)  # "the capital" alone is Kabul unless a province was just named
    if place is None or _other_place(since, resolved):
        return None
    if noun == "capital" and place.kind == "province":
        return _capital_of(place)  # "In Uruzgan, the provincial capital was surrendered": Tarinkot
    if place.kind == "province" and noun == "city":
        return _capital_of(place)  # "the governor of Helmand said the city had not fallen": Lashkar Gah
    if place.kind == "province" and noun in ("town", "district"):
        return None  # one of the province's towns or districts, which the text does not name
    return place


@cache
def _capitals() -> dict[str, tuple[str, str]]:
    """Each province's capital (name and district), by ISO code, from the bundled gazetteer."""
    from geomap.gazetteer import get_gazetteer

    return {e.province_iso: (e.name, e.district) for e in get_gazetteer().entries if e.kind == "capital"}


def _capital_of(province: Mention) -> Mention | None:
    """The capital of the province ``province`` names, as a mention at the same place in the text."""
    capital = _capitals().get(province.province_iso)
    if capital is None:
        return None
    name, district = capital
    return replace(province, name=name, kind="capital", district=district)


def _in_quote(sentence: str, position: int) -> bool:
    """True when ``position`` lies inside quotation marks opened earlier in the sentence."""
    head = sentence[:position]
    return head.count("“") > head.count("”") or head.count('"') % 2 == 1


def _topic(sentence: str, mentions: list[Mention]) -> Mention | None:
    """The place a later reference most likely stands for: the last one named, skipping places that
    only locate ("150 km from Kabul") or describe ("the capital of Badghis") another."""
    last_named = None
    for c in reversed(mentions):  # from the end: the answer is nearly always the last mention or close to it
        if _locative(sentence, c):
            continue
        if not _after_of(sentence, c.start):
            return c
        if last_named is None:
            last_named = c
    return last_named


def _after_of(sentence: str, end: int) -> bool:
    """True when ``sentence[:end]`` ends with "of" or "of the" and a space, as the regular expression
    ``\\bof\\s+(?:the\\s+)?$`` finds; looks only at the end of the text, so a sentence of many
    mentions is not scanned once per mention."""
    head = sentence[:end]
    word = head.rstrip()
    if len(word) == len(head):
        return False
    if word.endswith("the"):
        before = word[:-3]
        word = before.rstrip()
        if len(word) == len(before):
            return False
    return word.endswith("of") and (len(word) == 2 or not _is_word_char(word[-3]))


def _is_word_char(char: str) -> bool:
    """What ``\\w`` matches in a regular expression over text."""
    return char.isalnum() or char == "_"


def _capital_mention(resolved: dict[str, dict[str, Any]]) -> Mention | None:
    hit = resolved.get(CAPITAL)
    if hit is None:
        return None
    return Mention(
        0, 0, CAPITAL, hit["name"], hit[PROVINCE_ISO], hit["kind"], hit[CONFIDENCE], district=_text(hit.get("district"))
    )


def _other_place(text: str, resolved: dict[str, dict[str, Any]]) -> bool:
    """True when ``text`` names a place that is not a resolved Afghan one ("in Quetta", "to Iran")."""
    for m in _OTHER_PLACE.finditer(text):
        name = _strip_possessive(m.group("name"))
        if name in resolved or _not_place(name) or name.split()[0].casefold() in _NOT_OTHER_PLACE:
            continue
        return True
    return False


_NOT_OTHER_PLACE = words("not_other_place")


def _next_antecedent(sentence: str, mentions: list[Mention], earlier: Antecedent | None) -> Antecedent | None:
    """The place later references in the paragraph may stand for, after ``sentence``."""
    provinces = [c for c in mentions if c.kind == "province" and not c.reference]
    province = provinces[-1] if provinces else (earlier.province if earlier is not None else None)
    last = _topic(sentence, mentions)
    if last is not None:
        return Antecedent(last, sentence[last.end :], province)
    if earlier is None or earlier.since.count(".") >= 2:
        return None  # two sentences without a place: the thread is lost
    return Antecedent(earlier.mention, earlier.since + " " + sentence, province)
