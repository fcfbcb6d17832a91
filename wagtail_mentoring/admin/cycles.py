from __future__ import annotations

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import ModelAdmin

from ..models import Cycle


def open_latest_cycle(request, url_name: str, template: str, empty: dict):
    """Redirect to the per-cycle view ``url_name`` of the most recent cycle, or render
    ``template`` with ``empty`` when there is no cycle yet."""
    cycle = Cycle.objects.first()  # newest first: Cycle.Meta.ordering
    if cycle is None:
        return TemplateResponse(request, template, empty)
    return redirect(url_name, cycle_id=cycle.pk)


class CycleAdmin(ModelAdmin):
    model = Cycle
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
    inspect_view_enabled = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("program_page")

    @staticmethod
    def window_status(obj: Cycle) -> str:
        return obj.status_message()

    window_status.short_description = _("Applications")
