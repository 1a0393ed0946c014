"""Still images and animations of a control timeline, drawn with matplotlib.

The same colours, hatching, names and legend as the HTML map (:mod:`geomap.render.style`,
:mod:`geomap.render.labels`): :func:`render_image` returns a matplotlib ``Figure`` for one date
or a grid of dates (save it as PNG, SVG or PDF); :func:`render_animation` returns the bytes of a
GIF or MP4 with one frame per reporting date. Nothing here writes a file the caller asked for:
the CLI saves the figure or the bytes atomically.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from geomap.errors import InputError
from geomap.render.geometry import display_geometries, neighbour_polygons, outline_of
from geomap.render.labels import area_label_candidates, capital_points, country_labels
from geomap.render.mapdata import MapData, map_data
from geomap.render.style import (
    AREA_EDGE,
    BACKDROP_LINE,
    BACKGROUND,
    CHANGED_EDGE,
    FILL_OPACITY,
    OUTLINE,
    check_date_format,
    format_date,
    hatched,
)
from geomap.schema import AREA_ID, AREA_NAME

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure

    from geomap.timeline import ControlTimeline

__all__ = ["ANIMATION_FORMATS", "IMAGE_FORMATS", "pick_date", "render_animation", "render_image"]

IMAGE_FORMATS = ("png", "svg", "pdf")
"""Still image formats (the file extension names the format)."""

ANIMATION_FORMATS = ("gif", "mp4")
"""Animation formats (the file extension names the format)."""

_HATCH = "////"
MAX_ANIMATION_BYTES = 2_000_000_000
"""Memory the frames of an animation may take (they are encoded together): about 1,800 frames 800 pixels wide."""
MAX_GRID_DATES = 120
"""Small maps a grid image draws at most."""
_COUNT_LEFT, _COUNT_RIGHT = 0.125, 0.34
"""Where the legend's counts may run, in the side panel's width: right of the swatches, left of the labels."""
_FONT = "DejaVu Sans"


@dataclass
class _Scene:
    """What every frame shares: geometry as matplotlib paths, label places, the backdrop."""

    data: MapData
    paths: list[Any]
    outline: list[Any]
    borders: list[np.ndarray]
    bounds: tuple[float, float, float, float]
    candidates: list[list[tuple[float, float]]]
    capitals: list[tuple[int, str, float, float]]
    countries: list[tuple[str, float, float]]
    date_format: str | None
    title: str | None
    credit: str


def render_image(
    timeline: ControlTimeline,
    path: str | os.PathLike[str] | None = None,
    *,
    date: dt.date | str | None = None,
    grid: bool = False,
    title: str | None = None,
    labels: bool = True,
    date_format: str | None = None,
    width: float = 10.0,
    credit: str | None = None,
    dpi: int = 300,
) -> Figure:
    """Draw the timeline on one date (or every reporting date, as small multiples) as a figure.

    Parameters
    ----------
    timeline
        A :class:`geomap.timeline.ControlTimeline`.
    path
        Also write the figure here (atomically), as PNG, SVG or PDF by the file's extension.
    date
        The date to show (the reporting date on or before it); default the last one. Ignored
        with ``grid``.
    grid
        One small map per reporting date on one sheet (choose the dates with the timeline's
        reporting dates, e.g. ``--dates`` on the command line).
    title
        Title above the map; default none.
    labels
        Names of areas, capitals and neighbouring countries.
    date_format
        ``strftime`` format of the dates; default "12 Aug 2021".
    width
        Figure width in inches (the height follows the map).
    credit
        Source line at the bottom; default names the bundled boundaries' sources.
    dpi
        Resolution of a PNG written to ``path``.

    Returns
    -------
    matplotlib.figure.Figure
        Save it with ``fig.savefig("map.png", dpi=300)`` (or ``.svg``, ``.pdf``), or pass ``path``.

    Raises
    ------
    InputError
        A date before the timeline's first reporting date, a bad date format, or a ``path`` whose
        extension is not ``.png``, ``.svg`` or ``.pdf``.
    """
    fmt = _image_format(path) if path is not None else None
    if grid and len(timeline.reporting_dates) > MAX_GRID_DATES:
        raise InputError(
            f"grid: one small map per reporting date, and the timeline has {len(timeline.reporting_dates):,}, "
            f"more than {MAX_GRID_DATES}; choose the dates to show (--dates, or dates= when building the timeline)"
        )
    scene = _scene(timeline, title=title, labels=labels, date_format=date_format, credit=credit)
    if grid:
        figure = _grid_figure(scene, width)
    else:
        index = pick_date(scene.data.dates, date)
        figure, drawn = _single_figure(scene, width)
        drawn(index)
    if path is not None:
        from geomap._io import atomic_path

        with atomic_path(path) as tmp:
            figure.savefig(tmp, format=fmt, dpi=dpi, facecolor="white")
    return figure


def _image_format(path: str | os.PathLike[str]) -> str:
    """The image format a file's extension names (``"png"``, ``"svg"``, ``"pdf"``)."""
    fmt = os.path.splitext(os.fspath(path))[1].lstrip(".").lower()
    if fmt not in IMAGE_FORMATS:
        raise InputError(
            f"{os.fspath(path)}: an image is written as {', '.join('.' + f for f in IMAGE_FORMATS)}; "
            "give a file name ending so"
        )
    return fmt


