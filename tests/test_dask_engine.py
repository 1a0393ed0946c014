"""The Dask engine on a local cluster of worker processes gives the in-process tables, byte for byte."""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geomap.export import export
from geomap.timeline import ControlTimeline

if os.environ.get("CI") == "true":
    import dask_geopandas  # noqa: F401  (under CI the engine must be tested, not skipped)
    import distributed
else:
    pytest.importorskip("dask_geopandas", reason="the Dask engine needs: pip install 'geomap[dask]'")
    distributed = pytest.importorskip("distributed", reason="the Dask engine needs: pip install 'geomap[dask]'")


@pytest.fixture(scope="module")
def cluster():
    from geomap._dask import connect, disconnect

    client = connect(workers=2)
    assert len(client.scheduler_info()["workers"]) == 2
    yield client
    disconnect(client)


@pytest.fixture(scope="module")
def grid() -> gpd.GeoDataFrame:
    """Twelve 1-degree squares, listed out of id order, inside the Afghan coordinate box."""
    cells = [(x, y) for x in range(62, 66) for y in range(32, 35)]
    ids = [f"C{k:02d}" for k in range(len(cells))][::-1]
    return gpd.GeoDataFrame(
        {"area_id": ids, "area_name": [f"Cell {i}" for i in ids]},
        geometry=[box(x, y, x + 1, y + 1) for x, y in cells],
        crs="EPSG:4326",
    )


def reports(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "date": np.datetime_as_string(np.datetime64("2021-01-01") + rng.integers(0, 40, n), unit="D"),
            "place": [f"site {k}" for k in rng.integers(0, 30, n)],
            "status": rng.choice(["taliban", "government", "contested"], n),
            "source": [f"https://example.org/{k}" for k in range(n)],
            # Some points on shared borders (whole degrees), where the tie rule decides.
            "lat": np.where(rng.random(n) < 0.1, 33.0, np.round(rng.uniform(32, 35, n), 4)),
            "lon": np.round(rng.uniform(62, 66, n), 4),
        }
    )


@pytest.mark.parametrize("aggregate", ["latest", "majority"])
def test_dask_engine_gives_the_same_tables(cluster, grid, aggregate, tmp_path):
    table = reports(1500, seed=len(aggregate))
    built = {
        engine: ControlTimeline.from_reports(table, boundaries=grid, freq="D", aggregate=aggregate, engine=engine)
        for engine in ("pandas", "dask")
    }
    local, remote = built["pandas"], built["dask"]
    assert remote.engine == "dask"
    pd.testing.assert_frame_equal(remote.reports, local.reports)
    pd.testing.assert_frame_equal(remote.long(), local.long())
    assert local.long()["conflict"].any() and local.long()["changed"].any()
    files = {engine: export(tl, tmp_path / f"{engine}.parquet") for engine, tl in built.items()}
    assert files["dask"].read_bytes() == files["pandas"].read_bytes()


def test_unknown_engine_is_refused(grid):
    from geomap.errors import InputError

    with pytest.raises(InputError, match="engine: unknown value 'spark'; use one of pandas, dask"):
        ControlTimeline.from_reports(reports(5, 1), boundaries=grid, engine="spark")


def test_cli_runs_on_a_given_scheduler(cluster, grid, tmp_path):
    from geomap.cli import main

    grid.to_file(tmp_path / "grid.gpkg")
    reports(400, seed=7).to_csv(tmp_path / "reports.csv", index=False)
    common = ["export", str(tmp_path / "reports.csv"), "--boundaries", str(tmp_path / "grid.gpkg")]
    common += ["--id-field", "area_id", "--name-field", "area_name"]
    assert main([*common, "-o", str(tmp_path / "local.csv")]) == 0
    address = cluster.scheduler.address
    assert main([*common, "-o", str(tmp_path / "dask.csv"), "--engine", "dask", "--scheduler", address]) == 0
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    assert len(cluster.scheduler_info()["workers"]) == 2  # the CLI left the shared cluster running


def test_the_local_threaded_scheduler_joins_each_partition_on_its_own_polygons():
    # Without a distributed client, Dask runs the partitions on threads; sharing the polygons made GEOS
    # prepare one polygon on two threads at once, which corrupted memory (the process aborted).
    import dask
    import shapely

    from geomap._dask import join_points_dask
    from geomap.join import join_points
    from geomap.levels import level_areas

    areas = level_areas("district").geometry.values.to_numpy()
    rng = np.random.default_rng(5)
    x, y = rng.uniform(61.0, 71.0, 40_000), rng.uniform(30.0, 38.0, 40_000)
    expected = join_points(x, y, shapely.from_wkb(shapely.to_wkb(areas)))
    from concurrent.futures import ThreadPoolExecutor

    # a pool of its own, shut down at the end (Dask's default pool would keep its threads alive)
    with ThreadPoolExecutor(4, thread_name_prefix="dask-test") as pool, dask.config.set(scheduler="threads", pool=pool):
        for _ in range(20):  # polygons not yet prepared each time (the race was lost in about one run of 20)
            fresh = shapely.from_wkb(shapely.to_wkb(areas))
            assert np.array_equal(join_points_dask(x, y, fresh, partitions=8), expected)


def test_distributed_advice_on_graph_size_is_not_passed_on():
    import warnings

    from geomap._dask import _quiet

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _quiet():
            warnings.warn("Sending large graph of size 61.63 MiB. This may cause some slowdown.", stacklevel=1)
            warnings.warn("something else", stacklevel=1)
    assert [str(w.message) for w in caught] == ["something else"]
