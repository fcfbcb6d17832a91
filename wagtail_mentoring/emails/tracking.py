"""Move outbox rows on with the provider's delivery and engagement events.

Connected to django-anymail's ``tracking`` signal, which anymail's webhook views send
for every provider. Nothing is recorded unless anymail authenticates that provider's
webhook (see :mod:`.webhooks`): an unauthenticated post could come from anyone.

Rows are found by the provider's message id, or by the ``outbox_id`` the outbox puts in
the message's metadata. Each send of a row has a number (``send_number``, also in the
metadata): an event of an earlier send is recorded in the history but never changes
the status, so a late "opened" cannot take an email sent again out of the queue. An
event seen before (the same event id and recipient, or, without an id, the same raw
provider event) is ignored; an event older than the last one applied is recorded but
does not change the status. Malformed metadata is logged and ignored.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ..models.emails import EmailEvent, EmailStatus, SentEmail
from .webhooks import webhook_authenticated

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

#: A positive id as the outbox writes it: ASCII digits, below 2**63.
_NUMBER = re.compile(r"[0-9]{1,18}")
_MALFORMED = object()
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _number(name: str, value, esp_name: str):
    """A metadata value the outbox wrote as a positive number: the int, None when it is
    absent, ``_MALFORMED`` (logged) for anything else."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return value
    if isinstance(value, str) and _NUMBER.fullmatch(value) and int(value) > 0:
        return int(value)
    logger.warning(
        "Ignored the %s tracking event's malformed metadata %s=%.80r", esp_name, name, value
    )
    return _MALFORMED


def _text(value, limit: int) -> str:
    """A scalar event field as text fit to store (no NUL, at most ``limit`` characters)."""
    if value is None or isinstance(value, Mapping | list | tuple | set | bytes):
        return ""
    return str(value).replace("\x00", "")[:limit]


