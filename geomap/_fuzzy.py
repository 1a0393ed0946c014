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


def fuzzy_candidates(index: FuzzyIndex, key: str) -> tuple[str, int] | None:
    """The closest key by optimal-string-alignment distance, or ``None`` if none is close enough.

    Ties on distance go to the key sharing the longest prefix with the query, then to the
    alphabetically first, so the answer never depends on the order of the index.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    limit = max_edits(len(key))
    if limit == 0:
        return None
    best: tuple[int, int, str] | None = None
    for length in range(len(key) - limit, len(key) + limit + 1):
        group = index.groups.get(length)
        if not group:
            continue
        for candidate, distance, _ in process.extract_iter(key, group, scorer=OSA.distance, score_cutoff=limit):
            if max_edits(len(candidate)) < distance:
                continue  # a short key must be as close for its own length too
            rank = (distance, -_common_prefix(key, candidate), candidate)
            if best is None or rank < best:
                best = rank
    if best is None:
        return None
    return best[2], best[0]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
