"""Applications: one member's request to take part in one role in one cycle."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .events import AbstractEvent

COMMITTEE_PERMISSION = "wagtail_mentoring.manage_mentoring"
COMMITTEE_GROUP = "Mentoring committee"


class Role(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_POOL = "in_pool", _("In the pool")
    MATCHED = "matched", _("Matched")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed by the committee")


class CareerStage(models.TextChoices):
    """Career stages, from least to most senior (matching compares their order)."""

    STUDENT = "student", _("Student")
    NEW_PROFESSIONAL = "new_professional", _("New professional")
    MID_CAREER = "mid_career", _("Mid-career")
    SENIOR = "senior", _("Senior or manager")
    DIRECTOR = "director", _("Director or executive")


class MeetingPreference(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Virtual")
    EITHER = "either", _("Either")


class ConferenceAttendance(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNSURE = "unsure", _("Not sure")


#: Statuses in which the applicant may still change the application.
EDITABLE_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_POOL)


class ApplicationQuerySet(models.QuerySet):
    def with_places_taken(self) -> ApplicationQuerySet:
        """Annotate ``taken``: the mentor's places held (approved and active matches,
        and approved ones awaiting consent).

        A subquery rather than a join and ``GROUP BY``: it runs only for the rows
        returned, so counting or filtering the applications stays cheap.
        """
        from .matches import HOLDS_CAPACITY, Match

        held = (
            Match.objects.filter(mentor=models.OuterRef("pk"), status__in=HOLDS_CAPACITY)
            .order_by()
            .values("mentor")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            taken=models.functions.Coalesce(
                models.Subquery(held, output_field=models.IntegerField()), 0
            )
        )


class Application(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentoring_applications",
        verbose_name=_("member"),
    )
    cycle = models.ForeignKey(
        "wagtail_mentoring.Cycle",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("cycle"),
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("application page"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )

    # Both roles
    contact_email = models.EmailField(_("contact email"))
    name = models.CharField(_("name"), max_length=150)
    career_stage = models.CharField(_("career stage"), max_length=20, choices=CareerStage.choices)
    sector = models.CharField(_("sector"), max_length=50)
    region = models.CharField(_("region"), max_length=100)
    organisation = models.CharField(_("employer or organisation"), max_length=200, blank=True)
    meeting_preference = models.CharField(
        _("meeting preference"), max_length=20, choices=MeetingPreference.choices
    )
    conference_attendance = models.CharField(
        _("attending the annual conference"), max_length=10, choices=ConferenceAttendance.choices
    )
    goals = models.TextField(_("goals"), max_length=2000)
    topics = models.ManyToManyField(
        "wagtail_mentoring.Topic",
        related_name="applications",
        verbose_name=_("topics"),
        help_text=_("Offered by a mentor, wanted by a mentee."),
    )
    commitment_consent = models.BooleanField(_("agreed to the commitment"), default=False)
    alumni_listing_consent = models.BooleanField(
        _("may be listed among the alumni"),
        default=False,
        help_text=_("Given by the member on My mentoring once their mentoring is completed."),
    )
    privacy_consent = models.BooleanField(_("agreed to the privacy notice"), default=False)

    # Mentors
    capacity = models.PositiveSmallIntegerField(_("capacity"), null=True, blank=True)
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), null=True, blank=True
    )
    conference_activities = models.JSONField(_("conference activities"), default=list, blank=True)
    preferred_mentee_stages = models.JSONField(
        _("preferred career stages of mentees"),
        default=list,
        blank=True,
        help_text=_("Career stage codes; empty: any stage."),
    )

    # Mentees
    mentor_kind = models.TextField(_("kind of mentor hoped for"), max_length=1000, blank=True)
    preferred_mentor_stage = models.CharField(
        _("preferred mentor career stage"), max_length=20, choices=CareerStage.choices, blank=True
    )
    priorities = models.JSONField(
        _("what matters most"),
        default=dict,
        blank=True,
        help_text=_(
            'How important each priority is to the mentee, as codes ({"topics": "very", '
            '...}); empty: every priority "somewhat important".'
        ),
    )

    extra_answers = models.JSONField(
        _("answers to the page's own questions"),
        default=dict,
        blank=True,
        help_text=_("Keyed by each question's clean name, so renaming a label keeps answers."),
    )

    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    first_in_line_since = models.DateTimeField(
        _("first in line since"),
        null=True,
        blank=True,
        help_text=_(
            "Set when an invitation for this mentee was declined or not answered: the "
            "mentee comes first in the waiting list until their next match is approved."
        ),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawing"), max_length=1000, blank=True)
    language = models.CharField(
        _("language"),
        max_length=15,
        blank=True,
        default="",
        help_text=_(
            "The language the member applied in; the programme's emails to them are "
            "written in it (the site's language when empty)."
        ),
    )

    objects = ApplicationQuerySet.as_manager()

    # Applications are not content: keep them out of Wagtail's reference index (which
    # would otherwise write several rows on every save).
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cycle", "role"],
                name="wagtail_mentoring_one_application_per_role_and_cycle",
                violation_error_message=_("You have already applied for this role in this cycle."),
            ),
        ]
        indexes = [models.Index(fields=["cycle", "role", "status"])]
        permissions = [
            (
                "manage_mentoring",
                _("Can see applications and run matching (mentoring committee)"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}, {self.cycle})"

    @property
    def topic_names(self) -> str:
        """The application's topics, comma-separated (uses prefetched topics)."""
        return ", ".join(topic.name for topic in self.topics.all())

    @property
    def region_label(self) -> str:
        """The region in words: its label in ``WAGTAIL_MENTORING_REGIONS`` when the
        site lists regions (the application stores the code), else as typed."""
        from ..conf import app_settings

        return str(dict(app_settings.REGIONS).get(self.region, self.region))

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def can_reapply(self) -> bool:
        """Withdrawn, and its cycle still takes applications."""
        return self.is_withdrawn and self.cycle.is_open()

    @property
    def is_withdrawn(self) -> bool:
        return self.status == ApplicationStatus.WITHDRAWN

    def waiting_days(self, when=None) -> int:
        when = when or timezone.now()
        return max(0, (when - self.submitted_at).days)


