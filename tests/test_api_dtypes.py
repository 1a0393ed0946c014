"""Dates leave geomap as datetime64[ns]: every public table, on every shape and level, empty or not."""

from __future__ import annotations

import pandas as pd
import pytest
from fake_places import answer_table

import geomap

DATETIME = "datetime64[ns]"
PLACES = {
    "Ghazni": ("Ghazni", "capital", "AF-GHA", 33.55, 68.42),
    "Ghazni province": ("Ghazni", "province", "AF-GHA", 33.3, 68.0),
    "Herat": ("Herat", "capital", "AF-HER", 34.35, 62.2),
    "Kunduz": ("Kunduz", "capital", "AF-KDZ", 36.73, 68.86),
}
REPORTS = [
    {"date": "2021-08-10", "place": "Ghazni", "status": "government", "source": "a"},
    {"date": "2021-08-12", "place": "Ghazni", "status": "taliban", "source": "b"},
    {"date": "2021-08-12", "place": "Herat", "status": "taliban", "source": "c"},
    {"date": "2021-08-12", "place": "Herat", "status": "government", "source": "d"},  # a conflict
    {"date": "2021-08-14", "place": "Ghazni province", "status": "taliban", "source": "e"},
]


def fake_geocoder(names: list[str]) -> pd.DataFrame:
    return answer_table(names, PLACES)


def assert_dates(frame: pd.DataFrame, *columns: str) -> None:
    for column in columns:
        assert pd.api.types.is_datetime64_dtype(frame[column]), (column, frame[column].dtype)
        assert frame[column].dtype == DATETIME, (column, frame[column].dtype)


@pytest.fixture(scope="module")
def timeline() -> geomap.ControlTimeline:
    return geomap.build_timeline(REPORTS, geocoder=fake_geocoder)


@pytest.fixture(scope="module")
def empty_timeline() -> geomap.ControlTimeline:
    """A timeline whose only report could not be placed: no areas decided, no conflicts."""
    return geomap.build_timeline([REPORTS[0] | {"place": "Nowhere"}], geocoder=fake_geocoder)


def test_read_reports_dates():
    assert_dates(geomap.read_reports(REPORTS), "date")


def test_long_status_changes_and_batches(timeline):
    long = timeline.long()
    assert_dates(long, "date", "since")
    ghazni = long[long["province_iso"] == "AF-GHA"].set_index("date")
    assert ghazni.loc[pd.Timestamp("2021-08-12"), "since"] == pd.Timestamp("2021-08-12")
    assert pd.isna(long.set_index(["province_iso", "date"]).loc[("AF-KAB", pd.Timestamp("2021-08-10")), "since"])
    assert_dates(timeline.long(evidence=False), "date", "since")
    for batch in timeline.iter_long(batch_rows=1):
        assert_dates(batch, "date", "since")
    status = timeline.status(on="2021-08-13")
    assert_dates(status, "date", "since")
    assert status.set_index("area_id").loc["AF-GHA", "date"] == pd.Timestamp("2021-08-13")
    assert_dates(timeline.changes(), "date", "since")


def test_status_takes_a_cell_of_a_date_column(timeline):
    day = timeline.long()["date"].to_numpy()[-1]  # numpy.datetime64, as a user picks it from the table
    assert timeline.status(on=day)["date"].iloc[0] == pd.Timestamp("2021-08-14")
    assert timeline.status(on=pd.Timestamp("2021-08-14"))["date"].iloc[0] == pd.Timestamp("2021-08-14")


def test_conflicts_with_and_without_rows(timeline, empty_timeline):
    conflicts = timeline.conflicts()
    assert conflicts[["area_id", "date"]].values.tolist() == [["AF-HER", pd.Timestamp("2021-08-12")]]
    assert_dates(conflicts, "date")
    assert_dates(empty_timeline.conflicts(), "date")


def test_summary_index_and_per_province(timeline):
    summary = timeline.summary()
    assert isinstance(summary.index, pd.DatetimeIndex) and summary.index.dtype == DATETIME
    assert summary.loc[pd.Timestamp("2021-08-12"), "taliban"] == 1
    assert_dates(timeline.summary(by="province"), "date")


def test_summary_tables_of_the_plot_module(timeline):
    from geomap.plot import summary_by_province, summary_table

    assert_dates(summary_table(timeline), "date")
    assert_dates(summary_by_province(timeline), "date")


@pytest.mark.parametrize(
    ("shape", "columns"),
    [("long", ("date", "since")), ("as-of", ("date", "since")), ("intervals", ("valid_from", "valid_to", "since"))],
)
def test_export_frame_shapes(timeline, shape, columns):
    frame = geomap.export_frame(timeline, shape=shape)
    assert_dates(frame, *columns)
    assert frame.crs.to_epsg() == 4326


def test_district_level_tables():
    timeline = geomap.build_timeline(REPORTS, level="district", geocoder=fake_geocoder)
    assert_dates(timeline.long(evidence=False), "date", "since")
    assert_dates(timeline.rollup(), "date")
    wide = timeline.province_wide()
    assert wide["date"].tolist() == [pd.Timestamp("2021-08-14")]
    assert_dates(wide, "date")
    assert_dates(geomap.build_timeline(REPORTS[:1], level="district", geocoder=fake_geocoder).province_wide(), "date")


def test_extract_reports_dates_and_csv_text(tmp_path):
    text = "The Taliban captured Kunduz on Sunday."
    found = geomap.extract_reports(text, published="2021-08-09", geocoder=fake_geocoder)
    assert found["date"].tolist() == [pd.Timestamp("2021-08-08")]
    assert_dates(found, "date")
    assert_dates(geomap.extract_reports("", published="2021-08-09"), "date")
    # Written out, the date is plain YYYY-MM-DD text that read_reports takes back.
    path = tmp_path / "found.csv"
    found.to_csv(path, index=False)
    assert path.read_text(encoding="utf-8").splitlines()[1].startswith("2021-08-08,Kunduz,taliban")


def test_batch_extract_dates():
    from geomap.extract import Article, extract_batch

    articles = [
        Article("a.txt", "The Taliban captured Kunduz on Sunday.", "2021-08-09", "a"),
        Article("b.txt", "Insurgents seized Kunduz on Saturday.", "2021-08-09", "b"),
    ]
    merged = extract_batch(articles, geocoder=fake_geocoder)
    assert_dates(merged, "date")
    assert merged["flag"].str.contains("date disagrees: also 2021-08-0").all()
    assert_dates(extract_batch(articles, merge=False, geocoder=fake_geocoder), "date")
    assert_dates(extract_batch([], geocoder=fake_geocoder), "date")
