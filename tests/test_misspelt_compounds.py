"""A misspelt compound name on record is read whole, not split into parts that are places elsewhere."""

from __future__ import annotations

import pytest

from geomap.gazetteer import get_gazetteer


@pytest.mark.parametrize(
    ("query", "name", "iso", "method"),
    [
        ("Lash Wa Joowayn", "Lash Wa Juwayn", "AF-FRA", "fuzzy"),  # "Lash" alone is a place in Faryab
        ("Khost Wa Fereng", "Khost Wa Firing", "AF-BGL", "alias"),  # "Khost" alone is a capital
        ("Chaman-Spin Boldak", "Spin Boldak", "AF-KAN", "exact"),  # two names: still split
    ],
)
def test_compound_names(query, name, iso, method):
    match = get_gazetteer().resolve(query)
    assert (match.entry.name, match.entry.province_iso, match.method) == (name, iso, method)
    assert match.confidence >= 0.8
