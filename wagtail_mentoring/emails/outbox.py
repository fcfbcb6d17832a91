"""Queue an email once, send it outside the request, retry what is worth retrying.

:func:`queue_email` writes an outbox row in the caller's transaction; its unique
idempotency key makes a second request for the same email a no-op. After the commit
a django-tasks task runs :func:`deliver`, which claims the row with one conditional
``UPDATE`` (so two tasks for the same row send it once), renders it, sends it through
Django's email API (so any backend, django-anymail's included, delivers it) and
records the outcome.

Transient errors (the provider unreachable, a 5xx or 429 answer, a dropped SMTP
connection) are tried again after ``EMAIL_RETRY_DELAY`` seconds, doubling each time,
up to ``EMAIL_MAX_ATTEMPTS``; anything else marks the row failed at once. Backends
that can defer a task get the retry as a deferred task; otherwise (django-tasks'
immediate backend) ``manage.py mentoring_send_emails``, run from cron, sends what is
due. The same command queues again rows stuck in "sending" because a worker died.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import threading
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta
from functools import partial

from anymail.exceptions import AnymailAPIError, AnymailError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connections, transaction
from django.db.models import F, Q, prefetch_related_objects
from django.utils import timezone

from ..conf import app_settings
from ..models.emails import RESENDABLE, EmailEvent, EmailStatus, SentEmail
from .kinds import registry
from .rendering import load_wording, render_email

logger = logging.getLogger(__name__)


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


def _task_backend():
    from django_tasks import task_backends

    return task_backends[app_settings.EMAIL_TASK_BACKEND]


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
    from .tasks import send_emails

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


def _event(email_id: int, action: str, note: str = "", at=None, actor=None) -> None:
    EmailEvent.objects.create(
        email_id=email_id, action=action, note=note[:2000], at=at or timezone.now(), actor=actor
    )


# -- sending -------------------------------------------------------------------------------


def is_transient(error: BaseException) -> bool:
    """Whether trying again later may succeed."""
    if isinstance(error, AnymailAPIError):
        status = error.status_code
        return status is None or status >= 500 or status in (408, 429)
    if isinstance(error, AnymailError):
        return False  # invalid address, unsupported feature, recipients refused, …
    if isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, smtplib.SMTPException | OSError)


def build_message(email: SentEmail, wording: dict | None = None) -> EmailMultiAlternatives:
    kind = registry[email.kind]
    values = kind.build(email)
    subject, text, html = render_email(kind, values, wording)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=app_settings.FROM_EMAIL, to=email.recipients
    )
    message.attach_alternative(html, "text/html")
    reply_to = values.get("reply_to")
    if reply_to:
        message.reply_to = [reply_to]
    # django-anymail sends these to the provider; other backends ignore them.
    message.tags = [email.kind]
    # outbox_id and send_number tie the provider's events to this send of this row.
    message.metadata = {
        "kind": email.kind,
        "outbox_id": str(email.pk),
        "send_number": str(email.send_number),
        "application_id": str(email.application_id or ""),
        "match_id": str(email.match_id or ""),
    }
    return message


def _claim(ids: Sequence[int]) -> list[SentEmail]:
    """Mark the due, queued rows among ``ids`` as sending; return those this run won.

    One conditional ``UPDATE`` tags the rows with a token no other run has, so two
    tasks given the same ids never both send a row.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    claimed = (
        SentEmail.objects.filter(pk__in=ids, status=EmailStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=EmailStatus.SENDING, status_at=now, attempts=F("attempts") + 1, claim=token)
    )
    if not claimed:
        return []
    rows = list(SentEmail.objects.filter(claim=token).order_by("pk"))
    by_kind: dict[str, list[SentEmail]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    for name, group in by_kind.items():
        kind = registry.get(name)
        if kind is not None and kind.related:
            prefetch_related_objects(group, *kind.related)
    return rows


def deliver_many(ids: Sequence[int]) -> dict[int, str]:
    """Send the due, queued emails among ``ids``; returns what happened to each one sent.

    Rows another run holds, rows not due and rows no longer queued are left out.
    """
    rows = _claim(list(ids))
    if not rows:
        return {}
    wording = load_wording()
    mailer = default_mailer()
    # Kinds' build() functions may keep what many rows share here (one batch only).
    batch_cache: dict = {}
    outcomes = {}
    for email in rows:
        email.batch_cache = batch_cache
        outcomes[email.pk] = _send_claimed(email, wording, mailer)
    return outcomes


def default_mailer():
    """The configured email backend: ``mail.mailers.default`` (Django 6.1+, ``MAILERS``)
    or ``get_connection()`` (``EMAIL_BACKEND``)."""
    from django.core import mail

    mailers = getattr(mail, "mailers", None)
    if mailers is not None:
        return mailers.default
    return mail.get_connection()


def deliver(email_id: int) -> str:
    """Send one queued email if it is due: ``"sent"``, ``"retrying"``, ``"failed"``, or
    ``"skipped"`` when another run has it, it is not due, or it is no longer queued."""
    return deliver_many([email_id]).get(email_id, "skipped")


def _send_claimed(email: SentEmail, wording: dict, mailer) -> str:
    try:
        message = build_message(email, wording)
    except Exception as error:
        logger.exception("Could not render email %s", email.pk)
        _fail(email, f"Could not render the email: {error!r}")
        return "failed"
    try:
        mailer.send_messages([message])
    except Exception as error:
        if is_transient(error) and email.attempts < app_settings.EMAIL_MAX_ATTEMPTS:
            _schedule_retry(email, error)
            return "retrying"
        logger.warning("Email %s failed: %r", email.pk, error)
        _fail(email, _describe(error))
        return "failed"
    _mark_sent(email, message, getattr(mailer, "esp_name", ""))
    return "sent"


def _describe(error: BaseException) -> str:
    try:
        text = f"{type(error).__name__}: {error}"
    except Exception:  # an exception whose str() itself fails
        text = f"{type(error).__name__}: {error.args!r}"
    status = getattr(error, "status_code", None)
    return f"{text} (status {status})" if status and str(status) not in text else text


def _mark_sent(email: SentEmail, message, esp_name: str = "") -> None:
    now = timezone.now()
    status = getattr(message, "anymail_status", None)
    message_id = ""
    per_recipient = {}
    if status is not None:
        message_id = "" if status.message_id is None else str(status.message_id)
        per_recipient = {
            address: {
                "status": item.status,
                "message_id": "" if item.message_id is None else str(item.message_id),
            }
            for address, item in (status.recipients or {}).items()
        }
    outcome = {
        "sent_at": now,
        "subject": message.subject[:300],
        "message_id": message_id[:255],
        "esp_name": esp_name or "",
    }
    # Write only what differs from the defaults, to keep the common case's UPDATE short.
    if per_recipient and not (
        len(per_recipient) == 1
        and next(iter(per_recipient.values())) == {"status": "sent", "message_id": message_id}
    ):
        outcome["recipient_status"] = per_recipient
    if email.last_error:
        outcome["last_error"] = ""
    if email.next_attempt_at:
        outcome["next_attempt_at"] = None
    if not _update_row(
        email.pk, {"status": EmailStatus.SENT, "status_at": now, **outcome}, EmailStatus.SENDING
    ):
        # A tracking event got here first (a provider can report delivery before its
        # answer to the send reaches us): keep the status it set.
        _update_row(email.pk, outcome)


def _update_row(pk: int, values: dict, only_if_status: str | None = None) -> int:
    """``SentEmail.objects.filter(pk=pk[, status=…]).update(**values)``, the row count.

    The same UPDATE written directly: building the query through the ORM costs more
    than running it, and marking each email sent is the hot path of a batch. Values are
    prepared by their fields, as ``update()`` would.
    """
    meta = SentEmail._meta
    connection = connections[SentEmail.objects.db]
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in values]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in fields),
        quote(meta.pk.column),
    )
    params = [field.get_db_prep_save(values[field.name], connection) for field in fields]
    params.append(pk)
    if only_if_status is not None:
        sql += " AND {} = %s".format(quote(meta.get_field("status").column))
        params.append(only_if_status)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _fail(email: SentEmail, reason: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        SentEmail.objects.filter(pk=email.pk).update(
            status=EmailStatus.FAILED, status_at=now, last_error=reason, next_attempt_at=None
        )
        _event(email.pk, "failed", note=f"attempt {email.attempts}: {reason}", at=now)


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next attempt, after ``attempts`` attempts: base, twice that, four times, …"""
    return timedelta(seconds=app_settings.EMAIL_RETRY_DELAY * 2 ** max(attempts - 1, 0))


def _schedule_retry(email: SentEmail, error: BaseException) -> None:
    now = timezone.now()
    when = now + retry_delay(email.attempts)
    reason = _describe(error)
    deferrable = getattr(_task_backend(), "supports_defer", False)
    with transaction.atomic():
        SentEmail.objects.filter(pk=email.pk).update(
            status=EmailStatus.QUEUED,
            status_at=now,
            last_error=reason,
            next_attempt_at=when,
            enqueued_at=now if deferrable else F("enqueued_at"),
        )
        _event(
            email.pk,
            "will retry",
            note=f"attempt {email.attempts}: {reason}; next attempt at {when:%Y-%m-%d %H:%M:%S}",
            at=now,
        )
        if deferrable:
            transaction.on_commit(partial(enqueue, email.pk, run_after=when))


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
            message_id="",
            recipient_status={},
            last_event_at=None,
        )
        if not changed:
            raise EmailNotResendable(
                "Only a failed, bounced or rejected email can be sent again; this one is "
                f"{email.get_status_display().lower()}."
            )
        _event(email.pk, "resend requested", actor=actor if getattr(actor, "pk", None) else None)
        transaction.on_commit(partial(enqueue, email.pk))
    email.refresh_from_db()
    return email


def requeue_stalled(now=None) -> list[int]:
    """Queue again the emails left "sending" by a worker that died; returns their ids."""
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
                status=EmailStatus.QUEUED, status_at=now, next_attempt_at=None, enqueued_at=None
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
    ids = list(ids)
    SentEmail.objects.filter(pk__in=ids).update(enqueued_at=now or timezone.now())
    enqueue(ids)
    return len(ids)
