"""The public application form: structured fields that matching needs, plus editors' questions.

The structured fields come from :class:`ApplicationForm` (a ``ModelForm`` for
``Application``); the questions editors add to the page come from Wagtail's form
builder and are stored in ``Application.extra_answers`` under their clean names.
"""

from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .conf import app_settings
from .inputs import AnswerFormBuilder, json_ready, mark_required, parse_id, with_length_help
from .models.applications import (
    Application,
    CareerStage,
    ConferenceAttendance,
    MeetingPreference,
    Role,
)
from .models.topics import Topic
from .priorities import (
    DEFAULT_LEVEL,
    LEVELS,
    PRIORITIES,
    PRIORITY_QUESTIONS,
    level_choices,
)

EXTRA_PREFIX = "extra__"
#: The mentee's rating of each priority is the form field ``priority_<code>``.
PRIORITY_PREFIX = "priority_"
HONEYPOT_FIELD = "website"
STARTED_FIELD = "form_started"
#: The first entry of every drop-down: a prompt, not Django's "---------".
CHOOSE = _("Choose…")
_STARTED_SALT = "wagtail_mentoring.application-form-started"

COMMON_FIELDS = [
    "name",
    "contact_email",
    "career_stage",
    "sector",
    "region",
    "organisation",
    "meeting_preference",
    "conference_attendance",
    "topics",
    "goals",
]
MENTOR_FIELDS = ["capacity", "years_experience", "conference_activities", "preferred_mentee_stages"]
MENTEE_FIELDS = ["mentor_kind", "preferred_mentor_stage"]
CONSENT_FIELDS = ["commitment_consent", "privacy_consent"]
#: Asked only in a cycle with a conference date.
CONFERENCE_FIELDS = ["conference_attendance", "conference_activities"]


