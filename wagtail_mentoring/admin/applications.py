from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import ModelAdmin

from ..models import Application
from .permissions import CommitteeOnlyPermissionHelper


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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cycle")
