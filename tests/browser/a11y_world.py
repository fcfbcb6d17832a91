"""The data behind the accessibility scans: every public page in every state it can be in.

:func:`build` extends :func:`tests.world.build_world` (programme, application and survey
pages, a cycle, a user of every role, an approved pair with a survey answer) with what
the other states need: a programme page that uses every block, the site's join and
renew links, members at each step of applying, a completed pairing whose member is
listed among the alumni, survey links in every state, a closed programme, and a pool
for the committee's workspace. It returns the :class:`tests.world.World` with extra
``users``, ``pages`` and ``survey_links``.
"""

from __future__ import annotations

import datetime
import time
from unittest import mock

from django.utils import timezone
from wagtail.models import Site

from tests import world as w
from wagtail_mentoring.matching.lifecycle import approve, complete, end_early, propose
from wagtail_mentoring.models import (
    Application,
    Cycle,
    MentoringApplicationPage,
    MentoringProgramPage,
    MentoringSettings,
    SurveyFormField,
    Topic,
)
from wagtail_mentoring.models.surveys import make_token

FAQ = [
    ("How long does a pairing last?", "<p>Up to ten months.</p>"),
    ("Who can take part?", "<p>Every member of the association.</p>"),
]


def _programme_body(world) -> list:
    return [
        (
            "key_facts",
            {"heading": "At a glance", "facts": [{"label": "Commitment", "value": "10 months"}]},
        ),
        ("rich_text", "<h2>How it works</h2><p>Apply, get matched, meet monthly.</p>"),
        (
            "apply",
            {
                "heading": "Apply for this cycle",
                "text": "Applications are read by the committee only.",
                "mentor_page": None,
                "mentor_link_text": "Apply to be a mentor",
                "mentee_page": None,
                "mentee_link_text": "Apply to be a mentee",
            },
        ),
        (
            "faq",
            {
                "heading": "Frequently asked questions",
                "items": [{"question": q, "answer": a} for q, a in FAQ],
            },
        ),
        (
            "testimonial",
            {
                "quote": "I found a mentor.",
                "name": "Rosa Reader",
                "role": "Librarian",
                "image": None,
            },
        ),
        (
            "call_to_action",
            {
                "heading": "Not a member yet?",
                "text": "Joining takes five minutes.",
                "link_text": "Become a member",
                "page": None,
                "url": "https://example.org/join",
            },
        ),
        ("alumni", {"heading": "Our alumni", "text": "Members who completed the programme."}),
    ]


def _application(user, cycle, role, page=None, **fields) -> Application:
    values = {
        "contact_email": user.email,
        "name": user.get_full_name() or user.username,
        "career_stage": "senior" if role == "mentor" else "student",
        "sector": "public",
        "region": "North",
        "meeting_preference": "either",
        "conference_attendance": "yes",
        "goals": "Grow.",
        "capacity": 1 if role == "mentor" else None,
        **fields,
    }
    return Application.objects.create(user=user, cycle=cycle, role=role, page=page, **values)


def _pair(cycle, name: str, pages) -> tuple:
    mentor_user = w._user(f"{name}-mentor", "Members", first_name=name.title(), last_name="Mentor")
    mentee_user = w._user(f"{name}-mentee", "Members", first_name=name.title(), last_name="Mentee")
    mentor = _application(mentor_user, cycle, "mentor", pages["mentor"])
    mentee = _application(mentee_user, cycle, "mentee", pages["mentee"])
    return approve(propose(mentee, mentor)), mentor, mentee


