"""Dates you can sort: a stored `published` / `modified` value (ISO 8601 with the publisher's
own offset, a bare day, or what a feed said) -> ISO 8601 UTC text. Pure, no I/O.

The UTC form is `YYYY-MM-DDTHH:MM:SSZ`, so text order is time order. A bare day stays a bare
day (`YYYY-MM-DD`, flagged `date_only`): it sorts before every time of that day. A time with no
offset is taken as UTC (pages that omit the zone give nothing better). The publisher's local
day is the date part of the value as the page gave it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Instant:
    """A stored date normalised: `utc` sorts as text; `day` is the publisher's local day."""

    utc: str | None = None
    date_only: bool = False
    day: str | None = None


def parse_any(value: str) -> datetime | date | None:
    """ISO 8601 (with Z, an offset, or none), else the free forms dateutil reads."""
    text = value.strip()
    if _DAY.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        pass
    try:
        from dateutil import parser as date_parser

        return date_parser.parse(text)
    except (ValueError, OverflowError, TypeError, ImportError):
        return None


def normalise(value: str | None) -> Instant:
    """`Instant` of a stored date; an empty or unreadable value gives `Instant()` (all None)."""
    if not value or not value.strip():
        return Instant()
    parsed = parse_any(value)
    if parsed is None:
        return Instant()
    if not isinstance(parsed, datetime):
        day = parsed.isoformat()
        return Instant(day, True, day)
    aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return Instant(aware.astimezone(UTC).strftime(UTC_FORMAT), False, parsed.date().isoformat())


def parse_bound(value: str, *, end: bool = False) -> str:
    """A --since / --until value as a UTC bound comparable with `published_utc`.

    `YYYY-MM-DD` (a whole day) or an ISO 8601 time; a time without offset is UTC. For an
    `end` bound a bare day means up to the end of that day (the next day, exclusive).
    Raises ValueError with a sentence a user can act on."""
    text = (value or "").strip()
    parsed = None
    if re.match(r"^\d{4}-\d{2}-\d{2}(?:$|[T ])", text):
        try:
            parsed = date.fromisoformat(text) if _DAY.match(text) else datetime.fromisoformat(text)
        except ValueError:
            parsed = None
    if parsed is None:
        raise ValueError(f"{value!r} is not a date: use YYYY-MM-DD or an ISO 8601 time "
                         "such as 2024-05-01T12:00:00+02:00")
    if not isinstance(parsed, datetime):
        if end:
            return date.fromordinal(parsed.toordinal() + 1).isoformat()
        return parsed.isoformat()
    aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime(UTC_FORMAT)
