"""A Frictionless data package (``datapackage.json``) describing an export.

The descriptor sits beside the exported file and lists, for the one resource:
its path, format, media type, size and SHA-256 hash; its fields with Table Schema
types and descriptions (read back from the written file, so it describes what is
there); the ``status`` field's allowed values with their labels
(``categories``); the status scheme with labels and colours
(``geomap:status_scheme``); and the sources, licences and credits of the
boundaries and gazetteer behind it (and of the reports file, when given).

Column types and descriptions live in ``geomap/data/export_fields.json``; the
bundled reference data's sources in ``geomap/data/datapackage_sources.json``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from geomap import __version__
from geomap._data import data_file
from geomap._io import write_text_atomic
from geomap.scheme import StatusScheme

DESCRIPTOR_NAME = "datapackage.json"
_MEDIA_TYPES = {
    "geojson": ("geojson", "application/geo+json"),
    "gpkg": ("gpkg", "application/geopackage+sqlite3"),
    "parquet": ("parquet", "application/vnd.apache.parquet"),
    "csv": ("csv", "text/csv"),
}
_PANDAS_TYPES = {"object": "string", "bool": "boolean", "int64": "integer", "int32": "integer", "float64": "number"}


@cache
def _catalogue() -> dict[str, Any]:
    fields: dict[str, Any] = json.loads(data_file("export_fields.json").read_text(encoding="utf-8"))["fields"]
    return fields


@cache
def _sources() -> dict[str, Any]:
    sources: dict[str, Any] = json.loads(data_file("datapackage_sources.json").read_text(encoding="utf-8"))
    return sources


def package_descriptor(
    path: str | os.PathLike[str],
    *,
    format: str,
    scheme: StatusScheme,
    shape: str = "long",
    bundled_boundaries: bool = True,
    reports: str | os.PathLike[str] | None = None,
    boundaries: str | os.PathLike[str] | None = None,
    areas: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """The ``datapackage.json`` content for an exported file.

    Parameters
    ----------
    path
        The exported file (already written).
    format
        Its format: ``"geojson"``, ``"gpkg"``, ``"parquet"`` or ``"csv"``.
    scheme
        The status scheme of the export.
    shape
        The export shape, recorded in the resource's description.
    bundled_boundaries
        Whether the areas are geomap's bundled boundaries (then their sources are
        listed); user boundaries are the user's to cite.
    reports
        The reports file the export was built from, listed as a source.
    boundaries
        The user's boundary file the areas came from, listed as a source.
    areas
        A compact export's GeoParquet of the areas' geometry (:func:`geomap.export.compact_areas_path`),
        listed as a second resource: the table's only geometry.

    Returns
    -------
    dict
        A Frictionless Data Package descriptor with one resource (two for a compact export).
    """
    path = Path(path)
    kind, media_type = _MEDIA_TYPES[format]
    fields = [_field(name, dtype, scheme) for name, dtype in _columns(path, format)]
    bundled = _sources()
    used = [*(bundled["boundaries"] if bundled_boundaries else []), *bundled["gazetteer"]]
    licences = bundled["licenses"]
    sources = [
        {"title": s["title"], **({"path": s["path"]} if "path" in s else {}), "licenses": [licences[s["license"]]]}
        for s in used
    ]
    if boundaries is not None:
        sources.insert(0, {"title": f"Area boundaries: {Path(boundaries).name}"})
    if reports is not None:
        sources.append({"title": f"Control reports: {Path(reports).name}"})
    resource = {
        "name": _name(path.stem),
        "path": path.name,
        "title": f"Control status per area ({shape})",
        "description": _SHAPE_TEXT.get(shape, shape),
        "format": kind,
        "mediatype": media_type,
        "encoding": "utf-8",
        "bytes": path.stat().st_size,
        "hash": "sha256:" + _sha256(path),
        "schema": {"fields": fields},
    }
    if format != "csv":
        resource["type"] = "file"  # Frictionless reads CSV tables; the others are checked by size and hash
    resources = [resource]
    if areas is not None:
        geometry = Path(areas)
        resources.append(
            {
                "name": _name(geometry.name.removesuffix(".parquet")),
                "path": geometry.name,
                "title": "Area geometry",
                "description": "Each area's polygon, once (GeoParquet, EPSG:4326); join it to the table by the id "
                "columns they share.",
                "format": "parquet",
                "mediatype": _MEDIA_TYPES["parquet"][1],
                "bytes": geometry.stat().st_size,
                "hash": "sha256:" + _sha256(geometry),
                "type": "file",
            }
        )
    return {
        "name": _name(f"geomap-{path.stem}"),
        "title": f"Control status: {scheme.name or 'status scheme'} ({path.name})",
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "contributors": [{"title": s["credit"], "role": "contributor"} for s in used],
        "sources": sources,
        "resources": resources,
        "geomap:version": __version__,
        "geomap:status_scheme": scheme.to_dict(),
    }


def write_datapackage(
    path: str | os.PathLike[str],
    *,
    format: str,
    scheme: StatusScheme,
    shape: str = "long",
    bundled_boundaries: bool = True,
    reports: str | os.PathLike[str] | None = None,
    boundaries: str | os.PathLike[str] | None = None,
    areas: str | os.PathLike[str] | None = None,
) -> Path:
    """Write :func:`package_descriptor` as ``datapackage.json`` beside ``path``, atomically; return its path."""
    descriptor = package_descriptor(
        path,
        format=format,
        scheme=scheme,
        shape=shape,
        bundled_boundaries=bundled_boundaries,
        reports=reports,
        boundaries=boundaries,
        areas=areas,
    )
    target = Path(path).with_name(DESCRIPTOR_NAME)
    return write_text_atomic(target, json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")


_SHAPE_TEXT = {
    "long": "One row per area per reporting date.",
    "as-of": "One row per area: its status as of one date.",
    "intervals": "One row per area per unchanged stretch, from valid_from (inclusive) to valid_to (exclusive).",
}


def _field(name: str, dtype: str, scheme: StatusScheme) -> dict[str, Any]:
    known = _catalogue().get(name)
    field = {"name": name, "type": known["type"] if known else _PANDAS_TYPES.get(dtype, "any")}
    if known:
        field["description"] = known["description"]
    if name == "status":
        field["constraints"] = {"required": True, "enum": scheme.keys}
        field["categories"] = [{"value": s.key, "label": s.label} for s in scheme.statuses]
    if name == "status_label":
        field["constraints"] = {"enum": [s.label for s in scheme.statuses]}
    return field


def _columns(path: Path, format: str) -> list[tuple[str, str]]:
    """``(name, dtype)`` of the written file's columns, geometry included, in file order."""
    if format == "csv":
        with open(path, encoding="utf-8", newline="") as fh:
            return [(name, "object") for name in next(csv.reader(fh))]
    if format == "parquet":
        import pyarrow.parquet as pq

        schema = pq.read_schema(path)
        return [(name, str(schema.field(name).type)) for name in schema.names]
    import pyogrio

    layers = pyogrio.list_layers(path)
    info = pyogrio.read_info(path, layer=str(layers[0][0]))
    columns = [(str(n), str(t)) for n, t in zip(info["fields"], info["dtypes"], strict=True)]
    if format == "gpkg":
        columns.append((info.get("geometry_name") or "geom", "geometry"))
    return columns


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _name(text: str) -> str:
    """A package or resource name: lower-case letters, digits, ``-``, ``.``, ``_``."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "-._") else "-" for c in text.lower())
    return cleaned.strip("-") or "export"
