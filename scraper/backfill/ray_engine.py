"""The Ray engine (the only Ray importer; Ray is the optional `ray` extra): one Ray task per
job, Ray's own retries for tasks whose worker died or raised, progress over jobs and records.

`--ray-address` names a running cluster (`ray start --head` on one machine, `ray start
--address HEAD:6379` on the others, each with this package installed); without it a local
Ray is started with `workers` CPUs and shut down at the end. A task that runs on another
machine than this one writes its shard to a temporary file there and sends the bytes back,
so only the inputs need to be readable from every machine, not the shard folder.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

log = logging.getLogger(__name__)

MAX_RETRIES = 2  # Ray runs a task again after its worker died or it raised
POLL = 0.5


def ray_available() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def run_ray(func: Callable[..., Any], jobs: Sequence[Any], workers: int | None,
            address: str | None = None, on_progress: Callable[[int], None] | None = None,
            on_failure: Callable[[Any, str], Any] | None = None,
            ship: Callable[..., Any] | None = None) -> Iterator[Any]:
    """`func(job, report)` for each job as a Ray task, yielded as they finish. `ship(job,
    tmp_dir, report)` replaces `func` for a task that lands on another machine."""
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        start_ray(ray, workers, address)
    try:
        counter = _counter_actor(ray).remote()
        here = _driver_node(ray)
        task = ray.remote(num_cpus=1, max_retries=MAX_RETRIES, retry_exceptions=True)(_task)
        refs = {task.remote(func, ship, job, counter, here): job for job in jobs}
        seen = 0
        while refs:
            done, _ = ray.wait(list(refs), num_returns=1, timeout=POLL)
            seen = _progress(ray, counter, seen, on_progress)
            for ref in done:
                job = refs.pop(ref)
                try:
                    yield ray.get(ref)
                except ray.exceptions.RayError as exc:
                    if on_failure is None:
                        raise
                    yield on_failure(job, f"Ray task failed: {exc}")
        _progress(ray, counter, seen, on_progress)
    finally:
        if started_here:
            ray.shutdown()


def start_ray(ray, workers: int | None, address: str | None = None) -> None:
    """Connect to the cluster at `address`, or start a local Ray with `workers` CPUs. Each
    worker process imports the extractor as it starts (`warm_up`), while this one plans."""
    setup = {"worker_process_setup_hook": "scraper.backfill.ray_engine.warm_up"}
    if address:
        ray.init(address=address, logging_level=logging.WARNING, runtime_env=setup)
    else:
        ray.init(num_cpus=workers, include_dashboard=False, logging_level=logging.WARNING,
                 runtime_env=setup)


def warm_up() -> None:
    """A Ray worker's start: import what every task needs (the extractor, trafilatura, lxml:
    a second or two), as a forked pool process has it from its parent."""
    import scraper.backfill.reextract  # noqa: F401
    import scraper.backfill.work  # noqa: F401


def _driver_node(ray) -> str:
    """The id of the machine this process runs on (a task on another one ships its shard)."""
    return ray.get_runtime_context().get_node_id()


def _task(func, ship, job, counter, driver_node):
    """One job inside a Ray worker."""
    import ray

    def report(n: int) -> None:
        counter.add.remote(n)

    if ship is not None and ray.get_runtime_context().get_node_id() != driver_node:
        with tempfile.TemporaryDirectory(prefix="scraper-shard-") as tmp:
            return ship(job, tmp, report)
    return func(job, report)


def _progress(ray, counter, seen: int, on_progress) -> int:
    total = ray.get(counter.total.remote())
    if on_progress and total > seen:
        on_progress(total - seen)
    return total


def _counter_actor(ray):
    @ray.remote(num_cpus=0)
    class RecordCounter:
        """Records read by all tasks so far (tasks add; the driver reads)."""

        def __init__(self) -> None:
            self.n = 0

        def add(self, n: int) -> None:
            self.n += n

        def total(self) -> int:
            return self.n

    return RecordCounter
