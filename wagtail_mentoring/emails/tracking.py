"""Move outbox rows on with the provider's delivery and engagement events.

Connected to django-anymail's ``tracking`` signal, which anymail's webhook views send
for every provider. Rows are found by the provider's message id (or the ``outbox_id``
the outbox puts in the message's metadata). An event seen before (same event id, or
same type, time and recipient) is ignored; an event older than the last one applied
is recorded in the history but does not change the status.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from ..models.emails import EmailEvent, EmailStatus, SentEmail

logger = logging.getLogger(__name__)

#: anymail's normalised event types that set an outbox status; others are only recorded.
STATUS_OF_EVENT = {
    "deferred": EmailStatus.DEFERRED,
    "delivered": EmailStatus.DELIVERED,
    "opened": EmailStatus.OPENED,
    "clicked": EmailStatus.CLICKED,
    "bounced": EmailStatus.BOUNCED,
    "rejected": EmailStatus.REJECTED,
    "failed": EmailStatus.FAILED,
    "complained": EmailStatus.COMPLAINED,
    "unsubscribed": EmailStatus.UNSUBSCRIBED,
}


def _find(event) -> SentEmail | None:
    rows = SentEmail.objects.select_for_update()
    if event.message_id:
        found = rows.filter(message_id=str(event.message_id)).first()
        if found is not None:
            return found
    outbox_id = (event.metadata or {}).get("outbox_id")
    if outbox_id and str(outbox_id).isdigit():
        return rows.filter(pk=int(outbox_id)).first()
    return None


def record_tracking_event(sender=None, event=None, esp_name: str = "", **kwargs) -> str:
    """Receiver of ``anymail.signals.tracking``; returns what it did (for tests and logs)."""
    at = event.timestamp or timezone.now()
    recipient = (event.recipient or "")[:254]
    event_id = str(event.event_id or "")[:255]
    with transaction.atomic():
        email = _find(event)
        if email is None:
            return "unknown message"
        seen = EmailEvent.objects.filter(email=email)
        if event_id:
            seen = seen.filter(event_id=event_id)
        else:
            seen = seen.filter(action=event.event_type, at=at, recipient=recipient)
        if seen.exists():
            return "duplicate"
        note = " ".join(str(part) for part in (event.description, event.mta_response) if part)
        EmailEvent.objects.create(
            email=email,
            action=event.event_type,
            at=at,
            recipient=recipient,
            event_id=event_id,
            note=note[:2000],
        )
        status = STATUS_OF_EVENT.get(event.event_type)
        if status is None:
            return "recorded"
        if email.last_event_at is not None and at < email.last_event_at:
            return "older"
        email.status = status
        email.status_at = at
        email.last_event_at = at
        if status in (EmailStatus.BOUNCED, EmailStatus.REJECTED, EmailStatus.FAILED):
            email.last_error = note or str(event.reject_reason or event.event_type)
        email.save(update_fields=["status", "status_at", "last_event_at", "last_error"])
    return "applied"
