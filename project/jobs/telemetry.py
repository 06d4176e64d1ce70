"""huey's signals to the job counters of project.metrics (README "Monitoring").

Each run of a job ends in exactly one of: succeeded, retried (a retry is enqueued), or failed
(kept in the failed list, counted by `failures.record`); `enqueued` counts every run put on
the queue, so enqueued = succeeded + retried + failed + the jobs queued or running.
"""

from __future__ import annotations

from huey import signals

from .. import metrics


def count_outcomes(huey) -> None:
    huey.signal(signals.SIGNAL_COMPLETE)(succeeded)
    huey.signal(signals.SIGNAL_RETRYING)(retried)


def succeeded(signal, task, *args) -> None:
    metrics.job_succeeded(task.name)


def retried(signal, task, *args) -> None:
    metrics.job_retried(task.name)
