"""Online geocoding of names the offline gazetteer could not resolve (network code lives here only).

Used by :func:`geomap.geocode.geocode` when ``online=`` is given. Rules:

- at most one request per second (``MIN_DELAY_SECONDS``), with an injectable clock and sleep;
- Nominatim needs a user agent set by the user and is asked with ``country_codes="af"``;
- a result outside Afghanistan (not within a bundled province polygon) counts as not found;
- HTTP 429: wait ``Retry-After`` seconds (or back off) and ask again;
- HTTP 403 / bad credentials: stop with a one-line :class:`GeocoderServiceError`;
- every definite answer (found or not found, never an error) is committed at once to a
  SQLite cache in WAL mode, so an interrupted run loses nothing and a rerun does not ask
  the service again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from geomap.errors import GeocoderServiceError, InputError

#: Smallest delay between two requests to an online service, in seconds.
MIN_DELAY_SECONDS = 1.0
#: How often a request is retried after a timeout, an unavailable service or HTTP 429.
MAX_RETRIES = 3
#: Back-off in seconds when a 429 carries no Retry-After, doubled on each retry.
BACKOFF_SECONDS = 2.0
CACHE_FILE_NAME = "geocode.sqlite"
#: The clock and sleep used between requests (tests swap them for fakes).
CLOCK: Callable[[], float] = time.monotonic
SLEEP: Callable[[float], object] = time.sleep

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    service TEXT NOT NULL,
    query TEXT NOT NULL,
    found INTEGER NOT NULL,
    answer TEXT,
    asked_at REAL NOT NULL,
    PRIMARY KEY (service, query)
)
"""


def default_cache_path() -> Path:
    """``$XDG_CACHE_HOME/geomap/geocode.sqlite``, else ``~/.cache/geomap/geocode.sqlite``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "geomap" / CACHE_FILE_NAME


class AnswerCache:
    """Durable answers of an online geocoder, one committed row per question.

    Parameters
    ----------
    path
        The SQLite file; its folder is created if needed.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            msg = f"{self.path}: cannot open the geocoding cache ({exc}); pass another path with cache="
            raise InputError(msg) from exc

    def get(self, service: str, query: str) -> tuple[bool, dict | None]:
        """``(known, answer)``: whether the question was answered before, and the answer (``None`` = not found)."""
        row = self._db.execute(
            "SELECT found, answer FROM answers WHERE service=? AND query=?", (service, query)
        ).fetchone()
        if row is None:
            return False, None
        return True, (json.loads(row[1]) if row[0] else None)

    def put(self, service: str, query: str, answer: dict | None) -> None:
        """Store one answer and commit it."""
        self._db.execute(
            "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
            (service, query, int(answer is not None), json.dumps(answer) if answer else None, time.time()),
        )
        self._db.commit()

    def close(self) -> None:
        """Close the database."""
        self._db.close()


class RateLimiter:
    """Space calls at least ``min_delay`` seconds apart, with a swappable clock and sleep."""

    def __init__(
        self,
        min_delay: float = MIN_DELAY_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.min_delay = min_delay
        self.clock = clock
        self.sleep = sleep
        self._last: float | None = None

    def wait(self, extra: float = 0.0) -> None:
        """Sleep until the next call is allowed (plus ``extra`` seconds)."""
        if self._last is not None:
            due = self._last + self.min_delay - self.clock()
            if due > 0 or extra > 0:
                self.sleep(max(due, 0.0) + extra)
        elif extra > 0:
            self.sleep(extra)
        self._last = self.clock()


def make_geocoder(online: str | Any, user_agent: str | None) -> tuple[Any, str]:
    """The geopy geocoder to ask and the service name the cache files its answers under."""
    if isinstance(online, str):
        if online.lower() != "nominatim":
            msg = f"online={online!r}: unknown service; use 'nominatim' or pass a geopy geocoder instance"
            raise InputError(msg)
        if not user_agent or not str(user_agent).strip():
            msg = (
                "online geocoding with Nominatim needs a user agent that identifies your application "
                "(user_agent='myproject/1.0 you@example.org', CLI: --user-agent)"
            )
            raise InputError(msg)
        from geopy.geocoders import Nominatim

        return Nominatim(user_agent=user_agent, timeout=10), "nominatim"
    if not callable(getattr(online, "geocode", None)):
        msg = f"online={online!r}: expected 'nominatim' or a geopy geocoder (an object with a geocode method)"
        raise InputError(msg)
    return online, type(online).__name__.lower()


def resolve_online(
    names: Iterable[str],
    *,
    online: str | Any,
    cache: str | os.PathLike | None = None,
    user_agent: str | None = None,
    progress: bool | None = None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], object] | None = None,
) -> dict[str, dict | None]:
    """Ask an online geocoder about ``names``; return ``{name: answer or None}``.

    An answer is a dict with ``name, kind, province_iso, province, lat, lon, confidence``.
    Names asked before (found or not) are answered from the cache without a request.
    """
    geocoder, service = make_geocoder(online, user_agent)  # bad settings fail even when nothing is asked
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    store = AnswerCache(cache if cache is not None else default_cache_path())
    limiter = RateLimiter(clock=clock or CLOCK, sleep=sleep or SLEEP)
    answers: dict[str, dict | None] = {}
    try:
        todo = []
        for name in names:
            known, answer = store.get(service, name)
            if known:
                answers[name] = answer
            else:
                todo.append(name)
        for name in _progress(todo, progress):
            outcome = _ask(geocoder, service, name, limiter)
            if outcome is _ERROR:
                continue  # not a definite answer: not cached, asked again next run
            answers[name] = outcome
            store.put(service, name, outcome)
    finally:
        store.close()
    return answers