class TopicChoiceField(forms.ModelMultipleChoiceField):
    """Topic checkboxes that refuse anything but ids before they reach the database."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if parse_id(text) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": text[:50]},
                )
        return super()._check_values(value)


def with_stored(choices, stored) -> list:
    """``choices``, plus each ``stored`` value they no longer list (shown as itself).

    An application made before a site changed its sectors or activities keeps its
    answer when the member edits it, instead of being told to choose again.
    """
    choices = list(choices)
    known = {str(value) for value, _label in choices}
    return choices + [(value, value) for value in stored if value and str(value) not in known]


def started_token() -> str:
    """A signed timestamp for the hidden "form started" field."""
    return signing.dumps(time.time(), salt=_STARTED_SALT)


class ApplicationForm(forms.ModelForm):
    """Fields common to both roles, anti-spam fields, and the editors' questions."""

    role: str = ""

    topics = TopicChoiceField(queryset=Topic.objects.all(), widget=forms.CheckboxSelectMultiple)
    sector = forms.ChoiceField(label=_("Your sector"))
    commitment_consent = forms.BooleanField(required=True)
    privacy_consent = forms.BooleanField(required=True)

    # Anti-spam: a field people never see, and when the form was shown.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    form_started = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Application
        fields = COMMON_FIELDS + CONSENT_FIELDS
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 5}),
            "meeting_preference": forms.RadioSelect,
            "conference_attendance": forms.RadioSelect,
        }
        labels = {
            "name": _("Your name"),
            "contact_email": _("Contact email"),
            "career_stage": _("Your career stage"),
            "region": _("Region"),
            "organisation": _("Employer or organisation"),
            "meeting_preference": _("How would you like to meet?"),
            "conference_attendance": _("Will you attend the annual conference?"),
        }

    def __init__(self, *args, page=None, user=None, cycle=None, **kwargs):
        self.page = page
        self.user = user
        self.cycle = cycle
        kwargs.setdefault("label_suffix", "")
        initial = kwargs.setdefault("initial", {})
        instance = kwargs.get("instance")
        # A new application starts from the account's name and address; a saved one
        # shows what was saved (a model form's initial values override the instance's).
        saved = instance is not None and instance.pk
        if not saved and user is not None and getattr(user, "is_authenticated", False):
            initial.setdefault("contact_email", user.email)
            initial.setdefault("name", user.get_full_name() or user.get_username())
        initial[STARTED_FIELD] = started_token()
        if instance is not None and instance.pk:
            for name, value in (instance.extra_answers or {}).items():
                initial.setdefault(EXTRA_PREFIX + name, value)
        super().__init__(*args, **kwargs)

        self.fields["sector"].choices = [
            ("", CHOOSE),
            *with_stored(app_settings.SECTORS, [self.instance.sector]),
        ]
        self.fields["career_stage"].choices = [("", CHOOSE), *CareerStage.choices]
        # Radio buttons need no "---------" entry: nothing is ticked until the person does.
        self.fields["meeting_preference"].choices = MeetingPreference.choices
        if self.asks_about_conference:
            self.fields["conference_attendance"].choices = ConferenceAttendance.choices
        else:
            # No conference in this cycle: no question about it, and nothing stored.
            for name in CONFERENCE_FIELDS:
                self.fields.pop(name, None)
        regions = app_settings.REGIONS
        if regions:
            self.fields["region"] = forms.ChoiceField(
                label=_("Region"), choices=[("", CHOOSE), *regions]
            )
        self.fields["commitment_consent"].label = self.commitment_wording()
        self.fields["privacy_consent"].label = getattr(page, "privacy_consent_text", "") or _(
            "I agree that the mentoring committee may use these answers to find me a match."
        )
        self.fields["topics"].label = (
            _("Topics you can offer")
            if self.role == Role.MENTOR
            else _("Topics you want help with")
        )
        self.fields["goals"].label = (
            _("What you hope to give and gain as a mentor")
            if self.role == Role.MENTOR
            else _("What you hope to achieve")
        )
        for name in ("goals", "mentor_kind"):
            if name in self.fields:
                with_length_help(self.fields[name], self.fields[name].max_length)
        for name, field in self._editor_fields().items():
            self.fields[EXTRA_PREFIX + name] = field
        self.order_fields(
            [*self._meta.fields, *(f for f in self.fields if f.startswith(EXTRA_PREFIX))]
        )
        mark_required(self.fields)

    @property
    def asks_about_conference(self) -> bool:
        """Whether the form asks about the conference: only when the cycle has a date."""
        return getattr(self.cycle, "conference_date", None) is not None

    def commitment_wording(self) -> str:
        months = (
            getattr(self.cycle, "commitment_months", None) or app_settings.DEFAULT_COMMITMENT_MONTHS
        )
        return ngettext(
            "I commit to a pairing of up to %(months)d month and to keeping in regular contact.",
            "I commit to a pairing of up to %(months)d months and to keeping in regular contact.",
            months,
        ) % {"months": months}

    def _editor_fields(self) -> dict[str, forms.Field]:
        if self.page is None:
            return {}
        return AnswerFormBuilder(self.page.get_form_fields()).formfields

    # -- anti-spam --------------------------------------------------------------

    @property
    def is_spam(self) -> bool:
        """True when the hidden honeypot field was filled in (people never see it)."""
        return bool(self.data.get(HONEYPOT_FIELD))

    def clean_form_started(self):
        value = self.cleaned_data.get(STARTED_FIELD) or ""
        minimum = app_settings.MIN_SUBMIT_SECONDS
        if not minimum:
            return value
        try:
            started = float(signing.loads(value, salt=_STARTED_SALT, max_age=86400))
        except (signing.BadSignature, TypeError, ValueError):
            raise ValidationError(
                _("This form has expired. Please check your answers and submit it again."),
                code="expired",
            ) from None
        if time.time() - started < minimum:
            raise ValidationError(
                _("That was very quick. Please check your answers and submit again."),
                code="too_fast",
            )
        return value

    # -- results ----------------------------------------------------------------

    def extra_answers(self) -> dict:
        """Answers to editor-added questions, keyed by clean name, ready for JSON."""
        answers = {}
        for name, value in self.cleaned_data.items():
            if not name.startswith(EXTRA_PREFIX):
                continue
            answers[name[len(EXTRA_PREFIX) :]] = json_ready(value)
        return answers

    def get_topic_ids(self) -> list[int]:
        return [topic.pk for topic in self.cleaned_data.get("topics", [])]