def build(settings=None) -> w.World:
    world = w.build_world(settings)
    program, cycle, pages = world.pages["program"], world.objects["cycle"], world.pages
    Cycle.objects.filter(pk=cycle.pk).update(
        conference_date=cycle.pairing_start + datetime.timedelta(days=150)
    )
    program.body = _programme_body(world)
    program.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    settings_row = MentoringSettings.for_site(site)
    settings_row.join_url = "https://example.org/join"
    settings_row.renew_url = "https://example.org/renew"
    settings_row.save()
    Topic.objects.create(name="Leadership", sort_order=1)

    # Members at each step of applying; each state has its own member so that
    # scanning one state never changes another.
    for key in ("applying", "errors", "thanks", "keyboard"):
        world.users[key] = w._user(key, "Members", first_name=key.title(), last_name="Member")
    world.users["status"] = w._user("status", "Members", first_name="Stella", last_name="Status")
    _application(world.users["status"], cycle, "mentee", pages["mentee"])
    world.users["paired"] = world.objects["application"].user

    # A completed pairing of last year: the mentee is an alumna who agreed to be listed.
    now = timezone.now()
    past = Cycle.objects.create(
        program_page=program,
        name="Last year's cycle",
        applications_open=now - datetime.timedelta(days=400),
        applications_close=now - datetime.timedelta(days=380),
        pairing_start=(now - datetime.timedelta(days=350)).date(),
        consent="off",  # introduced on approval, so that the pairing can complete
    )
    done, _mentor, alumna = _pair(past, "alum", pages)
    complete(done)
    Application.objects.filter(pk=alumna.pk).update(alumni_listing_consent=True)
    world.users["alumna"] = alumna.user

    # Survey links in every state. The world's mentee has answered; its mentor has not.
    survey = pages["survey"]
    SurveyFormField.objects.create(
        page=survey,
        sort_order=0,
        label="How satisfied are you?",
        field_type="rating",
        required=True,
    )
    survey_round = world.objects["surveyround"]
    match = world.objects["match"]
    to_thank, _mentor, _mentee = _pair(cycle, "thanked", pages)
    ended, _mentor, _mentee = _pair(cycle, "ended", pages)
    end_early(ended, "Moved abroad.")
    with mock.patch("time.time", return_value=time.time() - 400 * 86400):
        expired = make_token(match, survey_round, "mentor")
    base = survey.url
    world.survey_links = {
        "form": f"{base}?t={make_token(match, survey_round, 'mentor')}",
        "thanks": f"{base}?t={make_token(to_thank, survey_round, 'mentor')}",
        "used": f"{base}?t={make_token(match, survey_round, 'mentee')}",
        "expired": f"{base}?t={expired}",
        "closed": f"{base}?t={make_token(ended, survey_round, 'mentee')}",
        "missing": base,
        "invalid": f"{base}?t=not-a-token",
    }

    # "Have you met yet?" links: a form with an answer chosen, and a bad link.
    from wagtail_mentoring.matching.met_links import make_met_token

    met = program.url + program.reverse_subpage("met_check")
    world.met_links = {
        "form": f"{met}?t={make_met_token(match, 'mentor', 1)}&a=not_yet",
        "thanks": f"{met}?t={make_met_token(to_thank, 'mentee', 1)}&a=met",
        "invalid": f"{met}?t=not-a-token",
    }

    # Consent links: invitations awaiting the mentor's answer, one per state scanned,
    # and a mentor's "I can't take on anyone now".
    from wagtail_mentoring.invitations import consent_token, pause_token
    from wagtail_mentoring.models import Match

    consent = program.url + program.reverse_subpage("consent")
    pause = program.url + program.reverse_subpage("pause")
    invited = {}
    for name, asked in (("asked", "mentor"), ("answering", "both")):
        invitation, mentor, _mentee = _pair(cycle, name, pages)
        Match.objects.filter(pk=invitation.pk).update(
            status="awaiting", consent_from=asked, consent_due=now + datetime.timedelta(days=7)
        )
        invited[name] = (invitation, mentor)
    world.consent_links = {
        "form": f"{consent}?t={consent_token(invited['asked'][0], 'mentor')}&answer=yes",
        # Both are asked: the mentee's yes thanks them and waits (again in every scheme).
        "answer": f"{consent}?t={consent_token(invited['answering'][0], 'mentee')}&answer=yes",
        "invalid": f"{consent}?t=not-a-token",
        "pause": f"{pause}?t={pause_token(invited['asked'][1])}",
    }

    # A programme whose cycle has closed: its application page takes no applications.
    closed = MentoringProgramPage(title="Closed programme", slug="closed-programme")
    program.get_parent().add_child(instance=closed)
    closed.save_revision().publish()
    pages["closed"] = MentoringApplicationPage(
        title="Apply as a mentee", slug="apply", role="mentee"
    )
    closed.add_child(instance=pages["closed"])
    pages["closed"].save_revision().publish()
    Cycle.objects.create(
        program_page=closed,
        name="Closed cycle",
        applications_open=now - datetime.timedelta(days=30),
        applications_close=now - datetime.timedelta(days=1),
        pairing_start=(now + datetime.timedelta(days=30)).date(),
    )

    # The committee's pool: two mentees waiting, one with a proposal.
    topics = list(Topic.objects.all())
    for index in range(2):
        user = w._user(f"waiting{index}", "Members", first_name="Wanda", last_name=f"Wait{index}")
        waiting = _application(user, cycle, "mentee", pages["mentee"])
        waiting.topics.set(topics)
        world.objects.setdefault("waiting", waiting)
    spare = w._user("spare-mentor", "Members", first_name="Sam", last_name="Spare")
    spare_mentor = _application(spare, cycle, "mentor", pages["mentor"], capacity=2)
    spare_mentor.topics.set(topics)
    propose(world.objects["waiting"], spare_mentor, score=60)
    return world
