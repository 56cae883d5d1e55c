"""One crawl per database at a time: an advisory lock file next to the database.

`fcntl.flock` is released by the kernel when the process dies, even by SIGKILL, so a killed
run never leaves a stale lock behind; the holder's pid is written into the file for humans.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


class LockedError(Exception):
    """Another run holds the lock on this database (the CLI exits with code 3)."""


class RunLock:
    """`with RunLock(db_path):` holds `<db_path>.lock` for the duration, or raises LockedError."""

    def __init__(self, db_path: Path) -> None:
        self.path = Path(str(db_path) + ".lock")
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise LockedError(f"another crawl (pid {holder}) is running on {self.path.with_suffix('')}; "
                              "try again when it has finished") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
