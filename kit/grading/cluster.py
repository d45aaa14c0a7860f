"""Grading on a Dask cluster: :class:`DaskExecutor`, the executor that sends each notebook to a
worker of a Dask distributed cluster.

The workers need no folder of the grader's: a job carries its submission (the notebook and the
learner's files, :meth:`kit.grading.jobs.Job.portable`) and its result comes back whole; the
gradebook is written by the grader alone, as with the local pool. Each worker process keeps
warm kernels (:class:`KernelsPlugin`, a worker plugin) and runs each notebook in the same jail
as a local worker. A job runs only on workers that can jail kernels: a worker that cannot says
why, and where none can, grading stops with the reasons. A worker lost mid-run (its machine
gone, its process killed) has its jobs run again elsewhere by the scheduler; each ends once,
so each submission is recorded once.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Future
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from kit.databases import masked
from kit.grading import executor as local
from kit.grading.errors import GradingError
from kit.grading.jobs import Job, JobResult

__all__ = ["DaskExecutor", "KernelsPlugin", "masked"]

PLUGIN = "kit-kernels"
CONNECT_SECONDS = 20


def _run(job: Job) -> JobResult:
    """On a worker: run the job on this worker process's warm kernels."""
    return local.run_job(job)


def _can_jail(user: str) -> str:
    """On a worker: why it cannot jail kernels ("" when it can)."""
    from kit.grading import jail

    return jail.available(user)


class KernelsPlugin(WorkerPlugin):  # type: ignore[misc]
    """A Dask worker plugin: each worker process keeps the warm kernels of
    :class:`kit.grading.kernels.WarmKernels` (and its run folder) while it lives."""

    name = PLUGIN

    def setup(self, worker: Any) -> None:
        from kit.grading.kernels import WarmKernels

        local.use_kernels(WarmKernels())

    def teardown(self, worker: Any) -> None:
        local.use_kernels(None)


class DaskExecutor:
    """Notebooks run on a Dask distributed cluster (a :class:`kit.grading.jobs.Executor`).

    Parameters
    ----------
    scheduler:
        The scheduler's address (``tcp://host:8786``), or ``local:N`` for a cluster of ``N``
        worker processes on this machine (Dask's LocalCluster).
    user:
        The sandbox user, for the workers' check that they can jail kernels.
    """

    def __init__(self, scheduler: str, user: str = "nobody") -> None:
        from distributed import Client

        self._cluster: Any = None
        self.scheduler = scheduler
        try:
            if scheduler.startswith("local:"):
                self._cluster = _local_cluster(scheduler)
                self._client = Client(self._cluster)
            else:
                self._client = Client(scheduler, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError) as exc:
            self.close()
            raise GradingError(
                f"the Dask scheduler at {masked(scheduler)} cannot be reached ({masked(str(exc))})",
                fix="start the scheduler and its workers (dask scheduler; dask worker ADDRESS "
                "--nthreads 1), or give its address with --scheduler tcp://HOST:8786",
            ) from exc
        self._client.register_plugin(KernelsPlugin(), name=PLUGIN)
        self.workers = self._jailing_workers(user)

    def _jailing_workers(self, user: str) -> list[str]:
        """The workers that can jail kernels (a :class:`GradingError` with every worker's
        reason where none can)."""
        reasons: dict[str, str] = self._client.run(_can_jail, user)
        able = sorted(worker for worker, why in reasons.items() if not why)
        if not able:
            why = "; ".join(f"{w}: {r}" for w, r in sorted(reasons.items())) or "no workers"
            self.close()
            raise GradingError(
                f"no worker of the Dask cluster at {masked(self.scheduler)} can jail "
                f"learners' kernels ({why})",
                fix="install bubblewrap on the workers and allow user namespaces there; "
                "submissions are never graded without the jail on a cluster",
            )
        return able

    def submit(self, job: Job) -> Future[JobResult]:
        """Send ``job`` (with its files) to a worker that can jail its kernel."""
        import dataclasses

        portable = dataclasses.replace(job.portable(), limits=_required(job))
        task = self._client.submit(_run, portable, pure=False, workers=self.workers)
        result: Future[JobResult] = Future()

        def done(finished: Any) -> None:
            try:
                result.set_result(finished.result())
            except BaseException as exc:  # the job failed, or its workers all went
                result.set_exception(exc)

        task.add_done_callback(done)
        return result

    def close(self) -> None:
        """Release the cluster's workers (a local cluster is shut down)."""
        for part in ("_client", "_cluster"):
            thing = getattr(self, part, None)
            if thing is not None:
                with contextlib.suppress(Exception):
                    thing.close()


def _required(job: Job) -> Any:
    """The job's limits with the jail required: on a cluster, never grade unconfined."""
    import dataclasses

    return dataclasses.replace(job.limits, jail=True, require_jail=True)


def _local_cluster(scheduler: str) -> Any:
    from distributed import LocalCluster

    count = scheduler.removeprefix("local:")
    if not count.isdigit() or int(count) < 1:
        raise GradingError(
            f"--scheduler {scheduler}: local: takes a number of workers",
            fix="write local:2 for two worker processes on this machine",
        )
    return LocalCluster(
        n_workers=int(count),
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=50,
    )
