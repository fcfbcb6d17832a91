"""Every value the committee reads in the admin is its human label, not a stored code:
list columns and filters, inspect pages and spreadsheet exports."""

from __future__ import annotations

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from wagtail_mentoring.emails.outbox import queue_email
from wagtail_mentoring.matching.lifecycle import approve, end_early, propose
from wagtail_mentoring.models import Application, Match, SurveyResponse
from wagtail_mentoring.models.surveys import SurveyRound

REGIONS = [("north-coast", "North Coast"), ("inland", "Inland")]
SUBMITTED = datetime.datetime(2026, 12, 2, 6, 22, 13, 123456, tzinfo=datetime.UTC)


@pytest.fixture
def committee(make_user):
    return make_user(username="chair", member=False, is_superuser=True, is_staff=True)


@pytest.fixture
def regions(settings):
    settings.WAGTAIL_MENTORING_REGIONS = REGIONS


@pytest.fixture
def match(make_application, make_user, committee, regions, django_capture_on_commit_callbacks):
    mentor = make_application(
        "mentor", capacity=2, user=make_user(first_name="Ben"), region="north-coast"
    )
    mentee = make_application(
        "mentee",
        user=make_user(first_name="Amara"),
        region="inland",
        sector="education",
        commitment_consent=True,
    )
    Application.objects.filter(pk=mentee.pk).update(submitted_at=SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        match = propose(mentee, mentor, actor=committee, score=3, explanation=[])
    with django_capture_on_commit_callbacks(execute=True):
        approve(match, actor=committee)
    with django_capture_on_commit_callbacks(execute=True):
        queue_email("application_received", [mentee.contact_email], key="k", application=mentee)
    return Match.objects.get(pk=match.pk)


def get(client, user, path: str) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else (response.content.decode())
    )


def export(client, user, model: str) -> list[dict]:
    text = get(client, user, f"/admin/wagtail_mentoring/{model}/?export=csv")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_outbox_filters_by_each_kinds_label(client, committee, match):
    page = get(client, committee, "/admin/wagtail_mentoring/sentemail/")
    assert "Application received" in page
    assert ">application_received<" not in page
    assert ">match_introduction<" not in page


def test_regions_show_their_labels_in_the_list_filter_and_inspect(client, committee, match):
    page = get(client, committee, "/admin/wagtail_mentoring/application/")
    assert "North Coast" in page and "Inland" in page
    assert ">north-coast<" not in page and "north-coast</td>" not in page
    inspect = get(
        client, committee, f"/admin/wagtail_mentoring/application/inspect/{match.mentee_id}/"
    )
    assert "Inland" in inspect and ">inland<" not in inspect


def test_the_survey_responses_list_shows_the_role_label(client, committee, match, program_page):
    from wagtail_mentoring.models import SurveyPage

    survey_page = SurveyPage(title="Pairing fit", slug="pairing-fit")
    program_page.add_child(instance=survey_page)
    survey_round = SurveyRound.objects.create(
        cycle=match.cycle, page=survey_page, name="Pairing fit", months_after_start=1
    )
    SurveyResponse.objects.create(match=match, round=survey_round, role="mentee", answers={})
    page = get(client, committee, "/admin/wagtail_mentoring/surveyresponse/")
    assert "Mentee" in page
    assert ">mentee<" not in page and "mentee</td>" not in page


def test_the_timeline_names_the_statuses(client, committee, match):
    end_early(match, "Moved abroad", actor=committee)
    page = get(client, committee, f"/admin/wagtail_mentoring/match/inspect/{match.pk}/")
    assert "(Approved and introduced → Ended early)" in page
    assert "ended_early" not in page


def test_inspect_pages_say_yes_or_no(client, committee, match):
    page = get(client, committee, f"/admin/wagtail_mentoring/match/inspect/{match.pk}/")
    assert "False" not in page.split('class="fields"', 1)[-1]
    application = get(
        client, committee, f"/admin/wagtail_mentoring/application/inspect/{match.mentee_id}/"
    )
    fields = application.split("<dl", 1)[-1]
    assert "True" not in fields and "False" not in fields
    assert "Yes" in fields and "No" in fields


