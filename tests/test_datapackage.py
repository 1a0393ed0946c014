"""The Frictionless data package written beside an export, validated with the frictionless package."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from geomap.cli import main
from geomap.datapackage import package_descriptor, write_datapackage
from geomap.errors import OutputError
from geomap.export import export
from geomap.scheme import AFGHANISTAN_2021
from geomap.timeline import ControlTimeline

frictionless = pytest.importorskip("frictionless", reason="install the dev extra: pip install -e '.[dev]'")

ROWS = pd.DataFrame(
    {
        "date": ["2021-08-06", "2021-08-10", "2021-08-12"],
        "place": ["Zaranj", "Zaranj", "Ghazni"],
        "status": ["contested", "taliban", "taliban"],
        "source": ["https://example.org/1", "b", "c"],
    }
)


@pytest.fixture(scope="module")
def timeline() -> ControlTimeline:
    return ControlTimeline.from_reports(ROWS)


def _errors(report) -> list[str]:
    return [e.message for e in report.errors] + [e.message for task in report.tasks for e in task.errors]


def test_csv_package_validates_data_against_its_schema(timeline, tmp_path):
    path = export(timeline, tmp_path / "control.csv", shape="intervals")
    descriptor_path = write_datapackage(path, format="csv", scheme=AFGHANISTAN_2021, shape="intervals")
    assert descriptor_path == tmp_path / "datapackage.json"
    report = frictionless.validate(str(descriptor_path))
    assert report.valid, _errors(report)
    resource = json.loads(descriptor_path.read_text(encoding="utf-8"))["resources"][0]
    types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    assert types == {
        "province_iso": "string",
        "province": "string",
        "status": "string",
        "status_label": "string",
        "since": "date",
        "changed": "boolean",
        "conflict": "boolean",
        "sources": "string",
        "evidence": "string",
        "valid_from": "date",
        "valid_to": "date",
    }
    status = next(f for f in resource["schema"]["fields"] if f["name"] == "status")
    assert status["constraints"]["enum"] == ["taliban", "contested", "government", "unknown"]
    assert status["categories"][0] == {"value": "taliban", "label": "Taliban control"}
    assert resource["hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def test_package_catches_data_that_breaks_the_schema(timeline, tmp_path):
    path = export(timeline, tmp_path / "control.csv")
    descriptor_path = write_datapackage(path, format="csv", scheme=AFGHANISTAN_2021)
    text = path.read_text(encoding="utf-8").replace(",taliban,", ",winning,", 1)
    path.write_text(text, encoding="utf-8")
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    del descriptor["resources"][0]["hash"], descriptor["resources"][0]["bytes"]
    descriptor_path.write_text(json.dumps(descriptor), encoding="utf-8")
    report = frictionless.validate(str(descriptor_path))
    assert not report.valid
    assert any("winning" in message or "constraint" in message for message in _errors(report))


@pytest.mark.parametrize(("name", "kind", "geometry"), [("c.gpkg", "gpkg", "geom"), ("c.geojson", "geojson", None)])
def test_gis_formats_are_described_and_valid(timeline, tmp_path, name, kind, geometry):
    path = export(timeline, tmp_path / name)
    descriptor = package_descriptor(path, format=kind, scheme=AFGHANISTAN_2021)
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, _errors(report)
    fields = [f["name"] for f in descriptor["resources"][0]["schema"]["fields"]]
    assert fields[:4] == ["province_iso", "province", "date", "status"]
    assert (fields[-1] == geometry) if geometry else ("geometry" not in fields)
    assert descriptor["resources"][0]["mediatype"] in ("application/geopackage+sqlite3", "application/geo+json")


def test_scheme_sources_and_licences_are_listed(timeline, tmp_path):
    path = export(timeline, tmp_path / "c.geojson")
    descriptor = package_descriptor(path, format="geojson", scheme=AFGHANISTAN_2021, reports="my-reports.csv")
    scheme = descriptor["geomap:status_scheme"]
    first = scheme["statuses"][0]
    assert (first["key"], first["label"], first["color"]) == ("taliban", "Taliban control", "#c62828")
    titles = [s["title"] for s in descriptor["sources"]]
    assert any(t.startswith("geoBoundaries AFG ADM2") for t in titles)
    assert any(t.startswith("GeoNames") for t in titles)
    assert titles[-1] == "Control reports: my-reports.csv"
    geonames = next(s for s in descriptor["sources"] if s["title"].startswith("GeoNames"))
    assert geonames["licenses"][0]["name"] == "CC-BY-4.0"
    assert "Contains data from GeoNames (geonames.org)" in [c["title"] for c in descriptor["contributors"]]
    # every licensed source of the gazetteer's tables (geomap/data/README.md) is cited with its licence
    licences = {s["title"].split(" ")[0]: s.get("licenses", [{}])[0].get("name") for s in descriptor["sources"]}
    assert licences["Who's"] == "CC-BY-4.0" and licences["OpenAfghanistan/provinces"] == "MIT"
    assert "Data from Who's On First (whosonfirst.org)" in [c["title"] for c in descriptor["contributors"]]
    own = package_descriptor(
        path, format="geojson", scheme=AFGHANISTAN_2021, bundled_boundaries=False, boundaries="/data/my-areas.gpkg"
    )
    assert not any(s["title"].startswith("geoBoundaries") for s in own["sources"])
    assert own["sources"][0] == {"title": "Area boundaries: my-areas.gpkg"}


def test_cli_datapackage_beside_the_export(tmp_path, capsys):
    reports = tmp_path / "reports.csv"
    ROWS.to_csv(reports, index=False)
    out = tmp_path / "out" / "control.csv"
    out.parent.mkdir()
    assert main(["export", str(reports), "-o", str(out), "--datapackage"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out), str(out.with_name("datapackage.json"))]
    assert frictionless.validate(str(out.with_name("datapackage.json"))).valid


def test_a_compact_export_lists_its_geometry_file(tmp_path, capsys):
    reports = tmp_path / "reports.csv"
    ROWS.to_csv(reports, index=False)
    out = tmp_path / "control.csv"
    assert main(["export", str(reports), "-o", str(out), "--compact", "--datapackage"]) == 0
    package = tmp_path / "datapackage.json"
    resources = json.loads(package.read_text(encoding="utf-8"))["resources"]
    assert [r["path"] for r in resources] == ["control.csv", "control.areas.parquet"]
    areas = tmp_path / "control.areas.parquet"
    assert resources[1]["hash"] == "sha256:" + hashlib.sha256(areas.read_bytes()).hexdigest()
    assert resources[1]["bytes"] == areas.stat().st_size
    assert frictionless.validate(str(package)).valid


def test_a_data_package_that_cannot_be_written_is_said_to_be_missing_beside_the_export(tmp_path, capsys, monkeypatch):
    import geomap.datapackage

    def full(target, text):
        raise OutputError(f"{target}: could not be written (the disk is full); nothing was changed")

    monkeypatch.setattr(geomap.datapackage, "write_text_atomic", full)
    reports = tmp_path / "reports.csv"
    ROWS.to_csv(reports, index=False)
    out = tmp_path / "control.csv"
    assert main(["export", str(reports), "-o", str(out), "--datapackage"]) == 1
    err = capsys.readouterr().err
    assert err.strip().endswith(
        "datapackage.json: could not be written (the disk is full); the export is written, its data package not: "
        "run again to write it"
    )
    assert "nothing was changed" not in err and out.is_file() and not (tmp_path / "datapackage.json").exists()
