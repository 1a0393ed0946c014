"""Step 6: claims, denials and attribution."""

from __future__ import annotations

import bisect
import itertools
import re

from geomap.extract._prefilter import prefiltered

_NEGATION = re.compile(r"\b(?:not|never|no\s+longer|yet\s+to|failed\s+to|unable\s+to|fail\s+to)\b|n['’]t\b", re.I)
_DENIAL = prefiltered(
    re.compile(
        r"\b(?:den(?:y|ied|ies|ying|ial)|reject(?:ed|s)?|refut(?:e|ed|es)|dismiss(?:ed|es)?|disput(?:e|ed|es)|"
        r"no\s+confirmation)\b",
        re.I,
    )
)
# A report the sentence calls false or unconfirmed ("Rumours that the Taliban took X are false", "reports that X
# had fallen could not be confirmed", "an earlier version incorrectly stated"): what it reports is contested
_FALSE_REPORT = prefiltered(
    re.compile(
        r"\b(?:claims?|reports?|rumou?rs?|news|assertions?|allegations?|statements?|accounts?)\b[^.;]{0,200}?"
        r"\b(?:is|are|was|were|proved|proven)\s+(?:(?:completely|entirely|totally|also)\s+)?"
        r"(?:false|untrue|baseless|unfounded|not\s+true|wrong|fake|lies)\b"
        r"|\bincorrectly\s+(?:stated|reported|said|claimed|wrote|suggested)\b"
        r"|\b(?:could|can)(?:\s*not|n['’]t)\s+(?:be\s+)?(?:independently\s+)?(?:confirmed|verified|confirm|verify)\b",
        re.I,
    )
)
_CLAIM = prefiltered(re.compile(r"\b(?:claim(?:s|ed|ing)?|reportedly|unconfirmed|allegedly|said\s+it\s+had)\b", re.I))


_DENIES_PREVIOUS = prefiltered(
    re.compile(
        r"\b(?P<verb>den(?:y|ied|ies|ying)|reject(?:ed|s|ing)?|dismiss(?:ed|es|ing)?|disput(?:e|ed|es|ing)|"
        r"refut(?:e|ed|es|ing))\s+(?:(?:(?:the|this|that|these|those|such|their|its|his|her)\s+)?(?:[\w-]+\s+)?"
        r"(?:claims?|reports?|assertions?|accounts?|allegations?|statements?|news|rumou?rs?)|it|this|that|them)\b(?!\s+(?:that|about|of|on|over|from)\b)",
        re.I,
    )
)


def _denies_previous(sentence: str) -> bool:
    """True when ``sentence`` denies what the one before it reported ("Officials rejected the claim")."""
    m = _DENIES_PREVIOUS.search(sentence)
    return m is not None and not _NEGATION.search(" ".join(sentence[: m.start()].split()[-3:]))


# A claim stated as such: a verb of claiming or saying (not the noun "claim", nor "reportedly")
_CLAIMING = prefiltered(re.compile(r"\b(?:claim(?:ed|ing)|says|said|announc(?:ed|ing)|declar(?:ed|ing))\b", re.I))
# What a claim of control says ("had taken", "captured", "in their hands")
_CONTROL_CLAIMED = prefiltered(
    re.compile(r"\b(?:took|taken|tak(?:e|es|ing)|captur\w*|seiz\w*|overr\w*|fell|fallen|control\w*|hands)\b", re.I)
)


def denies_own_claim(sentence: str) -> bool:
    """True when ``sentence`` states the claim of control it denies ("The Taliban claimed they had taken
    Kandahar, but the ministry denied the claim"): the denial is about that claim, not about the sentences
    before ("Asked about the claim, officials denied it" still reaches back)."""
    m = _DENIAL.search(sentence)
    if m is None:
        return False
    head = sentence[: m.start()]
    return _CLAIMING.search(head) is not None and _CONTROL_CLAIMED.search(head) is not None


# Who says so: a side named as the speaker ("the Taliban claimed", "a Taliban spokesman said", "officials said").
_SPEECH = prefiltered(
    re.compile(
        r"\b(?:claim(?:s|ed|ing)?|said|says|announced|announces|declared|declares|confirmed|confirms|told|stated|"
        r"according\s+to|quoted|reported)\b",
        re.I,
    )
)
_TALIBAN_SPEAKER = prefiltered(re.compile(r"\b(?:Taliban|insurgents?|militants?|Mujahid|Islamic\s+Emirate)\b", re.I))
_GOVERNMENT_SPEAKER = prefiltered(
    re.compile(
        r"\b(?:officials?|government|ministry|governor|police|army|spokes(?:man|woman|person)|authorities|"
        r"council|commanders?|MoD|ANDSF|security\s+sources?|forces|resistance|Front|NRF|Massoud|Saleh)\b",
        re.I,
    )
)


