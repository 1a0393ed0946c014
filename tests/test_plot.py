"""Tests for geomap.plot and ``geomap summary``."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from geomap.cli import main
from geomap.plot import plot_summary, summary_table
from geomap.scheme import AFGHANISTAN_2021
from geomap.timeline import ControlTimeline


@pytest.fixture
def timeline(squares):
    boundaries = squares.rename(columns={"code": "area_id", "label": "area_name"})
    reports = pd.DataFrame(
        {
            "date": ["2021-08-01", "2021-08-01", "2021-08-03", "2021-08-05"],
            "place": ["a", "b", "b", "c"],
            "status": ["government", "contested", "taliban", "taliban"],
            "lat": [33.5, 33.5, 33.5, 33.5],
            "lon": [65.5, 66.5, 66.5, 67.5],
        }
    )
    return ControlTimeline.from_reports(reports, boundaries=boundaries, aggregate="latest")


def test_summary_table(timeline):
    table = summary_table(timeline)
    assert list(table.columns) == ["date", *[AFGHANISTAN_2021.label(k) for k in AFGHANISTAN_2021.keys]]
    assert table["date"].dtype == "datetime64[ns]"
    assert table.values.tolist() == [
        [pd.Timestamp("2021-08-01"), 0, 1, 1, 1],
        [pd.Timestamp("2021-08-03"), 1, 0, 1, 1],
        [pd.Timestamp("2021-08-05"), 2, 0, 1, 0],
    ]
    assert list(summary_table(timeline, labels=False).columns)[1:] == AFGHANISTAN_2021.keys


def test_plot_summary_draws_stacked_bars_in_scheme_colours(timeline):
    fig, ax = plt.subplots()
    try:
        assert plot_summary(timeline, ax=ax) is ax
        bars = ax.patches
        assert len(bars) == 3 * len(AFGHANISTAN_2021.keys)
        taliban = [b for b in bars if to_hex(b.get_facecolor()) == AFGHANISTAN_2021.color("taliban")]
        assert [b.get_height() for b in taliban] == [0, 1, 2]
        tops = {round(b.get_x(), 3): 0.0 for b in bars}
        for b in bars:
            tops[round(b.get_x(), 3)] = max(tops[round(b.get_x(), 3)], b.get_y() + b.get_height())
        assert set(tops.values()) == {3.0}
        assert [t.get_text() for t in ax.get_xticklabels()] == ["2021-08-01", "2021-08-03", "2021-08-05"]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            AFGHANISTAN_2021.label(k) for k in AFGHANISTAN_2021.keys
        ]
    finally:
        plt.close(fig)


def test_cli_summary_prints_table_and_writes_png(tmp_path, capsys):
    reports = tmp_path / "r.csv"
    reports.write_text(
        "date,place,status\n2021-08-06,Zaranj,taliban\n2021-08-06,Kabul,government\n2021-08-08,Kunduz,fighting\n",
        encoding="utf-8",
    )
    png = tmp_path / "out" / "counts.png"
    png.parent.mkdir()
    assert main(["summary", str(reports), "--plot", str(png), "--csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "date,Taliban control,Contested,Government or resistance control,No report"
    assert out[1:] == ["2021-08-06,1,0,1,32", "2021-08-08,1,1,1,31"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(png.parent.glob(".*tmp*"))


def test_cli_summary_refuses_to_overwrite_reports(tmp_path, capsys):
    reports = tmp_path / "r.csv"
    reports.write_text("date,place,status\n2021-08-06,Zaranj,taliban\n", encoding="utf-8")
    assert main(["summary", str(reports), "--plot", str(reports)]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert reports.read_text(encoding="utf-8").startswith("date,place,status")


def test_dollar_signs_in_labels_are_drawn_literally(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    from geomap.plot import plot_summary
    from geomap.scheme import make_scheme
    from geomap.timeline import ControlTimeline

    scheme = make_scheme(
        [{"key": "a", "label": "A $\\frac{1}{$ b", "color": "#ff0000"}, {"key": "unknown", "color": "#cccccc"}],
        name="Cost $x^{$",
    )
    reports = pd.DataFrame({"date": ["2021-08-01"], "place": ["p"], "status": ["a"], "lat": [34.5], "lon": [69.2]})
    ax = plot_summary(ControlTimeline.from_reports(reports, scheme=scheme))
    ax.figure.savefig(tmp_path / "c.png")
    assert ax.get_legend().get_texts()[0].get_text() == "A \\$\\frac{1}{\\$ b"
    assert (tmp_path / "c.png").stat().st_size > 1000
