from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import ModelAdmin

from ..models import Application
from .permissions import CommitteeOnlyPermissionHelper, committee_only_response, is_committee


class ApplicationAdmin(ModelAdmin):
    """Applications, for the committee only (read-only here)."""

    model = Application
    menu_label = _("Applications")
    menu_icon = "form"
    permission_helper_class = CommitteeOnlyPermissionHelper
    inspect_view_enabled = True
    list_display = ("name", "role", "cycle", "status", "career_stage", "region", "submitted_at")
    list_filter = ("cycle", "role", "status", "career_stage")
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
        "mentor_kind",
        "preferred_mentor_stage",
        "extra_answers",
        "commitment_consent",
        "privacy_consent",
        "submitted_at",
        "updated_at",
        "withdrawn_at",
        "withdrawal_reason",
    )

    # Wagtail answers a refused admin view with a redirect; applications answer 403,
    # with a page that says why, so that nobody mistakes the refusal for a glitch.
    def index_view(self, request):
        if not is_committee(request.user):
            return committee_only_response(request)
        return super().index_view(request)

    def inspect_view(self, request, instance_pk):
        if not is_committee(request.user):
            return committee_only_response(request)
        return super().inspect_view(request, instance_pk)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cycle")
