"""Values shared by the extractor's steps: the statuses, a place mention and a control statement."""

from __future__ import annotations

from dataclasses import dataclass

TALIBAN = "taliban"
GOVERNMENT = "government"
CONTESTED = "contested"
#: Status of a phrase whose side is named by a pronoun ("in their hands", "under its control"):
#: the side named last before it decides.
ACTOR = "actor"


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
    district: str = ""  # the district the place lies in, when known


@dataclass(frozen=True)
class Statement:
    """A control statement about one place in one sentence."""

    mention: Mention
    status: str
    strength: float
    cue: str
    cue_start: int
    level: str = ""  # set when the statement is about a part of the place ("facility") or one of its districts
    part: str = ""  # the name of that part, when the text gives one the gazetteer does not know ("Sangar village")
