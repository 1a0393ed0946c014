"""The extractor's phrase lists, read from the TOML files in ``data/`` (a phrase is a data change)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from geomap.extract._prefilter import Substrings


@cache
def _load(name: str) -> dict[str, Any]:
    return tomllib.loads(files("geomap.extract").joinpath("data", name).read_text(encoding="utf-8"))


def words(name: str) -> frozenset[str]:
    """A word list of ``words.toml`` as a set of lower-case words."""
    return frozenset(_load("words.toml")["words"][name].split())


def side(name: str) -> str:
    """The regular expression naming one side (``taliban`` or ``government``)."""
    side: str = _load("words.toml")["sides"][name]
    return side


@dataclass(frozen=True)
class Phrase:
    """A control phrase of ``control_phrases.toml``."""

    name: str
    regex: re.Pattern[str]
    status: str
    before: bool  # True: the phrase comes before the place ("captured X"); False: after ("X fell")
    strength: float = 0.9
    passive: bool = False  # an "after" participle that needs a passive auxiliary or "by"
    sided: bool = False  # a government phrase that is the Taliban's when they are named before it ("resisting")
    agent: bool = False  # the side that acts decides the status
    loser: bool = False  # the side named as the subject loses the place
    attempt: bool = False  # a failed attempt: the side that made it loses, the side that stopped it holds
    fronted: bool = False  # read only for a place named before its clause ("In X, fighting ...")
    negatable: bool = True  # a negation before the phrase flips it
    literals: tuple[str, ...] = ()  # every match holds one of these (lower case): a cheap test before the regex

    def may_match(self, folded: str) -> bool:
        """False when ``folded`` (a lower-cased sentence) cannot hold a match: none of the literals is in it."""
        return not self.literals or any(word in folded for word in self.literals)

    def may_match_with(self, present: frozenset[str]) -> bool:
        """:meth:`may_match` given the literals a sentence holds (:func:`literals_in`)."""
        return not self.literals or not present.isdisjoint(self.literals)


def _literals(pattern: str) -> tuple[str, ...]:
    """Runs of three or more letters that the pattern's text spells out, cut before an optional letter
    ("militias?" gives "militia") and with escapes (``\\s``, ``\\b``) left out. Every path through a
    control phrase spells at least one such run, so a sentence without any cannot match."""
    runs: list[str] = []
    current = ""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            runs.append(current)
            current = ""
            continue
        if char.isalpha():
            following = pattern[i + 1] if i + 1 < len(pattern) else ""
            if following in "?*{":
                runs.append(current)
                current = ""
            else:
                current += char.lower()
        else:
            runs.append(current)
            current = ""
        i += 1
    runs.append(current)
    return tuple(sorted({r for r in runs if len(r) >= 3}))


#: A side's commander after its name ("forces under Ahmad Massoud", "militias loyal to Ismail Khan"): up to four
#: words that are no verb of holding (the phrase's own).
_LED = (
    r"(?:\s+(?:under|led\s+by|loyal\s+to|commanded\s+by)"
    r"(?:\s+(?!(?:still|now|firmly|are|is|were|was|remain|remains|remained|hold|holds|held|control|controls|"
    r"controlled|in|also|already)\b)[\w'’.-]+){1,4}?)?"
)


@cache
def control_phrases() -> tuple[Phrase, ...]:
    """Every control phrase, compiled, in file order."""
    out = []
    for entry in _load("control_phrases.toml")["phrase"]:
        pattern = entry["pattern"].replace("<TALIBAN>", side("taliban")).replace("<GOVERNMENT>", side("government"))
        pattern = pattern.replace("<LED>", _LED)
        out.append(
            Phrase(
                name=entry["name"],
                regex=re.compile(pattern, re.IGNORECASE),
                status=entry["status"],
                before=entry["position"] == "before",
                strength=float(entry.get("strength", 0.9)),
                passive=bool(entry.get("passive", False)),
                sided=bool(entry.get("sided", False)),
                agent=bool(entry.get("agent", False)),
                loser=bool(entry.get("loser", False)),
                attempt=bool(entry.get("attempt", False)),
                fronted=bool(entry.get("fronted", False)),
                negatable=bool(entry.get("negatable", True)),
                literals=_literals(pattern),
            )
        )
    return tuple(out)


_LETTERS = re.compile(r"[a-z]+")


@cache
def _literal_groups() -> tuple[Substrings, tuple[str, ...]]:
    """Every phrase's literals, once each: those of plain letters a-z, and any others."""
    every = sorted({word for phrase in control_phrases() for word in phrase.literals})
    plain = Substrings(w for w in every if _LETTERS.fullmatch(w))
    return plain, tuple(w for w in every if not _LETTERS.fullmatch(w))


def literals_in(folded: str) -> frozenset[str]:
    """The phrases' literals that ``folded`` (a lower-cased sentence) holds, each looked for once per word."""
    plain, other = _literal_groups()
    found = plain.find(folded)
    found.update(w for w in other if w in folded)
    return frozenset(found)
