"""Programme pages: abstract mixins with documented override points, thin concrete pages.

The programme page is below the models that refer to it (cycles, application pages,
surveys): it imports none of them, and finds its cycles and application pages through
their relations and the app registry.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import get_messages
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, get_page_models

from ..conf import app_settings
from ..i18n import i18n_enabled, in_locale_of
from ..inputs import parse_id
from ..layout import CONTEXT_NAME, layout_template
from .blocks import ProgramBodyBlock

if TYPE_CHECKING:
    from .cycles import Cycle, CycleQuerySet

_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


class MentoringPageMixin:
    """Context shared by every public mentoring page."""

    def get_base_template(self) -> str:
        """The site template the page extends (``WAGTAIL_MENTORING_BASE_TEMPLATE``)."""
        return app_settings.BASE_TEMPLATE

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        base = self.get_base_template()
        context["wagtail_mentoring_base_template"] = base
        # The base template, with the stylesheet, page and script in the blocks that
        # WAGTAIL_MENTORING_BASE_TEMPLATE_BLOCKS names (see wagtail_mentoring.layout).
        context[CONTEXT_NAME] = layout_template(base)
        return context


class AbstractMentoringProgramPage(MentoringPageMixin, RoutablePageMixin, Page):
    """The programme's landing page.

    Override points: ``get_current_cycle()`` (which cycle visitors hear about),
    ``get_faq_items()`` and ``get_faq_json_ld()`` (structured data), and the usual
    Wagtail ``get_context()`` / ``serve()``. As with any Wagtail page, a concrete
    subclass renders ``<app_label>/<model_name>.html`` unless it sets ``template``;
    that template can extend ``wagtail_mentoring/pages/mentoring_program_page.html``.
    """

    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_("Shown under the title, above the body."),
    )
    body = StreamField(ProgramBodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        HelpPanel(
            content=_(
                "Cycles (application windows and pairing periods) are edited under "
                "Mentoring > Cycles in the admin menu."
            )
        ),
    ]

    class Meta:
        abstract = True

    @classmethod
    def clean_subpage_models(cls):
        """What may go under a programme page: the package's own page types below a
        programme (application and survey pages) and the page models named by
        ``WAGTAIL_MENTORING_PROGRAM_CHILD_PAGE_TYPES``, read at each call."""
        return [*program_child_page_models(), *configured_child_page_models()]

    # -- cycles -----------------------------------------------------------------

    def get_cycles(self) -> CycleQuerySet:
        """This programme's cycles (none for a page not saved yet, as in a preview)."""
        return apps.get_model("wagtail_mentoring", "Cycle").objects.for_program(self)

    def get_current_cycle(self) -> Cycle | None:
        """The cycle visitors hear about: open, else next, else latest closed."""
        return self.get_cycles().current()

    @cached_property
    def current_cycle(self) -> Cycle | None:
        return self.get_current_cycle()

    def get_add_cycle_url(self, request) -> str | None:
        """For a user who may add cycles, where to add one for this page; else ``None``.

        The permission is the one the Cycles admin's create view checks
        (``wagtail_mentoring.add_cycle``); the link preselects this page. A site that
        registers no Cycles admin gets ``""``: the user is told, without a link.
        """
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and user.has_perm("wagtail_mentoring.add_cycle")):
            return None
        try:
            url = reverse("wagtail_mentoring_cycle_modeladmin_create")
        except NoReverseMatch:
            return ""
        return f"{url}?program_page={self.pk}"

    def serve(self, request, *args, **kwargs):
        """Serve the page; a page that carries an editor's hint is never cached for others.

        With no cycle, an editor who may add one reads so on the page (see
        ``get_add_cycle_url()``); that response is marked private and varies on the
        cookie, so no shared cache hands it to a visitor.
        """
        request.wagtail_mentoring_add_cycle_url = (
            self.get_add_cycle_url(request) if self.current_cycle is None else None
        )
        response = super().serve(request, *args, **kwargs)
        if request.wagtail_mentoring_add_cycle_url is not None:
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ("Cookie",))
        return response

    # -- FAQ structured data ----------------------------------------------------

    def get_faq_items(self) -> list[tuple[str, str]]:
        """Every (question, answer HTML) pair in the body's FAQ blocks, in order."""
        items = []
        for block in self.body:
            if block.block_type != "faq":
                continue
            for item in block.value["items"]:
                items.append((item["question"], str(item["answer"])))
        return items

    def get_faq_json_ld(self) -> str:
        """A ``<script type="application/ld+json">`` element for schema.org FAQPage."""
        items = self.get_faq_items()
        if not items:
            return ""
        data = {
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": [
                {
                    "@type": "Question",
                    "name": question,
                    "acceptedAnswer": {
                        "@type": "Answer",
                        "text": html.unescape(strip_tags(answer)).strip(),
                    },
                }
                for question, answer in items
            ],
        }
        payload = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
        return mark_safe(f'<script type="application/ld+json">{payload}</script>')

    # -- application pages and "My mentoring" ------------------------------------

    def get_application_pages(self) -> dict:
        """The live application pages under this programme, keyed by role.

        On a site that translates its pages, a role this page has no application page
        for is taken from a translation of this page: the one in this page's locale
        first (a page not translated yet), else the others in tree order.
        """
        application_page_model = apps.get_model("wagtail_mentoring", "MentoringApplicationPage")
        pages = application_page_model.objects.child_of(self).live().order_by("path")
        found: dict = {}
        for page in pages:
            found.setdefault(page.role, page)
        roles = application_page_model._meta.get_field("role").choices
        if i18n_enabled() and len(found) < len(roles):
            for program in self.get_translations().order_by("path"):
                for page in application_page_model.objects.child_of(program).live():
                    if page.role not in found:
                        found[page.role] = in_locale_of(page, self)
        return found

    @path("my/", name="my_mentoring")
    def my_mentoring(self, request):
        """The logged-in member's applications across roles and cycles, with status.

        A POST with ``alumni_application`` (one of the member's completed applications)
        and ``alumni_listing_consent`` sets whether the alumni block may list them; a
        POST whose ``alumni_application`` is not an id gets the page again with an
        error (400).
        """
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        from .applications import Application
        from .matches import completed_a_pairing

        if request.method == "POST":
            application_id = parse_id(request.POST.get("alumni_application", ""))
            if application_id is None:
                return self.render_my_mentoring(
                    request,
                    error=_(
                        "That choice could not be saved. Please reload the page and try again."
                    ),
                    status=400,
                )
            consent = bool(request.POST.get("alumni_listing_consent"))
            updated = (
                Application.objects.filter(
                    pk=application_id,
                    user=request.user,
                    cycle__program_page__translation_key=self.translation_key,
                )
                .filter(completed_a_pairing())
                .update(alumni_listing_consent=consent)
            )
            if updated:
                messages.success(
                    request,
                    _("Saved: you are listed among the alumni on the programme's page.")
                    if consent
                    else _("Saved: you are no longer listed among the programme's alumni."),
                    fail_silently=True,
                )
            return redirect(self.url + self.reverse_subpage("my_mentoring"))
        return self.render_my_mentoring(request)

    #: The views behind the consent step's links, as dotted paths.
    consent_view = "wagtail_mentoring.views.consent.consent_view"
    pause_view = "wagtail_mentoring.views.consent.pause_view"

    @path("consent/", name="consent")
    def consent(self, request):
        """An invitation's "Yes, introduce us" / "Not this time" link (see
        :mod:`wagtail_mentoring.views.consent`; ``consent_view`` is its dotted path, as
        the models import nothing from the views)."""
        return import_string(self.consent_view)(self, request)

    @path("pause/", name="pause")
    def pause(self, request):
        """A mentor's "I can't take on anyone now" link (``pause_view``)."""
        return import_string(self.pause_view)(self, request)

    #: What answers the "Have you met yet?" links: a function called as
    #: ``(page, request)``, or its dotted path (the models import nothing from the views).
    met_check_view = "wagtail_mentoring.views.met_check.serve_met_check"

    @path("met/", name="met_check")
    def met_check(self, request):
        """The page a "Have you met yet?" link opens: the answer preselected, one button
        that records it (a GET changes nothing). See ``met_check_view``."""
        view = self.met_check_view
        return (import_string(view) if isinstance(view, str) else view)(self, request)

    def render_my_mentoring(self, request, error: str = "", status: int = 200):
        """The "My mentoring" page; ``error`` is shown above the applications."""
        from .applications import Application
        from .matches import completed_a_pairing

        applications = (
            Application.objects.filter(
                user=request.user, cycle__program_page__translation_key=self.translation_key
            )
            .annotate(alumnus=ExpressionWrapper(completed_a_pairing(), output_field=BooleanField()))
            .select_related("cycle", "page")
            .prefetch_related("topics")
            .order_by("-cycle__applications_open", "role")
        )
        from .matches import UNDERWAY, Match

        applications = list(applications)
        matches = (
            Match.objects.filter(status__in=UNDERWAY)
            .filter(Q(mentee__in=applications) | Q(mentor__in=applications))
            .select_related("mentor", "mentee")
        )
        pairings: dict[int, list] = {}
        for match in matches.order_by("start_date", "pk"):
            pairings.setdefault(match.mentee_id, []).append((match, match.mentor))
            pairings.setdefault(match.mentor_id, []).append((match, match.mentee))
        for application in applications:
            # (match, partner) for each approved or active pairing, soonest first.
            application.pairings = pairings.get(application.pk, [])
            application.partners = [partner for _match, partner in application.pairings]
        context = self.get_context(request)
        context["applications"] = applications
        context["error"] = error
        context["today"] = timezone.localdate()
        context["messages"] = get_messages(request)
        return TemplateResponse(
            request, "wagtail_mentoring/pages/my_mentoring.html", context, status=status
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["cycle"] = self.current_cycle
        context["add_cycle_url"] = getattr(request, "wagtail_mentoring_add_cycle_url", None)
        context["faq_json_ld"] = self.get_faq_json_ld()
        return context


def program_page_models() -> list[type[Page]]:
    """Every concrete page model built on :class:`AbstractMentoringProgramPage`."""
    return [
        model
        for model in get_page_models()
        if issubclass(model, AbstractMentoringProgramPage) and not model._meta.abstract
    ]


def program_child_page_models() -> list[type[Page]]:
    """The package's page types that belong under a programme page (and their subclasses)."""
    bases = (
        apps.get_model("wagtail_mentoring", "MentoringApplicationPage"),
        apps.get_model("wagtail_mentoring", "SurveyPage"),
    )
    return [
        model
        for model in get_page_models()
        if issubclass(model, bases) and not model._meta.abstract
    ]


def configured_child_page_models() -> list[type[Page]]:
    """The page models ``WAGTAIL_MENTORING_PROGRAM_CHILD_PAGE_TYPES`` names, that exist.

    Names that are no page model are left out here; check ``wagtail_mentoring.E015``
    reports them.
    """
    models = []
    for name in app_settings.PROGRAM_CHILD_PAGE_TYPES or ():
        try:
            model = apps.get_model(name)
        except (LookupError, ValueError, TypeError):
            continue
        if issubclass(model, Page) and model not in models:
            models.append(model)
    return models


class MentoringProgramPage(AbstractMentoringProgramPage):
    """The concrete programme landing page."""

    template = "wagtail_mentoring/pages/mentoring_program_page.html"

    class Meta:
        verbose_name = _("mentoring programme page")
        verbose_name_plural = _("mentoring programme pages")
