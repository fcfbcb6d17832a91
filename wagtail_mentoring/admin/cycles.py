from __future__ import annotations

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import PermissionHelper

from ..models import Cycle
from .display import LabelsMixin
from .listing import CheckedIndexView
from .permissions import COMMITTEE, MODEL_PERMISSIONS, CommitteeOnlyModelAdmin


def open_latest_cycle(request, url_name: str, template: str, empty: dict):
    """Redirect to the per-cycle view ``url_name`` of the most recent cycle, or render
    ``template`` with ``empty`` when there is no cycle yet."""
    cycle = Cycle.objects.first()  # newest first: Cycle.Meta.ordering
    if cycle is None:
        return TemplateResponse(request, template, empty)
    return redirect(url_name, cycle_id=cycle.pk)


class CycleAdmin(LabelsMixin, CommitteeOnlyModelAdmin):
    """Cycles: dates and settings, no personal data, so Wagtail's model permissions decide.

    Deleting is for the committee (and needs ``delete_cycle`` as well): a cycle that
    holds applications or matches cannot be deleted, and the page that says so lists
    them by name.
    """

    model = Cycle
    permission_helper_class = PermissionHelper
    index_view_class = CheckedIndexView
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
    list_filter = ("program_page",)
    search_fields = ("name",)
    ordering = ("-applications_open",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("program_page")

    @staticmethod
    def window_status(obj: Cycle) -> str:
        return obj.status_message()

    window_status.short_description = _("Applications")