class ApplicationAction(models.TextChoices):
    """What an :class:`ApplicationEvent` records; its words are rendered when shown."""

    SUBMITTED = "submitted", _("Submitted")
    EDITED = "edited", _("Edited")
    APPLIED_AGAIN = "applied_again", _("Applied again")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MATCHED = "matched", _("Matched")
    MATCH_COMPLETED = "match_completed", _("Match completed")
    MATCH_ENDED = "match_ended", _("Match ended early")
    FIRST_IN_LINE = "first_in_line", _("Back in the pool, first in line")
    PAUSED = "paused", _("Takes on no one more for now")


class ApplicationEvent(AbstractEvent):
    """One step in an application's life: submitted, edited, withdrawn, matched, ...

    ``action`` is an :class:`ApplicationAction` code; ``params`` its details
    (``partner`` and ``as`` for a match, ``reason``: the person's or committee's own
    words, ``then``: where an ended match left the application).
    """

    action = models.CharField(_("action"), max_length=30, choices=ApplicationAction.choices)
    params = models.JSONField(_("details"), default=dict, blank=True)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")

    class Meta(AbstractEvent.Meta):
        verbose_name = _("application event")

    @property
    def label(self) -> str:
        if self.action in ApplicationAction:
            return str(ApplicationAction(self.action).label)
        return self.action

    def describe(self) -> str:
        """The event in words, rendered now (not when it was stored)."""
        params = self.params or {}
        if self.action == ApplicationAction.MATCHED and params.get("partner"):
            words = (
                gettext("Mentor of %(name)s")
                if params.get("as") == "mentor"
                else gettext("Mentee of %(name)s")
            )
            return words % {"name": params["partner"]}
        detail = params.get("reason", "") or self.note
        if self.action == ApplicationAction.MATCH_ENDED and params.get("then"):
            then = gettext("back in the pool") if params["then"] == "pool" else gettext("closed")
            detail = "; ".join(filter(None, [detail, then]))
        if detail:
            return gettext("%(action)s: %(detail)s") % {"action": self.label, "detail": detail}
        return self.label

    def status_change(self) -> str:
        return ""


def record(application_id: int, action: str, actor=None, **params) -> ApplicationEvent:
    """Add a step (an :class:`ApplicationAction` code and its details) to the history."""
    return ApplicationEvent.objects.create(
        application_id=application_id,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        params=params,
    )
