"""Consent before the introduction: invitations, answers, reminders, timeouts, and a
mentor's "I can't take on anyone now"."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.core import mail, signing
from django.utils import timezone

from wagtail_mentoring.invitations import consent_token, pause_token
from wagtail_mentoring.matching import lifecycle
from wagtail_mentoring.matching.lifecycle import CapacityExceeded, MatchingError
from wagtail_mentoring.matching.pool import load_pools
from wagtail_mentoring.matching.suggest import suggest_for_cycle
from wagtail_mentoring.models import (
    ApplicationAction,
    ApplicationStatus,
    Cycle,
    FlagCause,
    MatchAction,
    MatchStatus,
    SentEmail,
)
from wagtail_mentoring.schedule import run_schedule

URL = re.compile(r"https?://[^\s<>\"']+")


@pytest.fixture
def consent_cycle(make_cycle):
    return make_cycle(opens=-10, closes=-1, name="Consent cycle", consent="mentor")


@pytest.fixture
def both_cycle(make_cycle):
    return make_cycle(opens=-10, closes=-1, name="Both cycle", consent="both")


@pytest.fixture
def pair(apply, consent_cycle):
    mentor = apply("mentor", [0], capacity=1, cycle=consent_cycle, name="Ben Mentor")
    mentee = apply(
        "mentee", [0], cycle=consent_cycle, name="Amara Mentee", goals="Lead a small team."
    )
    return mentor, mentee


def _approve(mentor, mentee, capture):
    match = lifecycle.propose(mentee, mentor)
    with capture(execute=True):
        lifecycle.approve(match)
    match.refresh_from_db()
    return match


def _kinds():
    return sorted(SentEmail.objects.values_list("kind", "to"))


def _link(message, route: str, answer: str = "") -> str:
    for url in URL.findall(message.body):
        if f"/{route}/" in url and (not answer or f"answer={answer}" in url):
            return url.replace("&amp;", "&")
    raise AssertionError(f"no {route} link in {message.body}")


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


# -- the model's default and the upgrade ---------------------------------------------


def test_a_new_cycle_asks_the_mentor_and_the_upgrade_keeps_running_cycles_as_they_were(
    program_page,
):
    from importlib import import_module

    from django.apps import apps

    now = timezone.now()
    cycle = Cycle.objects.create(
        program_page=program_page,
        name="New",
        applications_open=now,
        applications_close=now + datetime.timedelta(days=1),
        pairing_start=(now + datetime.timedelta(days=30)).date(),
    )
    assert cycle.consent == "mentor" and cycle.asks_consent
    migration = import_module("wagtail_mentoring.migrations.0018_consent")
    migration.keep_running_cycles_as_they_were(apps, None)
    cycle.refresh_from_db()
    assert cycle.consent == "off" and not cycle.asks_consent


def test_the_reminder_must_come_before_the_deadline(consent_cycle):
    from django.core.exceptions import ValidationError

    consent_cycle.consent_days, consent_cycle.consent_reminder_days = 5, 5
    with pytest.raises(ValidationError) as error:
        consent_cycle.clean()
    assert "consent_reminder_days" in error.value.message_dict
    consent_cycle.consent_reminder_days = 0
    consent_cycle.clean()


# -- approval asks first ----------------------------------------------------------------------


def test_approval_invites_the_mentor_and_sends_no_introduction(
    pair, django_capture_on_commit_callbacks
):
    mentor, mentee = pair
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    assert match.status == MatchStatus.AWAITING
    assert match.consent_from == "mentor"
    assert match.consent_due - match.approved_at == datetime.timedelta(days=7)
    assert _kinds() == [("consent_request", mentor.contact_email)]
    mentor.refresh_from_db()
    mentee.refresh_from_db()
    # Nobody is matched yet; the mentee is not in the pool and the place is taken.
    assert mentor.status == mentee.status == ApplicationStatus.SUBMITTED
    pools = load_pools(mentee.cycle)
    assert mentee.pk not in pools.mentees.ids.tolist()
    assert mentor.pk not in pools.mentors.ids.tolist() or pools.mentors.capacity.tolist() == [0]
    assert lifecycle.places_taken(mentor) == 1
    assert [e.action for e in match.events.order_by("pk")] == [
        MatchAction.PROPOSED,
        MatchAction.INVITED,
    ]


def test_a_match_awaiting_consent_holds_the_mentors_place(
    pair, apply, consent_cycle, django_capture_on_commit_callbacks
):
    mentor, mentee = pair
    _approve(mentor, mentee, django_capture_on_commit_callbacks)
    other = apply("mentee", [0], cycle=consent_cycle)
    with pytest.raises(CapacityExceeded):
        lifecycle.propose(other, mentor)


def test_the_invitation_shows_the_profile_without_contact_details(
    pair, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_REGIONS = [("North", "The northern region")]
    mentor, mentee = pair
    _approve(mentor, mentee, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == [mentor.contact_email]
    assert "Amara Mentee" in message.body and "Lead a small team." in message.body
    assert "Leadership" in message.body and "The northern region" in message.body
    assert mentee.contact_email not in message.body
    assert mentee.contact_email not in message.alternatives[0][0]
    assert "answer=yes" in message.body and "answer=no" in message.body
    assert "/mentoring/pause/?t=" in message.body  # every email to a mentor


def test_yes_from_the_mentor_queues_the_introduction(pair, django_capture_on_commit_callbacks):
    mentor, mentee = pair
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.answer_invitation(match, "mentor", "yes")
    match.refresh_from_db()
    assert match.status == MatchStatus.APPROVED and match.mentor_consent == "yes"
    assert sorted(k for k, _to in _kinds()) == [
        "consent_request",
        "match_introduction",
        "match_introduction",
    ]
    mentee.refresh_from_db()
    assert mentee.status == ApplicationStatus.MATCHED
    assert [e.action for e in match.events.order_by("pk")][-2:] == [
        MatchAction.CONSENTED,
        MatchAction.INTRODUCED,
    ]
    # The same yes again writes nothing.
    events = match.events.count()
    lifecycle.answer_invitation(match, "mentor", "yes")
    assert match.events.count() == events
    assert SentEmail.objects.filter(kind="match_introduction").count() == 2


def test_both_confirm_waits_for_the_second_yes(
    apply, both_cycle, django_capture_on_commit_callbacks
):
    mentor = apply("mentor", [0], capacity=2, cycle=both_cycle)
    mentee = apply("mentee", [0], cycle=both_cycle)
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    assert sorted(to for _k, to in _kinds()) == sorted([mentor.contact_email, mentee.contact_email])
    lifecycle.answer_invitation(match, "mentee", "yes")
    match.refresh_from_db()
    assert match.status == MatchStatus.AWAITING
    assert not SentEmail.objects.filter(kind="match_introduction").exists()
    lifecycle.answer_invitation(match, "mentor", "yes")
    match.refresh_from_db()
    assert match.status == MatchStatus.APPROVED
    assert SentEmail.objects.filter(kind="match_introduction").count() == 2


def test_a_cycle_without_consent_introduces_on_approval(
    apply, make_cycle, django_capture_on_commit_callbacks
):
    cycle = make_cycle(opens=-10, closes=-1, consent="off")
    mentor = apply("mentor", [0], capacity=1, cycle=cycle)
    mentee = apply("mentee", [0], cycle=cycle)
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    assert match.status == MatchStatus.APPROVED and not match.consent_from
    assert sorted(k for k, _to in _kinds()) == ["match_introduction", "match_introduction"]


# -- a decline puts the mentee first ---------------------------------------------------------


def test_a_decline_frees_the_place_and_puts_the_mentee_first_in_line(
    pair, apply, consent_cycle, django_capture_on_commit_callbacks
):
    mentor, mentee = pair
    # Someone who has waited much longer than the declined mentee.
    earlier = apply("mentee", [0], cycle=consent_cycle, name="Long Waiter")
    type(earlier).objects.filter(pk=earlier.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=90)
    )
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    sent = SentEmail.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.answer_invitation(match, "mentor", "no", reason="We work together.")
    match.refresh_from_db()
    mentee.refresh_from_db()
    assert match.status == MatchStatus.DECLINED and match.discarded
    assert match.flag_cause == FlagCause.CONSENT
    assert match.flag_reason == "The mentor declined the introduction. We work together."
    assert SentEmail.objects.count() == sent  # the mentee is never told who declined
    assert mentee.first_in_line_since is not None
    assert mentee.events.filter(action=ApplicationAction.FIRST_IN_LINE).exists()
    assert lifecycle.places_taken(mentor) == 0

    pools = load_pools(consent_cycle)
    assert pools.mentees.ids.tolist()[0] == mentee.pk  # first in the waiting list
    assert (mentee.user_id, mentor.user_id) in pools.previous_pairs  # not suggested again

    # The first mentor takes no one more; a second mentor has one place: the run gives
    # it to the declined mentee, not to the one who has waited 90 days.
    lifecycle.take_no_more(mentor)
    second = apply("mentor", [0], capacity=1, cycle=consent_cycle, name="Second Mentor")
    run = suggest_for_cycle(consent_cycle)
    assert [(m.mentee_id, m.mentor_id) for m in run.proposed] == [(mentee.pk, second.pk)]

    # Introduced at last: no longer first in line.
    with django_capture_on_commit_callbacks(execute=True):
        invited = lifecycle.approve(run.proposed[0])
        lifecycle.answer_invitation(invited, "mentor", "yes")
    mentee.refresh_from_db()
    assert mentee.first_in_line_since is None


def test_the_workspace_shows_invitations_and_declines(
    pair, committee_client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    mentor, mentee = pair
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    url = reverse("wagtail_mentoring_matching_cycle", args=[match.cycle_id])
    page = BeautifulSoup(committee_client.get(url).content, "html.parser")
    assert page.select_one(f"[data-invitations] [data-match='{match.pk}']")
    lifecycle.answer_invitation(match, "mentor", "no")
    page = BeautifulSoup(committee_client.get(url).content, "html.parser")
    row = page.select_one(f"[data-declined] [data-match='{match.pk}']")
    assert "The mentor declined the introduction." in row.get_text()
    pool = page.select("[data-pool] tbody tr")
    assert "Amara Mentee" in pool[0].get_text() and pool[0].select_one("[data-first-in-line]")


def test_answers_that_no_longer_apply_are_refused(pair, django_capture_on_commit_callbacks):
    mentor, mentee = pair
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    with pytest.raises(MatchingError):
        lifecycle.answer_invitation(match, "mentee", "yes")  # only the mentor was asked
    with pytest.raises(MatchingError):
        lifecycle.answer_invitation(match, "mentor", "maybe")
    lifecycle.answer_invitation(match, "mentor", "no")
    lifecycle.answer_invitation(match, "mentor", "no")  # the same answer: nothing new
    with pytest.raises(MatchingError):
        lifecycle.answer_invitation(match, "mentor", "yes")
    assert match.events.filter(action=MatchAction.DECLINED).count() == 1


def test_a_yes_may_become_a_no_while_the_other_has_not_answered(
    apply, both_cycle, django_capture_on_commit_callbacks
):
    mentor = apply("mentor", [0], capacity=1, cycle=both_cycle)
    mentee = apply("mentee", [0], cycle=both_cycle)
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    lifecycle.answer_invitation(match, "mentor", "yes")
    lifecycle.answer_invitation(match, "mentor", "no")
    match.refresh_from_db()
    assert match.status == MatchStatus.DECLINED and match.mentor_consent == "no"


def test_withdrawing_closes_the_invitation(pair, django_capture_on_commit_callbacks):
    from wagtail_mentoring.applications import withdraw_application

    mentor, mentee = pair
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    withdraw_application(mentee, reason="")
    match.refresh_from_db()
    assert match.status == MatchStatus.REJECTED
    assert lifecycle.places_taken(mentor) == 0
    with pytest.raises(MatchingError):
        lifecycle.answer_invitation(match, "mentor", "yes")


# -- the schedule: reminder and timeout ------------------------------------------------------------


def test_the_schedule_reminds_once_then_counts_no_answer_as_a_decline(
    pair, django_capture_on_commit_callbacks
):
    mentor, mentee = pair
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    today = timezone.localdate()

    def run(days):
        with django_capture_on_commit_callbacks(execute=True):
            return run_schedule(today + datetime.timedelta(days=days))

    assert run(2).invitations_reminded == 0
    summary = run(3)
    assert summary.invitations_reminded == 1 and summary.invitations_expired == 0
    assert run(4).invitations_reminded == 0  # once
    reminders = SentEmail.objects.filter(kind="consent_reminder")
    assert list(reminders.values_list("to", flat=True)) == [mentor.contact_email]
    assert run(6).invitations_expired == 0
    assert run(7).invitations_expired == 1
    match.refresh_from_db()
    mentee.refresh_from_db()
    assert match.status == MatchStatus.DECLINED
    assert match.flag_reason == "The mentor did not answer the invitation in time."
    assert match.events.filter(action=MatchAction.TIMED_OUT).count() == 1
    assert mentee.first_in_line_since is not None
    assert run(8).invitations_expired == 0
    # An answer after the deadline is refused.
    with pytest.raises(MatchingError):
        lifecycle.answer_invitation(match, "mentor", "yes")


def test_no_reminder_when_the_cycle_sends_none(
    pair, consent_cycle, django_capture_on_commit_callbacks
):
    consent_cycle.consent_reminder_days = 0
    consent_cycle.save()
    mentor, mentee = pair
    _approve(mentor, mentee, django_capture_on_commit_callbacks)
    for days in range(1, 7):
        run_schedule(timezone.localdate() + datetime.timedelta(days=days))
    assert not SentEmail.objects.filter(kind="consent_reminder").exists()


def test_an_answer_after_the_deadline_before_the_schedule_runs_is_refused(
    pair, django_capture_on_commit_callbacks
):
    mentor, mentee = pair
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    type(match).objects.filter(pk=match.pk).update(
        consent_due=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(MatchingError, match="time to answer"):
        lifecycle.answer_invitation(match, "mentor", "yes")


# -- the pages behind the links ----------------------------------------------------------------


def test_opening_the_yes_link_changes_nothing_and_one_click_introduces(
    client, pair, django_capture_on_commit_callbacks
):
    mentor, mentee = pair
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    link = _path(_link(mail.outbox[0], "consent", "yes"))
    page = client.get(link)
    assert page.status_code == 200 and page["Cache-Control"].count("no-store")
    assert page["Referrer-Policy"] == "same-origin"
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.select_one("[data-mentoring-mode=ask]")
    assert soup.select_one("input[name=answer][value=yes]").has_attr("checked")
    assert mentee.contact_email not in page.content.decode()
    match.refresh_from_db()
    assert match.status == MatchStatus.AWAITING  # a mail scanner's GET does nothing
    form = {"t": soup.select_one("input[name=t]")["value"], "answer": "yes"}
    with django_capture_on_commit_callbacks(execute=True):
        thanks = client.post(link.split("?")[0], form)
    assert b'data-mentoring-mode="thanks"' in thanks.content
    assert b"on its way" in thanks.content
    match.refresh_from_db()
    assert match.status == MatchStatus.APPROVED
    again = client.get(link)
    assert b'data-mentoring-mode="answered"' in again.content


def test_the_no_link_declines_with_the_reason(client, pair, django_capture_on_commit_callbacks):
    mentor, mentee = pair
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    link = _path(_link(mail.outbox[0], "consent", "no"))
    token = consent_token(match, "mentor")
    response = client.post(link.split("?")[0], {"t": token, "answer": "no", "reason": "Too busy."})
    assert response.status_code == 200
    assert b'data-mentoring-mode="thanks"' in response.content
    assert b"Thank you for letting us know." in response.content
    again = client.post(link.split("?")[0], {"t": token, "answer": "no"})
    assert b'data-mentoring-mode="answered"' in again.content
    match.refresh_from_db()
    assert match.status == MatchStatus.DECLINED
    assert match.events.get(action=MatchAction.DECLINED).params == {
        "role": "mentor",
        "reason": "Too busy.",
    }


def test_bad_links_get_a_clear_answer(
    client, program_page, pair, django_capture_on_commit_callbacks
):
    mentor, mentee = pair
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    base = program_page.url + program_page.reverse_subpage("consent")
    token = consent_token(match, "mentor")
    cases = {
        "": (400, "missing"),
        "nonsense": (400, "invalid"),
        token[:-2] + "xx": (400, "invalid"),
        signing.dumps([match.pk, "committee"], salt="wagtail_mentoring.consent"): (400, "invalid"),
        signing.dumps([match.pk, "mentor"], salt="another.salt"): (400, "invalid"),
        signing.dumps(["1", "mentor"], salt="wagtail_mentoring.consent"): (400, "invalid"),
        signing.dumps([10**9, "mentor"], salt="wagtail_mentoring.consent"): (400, "invalid"),
    }
    for value, (status, mode) in cases.items():
        for response in (client.get(base, {"t": value}), client.post(base, {"t": value})):
            assert response.status_code == status, value
            assert f'data-mentoring-mode="{mode}"'.encode() in response.content, value
    # No answer, a wrong answer, a reason too long: the form again, nothing changed.
    for form in (
        {"t": token},
        {"t": token, "answer": "perhaps"},
        {"t": token, "answer": "no", "reason": "x" * 1001},
    ):
        assert client.post(base, form).status_code == 400
    match.refresh_from_db()
    assert match.status == MatchStatus.AWAITING
    # An expired link: 30 days after its invitation's deadline, or a year after it was made.
    type(match).objects.filter(pk=match.pk).update(
        consent_due=timezone.now() - datetime.timedelta(days=31)
    )
    expired = client.get(base, {"t": token})
    assert expired.status_code == 410 and b'data-mentoring-mode="expired"' in expired.content
    type(match).objects.filter(pk=match.pk).update(
        consent_due=timezone.now() + datetime.timedelta(days=1)
    )
    later = timezone.now() + datetime.timedelta(days=401)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert client.get(base, {"t": token}).status_code == 410
    # The mentee's link to a mentor-only invitation cannot answer it.
    response = client.post(base, {"t": consent_token(match, "mentee"), "answer": "yes"})
    assert response.status_code == 409
    match.refresh_from_db()
    assert match.status == MatchStatus.AWAITING


def test_a_link_works_only_on_its_own_programme(
    client, home_page, pair, django_capture_on_commit_callbacks
):
    from wagtail_mentoring.models import MentoringProgramPage

    other = MentoringProgramPage(title="Other", slug="other")
    home_page.add_child(instance=other)
    other.save_revision().publish()
    mentor, mentee = pair
    match = _approve(mentor, mentee, django_capture_on_commit_callbacks)
    url = other.url + other.reverse_subpage("consent")
    response = client.post(url, {"t": consent_token(match, "mentor"), "answer": "yes"})
    assert response.status_code == 400
    match.refresh_from_db()
    assert match.status == MatchStatus.AWAITING


# -- "I can't take on anyone now" -----------------------------------------------------------------


def test_a_mentor_takes_on_no_one_more_after_confirming(
    client, program_page, apply, consent_cycle, django_capture_on_commit_callbacks
):
    mentor = apply("mentor", [0], capacity=3, cycle=consent_cycle)
    introduced = apply("mentee", [0], cycle=consent_cycle)
    invited = apply("mentee", [0], cycle=consent_cycle)
    proposed = apply("mentee", [0], cycle=consent_cycle)
    first = _approve(mentor, introduced, django_capture_on_commit_callbacks)
    lifecycle.answer_invitation(first, "mentor", "yes")
    second = _approve(mentor, invited, django_capture_on_commit_callbacks)
    third = lifecycle.propose(proposed, mentor)
    link = _path(_link(mail.outbox[0], "pause"))
    assert client.get(link).status_code == 200
    mentor.refresh_from_db()
    assert mentor.capacity == 3  # opening the link changes nothing
    token = pause_token(mentor)
    response = client.post(link.split("?")[0], {"t": token})
    assert b'data-mentoring-mode="done"' in response.content
    mentor.refresh_from_db()
    assert mentor.capacity == 1  # the pair already introduced goes on
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == MatchStatus.DECLINED
    assert second.flag_reason == (
        "The mentor declined the introduction. They can take on no one more for now."
    )
    assert third.status == MatchStatus.REJECTED
    invited.refresh_from_db()
    assert invited.first_in_line_since is not None
    assert mentor.events.filter(action=ApplicationAction.PAUSED).count() == 1
    client.post(link.split("?")[0], {"t": token})  # again: nothing new
    assert mentor.events.filter(action=ApplicationAction.PAUSED).count() == 1
    pools = load_pools(consent_cycle)
    row = pools.mentors.ids.tolist().index(mentor.pk)
    assert pools.mentors.capacity[row] == 0


def test_bad_pause_links_get_a_clear_answer(client, program_page, pair):
    mentor, mentee = pair
    base = program_page.url + program_page.reverse_subpage("pause")
    for value, status in (
        ("", 400),
        ("junk", 400),
        (pause_token(mentee), 400),  # a mentee application
        (signing.dumps(mentor.pk, salt="wagtail_mentoring.consent"), 400),
    ):
        assert client.post(base, {"t": value}).status_code == status, value
    token = pause_token(mentor)
    later = timezone.now() + datetime.timedelta(days=400)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert client.get(base, {"t": token}).status_code == 410
    mentor.refresh_from_db()
    assert mentor.capacity == 1
