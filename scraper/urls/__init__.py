"""URL hygiene for the crawler: cleaning, identity keys, site membership, hints, traps.

Pure (str in, str/bool out). Two notions are kept apart on purpose:

* `clean_url` gives the URL we *fetch*: syntactically normalised, tracking noise removed,
  but nothing that could change what the server returns (query order, trailing slashes,
  AMP variants are left alone).
* `url_key` gives the *identity* used for deduplication: more aggressive, it folds
  variants that almost always serve the same article onto one key.

One module per concern, all names re-exported here (import them from `scraper.urls`):

* `clean`     `clean_url`, the tracking parameters it drops (stdlib only);
* `identity`  `url_key`, `is_amp_url`; site membership `registrable_host`, `same_site`
              (the public suffix list via tldextract's offline snapshot, loaded lazily;
              its docstring says why a site is not widened to its eTLD+1);
* `classify`  `classify_url`, `page_number`, `pagination_depth`, `url_date` (stdlib only);
* `traps`     `trap_reason`, `looks_like_trap`, `without_session_ids` (stdlib only).
"""

from .classify import classify_url, page_number, pagination_depth, url_date
from .clean import TRACKING_PARAMS, TRACKING_PREFIXES, clean_url, is_tracking_param
from .identity import is_amp_url, registrable_host, same_site, url_key
from .traps import (
    MAX_PATH_SEGMENTS,
    MAX_QUERY_PARAMS,
    MAX_URL_LENGTH,
    looks_like_trap,
    trap_reason,
    without_session_ids,
)

__all__ = [
    "MAX_PATH_SEGMENTS",
    "MAX_QUERY_PARAMS",
    "MAX_URL_LENGTH",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "classify_url",
    "clean_url",
    "is_amp_url",
    "is_tracking_param",
    "looks_like_trap",
    "page_number",
    "pagination_depth",
    "registrable_host",
    "same_site",
    "trap_reason",
    "url_date",
    "url_key",
    "without_session_ids",
]
