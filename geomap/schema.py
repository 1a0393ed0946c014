"""Column names shared across geomap's modules.

Use these constants rather than string literals so a rename is one edit.
"""

from __future__ import annotations

# Reports (input)
DATE = "date"
PLACE = "place"
STATUS = "status"
SOURCE = "source"
NOTE = "note"
LAT = "lat"
LON = "lon"
LEVEL = "level"
REQUIRED_REPORT_COLUMNS = (DATE, PLACE, STATUS)

# Areas (boundaries)
AREA_ID = "area_id"
AREA_NAME = "area_name"

# Provinces
PROVINCE_ISO = "province_iso"
PROVINCE = "province"

# Districts
DISTRICT_ID = "district_id"
DISTRICT = "district"
SCOPE = "scope"
PROVINCE_WIDE = "province-wide"

# Timeline output
STATUS_LABEL = "status_label"
SINCE = "since"
CHANGED = "changed"
SOURCES = "sources"
EVIDENCE = "evidence"
CONFLICT = "conflict"
VALID_FROM = "valid_from"
VALID_TO = "valid_to"