_CLAUSE_EDGE = re.compile(r"[,;:()\u2014\u2013]")


def speaker(clause: str) -> str:
    """The side that speaks in ``clause`` (``taliban``, ``government`` or ``""``): the side named beside a
    verb of speech, in its clause ("Forces retook Sangin from the Taliban, an official told reporters": the
    government; "said a Taliban spokesman"), else anywhere in ``clause``, the Taliban before the government
    (officials, a ministry or forces)."""
    verbs = list(itertools.islice(_SPEECH.finditer(clause), _MAX_SPEECH_VERBS))
    if not verbs:
        return ""
    edges = [e.start() for e in _CLAUSE_EDGE.finditer(clause)]
    for verb in verbs:
        k = bisect.bisect_left(edges, verb.start())
        start = max(edges[k - 1] + 1 if k else 0, verb.start() - _NEAR)
        after = bisect.bisect_left(edges, verb.end())
        end = min(edges[after] if after < len(edges) else len(clause), verb.end() + _NEAR)
        if _OTHER_SPEAKER.search(clause, start, verb.start()):
            return ""  # "residents said the Taliban took control": residents speak, neither side
        for part in (clause[start : verb.start()], clause[verb.end() : end]):
            side = _side_named(part)
            if side:
                return side
    return _side_named(clause)


def third_party(clause: str) -> bool:
    """Whether someone of neither side speaks in ``clause`` ("residents said"): :func:`speaker` then names no
    side, and a statement that the Taliban hold a place is as uncertain as their own claim."""
    for verb in itertools.islice(_SPEECH.finditer(clause), _MAX_SPEECH_VERBS):
        if _OTHER_SPEAKER.search(clause, max(0, verb.start() - _NEAR), verb.start()):
            return True
    return False


# Speakers of neither side, right before the verb of speech: "residents said", "local people told reporters".
_OTHER_SPEAKER = re.compile(
    r"\b(?:residents?|locals?|local\s+people|people|witnesses|eyewitnesses|villagers|elders|sources|"
    r"journalists?|reporters?|analysts?|observers?|travell?ers|shopkeepers|families|a\s+resident|one\s+resident)"
    r"(?:\s+(?:of|in)\s+[\w'’-]+(?:\s+[\w'’-]+)?)?\s*$",
    re.I,
)


_MAX_SPEECH_VERBS = 16
"""Verbs of speech of a sentence whose clauses are read for the speaker (time stays bounded on any text)."""
_NEAR = 200
"""Characters on each side of a verb of speech read for the speaker."""


def _side_named(text: str) -> str:
    """``taliban`` when ``text`` names them, else ``government`` when it names officials or forces, else ``""``."""
    if _TALIBAN_SPEAKER.search(text):
        return "taliban"
    if _GOVERNMENT_SPEAKER.search(text):
        return "government"
    return ""


# Where the clause of a denial begins: after "but", "while", a semicolon ("The Taliban claimed Kandahar,
# but the ministry denied it")
_CLAUSE_BEFORE_DENIAL = re.compile(r"[;:]|,?\s\b(?:but|while|whereas|although|though|however)\b", re.I)


def denier(sentence: str) -> str:
    """The side that denies in ``sentence`` (``taliban``, ``government``, ``"other"`` or ``""``): the side
    named in the denial's clause ("The Taliban claimed Kandahar, but the ministry denied it": the
    government), else before it in the sentence; the Taliban when both are ("a Taliban spokesman denied")."""
    m = _DENIAL.search(sentence)
    if m is None:
        return ""
    agent = re.match(r"\s+by\b([^,;:.]{0,200})", sentence[m.end() :])  # "the claim was denied by the ministry"
    by = _side_named(agent.group(1)) if agent else ""
    if by:
        return by
    head = sentence[: m.start()]
    edges = list(_CLAUSE_BEFORE_DENIAL.finditer(head))
    # a new clause ("..., but this was denied") says who denies, or no one known; else the sentence before it
    return _side_named(head[edges[-1].end() :] if edges else head) or "other"
