"""What the fuzz tests (tests/test_fuzz.py) drive: every endpoint, as every role.

Built on :mod:`tests.world` (its users per role, objects and URL discovery), with what
bad input needs to reach deep code: an editor's multi-line question on the mentee
page, survey questions of each kind and a personal survey link, the member's own
applications (one open, one completed for the alumni choice) and a second mentee.
``request_endpoint()`` sends one request with a path id, a query string and a form
of the caller's choosing.
"""

from __future__ import annotations

import dataclasses
import datetime
from urllib.parse import quote, urlencode

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import NoReverseMatch
from django.utils import timezone

from tests import world as w

ROLES = list(w.ROLES)

#: Values that broke, or could break, a parser: non-ASCII digits, NUL, out of range.
BAD_VALUES = [
    "",
    "abc",
    "1.5",
    "-1",
    "0",
    " 1",
    "²",
    "٣",
    "\x00",
    "1\x00",
    "99999999999999999999",
    "1e309",
    "NaN",
    "🙂" * 300,
    "x" * 6000,
]

GET_KEYS = [
    "t",
    "a",
    "edit",
    "export",
    "print",
    "q",
    "p",
    "o",
    "page",
    "ordering",
    "status",
    "role",
    "cycle",
    "cycle__id__exact",
    "program_page__id__exact",
    # The speed-mentoring rotations' form and downloads ("p" is above).
    "v",
    "tables",
    "rounds",
    "minutes",
    "day",
    "start",
    "person",
    "plan",
    "why_mentor",
]
POST_KEYS = [
    "action",
    "match",
    "mentor",
    "reason",
    "alumni_application",
    "alumni_listing_consent",
    "mentoring_action",
    "topics",
    "goals",
    "name",
    "extra__tell_us_more",
    "comments",
    "how_satisfied_are_you",
    "how_many_meetings",
    "first_meeting",
    "your_website",
    "reference",
    "default_survey",
    "program_page",
    "answer",
    "t",
]


@dataclasses.dataclass
class Endpoint:
    """A URL the package adds (``url_endpoint``) or one of its pages (``page_url``)."""

    label: str
    url_endpoint: w.Endpoint | None = None
    page_url: str = ""
    default_query: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class FuzzWorld:
    world: w.World
    endpoints: dict


def _add_inputs(world: w.World) -> dict[str, str]:
    """Give the world what bad input should reach; returns the personal links' tokens
    (the "Have you met yet?" token is made in :func:`build_fuzz_world`)."""
    from wagtail_mentoring.invitations import consent_token, pause_token
    from wagtail_mentoring.models import (
        Application,
        ApplicationFormField,
        ApplicationStatus,
        Cycle,
        Match,
        MatchStatus,
        SurveyFormField,
    )
    from wagtail_mentoring.models.surveys import make_token

    mentee_page = world.pages["mentee"]
    ApplicationFormField.objects.create(
        page=mentee_page, sort_order=0, label="Tell us more", field_type="multiline"
    )
    mentee_page.save_revision().publish()
    survey = world.pages["survey"]
    for order, (label, kind) in enumerate(
        [
            ("How satisfied are you?", "rating"),
            ("How many meetings?", "number"),
            ("First meeting", "date"),
            ("Your website", "url"),
            ("Reference", "hidden"),
        ],
        start=1,
    ):
        SurveyFormField.objects.create(
            page=survey, sort_order=order, label=label, field_type=kind, required=False
        )
    survey.save_revision().publish()

    cycle = world.objects["cycle"]
    past = Cycle.objects.create(
        program_page=world.pages["program"],
        name="Past cycle",
        applications_open=cycle.applications_open.replace(year=cycle.applications_open.year - 2),
        applications_close=cycle.applications_close.replace(year=cycle.applications_close.year - 2),
        pairing_start=cycle.pairing_start.replace(year=cycle.pairing_start.year - 2),
    )
    fields = {
        "sector": "public",
        "region": "North",
        "meeting_preference": "either",
        "conference_attendance": "yes",
        "goals": "Grow.",
    }
    member = world.users["member"]
    for role, in_cycle, status in (
        ("mentor", cycle, ApplicationStatus.SUBMITTED),
        ("mentee", past, ApplicationStatus.COMPLETED),
    ):
        Application.objects.create(
            user=member,
            cycle=in_cycle,
            role=role,
            status=status,
            page=world.pages[role],
            name="Fuzz Member",
            contact_email="fuzz.member@staff.example",
            career_stage="senior",
            capacity=1 if role == "mentor" else None,
            **fields,
        )
    waiting = get_user_model().objects.create_user("fuzz-waiting", "waiting@staff.example")
    waiting_mentee = Application.objects.create(
        user=waiting, cycle=cycle, role="mentee", page=mentee_page, name="Waiting Mentee",
        contact_email=waiting.email, career_stage="student", **fields,
    )  # fmt: skip
    # An approved match waiting for the mentor's consent, for the invitation's links.
    mentor = Application.objects.get(user=member, cycle=cycle, role="mentor")
    invitation = Match.objects.create(
        cycle=cycle, mentor=mentor, mentee=waiting_mentee, status=MatchStatus.AWAITING,
        consent_from="mentor", approved_at=timezone.now(),
        consent_due=timezone.now() + datetime.timedelta(days=7),
    )  # fmt: skip
    # The world's mentee has answered this round; the mentor has not.
    return {
        "survey": make_token(world.objects["match"], world.objects["surveyround"], "mentor"),
        "consent": consent_token(invitation, "mentor"),
        "pause": pause_token(mentor),
    }