def _canonical(value, depth: int = 0):
    """``value`` (a provider's raw event: JSON, a QueryDict, a request, bytes …) as plain
    JSON data that is the same whenever the event is."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if depth > 40:
        try:
            return ["deep", hashlib.sha256(repr(value).encode()).hexdigest()]
        except RecursionError:
            return ["deep"]
    if isinstance(value, bytes | bytearray | memoryview):
        return ["bytes", hashlib.sha256(bytes(value)).hexdigest()]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    lists = getattr(value, "lists", None)  # QueryDict, MultiValueDict
    if callable(lists):
        return {str(key): [_canonical(v, depth + 1) for v in values] for key, values in lists()}
    if isinstance(value, Mapping):
        return {str(key): _canonical(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item, depth + 1) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(_dump(_canonical(item, depth + 1)) for item in value)
    if hasattr(value, "body") and hasattr(value, "META"):  # an HttpRequest
        try:
            return ["request", _canonical(value.body, depth + 1)]
        except Exception:  # the body was already read as a stream
            return ["request", _canonical(getattr(value, "POST", None), depth + 1)]
    return [type(value).__qualname__, str(value)]


def _dump(data) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


@dataclass
class _Facts:
    """What the receiver reads from one anymail event, checked and fit to store."""

    action: str
    at: datetime.datetime
    timestamped: bool
    recipient: str
    event_id: str
    message_id: str
    outbox_id: object
    send_number: object
    note: str
    error: str
    fingerprint: str


def _read(event, esp_name: str) -> _Facts:
    now = timezone.now()
    at = getattr(event, "timestamp", None)
    timestamped = isinstance(at, datetime.datetime)
    if timestamped and timezone.is_naive(at):
        at = at.replace(tzinfo=datetime.UTC)
    # A time before 1970 or over a day ahead is a provider's mistake; one far ahead would
    # make every later event look older than it.
    if not timestamped or not (_EPOCH <= at <= now + datetime.timedelta(days=1)):
        at, timestamped = now, False
    metadata = getattr(event, "metadata", None) or {}
    if not isinstance(metadata, Mapping):
        logger.warning("Ignored the %s tracking event's metadata: %.80r", esp_name, metadata)
        metadata = {}
    action = _text(getattr(event, "event_type", None), 30) or "unknown"
    recipient = _text(getattr(event, "recipient", None), 254)
    parts = (getattr(event, "description", None), getattr(event, "mta_response", None))
    note = " ".join(_text(part, 2000) for part in parts if _text(part, 2000))[:2000]
    fields = {
        name: _text(getattr(event, name, None), 2000)
        for name in ("message_id", "description", "mta_response", "click_url", "user_agent")
    }
    raw = [_canonical(getattr(event, "esp_event", None)), action, recipient, fields]
    if timestamped:
        raw.append(at.isoformat())
    return _Facts(
        action=action,
        at=at,
        timestamped=timestamped,
        recipient=recipient,
        event_id=_text(getattr(event, "event_id", None), 255),
        message_id=_text(getattr(event, "message_id", None), 255),
        outbox_id=_number("outbox_id", metadata.get("outbox_id"), esp_name),
        send_number=_number("send_number", metadata.get("send_number"), esp_name),
        note=note,
        error=note or _text(getattr(event, "reject_reason", None), 2000) or action,
        fingerprint=hashlib.sha256(_dump(raw).encode()).hexdigest(),
    )


def _find(facts: _Facts) -> tuple[SentEmail | None, bool]:
    """The row the event is about, and whether its message id (of the current send) matched."""
    rows = SentEmail.objects.select_for_update()
    if facts.message_id:
        found = rows.filter(message_id=facts.message_id).first()
        if found is not None:
            return found, True
    if isinstance(facts.outbox_id, int):
        return rows.filter(pk=facts.outbox_id).first(), False
    return None, False


def _send_of(email: SentEmail, facts: _Facts, by_message_id: bool) -> int | None:
    """Which send of ``email`` the event belongs to (None when it cannot be told)."""
    if isinstance(facts.send_number, int):
        return facts.send_number
    if facts.send_number is _MALFORMED:
        return None
    if by_message_id:
        return email.send_number
    # Found by outbox_id alone, without a send number: sent before send numbers existed.
    return 1


def _seen(email: SentEmail, facts: _Facts) -> bool:
    events = EmailEvent.objects.filter(email=email)
    if facts.event_id:
        return events.filter(event_id=facts.event_id, recipient=facts.recipient).exists()
    if events.filter(fingerprint=facts.fingerprint).exists():
        return True
    return (
        facts.timestamped
        and events.filter(action=facts.action, at=facts.at, recipient=facts.recipient).exists()
    )


def record_tracking_event(sender=None, event=None, esp_name: str = "", **kwargs) -> str:
    """Receiver of ``anymail.signals.tracking``; returns what it did (for tests and logs)."""
    esp_name = esp_name if isinstance(esp_name, str) else ""
    if not webhook_authenticated(esp_name):
        logger.warning(
            "Ignored a %s tracking event: anymail does not authenticate this provider's "
            "webhook (see the wagtail_mentoring.W001 check).",
            esp_name or "provider's",
        )
        return "unauthenticated"
    if event is None:
        return "no event"
    facts = _read(event, esp_name)
    with transaction.atomic():
        email, by_message_id = _find(facts)
        if email is None:
            return "unknown message"
        if _seen(email, facts):
            return "duplicate"
        send_number = _send_of(email, facts, by_message_id)
        EmailEvent.objects.create(
            email=email,
            action=facts.action,
            at=facts.at,
            recipient=facts.recipient,
            event_id=facts.event_id,
            fingerprint="" if facts.event_id else facts.fingerprint,
            send_number=send_number,
            note=facts.note,
        )
        if send_number != email.send_number:
            return "earlier send"
        status = STATUS_OF_EVENT.get(facts.action)
        if status is None:
            return "recorded"
        if email.last_event_at is not None and facts.at < email.last_event_at:
            return "older"
        email.status = status
        email.status_at = facts.at
        email.last_event_at = facts.at
        if status in (EmailStatus.BOUNCED, EmailStatus.REJECTED, EmailStatus.FAILED):
            email.last_error = facts.error
        email.save(update_fields=["status", "status_at", "last_event_at", "last_error"])
    return "applied"
