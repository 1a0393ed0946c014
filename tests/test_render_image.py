"""Still images and animations (geomap.render.image, geomap image / geomap animate), read back."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

from geomap.errors import InputError
from geomap.render.image import render_animation, render_image
from geomap.render.style import FILL_OPACITY


def drawn(color: str) -> tuple[int, int, int]:
    """A status colour as drawn (its fill opacity over the map's background)."""
    from geomap.render.image import _rgba

    return tuple(round(255 * c) for c in _rgba(color, FILL_OPACITY)[:3])


def has_colour(pixels: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 6) -> bool:
    return bool((np.abs(pixels[:, :, :3].astype(int) - rgb).max(axis=2) <= tolerance).any())


@pytest.fixture(scope="module")
def demo_timeline():
    from geomap.demo import example_path
    from geomap.timeline import ControlTimeline

    return ControlTimeline.from_reports(example_path())


def test_png_shows_the_scheme_colours_of_its_date(demo_timeline, tmp_path):
    from PIL import Image

    scheme = demo_timeline.scheme
    figure = render_image(demo_timeline, title="After Panjshir")  # the last date
    path = tmp_path / "map.png"
    figure.savefig(path, dpi=60)
    pixels = np.asarray(Image.open(path).convert("RGB"))
    assert has_colour(pixels, drawn(scheme.color("taliban")))
    # On the last date no province is held by the government: its blue is nowhere on the map.
    counts = demo_timeline.summary().loc[pd.Timestamp(demo_timeline.reporting_dates[-1])]
    assert counts.get("government", 0) == 0
    legend_free = pixels[:, : int(pixels.shape[1] * 0.66)]
    assert not has_colour(legend_free, drawn(scheme.color("government")))


def test_an_image_is_written_to_the_path_given(demo_timeline, tmp_path):
    from PIL import Image

    figure = render_image(demo_timeline, tmp_path / "map.png", dpi=50)
    with Image.open(tmp_path / "map.png") as image:
        assert image.format == "PNG"
        assert image.size == (round(figure.get_figwidth() * 50), round(figure.get_figheight() * 50))
    render_image(demo_timeline, str(tmp_path / "map.svg"), date="2021-08-12")
    assert (tmp_path / "map.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    (tmp_path / "map.gif").write_bytes(b"old")
    with pytest.raises(InputError, match=r"map\.gif: an image is written as \.png, \.svg, \.pdf"):
        render_image(demo_timeline, tmp_path / "map.gif")
    assert (tmp_path / "map.gif").read_bytes() == b"old"


def test_svg_keeps_text_as_text_with_title_date_counts_and_names(demo_timeline):
    figure = render_image(demo_timeline, date="2021-08-12", title="Offensive <b>{{x}}</b> $5")
    out = io.StringIO()
    figure.savefig(out, format="svg")
    svg = out.getvalue()
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
    joined = " ".join(texts)
    assert "12 Aug 2021" in joined
    assert "Offensive &lt;b&gt;{{x}}&lt;/b&gt; $5" in joined  # escaped in the SVG, shown literally
    assert "12 of 34" in joined  # Taliban control on 12 Aug (as the timeline says)
    assert "Kandahar" in joined and "Herat" in joined
    assert "PAKISTAN" in joined
    assert "km" in joined
    assert "Natural Earth" in joined


def test_grid_has_one_panel_per_date(demo_timeline):
    from geomap.timeline import ControlTimeline

    dates = ["2021-08-06", "2021-08-12", "2021-08-15"]
    timeline = ControlTimeline.from_reports(demo_timeline.reports, dates=dates)
    figure = render_image(timeline, grid=True)
    out = io.StringIO()
    figure.savefig(out, format="svg")
    texts = " ".join(re.findall(r"<text[^>]*>(.*?)</text>", out.getvalue(), re.S))
    for day in ("6 Aug 2021", "12 Aug 2021", "15 Aug 2021"):
        assert day in texts
    assert len(figure.axes) == 3 + 1  # three maps and the legend


def test_gif_has_a_frame_per_date_within_size(demo_timeline):
    from PIL import Image

    seen = []
    data = render_animation(demo_timeline, format="gif", width_px=800, progress=lambda d, t: seen.append((d, t)))
    n = len(demo_timeline.reporting_dates)
    assert seen[-1] == (n, n)
    assert len(data) <= 2_000_000
    gif = Image.open(io.BytesIO(data))
    assert gif.n_frames == n
    assert gif.size[0] == 800
    gif.seek(n - 1)
    last = np.asarray(gif.convert("RGB"))
    assert has_colour(last, drawn(demo_timeline.scheme.color("taliban")), tolerance=12)


def test_mp4_is_an_h264_video(demo_timeline):
    pytest.importorskip("imageio_ffmpeg", reason="imageio-ffmpeg not installed: pip install imageio-ffmpeg")
    data = render_animation(demo_timeline, format="mp4", width_px=320, seconds_per_date=0.2)
    assert data[4:8] == b"ftyp"
    assert b"avc1" in data[:4096] or b"avc1" in data


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"date": "2001-01-01"}, r"before the timeline's first reporting date \(2021-05-11; the last is 2021-09-06\)"),
        ({"date_format": "none"}, "date format"),
    ],
)
def test_bad_image_options(demo_timeline, options, message):
    with pytest.raises(InputError, match=message):
        render_image(demo_timeline, **options)


