from __future__ import annotations

from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.views import CreateView

from ..inputs import parse_id
from ..models import Cycle
from ..models.pages import program_page_models
from .display import LabelsMixin
from .listing import CheckedIndexView
from .permissions import COMMITTEE, MODEL_PERMISSIONS, CommitteeOnlyModelAdmin

#: The session key that holds the id of the cycle a committee member last opened.
SESSION_KEY = "wagtail_mentoring_cycle"


def remember_cycle(request, cycle: Cycle) -> None:
    """Remember ``cycle`` as the one this user works on (workspace, report, conference)."""
    if request.session.get(SESSION_KEY) != cycle.pk:
        request.session[SESSION_KEY] = cycle.pk


def remembered_cycle(request) -> Cycle | None:
    """The cycle this user last opened, if it still exists; ``None`` otherwise.

    The stored value is checked, never trusted: anything but a positive id of an
    existing cycle reads as nothing remembered.
    """
    value = request.session.get(SESSION_KEY)
    if type(value) is not int or not 0 < value < 2**31:
        return None
    return Cycle.objects.filter(pk=value).first()


def current_cycles() -> list[Cycle]:
    """The current cycle (open, else next, else latest closed) of each programme."""
    page_ids = Cycle.objects.values_list("program_page_id", flat=True).distinct()
    cycles = []
    for page in Page.objects.filter(pk__in=page_ids).order_by("path"):
        cycle = Cycle.objects.for_program(page).select_related("program_page").current()
        if cycle is not None:
            cycles.append(cycle)
    return cycles


def open_latest_cycle(request, url_name: str, template: str, empty: dict):
    """Open the per-cycle view ``url_name`` of the cycle this user works on.

    That is the cycle the user last opened, else the current cycle of the only
    programme that has one. When several programmes have one, a page asks which;
    with no cycle at all, ``template`` is rendered with ``empty``.
    """
    cycle = remembered_cycle(request)
    if cycle is not None:
        return redirect(url_name, cycle_id=cycle.pk)
    choices = current_cycles()
    if not choices:
        return TemplateResponse(request, template, empty)
    if len(choices) == 1:
        return redirect(url_name, cycle_id=choices[0].pk)
    programmes = [
        (
            choice.program_page,
            choice,
            Cycle.objects.for_program(choice.program_page).exclude(pk=choice.pk),
        )
        for choice in choices
    ]
    return TemplateResponse(
        request,
        "wagtail_mentoring/admin/choose_cycle.html",
        {"programmes": programmes, "url_name": url_name},
    )


def cycle_choices():
    """Every cycle for a view's cycle selector, with its programme page."""
    return Cycle.objects.select_related("program_page").order_by(
        "program_page__path", "-applications_open", "pk"
    )


class ProgrammePageFilter(RelatedFieldListFilter):
    """The Cycles list filter: programme pages only, not every page of the site."""

    def field_choices(self, field, request, model_admin):
        types = ContentType.objects.get_for_models(*program_page_models()).values()
        pages = Page.objects.filter(content_type__in=types).order_by("path")
        return [(page.pk, page.get_admin_display_title()) for page in pages]


class CycleCreateView(CreateView):
    """The create view; ``?program_page=<id>`` of a programme page preselects it."""

    def get_initial(self):
        initial = super().get_initial()
        page_id = parse_id(self.request.GET.get("program_page", ""))
        if page_id is not None:
            types = ContentType.objects.get_for_models(*program_page_models()).values()
            if Page.objects.filter(pk=page_id, content_type__in=types).exists():
                initial["program_page"] = page_id
        return initial


class CycleAdmin(LabelsMixin, CommitteeOnlyModelAdmin):
    """Cycles: dates and settings, no personal data, so Wagtail's model permissions decide.

    Deleting is for the committee (and needs ``delete_cycle`` as well): a cycle that
    holds applications or matches cannot be deleted, and the page that says so lists
    them by name.
    """

    model = Cycle
    permission_helper_class = PermissionHelper
    index_view_class = CheckedIndexView
    create_view_class = CycleCreateView
    allowed_views = {
        "index": MODEL_PERMISSIONS,
        "create": MODEL_PERMISSIONS,
        "edit": MODEL_PERMISSIONS,
        "inspect": MODEL_PERMISSIONS,
        "history": MODEL_PERMISSIONS,
        "delete": COMMITTEE,
    }
    menu_label = _("Cycles")
    menu_icon = "date"
    list_display = (
        "name",
        "program_page",
        "applications_open",
        "applications_close",
        "window_status",
        "pairing_start",
        "pairing_end",
    )
    list_filter = (("program_page", ProgrammePageFilter),)
    search_fields = ("name",)
    ordering = ("-applications_open",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("program_page")

    @staticmethod
    def window_status(obj: Cycle) -> str:
        return obj.status_message()

    window_status.short_description = _("Applications")
