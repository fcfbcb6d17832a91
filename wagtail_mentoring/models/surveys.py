"""Satisfaction surveys: editors' form-builder pages, answered through personal links.

A :class:`SurveyPage` holds the questions (Wagtail's form builder, plus a 1-5 rating
type). A cycle's :class:`SurveyRound` says when a survey goes out (months after the
match's start, or at its end). Each person of each active match gets a personal link
per round: a signed token naming the match, the round and the role, which expires and
allows one :class:`SurveyResponse`. Responses are for the committee only; the other
member of the pair never sees them.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.forms.models import FORM_FIELD_CHOICES, AbstractForm, AbstractFormField
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..i18n import i18n_enabled
from ..inputs import AnswerFormBuilder, IdModelChoiceField, mark_required
from ..widgets import SurveyPageChooser
from .pages import MentoringPageMixin, program_page_models

TOKEN_SALT = "wagtail_mentoring.survey"
#: The top of every rating scale (1 to RATING_MAX).
RATING_MAX = 5
RATINGS = [(str(n), str(n)) for n in range(1, RATING_MAX + 1)]
#: The words for the ends of a rating scale when the question's help text names none.
RATING_ENDS = (_("not at all"), _("very much"))


def rating_choices(help_text: str = "") -> tuple[list[tuple[str, str]], str]:
    """The 1-5 choices with their ends named, and the help text left to show.

    A help text of the form ``"poor | excellent"`` names the ends; any other help text
    is shown as it is, and the ends are "not at all" and "very much".
    """
    low, high = RATING_ENDS
    if help_text.count("|") == 1 and all(part.strip() for part in help_text.split("|")):
        low, high = (part.strip() for part in help_text.split("|"))
        help_text = ""
    choices = list(RATINGS)
    choices[0] = ("1", format_lazy("1 = {}", low))
    choices[-1] = (str(RATING_MAX), format_lazy("{} = {}", RATING_MAX, high))
    return choices, help_text


class SurveyFormField(AbstractFormField):
    """A survey question; "Rating (1-5)" is added to Wagtail's field types."""

    CHOICES = (*FORM_FIELD_CHOICES, ("rating", _("Rating (1-5)")))

    page = ParentalKey(
        "wagtail_mentoring.SurveyPage", on_delete=models.CASCADE, related_name="form_fields"
    )
    field_type = models.CharField(_("field type"), max_length=16, choices=CHOICES)
    flag_answer = models.CharField(
        _("flag the match when the answer is"),
        max_length=255,
        blank=True,
        help_text=_(
            'For example "No" on "Is this pairing a good fit?": the committee sees the '
            "match as needing attention."
        ),
    )

    panels = [*AbstractFormField.panels, FieldPanel("flag_answer")]


class SurveyFormBuilder(AnswerFormBuilder):
    def create_rating_field(self, field, options):
        choices, options["help_text"] = rating_choices(str(options.get("help_text") or ""))
        rating = forms.TypedChoiceField(
            choices=choices, coerce=int, widget=forms.RadioSelect, **options
        )
        rating.mentoring_rating = True  # laid out as a scale by the survey template
        return rating

    @property
    def formfields(self):
        fields = super().formfields
        mark_required(fields)
        return fields


