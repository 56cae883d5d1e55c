"""Parquet export with typed columns (pyarrow, the `parquet` extra), written in batches so
memory stays flat: UTC times are UTC timestamps (a date-only `published_utc` is that
day's midnight, with `published_date_only` true), the publisher's day a `date32`, counts and
ids `int64`, flags `bool`, authors and tags `list<string>`, the rest `string` (`published`
and `modified` keep the publisher's offset as text)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

BATCH = 1000
_TIMES = ("published_utc", "modified_utc", "first_seen", "updated_at", "fetched_at")
_INTS = ("word_count", "page_id", "run_id")
_BOOLS = ("published_date_only", "modified_date_only")
_LISTS = ("authors", "tags")
_DAYS = ("published_day",)


def _type(pa, name: str):
    if name in _TIMES:
        return pa.timestamp("s", tz="UTC")
    if name in _INTS:
        return pa.int64()
    if name in _BOOLS:
        return pa.bool_()
    if name in _LISTS:
        return pa.list_(pa.string())
    if name in _DAYS:
        return pa.date32()
    return pa.string()


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    if len(value) == 10:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _convert(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _TIMES:
        return _time(value)
    if name in _DAYS:
        return date.fromisoformat(value)
    return value


def write_parquet(records: Iterable[dict[str, Any]], path: Path, fields: list[str]) -> int:
    """Write the records to a Parquet file; returns how many."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([pa.field(name, _type(pa, name)) for name in fields])
    count = 0
    batch: dict[str, list[Any]] = {name: [] for name in fields}
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for record in records:
            for name in fields:
                batch[name].append(_convert(name, record.get(name)))
            count += 1
            if count % BATCH == 0:
                writer.write_batch(pa.record_batch(batch, schema=schema))
                batch = {name: [] for name in fields}
        if batch[fields[0]] or count == 0:
            writer.write_batch(pa.record_batch(batch, schema=schema))
    return count
