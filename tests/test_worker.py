"""A real django-tasks-db worker, killed with SIGKILL mid-batch, loses and repeats nothing.

The worker runs in a subprocess (``manage.py db_worker`` with tests/settings_worker.py)
against this test's own PostgreSQL database; its email backend records every message it
accepts in a file, fsynced, a little slowly, so that a kill lands in the middle of a
batch. After each kill the test recovers as the email reference says: it runs
``mentoring_send_emails`` and starts a worker again.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from wagtail_mentoring.emails.outbox import queue_emails
from wagtail_mentoring.models import EmailEvent, EmailStatus, SentEmail

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a worker killed mid-batch is recovered through PostgreSQL's session locks: "
    "run with DATABASE_URL=postgres://...",
)

REPO = Path(__file__).resolve().parent.parent
EMAILS = 300
BATCH = 25
KILLS = 4
DELAY = 0.02  # seconds per message, at the provider


def database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, log: Path, number: int, *extra: str):
        self.name = f"mentoring-worker-{os.getpid()}-{number}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings_worker",
            "DATABASE_URL": database_url(),
            "MENTORING_SEND_LOG": str(log),
            "MENTORING_SEND_DELAY": str(DELAY),
            "MENTORING_BATCH_SIZE": str(BATCH),
            "MENTORING_WORKER_NAME": self.name,
        }
        self.stderr = log.with_name(f"worker-{number}.err")
        command = [sys.executable, "-m", "django", "db_worker", "--interval", "0.05"]
        command += ["--no-startup-delay", "--no-reload", "--verbosity", "0", *extra]
        with self.stderr.open("wb") as stderr:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        # The server ends the dead worker's session (and drops its locks) once it sees
        # the connection close; wait for that, as a restart a moment later would.
        deadline = time.monotonic() + 10
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                    [self.name],
                )
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.02)
        raise AssertionError(f"the server still has a session of {self.name}")

    def errors(self) -> str:
        return self.stderr.read_text(errors="replace")


def sends(log: Path) -> list[tuple[int, str]]:
    """(outbox id, connection) of each message the provider accepted, in order."""
    if not log.exists():
        return []
    lines = log.read_text().splitlines()
    return [(int(pk), conn) for pk, _, conn in (line.split() for line in lines)]


def wait_until(condition, timeout: float, what: str, worker: Worker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker.process.poll() is not None:
            raise AssertionError(f"the worker stopped before {what}:\n{worker.errors()}")
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting until {what}:\n{worker.errors()}")


@pytest.mark.django_db(transaction=True)
def test_workers_killed_mid_batch_send_everything_once_but_the_message_in_flight(
    tmp_path, settings, make_application
):
    started = time.monotonic()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WAGTAIL_MENTORING_EMAIL_BATCH_SIZE = BATCH
    settings.WAGTAIL_MENTORING_EMAIL_STALLED_MINUTES = 15
    applications = [make_application("mentee") for _ in range(10)]
    ids = queue_emails(
        {
            "kind": "application_received",
            "to": [applications[i % 10].contact_email],
            "key": f"worker-{i}",
            "application": applications[i % 10],
        }
        for i in range(EMAILS)
    )
    assert len(ids) == EMAILS  # committed, and handed to the database queue in batches
    log = tmp_path / "sent.log"

    in_flight: list[set[int]] = []
    for number in range(KILLS):
        worker = Worker(log, number)

        def mid_batch(worker=worker):
            # This worker has sent a few messages of its first batch.
            return sum(conn.startswith(f"{worker.pid}-") for _, conn in sends(log)) >= 5

        wait_until(mid_batch, 30, "it sent part of a batch", worker)
        worker.kill()

        # What the kill left: at most the message in flight claimed, the rest queued.
        claimed = set(
            SentEmail.objects.filter(status=EmailStatus.SENDING).values_list("pk", flat=True)
        )
        assert len(claimed) <= 1, claimed
        in_flight.append(claimed)
        unsent = SentEmail.objects.filter(pk__in=ids).exclude(status=EmailStatus.SENT).count()

        out = io.StringIO()
        call_command("mentoring_send_emails", stdout=out)
        released = int(re.search(r"(\d+) emails? of stopped workers", out.getvalue())[1])
        # The batch's unsent rows, and the message in flight, are queued again at once.
        assert released >= len(claimed) + 1, out.getvalue()
        assert not SentEmail.objects.filter(status=EmailStatus.SENDING).exists()
        assert SentEmail.objects.filter(pk__in=ids, status=EmailStatus.QUEUED).count() == unsent
        assert "0 stalled emails" in out.getvalue()

    last = Worker(log, KILLS, "--batch")  # sends everything that is queued, then exits
    last.process.wait(timeout=60)
    assert last.process.returncode == 0, last.errors()

    assert SentEmail.objects.filter(pk__in=ids, status=EmailStatus.SENT).count() == EMAILS
    times = Counter(pk for pk, _ in sends(log))
    assert set(times) == set(ids)  # every row reached the provider
    twice = {pk for pk, count in times.items() if count > 1}
    assert all(count <= 2 for count in times.values())
    # Only a message in flight at a kill can have gone out twice, at most one per kill.
    assert twice <= set().union(*in_flight) and len(twice) <= KILLS
    # No row waited for EMAIL_STALLED_MINUTES: each was sent within this test's minute,
    # and the only rows queued again were the killed workers' messages in flight.
    assert time.monotonic() - started < 15 * 60
    requeued = set(
        EmailEvent.objects.filter(action="queued again").values_list("email_id", flat=True)
    )
    assert requeued == set().union(*in_flight)
    # One connection per batch: a batch's messages share it.
    per_connection = Counter(conn for _, conn in sends(log))
    assert max(per_connection.values()) <= BATCH
    assert len(per_connection) <= EMAILS // 5