def render_animation(
    timeline: ControlTimeline,
    *,
    format: str = "gif",
    width_px: int = 800,
    seconds_per_date: float = 0.8,
    title: str | None = None,
    labels: bool = True,
    date_format: str | None = None,
    credit: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """One frame per reporting date, the date large, with counts: the bytes of a GIF or MP4.

    Parameters
    ----------
    timeline
        A :class:`geomap.timeline.ControlTimeline`.
    format
        ``"gif"`` (Pillow) or ``"mp4"`` (H.264 through the ``imageio-ffmpeg`` package).
    width_px
        Frame width in pixels.
    seconds_per_date
        How long each date stays on screen (the last one three times as long).
    title, labels, date_format, credit
        As for :func:`render_image`.
    progress
        Called as ``progress(done, total)`` after each frame.

    Returns
    -------
    bytes
        The encoded animation.

    Raises
    ------
    InputError
        An unknown format, a bad size, or MP4 without ``imageio-ffmpeg``.
    """
    format = str(format).lower()
    if format not in ANIMATION_FORMATS:
        raise InputError(f"format: animation format {format!r} is not one of {', '.join(ANIMATION_FORMATS)}")
    if not 160 <= int(width_px) <= 4000:
        raise InputError(f"animation width {width_px!r} must be between 160 and 4000 pixels")
    if format == "mp4":
        _ffmpeg()  # fail before drawing anything
    scene = _scene(timeline, title=title, labels=labels, date_format=date_format, credit=credit)
    dpi = 100
    figure, drawn = _single_figure(scene, width_px / dpi)
    frames = []
    total = len(scene.data.dates)
    width, height = (round(v * dpi) for v in figure.get_size_inches())
    needed = total * width * height * 3  # the frames are encoded together, so all are held at once
    if needed > MAX_ANIMATION_BYTES:
        _close(figure)
        raise InputError(
            f"an animation of {total:,} frames of {width} x {height} pixels needs {needed / 1e9:.1f} GB of memory, "
            f"more than {MAX_ANIMATION_BYTES / 1e9:.1f} GB; report weekly (--freq W), give the dates (--dates) "
            "or draw it narrower (--width)"
        )
    for j in range(total):
        drawn(j)
        figure.canvas.draw()
        rgba = np.asarray(_agg_canvas(figure).buffer_rgba())  # type: ignore[no-untyped-call]
        frames.append(rgba[:, :, :3].copy())
        if progress is not None:
            progress(j + 1, total)
    _close(figure)
    durations = [seconds_per_date] * (total - 1) + [seconds_per_date * 3]
    return _encode_gif(frames, durations) if format == "gif" else _encode_mp4(frames, seconds_per_date)


def pick_date(dates: Sequence[dt.date], date: dt.date | str | None) -> int:
    """Index of the reporting date on or before ``date`` (default the last), as ``status(on=)`` and
    ``export --as-of`` read a date: a date after the last is the last; one before the first is refused."""
    if date is None:
        return len(dates) - 1
    from geomap.dates import parse_date

    day = parse_date(date, "date")
    if day < dates[0]:
        raise InputError(
            f"date: {day.isoformat()} is before the timeline's first reporting date ({dates[0].isoformat()}; "
            f"the last is {dates[-1].isoformat()}); pick a date from then on"
        )
    return max(j for j, d in enumerate(dates) if d <= day)


# --------------------------------------------------------------------------------------------------
# Scene


def _scene(timeline: Any, *, title: str | None, labels: bool, date_format: str | None, credit: str | None) -> _Scene:
    date_format = check_date_format(date_format)
    data = map_data(timeline, title=title)
    geoms = display_geometries(data.areas.geometry.values, 0.005)
    west, south, east, north = (float(v) for v in shapely.total_bounds(geoms))
    bounds = (west, south, east, north)
    neighbours = neighbour_polygons(bounds)
    borders: list[np.ndarray] = []
    if neighbours:
        lines = shapely.union_all(shapely.boundary([g for _, g in neighbours]))
        extent = shapely.box(*shapely.total_bounds([g for _, g in neighbours]))
        lines = shapely.difference(lines, shapely.boundary(extent).buffer(1e-6))
        borders = [shapely.get_coordinates(p) for p in shapely.get_parts(lines) if p.geom_type == "LineString"]
    if credit is None:
        credit = _default_credit(data)
    return _Scene(
        data=data,
        paths=[_path(g) for g in geoms],
        outline=[_path(outline_of(geoms))],
        borders=borders,
        bounds=bounds,
        candidates=area_label_candidates(geoms) if labels else [],
        capitals=capital_points(data.areas[AREA_ID].tolist(), geoms) if labels else [],
        countries=country_labels(bounds) if labels else [],
        date_format=date_format,
        title=title,
        credit=credit,
    )


def _default_credit(data: MapData) -> str:
    if data.area_noun in ("provinces", "districts"):
        return "Boundaries: geoBoundaries (AIMS), Natural Earth. Made with geomap."
    return "Made with geomap."


def _path(geom: Any) -> Any:
    """A (multi)polygon as one matplotlib Path (holes included)."""
    from matplotlib.path import Path

    vertices, codes = [], []
    for polygon in shapely.get_parts(geom):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring.coords)
            vertices.append(xy)
            ring_codes = np.full(len(xy), Path.LINETO, dtype=np.uint8)
            ring_codes[0] = Path.MOVETO
            ring_codes[-1] = Path.CLOSEPOLY
            codes.append(ring_codes)
    if not vertices:
        return Path(np.zeros((1, 2)))
    return Path(np.concatenate(vertices), np.concatenate(codes))


