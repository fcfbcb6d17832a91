"""The conference: mentors who volunteered for activities, and the follow-up invitation."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..conf import app_settings
from ..emails.outbox import pair_email, queue_emails
from ..models import Application, ApplicationStatus, Cycle, Match, Role
from ..models.matches import UNDERWAY, MatchStatus
from .cycles import cycle_choices, open_latest_cycle, remember_cycle
from .exports import neutralise_formula
from .permissions import committee_only


def volunteers(cycle) -> list[tuple[str, str, list[Application]]]:
    """(activity value, label, mentors) for each conference activity."""
    mentors = list(
        Application.objects.filter(cycle=cycle, role=Role.MENTOR)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .order_by("name")
    )
    return [
        (value, label, [m for m in mentors if value in (m.conference_activities or [])])
        for value, label in app_settings.CONFERENCE_ACTIVITIES
    ]


@committee_only
def conference_index(request):
    return open_latest_cycle(
        request,
        "wagtail_mentoring_conference",
        "wagtail_mentoring/admin/conference.html",
        {"cycle": None},
    )


@committee_only
def conference(request, cycle_id):
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    pairs = Match.objects.filter(
        cycle=cycle, status__in=(*UNDERWAY, MatchStatus.COMPLETED)
    ).select_related("mentor__user", "mentee__user")
    if request.method == "POST":
        with transaction.atomic():
            created = queue_emails(
                pair_email(
                    "conference_follow_up",
                    f"match-{match.pk}-follow-up-{role}",
                    match,
                    role,
                    application,
                )
                for match in pairs
                for role, application in (("mentor", match.mentor), ("mentee", match.mentee))
            )
        messages.success(
            request,
            ngettext(
                "%(n)s invitation to the follow-up session is queued.",
                "%(n)s invitations to the follow-up session are queued.",
                len(created),
            )
            % {"n": len(created)}
            + (
                " " + _("Everyone already invited was left out.")
                if len(created) < 2 * len(pairs)
                else ""
            ),
        )
        return redirect("wagtail_mentoring_conference", cycle_id=cycle.pk)
    remember_cycle(request, cycle)
    groups = volunteers(cycle)
    if request.GET.get("export") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"mentoring-conference-volunteers-{slugify(cycle.name)}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        writer = csv.writer(response)
        writer.writerow([_("Activity"), _("Mentor"), _("Email"), _("Region")])
        for _value, label, mentors in groups:
            for mentor in mentors:
                writer.writerow(
                    [
                        neutralise_formula(str(x))
                        for x in (label, mentor.name, mentor.contact_email, mentor.region)
                    ]
                )
        return response
    return TemplateResponse(
        request,
        "wagtail_mentoring/admin/conference.html",
        {
            "cycle": cycle,
            "cycles": cycle_choices(),
            "groups": groups,
            "pairs": len(pairs),
        },
    )
