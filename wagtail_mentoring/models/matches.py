"""Matches: one mentor application paired with one mentee application, and its timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .events import AbstractEvent


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved and introduced")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    ENDED_EARLY = "ended_early", _("Ended early")
    REJECTED = "rejected", _("Rejected proposal")


#: Statuses that hold one of the mentor's places.
HOLDS_CAPACITY = (MatchStatus.APPROVED, MatchStatus.ACTIVE)
#: Statuses in which a mentee application is spoken for.
LIVE = (MatchStatus.PROPOSED, MatchStatus.APPROVED, MatchStatus.ACTIVE)


class Match(models.Model):
    cycle = models.ForeignKey(
        "wagtail_mentoring.Cycle", on_delete=models.PROTECT, related_name="matches"
    )
    mentor = models.ForeignKey(
        "wagtail_mentoring.Application",
        on_delete=models.PROTECT,
        related_name="matches_as_mentor",
        verbose_name=_("mentor application"),
    )
    mentee = models.ForeignKey(
        "wagtail_mentoring.Application",
        on_delete=models.PROTECT,
        related_name="matches_as_mentee",
        verbose_name=_("mentee application"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    score = models.FloatField(_("score"), default=0)
    explanation = models.JSONField(
        _("explanation"),
        default=list,
        blank=True,
        help_text=_("Each score component with its points and reason, as at proposal time."),
    )
    pinned = models.BooleanField(
        _("pinned"), default=False, help_text=_("Kept when suggestions are computed again.")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    start_date = models.DateField(_("starts"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.TextField(_("reason"), blank=True, max_length=1000)
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)
    flag_reason = models.CharField(
        _("needs the committee's attention because"), max_length=300, blank=True
    )

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(status__in=["proposed", "approved", "active"]),
                name="wagtail_mentoring_one_live_match_per_mentee",
                violation_error_message=_("This mentee already has a proposed or approved match."),
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")),
                name="wagtail_mentoring_match_two_applications",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "status"])]

    def __str__(self) -> str:
        return f"{self.mentor.name} → {self.mentee.name}"


class MatchEvent(AbstractEvent):
    """One change in a match's life: who did what, when, and the status it moved."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)

    class Meta(AbstractEvent.Meta):
        verbose_name = _("match event")
