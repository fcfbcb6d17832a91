"""Batch tokens held as locks, and the recovery of what dead workers left behind.

A batch of :func:`.sending.deliver_many` writes a token of its own in the ``claim`` of
the rows it reserves and claims. On PostgreSQL the token is also a session advisory
lock, held for as long as the batch runs; the server drops it when the worker's
connection goes, however the worker died. So a token in the outbox whose lock nobody
holds belongs to a worker that is gone: :func:`release_lost_claims` queues its rows
again at once. Elsewhere :func:`requeue_stalled` does it after ``EMAIL_STALLED_MINUTES``.

This module imports no other module of the email package.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
import zlib
from collections.abc import Iterator
from datetime import timedelta

from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone

from ..conf import app_settings
from ..models.emails import EmailEvent, EmailStatus, SentEmail

#: Claims written by :func:`deliver_many` start with this; the rest is the lock's name.
TOKEN_PREFIX = "w1:"
#: The first key of the package's advisory locks (the second is the token's).
LOCK_NAMESPACE = zlib.crc32(b"wagtail_mentoring.outbox") - 2**31


def outbox_db():
    """The database connection the outbox's rows are written through."""
    return connections[router.db_for_write(SentEmail)]


# -- the batch's lock ---------------------------------------------------------------------------


def _lock_key(token: str) -> int:
    value = int(token.removeprefix(TOKEN_PREFIX)[:8], 16)
    return value - 2**32 if value >= 2**31 else value


def _locks_supported(connection) -> bool:
    return connection.vendor == "postgresql"


#: Tokens this thread's database session holds: its own batches are never "lost"
#: (a session may take its own advisory lock again).
_own = threading.local()


def _own_tokens() -> set:
    if not hasattr(_own, "tokens"):
        _own.tokens = set()
    return _own.tokens


def _new_token() -> str:
    return TOKEN_PREFIX + uuid.uuid4().hex[: 32 - len(TOKEN_PREFIX)]


@contextlib.contextmanager
def batch_token(connection) -> Iterator[str]:
    """A new batch token, held as a lock for the block (PostgreSQL; elsewhere only the
    token)."""
    token = _new_token()
    if not _locks_supported(connection):
        yield token
        return
    # A token whose key another session holds (a one in four billion chance) is
    # replaced, rather than waited for.
    while not _take_if_free(token, connection):
        token = _new_token()
    _own_tokens().add(token)
    try:
        yield token
    finally:
        _own_tokens().discard(token)
        # A connection that broke has dropped the lock with it.
        with contextlib.suppress(DatabaseError):
            _let_go(token, connection)


def _take_if_free(token: str, connection) -> bool:
    """Take a batch's lock if nobody holds it, that is if its worker is gone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, _lock_key(token)])
        return bool(cursor.fetchone()[0])


def _let_go(token: str, connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, _lock_key(token)])


# -- rows a worker left behind ---------------------------------------------------------------


def release_lost_claims(now=None) -> list[int]:
    """Queue again, at once, what workers that are gone left behind; returns the ids.

    A batch's token is held as a lock for as long as its worker's database connection
    lives (PostgreSQL). For each token in the outbox whose lock is free, the row it had
    "sending" (the message in flight when the worker died: it may have reached the
    provider) goes back to "queued", and its reserved rows lose the reservation. The
    caller hands the ids to the task queue. Elsewhere this finds nothing: see
    :func:`requeue_stalled`.
    """
    connection = outbox_db()
    if not _locks_supported(connection):
        return []
    now = now or timezone.now()
    tokens = set(
        SentEmail.objects.filter(
            status__in=(EmailStatus.QUEUED, EmailStatus.SENDING),
            claim__startswith=TOKEN_PREFIX,
        )
        .values_list("claim", flat=True)
        .distinct()
    )
    released: list[int] = []
    for token in sorted(tokens - _own_tokens()):
        if not _take_if_free(token, connection):
            continue  # its worker is still at it
        try:
            released += _release(token, now)
        finally:
            _let_go(token, connection)
    return released


def _release(token: str, now) -> list[int]:
    with transaction.atomic():
        rows = SentEmail.objects.select_for_update().filter(
            claim=token, status__in=(EmailStatus.QUEUED, EmailStatus.SENDING)
        )
        found = dict(rows.values_list("pk", "status"))
        in_flight = [pk for pk, status in found.items() if status == EmailStatus.SENDING]
        SentEmail.objects.filter(pk__in=in_flight, status=EmailStatus.SENDING).update(
            status=EmailStatus.QUEUED, status_at=now, next_attempt_at=None
        )
        SentEmail.objects.filter(pk__in=list(found), claim=token).update(claim="", enqueued_at=now)
        EmailEvent.objects.bulk_create(
            EmailEvent(
                email_id=pk,
                action="queued again",
                note="The worker sending it stopped before it recorded the outcome; "
                "the provider may have accepted it already.",
                at=now,
            )
            for pk in in_flight
        )
    return sorted(found)


def requeue_stalled(now=None) -> list[int]:
    """Queue again the emails "sending" for longer than ``EMAIL_STALLED_MINUTES`` (a
    worker died and nothing could tell sooner); returns their ids."""
    now = now or timezone.now()
    limit = now - timedelta(minutes=app_settings.EMAIL_STALLED_MINUTES)
    ids = []
    with transaction.atomic():
        stalled = SentEmail.objects.select_for_update(skip_locked=True).filter(
            status=EmailStatus.SENDING, status_at__lt=limit
        )
        ids = list(stalled.values_list("pk", flat=True))
        if ids:
            SentEmail.objects.filter(pk__in=ids, status=EmailStatus.SENDING).update(
                status=EmailStatus.QUEUED,
                status_at=now,
                claim="",
                next_attempt_at=None,
                enqueued_at=None,
            )
            EmailEvent.objects.bulk_create(
                EmailEvent(
                    email_id=pk,
                    action="queued again",
                    note="The send did not finish; the worker probably stopped.",
                    at=now,
                )
                for pk in ids
            )
    return ids