def test_a_date_after_the_last_shows_the_last(demo_timeline):
    from geomap.render.image import pick_date

    dates = demo_timeline.reporting_dates
    assert pick_date(dates, "2030-01-01") == pick_date(dates, None) == len(dates) - 1
    assert pick_date(dates, dates[1]) == 1


def write_reports(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(
        "date,place,status\n2021-08-06,Zaranj,taliban\n2021-08-12,Herat,taliban\n2021-08-15,Kabul,taliban\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_cli_image_writes_each_format(tmp_path, capsys, suffix):
    from geomap.cli import main

    out = tmp_path / f"map.{suffix}"
    args = [
        "image",
        str(write_reports(tmp_path)),
        "-o",
        str(out),
        "--date",
        "2021-08-12",
        "--dpi",
        "60",
        "--width",
        "4",
    ]
    assert main(args) == 0
    head = out.read_bytes()[:8]
    assert {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}[suffix] in head


def test_cli_png_at_300_dpi(tmp_path):
    from PIL import Image

    from geomap.cli import main

    out = tmp_path / "map.png"
    assert main(["image", str(write_reports(tmp_path)), "-o", str(out), "--width", "3"]) == 0
    image = Image.open(out)
    assert round(image.info["dpi"][0]) == 300
    assert image.size[0] == 900


@pytest.mark.parametrize(
    ("command", "name", "extra", "message"),
    [
        ("image", "map.jpg", [], "geomap image draws PNG, SVG or PDF, not .jpg; give -o a name ending in .png"),
        ("animate", "map.avi", [], "geomap animate draws GIF or MP4, not .avi; give -o a name ending in .gif or .mp4"),
        ("image", "map.png", ["--date", "2001-01-01"], "before the timeline's first reporting date"),
        ("image", "blocker/map.png", [], "blocker"),
        ("image", "map.png", ["--grid", "--date", "2021-08-12"], "with --grid choose the dates with --dates"),
    ],
)
def test_cli_bad_picture_input_writes_nothing(tmp_path, capsys, command, name, extra, message):
    from geomap.cli import main

    reports = write_reports(tmp_path)
    (tmp_path / "blocker").write_text("a file, not a folder", encoding="utf-8")
    out = tmp_path / name
    assert main([command, str(reports), "-o", str(out), *extra]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / name).is_file() or name.startswith("blocker")
    assert {p.name for p in tmp_path.iterdir()} == {"reports.csv", "blocker"}


def test_cli_failure_keeps_an_existing_image(tmp_path, capsys):
    from geomap.cli import main

    out = tmp_path / "map.png"
    out.write_bytes(b"old picture")
    assert main(["image", str(write_reports(tmp_path)), "-o", str(out), "--date", "1999-01-01"]) == 1
    assert out.read_bytes() == b"old picture"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_animate_gif(tmp_path, capsys, monkeypatch):
    import sys

    from PIL import Image

    from geomap.cli import main

    out = tmp_path / "timeline.gif"
    assert main(["animate", str(write_reports(tmp_path)), "-o", str(out), "--width", "320"]) == 0
    assert Image.open(out).n_frames == 3
    assert "frames" not in capsys.readouterr().err  # no progress bar in a log
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main(["animate", str(write_reports(tmp_path)), "-o", str(out), "--width", "320"]) == 0
    assert "frames" in capsys.readouterr().err  # on a terminal, the progress bar


def test_timeline_plot_is_render_image(demo_timeline):
    figure = demo_timeline.plot(date="2021-08-15", labels=False)
    out = io.StringIO()
    figure.savefig(out, format="svg")
    assert "15 Aug 2021" in out.getvalue()
    assert "Kandahar" not in out.getvalue()


def test_three_digit_counts_end_clear_of_the_legend_swatches():
    import geopandas as gpd
    from matplotlib.patches import Rectangle
    from shapely.geometry import box

    from geomap.timeline import ControlTimeline

    cells = [box(61 + 0.5 * i, 30 + 0.4 * j, 61.5 + 0.5 * i, 30.4 + 0.4 * j) for i in range(20) for j in range(20)]
    areas = gpd.GeoDataFrame(
        {"area_id": [f"c{k:03d}" for k in range(400)], "area_name": [f"Cell {k}" for k in range(400)]},
        geometry=cells,
        crs="EPSG:4326",
    )
    reports = pd.DataFrame(
        {"date": ["2021-08-01"], "place": ["x"], "status": ["taliban"], "lat": [30.2], "lon": [61.2]}
    )
    figure = render_image(ControlTimeline.from_reports(reports, boundaries=areas), labels=False)
    side = figure.axes[-1]
    counts = [t for t in side.texts if re.fullmatch(r"\d+ of 400", t.get_text())]
    assert sorted(t.get_text() for t in counts) == ["0 of 400", "0 of 400", "1 of 400", "399 of 400"]
    swatches_end = max(
        p.get_window_extent().x1 for p in side.patches if isinstance(p, Rectangle) and p.get_facecolor()[3] > 0
    )
    assert min(t.get_window_extent().x0 for t in counts) > swatches_end


def test_a_grid_of_more_dates_than_a_sheet_holds_is_refused(demo_timeline, monkeypatch):
    import geomap.render.image

    monkeypatch.setattr(geomap.render.image, "MAX_GRID_DATES", 5)
    with pytest.raises(InputError, match=r"the timeline has 20, more than 5; choose the dates to show"):
        render_image(demo_timeline, grid=True)


def test_an_animation_whose_frames_would_not_fit_in_memory_is_refused_before_drawing(tmp_path, capsys, monkeypatch):
    import geomap.render.image
    from geomap.cli import main

    monkeypatch.setattr(geomap.render.image, "MAX_ANIMATION_BYTES", 1_000_000)  # three 320-pixel frames: ~0.6 MB
    out = tmp_path / "timeline.gif"
    assert main(["animate", str(write_reports(tmp_path)), "-o", str(out), "--width", "800"]) == 1
    err = capsys.readouterr().err
    assert re.search(
        r"an animation of 3 frames of 800 x \d+ pixels needs 0\.\d GB of memory, more than 0\.0 GB; report weekly "
        r"\(--freq W\), give the dates \(--dates\) or draw it narrower \(--width\)",
        err,
    )
    assert not out.exists()
    assert main(["animate", str(write_reports(tmp_path)), "-o", str(out), "--width", "320"]) == 0


@pytest.mark.parametrize("width", [10, 20])
def test_every_capital_has_its_dot_every_area_its_name_at_any_width(demo_timeline, width):
    import geomap

    provinces = geomap.load_provinces()
    figure = render_image(demo_timeline, date="2021-08-14", width=width)
    ax = figure.axes[0]
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert len(dots) == 34  # a map of who holds the provincial capitals shows every one
    texts = [t.get_text() for t in ax.texts]
    assert set(provinces["name"]) <= set(texts)  # no area's name given up for a dot
    # capitals' names, where they fit, as many on a wide sheet as on the default one
    only_capital = set(provinces["capital"]) - set(provinces["name"])
    assert len([t for t in texts if t in only_capital]) >= 10
