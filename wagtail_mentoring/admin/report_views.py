"""The board report: one cycle's figures, with charts, printable, as CSV or XLSX."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..models import Cycle
from ..models.surveys import RATING_MAX
from ..report import bar_chart, cycle_report
from .cycles import cycle_choices, open_latest_cycle, remember_cycle
from .exports import neutralise_formula as escape_formula
from .permissions import committee_only


@committee_only
def report_index(request):
    return open_latest_cycle(
        request, "wagtail_mentoring_report", "wagtail_mentoring/admin/report.html", {"report": None}
    )


@committee_only
def report(request, cycle_id):
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    remember_cycle(request, cycle)
    figures = cycle_report(cycle)
    export = request.GET.get("export")
    filename = f"mentoring-report-{slugify(cycle.name)}"
    if export == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        writer = csv.writer(response)
        writer.writerow([_("Figure"), _("Value")])
        for label, value in figures.rows():
            writer.writerow([escape_formula(label), escape_formula(value)])
        return response
    if export == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Board report")[:31]
        sheet.append([_("Figure"), _("Value")])
        for label, value in figures.rows():
            sheet.append([escape_formula(label), escape_formula(value)])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    charts = {
        "applications": bar_chart(list(figures.applications.items())),
        "matches": bar_chart(
            [
                (_("Active"), figures.active),
                (_("Approved, not started yet"), figures.not_started),
                (_("Completed"), figures.completed),
                (_("Ended early"), figures.ended_early),
            ]
        ),
        "rounds": [
            bar_chart(
                [(q, round(avg, 2)) for q, avg, _n in r.averages],
                unit=f"/{RATING_MAX}",
                maximum=RATING_MAX,
            )
            for r in figures.rounds
        ],
    }
    template = (
        "wagtail_mentoring/admin/report_print.html"
        if request.GET.get("print")
        else "wagtail_mentoring/admin/report.html"
    )
    return TemplateResponse(
        request,
        template,
        {
            "report": figures,
            "charts": charts,
            "rounds": list(zip(figures.rounds, charts["rounds"], strict=True)),
            "cycles": cycle_choices(),
        },
    )
