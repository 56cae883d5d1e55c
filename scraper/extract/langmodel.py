"""py3langid's language model, mapped from an unpacked copy on disk instead of decompressed
into every process's memory.

py3langid ships its model LZMA-compressed (4.5 MB) and decompresses it on load: 0.6 s of
every crawl's start, and 68 MB of arrays (a 39 MB transition table and 28 MB of weights) in
memory. The first load here writes the arrays once, uncompressed, to a cache directory; every
later load maps that file read-only, which takes milliseconds. The pages of the file are
shared by every process that maps it (a crawl and its workers, and the next run), are read
from disk only when a text reaches them (random access: no read-ahead of neighbours, so a
crawl of mostly one language never loads the rest), and can be dropped by the kernel under
memory pressure, as they are clean. Where no cache directory can be written (a read-only
home), the model is decompressed into memory, as py3langid does.

The cache directory: `$SCRAPER_CACHE_DIR`, else `$XDG_CACHE_HOME/scraper`, else
`~/.cache/scraper`. Its entry is named by a digest of py3langid's model file, so a new model
(a py3langid upgrade) gets a new entry; a partial entry is never seen (written under a
temporary name, renamed when whole).
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_ALIGN = 4096  # each array starts on a page of its own
_MANIFEST, _DATA = "manifest.json", "arrays.bin"
# py3langid's model, in the order of LanguageIdentifier's arguments
_ARRAYS = ("nb_ptc", "nb_pc", "tk_nextmove", "tk_row", "tk_output")


def load_identifier(norm_probs: bool = True) -> Any:
    """py3langid's LanguageIdentifier over its bundled model: mapped from the cache when it
    can be, else decompressed in memory."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model = Path(MODEL_DIR) / MODEL_FILE
    try:
        arrays, classes = _mapped(_unpacked(model))
    except (OSError, ValueError, KeyError, TypeError) as exc:  # unwritable cache, odd model
        log.debug("language model not mapped (%s); decompressing it in memory", exc)
        return LanguageIdentifier.from_model_file(model, norm_probs=norm_probs)
    return LanguageIdentifier(arrays["nb_ptc"], arrays["nb_pc"], classes,
                              _ints(arrays["tk_nextmove"]), arrays["tk_output"].tolist(),
                              norm_probs=norm_probs, tk_row=_ints(arrays["tk_row"]))


def cache_root() -> Path:
    explicit = os.environ.get("SCRAPER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "scraper"


def _ints(array: np.ndarray) -> memoryview:
    """An unsigned array as py3langid's DFA walk indexes it: a Python int per item, as fast
    as its own `array.array`."""
    return memoryview(array).cast("B").cast(array.dtype.char)


def _unpacked(model: Path) -> Path:
    """The cache entry of `model`, written first if it is missing."""
    digest = hashlib.sha256(model.read_bytes()).hexdigest()[:16]
    entry = cache_root() / f"py3langid-{digest}"
    if (entry / _MANIFEST).is_file():
        return entry
    entry.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=entry.parent))
    try:
        _write(model, partial)
        os.rename(partial, entry)  # whole, or not there
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        if not (entry / _MANIFEST).is_file():  # not another process's entry either
            raise
    return entry


def _write(model: Path, directory: Path) -> None:
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, output = load_model(model)
    values = {
        "nb_ptc": np.asarray(ptc),
        "nb_pc": np.asarray(pc),
        "tk_nextmove": np.frombuffer(nextmove, dtype=f"u{nextmove.itemsize}"),
        "tk_row": np.frombuffer(row, dtype=f"u{row.itemsize}"),
        "tk_output": np.asarray(output, dtype=np.int32),
    }
    layout, offset = {}, 0
    with open(directory / _DATA, "wb") as data:
        for name in _ARRAYS:
            value = np.ascontiguousarray(values[name])
            offset = -(-offset // _ALIGN) * _ALIGN
            data.seek(offset)
            data.write(value.tobytes())
            layout[name] = {"offset": offset, "dtype": value.dtype.str, "shape": value.shape}
            offset += value.nbytes
        data.flush()
        os.fsync(data.fileno())
    manifest = {"arrays": layout, "classes": list(classes), "size": offset}
    (directory / _MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def _mapped(entry: Path) -> tuple[dict[str, np.ndarray], list[str]]:
    manifest = json.loads((entry / _MANIFEST).read_text(encoding="utf-8"))
    with open(entry / _DATA, "rb") as data:
        if os.fstat(data.fileno()).st_size != manifest["size"]:
            raise ValueError(f"{entry / _DATA}: truncated")
        mapping = mmap.mmap(data.fileno(), 0, access=mmap.ACCESS_READ)
    if hasattr(mapping, "madvise"):  # a text touches scattered rows: read only those
        mapping.madvise(mmap.MADV_RANDOM)
    arrays = {}
    for name in _ARRAYS:
        spec = manifest["arrays"][name]
        dtype, shape = np.dtype(spec["dtype"]), tuple(spec["shape"])
        arrays[name] = np.frombuffer(mapping, dtype=dtype, count=int(np.prod(shape)),
                                     offset=spec["offset"]).reshape(shape)
    classes = manifest["classes"]
    if not (arrays["nb_ptc"].shape[1] == len(arrays["nb_pc"]) == len(classes)
            and len(arrays["tk_row"]) == len(arrays["tk_output"])
            and len(arrays["tk_nextmove"]) % 256 == 0):
        raise ValueError(f"{entry}: inconsistent model arrays")
    return arrays, classes
