"""Queue an email once; hand it to the task queue after the commit.

:func:`queue_email` writes an outbox row in the caller's transaction; its unique
idempotency key makes a second request for the same email a no-op. After the commit
the row is handed to the ``send_emails`` task (:mod:`.tasks`), which sends it with
:mod:`.sending`: one provider connection per batch, each row claimed just before it
is sent, the outcome recorded straight after.

``manage.py mentoring_send_emails``, run from cron and when a worker starts, hands over
what is due (new rows no task took, retries whose time has come) and what workers that
died left behind.

The dependency goes one way: this module imports :mod:`.tasks`, which imports
:mod:`.sending`; neither imports this one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from ..conf import app_settings
from ..models.emails import RESENDABLE, EmailStatus, SentEmail
from .claims import release_lost_claims, requeue_stalled
from .kinds import registry
from .sending import (
    _event,
    build_message,
    deliver,
    deliver_many,
    is_transient,
    retry_delay,
)
from .tasks import enqueue, enqueue_together

__all__ = [
    "EmailNotResendable",
    "build_message",
    "deliver",
    "deliver_many",
    "due",
    "enqueue",
    "enqueue_many",
    "enqueue_together",
    "is_transient",
    "matches_without_introductions",
    "pair_email",
    "queue_email",
    "queue_emails",
    "release_lost_claims",
    "requeue_stalled",
    "resend",
    "retry_delay",
]


class EmailNotResendable(Exception):
    """Only failed, bounced or rejected emails can be sent again."""


def queue_email(
    kind: str,
    to: Sequence[str],
    *,
    key: str,
    application=None,
    match=None,
    recipient_user=None,
    context: dict | None = None,
) -> tuple[SentEmail, bool]:
    """Put one email in the outbox; returns (row, created).

    Call it inside the transaction that decides to send: the row is written with the
    rest of the change and the task is enqueued only if it commits. A key already in
    the outbox returns that row and sends nothing.
    """
    email = _new_row(
        {
            "kind": kind,
            "to": to,
            "key": key,
            "application": application,
            "match": match,
            "recipient_user": recipient_user,
            "context": context,
        },
        timezone.now(),
    )
    try:
        # A savepoint, so that a duplicate key leaves the caller's transaction usable.
        with transaction.atomic():
            email.save(force_insert=True)
    except IntegrityError:
        existing = SentEmail.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing, False
    # Runs when the caller's transaction commits (at once outside a transaction).
    transaction.on_commit(partial(enqueue, email.pk))
    return email, True


def _new_row(item: dict, now) -> SentEmail:
    """An unsaved outbox row from :func:`queue_emails`' item; refuses an unknown kind
    (a programming error: fail loudly, now) and an email without a recipient."""
    kind = item["kind"]
    registry[kind]
    to = [address.strip() for address in item["to"] if address and address.strip()]
    if not to:
        raise ValueError(f"An email of kind {kind!r} needs at least one recipient.")
    return SentEmail(
        kind=kind,
        to=", ".join(to),
        idempotency_key=item["key"],
        application=item.get("application"),
        match=item.get("match"),
        recipient_user_id=(
            item["recipient_user_id"]
            if "recipient_user_id" in item
            else getattr(item.get("recipient_user"), "pk", None)
        ),
        context=item.get("context") or {},
        created_at=now,
        status_at=now,
        enqueued_at=now,
    )


def queue_emails(emails: Iterable[dict]) -> list[int]:
    """Put many emails in the outbox at once; returns the ids of the rows it created.

    Each item holds :func:`queue_email`'s arguments (``kind``, ``to``, ``key`` and any
    of ``application``, ``match``, ``recipient_user`` (or ``recipient_user_id``),
    ``context``). Keys already in the outbox are skipped. The rows are handed to the
    task queue in batches after the caller's transaction commits. For senders of many
    emails at once, such as the schedule.
    """
    now = timezone.now()
    rows = {item["key"]: _new_row(item, now) for item in emails}
    created = []
    keys = list(rows)
    with transaction.atomic():
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            known = set(
                SentEmail.objects.filter(idempotency_key__in=chunk).values_list(
                    "idempotency_key", flat=True
                )
            )
            new = [rows[key] for key in chunk if key not in known]
            SentEmail.objects.bulk_create(new, ignore_conflicts=True)
            created += SentEmail.objects.filter(
                idempotency_key__in=[row.idempotency_key for row in new], created_at=now
            ).values_list("pk", flat=True)
        if created:
            transaction.on_commit(partial(enqueue, list(created)))
    return created


def pair_email(kind: str, key: str, match, role: str, application, **context) -> dict:
    """A :func:`queue_emails` item to one person (``role``, ``application``) of a match."""
    return {
        "kind": kind,
        "to": [application.contact_email],
        "key": key,
        "match": match,
        "recipient_user_id": application.user_id,
        "context": {"role": role, **context},
    }


# -- the committee's and cron's side -------------------------------------------------------


def resend(email: SentEmail, actor=None) -> SentEmail:
    """Queue a failed, bounced or rejected email again (same row, attempts from zero).

    The row's ``send_number`` goes up by one: the provider's events of the earlier send
    are still recorded, but no longer change the status.
    """
    with transaction.atomic():
        changed = SentEmail.objects.filter(pk=email.pk, status__in=RESENDABLE).update(
            status=EmailStatus.QUEUED,
            status_at=timezone.now(),
            attempts=0,
            send_number=F("send_number") + 1,
            next_attempt_at=None,
            enqueued_at=timezone.now(),
            claim="",
            message_id="",
            recipient_status={},
            last_event_at=None,
        )
        if not changed:
            raise EmailNotResendable(
                gettext(
                    "Only a failed, bounced or rejected email can be sent again; this one "
                    "is %(status)s."
                )
                % {"status": str(email.get_status_display()).lower()}
            )
        _event(email.pk, "resend requested", actor=actor if getattr(actor, "pk", None) else None)
        transaction.on_commit(partial(enqueue, email.pk))
    email.refresh_from_db()
    return email


def due(now=None):
    """Queued emails whose time has come and that no task is known to be holding."""
    now = now or timezone.now()
    lost = now - timedelta(minutes=app_settings.EMAIL_STALLED_MINUTES)
    return (
        SentEmail.objects.filter(status=EmailStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(
            Q(enqueued_at__isnull=True)
            | Q(enqueued_at__lt=lost)
            | Q(next_attempt_at__isnull=False, enqueued_at__lt=F("next_attempt_at"))
        )
    )


def enqueue_many(ids: Iterable[int], now=None) -> int:
    """Hand rows to the task queue now, noting when; returns how many."""
    ids = list(ids)
    SentEmail.objects.filter(pk__in=ids).update(enqueued_at=now or timezone.now())
    enqueue(ids)
    return len(ids)


def matches_without_introductions() -> list[int]:
    """Ids of the approved or active matches that lack the introduction email of their
    mentor or of their mentee (kind ``match_introduction``).

    The approval writes both rows in its own transaction, so this should always be
    empty; ``mentoring_send_emails`` prints it for an operator to see that it is.
    """
    from ..models.matches import UNDERWAY, Match

    introductions = SentEmail.objects.filter(kind="match_introduction", match=OuterRef("pk"))
    return list(
        Match.objects.filter(status__in=UNDERWAY)
        .exclude(
            Exists(introductions.filter(context__role="mentor"))
            & Exists(introductions.filter(context__role="mentee"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
