from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..models import Match
from .exports import SafeExportIndexView
from .permissions import CommitteeOnlyModelAdmin


class MatchAdmin(CommitteeOnlyModelAdmin):
    """Matches, with their score, explanation and timeline (committee only, read-only)."""

    model = Match
    menu_label = _("Matches")
    menu_icon = "link"
    list_display = ("mentor_name", "mentee_name", "cycle", "status", "score", "proposed_at")
    list_filter = ("cycle", "status")
    index_view_class = SafeExportIndexView
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
