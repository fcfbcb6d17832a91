"""The committee's inspect pages: each section (explanation, timeline, emails, history,
answers) is the package's include, rendered for the row, under its label."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.template.loader import render_to_string
from django.utils.html import escape

from wagtail_mentoring.emails.outbox import queue_email
from wagtail_mentoring.matching.lifecycle import approve, propose
from wagtail_mentoring.models import Application, Match, SentEmail, SurveyResponse
from wagtail_mentoring.models.surveys import SurveyRound

INCLUDES = "wagtail_mentoring/admin/includes"


def section(label: str, template: str, context: dict) -> re.Pattern:
    """The ``<dt>``/``<dd>`` pair modeladmin's inspect template prints for one section:
    the label, then the include rendered for the row, whole."""
    rendered = render_to_string(template, context)
    return re.compile(
        rf'<dt class="[^"]*">{re.escape(escape(label))}</dt>\s*<dd>{re.escape(rendered)}</dd>'
    )


def shows(page: str, pattern: re.Pattern) -> bool:
    return pattern.search(page) is not None


@pytest.fixture
def committee(make_user):
    return make_user(username="chair", member=False, is_superuser=True, is_staff=True)


@pytest.fixture
def match(make_application, make_user, committee, django_capture_on_commit_callbacks):
    mentor = make_application("mentor", capacity=2, user=make_user(first_name="Ben"))
    mentee = make_application("mentee", user=make_user(first_name="Amara"))
    with django_capture_on_commit_callbacks(execute=True):
        match = propose(
            mentee,
            mentor,
            actor=committee,
            score=3,
            explanation=[{"name": "Topics", "points": 3, "weight": 5, "reason": "Both & more"}],
        )
    with django_capture_on_commit_callbacks(execute=True):
        approve(match, actor=committee)
    return Match.objects.get(pk=match.pk)


def inspect(client, user, model: str, pk: int) -> str:
    client.force_login(user)
    response = client.get(f"/admin/wagtail_mentoring/{model}/inspect/{pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_match_page_shows_explanation_timeline_and_emails(client, committee, match):
    assert match.explanation and match.events.exists() and match.emails.exists()
    page = inspect(client, committee, "match", match.pk)
    assert shows(
        page, section("Why this pair", f"{INCLUDES}/explanation.html", {"parts": match.explanation})
    )
    assert shows(
        page,
        section(
            "Timeline",
            f"{INCLUDES}/timeline.html",
            {"events": match.events.select_related("actor")},
        ),
    )
    assert shows(
        page,
        section(
            "Emails", f"{INCLUDES}/emails.html", {"emails": match.emails.prefetch_related("events")}
        ),
    )
    # In the order the admin lists them: explanation first, emails last.
    assert (
        page.index(">Why this pair</dt>")
        < page.index(">Timeline</dt>")
        < page.index(">Emails</dt>")
    )


def test_the_application_page_shows_history_and_emails(
    client, committee, match, django_capture_on_commit_callbacks
):
    application = Application.objects.get(pk=match.mentee_id)
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(
            "application_received", [application.contact_email], key="k", application=application
        )
    assert application.events.exists() and application.emails.exists()
    page = inspect(client, committee, "application", application.pk)
    assert shows(
        page,
        section(
            "History",
            f"{INCLUDES}/timeline.html",
            {"events": application.events.select_related("actor")},
        ),
    )
    assert shows(
        page,
        section(
            "Emails",
            f"{INCLUDES}/emails.html",
            {"emails": application.emails.prefetch_related("events")},
        ),
    )


def test_the_email_page_shows_its_history(client, committee, match):
    email = SentEmail.objects.filter(match=match).first()
    page = inspect(client, committee, "sentemail", email.pk)
    assert shows(
        page, section("History", f"{INCLUDES}/timeline.html", {"events": email.timeline()})
    )
    assert "Back to emails" in page


def test_the_survey_response_page_shows_the_answers(client, committee, match, program_page):
    from wagtail_mentoring.models import SurveyPage

    survey_page = SurveyPage(title="Pairing fit", slug="pairing-fit")
    program_page.add_child(instance=survey_page)
    survey_round = SurveyRound.objects.create(
        cycle=match.cycle, page=survey_page, name="Pairing fit", months_after_start=1
    )
    answers = {
        "how_satisfied_are_you": {"label": "How satisfied are you?", "value": "4"},
        "is_this_pairing_a_good_fit": {"label": "A good fit?", "value": "Yes & more"},
    }
    response = SurveyResponse.objects.create(
        match=match, round=survey_round, role="mentee", answers=answers
    )
    page = inspect(client, committee, "surveyresponse", response.pk)
    assert shows(page, section("Answers", f"{INCLUDES}/answers.html", {"answers": answers}))
    assert "Yes &amp; more" in page


@pytest.mark.parametrize("model", ["match", "application", "sentemail"])
def test_the_sections_are_for_the_committee_only(client, make_user, match, model):
    row = {
        "match": match,
        "application": Application.objects.get(pk=match.mentee_id),
        "sentemail": SentEmail.objects.filter(match=match).first(),
    }[model]
    editor = make_user(member=False, is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    response = client.get(f"/admin/wagtail_mentoring/{model}/inspect/{row.pk}/")
    assert response.status_code == 403
    assert b">Timeline</dt>" not in response.content and b">History</dt>" not in response.content
