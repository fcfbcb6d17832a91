"""Sending the outbox: one connection per batch, one claim per message, recovery, the report."""

from __future__ import annotations

import ast
import datetime
import io
import time
from pathlib import Path

import django
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

import wagtail_mentoring.emails
from tests.mail import CountingBackend, ScriptedBackend
from wagtail_mentoring.emails.outbox import pair_email, queue_email, queue_emails
from wagtail_mentoring.emails.tasks import send_emails
from wagtail_mentoring.models import EmailStatus, Match, MatchStatus, SentEmail


class WorkerStopped(BaseException):
    """What a worker forced to stop raises mid-task (db_worker's second Ctrl+C: SystemExit)."""


def use_backend(settings, backend: str) -> None:
    if django.VERSION >= (6, 1):
        settings.MAILERS = {"default": {"BACKEND": backend}}
    else:
        settings.EMAIL_BACKEND = backend


@pytest.fixture
def counting(settings):
    use_backend(settings, "tests.mail.CountingBackend")
    CountingBackend.opened, CountingBackend.sent, CountingBackend.script = 0, [], []
    yield CountingBackend
    CountingBackend.opened, CountingBackend.sent, CountingBackend.script = 0, [], []


@pytest.fixture
def scripted(settings):
    use_backend(settings, "tests.mail.ScriptedBackend")
    ScriptedBackend.script = []
    mail.outbox = []
    yield ScriptedBackend
    ScriptedBackend.script = []


def queued_rows(make_application, capture, count: int) -> list[int]:
    """``count`` rows in the outbox, committed but not handed to a task."""
    applications = [make_application("mentee") for _ in range(count)]
    with capture(execute=False):
        ids = queue_emails(
            {
                "kind": "application_received",
                "to": [application.contact_email],
                "key": f"batch-{application.pk}",
                "application": application,
            }
            for application in applications
        )
    return sorted(ids)


def statuses(ids) -> list[str]:
    by_pk = dict(SentEmail.objects.filter(pk__in=ids).values_list("pk", "status"))
    return [by_pk[pk] for pk in ids]


# -- one connection per batch ----------------------------------------------------------------


def test_a_batch_is_sent_over_one_connection(
    make_application, counting, django_capture_on_commit_callbacks
):
    ids = queued_rows(make_application, django_capture_on_commit_callbacks, 4)
    outcome = send_emails.enqueue(ids).return_value
    assert outcome == {str(pk): "sent" for pk in ids}
    assert counting.opened == 1
    assert {connection_id for connection_id, _ in counting.sent} == {1}
    assert len(counting.sent) == 4
    assert statuses(ids) == [EmailStatus.SENT] * 4


