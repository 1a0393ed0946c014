"""Edit-distance search over the gazetteer's phonetic keys (rapidfuzz).

A query is compared only with the keys that share a deletion variant with it (the
symmetric-deletion method: two strings within ``k`` edits, transpositions included,
become equal after deleting at most ``k`` letters from each), so a unique misspelling
costs a few dictionary look-ups instead of a scan of every key. Queries allowed more
than two edits (keys of 14 letters or more) scan the keys of nearby lengths instead.
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


#: Queries allowed at most this many edits are answered from the deletion index.
_INDEXED_EDITS = 2
#: Keys this long or longer may be two edits from a query (:func:`allowed_edits`), shorter ones one.
_TWO_EDIT_LENGTH = 9


def deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made from it by deleting at most ``depth`` (1 or 2) letters."""
    n = len(word)
    found = {word}
    found.update(word[:i] + word[i + 1 :] for i in range(n))
    if depth >= 2:
        found.update(word[:i] + word[i + 1 : j] + word[j + 1 :] for i in range(n) for j in range(i + 1, n))
    return found


class FuzzyIndex:
    """Phonetic keys by deletion variant and by length; ``strong`` keys (capitals', provinces') are more forgiving."""

    def __init__(self, keys: list[str], strong: set[str] | frozenset[str] = frozenset()) -> None:
        groups: dict[int, list[str]] = defaultdict(list)
        by_deletion: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            groups[len(key)].append(key)
            for variant in deletions(key, 2 if len(key) >= _TWO_EDIT_LENGTH else 1):
                by_deletion[variant].append(key)
        self.groups = dict(groups)
        self.by_deletion = dict(by_deletion)
        self.strong = frozenset(strong)

    def near(self, key: str, limit: int) -> set[str]:
        """Keys that may lie within the edits :func:`allowed_edits` grants ``key`` (a superset, checked by distance)."""
        if limit > _INDEXED_EDITS:
            return {k for n in range(len(key) - limit, len(key) + limit + 1) for k in self.groups.get(n, ())}
        found: set[str] = set()
        get = self.by_deletion.get
        for variant in deletions(key, limit):
            hit = get(variant)
            if hit:
                found.update(hit)
        return found


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
    from rapidfuzz.distance import OSA, Indel

    if len(key) < 4:
        return [], []
    limit = max(max_edits(len(key)), 1)
    found: list[tuple[int, str]] = []
    for candidate in sorted(index.near(key, limit)):
        distance = OSA.distance(key, candidate, score_cutoff=limit)
        if distance > limit or candidate == exclude:
            continue
        if distance > allowed_edits(key, candidate, candidate in index.strong):
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
