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
    """Phonetic keys grouped by length."""

    def __init__(self, keys: list[str]) -> None:
        groups: dict[int, list[str]] = defaultdict(list)
        for key in keys:
            groups[len(key)].append(key)
        self.groups = dict(groups)


def fuzzy_candidates(index: FuzzyIndex, key: str) -> list[tuple[str, int]]:
    """The keys closest to ``key`` by optimal-string-alignment distance, if close enough.

    Returns every key at the smallest distance found (``[(key, distance), ...]``), sorted;
    an empty list when no key is within :func:`max_edits` of the query (and of itself).
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    limit = max_edits(len(key))
    if limit == 0:
        return []
    found: list[tuple[int, str]] = []
    for length in range(len(key) - limit, len(key) + limit + 1):
        group = index.groups.get(length)
        if not group:
            continue
        for candidate, distance, _ in process.extract_iter(key, group, scorer=OSA.distance, score_cutoff=limit):
            if max_edits(len(candidate)) < distance:
                continue  # a short key must be as close for its own length too
            if key[0] != candidate[0] and distance > 1:
                continue  # names rarely change their first letter and another letter too
            found.append((distance, candidate))
    if not found:
        return []
    best = min(d for d, _ in found)
    return sorted((c, d) for d, c in found if d == best)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
