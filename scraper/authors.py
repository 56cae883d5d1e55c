"""People as data: one key per person, whatever the case, accents or spacing of the byline
("LISA MASCARO", "Lisa  Mascaro" and "lisa mascaro." are one person). Pure, no I/O.

`authors` keeps one row per key with a display name; the mixed-case form seen wins over an
all-capitals or all-lower-case one, which pages use for styling rather than spelling.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_NAME = re.compile(r"[^\w\s'-]+")
_SPACE = re.compile(r"[\s_]+")


def author_key(name: str) -> str:
    """The normalised key of a displayed name: accents dropped, case folded, dots and other
    punctuation removed (apostrophes and hyphens kept), spaces collapsed."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NOT_NAME.sub(" ", text.casefold())
    return _SPACE.sub(" ", text).strip(" -'")


def _styled(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and (all(ch.isupper() for ch in letters)
                              or all(ch.islower() for ch in letters))


def better_name(current: str | None, seen: str) -> str:
    """The display name to keep: the current one, unless it is styled (all capitals or all
    lower case) and the one just seen is not."""
    if not current:
        return seen
    if _styled(current) and not _styled(seen):
        return seen
    return current
