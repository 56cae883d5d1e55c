"""scraper: a polite news crawler and article extractor that stores clean records in SQLite.

`from scraper import extract_article` works as always; the extractor (trafilatura, lxml) is
imported on first use, so the `scraper` command starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .extract import extract_article
    from .models import Article, Page

__all__ = ["Article", "Page", "extract_article"]
__version__ = "0.1.0"

_LAZY = {"extract_article": ".extract", "Article": ".models", "Page": ".models"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'scraper' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value
