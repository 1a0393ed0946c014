"""The Dask engine: the join and the per-date aggregation on a Dask cluster (``engine="dask"``).

* **Join.** Report points go to the workers as a dask-geopandas GeoDataFrame; each partition
  is joined to the areas with :func:`geomap.join.join_points`, the same code as in process, so
  border ties and snapping come out the same.
* **Aggregation.** Reports are partitioned by area (contiguous ranges of areas); each partition
  runs the columnar engine (:func:`geomap._columnar.decide`) for its areas on every reporting
  date, and the partial results are stitched back in area order. An area's status never needs
  another area's reports, so the result is the in-process result, array for array.

Work runs on the active ``distributed`` client when there is one (``Client("tcp://...")`` for a
real cluster), otherwise on Dask's default local scheduler. Needs the ``dask`` extra:
``pip install 'geomap[dask]'``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import shapely

from geomap._columnar import Decisions, decide, index_dtype
from geomap.errors import InputError

PARTITIONS = 8
"""How many pieces the reports are cut into (by area for the aggregation, by row for the join)."""


def require_dask() -> Any:
    """Import dask (and check the rest of the extra), or say how to install it."""
    try:
        import dask
        import dask.dataframe
        import dask_geopandas  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise InputError(
            f"the Dask engine needs dask, dask-geopandas and distributed ({exc.name} is missing); "
            "install them with: pip install 'geomap[dask]'"
        ) from None
    return dask


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Leave out distributed's advice on the size of the task graph ("Sending large graph of size ..., consider
    loading the data with Dask directly"): the arrays are geomap's to send, and a user can do nothing about it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sending large graph")
        yield


def join_points_dask(x: np.ndarray, y: np.ndarray, areas: np.ndarray, *, partitions: int = PARTITIONS) -> np.ndarray:
    """:func:`geomap.join.join_points` with the points spread over Dask partitions."""
    require_dask()
    import dask.dataframe as dd
    import dask_geopandas
    import pandas as pd

    if len(x) == 0:
        return np.full(0, -1, dtype=np.int64)
    table = pd.DataFrame({"x": np.asarray(x, float), "y": np.asarray(y, float)})
    frame = dd.from_pandas(table, npartitions=partitions)  # type: ignore[no-untyped-call]
    points = dask_geopandas.from_dask_dataframe(frame, geometry=dask_geopandas.points_from_xy(frame, "x", "y"))
    hits = points.map_partitions(_join_partition, areas, meta=pd.Series(dtype="int64"))
    with _quiet():
        found: np.ndarray = hits.compute().to_numpy(np.int64)
    return found


def _join_partition(part: Any, areas: np.ndarray) -> Any:
    import pandas as pd

    from geomap.join import join_points

    # Each partition joins its own copy of the polygons: Dask's local scheduler runs partitions on threads, and
    # GEOS prepares a polygon, and builds its index on first use, in place; two threads doing so at once on one
    # polygon corrupt memory (a double free, a crash). The copy is exact (WKB keeps every coordinate).
    own = shapely.from_wkb(shapely.to_wkb(areas))
    return pd.Series(join_points(part["x"].to_numpy(), part["y"].to_numpy(), own), index=part.index)


def decide_dask(
    area: np.ndarray,
    day: np.ndarray,
    status: np.ndarray,
    position: np.ndarray | None,
    query_days: np.ndarray,
    *,
    n_areas: int,
    unknown: int,
    contested: int | None,
    place: np.ndarray | None = None,
    frugal: bool = False,
    partitions: int = PARTITIONS,
) -> Decisions:
    """:func:`geomap._columnar.decide` run per range of areas on Dask, stitched in area order."""
    dask = require_dask()
    if position is None:
        position = np.arange(len(area), dtype=index_dtype(len(area)))
    edges = np.linspace(0, n_areas, min(max(n_areas, 1), partitions) + 1).astype(np.int64)
    by_area = np.argsort(area, kind="stable")
    cuts = np.searchsorted(area[by_area], edges)
    tasks = []
    for k in range(len(edges) - 1):
        lo, hi = edges[k], edges[k + 1]
        mine = np.sort(by_area[cuts[k] : cuts[k + 1]])  # input order within the range
        tasks.append(
            dask.delayed(decide)(
                area[mine] - lo,
                day[mine],
                status[mine],
                position[mine],
                query_days,
                n_areas=int(hi - lo),
                unknown=unknown,
                contested=contested,
                place=None if place is None else place[mine],
                frugal=frugal,
            )
        )
    with _quiet():
        parts = dask.compute(*tasks)
    return _stitch(list(parts), len(query_days))


def _stitch(parts: list[Decisions], n_days: int) -> Decisions:
    """Join per-range results: areas in order, group and row references shifted past earlier ranges."""
    cell_offsets, cell_groups, group_offsets, rows = [np.zeros(1, dtype=np.int64)], [], [np.zeros(1, np.int64)], []
    groups_before = rows_before = cells_before = 0
    for part in parts:
        cell_offsets.append(part.cell_offsets[1:] + cells_before)
        cell_groups.append(part.cell_groups + groups_before)
        group_offsets.append(part.group_offsets[1:] + rows_before)
        rows.append(part.rows)
        cells_before += len(part.cell_groups)
        groups_before += len(part.group_offsets) - 1
        rows_before += len(part.rows)
    return Decisions(
        status=np.concatenate([p.status for p in parts]).reshape(-1, n_days),
        since=np.concatenate([p.since for p in parts]).reshape(-1, n_days),
        conflict=np.concatenate([p.conflict for p in parts]).reshape(-1, n_days),
        cell_offsets=np.concatenate(cell_offsets),
        cell_groups=np.concatenate(cell_groups) if cell_groups else np.empty(0, dtype=np.int64),
        group_offsets=np.concatenate(group_offsets),
        rows=np.concatenate(rows) if rows else np.empty(0, dtype=np.int64),
    )


def connect(address: str | None = None, *, workers: int = 2) -> Any:
    """A client of the scheduler at ``address``, or of a new LocalCluster of ``workers`` processes."""
    require_dask()
    from distributed import Client, LocalCluster

    if address:
        try:
            return Client(address, timeout="10s")  # type: ignore[no-untyped-call]
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler {address!r} ({exc}); check the address") from None
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    return Client(cluster)  # type: ignore[no-untyped-call]


def disconnect(client: Any) -> None:
    """Close ``client`` and, when :func:`connect` started it, its local cluster."""
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()
