from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views.snippets import DeleteView

from ..models import Role, SurveyResponse, SurveyRound
from .display import LabelsMixin
from .exports import SafeExportIndexView
from .inspect import render_answers
from .permissions import COMMITTEE_READS, CommitteeOnlyModelAdmin, CommitteeOnlySnippetViewSet
from .topics import CONTENT_VIEWS


class SurveyRoundDeleteView(DeleteView):
    """A round with responses stays: its responses protect it (Wagtail cannot tell,
    because responses are kept out of its reference index)."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("This survey round has responses, so it cannot be deleted."),
            )
            return redirect(self.get_success_url())


class SurveyRoundDeleteBulkAction(DeleteBulkAction):
    """Wagtail's bulk delete for rounds: rounds with responses stay, and it says so;
    the others are deleted as usual."""

    models = [SurveyRound]

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        self = kwargs["self"]
        answered = set(
            SurveyResponse.objects.filter(round__in=objects).values_list("round", flat=True)
        )
        self.kept = [round_ for round_ in objects if round_.pk in answered]
        deletable = [round_ for round_ in objects if round_.pk not in answered]
        SurveyRound.objects.filter(pk__in=[round_.pk for round_ in deletable]).delete()
        self.actionable_objects = deletable
        return len(deletable), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        for round_ in self.kept:
            messages.error(
                self.request,
                _("%(round)s: this survey round has responses, so it cannot be deleted.")
                % {"round": round_},
            )
        if num_parent_objects:
            return super().get_success_message(num_parent_objects, num_child_objects)
        return None

    def form_valid(self, form):
        # A response saved between the check and the delete still protects its round.
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("This survey round has responses, so it cannot be deleted."),
            )
            return redirect(self.next_url)


class SurveyRoundViewSet(CommitteeOnlySnippetViewSet):
    """A cycle's survey rounds: which survey, when, and how often to remind.

    Rounds hold no personal data (their responses are :class:`SurveyResponseAdmin`'s),
    so Wagtail's model permissions decide, as for other content editors manage.
    """

    model = SurveyRound
    delete_view_class = SurveyRoundDeleteView
    allowed_views = CONTENT_VIEWS
    icon = "list-ul"
    list_display = ["name", "cycle", "page", "months_after_start", "max_reminders"]
    list_filter = ["cycle"]


class SurveyResponseAdmin(LabelsMixin, CommitteeOnlyModelAdmin):
    """Survey answers, for the committee only (read-only)."""

    model = SurveyResponse
    allowed_views = COMMITTEE_READS
    menu_label = _("Survey responses")
    menu_icon = "list-ul"
    index_view_class = SafeExportIndexView
    field_choices = {"role": Role.choices}
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

    def answers_html(self, obj):
        return render_answers(obj.answers)

    answers_html.short_description = _("Answers")
