"""The schedule: check-ins, starts, completion and the alumni group, lapse flags."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone, translation

from wagtail_mentoring.dates import add_months
from wagtail_mentoring.matching.lifecycle import approve, propose
from wagtail_mentoring.models import Match, MatchStatus, SentEmail
from wagtail_mentoring.schedule import ALUMNI_GROUP, checkin_due, months_elapsed, run_schedule

D = datetime.date


@pytest.mark.parametrize(
    ("start", "today", "months"),
    [
        (D(2027, 1, 31), D(2027, 2, 27), 0),
        (D(2027, 1, 31), D(2027, 2, 28), 1),  # the month end clamps
        (D(2028, 1, 31), D(2028, 2, 29), 1),  # leap year
        (D(2027, 3, 15), D(2027, 3, 14), 0),  # before the start
        (D(2027, 3, 15), D(2028, 3, 15), 12),
        (D(2027, 12, 1), D(2028, 1, 31), 1),  # over the year end
    ],
)
def test_months_elapsed(start, today, months):
    assert months_elapsed(start, today) == months


@pytest.mark.parametrize(
    ("start", "end", "today", "every", "due"),
    [
        (D(2027, 4, 1), D(2027, 10, 1), D(2027, 4, 30), 1, None),
        (D(2027, 4, 1), D(2027, 10, 1), D(2027, 5, 1), 1, 1),
        (D(2027, 4, 1), D(2027, 10, 1), D(2027, 7, 20), 1, 3),  # missed runs: the latest only
        (D(2027, 4, 1), D(2027, 10, 1), D(2027, 7, 20), 2, 2),
        (D(2027, 4, 1), D(2027, 10, 1), D(2027, 10, 1), 1, 5),  # never on the end date
        (D(2027, 4, 1), D(2027, 10, 1), D(2027, 9, 1), 0, None),  # check-ins off
        (D(2027, 1, 31), D(2027, 7, 31), D(2027, 2, 28), 1, 1),
        (None, None, D(2027, 9, 1), 1, None),
    ],
)
def test_checkin_due(start, end, today, every, due):
    assert checkin_due(start, end, today, every) == due


FRENCH = Path(__file__).resolve().parent / "matching" / "locale"


@pytest.fixture
def active_match(make_application, make_user, django_capture_on_commit_callbacks):
    """An approved match that started two months and ten days ago."""

    def make(start=None, **cycle_fields):
        mentor = make_application(
            "mentor", capacity=2, user=make_user(first_name="Ben", last_name="Hughes")
        )
        mentee = make_application("mentee", user=make_user(first_name="Amara", last_name="Okafor"))
        if cycle_fields:
            type(mentor.cycle).objects.filter(pk=mentor.cycle_id).update(**cycle_fields)
        start = start or add_months(timezone.localdate(), -2) - datetime.timedelta(days=10)
        with django_capture_on_commit_callbacks(execute=True):
            match = propose(mentee, mentor)
            approve(match, start_date=start)
        mail.outbox = []
        return Match.objects.get(pk=match.pk)

    return make


def run(today=None, capture=None):
    with capture(execute=True):
        return run_schedule(today)


def test_a_match_starts_and_gets_its_latest_check_in_once(
    active_match, django_capture_on_commit_callbacks
):
    match = active_match()
    assert match.status == MatchStatus.APPROVED
    summary = run(capture=django_capture_on_commit_callbacks)
    match.refresh_from_db()
    assert match.status == MatchStatus.ACTIVE
    assert (summary.started, summary.checkins) == (1, 2)
    assert sorted(m.subject for m in mail.outbox) == [
        "Staying in touch with Amara Okafor",
        "Staying in touch with Ben Hughes",
    ]
    assert "has run for 2 months" in mail.outbox[0].body
    assert set(
        SentEmail.objects.values_list("idempotency_key", flat=True).filter(kind="check_in")
    ) == {
        f"match-{match.pk}-checkin-2-mentor",
        f"match-{match.pk}-checkin-2-mentee",
    }
    # Running again, the same day or an hour later, sends nothing new.
    again = run(capture=django_capture_on_commit_callbacks)
    assert (again.started, again.checkins) == (0, 0)
    assert len(mail.outbox) == 2
    assert [e.action for e in match.events.all()] == ["proposed", "approved", "started"]


def test_no_check_ins_when_the_cycle_turns_them_off(
    active_match, django_capture_on_commit_callbacks
):
    active_match(checkin_every_months=0)
    summary = run(capture=django_capture_on_commit_callbacks)
    assert summary.checkins == 0 and mail.outbox == []


def test_the_schedule_uses_the_sites_local_date(monkeypatch, active_match, settings):
    """Sydney is UTC+11 in March: 13:30 UTC on 31 March is already 1 April there."""
    settings.TIME_ZONE = "Australia/Sydney"
    match = active_match(start=D(2027, 3, 1))
    instant = datetime.datetime(2027, 3, 31, 13, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    assert timezone.localdate() == D(2027, 4, 1)
    summary = run_schedule()
    assert summary.today == D(2027, 4, 1) and summary.checkins == 2
    assert SentEmail.objects.filter(idempotency_key=f"match-{match.pk}-checkin-1-mentee").exists()


def test_the_daylight_saving_change_does_not_shift_the_date(monkeypatch, active_match, settings):
    """Sydney leaves daylight saving at 03:00 on 4 April 2027 (UTC+11 to UTC+10)."""
    settings.TIME_ZONE = "Australia/Sydney"
    active_match(start=D(2027, 3, 4))
    before = datetime.datetime(2027, 4, 3, 13, 30, tzinfo=datetime.UTC)  # 00:30 AEDT
    after = datetime.datetime(2027, 4, 4, 13, 30, tzinfo=datetime.UTC)  # 23:30 AEST
    for instant in (before, after):
        monkeypatch.setattr(timezone, "now", lambda instant=instant: instant)
        assert run_schedule().today == D(2027, 4, 4)
    assert SentEmail.objects.filter(kind="check_in").count() == 2


def test_a_match_completes_at_its_end_date_and_both_join_the_alumni(
    active_match, django_capture_on_commit_callbacks
):
    match = active_match(start=add_months(timezone.localdate(), -24))
    assert match.end_date <= timezone.localdate()
    summary = run(capture=django_capture_on_commit_callbacks)
    match.refresh_from_db()
    assert match.status == MatchStatus.COMPLETED and summary.completed == 1
    assert summary.checkins == 0  # a completed match gets no check-in
    completed = [m for m in mail.outbox if "is complete" in m.subject]
    assert len(completed) == 2
    alumni = Group.objects.get(name=ALUMNI_GROUP)
    assert set(alumni.user_set.all()) == {match.mentor.user, match.mentee.user}
    assert run(capture=django_capture_on_commit_callbacks).completed == 0
    assert len([m for m in mail.outbox if "is complete" in m.subject]) == 2


def test_a_lapsed_membership_flags_the_match_without_ending_it(
    active_match, django_capture_on_commit_callbacks
):
    match = active_match()
    match.mentee.user.groups.clear()
    summary = run(capture=django_capture_on_commit_callbacks)
    match.refresh_from_db()
    assert match.status == MatchStatus.ACTIVE and summary.flagged == 1
    assert match.flag_reason.startswith("The mentee's membership is") and match.flagged_at
    assert run(capture=django_capture_on_commit_callbacks).flagged == 0
    assert match.events.filter(action="flagged").count() == 1


@override_settings(LOCALE_PATHS=[str(FRENCH)])
def test_a_flag_is_stored_as_codes_and_shown_in_the_readers_language(
    active_match, django_capture_on_commit_callbacks
):
    match = active_match()
    match.mentee.user.groups.clear()
    with translation.override("fr"):  # the language of the run changes nothing stored
        run(capture=django_capture_on_commit_callbacks)
    match.refresh_from_db()
    assert (match.flag_cause, match.flag_params) == (
        "membership",
        {"role": "mentee", "state": "none"},
    )
    assert match.flag_reason == "The mentee's membership is not a member."
    with translation.override("fr"):
        assert match.flag_reason == "L'adhésion du mentoré est : non membre."
        assert "non membre" in match.events.get(action="flagged").describe()


def test_the_command_prints_a_summary(active_match, django_capture_on_commit_callbacks):
    active_match()
    out, err = io.StringIO(), io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("mentoring_run_schedule", stdout=out, stderr=err)
    text = out.getvalue()
    assert "1 match started" in text and "2 check-in emails queued" in text
    assert "active matches [##############################] 1/1" in err.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("mentoring_run_schedule", date="31/03/2027")


def test_the_committee_ends_a_match_early_with_a_reason(
    client, active_match, make_user, django_capture_on_commit_callbacks
):
    match = active_match()
    chair = make_user(member=False, is_superuser=True, is_staff=True)
    client.force_login(chair)
    url = f"/admin/mentoring/matches/{match.pk}/end/"
    listing = client.get("/admin/wagtail_mentoring/match/")
    assert url.encode() in listing.content
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400 and b"Say why the match ends early." in refused.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "The mentee changed career."})
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == MatchStatus.ENDED_EARLY
    assert match.end_reason == "The mentee changed career."
    ended = [m for m in mail.outbox if "has ended" in m.subject]
    assert len(ended) == 2 and all("changed career" not in m.body for m in ended)


def test_ending_a_match_is_for_the_committee_only(client, active_match, make_user):
    from django.contrib.auth.models import Permission

    match = active_match()
    editor = make_user(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    url = f"/admin/mentoring/matches/{match.pk}/end/"
    assert client.post(url, {"reason": "x"}).status_code == 403
    match.refresh_from_db()
    assert match.status == MatchStatus.APPROVED


def test_pairs_who_both_attend_are_reminded_of_the_conference_once(
    active_match, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_CONFERENCE_REMINDER_DAYS = 14
    today = timezone.localdate()
    match = active_match(conference_date=today + datetime.timedelta(days=20))
    early = run(today, django_capture_on_commit_callbacks)
    assert early.conference == 0
    due = run(today + datetime.timedelta(days=6), django_capture_on_commit_callbacks)
    assert due.conference == 2
    subjects = [m.subject for m in mail.outbox if "conference" in m.subject]
    assert sorted(subjects) == [
        "Meet Amara Okafor at the conference on " + conference_day(today, 20),
        "Meet Ben Hughes at the conference on " + conference_day(today, 20),
    ]
    again = run(today + datetime.timedelta(days=7), django_capture_on_commit_callbacks)
    assert again.conference == 0
    assert SentEmail.objects.filter(kind="conference_reminder", match=match).count() == 2


def test_no_conference_reminder_unless_both_attend(
    active_match, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    match = active_match(conference_date=today + datetime.timedelta(days=3))
    type(match.mentee).objects.filter(pk=match.mentee_id).update(conference_attendance="unsure")
    assert run(today, django_capture_on_commit_callbacks).conference == 0


def conference_day(today, days):
    from django.utils import formats

    return formats.date_format(today + datetime.timedelta(days=days), "DATE_FORMAT")


def test_the_conference_page_lists_volunteers_and_invites_pairs_once(
    client, active_match, make_user, make_application, django_capture_on_commit_callbacks
):
    match = active_match()
    type(match.mentor).objects.filter(pk=match.mentor_id).update(
        conference_activities=["speed_mentoring", "resume_review"]
    )
    make_application("mentor", capacity=1, conference_activities=["resume_review"], name="=Eve")
    chair = make_user(member=False, is_superuser=True, is_staff=True)
    client.force_login(chair)
    url = f"/admin/mentoring/conference/{match.cycle_id}/"
    page = client.get(url).content.decode()
    assert "Speed mentoring (1)" in page and "CV and résumé review (2)" in page

    rows = client.get(url + "?export=csv").content.decode().splitlines()
    assert rows[0] == "Activity,Mentor,Email,Region"
    assert any(row.startswith("CV and résumé review,'=Eve,") for row in rows)  # formula escaped

    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert b"Everyone already invited was left out." in response.content
    invitations = [m for m in mail.outbox if "follow-up session" in m.subject]
    assert len(invitations) == 2


def test_the_conference_page_is_for_the_committee_only(client, active_match, make_user):
    from django.contrib.auth.models import Permission

    match = active_match()
    editor = make_user(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    url = f"/admin/mentoring/conference/{match.cycle_id}/"
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not SentEmail.objects.filter(kind="conference_follow_up").exists()


def test_completed_members_choose_to_appear_in_the_alumni_block(
    client, active_match, program_page, make_application, django_capture_on_commit_callbacks
):
    match = active_match(start=add_months(timezone.localdate(), -24))
    run(capture=django_capture_on_commit_callbacks)
    match.mentee.refresh_from_db()
    assert match.mentee.status == "completed" and not match.mentee.alumni_listing_consent
    program_page.body = [("alumni", {"heading": "Our alumni", "text": ""})]
    program_page.save_revision().publish()

    my = program_page.url + "my/"
    client.force_login(match.mentee.user)
    page = client.get(my).content.decode()
    assert "List me among the programme's alumni" in page
    assert "Amara Okafor" not in client.get(program_page.url).content.decode()

    response = client.post(
        my, {"alumni_application": match.mentee.pk, "alumni_listing_consent": "1"}
    )
    assert response.status_code == 302
    listed = client.get(program_page.url).content.decode()
    assert "Amara Okafor" in listed and "(mentee, " in listed
    assert "Ben Hughes" not in listed  # the mentor has not agreed

    # Nobody can list someone else, or an application that is not completed.
    other = make_application("mentee")
    client.post(my, {"alumni_application": match.mentor.pk, "alumni_listing_consent": "1"})
    client.post(my, {"alumni_application": other.pk, "alumni_listing_consent": "1"})
    match.mentor.refresh_from_db()
    other.refresh_from_db()
    assert not match.mentor.alumni_listing_consent and not other.alumni_listing_consent

    client.post(my, {"alumni_application": match.mentee.pk})  # unticked: withdrawn
    assert "Amara Okafor" not in client.get(program_page.url).content.decode()


# -- running twice: nothing new ----------------------------------------------------------


def _local(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def checkins_to(match, role: str) -> list[str]:
    return sorted(
        SentEmail.objects.filter(kind="check_in", match=match)
        .filter(idempotency_key__endswith=f"-{role}")
        .values_list("idempotency_key", flat=True)
    )


def test_two_runs_minutes_apart_across_midnight_send_one_check_in(active_match, monkeypatch):
    """The schedule had not run for months; a run at 23:58 sends the latest check-in,
    and one at 00:03, when the next month's is due, sends none: not two in five minutes."""
    start = D(2027, 1, 10)
    match = active_match(start=start)
    clock = {"now": _local(add_months(start, 3) - datetime.timedelta(days=1), 23, 58)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    assert run_schedule().checkins == 2
    clock["now"] += datetime.timedelta(minutes=5)
    assert timezone.localdate() == add_months(start, 3)
    assert run_schedule().checkins == 0
    assert checkins_to(match, "mentee") == [f"match-{match.pk}-checkin-2-mentee"]
    # The next goes a month after the last; month 4's, a day after that, would come too
    # soon and is left out (as a missed run sends only the latest); month 5's is on time.
    clock["now"] = _local(add_months(start, 4) - datetime.timedelta(days=1), 9, 0)
    assert run_schedule().checkins == 2
    clock["now"] = _local(add_months(start, 4), 9, 0)
    assert run_schedule().checkins == 0
    clock["now"] = _local(add_months(start, 5), 9, 0)
    assert run_schedule().checkins == 2
    assert checkins_to(match, "mentor") == [
        f"match-{match.pk}-checkin-{month}-mentor" for month in (2, 3, 5)
    ]


def test_a_run_for_a_later_date_minutes_later_sends_no_second_check_in(active_match, monkeypatch):
    start = D(2027, 1, 10)
    match = active_match(start=start)
    clock = {"now": _local(add_months(start, 1), 9, 0)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    call_command("mentoring_run_schedule", verbosity=0)
    clock["now"] += datetime.timedelta(minutes=5)
    call_command("mentoring_run_schedule", "--date", add_months(start, 2).isoformat(), verbosity=0)
    assert checkins_to(match, "mentee") == [f"match-{match.pk}-checkin-1-mentee"]


def test_two_runs_minutes_apart_send_no_second_conference_reminder(
    active_match, settings, monkeypatch
):
    settings.WAGTAIL_MENTORING_CONFERENCE_REMINDER_DAYS = 14
    start = D(2027, 1, 10)
    conference = add_months(start, 1) + datetime.timedelta(days=10)
    match = active_match(start=start, conference_date=conference)
    clock = {"now": _local(conference - datetime.timedelta(days=14), 23, 58)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    assert run_schedule().conference == 2
    for _ in range(3):
        clock["now"] += datetime.timedelta(minutes=5)  # past midnight, still before the day
        assert run_schedule().conference == 0
    call_command(
        "mentoring_run_schedule",
        "--date",
        (conference - datetime.timedelta(days=1)).isoformat(),
        verbosity=0,
    )
    assert SentEmail.objects.filter(kind="conference_reminder", match=match).count() == 2