def test_each_batch_opens_its_own_connection(
    make_application, counting, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_EMAIL_BATCH_SIZE = 2
    applications = [make_application("mentee") for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        queue_emails(
            {
                "kind": "application_received",
                "to": [a.contact_email],
                "key": f"each-{a.pk}",
                "application": a,
            }
            for a in applications
        )
    assert counting.opened == 3  # batches of 2, 2 and 1
    assert SentEmail.objects.filter(status=EmailStatus.SENT).count() == 5


def test_a_dropped_connection_is_opened_again_for_the_rest_of_the_batch(
    make_application, counting, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_EMAIL_RETRY_DELAY = 60
    ids = queued_rows(make_application, django_capture_on_commit_callbacks, 3)
    counting.script = [None, ConnectionResetError("the provider hung up"), None]
    outcome = send_emails.call(ids)
    assert [outcome[str(pk)] for pk in ids] == ["sent", "retrying", "sent"]
    # The batch's connection, and a new one after the error for the row after it.
    assert [connection_id for connection_id, _ in counting.sent] == [1, 2]
    assert statuses(ids) == [EmailStatus.SENT, EmailStatus.QUEUED, EmailStatus.SENT]


# -- one claim per message ----------------------------------------------------------------------


def test_a_worker_stopped_mid_batch_leaves_only_the_email_in_flight_claimed(
    make_application, scripted, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_EMAIL_STALLED_MINUTES = 15
    ids = queued_rows(make_application, django_capture_on_commit_callbacks, 5)
    scripted.script = [None, None, WorkerStopped()]
    with pytest.raises(WorkerStopped):
        send_emails.call(ids)
    # Two sent, the third in flight when the worker stopped, the other two never claimed.
    assert (
        statuses(ids) == [EmailStatus.SENT] * 2 + [EmailStatus.SENDING] + [EmailStatus.QUEUED] * 2
    )

    out = io.StringIO()
    call_command("mentoring_send_emails", stdout=out)
    # The rows the batch never reached go out at once, not after EMAIL_STALLED_MINUTES.
    assert statuses(ids[3:]) == [EmailStatus.SENT] * 2
    in_flight = SentEmail.objects.get(pk=ids[2])
    if connection.vendor == "postgresql":
        # The worker's session is gone (here: it let go), so its claim is released at once.
        assert in_flight.status == EmailStatus.SENT
        assert "1 email of stopped workers queued again" in out.getvalue()
    else:
        # Nothing tells a stopped worker from a slow one: wait for the stalled timeout.
        assert in_flight.status == EmailStatus.SENDING
        SentEmail.objects.filter(pk=in_flight.pk).update(
            status_at=timezone.now() - datetime.timedelta(minutes=16)
        )
        call_command("mentoring_send_emails", stdout=io.StringIO())
        in_flight.refresh_from_db()
        assert in_flight.status == EmailStatus.SENT
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        SentEmail.objects.filter(pk__in=ids).values_list("to", flat=True)
    )


def test_a_row_another_worker_claimed_meanwhile_is_left_to_it(
    make_application, scripted, monkeypatch, django_capture_on_commit_callbacks
):
    ids = queued_rows(make_application, django_capture_on_commit_callbacks, 3)
    post = scripted.post_to_esp

    def other_worker_takes_the_last(self, payload, message):
        # While this batch sends its first row, another task claims the third.
        SentEmail.objects.filter(pk=ids[2]).update(status=EmailStatus.SENDING, claim="other")
        return post(self, payload, message)

    monkeypatch.setattr(scripted, "post_to_esp", other_worker_takes_the_last)
    outcome = send_emails.call(ids)
    assert outcome == {str(ids[0]): "sent", str(ids[1]): "sent"}
    assert SentEmail.objects.get(pk=ids[2]).claim == "other"
    assert len(mail.outbox) == 2


# -- the report -------------------------------------------------------------------------------


def test_the_command_reports_matches_without_introductions(
    make_application, django_capture_on_commit_callbacks
):
    def match(status):
        return Match.objects.create(
            cycle=make_application("mentor").cycle,
            mentor=make_application("mentor", capacity=1),
            mentee=make_application("mentee"),
            status=status,
        )

    introduced, bare, half, active_bare = (
        match(MatchStatus.APPROVED),
        match(MatchStatus.APPROVED),
        match(MatchStatus.APPROVED),
        match(MatchStatus.ACTIVE),
    )
    match(MatchStatus.PROPOSED)  # not introduced yet: nothing is owed
    with django_capture_on_commit_callbacks(execute=False):
        queue_emails(
            pair_email("match_introduction", f"intro-{m.pk}-{role}", m, role, application)
            for m in (introduced, half)
            for role, application in (("mentor", m.mentor), ("mentee", m.mentee))
            if not (m is half and role == "mentee")
        )

    out = io.StringIO()
    call_command("mentoring_send_emails", stdout=out)  # a report: no error raised
    missing = sorted([bare.pk, half.pk, active_bare.pk])
    assert (
        f"3 approved or active matches without introduction emails: "
        f"{', '.join(map(str, missing))}." in out.getvalue()
    )

    quiet = io.StringIO()
    call_command("mentoring_send_emails", verbosity=0, stdout=quiet)  # as from cron
    assert quiet.getvalue().splitlines() == [
        f"3 approved or active matches without introduction emails: {', '.join(map(str, missing))}."
    ]

    SentEmail.objects.all().delete()
    Match.objects.exclude(status=MatchStatus.PROPOSED).delete()
    out = io.StringIO()
    call_command("mentoring_send_emails", stdout=out)
    assert "0 approved or active matches without introduction emails." in out.getvalue()
    quiet = io.StringIO()
    call_command("mentoring_send_emails", verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""  # cron mails nothing while the invariant holds


# -- the modules ----------------------------------------------------------------------------


def _emails_imports() -> dict[str, set[str]]:
    """Which modules of ``wagtail_mentoring.emails`` each one imports, at any level."""
    root = Path(wagtail_mentoring.emails.__file__).parent
    names = {path.stem for path in root.glob("*.py")} - {"__init__"}
    graph = {}
    for name in names:
        tree = ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1 and node.module in names:
                    found.add(node.module)
                elif node.level == 1 and node.module is None:
                    found |= {alias.name for alias in node.names if alias.name in names}
                elif node.level == 2 and node.module and node.module.startswith("emails."):
                    found.add(node.module.split(".")[1])
                elif (node.module or "").startswith("wagtail_mentoring.emails."):
                    found.add(node.module.split(".")[2])
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("wagtail_mentoring.emails."):
                        found.add(alias.name.split(".")[2])
        graph[name] = found - {name}
    return graph


def test_no_import_cycle_between_the_email_modules():
    graph = _emails_imports()
    assert "kinds" in graph["outbox"]  # the graph sees the imports

    def reaches(start, goal, seen=()):
        return any(
            child == goal or (child not in seen and reaches(child, goal, {*seen, child}))
            for child in graph.get(start, ())
        )

    cycles = sorted(name for name in graph if reaches(name, name))
    assert cycles == [], f"emails modules in an import cycle: {cycles}: {graph}"


def test_queue_email_hands_one_row_to_a_task_after_the_commit(
    make_application, counting, django_capture_on_commit_callbacks
):
    application = make_application("mentee")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email, created = queue_email(
            "application_received", ["a@example.org"], key="one", application=application
        )
    assert created and len(callbacks) == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and counting.opened == 1


# -- recovery (PostgreSQL) --------------------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a worker's claims are tied to its PostgreSQL session: run with DATABASE_URL=postgres://...",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_live_workers_batch_is_left_alone_and_a_dead_ones_released_at_once(
    make_application, counting
):
    import threading

    ids = []
    for i in range(6):
        application = make_application("mentee")
        email, _ = queue_email(
            "application_received",
            [application.contact_email],
            key=f"live-{i}",
            application=application,
        )
        ids.append(email.pk)
    # Queued in autocommit: each was sent at once. Queue them again, untouched by a task.
    SentEmail.objects.filter(pk__in=ids).update(
        status=EmailStatus.QUEUED, claim="", enqueued_at=timezone.now()
    )
    live, dead, legacy = ids[:3], ids[3], ids[4]
    counting.opened, counting.sent = 0, []
    go_on = threading.Event()
    counting.script = [None, lambda: go_on.wait(20)]
    worker = threading.Thread(target=lambda: (send_emails.call(live), connection.close()))
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while statuses(live) != [EmailStatus.SENT, EmailStatus.SENDING, EmailStatus.QUEUED]:
            assert time.monotonic() < deadline, statuses(live)
            time.sleep(0.01)
        # A worker that died mid-send (no session holds its token), and a row claimed
        # by an older version, whose claim names no lock.
        SentEmail.objects.filter(pk=dead).update(status=EmailStatus.SENDING, claim="w1:" + "0" * 29)
        SentEmail.objects.filter(pk=legacy).update(status=EmailStatus.SENDING, claim="ab" * 16)

        out = io.StringIO()
        call_command("mentoring_send_emails", stdout=out)
        assert "1 email of stopped workers queued again" in out.getvalue()
        assert SentEmail.objects.get(pk=dead).status == EmailStatus.SENT
        assert SentEmail.objects.get(pk=legacy).status == EmailStatus.SENDING  # stalled timeout
        # The live batch: untouched.
        assert statuses(live) == [EmailStatus.SENT, EmailStatus.SENDING, EmailStatus.QUEUED]
    finally:
        go_on.set()
        worker.join(30)
    assert statuses(live) == [EmailStatus.SENT] * 3
    assert [e.action for e in SentEmail.objects.get(pk=dead).timeline()][-2:] == [
        "queued again",
        "sent",
    ]


def test_a_provider_unreachable_at_the_start_of_a_batch_retries_each_row(
    make_application, counting, monkeypatch, django_capture_on_commit_callbacks
):
    ids = queued_rows(make_application, django_capture_on_commit_callbacks, 2)

    def unreachable(self):
        raise ConnectionRefusedError("the provider is down")

    monkeypatch.setattr(counting, "open", unreachable)
    outcome = send_emails.call(ids)
    assert outcome == {str(pk): "retrying" for pk in ids}
    assert all(
        email.attempts == 1 and "ConnectionRefusedError" in email.last_error
        for email in SentEmail.objects.filter(pk__in=ids)
    )
    assert statuses(ids) == [EmailStatus.QUEUED] * 2
