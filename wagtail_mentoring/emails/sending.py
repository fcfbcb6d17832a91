"""Send outbox rows: one provider connection per batch, one claim per message.

:func:`deliver_many` is what the ``send_emails`` task runs. It

1. takes a lock named by a token of its own (PostgreSQL: a session advisory lock,
   which the server drops when the worker's connection goes, however the worker died);
2. *reserves* the due, queued rows of its batch: one ``UPDATE`` writes the token in
   their ``claim``, their status stays "queued";
3. opens the email backend once (``open()``), and for each row in turn *claims* it
   (one conditional ``UPDATE``: queued and still reserved by this batch → "sending"),
   renders it, sends it over that connection and records the outcome;
4. closes the connection and drops its lock; a batch stopped by an exception first
   clears the reservations it did not reach.

So a worker killed mid-batch leaves at most one row "sending" (the message in flight)
and the rest of its batch "queued". :func:`.claims.release_lost_claims` finds the
tokens whose lock nobody holds any more (their worker is gone), queues their "sending"
row again and returns their rows for the caller to hand to the task queue. On databases
without session locks nothing tells a dead worker from a slow one, and
:func:`.claims.requeue_stalled` queues a "sending" row again after
``EMAIL_STALLED_MINUTES``.

Transient errors (the provider unreachable, a 5xx or 429 answer, a dropped SMTP
connection) are tried again after ``EMAIL_RETRY_DELAY`` seconds, doubling each time, up
to ``EMAIL_MAX_ATTEMPTS``; anything else marks the row failed at once.

The batch's token and lock, and the recovery, are in :mod:`.claims`. This module
imports neither :mod:`.outbox` nor :mod:`.tasks`: the task imports it.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Callable, Sequence
from datetime import timedelta

from anymail.exceptions import AnymailAPIError, AnymailError
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.db.models import F, Q, prefetch_related_objects
from django.utils import timezone

from ..conf import app_settings
from ..models.emails import EmailEvent, EmailStatus, SentEmail
from .claims import batch_token, outbox_db
from .kinds import registry
from .rendering import load_wording, render_outbox_email

# The name the sending code always logged under, which sites may configure.
logger = logging.getLogger("wagtail_mentoring.emails.outbox")

#: ``defer(email_id, when)``: hand a row whose retry is due at ``when`` to the task queue.
Defer = Callable[[int, object], None]


def _event(email_id: int, action: str, note: str = "", at=None, actor=None) -> None:
    EmailEvent.objects.create(
        email_id=email_id, action=action, note=note[:2000], at=at or timezone.now(), actor=actor
    )


# -- sending ------------------------------------------------------------------------------------


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
    values, subject, text, html = render_outbox_email(kind, email, wording)
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


def default_mailer():
    """The configured email backend: ``mail.mailers.default`` (Django 6.1+, ``MAILERS``)
    or ``get_connection()`` (``EMAIL_BACKEND``)."""
    from django.core import mail

    mailers = getattr(mail, "mailers", None)
    if mailers is not None:
        return mailers.default
    return mail.get_connection()


def _due(now) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def _reserve(ids: Sequence[int], token: str) -> list[SentEmail]:
    """Write ``token`` in the due, queued rows among ``ids``; return them, in id order,
    with what their kinds read prefetched. Their status stays "queued"."""
    now = timezone.now()
    reserved = (
        SentEmail.objects.filter(pk__in=ids, status=EmailStatus.QUEUED)
        .filter(_due(now))
        .update(claim=token)
    )
    if not reserved:
        return []
    rows = list(SentEmail.objects.filter(claim=token, status=EmailStatus.QUEUED).order_by("pk"))
    by_kind: dict[str, list[SentEmail]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    for name, group in by_kind.items():
        kind = registry.get(name)
        if kind is not None and kind.related:
            prefetch_related_objects(group, *kind.related)
    return rows


def _claim(email: SentEmail, token: str) -> bool:
    """Queued and still reserved by this batch → sending, one attempt more; whether won.

    A row another run reserved or claimed since, or that was queued again or sent again,
    no longer carries this batch's token: it is left to whoever changed it.
    """
    now = timezone.now()
    meta = SentEmail._meta
    connection = outbox_db()
    quote = connection.ops.quote_name
    column = {name: quote(meta.get_field(name).column) for name in ("status", "claim", "attempts")}
    status_at = meta.get_field("status_at")
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {column['status']} = %s, "
        f"{quote(status_at.column)} = %s, {column['attempts']} = {column['attempts']} + 1 "
        f"WHERE {quote(meta.pk.column)} = %s AND {column['status']} = %s "
        f"AND {column['claim']} = %s"
    )
    params = [
        EmailStatus.SENDING,
        status_at.get_db_prep_save(now, connection),
        email.pk,
        EmailStatus.QUEUED,
        token,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != 1:
            return False
    email.status, email.status_at, email.attempts = EmailStatus.SENDING, now, email.attempts + 1
    return True


def _release_reservations(token: str) -> None:
    """Clear this batch's unused reservations; rows it never reached (the batch stopped
    early) lose their place in the queue, so ``mentoring_send_emails`` hands them over at
    its next run."""
    with contextlib.suppress(DatabaseError):
        SentEmail.objects.filter(claim=token, status=EmailStatus.QUEUED).update(
            claim="", enqueued_at=None
        )


def deliver_many(ids: Sequence[int], *, defer: Defer | None = None) -> dict[int, str]:
    """Send the due, queued emails among ``ids`` over one connection; returns what
    happened to each one this run claimed (``"sent"``, ``"retrying"``, ``"failed"``).

    Rows another run holds, rows not due and rows no longer queued are left out. A row
    to be retried is handed to ``defer(id, when)`` after its commit, when given;
    otherwise ``mentoring_send_emails`` sends it once it is due.
    """
    ids = list(ids)
    if not ids:
        return {}
    outcomes: dict[int, str] = {}
    with batch_token(outbox_db()) as token:
        try:
            rows = _reserve(ids, token)
            if rows:
                _send_batch(rows, token, defer, outcomes)
        except BaseException:
            # Stopped before the end of the batch. (A batch that ran to its end has no
            # reservation left: each row was claimed, or someone else's by then.)
            _release_reservations(token)
            raise
    return outcomes


def _send_batch(rows: list[SentEmail], token: str, defer: Defer | None, outcomes: dict) -> None:
    wording = load_wording()
    mailer = default_mailer()
    # Kinds' build() functions may keep what many rows share here (one batch only).
    batch_cache: dict = {}
    opened = _open(mailer)
    try:
        for email in rows:
            if not _claim(email, token):
                continue
            email.batch_cache = batch_cache
            outcomes[email.pk], broken = _send_claimed(email, wording, mailer, defer)
            if broken and opened:
                # The connection may be dead: the next row gets a new one.
                with contextlib.suppress(Exception):
                    mailer.close()
                opened = _open(mailer)
    finally:
        if opened:
            try:
                mailer.close()
            except Exception:
                logger.warning("Could not close the email connection", exc_info=True)


def _open(mailer) -> bool:
    """Open the backend's connection for the batch; whether this opened it (and so must
    close it). A provider that cannot be reached now is not an error here: each row's
    send then opens its own connection, and its failure is that row's (a retry)."""
    try:
        return bool(mailer.open())
    except Exception:
        logger.warning("Could not open the email connection", exc_info=True)
        return False


