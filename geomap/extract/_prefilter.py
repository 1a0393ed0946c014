"""A cheap test before a regular expression: the text pieces every match must hold.

The extractor runs a few dozen regular expressions over every sentence. Most of them start with
``\\b`` and an alternation of words under ``re.IGNORECASE``, which the regular expression engine
tries at every position of the text: on a long sentence that is most of the extractor's time,
though few sentences hold any of the words. :func:`prefiltered` reads a compiled pattern's syntax
tree once and derives what any match must contain, e.g. for
``\\b(?:den(?:y|ied)|reject(?:ed|s)?)\\b``: one of ``deny``, ``denied``, ``reject``; for a date
``\\b(?:jan|feb|...)\\.?\\s+\\d{1,2}``: a month name *and* a digit. A text that lacks them cannot
match, and is answered without running the pattern; any other text runs it as before, so the
results are the same, only faster.

The derivation is exact by construction (it only ever asks for what every path through the
pattern spells) and conservative where it is unsure (then it asks for nothing). Under
``IGNORECASE`` the literals are looked for in the lower-cased text; the engine also matches ``i``
to ``ı`` and ``İ`` and ``s`` to ``ſ``, which ``str.lower`` does not turn into ``i`` and ``s``, so a
text holding any of those three runs the pattern without the test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from importlib import import_module
from typing import Any

# The standard library's own parser of regular expressions (re._parser) and its names (re._constants).
sre: Any = import_module("re._constants")
sre_parse: Any = import_module("re._parser")

#: Largest set of alternative strings followed through a sequence before it is cut.
_MAX_ALTERNATIVES = 96

# A needed piece of text: ("raw", s) is looked for as written, ("low", s) in the lower-cased text,
# ("digit", "") is any decimal digit (what \d matches).
_Piece = tuple[str, str]
_Clause = frozenset[_Piece]  # any one of these pieces
_DIGIT = re.compile(r"\d")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_CASELESS_ASCII = frozenset(chr(c) for c in range(128)) - _ASCII_LETTERS - {c.upper() for c in _ASCII_LETTERS}
# The only characters IGNORECASE matches to an ASCII letter that str.lower() does not turn into it
# (checked over every code point; K, the Kelvin sign, lower-cases to k).
_UNFOLDED = ("ı", "İ", "ſ")


class _Exact:
    """The finite set of strings a part of the pattern can match, and how to look for them."""

    __slots__ = ("kind", "strings")

    def __init__(self, strings: frozenset[str], kind: str | None) -> None:
        self.strings = strings
        self.kind = kind  # "raw", "low", or None for pieces that read the same either way

    def then(self, other: _Exact) -> _Exact | None:
        """The concatenation, or ``None`` when the two cannot be looked for in the same text or are too many."""
        if self.kind and other.kind and self.kind != other.kind:
            return None
        if len(self.strings) * len(other.strings) > _MAX_ALTERNATIVES:
            return None
        return _Exact(frozenset(a + b for a in self.strings for b in other.strings), self.kind or other.kind)

    def clause(self) -> _Clause | None:
        """The strings as a needed clause (one of them must be in the text), smallest first; ``None`` when
        one of them is too short to tell anything."""
        kind = self.kind or "raw"
        if any(len(s) < 2 for s in self.strings):
            return None
        return _minimal(frozenset((kind, s) for s in self.strings))


def _minimal(clause: _Clause) -> _Clause:
    """``clause`` without the pieces holding another piece of the same kind: the text holds the shorter one
    whenever it holds the longer."""
    return frozenset((kind, s) for kind, s in clause if not any(k == kind and t != s and t in s for k, t in clause))


_EMPTY = _Exact(frozenset({""}), None)


def _char(code: int, ignorecase: bool) -> _Exact | None:
    char = chr(code)
    if char in _CASELESS_ASCII:
        return _Exact(frozenset({char}), None)
    if not ignorecase:
        return _Exact(frozenset({char}), "raw")
    if char.lower() in _ASCII_LETTERS:
        return _Exact(frozenset({char.lower()}), "low")
    return None


def _needs(items: Any, ignorecase: bool) -> tuple[_Exact | None, list[_Clause]]:
    """``(exact, clauses)`` of a sequence of parsed items: the strings it can match when finitely many,
    and the clauses every match satisfies."""
    clauses: list[_Clause] = []
    run: _Exact | None = _EMPTY
    whole: _Exact | None = _EMPTY  # the sequence's exact set, while every item has one

    def flush() -> None:
        if run is not None:
            clause = run.clause()
            if clause:
                clauses.append(clause)

    for op, av in items:
        exact, inner = _item(op, av, ignorecase)
        clauses.extend(inner)
        whole = whole.then(exact) if whole is not None and exact is not None else None
        if exact is None:
            flush()
            run = _EMPTY
            continue
        joined = run.then(exact) if run is not None else None
        if joined is None:
            flush()
            joined = exact
        run = joined
    if whole is not None:
        return whole, clauses
    flush()
    return None, clauses


def _item(op: Any, av: Any, ignorecase: bool) -> tuple[_Exact | None, list[_Clause]]:
    """``(exact, clauses)`` of one parsed item."""
    if op is sre.LITERAL:
        return _char(av, ignorecase), []
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return _EMPTY, []  # matches no text of its own
    if op is sre.SUBPATTERN:
        _, add, remove, pattern = av
        case = (ignorecase or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
        return _needs(pattern.data, case)
    if op is sre.ATOMIC_GROUP:
        return _needs(av.data, ignorecase)
    if op is sre.BRANCH:
        return _branch(av[1], ignorecase)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, pattern = av
        exact, clauses = _needs(pattern.data, ignorecase)
        if low == 0:
            if high == 1 and exact is not None:
                return _Exact(exact.strings | {""}, exact.kind), []  # optional: "june?"
            return None, []
        if exact is not None and low == high and low <= 3:
            repeated: _Exact | None = _EMPTY
            for _ in range(low):
                repeated = repeated.then(exact) if repeated is not None else None
            if repeated is not None:
                return repeated, clauses
        clause = exact.clause() if exact is not None else None
        return None, clauses + ([clause] if clause else [])
    if op is sre.IN and av == [(sre.CATEGORY, sre.CATEGORY_DIGIT)]:
        return None, [frozenset({("digit", "")})]
    return None, []  # a class, any character, a back-reference: nothing certain


def _branch(alternatives: list[Any], ignorecase: bool) -> tuple[_Exact | None, list[_Clause]]:
    results = [_needs(alternative.data, ignorecase) for alternative in alternatives]
    exacts = [exact for exact, _ in results if exact is not None]
    if len(exacts) == len(results):
        kinds = {e.kind for e in exacts} - {None}
        strings = frozenset().union(*(e.strings for e in exacts))
        if len(kinds) <= 1 and len(strings) <= _MAX_ALTERNATIVES:
            return _Exact(strings, kinds.pop() if kinds else None), []
    # else one of the alternatives' needs must hold: the union of each one's best clause
    best: list[_Clause] = []
    for exact, clauses in results:
        options = list(clauses)
        clause = exact.clause() if exact is not None else None
        if clause:
            options.append(clause)
        if not options:
            return None, []
        best.append(min(options, key=_weakness))
    return None, [_minimal(frozenset().union(*best))]


def _weakness(clause: _Clause) -> tuple[int, int]:
    """Lower is a better test: long pieces (short ones turn up everywhere), then few of them."""
    return -min(len(s) for _, s in clause), len(clause)


def needed(pattern: re.Pattern[str]) -> tuple[_Clause, ...]:
    """The clauses every match of ``pattern`` satisfies (each: one of its pieces is in the text), best
    first; empty when nothing certain is known."""
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # an unexpected pattern only loses the shortcut
        return ()
    ignorecase = bool(pattern.flags & re.IGNORECASE)
    exact, clauses = _needs(parsed.data, ignorecase)
    if exact is not None:
        clause = exact.clause()
        clauses = [*clauses, clause] if clause else clauses
    unique = sorted(set(clauses), key=_weakness)
    return tuple(unique[:3])


class Prefiltered:
    """A compiled pattern that answers "no match" at once for texts lacking what every match holds.

    ``search``, ``match``, ``fullmatch``, ``finditer``, ``findall`` and ``sub`` behave exactly as the
    pattern's own; everything else is the pattern's.
    """

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.regex = pattern
        self.clauses = needed(pattern)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.regex, name)

    def __repr__(self) -> str:
        return f"Prefiltered({self.regex!r})"

    def may_match(self, text: str) -> bool:
        """False when ``text`` cannot hold a match."""
        if not self.clauses:
            return True
        return all(any(self._holds(text, kind, piece) for kind, piece in clause) for clause in self.clauses)

    def _holds(self, text: str, kind: str, piece: str) -> bool:
        if kind == "low":
            lowered = _lowered(text)
            return lowered is None or piece in lowered
        return _holds(text, "", kind, piece)

    def may_match_among(self, found: frozenset[_Piece] | None) -> bool:
        """:meth:`may_match` given the pieces a text holds (:meth:`PieceFinder.find`), whatever its length."""
        return found is None or all(not found.isdisjoint(clause) for clause in self.clauses)

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        return self.regex.search(text, *args) if self.may_match(text) else None

    def match(self, text: str, *args: int) -> re.Match[str] | None:
        return self.regex.match(text, *args) if self.may_match(text) else None

    def fullmatch(self, text: str, *args: int) -> re.Match[str] | None:
        return self.regex.fullmatch(text, *args) if self.may_match(text) else None

    def finditer(self, text: str, *args: int) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text, *args) if self.may_match(text) else iter(())

    def findall(self, text: str, *args: int) -> list[Any]:
        return self.regex.findall(text, *args) if self.may_match(text) else []

    def sub(self, repl: Any, text: str, count: int = 0) -> str:
        return self.regex.sub(repl, text, count) if self.may_match(text) else text


def _holds(text: str, lowered: str, kind: str, piece: str) -> bool:
    if kind == "raw":
        return piece in text
    if kind == "low":
        return piece in lowered
    return _DIGIT.search(text) is not None


_LETTERS = re.compile(r"[a-z]+")


class Substrings:
    """Which of many strings of letters a-z lie inside the words of a lower-cased text.

    Such a string can only lie inside one run of letters a-z, so a text holds it when one of its words
    does; what each word holds is worked out once and kept (texts repeat their words), up to a bound.
    """

    def __init__(self, strings: Iterable[str], cache_size: int = 100_000) -> None:
        self.strings = tuple(sorted(set(strings)))
        if not all(_LETTERS.fullmatch(s) for s in self.strings):
            raise ValueError("Substrings looks only for strings of letters a-z")
        self._by_word: dict[str, frozenset[str]] = {}
        self._cache_size = cache_size

    def find(self, lowered: str) -> set[str]:
        """The strings that lie inside the words of ``lowered`` (a lower-cased text)."""
        found: set[str] = set()
        by_word = self._by_word
        for word in letter_words(lowered):
            held = by_word.get(word)
            if held is None:
                held = frozenset(s for s in self.strings if s in word)
                if len(by_word) >= self._cache_size:
                    by_word.clear()
                by_word[word] = held
            found |= held
        return found


_LAST_WORDS: tuple[str, frozenset[str]] = ("", frozenset())


def letter_words(lowered: str) -> frozenset[str]:
    """The distinct runs of letters a-z of ``lowered``, kept for the last text asked about."""
    global _LAST_WORDS  # a one-entry cache: several steps ask about one sentence in turn
    last = _LAST_WORDS
    if last[0] is lowered or last[0] == lowered:
        return last[1]
    words = frozenset(_LETTERS.findall(lowered))
    _LAST_WORDS = (lowered, words)
    return words


class PieceFinder:
    """Looks for the pieces of many patterns in a text at once, each piece once per word of the text."""

    def __init__(self, patterns: Iterable[Prefiltered]) -> None:
        pieces = {piece for pattern in patterns for clause in pattern.clauses for piece in clause}
        words = {p for p in pieces if p[0] == "low" and _LETTERS.fullmatch(p[1])}
        self._words = Substrings(p[1] for p in words)
        self._other = tuple(sorted(pieces - words))

    def find(self, text: str) -> frozenset[_Piece] | None:
        """The pieces ``text`` holds; ``None`` when that cannot be told from its lower case (then any may)."""
        lowered = _lowered(text)
        if lowered is None:
            return None
        found = [("low", s) for s in self._words.find(lowered)]
        found += [piece for piece in self._other if _holds(text, lowered, *piece)]
        return frozenset(found)


class PatternIndex:
    """Many patterns tried over one text in turn: which of them may match it, found from the pieces the
    text holds instead of by testing each pattern."""

    def __init__(self, patterns: Iterable[re.Pattern[str]]) -> None:
        self.quick = tuple(Prefiltered(pattern) for pattern in patterns)
        self._finder = PieceFinder(self.quick)
        self._always = tuple(i for i, q in enumerate(self.quick) if not q.clauses)
        self._by_piece: dict[_Piece, list[int]] = {}
        for i, q in enumerate(self.quick):
            for piece in q.clauses[0] if q.clauses else ():
                self._by_piece.setdefault(piece, []).append(i)

    def possible(self, text: str) -> list[int]:
        """The positions, in order, of the patterns that may match ``text``."""
        found = self._finder.find(text)
        if found is None:
            return list(range(len(self.quick)))
        chosen = set(self._always)
        for piece in found:
            chosen.update(self._by_piece.get(piece, ()))
        return [i for i in sorted(chosen) if self.quick[i].may_match_among(found)]


_LAST_LOWERED: tuple[str, str | None] = ("", "")


def _lowered(text: str) -> str | None:
    """``text.lower()``, or ``None`` when it holds a character that IGNORECASE matches to an ASCII letter
    but ``lower`` keeps apart; kept for the last text, as the patterns run one after another over a sentence."""
    global _LAST_LOWERED  # a one-entry cache
    last = _LAST_LOWERED
    if last[0] is text:
        return last[1]
    lowered = None if any(char in text for char in _UNFOLDED) else text.lower()
    _LAST_LOWERED = (text, lowered)
    return lowered


def prefiltered(pattern: re.Pattern[str]) -> Prefiltered:
    """``pattern`` with the cheap test of what every match holds run first (see the module's docstring)."""
    return Prefiltered(pattern)
