"""Work outside the request: a huey queue, its tasks and the periodic schedule.

`queue` holds the one huey instance every task registers with (its storage comes from the
settings in `init_app`, so importing this package builds no app and opens nothing); `task` and
`periodic_task` are the decorators feature code uses. The `worker` program (supervisord's
`worker`, `python -m project.jobs.worker`) builds the app and consumes the queue.
"""

from huey import crontab

from .queue import QueueUnavailable, huey, init_app, periodic_task, task

__all__ = ["QueueUnavailable", "crontab", "huey", "init_app", "periodic_task", "task"]
