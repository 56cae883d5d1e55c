"""One log line format for people and machines: every line the crawler writes carries a UTC
timestamp and the run id.

    2026-05-14T06:00:03.512Z INFO run=42 scraper.summary: demo-herald: 3 new articles, ...
    {"time": "2026-05-14T06:00:03.512Z", "level": "INFO", "run_id": 42,
     "logger": "scraper.summary", "message": "demo-herald: 3 new articles, ...", "site": ...}

`configure()` installs the handlers (stderr, or a file with `--log-file`, whose errors are
also written to stderr so cron still mails them) and the levels: warnings and errors are
always shown; progress lines (`scraper.progress`) unless -q; the run summary
(`scraper.summary`) unless -qq; other INFO from -v, DEBUG from -vv. JSON lines come from
python-json-logger, imported only when asked for.

The run id is process-wide state (logging is process-wide too): the engine sets it with
`set_run_id` when it records the run, so every later line, whichever module or task writes
it, names the run. Only the standard library is imported here: `scraper --help` stays fast.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

PROGRESS = "scraper.progress"  # progress lines: hidden by -q
SUMMARY = "scraper.summary"  # the run summary: hidden by -qq
TEXT_FORMAT = "%(asctime)s %(levelname)s run=%(run_id)s %(name)s: %(message)s"
FORMATS = ("text", "json")

_run: dict[str, int | None] = {"id": None}


def set_run_id(run_id: int | None) -> None:
    """Name `run_id` in every log line from now on (None: no run)."""
    _run["id"] = run_id


def run_id() -> int | None:
    return _run["id"]


class _RunId(logging.Filter):
    """Adds `record.run_id` (the current run, or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "run_id"):
            record.run_id = _run["id"] if _run["id"] is not None else "-"
        return True


def _utc(record: logging.LogRecord) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{stamp}.{int(record.msecs):03d}Z"


class TextFormatter(logging.Formatter):
    """`TEXT_FORMAT`, the time in UTC, ISO 8601 with milliseconds."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return _utc(record)


def json_formatter() -> logging.Formatter:
    """One JSON object per line: time, level, run_id, logger, message, and any `extra`
    fields the record carries (the summary's per-site figures, say)."""
    from pythonjsonlogger.json import JsonFormatter

    class _Json(JsonFormatter):
        def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
            return _utc(record)

        def add_fields(self, log_record, record, message_dict) -> None:
            super().add_fields(log_record, record, message_dict)
            if log_record.get("run_id") == "-":
                log_record["run_id"] = None

    return _Json("%(asctime)s %(levelname)s %(run_id)s %(name)s %(message)s",
                 rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})


class _Stderr(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (a test runner may swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure(verbose: int = 0, quiet: int = 0, log_file: str | None = None,
              log_format: str = "text") -> Callable[[], None]:
    """Install the handlers and levels described above; returns a function that undoes it
    (the CLI calls it on exit, so tests running several commands in one process do not
    inherit each other's logging). Raises OSError if `log_file` cannot be opened."""
    formatter = json_formatter() if log_format == "json" else TextFormatter()
    handlers: list[logging.Handler] = []
    if log_file:
        from logging.handlers import WatchedFileHandler  # logrotate may move the file

        handlers.append(WatchedFileHandler(log_file, encoding="utf-8"))
        alarm = _Stderr()  # errors reach stderr too: cron mails them
        alarm.setLevel(logging.ERROR)
        handlers.append(alarm)
    else:
        handlers.append(_Stderr())
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(_RunId())

    root = logging.getLogger()
    levels = {"": max(logging.DEBUG, logging.WARNING - 10 * verbose),
              PROGRESS: logging.INFO if quiet == 0 else logging.WARNING,
              SUMMARY: logging.INFO if quiet < 2 else logging.WARNING}
    if verbose < 2:
        levels["httpx"] = logging.WARNING  # its request lines only from -vv
    loggers = {name: logging.getLogger(name) for name in levels}
    before = {name: logger.level for name, logger in loggers.items()}
    for old in [h for h in root.handlers if getattr(h, "_scraper", False)]:
        root.removeHandler(old)  # a previous configure() in this process
        old.close()
    for handler in handlers:
        handler._scraper = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for name, level in levels.items():
        loggers[name].setLevel(level)

    def restore() -> None:
        for handler in handlers:
            root.removeHandler(handler)
            handler.close()
        for name, level in before.items():
            loggers[name].setLevel(level)
        set_run_id(None)

    return restore
