from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminPageChooser
from wagtail.contrib.forms.forms import WagtailAdminFormPageForm
from wagtail.models import Page, get_page_models


def program_page_models() -> list[type[Page]]:
    """Every concrete page model built on ``AbstractMentoringProgramPage``."""
    from ..models.pages import AbstractMentoringProgramPage

    return [
        model
        for model in get_page_models()
        if issubclass(model, AbstractMentoringProgramPage) and not model._meta.abstract
    ]


class CycleForm(WagtailAdminModelForm):
    """Cycle form whose programme page chooser offers only programme pages.

    Its "default survey" adds the default survey rounds (pairing fit after one month,
    mid-point after five, end of mentoring) with the chosen survey page, to a cycle
    that has no survey rounds yet.
    """

    default_survey = forms.ModelChoiceField(
        queryset=Page.objects.none(),
        required=False,
        label=_("Add the default survey rounds with this survey"),
        help_text=_(
            '"Pairing fit" one month after each match starts, "Mid-point" after five '
            'months and "End of mentoring" on its end date, all with this survey page. '
            "Only for a cycle without survey rounds; change them later in the Survey "
            "rounds snippets."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("program_page")
        if field is not None:
            models = program_page_models()
            field.queryset = Page.objects.type(*models)
            field.widget = AdminPageChooser(target_models=models)
        from ..models.surveys import SurveyPage

        self.fields["default_survey"].queryset = SurveyPage.objects.live()

    def save(self, commit=True):
        cycle = super().save(commit=commit)
        survey = self.cleaned_data.get("default_survey")
        if survey is not None and commit:
            from ..models.surveys import SurveyRound

            SurveyRound.add_defaults(cycle, survey)
        return cycle


class ApplicationPageForm(WagtailAdminFormPageForm):
    """One application page per role under a programme; the role is fixed once used."""

    def clean(self):
        cleaned = super().clean()
        from ..models.application_page import MentoringApplicationPage
        from ..models.applications import Application

        role = cleaned.get("role")
        parent = getattr(self, "parent_page", None)
        if role and parent is not None:
            siblings = (
                MentoringApplicationPage.objects.child_of(parent)
                .filter(role=role)
                .exclude(pk=self.instance.pk)
            )
            if siblings.exists():
                self.add_error(
                    "role", _("This programme already has an application page for this role.")
                )
        if self.instance.pk and role:
            previous = (
                MentoringApplicationPage.objects.filter(pk=self.instance.pk)
                .values_list("role", flat=True)
                .first()
            )
            if (
                previous
                and previous != role
                and Application.objects.filter(page_id=self.instance.pk).exists()
            ):
                self.add_error(
                    "role",
                    _("Applications were made through this page, so its role cannot change."),
                )
        return cleaned
