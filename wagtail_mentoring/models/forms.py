"""The admin forms the models name as their ``base_form_class``.

They sit below the models that use them and import nothing from
``wagtail_mentoring.admin``: models import nothing from the admin (see
``docs/explanation/design.md``, "Layers"). Forms used only by the package's own admin
views live in ``wagtail_mentoring/admin/forms.py``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.contrib.forms.forms import WagtailAdminFormPageForm
from wagtail.models import Page

from ..inputs import IdModelChoiceField
from ..widgets import SafePageChooser
from .pages import program_page_models
from .surveys import SurveyPage, SurveyRound

#: The programme page chooser (kept under this name, which sites may import).
ProgramPageChooser = SafePageChooser


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
        self.fields["default_survey"].queryset = SurveyPage.objects.live()

    def save(self, commit=True):
        cycle = super().save(commit=commit)
        survey = self.cleaned_data.get("default_survey")
        if survey is not None and commit:
            SurveyRound.add_defaults(cycle, survey)
        return cycle


class ApplicationPageForm(WagtailAdminFormPageForm):
    """One application page per role under a programme; the role is fixed once used.

    The rules are the page's own (``MentoringApplicationPage.role_problems()``); the
    form knows the parent page, which a page being created does not.
    """

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role:
            for problem in self.instance.role_problems(role, getattr(self, "parent_page", None)):
                self.add_error("role", problem)
        return cleaned
