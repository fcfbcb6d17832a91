"""Cycles: one round of the programme (application window, matching, pairing)."""

from __future__ import annotations

import datetime
import enum

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from ..conf import app_settings, default_commitment_months
from ..dates import add_months
from .forms import CycleForm
from .pages import AbstractMentoringProgramPage


class CycleStatus(enum.StrEnum):
    """Where a cycle's application window stands at a given moment."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class ConsentMode(models.TextChoices):
    """Who says yes before a cycle's approved match is introduced."""

    OFF = "off", _("Nobody: the introduction goes out when the committee approves")
    MENTOR = "mentor", _("The mentor confirms before the introduction")
    BOTH = "both", _("Both the mentor and the mentee confirm before the introduction")


class CycleQuerySet(models.QuerySet):
    def for_program(self, program_page) -> CycleQuerySet:
        """The cycles of ``program_page`` and of every translation of it.

        A cycle belongs to a programme's translation group (its pages share a
        ``translation_key``), whichever of its pages the cycle's ``program_page`` is,
        so a translated programme page has the same cycles as its source page.
        """
        return self.filter(program_page__translation_key=program_page.translation_key)

    def open_at(self, when: datetime.datetime) -> CycleQuerySet:
        return self.filter(applications_open__lte=when, applications_close__gt=when)

    def current(self, when: datetime.datetime | None = None) -> Cycle | None:
        """The cycle a visitor should hear about now.

        An open cycle first (the one closing soonest), else the next one to open,
        else the one that closed most recently; ``None`` when there is no cycle.
        """
        when = when or timezone.now()
        return (
            self.open_at(when).order_by("applications_close", "pk").first()
            or self.filter(applications_open__gt=when).order_by("applications_open", "pk").first()
            or self.filter(applications_close__lte=when)
            .order_by("-applications_close", "-pk")
            .first()
        )