class SurveyPage(MentoringPageMixin, AbstractForm):
    """A survey for pairs; it answers only personal links from the survey emails."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    thank_you_text = RichTextField(
        _("thank-you text"), blank=True, features=["bold", "italic", "link"]
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Questions")),
        FieldPanel("thank_you_text"),
    ]
    form_builder = SurveyFormBuilder
    template = "wagtail_mentoring/pages/survey_page.html"
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("mentoring survey page")

    @classmethod
    def clean_parent_page_models(cls):
        """Survey pages go under programme pages only (they belong to a programme)."""
        return program_page_models()

    def get_submissions(self):
        # Responses are SurveyResponse rows, shown to the committee only.
        from wagtail.contrib.forms.models import FormSubmission

        return FormSubmission.objects.none()

    #: What stores one person's answers and flags the match on a flagging answer: the
    #: dotted path of a function called as ``(page, form, match, survey_round, role)``.
    save_answers = "wagtail_mentoring.surveys.save_response"

    def is_translation_of(self, page) -> bool:
        """Whether this page is a translation of ``page`` (a round's survey page): a
        member's link may lead to the survey page in their own language."""
        return i18n_enabled() and page.translation_key == self.translation_key

    def serve(self, request, *args, **kwargs):
        token = request.GET.get("t", "")
        invitation, problem = read_token(token)
        if invitation is None:
            return self.render_problem(request, problem)
        match, survey_round, role = invitation
        if survey_round.page_id != self.pk and not self.is_translation_of(survey_round.page):
            return self.render_problem(request, "invalid")
        if is_closed(match):
            return self.render_closed(request)
        existing = SurveyResponse.objects.filter(match=match, round=survey_round, role=role)
        if existing.exists():
            return self.render_problem(request, "used")
        form = self.get_form(request.POST or None, page=self, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                import_string(self.save_answers)(self, form, match, survey_round, role)
            except IntegrityError:
                return self.render_problem(request, "used")
            return self.render_landing_page(request)
        context = self.get_context(request)
        context.update({"form": form, "mode": "form", "token": token, "role": role})
        return TemplateResponse(request, self.template, context, status=400 if form.errors else 200)

    #: The thank-you page is the survey template in its "thanks" mode.
    landing_page_template = template

    def render_landing_page(self, request, form_submission=None, *args, **kwargs):
        """The thank-you page, after an answer and in Wagtail's "landing" preview."""
        context = {**self.get_context(request), "mode": "thanks"}
        return TemplateResponse(request, self.get_landing_page_template(request), context)

    #: The page a link of a match ended early, rejected or withdrawn answers (410).
    closed_template = "wagtail_mentoring/pages/survey_closed.html"

    def render_closed(self, request):
        context = {**self.get_context(request), "mode": "closed"}
        return TemplateResponse(request, self.closed_template, context, status=410)

    def render_problem(self, request, problem: str):
        status = {"expired": 410, "used": 409}.get(problem, 400)
        context = {**self.get_context(request), "mode": problem}
        return TemplateResponse(request, self.template, context, status=status)


class SurveyRoundForm(WagtailAdminModelForm):
    """A survey round's admin form, whose cycle and page refuse anything but an id
    before they query (text or a number beyond 64 bits is a form error, not a 500)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("cycle", "page"):
            field = self.fields.get(name)
            if field is not None and not isinstance(field, IdModelChoiceField):
                self.fields[name] = IdModelChoiceField(
                    queryset=field.queryset,
                    widget=field.widget,
                    required=field.required,
                    label=field.label,
                    help_text=field.help_text,
                )


class SurveyRound(models.Model):
    """When one survey goes out in a cycle, and how often non-respondents are reminded."""

    cycle = models.ForeignKey(
        "wagtail_mentoring.Cycle", on_delete=models.CASCADE, related_name="survey_rounds"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_('For example "Pairing fit".'))
    page = models.ForeignKey(
        SurveyPage, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("survey")
    )
    months_after_start = models.PositiveSmallIntegerField(
        _("months after the match starts"),
        null=True,
        blank=True,
        help_text=_("Leave empty to send it at the end of the commitment."),
    )
    remind_after_days = models.PositiveSmallIntegerField(_("remind after (days)"), default=7)
    max_reminders = models.PositiveSmallIntegerField(_("reminders at most"), default=2)
    link_valid_days = models.PositiveSmallIntegerField(_("links valid for (days)"), default=60)

    base_form_class = SurveyRoundForm
    panels = [
        FieldPanel("cycle"),
        FieldPanel("name"),
        FieldPanel("page", widget=SurveyPageChooser),
        FieldPanel("months_after_start"),
        FieldPanel("remind_after_days"),
        FieldPanel("max_reminders"),
        FieldPanel("link_valid_days"),
    ]

    class Meta:
        verbose_name = _("survey round")
        ordering = ["cycle", "months_after_start", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.cycle})"

    #: (name, months after the start; None for the end date) of the default rounds
    DEFAULTS = (
        (_("Pairing fit"), 1),
        (_("Mid-point"), 5),
        (_("End of mentoring"), None),
    )

    @classmethod
    def add_defaults(cls, cycle, page) -> list[SurveyRound]:
        """Give ``cycle`` the default rounds with ``page``, unless it has rounds already."""
        if cls.objects.filter(cycle=cycle).exists():
            return []
        return [
            cls.objects.create(cycle=cycle, name=str(name), page=page, months_after_start=months)
            for name, months in cls.DEFAULTS
        ]

    def due_date(self, match):
        from ..dates import add_months

        if match.start_date is None:
            return None
        if self.months_after_start is None:
            return match.end_date
        return add_months(match.start_date, self.months_after_start)


class SurveyResponse(models.Model):
    match = models.ForeignKey(
        "wagtail_mentoring.Match", on_delete=models.CASCADE, related_name="survey_responses"
    )
    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="responses")
    role = models.CharField(_("role"), max_length=10)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField(_("answers"), default=dict)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("survey response")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["match", "round", "role"], name="wagtail_mentoring_one_response"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round.name}: {self.role} of match {self.match_id}"


# -- personal links ------------------------------------------------------------------------


def make_token(match, survey_round, role: str) -> str:
    return signing.dumps([match.pk, survey_round.pk, role], salt=TOKEN_SALT, compress=True)


def read_token(token: str):
    """((match, round, role), "") for a good token, else (None, "invalid" | "expired")."""
    from .matches import Match

    if not token:
        return None, "missing"
    try:
        match_id, round_id, role = signing.loads(token, salt=TOKEN_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None, "invalid"
    survey_round = SurveyRound.objects.filter(pk=round_id).first()
    match = Match.objects.select_related("mentor", "mentee").filter(pk=match_id).first()
    if survey_round is None or match is None or role not in ("mentor", "mentee"):
        return None, "invalid"
    try:
        signing.loads(token, salt=TOKEN_SALT, max_age=survey_round.link_valid_days * 86400)
    except signing.SignatureExpired:
        return None, "expired"
    return (match, survey_round, role), ""


def is_closed(match) -> bool:
    """Whether ``match``'s survey links no longer take answers.

    Links close when the match was rejected (or never approved), was ended early, or
    either application was withdrawn. Ending a match early sends no survey of its own,
    so no link of such a match stays open. A completed match keeps its links: its final
    survey goes out at the end.
    """
    from .applications import ApplicationStatus
    from .matches import MatchStatus

    if match.status not in (MatchStatus.APPROVED, MatchStatus.ACTIVE, MatchStatus.COMPLETED):
        return True
    return ApplicationStatus.WITHDRAWN in (match.mentor.status, match.mentee.status)


def survey_page_url(survey_round) -> str:
    """The survey page's absolute URL, under ``WAGTAILADMIN_BASE_URL`` (the base of
    every link in the programme's emails; see :mod:`wagtail_mentoring.emails.links`)."""
    from ..emails.links import page_url

    return page_url(survey_round.page)


def survey_url(match, survey_round, role: str, page_url: str | None = None) -> str:
    """One person's link to a round's survey; ``page_url`` if the caller has it already."""
    if page_url is None:
        page_url = survey_page_url(survey_round)
    return f"{page_url}?t={make_token(match, survey_round, role)}"
