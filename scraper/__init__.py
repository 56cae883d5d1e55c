"""scraper: a polite news crawler and article extractor that stores clean records in SQLite."""

from .extract import extract_article
from .models import Article, Page

__all__ = ["Article", "Page", "extract_article"]
__version__ = "0.1.0"
