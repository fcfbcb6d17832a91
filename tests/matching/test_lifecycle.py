"""Each lifecycle transition: the statuses, the one typed event and the exact emails it
writes, in one transaction, and nothing more when it is called again."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from wagtail_mentoring import signals
from wagtail_mentoring.matching import lifecycle
from wagtail_mentoring.matching.lifecycle import ALUMNI_GROUP, MatchingError
from wagtail_mentoring.matching.suggest import suggest_for_cycle
from wagtail_mentoring.models import (
    AfterEnd,
    Application,
    ApplicationStatus,
    FlagCause,
    Match,
    MatchAction,
    MatchEvent,
    MatchStatus,
    SentEmail,
)

S = ApplicationStatus


@pytest.fixture
def pair(make_application, make_user):
    mentor = make_application(
        "mentor", capacity=2, user=make_user(first_name="Ben", last_name="Hughes")
    )
    mentee = make_application("mentee", user=make_user(first_name="Amara", last_name="Okafor"))
    return mentor, mentee


def _proposed(mentor, mentee):
    return lifecycle.propose(mentee, mentor)


def _pinned(mentor, mentee):
    return lifecycle.propose(mentee, mentor, pinned=True)


def _approved(mentor, mentee):
    return lifecycle.approve(lifecycle.propose(mentee, mentor))


def _active(mentor, mentee):
    return lifecycle.start(_approved(mentor, mentee))


def _discarded(mentor, mentee):
    match = lifecycle.propose(mentee, mentor)
    lifecycle.discard_many([match])
    return match


def _nothing(mentor, mentee):
    return None


@dataclasses.dataclass
class Case:
    name: str
    setup: Callable
    run: Callable  # (match, mentor, mentee) -> the match changed
    status: str
    applications: tuple[str, str]  # mentor's, mentee's
    action: str
    params: dict
    emails: str = ""  # the email kind sent to both, keyed "match-<pk>-<what>-<role>"
    from_status: str = ""


CASES = [
    Case(
        "propose",
        _nothing,
        lambda m, mentor, mentee: lifecycle.propose(mentee, mentor, score=50),
        MatchStatus.PROPOSED,
        (S.SUBMITTED, S.SUBMITTED),
        MatchAction.PROPOSED,
        {},
    ),
    Case(
        "pin",
        _proposed,
        lambda m, *_: lifecycle.pin(m),
        MatchStatus.PROPOSED,
        (S.SUBMITTED, S.SUBMITTED),
        MatchAction.PINNED,
        {},
        from_status=MatchStatus.PROPOSED,
    ),
    Case(
        "unpin",
        _pinned,
        lambda m, *_: lifecycle.unpin(m),
        MatchStatus.PROPOSED,
        (S.SUBMITTED, S.SUBMITTED),
        MatchAction.UNPINNED,
        {},
        from_status=MatchStatus.PROPOSED,
    ),
    Case(
        "approve",
        _proposed,
        lambda m, *_: lifecycle.approve(m),
        MatchStatus.APPROVED,
        (S.MATCHED, S.MATCHED),
        MatchAction.APPROVED,
        {},
        "introduction",
        MatchStatus.PROPOSED,
    ),
    Case(
        "approve_many",
        _proposed,
        lambda m, *_: lifecycle.approve_many([m])[0][0],
        MatchStatus.APPROVED,
        (S.MATCHED, S.MATCHED),
        MatchAction.APPROVED,
        {},
        "introduction",
        MatchStatus.PROPOSED,
    ),
    Case(
        "reject",
        _proposed,
        lambda m, *_: lifecycle.reject(m, reason="Same branch after all"),
        MatchStatus.REJECTED,
        (S.SUBMITTED, S.SUBMITTED),
        MatchAction.REJECTED,
        {"reason": "Same branch after all"},
        from_status=MatchStatus.PROPOSED,
    ),
    Case(
        "discard_many",
        _proposed,
        lambda m, *_: lifecycle.discard_many([m]) and m,
        MatchStatus.REJECTED,
        (S.SUBMITTED, S.SUBMITTED),
        MatchAction.DISCARDED,
        {},
        from_status=MatchStatus.PROPOSED,
    ),
    Case(
        "restore",
        _discarded,
        lambda m, *_: lifecycle.restore(m),
        MatchStatus.REJECTED,
        (S.SUBMITTED, S.SUBMITTED),
        MatchAction.RESTORED,
        {},
        from_status=MatchStatus.REJECTED,
    ),
    Case(
        "replace_proposals",
        _proposed,
        lambda m, *_: lifecycle.replace_proposals(m.cycle, []) and m,
        MatchStatus.REJECTED,
        (S.SUBMITTED, S.SUBMITTED),
        MatchAction.REPLACED,
        {"replaced_by_run": ...},
        from_status=MatchStatus.PROPOSED,
    ),
    Case(
        "start",
        _approved,
        lambda m, *_: lifecycle.start(m),
        MatchStatus.ACTIVE,
        (S.MATCHED, S.MATCHED),
        MatchAction.STARTED,
        {},
        from_status=MatchStatus.APPROVED,
    ),
    Case(
        "start_many",
        _approved,
        lambda m, *_: lifecycle.start_many([m.pk])[0],
        MatchStatus.ACTIVE,
        (S.MATCHED, S.MATCHED),
        MatchAction.STARTED,
        {},
        from_status=MatchStatus.APPROVED,
    ),
    Case(
        "flag",
        _active,
        lambda m, *_: (
            lifecycle.flag(m, cause=FlagCause.MEMBERSHIP, role="mentor", state="lapsed") and m
        ),
        MatchStatus.ACTIVE,
        (S.MATCHED, S.MATCHED),
        MatchAction.FLAGGED,
        {"cause": "membership", "role": "mentor", "state": "lapsed"},
        from_status=MatchStatus.ACTIVE,
    ),
    Case(
        "complete",
        _active,
        lambda m, *_: lifecycle.complete(m),
        MatchStatus.COMPLETED,
        (S.COMPLETED, S.COMPLETED),
        MatchAction.COMPLETED,
        {},
        "completed",
        MatchStatus.ACTIVE,
    ),
    Case(
        "complete_many",
        _approved,
        lambda m, *_: lifecycle.complete_many([m.pk])[0],
        MatchStatus.COMPLETED,
        (S.COMPLETED, S.COMPLETED),
        MatchAction.COMPLETED,
        {},
        "completed",
        MatchStatus.APPROVED,
    ),
    Case(
        "end_early back to the pool",
        _active,
        lambda m, *_: lifecycle.end_early(m, "Moved overseas", then=AfterEnd.POOL),
        MatchStatus.ENDED_EARLY,
        (S.IN_POOL, S.IN_POOL),
        MatchAction.ENDED,
        {"reason": "Moved overseas", "then": "pool"},
        "ended",
        MatchStatus.ACTIVE,
    ),
    Case(
        "end_early closed",
        _approved,
        lambda m, *_: lifecycle.end_early(m, "Moved overseas", then=AfterEnd.CLOSE),
        MatchStatus.ENDED_EARLY,
        (S.CLOSED, S.CLOSED),
        MatchAction.ENDED,
        {"reason": "Moved overseas", "then": "close"},
        "ended",
        MatchStatus.APPROVED,
    ),
]


def _emails_since(last_pk):
    return sorted(
        SentEmail.objects.filter(pk__gt=last_pk).values_list("kind", "idempotency_key", "to")
    )


def _last_pk(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _expected_emails(case, match, mentor, mentee):
    if not case.emails:
        return []
    kind = {"introduction": "match_introduction", "completed": "match_completed"}.get(
        case.emails, "match_ended"
    )
    return sorted(
        (kind, f"match-{match.pk}-{case.emails}-{role}", application.contact_email)
        for role, application in (("mentor", mentor), ("mentee", mentee))
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_transition_writes_its_statuses_one_event_and_its_emails(
    case, pair, django_capture_on_commit_callbacks
):
    mentor, mentee = pair
    match = case.setup(mentor, mentee)
    events, emails = _last_pk(MatchEvent), _last_pk(SentEmail)
    with django_capture_on_commit_callbacks(execute=True):
        match = case.run(match, mentor, mentee)
    match.refresh_from_db()
    mentor.refresh_from_db()
    mentee.refresh_from_db()
    assert match.status == case.status
    assert (mentor.status, mentee.status) == case.applications
    written = list(MatchEvent.objects.filter(pk__gt=events))
    assert [(e.match_id, e.action, e.from_status, e.to_status) for e in written] == [
        (match.pk, case.action, case.from_status, case.status)
    ]
    params = written[0].params
    if ... in case.params.values():
        assert set(params) == set(case.params) and all(params.values())
    else:
        assert params == case.params
    assert _emails_since(emails) == _expected_emails(case, match, mentor, mentee)
    # Stored as codes, rendered in words when shown.
    assert written[0].describe() and written[0].describe() != written[0].action


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_transition_called_again_writes_nothing(case, pair):
    mentor, mentee = pair
    match = case.run(case.setup(mentor, mentee), mentor, mentee)
    before = (
        MatchEvent.objects.count(),
        SentEmail.objects.count(),
        sorted(Match.objects.values_list("pk", "status", "pinned", "discarded", "flag_cause")),
        sorted(Application.objects.values_list("pk", "status")),
    )
    # Refused, or left out of a batch's answer.
    with contextlib.suppress(MatchingError, IndexError):
        case.run(match, mentor, mentee)
    after = (
        MatchEvent.objects.count(),
        SentEmail.objects.count(),
        sorted(Match.objects.values_list("pk", "status", "pinned", "discarded", "flag_cause")),
        sorted(Application.objects.values_list("pk", "status")),
    )
    if case.name == "replace_proposals":  # a new run with nothing to replace
        assert after[1:] == before[1:]
    else:
        assert after == before


def test_the_schedule_twice_writes_nothing_new(active_pair_due):
    from wagtail_mentoring.schedule import run_schedule

    run_schedule()
    counts = (MatchEvent.objects.count(), SentEmail.objects.count())
    run_schedule()
    assert (MatchEvent.objects.count(), SentEmail.objects.count()) == counts
    assert Match.objects.get().status == MatchStatus.COMPLETED


@pytest.fixture
def active_pair_due(pair):
    import datetime

    from django.utils import timezone

    mentor, mentee = pair
    match = lifecycle.approve(
        lifecycle.propose(mentee, mentor),
        start_date=timezone.localdate() - datetime.timedelta(days=400),
    )
    return match


# -- one transaction: all or nothing ---------------------------------------------------------


def _boom(*args, **kwargs):
    raise RuntimeError("injected")


@pytest.mark.parametrize(
    ("setup", "change", "kind"),
    [
        (_proposed, lifecycle.approve, "match_introduction"),
        (_approved, lifecycle.complete, "match_completed"),
        (_approved, lambda m: lifecycle.end_early(m, "Moved", then="pool"), "match_ended"),
    ],
    ids=["approve", "complete", "end_early"],
)
def test_a_failure_after_the_status_write_rolls_back_the_emails(
    pair, monkeypatch, setup, change, kind
):
    mentor, mentee = pair
    match = setup(mentor, mentee)
    before = (
        match.status,
        sorted(Application.objects.values_list("pk", "status")),
        MatchEvent.objects.count(),
        Group.objects.filter(name=ALUMNI_GROUP).exists(),
    )
    # The statuses and the emails are written; then the event fails.
    monkeypatch.setattr(MatchEvent.objects, "bulk_create", _boom)
    with pytest.raises(RuntimeError, match="injected"):
        change(match)
    match.refresh_from_db()
    after = (
        match.status,
        sorted(Application.objects.values_list("pk", "status")),
        MatchEvent.objects.count(),
        Group.objects.filter(name=ALUMNI_GROUP).exists(),
    )
    assert after == before
    assert not SentEmail.objects.filter(kind=kind).exists()


def test_a_failure_while_queueing_rolls_back_the_status(pair, monkeypatch):
    mentor, mentee = pair
    match = lifecycle.propose(mentee, mentor)
    monkeypatch.setattr(lifecycle, "queue_emails", _boom)
    with pytest.raises(RuntimeError, match="injected"):
        lifecycle.approve(match)
    match.refresh_from_db()
    mentor.refresh_from_db()
    mentee.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED
    assert (mentor.status, mentee.status) == (S.SUBMITTED, S.SUBMITTED)
    assert [e.action for e in match.events.all()] == [MatchAction.PROPOSED]
    assert not SentEmail.objects.exists()


def test_approve_many_reports_a_failed_row_and_goes_on(make_application, monkeypatch):
    mentor = make_application("mentor", capacity=3)
    first = lifecycle.propose(make_application("mentee"), mentor)
    second = lifecycle.propose(make_application("mentee"), mentor)
    real = lifecycle.queue_emails
    calls = []

    def fail_once(items):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the outbox is down")
        return real(items)

    monkeypatch.setattr(lifecycle, "queue_emails", fail_once)
    approved, refused = lifecycle.approve_many([first, second])
    assert [m.pk for m in approved] == [second.pk]
    assert [m.pk for m, _reason in refused] == [first.pk]
    assert "nothing changed" in refused[0][1]
    first.refresh_from_db()
    assert first.status == MatchStatus.PROPOSED
    assert set(SentEmail.objects.values_list("match_id", flat=True)) == {second.pk}


def test_the_package_needs_none_of_its_signal_receivers(pair, django_capture_on_commit_callbacks):
    mentor, mentee = pair
    ours = [
        signals.match_proposed,
        signals.match_approved,
        signals.match_rejected,
        signals.match_ended,
        signals.match_completed,
    ]
    saved = [(signal, signal.receivers[:]) for signal in ours]
    try:
        for signal in ours:
            signal.receivers.clear()
            signal.sender_receivers_cache.clear()
        with django_capture_on_commit_callbacks(execute=True):
            match = lifecycle.approve(lifecycle.propose(mentee, mentor))
            lifecycle.complete(match)
    finally:
        for signal, receivers in saved:
            signal.receivers[:] = receivers
            signal.sender_receivers_cache.clear()
    assert sorted(SentEmail.objects.values_list("kind", "idempotency_key")) == sorted(
        [
            ("match_completed", f"match-{match.pk}-completed-mentee"),
            ("match_completed", f"match-{match.pk}-completed-mentor"),
            ("match_introduction", f"match-{match.pk}-introduction-mentee"),
            ("match_introduction", f"match-{match.pk}-introduction-mentor"),
        ]
    )
    assert set(Group.objects.get(name=ALUMNI_GROUP).user_set.all()) == {mentor.user, mentee.user}


# -- the right states -------------------------------------------------------------------------


def test_ended_early_back_in_the_pool_keeps_the_waiting_time_and_can_be_matched_again(
    pair, make_application, open_cycle
):
    mentor, mentee = pair
    submitted = mentee.submitted_at
    match = lifecycle.approve(lifecycle.propose(mentee, mentor))
    lifecycle.end_early(match, "Not a good fit", then=AfterEnd.POOL)
    mentee.refresh_from_db()
    assert mentee.status == S.IN_POOL and mentee.submitted_at == submitted
    other = make_application("mentor", capacity=1)
    run = suggest_for_cycle(open_cycle)
    # Back in the pool: proposed again, to another mentor (the same pair met before).
    assert {(m.mentee_id, m.mentor_id) for m in run.proposed} == {(mentee.pk, other.pk)}
    assert not Group.objects.filter(name=ALUMNI_GROUP, user=mentee.user).exists()


def test_only_a_completed_pairing_makes_an_alumnus(pair, make_application, client, program_page):
    mentor, mentee = pair
    ended = lifecycle.approve(lifecycle.propose(mentee, mentor))
    lifecycle.end_early(ended, "Moved overseas", then=AfterEnd.POOL)
    mentor.refresh_from_db()
    mentee.refresh_from_db()
    assert S.COMPLETED not in (mentor.status, mentee.status)
    url = program_page.url + program_page.reverse_subpage("my_mentoring")
    client.force_login(mentee.user)
    assert 'name="alumni_listing_consent"' not in client.get(url).content.decode()
    assert not Group.objects.filter(name=ALUMNI_GROUP).exists()
    # A second mentee completes with the same mentor: the mentor is an alumnus now.
    completed = lifecycle.complete(
        lifecycle.approve(lifecycle.propose(make_application("mentee"), mentor))
    )
    mentor.refresh_from_db()
    assert mentor.status == S.COMPLETED
    client.force_login(completed.mentee.user)
    assert 'name="alumni_listing_consent"' in client.get(url).content.decode()


def test_a_mentor_with_another_live_match_stays_matched(pair, make_application):
    mentor, mentee = pair
    first = lifecycle.approve(lifecycle.propose(mentee, mentor))
    lifecycle.approve(lifecycle.propose(make_application("mentee"), mentor))
    lifecycle.end_early(first, "Moved overseas", then=AfterEnd.CLOSE)
    mentor.refresh_from_db()
    mentee.refresh_from_db()
    assert (mentor.status, mentee.status) == (S.MATCHED, S.CLOSED)


@pytest.fixture
def suggestable(make_application, topics):
    mentor = make_application("mentor", capacity=1)
    mentee = make_application("mentee")
    for application in (mentor, mentee):
        application.topics.set([topics[0]])
    return mentor, mentee


def test_a_discarded_pair_stays_out_of_the_cycle_until_restored(suggestable, open_cycle):
    mentor, mentee = suggestable
    (proposal,) = suggest_for_cycle(open_cycle).proposed
    assert (proposal.mentee_id, proposal.mentor_id) == (mentee.pk, mentor.pk)
    assert lifecycle.discard_many([proposal]) == 1
    assert suggest_for_cycle(open_cycle).proposed == []
    assert suggest_for_cycle(open_cycle).proposed == []
    lifecycle.restore(proposal)
    (again,) = suggest_for_cycle(open_cycle).proposed
    assert (again.mentee_id, again.mentor_id) == (mentee.pk, mentor.pk)


def test_a_pair_replaced_by_a_new_run_may_come_back(suggestable, open_cycle):
    first = suggest_for_cycle(open_cycle).proposed[0]
    second = suggest_for_cycle(open_cycle).proposed[0]
    first.refresh_from_db()
    assert first.status == MatchStatus.REJECTED and not first.discarded
    assert (second.mentee_id, second.mentor_id) == (first.mentee_id, first.mentor_id)
    replaced = first.events.get(action=MatchAction.REPLACED)
    assert replaced.params["replaced_by_run"] == second.events.get().params["run"]


# -- the admin --------------------------------------------------------------------------------


def test_the_committee_restores_a_discarded_pair_from_the_cycle(
    committee_client, suggestable, open_cycle
):
    proposal = suggest_for_cycle(open_cycle).proposed[0]
    url = reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk])
    committee_client.post(url, {"action": "discard_selected", "match": [proposal.pk]})
    page = committee_client.get(url).content.decode()
    assert "data-discarded" in page and "Restore: suggest" in page
    response = committee_client.post(url, {"action": "restore", "match": proposal.pk}, follow=True)
    assert "may be suggested again" in response.content.decode()
    proposal.refresh_from_db()
    assert not proposal.discarded
    assert "data-discarded" not in committee_client.get(url).content.decode()


def test_an_editor_cannot_restore(client, make_user, suggestable, open_cycle):
    proposal = suggest_for_cycle(open_cycle).proposed[0]
    lifecycle.discard_many([proposal])
    editor = make_user(username="editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    url = reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk])
    response = client.post(url, {"action": "restore", "match": proposal.pk})
    assert response.status_code in (302, 403)
    proposal.refresh_from_db()
    assert proposal.discarded


def test_the_end_early_form_offers_the_pool_or_closing(committee_client, pair):
    mentor, mentee = pair
    match = lifecycle.approve(lifecycle.propose(mentee, mentor))
    url = reverse("wagtail_mentoring_end_match", args=[match.pk])
    page = committee_client.get(url).content.decode()
    assert 'value="pool"' in page and 'value="close"' in page
    response = committee_client.post(url, {"reason": "Moved overseas", "then": "close"})
    assert response.status_code == 302
    mentor.refresh_from_db()
    mentee.refresh_from_db()
    assert (mentor.status, mentee.status) == (S.CLOSED, S.CLOSED)
    assert "both applications closed" in MatchEvent.objects.filter(match=match).last().describe()


def test_one_click_approval_uses_the_batch_approve_and_scores_only_the_pair(
    committee_client, suggestable, monkeypatch
):
    mentor, mentee = suggestable
    from wagtail_mentoring.admin import matching_views

    def every_suggestion(*args, **kwargs):
        raise AssertionError("the one-click path must not rank every mentor")

    monkeypatch.setattr(matching_views, "suggest_mentors", every_suggestion)
    approvals = []
    real = lifecycle.approve
    monkeypatch.setattr(
        lifecycle, "approve", lambda match, **kw: approvals.append(match.pk) or real(match, **kw)
    )
    url = reverse("wagtail_mentoring_matching_mentee", args=[mentee.pk])
    committee_client.post(url, {"mentor": mentor.pk, "action": "approve"})
    match = Match.objects.get()
    assert approvals == [match.pk] and match.status == MatchStatus.APPROVED
    assert match.score > 0 and match.explanation
