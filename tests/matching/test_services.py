import datetime

import pytest
from django.db import connection

from wagtail_mentoring import signals
from wagtail_mentoring.matching.lifecycle import (
    CapacityExceeded,
    MatchingError,
    approve,
    complete,
    complete_many,
    end_early,
    propose,
    reject,
)
from wagtail_mentoring.models import (
    Application,
    ApplicationAction,
    ApplicationStatus,
    Match,
    MatchStatus,
)


@pytest.fixture
def committee(make_user):
    return make_user(username="chair")


@pytest.fixture
def received():
    events = []

    def receiver(sender, **kwargs):
        events.append((kwargs["match"].status, kwargs.get("actor"), kwargs.get("reason")))

    for signal in (
        signals.match_proposed,
        signals.match_approved,
        signals.match_rejected,
        signals.match_ended,
        signals.match_completed,
    ):
        signal.connect(receiver, weak=False)
    yield events
    for signal in (
        signals.match_proposed,
        signals.match_approved,
        signals.match_rejected,
        signals.match_ended,
        signals.match_completed,
    ):
        signal.disconnect(receiver)


def test_propose_then_approve(
    make_application, committee, open_cycle, received, django_capture_on_commit_callbacks
):
    mentor = make_application("mentor", capacity=2)
    mentee = make_application("mentee")
    with django_capture_on_commit_callbacks(execute=True):
        match = propose(
            mentee, mentor, actor=committee, score=72.5, explanation=[{"name": "topics"}]
        )
    assert (match.status, match.score, match.proposed_by) == (MatchStatus.PROPOSED, 72.5, committee)
    with django_capture_on_commit_callbacks(execute=True):
        match = approve(match, actor=committee)
    assert match.status == MatchStatus.APPROVED and match.approved_by == committee
    assert match.start_date == open_cycle.pairing_start
    assert (match.end_date.year * 12 + match.end_date.month) - (
        match.start_date.year * 12 + match.start_date.month
    ) == open_cycle.commitment_months
    mentor.refresh_from_db()
    mentee.refresh_from_db()
    assert mentor.status == mentee.status == ApplicationStatus.MATCHED
    assert [(e.action, e.from_status, e.to_status, e.actor) for e in match.events.all()] == [
        ("proposed", "", "proposed", committee),
        ("approved", "proposed", "approved", committee),
    ]
    assert received == [("proposed", committee, None), ("approved", committee, None)]