# --------------------------------------------------------------------------------------------------
# Figures


def _literal(text: str) -> str:
    """Text that matplotlib draws as written: ``$`` would otherwise start mathtext."""
    return str(text).replace("$", r"\$")


def _aspect(bounds: Sequence[float]) -> float:
    """Height/width of the map for an equirectangular view at the map's middle latitude."""
    minx, miny, maxx, maxy = bounds
    stretch = 1 / max(math.cos(math.radians((miny + maxy) / 2)), 0.2)
    return (maxy - miny) * stretch / max(maxx - minx, 1e-9)


def _single_figure(scene: _Scene, width: float) -> tuple[Figure, Callable[[int], None]]:
    """A figure with the map on the left and title, date, legend with counts on the right."""
    import matplotlib

    matplotlib.rcParams["svg.fonttype"] = "none"  # text in SVGs stays text
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    map_share = 0.68
    margin = 0.06
    aspect = _aspect(scene.bounds)
    height = max(width * map_share * aspect * (1 + 2 * margin), width * 0.45)
    figure = Figure(figsize=(width, height), facecolor="white")
    FigureCanvasAgg(figure)  # frames are read back as pixels (_agg_canvas)
    ax = figure.add_axes((0.0, 0.0, map_share, 1.0))
    side = figure.add_axes((map_share, 0.0, 1 - map_share, 1.0))
    side.set_axis_off()
    scale = width / 10.0
    drawer = _MapDrawer(scene, ax, scale=scale, legend=side)
    return figure, drawer.draw


