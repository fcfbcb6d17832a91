"""The members-only application page (one page type; its role says mentor or mentee).

One page type with a ``role`` rather than one type per role: the two forms share all
but a handful of structured fields, so one page type gives editors one set of
form-builder questions, one template and one place in the page-type menu, and lets
the programme page find its mentor and mentee pages with a single query.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..committee import committee_only_response, is_committee
from ..inputs import AnswerFormBuilder
from .applications import Application, Role
from .forms import ApplicationPageForm
from .pages import AbstractMentoringProgramPage, MentoringPageMixin, program_page_models
from .site_settings import MentoringSettings

ACTION_FIELD = "mentoring_action"


class ApplicationFormField(AbstractFormField):
    """A question an editor adds to an application page (Wagtail's form builder)."""

    page = ParentalKey(
        "wagtail_mentoring.MentoringApplicationPage",
        on_delete=models.CASCADE,
        related_name="form_fields",
    )


class MentoringApplicationPage(MentoringPageMixin, AbstractForm):
    """Apply as a mentor or as a mentee in the parent programme's current cycle.

    Override points: ``get_form_class()``, ``get_cycle()``, ``render_gate()``,
    ``process_form_submission()``, ``view_class`` and ``serve()``. Templates:
    ``wagtail_mentoring/pages/application_page.html`` and
    ``wagtail_mentoring/pages/application_page_landing.html``.
    """

    role = models.CharField(
        _("role"),
        max_length=10,
        choices=Role.choices,
        help_text=_("Whether this page takes mentor or mentee applications."),
    )
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul"])
    privacy_consent_text = models.CharField(
        _("privacy consent wording"),
        max_length=500,
        blank=True,
        help_text=_("The checkbox applicants tick. Leave empty for the default wording."),
    )
    thank_you_text = RichTextField(
        _("thank-you text"),
        blank=True,
        features=["bold", "italic", "link", "ul"],
        help_text=_("Shown after a successful application, above the next steps."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("role"),
        FieldPanel("intro"),
        InlinePanel(
            "form_fields",
            label=_("Extra questions"),
            help_text=_("Asked after the programme's own questions."),
        ),
        MultiFieldPanel(
            [FieldPanel("privacy_consent_text"), FieldPanel("thank_you_text")],
            heading=_("Consent and thank-you"),
        ),
    ]

    base_form_class = ApplicationPageForm
    form_builder = AnswerFormBuilder
    template = "wagtail_mentoring/pages/application_page.html"
    landing_page_template = "wagtail_mentoring/pages/application_page_landing.html"
    subpage_types: list[str] = []
    #: What serves a request (membership, status, edit, withdraw, the form): a class,
    #: or its dotted path (the models import nothing from the views).
    view_class = "wagtail_mentoring.views.application.ApplicationPageView"

    class Meta:
        verbose_name = _("mentoring application page")
        verbose_name_plural = _("mentoring application pages")

    @classmethod
    def clean_parent_page_models(cls):
        """Application pages go under programme pages only."""
        return program_page_models()

    @classmethod
    def can_create_at(cls, parent) -> bool:
        return super().can_create_at(parent) and isinstance(
            parent.specific, AbstractMentoringProgramPage
        )

    def role_problems(self, role: str, parent=None) -> list[str]:
        """Why this page cannot take ``role`` under ``parent`` (empty when it can).

        One application page per role under a programme; a page that took
        applications keeps its role.
        """
        problems = []
        if parent is not None:
            siblings = (
                MentoringApplicationPage.objects.child_of(parent)
                .filter(role=role)
                .exclude(pk=self.pk)
            )
            if siblings.exists():
                problems.append(
                    gettext("This programme already has an application page for this role.")
                )
        if self.pk:
            previous = (
                MentoringApplicationPage.objects.filter(pk=self.pk)
                .values_list("role", flat=True)
                .first()
            )
            if (
                previous
                and previous != role
                and Application.objects.filter(page_id=self.pk).exists()
            ):
                problems.append(
                    gettext("Applications were made through this page, so its role cannot change.")
                )
        return problems

    # -- lookups ----------------------------------------------------------------

    def get_program_page(self) -> AbstractMentoringProgramPage | None:
        """The parent programme page (looked up once per page instance)."""
        if not hasattr(self, "_program_page"):
            parent = self.get_parent()
            # specific_deferred: the specific class without a second query; its own
            # fields load only if something reads them.
            parent = parent.specific_deferred if parent is not None else None
            self._program_page = (
                parent if isinstance(parent, AbstractMentoringProgramPage) else None
            )
        return self._program_page

    def get_cycle(self):
        """The cycle this page takes applications for: the programme's current cycle."""
        program = self.get_program_page()
        return program.current_cycle if program is not None else None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        program = self.get_program_page()
        if program is not None and program.url:
            context["my_mentoring_url"] = program.url + program.reverse_subpage("my_mentoring")
        return context

    # -- form builder integration ---------------------------------------------

    def get_form_class(self):
        from ..forms import FORM_CLASSES

        return FORM_CLASSES[Role(self.role or Role.MENTEE)]

    def get_form(self, *args, **kwargs):
        kwargs.setdefault("page", self)
        kwargs.setdefault("cycle", None)
        return self.get_form_class()(*args, **kwargs)

    def get_submissions(self):
        """Applications are never stored as Wagtail form submissions."""
        return super().get_submissions().none()

    def process_form_submission(self, form):
        """Turn a valid form into an ``Application`` (see ``wagtail_mentoring.applications``)."""
        from ..applications import submit_application

        request = form.request
        return submit_application(
            form,
            user=request.user,
            cycle=form.cycle,
            page=self,
            coordinator_email=MentoringSettings.for_request(request).coordinator_email,
        )

    def render_landing_page(self, request, form_submission=None, *args, **kwargs):
        """The thank-you page; ``application`` and ``cycle`` are in its context."""
        context = self.get_context(request)
        context["form_submission"] = form_submission
        context["application"] = form_submission
        context["cycle"] = getattr(form_submission, "cycle", None) or self.get_cycle()
        return TemplateResponse(request, self.get_landing_page_template(request), context)

    def serve_submissions_list_view(self, request, *args, **kwargs):
        """Wagtail's form-submissions listing would show applicants to any page editor.

        The committee is sent to the applications admin; everyone else gets 403.
        """
        if is_committee(request.user):
            return redirect("wagtail_mentoring_application_modeladmin_index")
        return committee_only_response(request)

    # -- serving ----------------------------------------------------------------

    def get_view_class(self):
        view_class = self.view_class
        return import_string(view_class) if isinstance(view_class, str) else view_class

    def serve(self, request, *args, **kwargs):
        return self.get_view_class()(self, request).dispatch()

    def render_gate(self, request, membership, status: int = 200):
        """The page a visitor who may not apply sees (login, join or renew)."""
        site_settings = MentoringSettings.for_request(request)
        login_url = "{}?{}".format(
            resolve_url(settings.LOGIN_URL), urlencode({"next": request.get_full_path()})
        )
        context = self.get_context(request)
        context.update(
            {
                "mode": "gate",
                "membership": membership,
                "login_url": login_url,
                "site_settings": site_settings,
            }
        )
        return TemplateResponse(request, self.get_template(request), context, status=status)
