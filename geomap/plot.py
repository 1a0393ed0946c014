"""Charts of a control timeline: how many areas had each status on each reporting date.

:func:`summary_table` gives the counts as a table with the scheme's labels;
:func:`plot_summary` draws them as stacked bars in the scheme's colours on a
matplotlib ``Axes``. Nothing here writes files: the caller saves the figure.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import pandas as pd

from geomap.schema import DATE

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from geomap.timeline import ControlTimeline


def summary_table(timeline: ControlTimeline, *, labels: bool = True) -> pd.DataFrame:
    """Counts of areas per status per reporting date.

    Parameters
    ----------
    timeline
        A :class:`geomap.timeline.ControlTimeline`.
    labels
        Name the columns with the scheme's labels ("Taliban control") rather than
        its keys ("taliban").

    Returns
    -------
    pandas.DataFrame
        One row per reporting date (column ``date``, ``datetime64[ns]``), one int
        column per status in scheme order; each row sums to the number of areas.
    """
    from geomap.timeline import check_timeline

    check_timeline(timeline)
    counts = timeline.summary()
    scheme = timeline.scheme
    table = counts.reindex(columns=scheme.keys, fill_value=0).astype(int)
    if labels:
        table.columns = [scheme.label(k) for k in scheme.keys]
    table.insert(0, DATE, pd.DatetimeIndex(counts.index).as_unit("ns"))
    return table.reset_index(drop=True)


def summary_by_province(timeline: ControlTimeline, *, rollup: str = "capital", labels: bool = True) -> pd.DataFrame:
    """Areas per status per province per reporting date; at district level with the province's rolled-up status.

    Parameters
    ----------
    timeline
        A :class:`geomap.timeline.ControlTimeline` on the bundled provinces or districts.
    rollup
        At district level, the roll-up rule for the ``status`` column: ``"capital"``
        or ``"majority"`` (see :mod:`geomap.levels`).
    labels
        Name the count columns with the scheme's labels rather than its keys.

    Returns
    -------
    pandas.DataFrame
        ``date`` (``datetime64[ns]``), ``province_iso``, ``province``, one int column per status,
        the number of areas; at district level then ``status`` (the rolled-up
        status's label) and ``rule`` (e.g. ``"capital: capital district Kandahar"``).
    """
    from geomap.timeline import check_timeline

    check_timeline(timeline)
    scheme = timeline.scheme
    if getattr(timeline, "level", None) == "district":
        table = timeline.rollup(rule=rollup)
        table["rule"] = [f"{rollup}: {why}" if why else rollup for why in table["decided_by"]]
        table = table.drop(columns=["status", "decided_by"]).rename(columns={"status_label": "status"})
        tail = ["districts", "status", "rule"]
    else:
        table = timeline.summary(by="province").rename(columns={"districts": "areas"})
        tail = ["areas"]
    table = table[["date", "province_iso", "province", *scheme.keys, *tail]].copy()
    table["date"] = pd.to_datetime(table["date"]).astype("datetime64[ns]")
    if labels:
        table = table.rename(columns={k: scheme.label(k) for k in scheme.keys})
    return table.reset_index(drop=True)


def plot_summary(timeline: ControlTimeline, ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """Draw the counts per status per reporting date as stacked bars.

    Parameters
    ----------
    timeline
        A :class:`geomap.timeline.ControlTimeline`.
    ax
        The matplotlib ``Axes`` to draw on; a new figure is made when ``None``.
    title
        Axes title; default names the scheme and the area noun.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (``ax.figure`` is the figure to save).
    """
    from geomap.timeline import check_timeline

    check_timeline(timeline)
    import matplotlib.pyplot as plt

    scheme = timeline.scheme
    counts = timeline.summary().reindex(columns=scheme.keys, fill_value=0).astype(int)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(counts) + 3), 4.5), layout="constrained")
    import matplotlib.dates as mdates

    # A real time axis, so that a gap between reporting dates shows as a gap.
    days = [pd.Timestamp(d).to_pydatetime() for d in counts.index]
    spacing = min((b - a).days for a, b in pairwise(days)) if len(days) > 1 else 1
    bottom = [0] * len(days)
    for key in scheme.keys:
        values = counts[key].tolist()
        label = _literal(scheme.label(key))
        ax.bar(days, values, bottom=bottom, color=scheme.color(key), label=label, width=0.8 * max(spacing, 1))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if len(days) <= 20:
        ax.set_xticks(days, [d.strftime("%Y-%m-%d") for d in days], rotation=60, ha="right", fontsize=8)
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator())  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))  # type: ignore[no-untyped-call]
        ax.tick_params(axis="x", labelrotation=60, labelsize=8)
    noun = getattr(timeline, "area_noun", "areas")
    ax.set_ylabel(f"number of {noun}")
    ax.set_xlabel("reporting date")
    ax.set_ylim(0, max(bottom, default=0) or 1)
    ax.set_title(_literal(title if title is not None else f"{scheme.name or 'Control'}: {noun} by status"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return ax


def _literal(text: str) -> str:
    """Text that matplotlib draws as written: ``$`` would otherwise start mathtext."""
    return text.replace("$", r"\$")
