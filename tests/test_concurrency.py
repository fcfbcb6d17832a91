"""Races that only a real database server can show (run with DATABASE_URL=postgres://…)."""

import threading
import time
from functools import partial

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import application_data
from wagtail_mentoring.matching import lifecycle
from wagtail_mentoring.models import Application, Match, MatchStatus
from wagtail_mentoring.models.matches import HOLDS_CAPACITY


def _refused(error):
    return isinstance(error, lifecycle.MatchingError)


pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency is proved on PostgreSQL: run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.usefixtures("no_spam_timer"),
]


def _in_parallel(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)
    errors = []

    def run(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_create_exactly_one_application(
    member, mentee_page, open_cycle, topics
):
    data = application_data("mentee", topics)
    clients = []
    for _ in range(4):
        client = Client()
        client.force_login(member)
        clients.append(client)

    responses = _in_parallel([lambda c=c: c.post(mentee_page.url, data) for c in clients])

    assert [r.status_code for r in responses] == [200] * 4
    bodies = [r.content.decode() for r in responses]
    assert sum("Thank you for applying" in b for b in bodies) == 1
    assert sum("You have already applied" in b for b in bodies) == 3
    assert Application.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["mia@example.org"]]


ROUNDS = 30


def _race(functions):
    """Run ``functions`` at once; (results, errors) with each error in its own slot."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)
    errors = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except Exception as error:  # counted by the test
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def _deadlock(error) -> bool:
    return error is not None and "deadlock" in str(error).lower()


@pytest.mark.django_db(transaction=True)
def test_propose_and_approve_of_one_pair_at_once_never_deadlock(make_application):
    deadlocks, other = 0, []
    for _ in range(ROUNDS):
        mentor = make_application("mentor", capacity=1)
        mentee = make_application("mentee")
        proposal = lifecycle.propose(mentee, mentor)
        _results, errors = _race(
            [
                partial(lifecycle.approve, proposal),
                partial(lifecycle.propose, mentee, mentor),
            ]
        )
        deadlocks += sum(_deadlock(error) for error in errors)
        other += [e for e in errors if e is not None and not _deadlock(e) and not _refused(e)]
        assert Match.objects.filter(mentor=mentor, status__in=HOLDS_CAPACITY).count() <= 1
    assert (deadlocks, other) == (0, [])


@pytest.mark.django_db(transaction=True)
def test_two_batches_in_opposite_orders_never_deadlock_nor_exceed_capacity(make_application):
    deadlocks, approved = 0, 0
    for _ in range(ROUNDS):
        mentors = [make_application("mentor", capacity=1) for _ in range(2)]
        proposals = [
            lifecycle.propose(make_application("mentee"), mentor)
            for mentor in mentors
            for _ in range(2)
        ]
        (first, second), errors = _race(
            [
                partial(lifecycle.approve_many, proposals),
                partial(lifecycle.approve_many, list(reversed(proposals))),
            ]
        )
        deadlocks += sum(_deadlock(error) for error in errors)
        assert errors == [None, None]
        for mentor in mentors:
            held = Match.objects.filter(mentor=mentor, status__in=HOLDS_CAPACITY).count()
            assert held == 1
        approved += len(first[0]) + len(second[0])
    assert deadlocks == 0
    assert approved == 2 * ROUNDS


def _committee_client(make_user):
    """A committee member (the group's permissions: a transactional test flushes the group)."""
    from django.contrib.auth.models import Permission

    user = make_user(username="chair")
    user.user_permissions.add(
        Permission.objects.get(codename="manage_mentoring"),
        Permission.objects.get(codename="access_admin"),
    )
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _approving_meanwhile(match, timeout=10.0):
    """Approve ``match`` in another connection, and commit only once someone waits for
    its locks (or after ``timeout`` seconds)."""
    locked = threading.Event()

    def approve():
        try:
            with transaction.atomic():
                lifecycle.approve(match)
                locked.set()
                deadline = time.monotonic() + timeout
                with connection.cursor() as cursor:
                    while time.monotonic() < deadline:
                        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.02)
        finally:
            locked.set()
            connection.close()

    thread = threading.Thread(target=approve)
    thread.start()
    assert locked.wait(timeout=10)
    return thread


@pytest.mark.parametrize("action", ["pin", "unpin", "discard_selected"])
@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_proposal_another_member_approves_meanwhile_reports_it_and_goes_on(
    make_application, make_user, open_cycle, action
):
    mentor = make_application("mentor", capacity=2)
    pinned = action == "unpin"
    taken = lifecycle.propose(make_application("mentee"), mentor, pinned=pinned)
    other = lifecycle.propose(make_application("mentee"), mentor, pinned=pinned)
    client = _committee_client(make_user)
    url = reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk])
    # The page read both as proposals; the first is approved before its turn comes.
    thread = _approving_meanwhile(taken)
    response = client.post(url, {"action": action, "match": [taken.pk, other.pk]}, follow=True)
    thread.join()
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    verb = "discarded" if action == "discard_selected" else "pinned or unpinned"
    assert (
        f"Not changed: {taken.mentor.name} and {taken.mentee.name}: Only a proposed match "
        f"can be {verb}; this one is approved and introduced."
    ) in page
    assert "1 proposal" in page
    taken.refresh_from_db()
    other.refresh_from_db()
    assert taken.status == MatchStatus.APPROVED and taken.pinned == pinned
    if action == "discard_selected":
        assert other.status == MatchStatus.REJECTED and other.discarded
    else:
        assert other.pinned == (action == "pin")