def deliver(email_id: int) -> str:
    """Send one queued email if it is due: ``"sent"``, ``"retrying"``, ``"failed"``, or
    ``"skipped"`` when another run has it, it is not due, or it is no longer queued."""
    return deliver_many([email_id]).get(email_id, "skipped")


def _send_claimed(email: SentEmail, wording: dict, mailer, defer: Defer | None):
    """Send one claimed row; (outcome, whether the connection may be broken)."""
    kind = registry.get(email.kind)
    stale = kind.stale(email) if kind is not None and kind.stale is not None else ""
    if stale:
        _fail(email, stale)
        return "failed", False
    try:
        message = build_message(email, wording)
    except Exception as error:
        logger.exception("Could not render email %s", email.pk)
        _fail(email, f"Could not render the email: {error!r}")
        return "failed", False
    try:
        mailer.send_messages([message])
    except Exception as error:
        transient = is_transient(error)
        if transient and email.attempts < app_settings.EMAIL_MAX_ATTEMPTS:
            _schedule_retry(email, error, defer)
            return "retrying", True
        logger.warning("Email %s failed: %r", email.pk, error)
        _fail(email, _describe(error))
        return "failed", transient
    _mark_sent(email, message, getattr(mailer, "esp_name", ""))
    return "sent", False


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
    connection = outbox_db()
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


def _schedule_retry(email: SentEmail, error: BaseException, defer: Defer | None) -> None:
    now = timezone.now()
    when = now + retry_delay(email.attempts)
    reason = _describe(error)
    with transaction.atomic():
        SentEmail.objects.filter(pk=email.pk).update(
            status=EmailStatus.QUEUED,
            status_at=now,
            claim="",
            last_error=reason,
            next_attempt_at=when,
            enqueued_at=now if defer else F("enqueued_at"),
        )
        _event(
            email.pk,
            "will retry",
            note=f"attempt {email.attempts}: {reason}; next attempt at {when:%Y-%m-%d %H:%M:%S}",
            at=now,
        )
        if defer:
            transaction.on_commit(lambda: defer(email.pk, when))