class Cycle(models.Model):
    """One round of a mentoring programme.

    The application window is open from ``applications_open`` (inclusive) until
    ``applications_close`` (exclusive); both are timezone-aware instants, shown to
    visitors in the site's current time zone.
    """

    program_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.PROTECT,
        related_name="mentoring_cycles",
        verbose_name=_("programme page"),
        help_text=_("The programme landing page this cycle belongs to."),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_('For example "2027 cycle".'))
    applications_open = models.DateTimeField(_("applications open"))
    applications_close = models.DateTimeField(
        _("applications close"),
        help_text=_("Applications are accepted until this moment, not after it."),
    )
    matching_deadline = models.DateField(
        _("matching deadline"),
        null=True,
        blank=True,
        help_text=_("The date by which the committee aims to have matched everyone."),
    )
    pairing_start = models.DateField(_("pairing starts"))
    pairing_end = models.DateField(
        _("pairing ends"),
        null=True,
        blank=True,
        help_text=_("Leave empty to end the pairing period after the commitment length."),
    )
    commitment_months = models.PositiveSmallIntegerField(
        _("commitment (months)"),
        default=default_commitment_months,
        validators=[MinValueValidator(1)],
        help_text=_("How long a pairing lasts."),
    )
    conference_date = models.DateField(
        _("conference date"),
        null=True,
        blank=True,
        help_text=_("The annual conference, where pairs are encouraged to meet in person."),
    )
    checkin_every_months = models.PositiveSmallIntegerField(
        _("check-in every (months)"),
        default=1,
        help_text=_(
            "How often the schedule reminds each pair to stay in touch, counted from the "
            "match's start; 0 sends no check-ins."
        ),
    )
    consent = models.CharField(
        _("consent before the introduction"),
        max_length=10,
        choices=ConsentMode.choices,
        default=ConsentMode.MENTOR,
        help_text=_(
            "When the committee approves a match, who is asked first. Each gets a private "
            "invitation with the other person's profile (no contact details) and yes/no "
            "links; the introduction goes out when everyone asked has said yes."
        ),
    )
    consent_days = models.PositiveSmallIntegerField(
        _("days to answer"),
        default=7,
        validators=[MinValueValidator(1)],
        help_text=_(
            "No answer within this many days counts as a decline: the mentee goes back to "
            "the head of the waiting list."
        ),
    )
    consent_reminder_days = models.PositiveSmallIntegerField(
        _("remind after (days)"),
        default=3,
        help_text=_("A reminder to whoever has not answered after this many days; 0 sends none."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CycleQuerySet.as_manager()

    base_form_class = CycleForm
    panels = [
        FieldPanel("program_page"),
        FieldPanel("name"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("applications_open"), FieldPanel("applications_close")])],
            heading=_("Application window"),
        ),
        FieldPanel("matching_deadline"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pairing_start"), FieldPanel("pairing_end")]),
                FieldPanel("commitment_months"),
                FieldPanel("checkin_every_months"),
            ],
            heading=_("Pairing"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("consent"),
                FieldRowPanel([FieldPanel("consent_days"), FieldPanel("consent_reminder_days")]),
            ],
            heading=_("Consent"),
        ),
        FieldPanel("conference_date"),
        FieldPanel("default_survey"),
    ]

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-applications_open", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applications_close__gt=models.F("applications_open")),
                name="wagtail_mentoring_cycle_window_order",
                violation_error_message=_("Applications must close after they open."),
            ),
            models.UniqueConstraint(
                fields=["program_page", "name"],
                name="wagtail_mentoring_cycle_unique_name",
                violation_error_message=_("This programme already has a cycle of that name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pairing_start and not self.pairing_end:
            self.pairing_end = self.default_pairing_end()
        super().save(*args, **kwargs)

    # -- validation -------------------------------------------------------------

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if (
            self.applications_open
            and self.applications_close
            and self.applications_close <= self.applications_open
        ):
            errors["applications_close"] = gettext("Applications must close after they open.")
        maximum = app_settings.MAX_COMMITMENT_MONTHS
        if self.commitment_months and self.commitment_months > maximum:
            errors["commitment_months"] = gettext(
                "A pairing can last at most %(maximum)s months."
            ) % {"maximum": maximum}
        close_day = self._local_date(self.applications_close)
        if self.matching_deadline and close_day and self.matching_deadline < close_day:
            errors["matching_deadline"] = gettext(
                "The matching deadline cannot be before applications close (%(day)s)."
            ) % {"day": date_format(close_day)}
        if self.pairing_start and close_day and self.pairing_start < close_day:
            errors["pairing_start"] = gettext(
                "Pairing cannot start before applications close (%(day)s)."
            ) % {"day": date_format(close_day)}
        if self.pairing_start and self.pairing_end and self.pairing_end <= self.pairing_start:
            errors["pairing_end"] = gettext("Pairing must end after it starts.")
        if (
            self.consent != ConsentMode.OFF
            and self.consent_days
            and self.consent_reminder_days
            and self.consent_reminder_days >= self.consent_days
        ):
            errors["consent_reminder_days"] = gettext(
                "Send the reminder before the %(days)s days to answer are over, or set 0 "
                "for no reminder."
            ) % {"days": self.consent_days}
        if self.program_page_id and not _is_program_page(self.program_page):
            errors["program_page"] = gettext("Choose a mentoring programme page.")
        elif self.program_page_id and self.name and self._name_taken_in_translations():
            errors["name"] = gettext("This programme already has a cycle of that name.")
        if errors:
            raise ValidationError(errors)

    def _name_taken_in_translations(self) -> bool:
        """Whether a cycle of a translation of the programme page has this name."""
        return (
            Cycle.objects.for_program(self.program_page)
            .filter(name=self.name)
            .exclude(program_page_id=self.program_page_id)
            .exclude(pk=self.pk)
            .exists()
        )

    @staticmethod
    def _local_date(value: datetime.datetime | None) -> datetime.date | None:
        if value is None:
            return None
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()

    @property
    def asks_consent(self) -> bool:
        return self.consent in (ConsentMode.MENTOR, ConsentMode.BOTH)

    def default_pairing_end(self) -> datetime.date:
        """Pairing start plus the commitment length."""
        return add_months(self.pairing_start, self.commitment_months)

    # -- status -----------------------------------------------------------------

    def status(self, when: datetime.datetime | None = None) -> CycleStatus:
        when = when or timezone.now()
        if when < self.applications_open:
            return CycleStatus.UPCOMING
        if when < self.applications_close:
            return CycleStatus.OPEN
        return CycleStatus.CLOSED

    def is_open(self, when: datetime.datetime | None = None) -> bool:
        return self.status(when) is CycleStatus.OPEN

    def status_message(self, when: datetime.datetime | None = None) -> str:
        """A sentence for visitors, dates in the current time zone."""
        status = self.status(when)
        if status is CycleStatus.OPEN:
            return gettext("Applications are open until %(moment)s.") % {
                "moment": _format_moment(self.applications_close)
            }
        if status is CycleStatus.UPCOMING:
            return gettext("Applications open on %(moment)s.") % {
                "moment": _format_moment(self.applications_open)
            }
        return gettext("Applications closed on %(moment)s.") % {
            "moment": _format_moment(self.applications_close)
        }


def _format_moment(value: datetime.datetime) -> str:
    """Format an instant in the active time zone, with the zone's abbreviation."""
    local = timezone.localtime(value)
    return "{} {}".format(date_format(local, "DATETIME_FORMAT"), local.strftime("%Z")).strip()


def _is_program_page(page) -> bool:
    return isinstance(page.specific, AbstractMentoringProgramPage)
