"""The pipeline: reports -> geocode -> join -> timeline, with the geocoder passed as one object."""

from __future__ import annotations

import datetime as dt
import re
import warnings

import pandas as pd
import pytest
from fake_places import answer_table
from shapely.geometry import Polygon

from geomap.boundaries import load_boundaries
from geomap.errors import (
    GeocodeError,
    InputError,
    SuspectDatesWarning,
    UncountedReportsWarning,
    UnplacedReportsWarning,
)
from geomap.geocode import Geocoder
from geomap.pipeline import build_timeline, build_timeline_lean, geocode_places
from geomap.reports import read_reports
from geomap.timeline import ControlTimeline

PLACES = {"Ghazni": ("Ghazni", "capital", "AF-GHA", 33.55, 68.42), "Herat": ("Herat", "capital", "AF-HER", 34.35, 62.2)}


class CountingGeocoder:
    """A fake geocoder that records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, names: list[str]) -> pd.DataFrame:
        self.calls.append(list(names))
        return answer_table(names, PLACES)


REPORTS = [
    {"date": "2021-08-10", "place": "Ghazni", "status": "government"},
    {"date": "2021-08-12", "place": "Ghazni", "status": "taliban"},
    {"date": "2021-08-12", "place": "Herat", "status": "taliban"},
    {"date": "2021-08-13", "place": "Nowhere", "status": "taliban"},
]


def test_build_timeline_asks_the_geocoder_once_per_distinct_name():
    geocoder = CountingGeocoder()
    with pytest.warns(UnplacedReportsWarning) as caught:
        timeline = build_timeline(REPORTS, geocoder=geocoder)
    # said once, at the caller's line, with the first report left out and where to find the rest
    assert [str(w.message) for w in caught] == [
        "1 report(s) could not be placed on the provinces and are left out, e.g. 'Nowhere' "
        "(row 4: not in the fake gazetteer); see timeline.unresolved"
    ]
    assert caught[0].filename == __file__
    assert isinstance(timeline, ControlTimeline)
    assert geocoder.calls == [["Ghazni", "Herat", "Nowhere"]]
    status = timeline.status(on="2021-08-11").set_index("area_id")["status"]
    assert (status["AF-GHA"], status["AF-HER"], status["AF-KAB"]) == ("government", "unknown", "unknown")
    assert timeline.status(on="2021-08-12").set_index("area_id").loc["AF-HER", "status"] == "taliban"
    assert timeline.unresolved["place"].tolist() == ["Nowhere"]
    assert timeline.unresolved["reason"].tolist() == ["not in the fake gazetteer"]
    assert timeline.reporting_dates == [dt.date(2021, 8, 10), dt.date(2021, 8, 12), dt.date(2021, 8, 13)]


def test_reports_with_coordinates_are_not_geocoded():
    geocoder = CountingGeocoder()
    rows = [{"date": "2021-08-12", "place": "a hill", "status": "taliban", "lat": 33.5, "lon": 68.4}]
    timeline = build_timeline(rows, geocoder=geocoder)
    assert geocoder.calls == []
    assert timeline.reports["area_id"].tolist() == ["AF-GHA"]


def test_from_reports_is_the_pipeline():
    geocoder = CountingGeocoder()
    a = build_timeline(REPORTS, geocoder=geocoder, freq="D")
    b = ControlTimeline.from_reports(REPORTS, geocoder=geocoder, freq="D")
    pd.testing.assert_frame_equal(a.long(), b.long())


def test_offline_geocoder_by_default_and_as_an_object():
    rows = [{"date": "2021-08-12", "place": "Mazar-e Sharif", "status": "taliban"}]
    default = build_timeline(rows)
    explicit = build_timeline(rows, geocoder=Geocoder())
    assert default.reports["area_id"].tolist() == explicit.reports["area_id"].tolist() == ["AF-BAL"]


def test_strict_names_the_first_unplaced_report():
    with pytest.raises(GeocodeError, match=r"<reports>, row 4, column 'place': 'Nowhere': not in the fake gazetteer"):
        build_timeline(REPORTS, geocoder=CountingGeocoder(), strict=True)


def test_places_named_by_an_area_id_or_name_on_user_boundaries(squares, tmp_path):
    squares.loc[2, "label"] = "Bêta"  # two areas whose names fold alike
    squares.loc[3] = ["D", "Delta City", Polygon([(68, 33), (68.2, 33), (68.2, 33.2), (68, 33.2)])]  # a small area
    squares.to_file(tmp_path / "squares.gpkg")
    areas = load_boundaries(tmp_path / "squares.gpkg", id_field="code", name_field="label")
    geocoder = CountingGeocoder()
    rows = [
        {"date": "2021-08-12", "place": "A", "status": "taliban"},  # an id
        {"date": "2021-08-12", "place": "  delta   CITY ", "status": "government"},  # a name, case and spaces aside
        {"date": "2021-08-13", "place": "Beta", "status": "taliban"},  # the name of B and C
        {"date": "2021-08-13", "place": "Herat", "status": "taliban"},  # neither: asked of the geocoder
        {"date": "2021-08-13", "place": "Narnia", "status": "taliban"},  # known to neither
    ]
    with pytest.warns(UnplacedReportsWarning):
        timeline = build_timeline(rows, boundaries=areas, geocoder=geocoder)
    assert geocoder.calls == [["Herat", "Narnia"]]  # the areas answer the others
    status = timeline.status(on="2021-08-12").set_index("area_id")["status"].to_dict()
    assert status == {"A": "taliban", "B": "unknown", "C": "unknown", "D": "government"}
    reasons = dict(zip(timeline.unresolved["place"], timeline.unresolved["reason"], strict=True))
    assert reasons == {
        "Beta": "the name of 2 areas (ids B, C); write the area's id, or give lat and lon",
        "Herat": "outside every boundary polygon",
        "Narnia": "not in the fake gazetteer; not the id or name of an area of the boundaries either "
        "(give lat and lon for places elsewhere)",
    }


def test_user_boundaries(squares, tmp_path):
    squares.to_file(tmp_path / "squares.gpkg")
    areas = load_boundaries(tmp_path / "squares.gpkg", id_field="code", name_field="label")
    rows = [{"date": "2021-08-12", "place": "x", "status": "taliban", "lat": 33.5, "lon": 65.5}]
    timeline = build_timeline(rows, boundaries=areas)
    status = timeline.status().set_index("area_id")["status"].to_dict()
    assert status == {"A": "taliban", "B": "unknown", "C": "unknown"}


@pytest.mark.parametrize("joined_alongside", [False, True])
@pytest.mark.parametrize("level", ["areas", "district"])
def test_area_columns_are_written_when_the_reports_are_asked_for_as_the_join_writes_them(
    monkeypatch, squares, tmp_path, level, joined_alongside
):
    import geomap.join
    from geomap.join import locate_on_districts, locate_reports
    from geomap.levels import level_areas
    from geomap.pipeline import _bundled_provinces

    if joined_alongside:  # the points joined on threads, as for many reports: every province known by code
        monkeypatch.setattr(geomap.join, "PARALLEL_MIN_ROWS", 1)
    squares.to_file(tmp_path / "squares.gpkg")
    areas = load_boundaries(tmp_path / "squares.gpkg", id_field="code", name_field="label")
    rows = [
        {"date": "2021-08-12", "place": "x", "status": "taliban", "lat": 33.5, "lon": 66.5},
        {"date": "2021-08-13", "place": "y", "status": "government", "lat": 33.5, "lon": 65.5},
        {"date": "2021-08-13", "place": "z", "status": "taliban", "lat": 33.5, "lon": 66.5},
    ]
    if level == "areas":
        timeline = build_timeline(rows, boundaries=areas, freq="D")
        expected, _ = locate_reports(read_reports(rows), areas, provinces=False, province_polygons=_bundled_provinces())
        ids, names = ["B", "A", "B"], ["Beta", "Alpha", "Beta"]
    else:
        timeline = build_timeline(rows, level="district", freq="D")
        expected, _ = locate_on_districts(read_reports(rows), level_areas("district"))
        ids, names = expected["area_id"].tolist(), expected["area_name"].tolist()
        assert len(set(ids)) == 2 and ids[0] == ids[2] != ids[1]
    table = timeline.long(evidence=False)  # decided on the reports' area positions
    assert timeline._area_text is not None
    # the provinces too: the districts' own, or the reports' points joined to the provinces then
    assert timeline._area_text.province is not None
    assert ("province_iso" in timeline._reports.columns) == (timeline._area_text.province is None)
    pd.testing.assert_frame_equal(timeline.reports, expected)  # then written, columns in the same places
    assert timeline._area_text is None
    assert timeline.reports["area_id"].tolist() == ids and timeline.reports["area_name"].tolist() == names
    last = table[table["date"] == pd.Timestamp("2021-08-13")].set_index("area_id")["status"]
    assert last[ids[0]] == "taliban" and last[ids[1]] == "government"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"aggregate": "sometimes"}, "aggregate: unknown value 'sometimes'; use one of capital, latest, majority"),
        ({"level": "village"}, "level: unknown value 'village'; use one of province, district"),
        ({"freq": "M"}, "freq: unknown value 'M'; use one of D, W"),
        ({"freq": "D", "dates": ["2021-08-01"]}, "dates, freq: give either"),
        ({"dates": "2021-08-01"}, "dates: expected a list of dates"),
        ({"dates": []}, "dates: the list of reporting dates is empty"),
        ({"scheme": "afghanistan"}, "scheme: expected a StatusScheme"),
        ({"geocoder": "nominatim"}, "geocoder: expected a Geocoder or a callable"),
        ({"boundaries": "districts.shp"}, "boundaries: expected a GeoDataFrame"),
        ({"boundaries": pd.DataFrame({"x": [1]})}, "boundaries: expected a GeoDataFrame"),
    ],
)
def test_bad_options_name_the_argument(options, message):
    with pytest.raises(InputError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        build_timeline(REPORTS, **{"geocoder": CountingGeocoder(), **options})


def test_a_geocoder_returning_the_wrong_shape_is_named():
    def broken(names):
        return pd.DataFrame({"name": ["x"]})

    with pytest.raises(InputError, match=r"^geocoder: expected a table with one row per name \(3 rows\), got 1 rows"):
        build_timeline(REPORTS, geocoder=broken)
    with pytest.raises(InputError, match=r"^geocoder: expected a table .* got list"):
        build_timeline(REPORTS, geocoder=lambda names: list(names))


def test_a_geocoder_that_raises_is_named_in_one_line_with_its_error():
    def failing(names):
        return 1 / 0

    with pytest.raises(
        GeocodeError, match=r"^geocoder: it raised ZeroDivisionError \(division by zero\) on 3 name"
    ) as raised:
        build_timeline(REPORTS, geocoder=failing)
    assert isinstance(raised.value.__cause__, ZeroDivisionError)
    assert "\n" not in str(raised.value)


def test_geocode_places_aligns_answers_with_reports():
    table = read_reports([*REPORTS, {"date": "2021-08-14", "place": "Ghazni", "status": "taliban"}])
    answers = geocode_places(table, CountingGeocoder())
    assert answers["province_iso"].fillna("-").tolist() == ["AF-GHA", "AF-GHA", "AF-HER", "-", "AF-GHA"]


def test_geocoder_object_validates_its_settings():
    with pytest.raises(InputError, match=r"^min_score: expected a number between 0 and 1 \(a confidence\), got 2$"):
        Geocoder(min_score=2)
    with pytest.raises(InputError, match="needs a user agent"):
        Geocoder(online="nominatim")
    with pytest.raises(InputError, match="unknown service"):
        Geocoder(online="googel", user_agent="x")
    assert repr(Geocoder()) == "Geocoder(min_score=0.5)"
    assert Geocoder()(["Kondoz", "Doha"])["province_iso"].tolist()[0] == "AF-KDZ"


@pytest.mark.parametrize("level", ["district", "province"])
def test_points_joined_while_a_large_file_is_read_give_the_same_timeline(monkeypatch, tmp_path, level):
    import geomap._fastcsv
    import geomap.join

    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)  # the plain reader, as for a large file
    lines = ["date,place,status,lat,lon,place_precision"] + [
        f"2021-08-{1 + i % 28:02d},Place {i},{('taliban', 'government')[i % 2]},{31 + i % 50 / 10},{62 + i % 70 / 10},"
        f"{1 + i % 3}"
        for i in range(300)
    ]
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    joined: list[int] = []
    real_joined = geomap.join._joined
    monkeypatch.setattr(geomap.join, "_joined", lambda *args: joined.append(len(args[0])) or real_joined(*args))
    timelines = []
    for rows in (1 << 62, 10):  # one thread, then the points joined while the file is read
        monkeypatch.setattr(geomap.join, "PARALLEL_MIN_ROWS", rows)
        timelines.append(build_timeline(path, level=level, freq="D"))
    assert joined == [300]  # once, while reading: not again when placing the reports
    first, second = timelines
    pd.testing.assert_frame_equal(first.reports, second.reports)
    pd.testing.assert_frame_equal(first.unresolved, second.unresolved)
    pd.testing.assert_frame_equal(first.long(), second.long())
    assert len(first.reports) > 250
    dropped = build_timeline(path, level=level, min_precision=2)  # rows dropped: their points joined after
    assert joined == [300, 200] and dropped.imprecise_dropped == 100


def test_report_days_counted_beside_the_join_give_the_same_dates_and_bad_dates_come_first(monkeypatch):
    import geomap.join

    timelines = []
    for rows in (1 << 62, 0):  # the days counted before the reports are placed, then while they are
        monkeypatch.setattr(geomap.join, "PARALLEL_MIN_ROWS", rows)
        timelines.append(build_timeline(REPORTS, geocoder=CountingGeocoder(), freq="D"))
    assert timelines[0].reporting_dates == timelines[1].reporting_dates
    assert [str(d) for d in timelines[1].reporting_dates] == ["2021-08-10", "2021-08-11", "2021-08-12", "2021-08-13"]
    geocoder = CountingGeocoder()
    with pytest.raises(InputError, match=r"^dates: the list of reporting dates is empty"):
        build_timeline(REPORTS, geocoder=geocoder, dates=[])
    assert geocoder.calls == []  # refused before any place is looked up
    given = build_timeline(REPORTS, geocoder=geocoder, dates=["2021-08-11"])
    assert [str(d) for d in given.reporting_dates] == ["2021-08-11"] and len(geocoder.calls) == 1


@pytest.mark.parametrize(
    ("row", "bad", "options", "error"),
    [
        (150, "2021-13-05,Place 150,taliban,32.0,63.0", {}, "'2021-13-05': no such day in the calendar"),
        (150, "2021-08-05,Place 150,maybe,32.0,63.0", {}, "'maybe'"),
        (299, "2021-08-05,Place 299,taliban,95.0,63.0", {}, "'95.0': outside the mapped area"),
        (None, "", {"dates": ["2021-08-01", "2021-02-30"]}, "reporting date"),
    ],
)
def test_a_refused_file_or_dates_list_starts_no_join_of_its_points(monkeypatch, tmp_path, row, bad, options, error):
    # A join started on a file's points runs to its end, whatever happens: begun before the file
    # was refused, it kept the process that had reported the error busy for as long again.
    import geomap._fastcsv
    import geomap.join

    monkeypatch.setattr(geomap._fastcsv, "MIN_BYTES", 0)  # the plain reader, as for a large file
    monkeypatch.setattr(geomap.join, "PARALLEL_MIN_ROWS", 10)
    lines = ["date,place,status,lat,lon"] + [
        f"2021-08-{1 + i % 28:02d},Place {i},{('taliban', 'government')[i % 2]},{31 + i % 50 / 10},{62 + i % 70 / 10}"
        for i in range(300)
    ]
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started: list[int] = []
    real_start = geomap.join.PointsAhead.start
    monkeypatch.setattr(
        geomap.join.PointsAhead, "start", lambda self, lon, lat: started.append(len(lon)) or real_start(self, lon, lat)
    )
    valid = build_timeline(path)
    assert len(valid.reports) + len(valid.unresolved) == 300 and started == [300]  # joined while read
    started.clear()
    if row is not None:
        lines[row + 1] = bad
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(error)):
        build_timeline(path, **options)
    assert started == []


def test_the_reports_provinces_are_joined_only_when_the_reports_are_asked_for(monkeypatch, squares, tmp_path):
    import geomap.join

    calls = []
    joined = geomap.join._province_hits
    monkeypatch.setattr(geomap.join, "_province_hits", lambda *a: calls.append(1) or joined(*a))
    squares.to_file(tmp_path / "squares.gpkg")
    areas = load_boundaries(tmp_path / "squares.gpkg", id_field="code", name_field="label")
    rows = [
        {"date": "2021-08-12", "place": "x", "status": "taliban", "lat": 33.5, "lon": 66.5},
        {"date": "2021-08-13", "place": "y", "status": "government", "lat": 33.5, "lon": 65.5},
    ]
    timeline = build_timeline(rows, boundaries=areas)
    table = timeline.long(evidence=False)
    last = table[table["date"] == pd.Timestamp("2021-08-13")].set_index("area_id")["status"].to_dict()
    assert last == {"A": "government", "B": "taliban", "C": "unknown"}
    assert calls == []  # the statuses need no province
    provinces = timeline.reports["province_iso"].tolist()
    assert calls == [1] and len(provinces) == 2 and all(p.startswith("AF-") for p in provinces)
    # a report outside every area is listed with its province at once
    outside = build_timeline([*rows, {**rows[0], "lat": 36.5, "lon": 70.5}], boundaries=areas)
    assert outside.unresolved["province_iso"].tolist() == ["AF-BDS"]


def test_a_frequency_over_centuries_is_refused_not_drawn():
    rows = [
        {"date": "1700-01-01", "place": "Herat", "status": "taliban", "lat": 34.35, "lon": 62.2},
        {"date": "2200-01-01", "place": "Herat", "status": "government", "lat": 34.35, "lon": 62.2},
    ]
    with (
        pytest.raises(InputError, match=r"freq='D': the reports run from 1700-01-01 to 2200-01-01, 182,622 reporting"),
        pytest.warns(SuspectDatesWarning, match="after today"),
    ):
        build_timeline(rows, freq="D")


def _at_herat(*days: str) -> list[dict]:
    return [{"date": d, "place": "Herat", "status": "taliban", "lat": 34.35, "lon": 62.2} for d in days]


def test_report_dates_that_look_mistyped_are_warned_about():
    with pytest.warns(SuspectDatesWarning) as caught:
        build_timeline(_at_herat("2021-08-07", "2012-08-08", "2021-08-09", "2121-01-01"))
    (warning,) = caught
    message = str(warning.message)
    assert message.startswith("report dates that look mistyped: 1 report day(s) after today (")
    assert "): 2121-01-01; 2012-08-08, more than a year before every other report day (the next is 2021-08-07)" in (
        message
    )
    with pytest.warns(SuspectDatesWarning, match="2023-01-05, more than a year after every other report day"):
        build_timeline(_at_herat("2021-08-07", "2021-08-09", "2023-01-05"))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", SuspectDatesWarning)
        build_timeline(_at_herat("2019-01-01", "2020-06-01"))  # two days: either may be the odd one
        # reporting dates given: the report days do not make them, and are not looked at
        build_timeline(_at_herat("2021-08-07", "2012-08-08", "2121-01-01"), dates=["2021-08-07"])
        build_timeline(_at_herat(*(f"{year}-03-01" for year in range(2010, 2022))))  # years, each near the next


def test_reports_the_capital_rule_leaves_out_are_warned_about_in_python():
    frame = pd.DataFrame(
        {
            "date": ["2021-08-07", "2021-08-08", "2021-08-08"],
            "place": ["Spin Boldak", "Nawur", "Herat"],
            "status": ["taliban", "taliban", "government"],
        }
    )
    with pytest.warns(
        UncountedReportsWarning, match=r"^2 report\(s\) .*\('Spin Boldak', 'Nawur'\).*aggregate='latest'"
    ):
        timeline = build_timeline(frame)
    assert timeline.status(on="2021-08-08").set_index("area_id").loc["AF-KAN", "status"] == "unknown"
    for options in ({"aggregate": "latest"}, {"level": "district"}):
        with warnings.catch_warnings():
            warnings.simplefilter("error", UncountedReportsWarning)
            build_timeline(frame, **options)
    with pytest.warns(UncountedReportsWarning):
        build_timeline_lean(frame)


def test_reports_about_an_unnamed_part_of_a_province_are_not_sent_to_the_district_map():
    # "Kunar" at level city is a part of Kunar no district map places: only latest/majority count it
    frame = pd.DataFrame(
        {
            "date": ["2021-08-07", "2021-08-08", "2021-08-08"],
            "place": ["Kunar", "Nawur", "Herat"],
            "status": ["taliban", "taliban", "government"],
            "level": ["city", "district", "city"],
        }
    )
    with pytest.warns(UncountedReportsWarning) as caught:
        build_timeline(frame)
    message = str(caught[0].message)
    assert message.startswith("2 report(s)") and "or use level='district' (1 of them name no district" in message
    with pytest.warns(UncountedReportsWarning) as caught:
        build_timeline(frame.iloc[[0, 2]])
    message = str(caught[0].message)
    assert message.endswith("count them with aggregate='latest' or 'majority' (they name no district)")
    assert "level='district'" not in message


def test_a_province_column_picks_the_district_among_namesakes():
    frame = pd.DataFrame(
        {
            "date": ["2021-08-10"] * 3,
            "place": ["Kohistan", "Arghandab", "Khash"],
            "province": ["Kapisa", "Zabul", "Badakhshan"],
            "status": ["taliban"] * 3,
            "level": ["district", "district", "district"],
        }
    )
    timeline = build_timeline(frame, level="district")
    taken = timeline.status(on="2021-08-10").query("status == 'taliban'")["area_id"].tolist()
    assert sorted(taken) == ["AF-BDS-khash", "AF-KAP-hisa-i-awali-kohistan", "AF-ZAB-arghandab"]
    assert timeline.unresolved.empty


def test_dates_read_day_first_by_the_chunked_reader_too(tmp_path, monkeypatch):
    import geomap._chunked

    path = tmp_path / "reports.csv"
    path.write_text(
        "date;place;status\n05/08/2021;Kabul;government\n15.08.2021;Kabul;taliban\n13-08-2021;Herat;taliban\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(geomap._chunked, "CHUNK_BYTES", 32)
    whole = build_timeline(path, day_first=True).long()
    lean = build_timeline_lean(path, day_first=True).long()
    assert [d.strftime("%Y-%m-%d") for d in sorted(set(whole["date"]))] == ["2021-08-05", "2021-08-13", "2021-08-15"]
    pd.testing.assert_frame_equal(
        whole[["area_id", "date", "status"]].reset_index(drop=True),
        lean[["area_id", "date", "status"]].reset_index(drop=True),
        check_dtype=False,
    )


def test_reports_on_too_many_distinct_days_for_the_areas_are_refused_before_the_engine_runs():
    # 13,000 report days at district level: 5,174,000 statuses, more than the engine decides
    start = dt.date(1990, 1, 1)
    rows = [
        {"date": (start + dt.timedelta(days=i)).isoformat(), "place": "Herat", "status": "taliban", "lat": 34.35,
         "lon": 62.2}
        for i in range(13_000)
    ]  # fmt: skip
    with pytest.raises(InputError) as info:
        build_timeline(rows, level="district")
    assert str(info.value) == (
        "13,000 reporting dates for 398 districts make 5,174,000 statuses to decide, more than 5,000,000; report "
        "weekly (--freq W, freq='W'), give the dates (--dates), map fewer areas, or check the reports' years"
    )
    assert len(build_timeline(rows[:2_000], level="district").reporting_dates) == 2_000  # fewer dates: built


def test_names_of_several_provinces_placed_in_one_are_warned_about():
    from geomap.errors import NamesakesWarning

    rows = [
        {"date": "2021-08-01", "place": "Qarabagh", "status": "taliban"},
        {"date": "2021-08-02", "place": "Qarabagh, Kabul", "status": "taliban"},  # the province says which
        {"date": "2021-08-03", "place": "Fayzabad", "status": "taliban"},  # Badakhshan's capital first
    ]
    with pytest.warns(NamesakesWarning) as caught:
        build_timeline(rows, level="district")
    (warning,) = [w for w in caught if w.category is NamesakesWarning]
    assert str(warning.message) == (
        "1 place name(s) are places of several provinces and were placed in the first of them: 'Qarabagh' in "
        "AF-GHA (also AF-HER, AF-KAB); add the province to be sure (a province column, or 'Qarabagh, <province>')"
    )
