"""The look shared by the page and the images: the default palette under colour-vision deficiency, dates."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from geomap.errors import InputError
from geomap.render.style import FILL_OPACITY, check_date_format, format_date, hatched
from geomap.scheme import AFGHANISTAN_2021

# Machado, Oliveira & Fernandes (2009), full severity, applied to linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "normal": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
}


def linear(rgb):
    rgb = np.asarray(rgb, dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def lab(lin):
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def shown(color: str) -> np.ndarray:
    """The status colour as the map shows it (fill opacity over the background), linear RGB."""
    from geomap.render.image import _rgba

    return linear(_rgba(color, FILL_OPACITY)[:3])


@pytest.mark.parametrize("vision", list(CVD))
def test_default_palette_stays_distinct_under_colour_vision_deficiency(vision):
    matrix = np.array(CVD[vision])
    colours = {s.key: lab(np.clip(matrix @ shown(s.color), 0, 1)) for s in AFGHANISTAN_2021.statuses}
    for (a, la), (b, lb) in itertools.combinations(colours.items(), 2):
        distance = float(np.linalg.norm(la - lb))
        # Hatched statuses are told apart by their pattern too; the others need a clear colour difference.
        floor = 12 if hatched(a, AFGHANISTAN_2021) or hatched(b, AFGHANISTAN_2021) else 20
        assert distance >= floor, (vision, a, b, round(distance, 1))


def test_dates_default_to_day_month_year():
    assert format_date(dt.date(2021, 8, 6)) == "6 Aug 2021"
    assert format_date("2021-08-12") == "12 Aug 2021"
    assert format_date(dt.date(2021, 8, 6), "%Y-%m-%d") == "2021-08-06"
    assert check_date_format(None) is None
    for bad in ("plain", "%Y" * 40):
        with pytest.raises(InputError, match="date format"):
            check_date_format(bad)


def test_a_date_format_with_an_unknown_directive_or_no_date_is_refused():
    for good in ("%d %B %Y", "%Y-%m-%d", "%-d %b", "%e %b %Y", "week %W of %Y", "%d%%", "%F", "%_d %h", "%G-W%V"):
        assert check_date_format(good) == good
    with pytest.raises(InputError, match=r"^date format '%Q %d': '%Q' is not a date directive"):
        check_date_format("%Q %d")  # strftime would print '%Q 12': the dates told apart by the day only
    with pytest.raises(InputError, match=r"^date format '100%': '%' is not a date directive"):
        check_date_format("100%")
    with pytest.raises(InputError, match=r"^date format '%d %-': '%-' is not a date directive"):
        check_date_format("%d %-")
    with pytest.raises(InputError, match=r"^date format '%%' shows no part of the date"):
        check_date_format("%%")
