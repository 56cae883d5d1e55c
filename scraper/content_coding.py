"""Undo a response's Content-Encoding incrementally, under one byte budget. Pure: no I/O.

httpx inflates every layer of `Content-Encoding: gzip, gzip` in one go, before any size
check can run: a 5 KB response became gigabytes. Here each layer is decoded a slice at a
time (zlib's `max_length`, brotli's `output_buffer_limit`), and no layer may produce more
than the budget, so memory and CPU stay bounded whatever the stream holds:

    decoder = ContentDecoder(["gzip", "gzip"], budget=5_000_000)
    for raw in network_chunks:
        for piece in decoder.feed(raw):   # each piece at most SLICE bytes
            ...                           # the caller counts the final output

A stream cut short gives what was decoded so far, as httpx does.

Supported: gzip (x-gzip), deflate (zlib-wrapped or raw), br (when the `brotli` package with
output limits is installed), identity. More than `MAX_LAYERS` real layers are refused.
Unknown tokens are skipped, as httpx does; codings we never ask for (zstd, compress) and br
without brotli are refused. Errors are `CodingError` (refused or corrupt) and
`CodingTooLarge` (a layer passed the budget).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

try:  # brotli >= 1.2 can bound its output; an older one could not stop a bomb
    import brotli as _brotli

    _brotli.Decompressor().process(b"", output_buffer_limit=1)
except (ImportError, TypeError, AttributeError):  # pragma: no cover - depends on the install
    _brotli = None

__all__ = [
    "ACCEPT_ENCODING",
    "MAX_LAYERS",
    "SLICE",
    "CodingError",
    "CodingTooLarge",
    "ContentDecoder",
]

MAX_LAYERS = 2  # `gzip, br` is seen in the wild; three layers only ever come from a bomb
SLICE = 64 * 1024  # the most any layer hands on at once
ACCEPT_ENCODING = "gzip, deflate, br" if _brotli is not None else "gzip, deflate"

_UNSUPPORTED = frozenset({"zstd", "compress", "x-compress"} | ({"br"} if _brotli is None else set()))


class CodingError(Exception):
    """A Content-Encoding refused (too many layers, unsupported) or corrupt data."""


class CodingTooLarge(CodingError):
    """A layer produced more than the budget (`inner`: not the last layer undone)."""

    def __init__(self, message: str, inner: bool) -> None:
        super().__init__(message)
        self.inner = inner


class _Zlib:
    """gzip or deflate, `max_length` bytes at a time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.wbits = 16 + zlib.MAX_WBITS if name in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self.obj = zlib.decompressobj(self.wbits)
        self.buf = b""
        self.started = False

    def feed(self, data: bytes) -> None:
        self.buf += data

    def read(self, n: int) -> bytes:
        if self.obj.eof:  # trailing bytes after the end of the stream are ignored (as httpx)
            self.buf = b""
            return b""
        data = self.buf
        try:
            out = self.obj.decompress(data, n)
        except zlib.error as exc:
            if self.started or self.wbits != zlib.MAX_WBITS:
                raise CodingError(f"{self.name} data is corrupt: {exc}") from exc
            # "deflate" is often sent raw, without the zlib wrapper (httpx tries both too)
            self.wbits = -zlib.MAX_WBITS
            self.obj = zlib.decompressobj(self.wbits)
            return self.read(n)
        self.started = True
        self.buf = self.obj.unconsumed_tail
        return out


class _Brotli:
    """br, `output_buffer_limit` bytes at a time."""

    name = "br"

    def __init__(self) -> None:
        self.obj = _brotli.Decompressor()
        self.buf = b""

    def feed(self, data: bytes) -> None:
        self.buf += data

    def read(self, n: int) -> bytes:
        if self.obj.is_finished():
            self.buf = b""
            return b""
        data = b""
        if self.buf and self.obj.can_accept_more_data():
            data, self.buf = self.buf, b""
        try:
            return self.obj.process(data, output_buffer_limit=n)
        except _brotli.error as exc:
            raise CodingError(f"br data is corrupt: {exc}") from exc


class ContentDecoder:
    """The layers named by Content-Encoding (in the order they were applied), undone in
    reverse. `feed` yields decoded pieces lazily: stop pulling and nothing more is decoded."""

    def __init__(self, encodings: list[str], budget: int) -> None:
        tokens = [e.strip().lower() for e in encodings if e.strip()]
        self.label = ", ".join(tokens)
        layers: list[_Zlib | _Brotli] = []
        for token in tokens:
            if token in _UNSUPPORTED:
                raise CodingError(f"Content-Encoding {token!r} is not supported")
            if token in ("gzip", "x-gzip", "deflate"):
                layers.append(_Zlib(token))
            elif token == "br":
                layers.append(_Brotli())
            # identity and unknown tokens: nothing to undo (httpx skips unknown ones too)
        if len(layers) > MAX_LAYERS:
            raise CodingError(f"{len(layers)} stacked content encodings ({self.label}); "
                              f"at most {MAX_LAYERS} are decoded")
        self.layers = layers[::-1]  # the last one applied is undone first
        self.budget = budget
        self.produced = [0] * len(self.layers)

    @property
    def encoded(self) -> bool:
        return bool(self.layers)

    def feed(self, raw: bytes) -> Iterator[bytes]:
        """Decoded bytes from one network chunk, at most SLICE at a time."""
        if not self.layers:
            if raw:
                yield raw
            return
        yield from self._drain(0, raw)

    def _drain(self, index: int, data: bytes) -> Iterator[bytes]:
        layer = self.layers[index]
        layer.feed(data)
        while piece := layer.read(SLICE):
            self.produced[index] += len(piece)
            if self.produced[index] > self.budget:
                inner = index < len(self.layers) - 1
                where = " in an inner layer" if inner else ""
                raise CodingTooLarge(f"more than {self.budget} bytes once decoded{where} "
                                     f"(Content-Encoding: {self.label})", inner)
            if index + 1 == len(self.layers):
                yield piece
            else:
                yield from self._drain(index + 1, piece)