class MentorApplicationForm(ApplicationForm):
    role = Role.MENTOR

    capacity = forms.TypedChoiceField(
        label=_("How many mentees could you take on?"), coerce=int, choices=()
    )
    years_experience = forms.IntegerField(
        label=_("Years of professional experience"), min_value=0, max_value=70
    )
    conference_activities = forms.MultipleChoiceField(
        label=_("Would you help at conference activities?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    preferred_mentee_stages = forms.MultipleChoiceField(
        label=_("Career stages of the mentees you would most like to mentor (optional)"),
        help_text=_("Leave every box unticked if any career stage suits you."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=CareerStage.choices,
    )

    class Meta(ApplicationForm.Meta):
        fields = COMMON_FIELDS + MENTOR_FIELDS + CONSENT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        maximum = app_settings.MAX_MENTOR_CAPACITY
        self.fields["capacity"].choices = [(n, str(n)) for n in range(1, maximum + 1)]
        if "conference_activities" in self.fields:
            self.fields["conference_activities"].choices = with_stored(
                app_settings.CONFERENCE_ACTIVITIES, self.instance.conference_activities or []
            )


class MenteeApplicationForm(ApplicationForm):
    role = Role.MENTEE

    class Meta(ApplicationForm.Meta):
        fields = COMMON_FIELDS + MENTEE_FIELDS + CONSENT_FIELDS
        widgets = {
            **ApplicationForm.Meta.widgets,
            "mentor_kind": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            **ApplicationForm.Meta.labels,
            "mentor_kind": _("What kind of mentor are you hoping for?"),
            "preferred_mentor_stage": _("Preferred career stage of your mentor (optional)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor_kind"].required = True
        mark_required(self.fields)
        self.fields["preferred_mentor_stage"].choices = [
            ("", _("No preference")),
            *CareerStage.choices,
        ]
        self._add_priority_fields()

    # -- what matters most --------------------------------------------------------

    def asked_priorities(self) -> list[str]:
        """The priorities this form asks about (the conference only in a cycle with one)."""
        return [name for name in PRIORITIES if name != "conference" or self.asks_about_conference]

    def _add_priority_fields(self) -> None:
        """One group of radio buttons per priority, "Somewhat important" ticked at first.

        Each is its own question (a fieldset with the question as its legend), so a
        member answers each with the keyboard alone and hears it read out whole; a
        priority left unanswered counts as "somewhat important".
        """
        stored = self.instance.priorities if isinstance(self.instance.priorities, dict) else {}
        fields = {}
        for index, name in enumerate(self.asked_priorities()):
            field = forms.ChoiceField(
                label=PRIORITY_QUESTIONS[name],
                choices=level_choices(),
                widget=forms.RadioSelect,
                required=False,
                initial=stored.get(name) if stored.get(name) in LEVELS else DEFAULT_LEVEL,
                help_text=(
                    _(
                        "Your answers change how much each of these counts when the "
                        "committee looks for your mentor."
                    )
                    if index == 0
                    else ""
                ),
            )
            field.mentoring_rating = True  # laid out as a scale, like a survey's rating
            fields[PRIORITY_PREFIX + name] = field
        self.fields.update(fields)
        before = [name for name in self.fields if name not in fields]
        at = before.index("commitment_consent") if "commitment_consent" in before else len(before)
        self.order_fields([*before[:at], *fields, *before[at:]])

    def priorities(self) -> dict[str, str]:
        """The mentee's answers as codes, ``{"topics": "very", ...}``; a priority the
        form did not ask keeps its stored level (if any)."""
        stored = self.instance.priorities if isinstance(self.instance.priorities, dict) else {}
        answers = {name: level for name, level in stored.items() if name in PRIORITIES}
        for name in self.asked_priorities():
            answers[name] = self.cleaned_data.get(PRIORITY_PREFIX + name) or DEFAULT_LEVEL
        return answers

    def save(self, commit=True):
        self.instance.priorities = self.priorities()
        return super().save(commit)


FORM_CLASSES = {Role.MENTOR: MentorApplicationForm, Role.MENTEE: MenteeApplicationForm}


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_length_help(self.fields["reason"], self.fields["reason"].max_length)
