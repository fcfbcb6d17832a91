"""The outbox: one row per email the programme sends, with what became of it.

A row is created in the transaction that decides to send (an application stored, a
match approved), under a unique idempotency key, so asking twice for the same email
is a no-op. A task sends it after the commit; the provider's tracking events then move
its status on. ``wagtail_mentoring.emails`` holds the code that does all this.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .events import AbstractEvent


class EmailStatus(models.TextChoices):
    # Set by the outbox itself.
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Set by the provider's tracking events.
    DEFERRED = "deferred", _("Deferred by the receiving server")
    DELIVERED = "delivered", _("Delivered")
    OPENED = "opened", _("Opened")
    CLICKED = "clicked", _("Link clicked")
    BOUNCED = "bounced", _("Bounced")
    REJECTED = "rejected", _("Rejected by the provider")
    COMPLAINED = "complained", _("Marked as spam")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


#: Statuses after which the outbox does nothing more with a row on its own.
DONE = tuple(s for s in EmailStatus if s not in (EmailStatus.QUEUED, EmailStatus.SENDING))

#: The committee can send these again with one click.
RESENDABLE = (EmailStatus.FAILED, EmailStatus.BOUNCED, EmailStatus.REJECTED)


class SentEmail(models.Model):
    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    to = models.CharField(_("to"), max_length=1000, help_text=_("Addresses, comma-separated."))
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    idempotency_key = models.CharField(
        _("idempotency key"),
        max_length=200,
        unique=True,
        help_text=_("Names the email; asking to send the same key again does nothing."),
    )
    application = models.ForeignKey(
        "wagtail_mentoring.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
    )
    match = models.ForeignKey(
        "wagtail_mentoring.Match",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    context = models.JSONField(
        _("context"),
        default=dict,
        blank=True,
        help_text=_("What the message needs besides its related objects, such as a role."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    status_at = models.DateTimeField(_("status since"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    send_number = models.PositiveIntegerField(
        _("send number"),
        default=1,
        help_text=_(
            '1 for the first send; each "Send again" adds one. The provider\'s events of an '
            "earlier send are kept in the history but do not change the status."
        ),
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    enqueued_at = models.DateTimeField(_("handed to the task queue at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    esp_name = models.CharField(_("provider"), max_length=50, blank=True)
    message_id = models.CharField(_("provider's message id"), max_length=255, blank=True)
    recipient_status = models.JSONField(
        _("status per recipient"), default=dict, blank=True, help_text=_("As the provider said.")
    )
    last_event_at = models.DateTimeField(_("last tracking event at"), null=True, blank=True)
    claim = models.CharField(
        _("claimed by"), max_length=32, blank=True, db_index=True, editable=False
    )

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="wagtail_mentoring_email_msgid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} to {self.to}"

    @property
    def recipients(self) -> list[str]:
        return [address.strip() for address in self.to.split(",") if address.strip()]

    @property
    def kind_label(self) -> str:
        from ..emails.kinds import registry

        kind = registry.get(self.kind)
        return str(kind.label) if kind else self.kind

    kind_label.fget.short_description = _("email")

    @property
    def can_resend(self) -> bool:
        return self.status in RESENDABLE

    def timeline(self) -> list:
        """Queued, the recorded events and the last send, in time order."""
        steps = [EmailEvent(email=self, action="queued", at=self.created_at)]
        events = list(self.events.all())
        if self.send_number > 1:
            # Sent again: say which send each provider's event belongs to.
            for event in events:
                if event.send_number is not None:
                    label = _("send %(number)s") % {"number": event.send_number}
                    event.note = f"{label}: {event.note}" if event.note else str(label)
        steps += events
        if self.sent_at:
            note = f"attempt {self.attempts}" if self.attempts > 1 else ""
            steps.append(EmailEvent(email=self, action="sent", at=self.sent_at, note=note))
        return sorted(steps, key=lambda step: step.at)


#: The words of the steps the outbox records itself; a provider's events that set a
#: status read as that status (:class:`EmailStatus`).
EMAIL_STEPS = {
    "queued": _("Queued"),
    "queued again": _("Queued again"),
    "sent": _("Sent"),
    "failed": _("Failed"),
    "will retry": _("Will be tried again"),
    "resend requested": _("Sent again on request"),
    "autoresponded": _("Answered automatically"),
    "unknown": _("Unknown provider event"),
}


class EmailEvent(AbstractEvent):
    """One thing that happened to an email: an attempt, a retry, a provider's event."""

    email = models.ForeignKey(SentEmail, on_delete=models.CASCADE, related_name="events")
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    event_id = models.CharField(_("provider's event id"), max_length=255, blank=True)
    send_number = models.PositiveIntegerField(
        _("send number"),
        null=True,
        blank=True,
        help_text=_("The send of the email a provider's event belongs to."),
    )
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A hash of a provider's event that has no event id, to recognise it again."),
    )

    class Meta(AbstractEvent.Meta):
        verbose_name = _("email event")
        constraints = [
            # One provider event id can name several recipients (Amazon SES).
            models.UniqueConstraint(
                fields=["email", "event_id", "recipient"],
                condition=~Q(event_id=""),
                name="wagtail_mentoring_email_event_once",
            ),
            models.UniqueConstraint(
                fields=["email", "fingerprint"],
                condition=~Q(fingerprint=""),
                name="wagtail_mentoring_email_event_print",
            ),
        ]

    @property
    def label(self) -> str:
        if self.action in EMAIL_STEPS:
            return str(EMAIL_STEPS[self.action])
        if self.action in EmailStatus.values:
            return str(EmailStatus(self.action).label)
        return self.action.replace("_", " ").capitalize()

    def describe(self) -> str:
        """The step in words: what happened and, if noted, the details."""
        if self.note:
            return gettext("%(action)s: %(detail)s") % {"action": self.label, "detail": self.note}
        return self.label

    def status_change(self) -> str:
        return ""
