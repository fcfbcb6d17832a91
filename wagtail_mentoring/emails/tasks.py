"""The django-tasks task that sends outbox rows, and handing rows to it.

The dependency goes one way: :mod:`.outbox` (queueing) imports this module, which
imports :mod:`.sending` (claiming and sending) and :mod:`.claims` (batch tokens and
recovery); none of those imports back.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence

from django_tasks import task

from ..conf import app_settings
from .claims import release_lost_claims
from .sending import deliver_many

logger = logging.getLogger("wagtail_mentoring.emails.outbox")


def _task_backend():
    from django_tasks import task_backends

    return task_backends[app_settings.EMAIL_TASK_BACKEND]


def _defer(email_id: int, when) -> None:
    enqueue(email_id, run_after=when)


@task()
def send_emails(email_ids: list[int]) -> dict[str, str]:
    """Send the due, queued rows among ``email_ids``; returns each one's outcome.

    After its batch it hands over again what workers that are gone left behind (see
    :func:`.claims.release_lost_claims`), so a worker that starts after another died
    recovers its rows with its first task.
    """
    defer = _defer if getattr(_task_backend(), "supports_defer", False) else None
    outcomes = deliver_many(email_ids, defer=defer)
    released = release_lost_claims()
    if released:
        logger.warning("Queued again %d email(s) of a worker that stopped", len(released))
        enqueue(released)
    return {str(pk): outcome for pk, outcome in outcomes.items()}


_held = threading.local()


@contextlib.contextmanager
def enqueue_together():
    """Hold back the rows handed to the task queue inside the block; hand them all over,
    in full batches, when it ends.

    For code that queues a few emails per transaction over many transactions (the
    schedule completing matches one signal at a time), so that they are sent in
    batches rather than one task each. Rows are handed over even if the block raises:
    they are committed. Nested blocks hand everything over at the outermost end.
    """
    if getattr(_held, "ids", None) is not None:
        yield
        return
    _held.ids = []
    try:
        yield
    finally:
        ids, _held.ids = _held.ids, None
        if ids:
            enqueue(ids)


def enqueue(email_ids: int | Sequence[int], run_after=None) -> None:
    """Hand outbox rows to the task queue, ``EMAIL_BATCH_SIZE`` rows per task.

    A queue that refuses is logged, not raised: the rows stay queued either way, and
    ``mentoring_send_emails`` hands them over again later.
    """
    ids = [email_ids] if isinstance(email_ids, int) else list(email_ids)
    held = getattr(_held, "ids", None)
    if held is not None and run_after is None:
        held.extend(ids)
        return
    size = app_settings.EMAIL_BATCH_SIZE
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        try:
            task = send_emails.using(backend=app_settings.EMAIL_TASK_BACKEND)
            if run_after is not None:
                task = task.using(run_after=run_after)
            task.enqueue(batch)
        except Exception:
            logger.exception("Could not enqueue emails %s; mentoring_send_emails will retry", batch)
