"""The wheel carries the package data: provinces load from an installed wheel, away from the checkout."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("geomap-*.whl"))


def test_wheel_contains_shapefile_and_tables(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for suffix in ("shp", "shx", "dbf", "prj", "cpg"):
        assert f"geomap/shapefiles/afghanistan_provinces.{suffix}" in names
        assert f"geomap/shapefiles/afghanistan_districts.{suffix}" in names
    assert "geomap/data/provinces.csv" in names
    assert "geomap/data/villages.tsv.gz" in names


def test_provinces_and_districts_load_from_installed_wheel(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    script = (
        "import geomap, geomap.boundaries as b, shapely; p = b.load_provinces(); "
        "print(geomap.__file__); print(len(p), p['iso'].nunique(), bool(p.is_valid.all()), "
        "sorted(set(p['iso']) & {'AF-DAY', 'AF-PAN'})); d = b.load_districts(); "
        "print(len(d), bool(d.is_valid.all()), "
        "all(p.set_index('iso').geometry[i].covers(g) for i, g in zip(d['province_iso'], d.geometry)))"
    )
    # The dependencies come from this environment; geomap itself only from the wheel.
    site = sysconfig.get_paths()["purelib"]
    env = {"PYTHONPATH": f"{target}:{site}", "PYTHONNOUSERSITE": "1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path[:0] = {[str(target), site]!r}; {script}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    where, summary, districts = result.stdout.strip().splitlines()
    assert where.startswith(str(target))
    assert summary == "34 34 True ['AF-DAY', 'AF-PAN']"
    assert districts == "398 True True"
