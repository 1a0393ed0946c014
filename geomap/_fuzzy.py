"""Edit-distance search over the gazetteer's phonetic keys (rapidfuzz).

Keys are grouped by length so a query is only compared with keys whose length is
within the number of edits allowed, which keeps unique fuzzy queries fast.
"""

from __future__ import annotations

from collections import defaultdict


def max_edits(length: int) -> int:
    """Edits allowed for a key of ``length`` characters: none below 5, then 1, 2 from 9, 3 from 14."""
    if length < 5:
        return 0
    if length < 9:
        return 1
    if length < 14:
        return 2
    return 3


class FuzzyIndex:
    """Phonetic keys grouped by length; ``strong`` keys (capitals' and provinces' names) are more forgiving."""

    def __init__(self, keys: list[str], strong: set[str] | frozenset[str] = frozenset()) -> None:
        groups: dict[int, list[str]] = defaultdict(list)
        for key in keys:
            groups[len(key)].append(key)
        self.groups = dict(groups)
        self.strong = frozenset(strong)


def allowed_edits(query: str, candidate: str, strong: bool) -> int:
    """Edits allowed between two keys: by the shorter key, or the longer one for a capital or province.

    A four-letter misspelling of a five-letter capital ("Kbul", "Hrat") is thus forgiven,
    while two short unrelated words are not.
    """
    if strong:
        return (
            min(1, max_edits(max(len(query), len(candidate))))
            if min(len(query), len(candidate)) < 5
            else max_edits(min(len(query), len(candidate)))
        )
    return min(max_edits(len(query)), max_edits(len(candidate)))


def fuzzy_candidates(index: FuzzyIndex, key: str) -> list[tuple[str, int]]:
    """The keys closest to ``key`` by optimal-string-alignment distance, if close enough.

    Returns every key at the smallest distance found (``[(key, distance), ...]``); among
    those, only the ones needing the fewest insertions and deletions (so a dropped letter
    beats a changed one); an empty list when no key is close enough.
    """
    return fuzzy_matches(index, key)[0]


def fuzzy_matches(
    index: FuzzyIndex, key: str, exclude: str | None = None
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """``(closest, runners_up)``: :func:`fuzzy_candidates` and the other keys at the same distance.

    ``exclude`` is a key left out of the search (one already matched exactly).
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA, Indel

    if len(key) < 4:
        return [], []
    limit = max(max_edits(len(key)), 1)
    found: list[tuple[int, str]] = []
    for length in range(len(key) - limit, len(key) + limit + 1):
        group = index.groups.get(length)
        if not group:
            continue
        for candidate, distance, _ in process.extract_iter(key, group, scorer=OSA.distance, score_cutoff=limit):
            if candidate == exclude or distance > allowed_edits(key, candidate, candidate in index.strong):
                continue
            if distance > 0 and len(key) < 5 and len(candidate) <= len(key):
                continue  # a four-letter word only matches a longer name it is a shortening of
            if key[0] != candidate[0] and distance > 1:
                continue  # names rarely change their first letter and another letter too
            found.append((distance, candidate))
    if not found:
        return [], []
    best = min(d for d, _ in found)
    closest = [c for d, c in found if d == best]
    indel = {c: Indel.distance(key, c) for c in closest}
    fewest = min(indel.values())
    chosen = sorted((c, best) for c in closest if indel[c] == fewest)
    return chosen, sorted((c, best) for c in closest if indel[c] != fewest)
