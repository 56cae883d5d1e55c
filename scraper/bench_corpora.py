"""The benchmark's pages: the two developers' corpora, their held-out splits, language labels,
and the stripped variants of the robustness section. Used by `scraper/bench.py`.

Held-out split: a third of each corpus, chosen by a hash of the page key, is never looked at
page by page while tuning (`--per-page` leaves it out); `make bench` reports it apart.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

CORPUS_ROOT = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
LANGUAGE_LABELS = Path(__file__).resolve().parent.parent / "bench" / "language-labels.json"
HELD_OUT_SHARE = 3  # one page in three is held out


def is_held_out(key: str) -> bool:
    """The held-out third: fixed by the key alone, so it never moves between runs."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % HELD_OUT_SHARE == 0


@dataclass
class Page:
    key: str
    url: str
    html: str | bytes  # zyte-dev: text (the corpus says UTF-8); web-checks: bytes, charset in the page
    held_out: bool
    truth: dict = field(default_factory=dict)  # articleBody and labels, or with/without checks
    language: str | None = None  # the language of the main text (bench/language-labels.json)


def _languages(name: str) -> dict[str, str]:
    if not LANGUAGE_LABELS.exists():
        return {}
    return json.loads(LANGUAGE_LABELS.read_text(encoding="utf-8")).get(name, {})


def _read_gz(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def load_zyte(corpus: Path) -> list[Page]:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    languages = _languages(corpus.name)
    pages = []
    for key in sorted(truth):
        html = _read_gz(corpus / "html" / f"{key}.html.gz").decode("utf-8", "replace")
        pages.append(Page(key, truth[key]["url"], html, is_held_out(key),
                          {"articleBody": truth[key]["articleBody"], **labels.get(key, {})},
                          languages.get(key)))
    return pages


def load_web_checks(corpus: Path) -> list[Page]:
    checks = json.loads((corpus / "checks.json").read_text(encoding="utf-8"))
    languages = _languages(corpus.name)
    return [Page(key, checks[key]["url"].strip(), _read_gz(corpus / "html" / f"{key}.html.gz"),
                 is_held_out(key), checks[key], languages.get(key))
            for key in sorted(checks)]


def markup_language(html: str | bytes) -> str | None:
    """What <html lang> / og:locale / Content-Language say (the project's rule before issue 8)."""
    tree = LexborHTMLParser(html.decode("utf-8", "replace") if isinstance(html, bytes) else html)
    node = tree.css_first("html")
    lang = node.attributes.get("lang") if node is not None else None
    if not lang:
        for meta in tree.css("meta"):
            attrs = meta.attributes
            key = (attrs.get("property") or attrs.get("name") or attrs.get("http-equiv") or "").lower()
            if key in ("og:locale", "content-language", "language"):
                lang = attrs.get("content")
                break
    return (lang or "").replace("_", "-").split("-")[0].lower() or None


_CLASS_ID = re.compile(r"""\s(?:class|id)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_LD_SCRIPT = re.compile(r"""<script\b[^>]*application/ld\+json[^>]*>.*?</script\s*>""", re.I | re.S)
_META = re.compile(r"<meta\b[^>]*>", re.I)
_CHARSET = re.compile(r"charset", re.I)


def strip_class_id(html: str) -> str:
    """The page with every class and id attribute removed (the markup's vocabulary gone)."""
    return _TAG.sub(lambda tag: _CLASS_ID.sub("", tag.group(0)), html)


def strip_metadata(html: str) -> str:
    """The page without JSON-LD and <meta> tags (a <meta charset> stays: it is no metadata)."""
    html = _LD_SCRIPT.sub("", html)
    return _META.sub(lambda tag: tag.group(0) if _CHARSET.search(tag.group(0)) else "", html)


VARIANTS = {"class/id stripped": strip_class_id, "JSON-LD and meta stripped": strip_metadata}
