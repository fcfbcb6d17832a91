from __future__ import annotations

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..conf import app_settings
from ..models import Application, ApplicationStatus, Role
from ..models.applications import CareerStage
from .display import LabelsMixin
from .exports import SafeExportIndexView
from .inspect import render_emails, render_priorities, render_timeline
from .permissions import COMMITTEE_READS, CommitteeOnlyModelAdmin


class ApplicationAdmin(LabelsMixin, CommitteeOnlyModelAdmin):
    """Applications, for the committee only (read-only here)."""

    model = Application
    allowed_views = COMMITTEE_READS
    menu_label = _("Applications")
    menu_icon = "form"
    index_view_class = SafeExportIndexView
    field_choices = {
        "sector": lambda: app_settings.SECTORS,
        "region": lambda: app_settings.REGIONS,
        "conference_activities": lambda: app_settings.CONFERENCE_ACTIVITIES,
        "preferred_mentee_stages": lambda: CareerStage.choices,
    }
    list_display = (
        "name",
        "role",
        "cycle",
        "status",
        "career_stage",
        "region",
        "waiting",
        "places_left",
    )
    list_filter = (
        "cycle",
        "role",
        "status",
        "topics",
        "career_stage",
        "region",
        "conference_attendance",
    )
    list_export = (
        "id",
        "name",
        "contact_email",
        "role",
        "cycle",
        "status",
        "career_stage",
        "sector",
        "region",
        "organisation",
        "meeting_preference",
        "conference_attendance",
        "topic_names",
        "goals",
        "capacity",
        "years_experience",
        "mentor_kind",
        "preferred_mentor_stage",
        "submitted_at",
        "withdrawn_at",
    )
    export_filename = "mentoring-applications"
    export_headings = {"topic_names": _("Topics"), "id": _("Application id")}
    search_fields = ("name", "contact_email", "organisation")
    ordering = ("submitted_at",)
    inspect_view_fields = (
        "name",
        "contact_email",
        "role",
        "cycle",
        "status",
        "career_stage",
        "sector",
        "region",
        "organisation",
        "meeting_preference",
        "conference_attendance",
        "topics",
        "goals",
        "capacity",
        "years_experience",
        "conference_activities",
        "preferred_mentee_stages",
        "mentor_kind",
        "preferred_mentor_stage",
        "priorities_html",
        "extra_answers",
        "commitment_consent",
        "privacy_consent",
        "submitted_at",
        "updated_at",
        "withdrawn_at",
        "withdrawal_reason",
        "history_html",
        "emails_html",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("cycle")
            .prefetch_related("topics")
            .with_places_taken()
        )

    def waiting(self, obj):
        """Days since submission, for applications still waiting; highlighted when long."""
        if obj.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_POOL):
            return ""
        days = obj.waiting_days()
        if days > app_settings.WAITING_DAYS_WARNING:
            return format_html(
                '<span class="status-tag status-tag--label" title="{}">{}</span>',
                _("Waited longer than %(days)s days") % {"days": app_settings.WAITING_DAYS_WARNING},
                days,
            )
        return days

    waiting.short_description = _("Waiting (days)")

    def places_left(self, obj):
        if obj.role != Role.MENTOR:
            return ""
        return max(0, (obj.capacity or 0) - obj.taken)

    places_left.short_description = _("Places left")

    # -- inspect sections ---------------------------------------------------------

    def history_html(self, obj):
        """Every step of the application."""
        return render_timeline(obj.events.select_related("actor"))

    history_html.short_description = _("History")

    def priorities_html(self, obj):
        """What matters most to a mentee, in words (nothing for a mentor)."""
        if obj.role != Role.MENTEE:
            return self.get_empty_value_display("priorities")
        return render_priorities(obj.priorities)

    priorities_html.short_description = _("What matters most")

    def emails_html(self, obj):
        """The emails about this application, with the status history of each."""
        return render_emails(obj.emails.prefetch_related("events"))

    emails_html.short_description = _("Emails")