_ERROR = object()


def _progress(items: list[str], progress: bool | None) -> Iterable[str]:
    show = sys.stderr.isatty() if progress is None else bool(progress)
    if not show or not items:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="geocoding online", unit="name", file=sys.stderr)


def _ask(geocoder: Any, service: str, name: str, limiter: RateLimiter) -> dict | object | None:
    from geopy.exc import (
        GeocoderAuthenticationFailure,
        GeocoderInsufficientPrivileges,
        GeocoderQueryError,
        GeocoderRateLimited,
        GeopyError,
    )

    extra = 0.0
    for attempt in range(MAX_RETRIES + 1):
        limiter.wait(extra)
        try:
            location = _query(geocoder, service, name)
        except (GeocoderInsufficientPrivileges, GeocoderAuthenticationFailure) as exc:
            msg = f"{service} refused the request for {name!r} ({_one_line(exc)}); check the user agent or API key"
            raise GeocoderServiceError(msg) from exc
        except GeocoderRateLimited as exc:
            retry_after = getattr(exc, "retry_after", None)
            extra = float(retry_after) if retry_after else BACKOFF_SECONDS * 2**attempt
            continue
        except GeocoderQueryError:
            return _ERROR  # the service rejected this query: no answer, and asking again will not help now
        except GeopyError:  # timed out, unavailable, HTTP 5xx ...: try again a little later
            extra = BACKOFF_SECONDS * 2**attempt
            continue
        return _answer(location)
    return _ERROR


def _query(geocoder: Any, service: str, name: str) -> Any:
    from geopy.geocoders import Nominatim

    if isinstance(geocoder, Nominatim):
        return geocoder.geocode(name, exactly_one=True, country_codes="af")
    return geocoder.geocode(f"{name}, Afghanistan", exactly_one=True)


def _answer(location: Any) -> dict | None:
    if location is None:
        return None
    lat, lon = float(location.latitude), float(location.longitude)
    province = province_at(lat, lon)
    if province is None:
        return None  # outside Afghanistan: not an answer we can use
    iso, province_name = province
    address = str(getattr(location, "address", "") or "")
    raw = getattr(location, "raw", None) or {}
    place_type = str(raw.get("addresstype") or raw.get("type") or "")
    return {
        "name": address.split(",")[0].strip() or address,
        "kind": _KIND_OF_TYPE.get(place_type, "village"),
        "province_iso": iso,
        "province": province_name,
        "lat": lat,
        "lon": lon,
        "confidence": 0.6,
    }


# Nominatim's address types, as geomap kinds.
_KIND_OF_TYPE = {
    "city": "city",
    "town": "city",
    "state": "province",
    "province": "province",
    "county": "district",
    "district": "district",
    "state_district": "district",
    "municipality": "district",
}


def province_at(lat: float, lon: float) -> tuple[str, str] | None:
    """``(iso, name)`` of the bundled province containing the point, or ``None`` outside Afghanistan."""
    import shapely

    from geomap.boundaries import load_provinces

    provinces = load_provinces()
    inside = shapely.contains_xy(provinces.geometry.to_numpy(), lon, lat)
    hits = provinces[inside]
    if hits.empty:
        return None
    return str(hits["iso"].iloc[0]), str(hits["name"].iloc[0])


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
