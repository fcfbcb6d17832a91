"""Lifecycle edges: what a flag stores, restoring a pair, the alumni after an early end,
and the matching workspace's batches when a row changed meanwhile."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation

from tests.matching.test_explanations import FRENCH
from wagtail_mentoring.matching import lifecycle
from wagtail_mentoring.matching.lifecycle import ALUMNI_GROUP
from wagtail_mentoring.matching.suggest import suggest_for_cycle
from wagtail_mentoring.models import AfterEnd, ApplicationStatus, Match, MatchAction, MatchEvent
from wagtail_mentoring.schedule import run_schedule


def test_a_lapsed_membership_flag_stores_the_state_code_and_renders_it_in_the_readers_language(
    make_application, django_capture_on_commit_callbacks
):
    mentor = make_application("mentor", capacity=1)
    mentee = make_application("mentee")
    start = timezone.localdate() - datetime.timedelta(days=40)
    match = lifecycle.approve(lifecycle.propose(mentee, mentor), start_date=start)
    mentee.user.groups.clear()  # no longer a member
    with django_capture_on_commit_callbacks(execute=True):
        assert run_schedule().flagged == 1
    event = match.events.get(action=MatchAction.FLAGGED)
    # A code, not the words of the language the schedule ran in.
    assert event.params == {"cause": "membership", "role": "mentee", "state": "none"}
    with FRENCH, translation.override("fr"):
        words = event.describe()
    assert words == "Signalé au comité: L'adhésion du mentoré est : non membre."


@pytest.fixture
def suggestable(make_application, topics):
    mentor = make_application("mentor", capacity=1)
    mentee = make_application("mentee")
    for application in (mentor, mentee):
        application.topics.set([topics[0]])
    return mentor, mentee


def test_restoring_a_pair_discarded_twice_lets_the_next_run_suggest_it(
    committee_client, suggestable, open_cycle
):
    mentor, mentee = suggestable
    (first,) = suggest_for_cycle(open_cycle).proposed
    assert lifecycle.discard_many([first]) == 1
    # The committee tries the pair by hand after all, and rejects it again.
    lifecycle.reject(lifecycle.propose(mentee, mentor), reason="Still not right")
    assert suggest_for_cycle(open_cycle).proposed == []
    url = reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk])
    second = Match.objects.filter(discarded=True).exclude(pk=first.pk).get()
    response = committee_client.post(url, {"action": "restore", "match": second.pk}, follow=True)
    assert "may be suggested again" in response.content.decode()
    # What the page said is true: the pair is no longer discarded, under either match.
    assert "data-discarded" not in committee_client.get(url).content.decode()
    (again,) = suggest_for_cycle(open_cycle).proposed
    assert (again.mentee_id, again.mentor_id) == (mentee.pk, mentor.pk)
    restored = MatchEvent.objects.filter(action=MatchAction.RESTORED)
    assert sorted(restored.values_list("match_id", flat=True)) == sorted([first.pk, second.pk])


def test_a_mentor_who_completed_a_pairing_stays_an_alumnus_when_another_ends_early(
    make_application, client, program_page
):
    mentor = make_application("mentor", capacity=2)
    completed = lifecycle.approve(lifecycle.propose(make_application("mentee"), mentor))
    ended = lifecycle.approve(lifecycle.propose(make_application("mentee"), mentor))
    lifecycle.complete(completed)
    lifecycle.end_early(ended, "Moved overseas", then=AfterEnd.POOL)
    assert Group.objects.get(name=ALUMNI_GROUP).user_set.filter(pk=mentor.user_id).exists()
    client.force_login(mentor.user)
    url = program_page.url + program_page.reverse_subpage("my_mentoring")
    assert 'name="alumni_listing_consent"' in client.get(url).content.decode()
    # In the pool again, and still an alumnus who may agree to be listed.
    mentor.refresh_from_db()
    assert mentor.status != ApplicationStatus.COMPLETED
    client.post(url, {"alumni_application": mentor.pk, "alumni_listing_consent": "1"})
    mentor.refresh_from_db()
    assert mentor.alumni_listing_consent is True


def test_a_suggestion_run_leaves_out_a_pair_whose_application_was_withdrawn_meanwhile(
    suggestable, make_application, open_cycle
):
    from wagtail_mentoring.applications import withdraw_application

    mentor, mentee = suggestable
    other_mentor = make_application("mentor", capacity=1)
    # What suggest_for_cycle() computed a moment ago; the mentee withdrew since, and
    # a mentor-to-mentor pair is no pair at all.
    computed = [
        {"mentee_id": mentee.pk, "mentor_id": mentor.pk, "score": 50.0, "explanation": []},
        {"mentee_id": other_mentor.pk, "mentor_id": mentor.pk, "score": 40.0, "explanation": []},
    ]
    withdraw_application(mentee)
    proposed, _replaced = lifecycle.replace_proposals(open_cycle, computed)
    assert proposed == []
    assert not Match.objects.exists()


def test_a_mentor_who_stays_matched_after_an_early_end_is_not_told_closed_in_their_history(
    make_application,
):
    mentor = make_application("mentor", capacity=2)
    ended = lifecycle.approve(lifecycle.propose(make_application("mentee"), mentor))
    lifecycle.approve(lifecycle.propose(make_application("mentee"), mentor))
    lifecycle.end_early(ended, "Moved overseas", then=AfterEnd.CLOSE)
    mentor.refresh_from_db()
    assert mentor.status == ApplicationStatus.MATCHED
    assert mentor.events.last().describe() == "Match ended early: Moved overseas"
    assert ended.mentee.events.last().describe() == "Match ended early: Moved overseas; closed"


def test_a_mentee_whose_pinned_mentor_withdrew_is_back_in_the_pool(
    committee_client, suggestable, make_application, open_cycle
):
    from wagtail_mentoring.applications import withdraw_application

    mentor, mentee = suggestable
    lifecycle.propose(mentee, mentor, pinned=True)
    withdraw_application(mentor)
    other = make_application("mentor", capacity=1)
    other.topics.set(mentor.topics.all())
    url = reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk])
    page = committee_client.get(url).content.decode()
    assert "1 mentee waiting" in page
    (proposal,) = suggest_for_cycle(open_cycle).proposed
    assert (proposal.mentee_id, proposal.mentor_id) == (mentee.pk, other.pk)
    closed = Match.objects.get(mentor=mentor, mentee=mentee)
    assert (closed.status, closed.discarded) == ("rejected", False)
    assert list(closed.events.values_list("action", flat=True).order_by("pk")) == [
        MatchAction.PROPOSED,
        MatchAction.WITHDRAWN,
    ]
