"""Measure one command as a process tree: wall time, CPU seconds (user + sys of the whole tree)
and peak memory (RSS summed over the tree, and PSS from /proc/PID/smaps_rollup, which counts
pages shared between a parent and its forked workers once).

CPU comes from `resource.getrusage(RUSAGE_CHILDREN)` around the subprocess: it includes every
descendant the process reaped (pool workers are). The sampler also keeps each process's last
seen CPU times, and the larger of the two totals is reported, so a descendant that was never
reaped (killed and orphaned) is not lost. Memory is sampled every `interval` seconds (psutil).

The sampler shares the machine with what it measures, so it keeps its own cost low: reading
PSS walks every page table of a process (about 8 ms of CPU for a crawl and its two workers,
0.17 of a core at 20 samples a second, taken from a 2-core machine the crawl keeps busy), so
PSS is read when the tree's RSS is within 2 % of its highest yet (where the peak can be) and
at least every `PSS_EVERY` seconds; the tree's process list is refreshed every `TREE_EVERY`
seconds. RSS and CPU times are read every sample.
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

MB = 1024 * 1024
PSS_EVERY = 0.5  # seconds between PSS readings away from the RSS peak
TREE_EVERY = 0.25  # seconds between listings of the tree's processes
NEAR_PEAK = 0.98  # an RSS this close to the highest yet: PSS is read


@dataclass(frozen=True)
class Measurement:
    wall: float  # seconds from spawn to exit
    cpu: float  # user + sys seconds of the process tree
    peak_rss: int  # bytes, RSS summed over the tree, highest sample
    peak_pss: int  # bytes, PSS summed over the tree, highest sample
    peak_main_rss: int  # bytes, RSS of the top process alone, highest sample
    peak_processes: int  # most processes seen at once in the tree
    main_cpu: float  # user + sys seconds of the top process alone (last sample: a lower bound)
    returncode: int
    stdout: str
    stderr: str

    @property
    def cores(self) -> float:
        return self.cpu / self.wall if self.wall else 0.0


def _pss(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class _Sampler(threading.Thread):
    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True, name="tree-sampler")
        self.pid, self.interval = pid, interval
        self.stop = threading.Event()
        self.peak_rss = self.peak_pss = self.peak_main = self.peak_processes = 0
        self.cpu: dict[int, float] = {}  # pid -> last seen user + sys of the process itself
        self._procs: list[psutil.Process] = []
        self._tree_due = self._pss_due = 0.0  # monotonic times of the next listing, PSS read

    def run(self) -> None:
        try:
            top = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.stop.is_set():
            self.sample(top)
            self.stop.wait(self.interval)

    def sample(self, top: psutil.Process) -> None:
        now = time.monotonic()
        if now >= self._tree_due:
            try:
                self._procs = [top] + top.children(recursive=True)
            except psutil.Error:
                return
            self._tree_due = now + TREE_EVERY
        rss = 0
        seen: list[tuple[psutil.Process, int]] = []
        for proc in self._procs:
            try:
                with proc.oneshot():
                    mem = proc.memory_info().rss
                    times = proc.cpu_times()
            except psutil.Error:
                continue
            seen.append((proc, mem))
            rss += mem
            self.cpu[proc.pid] = max(self.cpu.get(proc.pid, 0.0), times.user + times.system)
            if proc.pid == self.pid:
                self.peak_main = max(self.peak_main, mem)
        if rss >= NEAR_PEAK * self.peak_rss or now >= self._pss_due:
            pss = sum(_pss(proc.pid) or mem for proc, mem in seen)
            self.peak_pss = max(self.peak_pss, pss)
            self._pss_due = now + PSS_EVERY
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_processes = max(self.peak_processes, len(seen))


def run_measured(cmd: list[str], cwd: Path | None = None, env: dict | None = None,
                 interval: float = 0.05, timeout: float | None = None) -> Measurement:
    """Run `cmd` to its end and measure it. Do not reap other children meanwhile (the
    RUSAGE_CHILDREN delta would include them)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        sampler = _Sampler(proc.pid, interval)
        sampler.start()
        try:
            returncode = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            returncode = proc.wait()
        wall = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        sampler.stop.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    rusage_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cpu = max(rusage_cpu, sum(sampler.cpu.values()))
    return Measurement(wall=wall, cpu=cpu, peak_rss=sampler.peak_rss,
                       peak_pss=sampler.peak_pss, peak_main_rss=sampler.peak_main,
                       peak_processes=sampler.peak_processes,
                       main_cpu=sampler.cpu.get(proc.pid, 0.0), returncode=returncode,
                       stdout=stdout, stderr=stderr)


def machine_load() -> str:
    """One line about how busy the machine is, printed beside the figures."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.2f} (1 min) {five:.2f} (5 min)"