def _rotation_plan(world: w.World) -> dict:
    """A valid query for the speed-mentoring rotations of the world's cycle."""
    from django.utils import timezone

    from wagtail_mentoring.models import Application

    cycle = world.objects["cycle"]
    ids = {
        role: list(Application.objects.filter(cycle=cycle, role=role).values_list("pk", flat=True))
        for role in ("mentor", "mentee")
    }
    return {
        "v": ids["mentor"],
        "p": ids["mentee"],
        "tables": "1",
        "rounds": "2",
        "minutes": "10",
        "day": (cycle.conference_date or timezone.localdate()).isoformat(),
        "start": "10:00",
        "person": str(world.objects["application"].pk),
    }


def build_fuzz_world(settings) -> FuzzWorld:
    world = w.build_world(settings)
    token = _add_inputs(world)
    program, survey = world.pages["program"], world.pages["survey"]
    consent = program.url + program.reverse_subpage("consent")
    pause = program.url + program.reverse_subpage("pause")
    from wagtail_mentoring.matching.met_links import make_met_token

    met = program.url + program.reverse_subpage("met_check")
    met_token = make_met_token(world.objects["match"], "mentee", 1)
    pages = [
        Endpoint("programme page", page_url=program.url),
        Endpoint("my mentoring", page_url=program.url + program.reverse_subpage("my_mentoring")),
        Endpoint("mentor application page", page_url=world.pages["mentor"].url),
        Endpoint("mentee application page", page_url=world.pages["mentee"].url),
        Endpoint("survey page", page_url=survey.url, default_query={"t": token["survey"]}),
        Endpoint("survey page without a link", page_url=survey.url),
        Endpoint("invitation page", page_url=consent, default_query={"t": token["consent"]}),
        Endpoint("invitation page without a link", page_url=consent),
        Endpoint("pause page", page_url=pause, default_query={"t": token["pause"]}),
        Endpoint("pause page without a link", page_url=pause),
        Endpoint("met check page", page_url=met, default_query={"t": met_token, "a": "met"}),
        Endpoint("met check page without a link", page_url=met),
    ]
    rotation_plan = _rotation_plan(world)
    package = [
        Endpoint(
            e.name,
            url_endpoint=e,
            # The rotations' views read a whole plan from the query string: start from a
            # valid one, so that each bad value reaches the code behind the form.
            default_query=rotation_plan if "_rotations_" in e.name + "_" else {},
        )
        for e in w.package_endpoints()
    ]
    endpoints = {
        "pages": pages,
        "package admin": [e for e in package if e.label.startswith("wagtail_mentoring_")],
        "modeladmin": [e for e in package if "_modeladmin_" in e.label],
        "snippets": [e for e in package if e.label.startswith("wagtailsnippet")],
    }
    endpoints["package admin"] = [
        e for e in endpoints["package admin"] if e not in endpoints["modeladmin"]
    ]
    grouped = {id(e) for group in endpoints.values() for e in group}
    endpoints["package admin"] += [e for e in package if id(e) not in grouped]
    return FuzzWorld(world, endpoints)


def endpoint_groups(fuzz: FuzzWorld) -> dict[str, list[Endpoint]]:
    """The endpoints by group: pages, package admin, modeladmin, snippets."""
    return fuzz.endpoints


def endpoint_url(fuzz: FuzzWorld, endpoint: Endpoint, path_value) -> str:
    """The endpoint's URL with ``path_value`` as its path id (or, for a page, sub-path)."""
    if endpoint.page_url:
        if path_value is None:
            return endpoint.page_url
        return f"{endpoint.page_url}{quote(path_value, safe='')}/"
    target = endpoint.url_endpoint
    if path_value is not None and target.parameters:
        try:
            return target.url(fuzz.world, **dict.fromkeys(target.parameters, path_value))
        except NoReverseMatch:
            pass  # the URL pattern refuses the value: no view would see it
    return target.url(fuzz.world)


def request_endpoint(fuzz: FuzzWorld, endpoint, role, method, path_value, query, form):
    """One request; whatever it changes is rolled back, so each starts from the same world."""
    url = endpoint_url(fuzz, endpoint, path_value)
    query = {**endpoint.default_query, **query}
    if method == "post" and query:
        url = f"{url}?{urlencode(query, doseq=True)}"
    with transaction.atomic():
        client = w.client_for(fuzz.world, role)  # no cookies (messages) from earlier requests
        response = client.get(url, query) if method == "get" else client.post(url, form)
        transaction.set_rollback(True)
    return response
