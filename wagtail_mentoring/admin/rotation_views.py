"""The conference's speed-mentoring rotations: plan, print, download.

The plan is not stored: its inputs are in the query string (a GET form), and every
view here recomputes it from them (:func:`wagtail_mentoring.conference.plan_conference`
is deterministic). The downloads carry the plan's digest (``plan=``): when the
applications changed in between, they say so instead of serving another plan.
"""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import ical
from ..conf import app_settings
from ..conference import plan_conference
from ..inputs import parse_id
from ..models import Cycle
from .cycles import cycle_choices, open_latest_cycle, remember_cycle
from .exports import neutralise_formula
from .forms import RotationForm
from .listing import bad_request_response
from .permissions import committee_only

#: The query keys of the form; any one of them present means the form was sent.
FORM_KEYS = ("v", "p", "tables", "rounds", "minutes", "day", "start")


def _query(form) -> str:
    """The form's inputs as a canonical query string (ids sorted)."""
    data = form.cleaned_data
    return urlencode(
        [
            *(("v", pk) for pk in sorted(a.pk for a in data["v"])),
            *(("p", pk) for pk in sorted(a.pk for a in data["p"])),
            ("tables", data["tables"]),
            ("rounds", data["rounds"]),
            ("minutes", data["minutes"]),
            ("day", data["day"].isoformat()),
            ("start", data["start"].strftime("%H:%M")),
        ]
    )


def _plan(request, cycle):
    """(form, schedule or None, the error that kept the planner from planning)."""
    bound = any(key in request.GET for key in FORM_KEYS)
    form = RotationForm(cycle, request.GET if bound else None)
    if not bound or not form.is_valid():
        return form, None, ""
    data = form.cleaned_data
    try:
        schedule = plan_conference(
            cycle,
            [a.pk for a in data["v"]],
            [a.pk for a in data["p"]],
            tables=data["tables"],
            rounds=data["rounds"],
            start=form.starts_at(),
            minutes=data["minutes"],
            random_rotations=app_settings.ROTATION_RANDOM_ROTATIONS,
        )
    except (ValueError, OverflowError):
        return form, None, _("These inputs cannot be planned; check the numbers and the people.")
    return form, schedule, ""


def _download(request, cycle_id):
    """The cycle and its schedule for a download, or the response that refuses it."""
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    page = reverse("wagtail_mentoring_rotations", args=[cycle.pk])
    form, schedule, error = _plan(request, cycle)
    if schedule is None:
        if form.is_bound:
            page += "?" + request.GET.urlencode()
        messages = [error] if error else [str(e) for errors in form.errors.values() for e in errors]
        message = " ".join(messages) or _("Plan the rotations first, then download them.")
        return cycle, None, bad_request_response(request, message, page)
    digest = request.GET.get("plan")
    if digest is not None and digest != schedule.digest:
        response = bad_request_response(
            request,
            _(
                "The applications changed since this plan was shown, so it is no longer "
                "the same plan. Open the plan again and print or download it from there."
            ),
            page + "?" + _query(form),
        )
        response.status_code = 409
        return cycle, None, response
    return cycle, (form, schedule), None


@committee_only
def rotations_index(request):
    return open_latest_cycle(
        request,
        "wagtail_mentoring_rotations",
        "wagtail_mentoring/admin/rotations.html",
        {"cycle": None},
    )


@committee_only
def rotations(request, cycle_id):
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    remember_cycle(request, cycle)
    form, schedule, error = _plan(request, cycle)
    return TemplateResponse(
        request,
        "wagtail_mentoring/admin/rotations.html",
        {
            "cycle": cycle,
            "cycles": cycle_choices(),
            "form": form,
            "schedule": schedule,
            "error": error,
            "query": _query(form) if schedule else "",
            "tables": schedule.by_table() if schedule else [],
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _sheet(request, cycle_id, template):
    cycle, planned, refused = _download(request, cycle_id)
    if refused:
        return refused
    form, schedule = planned
    return TemplateResponse(
        request,
        template,
        {
            "cycle": cycle,
            "schedule": schedule,
            "query": _query(form),
            "tables": schedule.by_table(),
            "people": schedule.people(),
        },
    )


@committee_only
def rotations_tables(request, cycle_id):
    """Printable: one page per table, each round's time, host and participants."""
    return _sheet(request, cycle_id, "wagtail_mentoring/admin/rotations_tables.html")


@committee_only
def rotations_people(request, cycle_id):
    """Printable: one page per volunteer and participant, their rounds and tables."""
    return _sheet(request, cycle_id, "wagtail_mentoring/admin/rotations_people.html")


@committee_only
def rotations_csv(request, cycle_id):
    cycle, planned, refused = _download(request, cycle_id)
    if refused:
        return refused
    _form, schedule = planned
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"speed-mentoring-{slugify(cycle.name)}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Round"),
            _("Starts"),
            _("Ends"),
            _("Table"),
            _("Host"),
            _("Participant"),
            _("On a wanted topic"),
        ]
    )
    for round_, start, end, table, host, participant, fits in schedule.rows():
        writer.writerow(
            [
                neutralise_formula(str(value))
                for value in (
                    round_,
                    timezone.localtime(start).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(end).strftime("%Y-%m-%d %H:%M"),
                    table if table else "",
                    host.name if host else _("Sits this round out"),
                    participant.name,
                    (_("Yes") if fits else _("No")) if host else "",
                )
            ]
        )
    return response


@committee_only
def rotations_calendar(request, cycle_id):
    """One person's rounds as an iCalendar file: ``person=`` an application id."""
    cycle, planned, refused = _download(request, cycle_id)
    if refused:
        return refused
    form, schedule = planned
    person_id = parse_id(request.GET.get("person"))
    person = schedule.person(person_id) if person_id is not None else None
    if person is None:
        return bad_request_response(
            request,
            _("Choose a volunteer or a participant of this plan."),
            reverse("wagtail_mentoring_rotations_people", args=[cycle.pk]) + "?" + _query(form),
        )
    host = request.get_host().split(":")[0] or "wagtail-mentoring"
    events = [
        ical.Event(
            uid=f"speed-mentoring-{cycle.pk}-{person.id}-{seat.round}@{host}",
            start=seat.start,
            end=seat.end,
            summary=_("Speed mentoring, round %(round)s") % {"round": seat.round},
            location=_("Table %(n)s") % {"n": seat.table},
            description=_("With: %(names)s") % {"names": ", ".join(p.name for p in seat.with_)}
            if seat.with_
            else "",
        )
        for seat in schedule.schedule_of(person)
        if seat.table is not None
    ]
    text = ical.calendar(events, name=_("Speed mentoring: %(cycle)s") % {"cycle": cycle.name})
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    name = f"speed-mentoring-{slugify(person.name) or person.id}.ics"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
