"""Published and modified dates, kept apart, ISO 8601 with the timezone where known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .document import Document


def normalise_date(value: str | None) -> str | None:
    """Parse an ISO-like date; refuse placeholders and dates in the future."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    for candidate in (text, text[:19], text[:10]):
        try:
            parsed = datetime.fromisoformat(candidate)
            break
        except ValueError:
            continue
    else:
        return None
    if parsed.year < 1990:
        return None
    aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if aware > datetime.now(UTC) + timedelta(days=1):
        return None
    return parsed.isoformat()


def extract_dates(doc: Document) -> tuple[str | None, str | None]:
    ld = doc.ld_article or {}
    published = normalise_date(str(ld.get("datePublished") or "")) or normalise_date(
        doc.meta_first("article:published_time", "datepublished", "pubdate", "date")
    )
    if published is None:
        node = doc.tree.css_first("time[datetime]")
        published = normalise_date(node.attributes.get("datetime")) if node else None
    modified = normalise_date(str(ld.get("dateModified") or "")) or normalise_date(
        doc.meta_first("article:modified_time", "datemodified", "og:updated_time")
    )
    return published, modified
