from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminPageChooser
from wagtail.contrib.forms.forms import WagtailAdminFormPageForm
from wagtail.models import Page, get_page_models

from ..inputs import IdModelChoiceField, parse_id, with_length_help


def program_page_models() -> list[type[Page]]:
    """Every concrete page model built on ``AbstractMentoringProgramPage``."""
    from ..models.pages import AbstractMentoringProgramPage

    return [
        model
        for model in get_page_models()
        if issubclass(model, AbstractMentoringProgramPage) and not model._meta.abstract
    ]


class ProgramPageChooser(AdminPageChooser):
    """Wagtail's page chooser, which shows no page for a value that is not an id.

    Wagtail's own looks the value up as it is, and a database refuses some values
    (text, numbers beyond 64 bits) with an error instead of "no such page".
    """

    def get_instance(self, value):
        if value is not None and not isinstance(value, Page) and parse_id(str(value)) is None:
            return None
        return super().get_instance(value)


class CycleForm(WagtailAdminModelForm):
    """Cycle form whose programme page chooser offers only programme pages.

    Its "default survey" adds the default survey rounds (pairing fit after one month,
    mid-point after five, end of mentoring) with the chosen survey page, to a cycle
    that has no survey rounds yet.
    """

    default_survey = IdModelChoiceField(
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
            self.fields["program_page"] = IdModelChoiceField(
                queryset=Page.objects.type(*models),
                widget=ProgramPageChooser(target_models=models),
                required=field.required,
                label=field.label,
                help_text=field.help_text,
            )
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


class EndMatchForm(forms.Form):
    """Why a match ends early: required, at most the model's 1,000 characters, no NUL;
    and where both applications go then (back in the pool, or closed)."""

    def clean_then(self):
        from ..models.matches import AfterEnd

        return self.cleaned_data.get("then") or AfterEnd.POOL

    reason = forms.CharField(
        label=_("Why does it end early?"),
        error_messages={"required": _("Say why the match ends early.")},
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60, "aria-describedby": "id_reason_help"}),
    )
    #: Where both applications go; shown with "back in the pool" chosen, which is also
    #: what a request that leaves it out gets.
    then = forms.ChoiceField(
        label=_("And then both applications are"),
        choices=(),
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Choose whether both go back to the pool or are closed.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ..models.matches import AfterEnd, Match

        self.fields["then"].choices = AfterEnd.choices
        self.fields["then"].initial = AfterEnd.POOL
        limit = Match._meta.get_field("end_reason").max_length
        field = self.fields["reason"]
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)
        field.help_text = _(
            "Kept in the match's timeline for the committee; both people are told that "
            "the match ended, without the reason."
        )
        with_length_help(field, limit)