def _agg_canvas(figure: Figure) -> FigureCanvasAgg:
    """The Agg canvas :func:`_single_figure` attached, whose pixels can be read back."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = figure.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        raise TypeError("the figure has no Agg canvas to read pixels from")
    return canvas


def _grid_figure(scene: _Scene, width: float) -> Figure:
    import matplotlib

    matplotlib.rcParams["svg.fonttype"] = "none"
    from matplotlib.figure import Figure

    n = len(scene.data.dates)
    columns = min(n, 4 if n > 6 else 3 if n > 4 else n)
    rows = math.ceil(n / columns)
    aspect = _aspect(scene.bounds)
    cell_w = width / columns
    header, footer = 0.7, 1.0 + 0.22 * len(scene.data.scheme.statuses) / 2
    height = rows * cell_w * aspect * 1.12 + header + footer
    figure = Figure(figsize=(width, height), facecolor="white")
    scale = min(1.0, cell_w / 4.5)
    for j in range(n):
        r, c = divmod(j, columns)
        bottom = 1 - (header + (r + 1) * cell_w * aspect * 1.12) / height
        ax = figure.add_axes((c / columns, bottom, 1 / columns, cell_w * aspect * 1.12 / height))
        drawer = _MapDrawer(scene, ax, scale=scale, legend=None, small=True)
        drawer.draw(j)
    if scene.title:
        figure.text(0.5, 1 - 0.3 / height, _literal(scene.title), ha="center", va="top", fontsize=16, weight="bold")
    legend = figure.add_axes((0.02, 0.0, 0.96, (footer - 0.1) / height))
    legend.set_axis_off()
    _legend_row(legend, scene)
    return figure


class _MapDrawer:
    """Draws one map axes; :meth:`draw` recolours it for a date (used per frame)."""

    def __init__(self, scene: _Scene, ax: Any, *, scale: float, legend: Any, small: bool = False) -> None:
        from matplotlib.collections import LineCollection, PathCollection

        self.scene, self.ax, self.scale, self.small, self.side = scene, ax, scale, small, legend
        data = scene.data
        minx, miny, maxx, maxy = scene.bounds
        pad_x, pad_y = (maxx - minx) * 0.06, (maxy - miny) * 0.06
        ax.set_xlim(minx - pad_x, maxx + pad_x)
        ax.set_ylim(miny - pad_y, maxy + pad_y)
        ax.set_aspect(1 / max(math.cos(math.radians((miny + maxy) / 2)), 0.2))
        ax.set_facecolor(BACKGROUND)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if scene.borders:
            ax.add_collection(LineCollection(scene.borders, colors=BACKDROP_LINE, linewidths=0.7 * scale, zorder=1))
        self.areas = PathCollection(scene.paths, linewidths=0.5 * scale, edgecolors=AREA_EDGE, zorder=2)
        ax.add_collection(self.areas)
        self.hatch: PathCollection | None = None
        self.changed: PathCollection | None = None
        ax.add_collection(
            PathCollection(scene.outline, facecolors="none", edgecolors=OUTLINE, linewidths=1.3 * scale, zorder=5)
        )
        self.colors = np.array([_rgba(s.color, FILL_OPACITY) for s in data.scheme.statuses])
        self.hatched = np.array([hatched(s.key, data.scheme) for s in data.scheme.statuses])
        self.label_artists: list[Any] = []
        if (scene.candidates or scene.countries) and not small:
            self._labels()  # small multiples stay unlabelled: names would crowd them
        self._scale_bar()
        if small:
            self.date_text = ax.set_title("", fontsize=11 * max(scale, 0.8), weight="bold", pad=3)
        else:
            self._side_panel()

    # Frame -------------------------------------------------------------------------------------------
    def draw(self, j: int) -> None:
        from matplotlib.collections import PathCollection

        data = self.scene.data
        codes = np.asarray(data.codes)[:, j].astype(int)
        self.areas.set_facecolor(self.colors[codes])
        for artist in (self.hatch, self.changed):
            if artist is not None:
                artist.remove()
        striped = [p for p, c in zip(self.scene.paths, codes, strict=True) if self.hatched[c]]
        self.hatch = PathCollection(
            striped, facecolors="none", edgecolors="#2b2b2b", linewidths=0, hatch=_HATCH, alpha=0.55, zorder=3
        )
        self.ax.add_collection(self.hatch)
        changed = (
            np.empty(0, dtype=np.int64)
            if j == 0
            else np.flatnonzero(codes != np.asarray(data.codes)[:, j - 1].astype(int))
        )
        self.changed = PathCollection(
            [self.scene.paths[i] for i in changed],
            facecolors="none",
            edgecolors=CHANGED_EDGE,
            linewidths=1.8 * self.scale,
            zorder=4,
        )
        self.ax.add_collection(self.changed)
        day = format_date(data.dates[j], self.scene.date_format)
        if self.small:
            self.date_text.set_text(_literal(day))
            return
        self.date_text.set_text(_literal(day))
        counts = np.bincount(codes, minlength=len(data.scheme.statuses))
        total = len(codes)
        for text, n in zip(self.count_texts, counts, strict=True):
            text.set_text(f"{n} of {total}")
        if j == 0:
            self.changed_text.set_text("first reporting date")
        else:
            since = format_date(data.dates[j - 1], self.scene.date_format)
            self.changed_text.set_text(_literal(f"{len(changed)} changed since {since}"))

    # Parts -------------------------------------------------------------------------------------------
    def _side_panel(self) -> None:
        from matplotlib.patches import Rectangle

        side, scene, s = self.side, self.scene, self.scale
        data = scene.data
        y = 0.95
        if scene.title:
            side.text(0.04, y, _literal(scene.title), fontsize=14 * s, weight="bold", va="top", wrap=True)
            y -= 0.1
        self.date_text = side.text(0.04, y, "", fontsize=24 * s, weight="bold", va="top")
        y -= 0.12
        side.text(0.04, y, _literal(f"{data.area_noun.capitalize()} by status"), fontsize=10 * s, va="top")
        y -= 0.06
        self.count_texts = []
        for status, color, striped in zip(data.scheme.statuses, self.colors, self.hatched, strict=True):
            side.add_patch(
                Rectangle((0.04, y - 0.035), 0.07, 0.035, facecolor=color, edgecolor=AREA_EDGE, linewidth=0.6)
            )
            if striped:
                side.add_patch(
                    Rectangle(
                        (0.04, y - 0.035),
                        0.07,
                        0.035,
                        facecolor="none",
                        edgecolor="#2b2b2b",
                        hatch=_HATCH,
                        linewidth=0,
                        alpha=0.55,
                    )
                )
            self.count_texts.append(side.text(_COUNT_RIGHT, y - 0.018, "", fontsize=10 * s, va="center", ha="right"))
            label = "\n".join(textwrap.wrap(status.label, 24)) or " "
            side.text(0.38, y - 0.018, _literal(label), fontsize=9.5 * s, va="center", linespacing=1.0)
            y -= 0.06 + 0.03 * label.count("\n")
        self._fit_counts(side, f"{len(data.areas)} of {len(data.areas)}")
        side.add_patch(
            Rectangle((0.045, y - 0.03), 0.06, 0.025, facecolor="white", edgecolor=CHANGED_EDGE, linewidth=1.8 * s)
        )
        self.changed_text = side.text(0.14, y - 0.018, "", fontsize=10 * s, va="center")
        y -= 0.08
        first, last = data.dates[0], data.dates[-1]
        fmt = scene.date_format
        side.text(
            0.04,
            0.04,
            _literal(
                f"{len(data.areas)} {data.area_noun}, {len(data.dates)} reporting dates, "
                f"{format_date(first, fmt)} \u2013 {format_date(last, fmt)}.\n{scene.credit}"
            ),
            fontsize=7 * s,
            color="#555555",
            va="bottom",
            wrap=True,
        )

    def _fit_counts(self, side: Axes, widest: str) -> None:
        """Shrink the counts' font until the widest count ("398 of 398") ends clear of the swatches."""
        if not self.count_texts:
            return
        probe = self.count_texts[0]
        probe.set_text(widest)
        box = probe.get_window_extent().transformed(side.transAxes.inverted())
        probe.set_text("")
        room = _COUNT_RIGHT - _COUNT_LEFT
        if box.width > room:
            size = probe.get_fontsize() * room / box.width
            for text in self.count_texts:
                text.set_fontsize(size)

    def _labels(self) -> None:
        """Names in priority order (countries, areas smallest first, capitals), skipping overlaps."""
        ax, scene, s = self.ax, self.scene, self.scale
        figure = ax.figure
        to_px = ax.transData.transform
        placed: list[tuple[float, float, float, float]] = []
        px_per_pt = figure.dpi / 72

        def box(
            x: float, y: float, text: str, size: float, anchor: str = "center"
        ) -> tuple[float, float, float, float]:
            w = 0.66 * size * len(text) * px_per_pt
            h = 1.2 * size * px_per_pt
            left = x - w / 2 if anchor == "center" else x
            return (left, y - h / 2, left + w, y + h / 2)

        def free(
            b: tuple[float, float, float, float], others: list[tuple[float, float, float, float]] | None = None
        ) -> bool:
            """Whether box ``b`` overlaps none of ``others`` (default: the names placed so far)."""
            return all(
                not (b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3])
                for o in (placed if others is None else others)
            )

        # A light box rather than a stroke: stroked text would be drawn as paths, and SVG text must stay text.
        halo = {"boxstyle": "round,pad=0.12", "facecolor": (1, 1, 1, 0.55), "edgecolor": "none"}
        (xmin, xmax), (ymin, ymax) = ax.get_xlim(), ax.get_ylim()
        for name, lon, lat in scene.countries:
            # Keep a country's name in view, as the page does.
            lon = min(max(lon, xmin + (xmax - xmin) * 0.1), xmax - (xmax - xmin) * 0.1)
            lat = min(max(lat, ymin + (ymax - ymin) * 0.04), ymax - (ymax - ymin) * 0.04)
            if scene.outline[0].contains_point((lon, lat)):
                continue  # pushed into view it would sit on the areas themselves
            x, y = to_px((lon, lat))
            b = box(x, y, name.upper(), 8 * s)
            if free(b):
                placed.append(b)
                ax.text(
                    lon,
                    lat,
                    _literal(name.upper()),
                    fontsize=8 * s,
                    color="#6d675c",
                    ha="center",
                    va="center",
                    zorder=6,
                    clip_on=True,
                    bbox=halo,
                )
        dots: list[tuple[float, float, float, float]] = []
        if not self.small:  # every capital's dot is drawn (below): names go around them where they can
            radius = (3.5 / 2 + 0.5) * s * px_per_pt
            for _, _, lon, lat in scene.capitals:
                x, y = to_px((lon, lat))
                dots.append((x - radius, y - radius, x + radius, y + radius))
        names = scene.data.areas[AREA_NAME].tolist()
        extents = [p.get_extents() for p in scene.paths]
        order = sorted(range(len(names)), key=lambda i: extents[i].width * extents[i].height)
        size = 7 * s
        for i in order:
            options = scene.candidates[i] if i < len(scene.candidates) else []
            text = str(names[i])
            ex = extents[i]
            (x0, y0), (x1, y1) = to_px((ex.x0, ex.y0)), to_px((ex.x1, ex.y1))
            boxes = []
            for lon, lat in options:
                x, y = to_px((lon, lat))
                b = box(x, y, text, size)
                if b[2] - b[0] > 1.5 * (x1 - x0) or b[3] - b[1] > 1.2 * (y1 - y0):
                    break
                boxes.append((lon, lat, b))
            # a place clear of the capitals' dots, else any place clear of other names (an area's name
            # matters more than keeping clear of a dot)
            spot = next((c for c in boxes if free(c[2]) and free(c[2], dots)), None)
            spot = spot or next((c for c in boxes if free(c[2])), None)
            if spot is not None:
                lon, lat, b = spot
                placed.append(b)
                ax.text(
                    lon,
                    lat,
                    _literal(text),
                    fontsize=size,
                    weight="bold",
                    ha="center",
                    va="center",
                    color="#1e1e1e",
                    zorder=6,
                    bbox=halo,
                )
        if not self.small:
            for _, name, lon, lat in scene.capitals:
                # every capital's dot (a map of who holds the capitals must show them all); its name where
                # it fits, right of the dot or else left of it
                ax.plot(
                    [lon],
                    [lat],
                    "o",
                    markersize=3.5 * s,
                    markerfacecolor="white",
                    markeredgecolor="#222222",
                    markeredgewidth=1.1 * s,
                    zorder=6,
                )
                x, y = to_px((lon, lat))
                gap = 4 * s * px_per_pt  # where the name is drawn: 4 points (at this sheet's scale) from the dot
                right = box(x + gap, y, name, 6 * s, anchor="left")
                width = right[2] - right[0]
                left = (x - gap - width, right[1], x - gap, right[3])
                own = [d for d in dots if d[0] <= x <= d[2] and d[1] <= y <= d[3]]
                for b, offset, align in ((right, 4 * s, "left"), (left, -4 * s, "right")):
                    if free(b) and free(b, [d for d in dots if d not in own]):
                        placed.append(b)
                        ax.annotate(
                            _literal(name),
                            (lon, lat),
                            xytext=(offset, 0),
                            textcoords="offset points",
                            fontsize=6 * s,
                            ha=align,
                            va="center",
                            zorder=6,
                            bbox=halo,
                        )
                        break

    def _scale_bar(self) -> None:
        ax, s = self.ax, self.scale
        minx, miny, maxx, maxy = self.scene.bounds
        lat = (miny + maxy) / 2
        km_per_degree = 111.32 * math.cos(math.radians(lat))
        span_km = (maxx - minx) * km_per_degree
        length = next(v for v in (1000, 500, 200, 100, 50, 20, 10, 5, 2, 1) if v <= span_km / 4) if span_km >= 4 else 1
        x0 = minx
        y0 = miny - (maxy - miny) * 0.03
        x1 = x0 + length / km_per_degree
        ax.plot([x0, x1], [y0, y0], color="#333333", linewidth=2 * s, solid_capstyle="butt", zorder=6)
        ax.text((x0 + x1) / 2, y0, f"{length} km", fontsize=7 * s, ha="center", va="bottom", zorder=6)


