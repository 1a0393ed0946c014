"""A fake geocoder's answer table for tests: names looked up in a small dict, never the network."""

from __future__ import annotations

import pandas as pd

#: query -> (name, kind, province ISO, lat, lon)
Places = dict[str, tuple[str, str, str, float, float]]


def answer_table(names: list[str], places: Places) -> pd.DataFrame:
    """The table a geocoder returns for ``names``, answered from ``places`` (unknown names unresolved)."""
    rows = []
    for query in names:
        name, kind, iso, lat, lon = places.get(query, (None, None, None, float("nan"), float("nan")))
        found = query in places
        rows.append(
            {
                "query": query,
                "name": name,
                "kind": kind,
                "province_iso": iso,
                "district": None,
                "lat": lat,
                "lon": lon,
                "confidence": 1.0 if found else 0.0,
                "method": "exact" if found else "",
                "reason": "" if found else "not in the fake gazetteer",
            }
        )
    return pd.DataFrame(rows)
