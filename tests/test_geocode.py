"""Tests of geomap.geocode: the public geocode() contract and offline resolution."""

from __future__ import annotations

import math

import pytest

from geomap.geocode import GEOCODE_COLUMNS, geocode


def test_columns_and_order_with_duplicates():
    df = geocode(["Kabul", "Mazar-e Sharif", "Kabul"])
    assert tuple(df.columns) == GEOCODE_COLUMNS
    assert df["query"].tolist() == ["Kabul", "Mazar-e Sharif", "Kabul"]
    assert df["province_iso"].tolist() == ["AF-KAB", "AF-BAL", "AF-KAB"]


@pytest.mark.parametrize(
    ("query", "iso", "kind"),
    [
        ("Ghazni", "AF-GHA", "capital"),
        ("Ghazni province", "AF-GHA", "province"),
        ("Ghazni Province", "AF-GHA", "province"),
        ("Kondoz", "AF-KDZ", "capital"),
        ("Firozkoh", "AF-GHO", "capital"),
        ("Faizabad", "AF-BDS", "capital"),
        ("Pol-e Khomri", "AF-BGL", "capital"),
        ("Samangan", "AF-SAM", "province"),
    ],
)
def test_capitals_and_provinces(query, iso, kind):
    row = geocode([query]).iloc[0]
    assert (row["province_iso"], row["kind"]) == (iso, kind)
    assert row["reason"] == ""
    assert 0 < row["confidence"] <= 1


def test_unresolved_row_shape():
    row = geocode(["Doha"]).iloc[0]
    assert row["method"] == ""
    assert row["confidence"] == 0
    assert math.isnan(row["lat"])
    assert math.isnan(row["lon"])
    assert row["reason"]