def test_signals_wait_for_the_commit(
    make_application, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        propose(make_application("mentee"), make_application("mentor", capacity=1))
    assert received == [] and len(callbacks) == 1


def test_capacity_is_never_exceeded(make_application):
    mentor = make_application("mentor", capacity=1)
    first = propose(make_application("mentee"), mentor)
    second = propose(make_application("mentee"), mentor)
    approve(first)
    with pytest.raises(CapacityExceeded, match="1 place is taken; approving would exceed it"):
        approve(second)
    second.refresh_from_db()
    assert second.status == MatchStatus.PROPOSED
    with pytest.raises(CapacityExceeded, match="has no free place"):
        propose(make_application("mentee"), mentor)


def test_refusals_say_why(make_application, make_user):
    person = make_user()
    mentor = make_application("mentor", capacity=3, user=person)
    with pytest.raises(MatchingError, match="cannot mentor themselves"):
        propose(make_application("mentee", user=person), mentor)
    with pytest.raises(MatchingError, match="pairs a mentor application with a mentee"):
        propose(mentor, mentor)
    withdrawn = make_application("mentee", status=ApplicationStatus.WITHDRAWN)
    with pytest.raises(MatchingError, match="application is withdrawn"):
        propose(withdrawn, mentor)
    mentee = make_application("mentee")
    propose(mentee, mentor)
    with pytest.raises(MatchingError, match="matched before"):
        propose(mentee, mentor)
    other = make_application("mentor", capacity=1)
    with pytest.raises(MatchingError, match="already has a proposed or approved match"):
        propose(mentee, other)
    assert Match.objects.count() == 1


def test_reject_returns_both_to_the_pool(
    make_application, committee, received, django_capture_on_commit_callbacks
):
    mentor = make_application("mentor", capacity=1)
    mentee = make_application("mentee")
    match = propose(mentee, mentor)
    with django_capture_on_commit_callbacks(execute=True):
        reject(match, actor=committee, reason="Same branch after all")
    match.refresh_from_db()
    assert match.status == MatchStatus.REJECTED and match.end_reason == "Same branch after all"
    assert received[-1] == ("rejected", committee, "Same branch after all")
    # The mentee can be proposed again, to someone else or (after a rejection) the same mentor.
    assert propose(mentee, mentor).status == MatchStatus.PROPOSED
    with pytest.raises(MatchingError, match="Only a proposed match can be approved"):
        approve(match)


def test_end_early_needs_a_reason_and_complete_finishes(make_application, committee):
    mentor = make_application("mentor", capacity=2)
    first = approve(propose(make_application("mentee"), mentor))
    second = approve(propose(make_application("mentee"), mentor))
    with pytest.raises(MatchingError, match="Say why"):
        end_early(first, actor=committee, reason="  ")
    end_early(first, actor=committee, reason="Moved overseas")
    first.refresh_from_db()
    assert first.status == MatchStatus.ENDED_EARLY and first.end_reason == "Moved overseas"
    mentor.refresh_from_db()
    assert mentor.status == ApplicationStatus.MATCHED  # still mentoring the second mentee
    complete(second, actor=committee)
    mentor.refresh_from_db()
    assert mentor.status == ApplicationStatus.COMPLETED
    with pytest.raises(MatchingError, match="Only an approved or active match can end"):
        complete(second)
    assert [e.action for e in first.events.all()] == ["proposed", "approved", "ended"]


def test_many_matches_complete_in_one_go_like_one_at_a_time(
    make_application, committee, received, django_capture_on_commit_callbacks
):
    busy = make_application("mentor", capacity=3)
    done = make_application("mentor", capacity=1)
    ending = approve(propose(make_application("mentee"), busy))
    staying = approve(propose(make_application("mentee"), busy))
    finishing = approve(propose(make_application("mentee"), done))
    Match.objects.filter(pk=finishing.pk).update(status=MatchStatus.ACTIVE)
    ended = approve(propose(make_application("mentee"), busy))
    end_early(ended, reason="Moved overseas")
    with django_capture_on_commit_callbacks(execute=True):
        completed = complete_many([ending, finishing.pk, ended], actor=committee)
    # The match ended meanwhile is left alone and left out.
    assert [m.pk for m in completed] == [ending.pk, finishing.pk]
    assert received == [("completed", committee, None)] * 2
    statuses = dict(Match.objects.values_list("pk", "status"))
    assert statuses == {
        ending.pk: MatchStatus.COMPLETED,
        staying.pk: MatchStatus.APPROVED,
        finishing.pk: MatchStatus.COMPLETED,
        ended.pk: MatchStatus.ENDED_EARLY,
    }
    busy.refresh_from_db()
    done.refresh_from_db()
    assert busy.status == ApplicationStatus.MATCHED  # still mentoring ``staying``
    assert done.status == ApplicationStatus.COMPLETED
    assert Application.objects.get(pk=ending.mentee_id).status == ApplicationStatus.COMPLETED
    events = list(finishing.events.values_list("action", "from_status", "to_status", "actor"))
    assert events[-1] == ("completed", MatchStatus.ACTIVE, MatchStatus.COMPLETED, committee.pk)
    assert [(e.action, e.actor) for e in done.events.all()][-1] == (
        ApplicationAction.MATCH_COMPLETED,
        committee,
    )
    assert complete_many([ending, finishing]) == []


def test_approval_starts_today_when_pairing_has_begun(make_application, open_cycle):
    open_cycle.pairing_start = datetime.date(2020, 1, 1)
    open_cycle.save()
    match = approve(propose(make_application("mentee"), make_application("mentor", capacity=1)))
    assert match.start_date >= datetime.date.today() - datetime.timedelta(days=1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are proved on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_exceed_capacity(make_application):
    import threading

    from django.db import connection as thread_connection

    mentor = make_application("mentor", capacity=2)
    proposals = [propose(make_application("mentee"), mentor) for _ in range(6)]
    barrier = threading.Barrier(len(proposals))
    outcomes = []

    def approve_one(match):
        try:
            barrier.wait(timeout=10)
            approve(match)
            outcomes.append("approved")
        except CapacityExceeded:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=approve_one, args=(m,)) for m in proposals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["approved"] * 2 + ["refused"] * 4
    assert Match.objects.filter(mentor=mentor, status=MatchStatus.APPROVED).count() == 2


def test_my_mentoring_shows_the_match_once_approved(client, make_application, program_page):
    mentor = make_application("mentor", capacity=1)
    mentee = make_application("mentee")
    url = program_page.url + program_page.reverse_subpage("my_mentoring")
    client.force_login(mentee.user)
    html = client.get(url).content.decode()
    assert "You are in the pool" in html and mentor.contact_email not in html
    match = propose(mentee, mentor)
    assert mentor.contact_email not in client.get(url).content.decode()  # proposals stay private
    approve(match)
    html = client.get(url).content.decode()
    assert f"Your mentor: {mentor.name}" in html and f"mailto:{mentor.contact_email}" in html
    client.force_login(mentor.user)
    assert f"Your mentee: {mentee.name}" in client.get(url).content.decode()


def test_application_history_records_the_match(make_application, committee):
    mentor = make_application("mentor", capacity=1)
    mentee = make_application("mentee")
    match = approve(propose(mentee, mentor), actor=committee)
    complete(match, actor=committee)
    assert [(e.action, e.actor) for e in mentee.events.all()] == [
        (ApplicationAction.MATCHED, committee),
        (ApplicationAction.MATCH_COMPLETED, committee),
    ]
    # Stored as a code with the partner's name; the words are rendered when shown.
    assert mentor.events.first().params == {"as": "mentor", "partner": mentee.name}
    assert mentor.events.first().describe() == f"Mentor of {mentee.name}"
