"""Compile the gazetteer index into ``geomap/data/gazetteer.pickle.gz`` and the village keys into ``villages.keys.gz``.

The index (normalised names, phonetic keys and consonant skeletons of every spelling of
every place in the bundled tables) takes a few tenths of a second to build; loaded ready
made it takes a few hundredths, without pandas. The file records a digest of the tables
and of ``geomap/gazetteer.py``; geomap ignores it (and builds the index) when they change,
and a test fails until it is rebuilt::

    .venv/bin/python scripts/build_gazetteer.py

The village key index (the phonetic keys of ``villages.tsv.gz``, sorted, with the rows
each is on) loads several times faster than the keys index themselves; it records a digest
of the table and is ignored (the keys are indexed on load) when the table changes.

Run it after ``scripts/build_places.py``, ``scripts/build_villages.py`` or any change to
``geomap/data/*.csv`` or to the normalisation, and commit the result.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from geomap._villages import KEYS_FILE, compile_keys  # noqa: E402
from geomap.gazetteer import COMPILED_FILE, compile_gazetteer  # noqa: E402

OUTPUT = ROOT / "geomap" / "data" / COMPILED_FILE
KEYS_OUTPUT = ROOT / "geomap" / "data" / KEYS_FILE


def main() -> int:
    gazetteer = compile_gazetteer(OUTPUT)
    print(f"wrote {gazetteer!r} to {OUTPUT} ({OUTPUT.stat().st_size:,} bytes)")
    keys = compile_keys(KEYS_OUTPUT)
    print(f"wrote {keys:,} village keys to {KEYS_OUTPUT} ({KEYS_OUTPUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
