"""Sampling profiles of a bench's crawl with py-spy (the bench extra installs it).

`profiled(cmd, out)` wraps a command in `py-spy record --subprocesses --format raw`;
`hot_spots(out)` reads the collapsed stacks back and gives, for the main process and for the
worker processes apart, the functions where the samples were taken (self time), the top N with
their share of that role's samples. py-spy samples only threads that are running (not idle),
so the shares are of CPU, not of wall time.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from pathlib import Path

_LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")
_PROCESS = re.compile(r'^process \d+:".*"$')


def _py_spy() -> str:
    beside = Path(sys.executable).with_name("py-spy")  # the venv's, when not on PATH
    return str(beside) if beside.exists() else shutil.which("py-spy") or "py-spy"


def profiled(cmd: list[str], out: Path, rate: int = 100) -> list[str]:
    """`cmd` run under py-spy, writing collapsed stacks of it and its children to `out`.
    --nonblocking: the processes are not paused to be sampled, so timings barely move."""
    spy = _py_spy()
    return [spy, "record", "--subprocesses", "--format", "raw", "--rate", str(rate),
            "--nonblocking", "-o", str(out), "--", *cmd]


def hot_spots(raw: Path, top: int = 10) -> dict[str, list[tuple[str, int, float]]]:
    """{"main": [(function, samples, share)], "workers": [...]} by self samples."""
    by_role: dict[str, Counter[str]] = {"main": Counter(), "workers": Counter()}
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _LINE.match(line)
        if match is None:
            continue
        frames = match["stack"].split(";")
        depth = 0
        while depth < len(frames) and _PROCESS.match(frames[depth]):
            depth += 1
        if depth == len(frames):
            continue
        # the command py-spy ran (the crawl's main process) is the first, its pool below it
        role = "main" if depth <= 1 else "workers"
        by_role[role][_short(frames[-1])] += int(match["count"])
    result = {}
    for role, counts in by_role.items():
        total = sum(counts.values()) or 1
        result[role] = [(name, n, n / total) for name, n in counts.most_common(top)]
    return result


def print_hot_spots(raw: Path, top: int = 10, label: str = "") -> None:
    spots = hot_spots(raw, top)
    for role, rows in spots.items():
        print(f"py-spy {label} {role}: top {top} functions by self samples ({raw})")
        for name, samples, share in rows:
            print(f"    {share:6.1%} {samples:>7}  {name}")


def _short(frame: str) -> str:
    """"fn (path/to/module.py:123)" -> "fn (module.py)": one row per function, not per line."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({'/'.join(path.split('/')[-2:])})"