def _legend_row(ax: Any, scene: _Scene) -> None:
    from matplotlib.patches import Rectangle

    statuses = scene.data.scheme.statuses
    n = len(statuses) + 1
    for k, status in enumerate(statuses):
        x = k / n
        color = _rgba(status.color, FILL_OPACITY)
        ax.add_patch(Rectangle((x + 0.01, 0.55), 0.03, 0.25, facecolor=color, edgecolor=AREA_EDGE, linewidth=0.6))
        if hatched(status.key, scene.data.scheme):
            ax.add_patch(
                Rectangle(
                    (x + 0.01, 0.55),
                    0.03,
                    0.25,
                    facecolor="none",
                    edgecolor="#2b2b2b",
                    hatch=_HATCH,
                    linewidth=0,
                    alpha=0.55,
                )
            )
        label = "\n".join(textwrap.wrap(status.label, 18)) or " "
        ax.text(x + 0.05, 0.67, _literal(label), fontsize=9, va="center", linespacing=1.0)
    x = (n - 1) / n
    ax.add_patch(Rectangle((x + 0.012, 0.58), 0.026, 0.19, facecolor="white", edgecolor=CHANGED_EDGE, linewidth=1.6))
    ax.text(x + 0.05, 0.67, "changed since\nthe date before", fontsize=9, va="center", linespacing=1.0)
    data = scene.data
    ax.text(
        0.0,
        0.1,
        _literal(f"{len(data.areas)} {data.area_noun}. {scene.credit}"),
        fontsize=7,
        color="#555555",
        va="bottom",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)


