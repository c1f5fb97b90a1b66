"""Queueing a task for what the current transaction writes."""

from django.db import transaction
from django_tasks_db import DatabaseBackend


def enqueue_when_stored(task, *args) -> None:
    """Queue `task` for rows the current transaction writes. A queue kept in the same database
    (TASK_WORKER=1) takes it inside the transaction: the rows and their task are stored together
    or not at all, in one commit. Any other backend (the immediate one runs the task at once) is
    called once the transaction commits, so a task never reads rows that may still roll back."""
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
