"""Survey pages, personal links, the schedule's invitations and reminders, privacy."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest
from bs4 import BeautifulSoup
from django.core import mail, signing
from django.db import connection
from django.utils import timezone

from wagtail_mentoring.dates import add_months
from wagtail_mentoring.matching.lifecycle import approve, propose
from wagtail_mentoring.models import (
    Match,
    SentEmail,
    SurveyFormField,
    SurveyPage,
    SurveyResponse,
    SurveyRound,
)
from wagtail_mentoring.models.surveys import make_token
from wagtail_mentoring.schedule import run_schedule


@pytest.fixture
def survey_page(program_page):
    page = SurveyPage(title="Pairing fit", slug="pairing-fit")
    program_page.add_child(instance=page)
    SurveyFormField.objects.create(
        page=page, sort_order=0, label="How satisfied are you?", field_type="rating", required=True
    )
    SurveyFormField.objects.create(
        page=page,
        sort_order=1,
        label="Is this pairing a good fit?",
        field_type="radio",
        choices="Yes\nNo",
        required=True,
        flag_answer="No",
    )
    SurveyFormField.objects.create(
        page=page, sort_order=2, label="Anything else?", field_type="multiline", required=False
    )
    page.save_revision().publish()
    return SurveyPage.objects.get(pk=page.pk)


@pytest.fixture
def match(make_application, make_user, django_capture_on_commit_callbacks):
    mentor = make_application("mentor", capacity=1, user=make_user(first_name="Ben"))
    mentee = make_application("mentee", user=make_user(first_name="Amara"))
    start = add_months(timezone.localdate(), -1) - datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        match = propose(mentee, mentor)
        approve(match, start_date=start)
    return Match.objects.get(pk=match.pk)


@pytest.fixture
def survey_round(match, survey_page):
    return SurveyRound.objects.create(
        cycle=match.cycle,
        name="Pairing fit",
        page=survey_page,
        months_after_start=1,
        remind_after_days=7,
        max_reminders=2,
        link_valid_days=60,
    )


def run(capture, today=None):
    with capture(execute=True):
        return run_schedule(today)


def survey_link(to: str) -> str:
    """The personal link in the survey invitation sent to ``to``."""
    (message,) = [
        m for m in mail.outbox if m.to == [to] and m.subject.startswith("How is your mentoring")
    ]
    link = re.search(r"http://\S+\?t=\S+", message.body).group(0)
    # Under the base URL (tests/settings.py), not the test Site's "localhost".
    assert link.startswith("http://testserver/"), link
    return link.removeprefix("http://testserver")


def test_invitations_go_once_and_reminders_stop_at_the_maximum(
    survey_round, match, django_capture_on_commit_callbacks, monkeypatch
):
    mail.outbox = []
    start = timezone.now()
    clock = {"now": start}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])

    def run_after(delta):
        clock["now"] = start + delta
        return run(django_capture_on_commit_callbacks)

    summary = run(django_capture_on_commit_callbacks)
    invitations = [m for m in mail.outbox if m.subject.startswith("How is your mentoring going?")]
    assert summary.surveys == 2 and len(invitations) == 2
    assert all("?t=" in m.body for m in invitations)
    assert run(django_capture_on_commit_callbacks).surveys == 0

    week = datetime.timedelta(days=7)
    assert run_after(week - datetime.timedelta(days=1)).reminders == 0
    assert run_after(week).reminders == 2
    assert run_after(week + datetime.timedelta(hours=1)).reminders == 0
    assert run_after(2 * week).reminders == 2
    assert run_after(5 * week).reminders == 0  # at most 2
    keys = sorted(
        SentEmail.objects.filter(kind="survey_reminder").values_list("idempotency_key", flat=True)
    )
    assert keys == sorted(
        f"match-{match.pk}-survey-{survey_round.pk}-{role}-reminder-{n}"
        for role in ("mentor", "mentee")
        for n in (1, 2)
    )


def test_a_person_who_answered_gets_no_reminder(
    client, survey_round, match, django_capture_on_commit_callbacks, monkeypatch
):
    mail.outbox = []
    run(django_capture_on_commit_callbacks)
    response = client.post(
        survey_link(match.mentee.contact_email),
        {"how_satisfied_are_you": "4", "is_this_pairing_a_good_fit": "Yes"},
    )
    assert response.status_code == 200
    week_on = timezone.now() + datetime.timedelta(days=7)
    monkeypatch.setattr(timezone, "now", lambda: week_on)
    summary = run(django_capture_on_commit_callbacks)
    assert summary.reminders == 1
    reminder = SentEmail.objects.get(kind="survey_reminder")
    assert reminder.to == match.mentor.contact_email


def test_a_member_answers_through_the_personal_link_once(
    client, survey_round, match, django_capture_on_commit_callbacks
):
    mail.outbox = []
    run(django_capture_on_commit_callbacks)
    link = survey_link(match.mentee.contact_email)
    page = client.get(link)  # no login needed: the link is the credential
    assert page.status_code == 200
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.select_one("[data-mentoring-mode=form]")
    assert len(soup.select("input[name=how_satisfied_are_you]")) == 5

    missing = client.post(link, {"anything_else": "hi"})
    assert missing.status_code == 400 and not SurveyResponse.objects.exists()

    data = {
        "how_satisfied_are_you": "5",
        "is_this_pairing_a_good_fit": "Yes",
        "anything_else": "Going well.",
    }
    thanks = client.post(link, data)
    assert b'data-mentoring-mode="thanks"' in thanks.content
    response = SurveyResponse.objects.get()
    assert (response.match, response.round, response.role) == (match, survey_round, "mentee")
    assert response.respondent == match.mentee.user
    assert response.answers["how_satisfied_are_you"]["value"] == 5
    assert response.answers["anything_else"]["value"] == "Going well."

    again = client.post(link, data)
    assert again.status_code == 409 and b"already answered" in again.content
    assert SurveyResponse.objects.count() == 1
    match.refresh_from_db()
    assert match.flag_reason == ""


def test_not_a_good_fit_flags_the_match(client, survey_round, match):
    link = f"{survey_round.page.url}?t={make_token(match, survey_round, 'mentor')}"
    client.post(link, {"how_satisfied_are_you": "2", "is_this_pairing_a_good_fit": "No"})
    match.refresh_from_db()
    assert match.flag_reason == 'The mentor answered "No" to "Is this pairing a good fit?".'
    assert match.events.filter(action="flagged").exists()


def test_tampered_expired_and_missing_links_get_a_clear_page(
    client, survey_round, match, monkeypatch
):
    url = survey_round.page.url
    good = make_token(match, survey_round, "mentee")
    tampered = good[:-3] + ("abc" if good[-3:] != "abc" else "abd")
    response = client.get(f"{url}?t={tampered}")
    assert response.status_code == 400 and b"not valid" in response.content
    # A token for another role, made without the secret, is refused too.
    forged = signing.dumps([match.pk, survey_round.pk, "mentor"], salt="wrong", compress=True)
    assert client.get(f"{url}?t={forged}").status_code == 400
    missing = client.get(url)
    assert missing.status_code == 400 and b"personal link in the survey email" in missing.content

    long_ago = timezone.now().timestamp() - 61 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: long_ago)
    old = make_token(match, survey_round, "mentee")
    monkeypatch.undo()
    expired = client.get(f"{url}?t={old}")
    assert expired.status_code == 410 and b"expired" in expired.content
    assert not SurveyResponse.objects.exists()


def test_a_link_for_another_survey_page_is_refused(client, survey_round, match, program_page):
    other = SurveyPage(title="Mid-point", slug="mid-point")
    program_page.add_child(instance=other)
    token = make_token(match, survey_round, "mentee")
    assert client.get(f"{other.url}?t={token}").status_code == 400


def test_responses_are_for_the_committee_only(client, survey_round, match, make_user):
    from django.contrib.auth.models import Permission

    link = f"{survey_round.page.url}?t={make_token(match, survey_round, 'mentee')}"
    client.post(link, {"how_satisfied_are_you": "3", "is_this_pairing_a_good_fit": "Yes"})
    response = SurveyResponse.objects.get()
    inspect = f"/admin/wagtail_mentoring/surveyresponse/inspect/{response.pk}/"

    editor = make_user(is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin"]))
    client.force_login(editor)
    assert client.get("/admin/wagtail_mentoring/surveyresponse/").status_code == 403
    assert client.get(inspect).status_code == 403
    # Wagtail's form submissions never list survey pages.
    submissions = client.get("/admin/forms/")
    assert b"Pairing fit" not in submissions.content

    # The mentor of the pair, logged in, has no way to the answers either.
    client.force_login(match.mentor.user)
    assert client.get(inspect).status_code in (302, 403)

    chair = make_user(member=False, is_superuser=True, is_staff=True)
    client.force_login(chair)
    page = client.get(inspect)
    assert page.status_code == 200 and b"How satisfied are you?" in page.content


def test_the_final_survey_goes_out_when_the_match_completes(
    survey_page, make_application, make_user, django_capture_on_commit_callbacks
):
    mentor = make_application("mentor", capacity=1, user=make_user())
    mentee = make_application("mentee", user=make_user())
    with django_capture_on_commit_callbacks(execute=True):
        match = propose(mentee, mentor)
        approve(match, start_date=add_months(timezone.localdate(), -mentor.cycle.commitment_months))
    SurveyRound.objects.create(cycle=mentor.cycle, name="Final", page=survey_page)
    summary = run(django_capture_on_commit_callbacks)
    assert (summary.completed, summary.surveys) == (1, 2)


def test_a_cycle_gets_the_default_survey_rounds_from_its_form(client, survey_page, make_user):
    from wagtail_mentoring.models import Cycle

    chair = make_user(member=False, is_superuser=True, is_staff=True)
    client.force_login(chair)
    response = client.post(
        "/admin/wagtail_mentoring/cycle/create/",
        {
            "program_page": str(survey_page.get_parent().pk),
            "name": "2028 cycle",
            "applications_open": "2028-02-01 09:00",
            "applications_close": "2028-03-01 17:00",
            "pairing_start": "2028-05-01",
            "commitment_months": "10",
            "checkin_every_months": "1",
            "consent": "mentor",
            "consent_days": "7",
            "consent_reminder_days": "3",
            "default_survey": str(survey_page.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cycle = Cycle.objects.get(name="2028 cycle")
    rounds = list(SurveyRound.objects.filter(cycle=cycle).order_by("pk"))
    assert [(r.name, r.months_after_start, r.page_id) for r in rounds] == [
        ("Pairing fit", 1, survey_page.pk),
        ("Mid-point", 5, survey_page.pk),
        ("End of mentoring", None, survey_page.pk),
    ]
    assert SurveyRound.add_defaults(cycle, survey_page) == []  # only once


def test_overdue_reminders_never_come_back_to_back(survey_round, match, monkeypatch):
    """The schedule runs every few hours; for a month it did not run at all. However
    overdue, each person gets at most one reminder per round in any ``remind_after_days``
    consecutive days, and still gets every reminder in the end."""
    survey_round.max_reminders = 3
    survey_round.save()
    clock = {"now": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])

    def run_every(hours: int, days: int) -> None:
        for _ in range(days * 24 // hours):
            run_schedule()
            clock["now"] += datetime.timedelta(hours=hours)

    run_schedule()  # the invitations
    assert SentEmail.objects.filter(kind="survey_invitation").count() == 2
    clock["now"] += datetime.timedelta(days=30)  # the schedule did not run for a month
    run_every(hours=1, days=1)  # reminders 1 and 2 are both overdue now
    run_every(hours=6, days=20)

    window = datetime.timedelta(days=survey_round.remind_after_days)
    for person in (match.mentor.contact_email, match.mentee.contact_email):
        days = [
            timezone.localdate(created)
            for created in SentEmail.objects.filter(kind="survey_reminder", to=person)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        ]
        assert len(days) == 3, person  # all of them, in the end
        assert min(b - a for a, b in itertools.pairwise(days)) >= window, (person, days)
        # The first one goes on the first run after the gap: overdue, not forgotten.
        invited = SentEmail.objects.get(kind="survey_invitation", to=person).created_at
        assert days[0] == timezone.localdate(invited + datetime.timedelta(days=30))


def test_a_round_reminding_every_day_reminds_once_a_day(survey_round, match, monkeypatch):
    survey_round.remind_after_days = 0
    survey_round.max_reminders = 3
    survey_round.save()
    clock = {"now": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    run_schedule()
    for _ in range(12):
        run_schedule()
        clock["now"] += datetime.timedelta(hours=1)
    reminders = SentEmail.objects.filter(kind="survey_reminder", to=match.mentee.contact_email)
    assert reminders.count() <= 2  # the twelve hours span at most two local dates
    dates = [timezone.localdate(at) for at in reminders.values_list("created_at", flat=True)]
    assert len(set(dates)) == len(dates)


# -- links of matches that did not go on ------------------------------------------------


ANSWERS = {"how_satisfied_are_you": "4", "is_this_pairing_a_good_fit": "Yes"}


def assert_closed(client, link: str) -> None:
    """The link answers "this survey is closed", in the site's base template, and takes
    no answer."""
    page = client.get(link)
    assert page.status_code == 410
    soup = BeautifulSoup(page.content, "html.parser")
    closed = soup.select_one("main#test-base [data-mentoring-mode=closed]")
    assert closed is not None and "This survey is closed" in closed.text
    assert not soup.select("form input[name=how_satisfied_are_you]")
    posted = client.post(link, ANSWERS)
    assert posted.status_code == 410 and b"This survey is closed" in posted.content
    assert not SurveyResponse.objects.exists()


def test_a_link_of_a_match_ended_early_is_closed(
    client, survey_round, match, django_capture_on_commit_callbacks
):
    from wagtail_mentoring.matching.lifecycle import end_early

    mail.outbox = []
    run(django_capture_on_commit_callbacks)
    link = survey_link(match.mentee.contact_email)
    assert client.get(link).status_code == 200  # open while the match is active
    surveys = SentEmail.objects.filter(match=match, kind__startswith="survey_")
    before = set(surveys.values_list("idempotency_key", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        end_early(match, reason="The mentee moved abroad.")
    run(django_capture_on_commit_callbacks, timezone.localdate() + datetime.timedelta(days=7))
    # Ending early sends no survey of its own (and no reminder): every link closes.
    assert set(surveys.values_list("idempotency_key", flat=True)) == before
    assert_closed(client, link)
    assert_closed(client, f"{survey_round.page.url}?t={make_token(match, survey_round, 'mentor')}")


def test_a_link_of_a_rejected_proposal_is_closed(client, survey_round, make_application, make_user):
    from wagtail_mentoring.matching.lifecycle import reject

    mentor = make_application("mentor", capacity=1, user=make_user())
    mentee = make_application("mentee", user=make_user())
    proposal = propose(mentee, mentor)
    reject(proposal, reason="Same library.")
    assert_closed(
        client, f"{survey_round.page.url}?t={make_token(proposal, survey_round, 'mentee')}"
    )


def test_a_link_of_a_withdrawn_application_is_closed(
    client, survey_round, make_application, make_user
):
    from wagtail_mentoring.applications import withdraw_application

    mentor = make_application("mentor", capacity=1, user=make_user())
    mentee = make_application("mentee", user=make_user())
    proposal = propose(mentee, mentor)
    withdraw_application(mentee, reason="A new job.")
    for role in ("mentor", "mentee"):
        assert_closed(
            client, f"{survey_round.page.url}?t={make_token(proposal, survey_round, role)}"
        )


def test_an_active_match_with_a_withdrawn_application_is_closed(client, survey_round, match):
    from wagtail_mentoring.models import Application, ApplicationStatus

    link = f"{survey_round.page.url}?t={make_token(match, survey_round, 'mentor')}"
    assert client.get(link).status_code == 200
    Application.objects.filter(pk=match.mentee_id).update(status=ApplicationStatus.WITHDRAWN)
    assert_closed(client, link)


def test_a_completed_match_still_answers_its_final_survey(
    client, survey_round, match, django_capture_on_commit_callbacks
):
    from wagtail_mentoring.matching.lifecycle import complete

    with django_capture_on_commit_callbacks(execute=True):
        complete(match)
    link = f"{survey_round.page.url}?t={make_token(match, survey_round, 'mentee')}"
    assert client.get(link).status_code == 200
    assert client.post(link, ANSWERS).status_code == 200
    assert SurveyResponse.objects.get().match == match


def test_the_closed_page_uses_the_configured_base_template(client, survey_round, match, settings):
    from wagtail_mentoring.matching.lifecycle import end_early

    end_early(match, reason="Moved away.")
    settings.WAGTAIL_MENTORING_BASE_TEMPLATE = "alt_base.html"
    page = client.get(f"{survey_round.page.url}?t={make_token(match, survey_round, 'mentee')}")
    assert page.status_code == 410
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.select_one("#alt-base [data-mentoring-mode=closed]")


# -- running twice: nothing new ----------------------------------------------------------


def _local(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def reminders_to(person: str) -> list[str]:
    return sorted(
        SentEmail.objects.filter(kind="survey_reminder", to=person).values_list(
            "idempotency_key", flat=True
        )
    )


@pytest.mark.parametrize("remind_after_days", [0, 1, 7])
def test_two_runs_minutes_apart_across_midnight_send_one_reminder(
    survey_round, match, monkeypatch, remind_after_days
):
    """The "Pairing fit" reminder is overdue; one run at 23:58 and the next at 00:03
    (another local date) remind each person once, not twice five minutes apart."""
    survey_round.remind_after_days = remind_after_days
    survey_round.max_reminders = 3
    survey_round.save()
    clock = {"now": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    run_schedule()  # the invitations
    late = timezone.localdate() + datetime.timedelta(days=20)
    clock["now"] = _local(late, 23, 58)
    assert run_schedule().reminders == 2
    clock["now"] += datetime.timedelta(minutes=5)
    assert timezone.localdate() == late + datetime.timedelta(days=1)
    summary = run_schedule()
    assert (summary.reminders, summary.surveys) == (0, 0)
    for person in (match.mentor.contact_email, match.mentee.contact_email):
        assert len(reminders_to(person)) == 1


def test_a_run_for_a_later_date_minutes_later_sends_no_second_reminder(
    survey_round, match, monkeypatch
):
    """``mentoring_run_schedule`` and, minutes later, ``--date`` a week on: the second
    run acts for another date, but the people got their reminder minutes ago."""
    from django.core.management import call_command

    clock = {"now": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    call_command("mentoring_run_schedule", verbosity=0)
    clock["now"] += datetime.timedelta(days=8)
    call_command("mentoring_run_schedule", verbosity=0)
    assert SentEmail.objects.filter(kind="survey_reminder").count() == 2
    clock["now"] += datetime.timedelta(minutes=5)
    later = timezone.localdate() + datetime.timedelta(days=7)
    call_command("mentoring_run_schedule", "--date", later.isoformat(), verbosity=0)
    assert SentEmail.objects.filter(kind="survey_reminder").count() == 2
    # A week on, for real: the second reminder goes.
    clock["now"] += datetime.timedelta(days=7)
    call_command("mentoring_run_schedule", verbosity=0)
    for person in (match.mentor.contact_email, match.mentee.contact_email):
        assert len(reminders_to(person)) == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two workers at once are proved on PostgreSQL: run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_two_schedule_workers_at_once_queue_each_email_once(survey_round, match, monkeypatch):
    """Two workers run the schedule at the same moment: invitations, then (a week and a
    day later) reminders and check-ins, each once."""
    from tests.test_concurrency import _in_parallel

    clock = {"now": timezone.now()}
    ticks = itertools.count()
    # A clock that moves (a microsecond a reading), as a real one does between workers.
    monkeypatch.setattr(
        timezone, "now", lambda: clock["now"] + datetime.timedelta(microseconds=next(ticks))
    )
    _in_parallel([run_schedule, run_schedule])
    assert SentEmail.objects.filter(kind="survey_invitation").count() == 2
    clock["now"] += datetime.timedelta(days=8)
    summaries = _in_parallel([run_schedule, run_schedule])
    assert sum(summary.reminders for summary in summaries) == 2
    keys = list(SentEmail.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys))
    assert SentEmail.objects.filter(kind="survey_reminder").count() == 2
    assert SentEmail.objects.filter(kind="check_in", match=match).count() == 2