def _rgba(color: str, alpha: float) -> tuple[float, float, float, float]:
    """The colour as drawn over the white-ish background at ``alpha`` (opaque, like the page's swatches)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    bg = to_rgb(BACKGROUND)
    return (alpha * r + (1 - alpha) * bg[0], alpha * g + (1 - alpha) * bg[1], alpha * b + (1 - alpha) * bg[2], 1.0)


def _close(figure: Figure) -> None:
    figure.clear()


# --------------------------------------------------------------------------------------------------
# Encoders


def _encode_gif(frames: list[np.ndarray], durations: list[float]) -> bytes:
    from PIL import Image

    # One shared palette from all frames: flat map colours need few, and a shared one keeps colours steady.
    sample = np.concatenate([f[::4, ::4] for f in frames], axis=0)
    palette_image = Image.fromarray(sample).quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    images = [Image.fromarray(f).quantize(palette=palette_image, dither=Image.Dither.NONE) for f in frames]
    out = io.BytesIO()
    images[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=[round(d * 1000) for d in durations],
        loop=0,
        optimize=True,
        disposal=1,
    )
    return out.getvalue()


def _ffmpeg() -> str:
    try:
        import imageio_ffmpeg
    except ImportError:
        raise InputError("MP4 needs the imageio-ffmpeg package: pip install imageio-ffmpeg (or write a .gif)") from None
    exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


def _encode_mp4(frames: list[np.ndarray], seconds_per_date: float) -> bytes:
    import tempfile
    from pathlib import Path

    import imageio_ffmpeg

    _ffmpeg()
    fps = 10
    repeat = max(1, round(seconds_per_date * fps))
    height, width = frames[0].shape[:2]
    # H.264 in yuv420p needs even sizes.
    height, width = height - height % 2, width - width % 2
    with tempfile.TemporaryDirectory(prefix="geomap-video-") as folder:
        path = Path(folder) / "timeline.mp4"
        writer = imageio_ffmpeg.write_frames(
            str(path),
            (width, height),
            fps=fps,
            codec="libx264",
            pix_fmt_out="yuv420p",
            macro_block_size=1,
            output_params=["-movflags", "+faststart"],
            ffmpeg_log_level="error",
        )
        writer.send(None)
        for k, frame in enumerate(frames):
            copies = repeat * (3 if k == len(frames) - 1 else 1)
            data = np.ascontiguousarray(frame[:height, :width])
            for _ in range(copies):
                writer.send(data)
        writer.close()
        return path.read_bytes()