def test_the_inspect_page_names_the_mentors_activities(client, committee, match):
    Application.objects.filter(pk=match.mentor_id).update(
        conference_activities=["speed_mentoring", "resume_review"]
    )
    mentor = get(
        client, committee, f"/admin/wagtail_mentoring/application/inspect/{match.mentor_id}/"
    )
    assert "Speed mentoring, CV and résumé review" in mentor
    assert "[" not in mentor.split("<dl", 1)[-1].split("</dl>", 1)[0]
    mentee = get(
        client, committee, f"/admin/wagtail_mentoring/application/inspect/{match.mentee_id}/"
    )
    assert "[]" not in mentee


def test_the_applications_export_is_in_words(client, committee, match):
    rows = export(client, committee, "application")
    mentee = next(row for row in rows if row["Application id"] == str(match.mentee_id))
    assert mentee["Role"] == "Mentee"
    assert mentee["Status"] == "Matched" or mentee["Status"] == str(
        Application.objects.get(pk=match.mentee_id).get_status_display()
    )
    assert mentee["Sector"] == "Education and research"
    assert mentee["Region"] == "Inland"
    assert mentee["Career stage"] == "Student"
    # Sydney time, the locale's format, no microseconds.
    local = SUBMITTED.astimezone(ZoneInfo("Australia/Sydney"))
    assert local.hour == 17
    assert mentee["Submitted at"] == "Dec. 2, 2026, 5:22 p.m."
    assert "123456" not in ",".join(mentee.values())


def test_the_matches_export_headings_capitalise_only_the_first_letter(client, committee, match):
    text = get(client, committee, "/admin/wagtail_mentoring/match/?export=csv")
    heading = text.splitlines()[0]
    assert "Needs the committee's attention because" in heading
    assert "Committee'S" not in heading
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["Status"] == "Approved and introduced"
    assert row["Cycle"] == str(match.cycle)


def test_the_emails_export_names_the_kind(client, committee, match):
    rows = export(client, committee, "sentemail")
    assert any(row["Kind"].startswith("Application received") for row in rows)
    assert not any(row["Kind"] == "application_received" for row in rows)
    assert all(row["Status"] in {"Queued", "Sent", "Sending"} for row in rows)
    assert all("+00:00" not in row["Queued at"] for row in rows)


def test_the_inspect_page_shows_local_times(client, committee, match):
    page = get(
        client, committee, f"/admin/wagtail_mentoring/application/inspect/{match.mentee_id}/"
    )
    assert "Dec. 2, 2026, 5:22 p.m." in page
    assert timezone.now().year >= 2026


def test_email_histories_name_each_step(client, committee, match):
    from wagtail_mentoring.models import SentEmail

    email = SentEmail.objects.filter(match=match).first()
    email.events.create(action="delivered", recipient=email.to)
    email.events.create(action="will retry", note="attempt 1: timed out")
    page = get(client, committee, f"/admin/wagtail_mentoring/sentemail/inspect/{email.pk}/")
    history = page.split('class="mentoring-timeline"', 1)[1].split("</ol>", 1)[0]
    assert ": Queued" in history and ": Sent" in history and ": Delivered" in history
    assert "Will be tried again: attempt 1: timed out" in history
    inspect = get(client, committee, f"/admin/wagtail_mentoring/match/inspect/{match.pk}/")
    emails = inspect.split('class="listing mentoring-emails"', 1)[1].split("</table>", 1)[0]
    assert ": Queued" in emails and ": Delivered (" in emails
    assert ": queued" not in emails and ": delivered" not in emails


def test_inspect_labels_start_with_a_capital(client, committee, match):
    page = get(client, committee, f"/admin/wagtail_mentoring/match/inspect/{match.pk}/")
    assert ">Pinned</dt>" in page and ">Proposed at</dt>" in page
    assert ">pinned</dt>" not in page
