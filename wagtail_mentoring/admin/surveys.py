from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import SurveyResponse, SurveyRound
from .exports import SafeExportIndexView
from .permissions import CommitteeOnlyModelAdmin


class SurveyRoundViewSet(SnippetViewSet):
    """A cycle's survey rounds: which survey, when, and how often to remind."""

    model = SurveyRound
    icon = "list-ul"
    list_display = ["name", "cycle", "page", "months_after_start", "max_reminders"]
    list_filter = ["cycle"]


class SurveyResponseAdmin(CommitteeOnlyModelAdmin):
    """Survey answers, for the committee only (read-only)."""

    model = SurveyResponse
    menu_label = _("Survey responses")
    menu_icon = "list-ul"
    index_view_class = SafeExportIndexView
    list_display = ("round", "match", "role", "submitted_at")
    list_filter = ("round__cycle", "round", "role")
    list_export = ("id", "round", "match", "role", "submitted_at", "answers")
    export_filename = "mentoring-survey-responses"
    inspect_view_fields = ("round", "match", "role", "respondent", "submitted_at", "answers_html")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("round__cycle", "match__mentor", "match__mentee")
        )
