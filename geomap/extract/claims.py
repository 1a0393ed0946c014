"""Step 6: claims, denials and attribution."""

from __future__ import annotations

import re

_NEGATION = re.compile(r"\b(?:not|never|no\s+longer|yet\s+to|failed\s+to|unable\s+to|fail\s+to)\b|n['’]t\b", re.I)
_DENIAL = re.compile(
    r"\b(?:den(?:y|ied|ies|ying|ial)|reject(?:ed|s)?|refut(?:e|ed|es)|dismiss(?:ed|es)?|disput(?:e|ed|es))\b", re.I
)
_CLAIM = re.compile(r"\b(?:claim(?:s|ed|ing)?|reportedly|unconfirmed|allegedly|said\s+it\s+had)\b", re.I)


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
