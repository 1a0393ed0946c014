"""From an event's kind and its actors' sides to a status, listing actors the mapping does not know."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geomap.importers.actors import IGNORED, ActorMapping
from geomap.scheme import StatusScheme

TAKES = "takes"
"""The first actor holds the place after the event (territory taken or regained)."""
CLASH = "clash"
"""Two sides fought over the place: contested."""
NONE = "none"
"""The event says nothing about control."""
CONTESTED = "contested"

UNMAPPED_COLUMNS = ("actor", "column", "first_row", "events")


def decide_statuses(
    frame: pd.DataFrame,
    effect: np.ndarray,
    actor_columns: tuple[str, str],
    mapping: ActorMapping,
    scheme: StatusScheme,
) -> tuple[np.ndarray, pd.DataFrame, dict[str, int]]:
    """The status each event reports (``""`` when it reports none).

    Returns
    -------
    (status, unmapped, skipped)
        ``status`` per row; ``unmapped``: one row per actor with no side in the
        mapping (``actor, column, first_row, events``: how many events it kept
        from being read); ``skipped``: why other rows gave no report, with counts.
    """
    first, second = actor_columns
    actors1 = frame[first].str.strip()
    actors2 = frame[second].str.strip()
    sides = mapping.sides(pd.unique(np.concatenate([actors1.to_numpy(), actors2.to_numpy()])))
    # Unmapped actors map to "?" rather than None, which pandas would turn into NaN.
    known = {actor: "?" if side is None else side for actor, side in sides.items()}
    side1 = actors1.map(known).to_numpy(object)
    side2 = actors2.map(known).to_numpy(object)
    has2 = (actors2 != "").to_numpy()
    takes, clash = effect == TAKES, effect == CLASH
    real1 = (side1 != "?") & (side1 != IGNORED)
    real2 = (side2 != "?") & (side2 != IGNORED)
    unmapped1 = (takes | clash) & (side1 == "?")
    unmapped2 = clash & has2 & (side2 == "?")

    status = np.full(len(frame), "", dtype=object)
    status[takes & real1] = side1[takes & real1]
    can_contest = CONTESTED in scheme.keys
    fought = clash & real1 & real2 & (side1 != side2)
    if can_contest:
        status[fought] = CONTESTED

    blocked = unmapped1 | unmapped2
    neutral = ((takes & (side1 == IGNORED)) | (clash & has2 & ((side1 == IGNORED) | (side2 == IGNORED)))) & ~blocked
    skipped = {
        "not about control": int((effect == NONE).sum()),
        "an actor with no side in the mapping": int(blocked.sum()),
        "an actor that takes no side": int(neutral.sum()),
        "fighting within one side": int((clash & real1 & real2 & (side1 == side2)).sum()),
        "fighting with one named side": int((clash & ~has2 & ~blocked).sum()),
    }
    if not can_contest:
        skipped["fighting (the scheme has no contested status)"] = int(fought.sum())
    rows = frame["_row"].to_numpy()
    listed = pd.concat(
        [
            pd.DataFrame({"actor": actors1[unmapped1].to_numpy(), "column": first, "row": rows[unmapped1]}),
            pd.DataFrame({"actor": actors2[unmapped2].to_numpy(), "column": second, "row": rows[unmapped2]}),
        ]
    )
    listed = listed.sort_values("row", kind="stable")
    grouped = listed.groupby("actor", sort=False)
    unmapped = pd.DataFrame(
        {
            "column": grouped["column"].first(),
            "first_row": grouped["row"].first(),
            "events": grouped["row"].nunique(),
        }
    ).reset_index()
    unmapped = unmapped.sort_values(["events", "first_row"], ascending=[False, True], kind="stable")
    unmapped = unmapped.reset_index(drop=True)
    return status, unmapped[list(UNMAPPED_COLUMNS)], {k: v for k, v in skipped.items() if v}
