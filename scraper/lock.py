"""One crawl per database at a time: an advisory lock file next to the database.

A POSIX record lock (`fcntl.lockf`) is released by the kernel when the process dies, even by
SIGKILL, so a killed run never leaves a stale lock behind; unlike `flock`, it is not shared
with forked children (the extraction pool), so it dies with the crawl process itself. The
holder's pid is written into the file for humans.
"""

from __future__ import annotations

import fcntl
import logging
import os
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

# POSIX locks belong to a process: a second lock attempt from the same process would succeed,
# and closing any descriptor of the file would drop the lock. So this process also remembers
# which lock files it holds (the one piece of process-wide state, by necessity).
_HELD: set[str] = set()
_HELD_GUARD = threading.Lock()


class LockedError(Exception):
    """Another run holds the lock on this database (the CLI exits with code 3)."""


class LockFileError(Exception):
    """The lock file cannot be created beside the database (a read-only place, say)."""


def lock_holder(db_path: Path) -> int | None:
    """The pid of the process holding the crawl lock of `db_path`, or None when it is free
    (asked with F_GETLK: the lock is not taken, so a crawl starting meanwhile is never
    turned away). None too where the question cannot be asked."""
    path = Path(str(db_path) + ".lock")
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        # struct flock on Linux: short l_type, l_whence; off_t l_start, l_len; pid_t l_pid
        query = struct.pack("@hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
        kind, _, _, _, pid = struct.unpack("@hhqqi4x", answer)
        return pid if kind != fcntl.F_UNLCK else None
    except (OSError, struct.error):
        return None
    finally:
        os.close(fd)


class RunLock:
    """`with RunLock(db_path):` holds `<db_path>.lock` for the duration, or raises LockedError."""

    def __init__(self, db_path: Path) -> None:
        self.path = Path(str(db_path) + ".lock")
        self._fd: int | None = None
        self._key = ""

    def __enter__(self) -> RunLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LockFileError(f"cannot create {self.path.parent}: {exc.strerror or exc}") \
                from None
        key = str(self.path.resolve())
        with _HELD_GUARD:
            if key in _HELD:
                raise LockedError(f"another crawl (pid {os.getpid()}, this process) is running "
                                  f"on {self.path.with_suffix('')}; try again when it has finished")
            self._take(key)
        return self

    def _take(self, key: str) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LockFileError(f"cannot create the lock file {self.path}: "
                                f"{exc.strerror or exc} (the crawl writes beside its "
                                "database: choose a writable --db)") from None
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise LockedError(f"another crawl (pid {holder}) is running on {self.path.with_suffix('')}; "
                              "try again when it has finished") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        os.fsync(fd)
        self._fd = fd
        self._key = key
        _HELD.add(key)

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            with _HELD_GUARD:
                fcntl.lockf(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
                self._fd = None
                _HELD.discard(self._key)


_turn_fds: dict[tuple[int, str], int] = {}  # per process: its own descriptor of a lock file


@contextmanager
def writer_turn(db_path: str | Path) -> Iterator[None]:
    """One bulk writer at a time on this database, across processes (the crawl's workers
    writing a sitemap's URLs): a `flock` on the run's lock file, which on Linux is apart
    from the run's own POSIX lock on it. A waiting writer blocks in the kernel and wakes the
    moment the lock is free; SQLite's busy handler would poll, sleeping up to 100 ms a
    time, while two writers took turns on every chunk. The lock dies with its process."""
    key = (os.getpid(), str(db_path))
    fd = _turn_fds.get(key)
    if fd is None:
        fd = _turn_fds[key] = os.open(str(db_path) + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
