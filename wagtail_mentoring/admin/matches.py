from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import ButtonHelper

from ..models import Match
from ..models.matches import UNDERWAY
from .display import LabelsMixin
from .exports import SafeExportIndexView
from .inspect import render_emails, render_explanation, render_timeline
from .permissions import COMMITTEE_READS, CommitteeOnlyModelAdmin, is_committee


class FlaggedFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Flagged")), ("no", _("Not flagged"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(flag_cause="")
        if self.value() == "no":
            return queryset.filter(flag_cause="")
        return queryset


class MatchButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        if obj.status in UNDERWAY and is_committee(self.request.user):
            buttons.append(
                {
                    "url": reverse("wagtail_mentoring_end_match", args=[obj.pk]),
                    "label": _("End early"),
                    "classname": self.finalise_classname(["button-secondary"]),
                    "title": _("End this match before its agreed end"),
                }
            )
        return buttons


class MatchAdmin(LabelsMixin, CommitteeOnlyModelAdmin):
    """Matches, with their score, explanation and timeline (committee only, read-only)."""

    model = Match
    allowed_views = COMMITTEE_READS
    menu_label = _("Matches")
    menu_icon = "link"
    list_display = (
        "mentor_name",
        "mentee_name",
        "cycle",
        "status",
        "score",
        "proposed_at",
        "flag_reason",
    )
    list_filter = ("cycle", "status", FlaggedFilter)
    index_view_class = SafeExportIndexView
    button_helper_class = MatchButtonHelper
    list_export = (
        "id",
        "cycle",
        "mentor_name",
        "mentee_name",
        "status",
        "score",
        "proposed_at",
        "approved_at",
        "start_date",
        "end_date",
        "ended_at",
        "end_reason",
        "flag_reason",
    )
    export_filename = "mentoring-matches"
    search_fields = ("mentor__name", "mentee__name")
    inspect_view_fields = (
        "cycle",
        "mentor",
        "mentee",
        "status",
        "score",
        "explanation_html",
        "pinned",
        "proposed_by",
        "proposed_at",
        "approved_by",
        "approved_at",
        "start_date",
        "end_date",
        "ended_at",
        "end_reason",
        "flagged_at",
        "flag_reason",
        "timeline_html",
        "emails_html",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mentor", "mentee", "cycle")

    def mentor_name(self, obj):
        return obj.mentor.name

    mentor_name.short_description = _("Mentor")

    def mentee_name(self, obj):
        return obj.mentee.name

    mentee_name.short_description = _("Mentee")

    # -- inspect sections ---------------------------------------------------------

    def explanation_html(self, obj):
        return render_explanation(obj.explanation)

    explanation_html.short_description = _("Why this pair")

    def timeline_html(self, obj):
        """Every change of the match: who, what, when."""
        return render_timeline(obj.events.select_related("actor"))

    timeline_html.short_description = _("Timeline")

    def emails_html(self, obj):
        """The match's emails, with the status history of each."""
        return render_emails(obj.emails.prefetch_related("events"))

    emails_html.short_description = _("Emails")
