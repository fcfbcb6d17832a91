"""Benchmark: queue and send emails through the outbox, end to end.

Run from the repository root, with no arguments::

    .venv/bin/python benchmarks/email.py

In one in-memory SQLite database (tests.settings), with django-anymail's test backend
and django-tasks' immediate backend, 5,000 applications are stored and one
"application received" email per application goes through the whole pipeline (queue,
commit, task, claim, render, send, record) in two ways:

- one email per transaction, ``queue_email()`` as the application service calls it
  (each commit runs a task for one row);
- ``queue_emails()`` for 500 emails per transaction, as a sender of many emails at
  once (the schedule) calls it; the commit runs tasks of ``EMAIL_BATCH_SIZE`` rows.

Baselines in the same process, over the same applications: (a) Django's
``EmailMultiAlternatives.send()`` of a message rendered beforehand (the cost of the
backend alone), and (b) rendering the same template set and sending it without the
outbox (what sending straight from the request used to cost).

Memory: the batched pipeline runs again under ``tracemalloc`` for 1,000 and for 5,000
messages and the peaks are compared; flat means the 5,000 peak is not five times the
1,000 peak. anymail's test backend keeps every message in ``mail.outbox`` (a real
provider keeps nothing here), so the benchmark empties it every 500 messages.

Queries are counted with a wrapper that stores nothing. Nothing asserts a timing; the
last line of output is one JSON object.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file's name hides the standard library's ``email`` package from anything that
# imports it while the benchmarks folder is first on the path: take the folder off.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

REPO = HERE.parent
MESSAGES = 5_000
MEMORY_SIZES = (1_000, 5_000)
CLEAR_EVERY = 500
GOAL_MESSAGES_PER_S = 300.0


def setup_django() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()

    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    backend = "anymail.backends.test.EmailBackend"
    if django.VERSION >= (6, 1):
        settings.MAILERS = {"default": {"BACKEND": backend}}
    else:
        settings.EMAIL_BACKEND = backend
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    connection.creation.create_test_db(verbosity=0, serialize=False)


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def make_applications(n: int):
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from wagtail.models import Page

    from tests.conftest import ensure_page_tree
    from wagtail_mentoring.models import Application, Cycle, MentoringProgramPage

    home = ensure_page_tree()
    program = MentoringProgramPage(title="Mentoring", slug="mentoring")
    home.add_child(instance=program)
    program = Page.objects.get(pk=program.pk).specific
    now = timezone.now()
    cycle = Cycle.objects.create(
        program_page=program,
        name="2027 cycle",
        applications_open=now - datetime.timedelta(days=1),
        applications_close=now + datetime.timedelta(days=30),
        pairing_start=(now + datetime.timedelta(days=60)).date(),
        matching_deadline=(now + datetime.timedelta(days=45)).date(),
    )
    User = get_user_model()
    User.objects.bulk_create(
        User(username=f"member{i}", email=f"member{i}@example.org", first_name="Member")
        for i in range(n)
    )
    users = list(User.objects.filter(username__startswith="member").order_by("pk"))
    Application.objects.bulk_create(
        Application(
            user=user,
            cycle=cycle,
            role="mentee",
            contact_email=user.email,
            name=f"Member {i}",
            career_stage="student",
            sector="public",
            region="North",
            meeting_preference="either",
            conference_attendance="yes",
            goals="Learn.",
        )
        for i, user in enumerate(users)
    )
    return list(Application.objects.select_related("cycle").order_by("pk"))


def run_pipeline(applications, label: str) -> dict:
    """Queue and send one email per application, each in its own transaction."""
    from django.core import mail
    from django.db import connection, transaction

    from wagtail_mentoring.emails.outbox import queue_email
    from wagtail_mentoring.models import EmailStatus, SentEmail

    counter = QueryCounter()
    mail.outbox = []
    gc.collect()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        for i, application in enumerate(applications, start=1):
            with transaction.atomic():
                queue_email(
                    "application_received",
                    [application.contact_email],
                    key=f"{label}-{application.pk}",
                    application=application,
                )
            if i % CLEAR_EVERY == 0:
                mail.outbox = []
    seconds = time.perf_counter() - start
    sent = SentEmail.objects.filter(
        idempotency_key__startswith=f"{label}-", status=EmailStatus.SENT
    ).count()
    return {
        "messages": len(applications),
        "sent": sent,
        "seconds": seconds,
        "queries": counter.count,
    }


def run_bulk(applications, label: str) -> dict:
    """Queue one email per application in one transaction; batches of tasks send them."""
    from django.core import mail
    from django.db import connection, transaction

    from wagtail_mentoring.emails.outbox import queue_emails
    from wagtail_mentoring.models import EmailStatus, SentEmail

    counter = QueryCounter()
    mail.outbox = []
    gc.collect()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        for first in range(0, len(applications), CLEAR_EVERY):
            with transaction.atomic():
                queue_emails(
                    {
                        "kind": "application_received",
                        "to": [application.contact_email],
                        "key": f"{label}-{application.pk}",
                        "application": application,
                    }
                    for application in applications[first : first + CLEAR_EVERY]
                )
            mail.outbox = []
    seconds = time.perf_counter() - start
    sent = SentEmail.objects.filter(
        idempotency_key__startswith=f"{label}-", status=EmailStatus.SENT
    ).count()
    return {
        "messages": len(applications),
        "sent": sent,
        "seconds": seconds,
        "queries": counter.count,
    }


def baseline_backend_only(applications) -> float:
    from django.core import mail
    from django.core.mail import EmailMultiAlternatives

    from wagtail_mentoring.emails.kinds import registry
    from wagtail_mentoring.emails.rendering import render_templates

    kind = registry["application_received"]
    subject, text, html = render_templates(kind.name, kind.sample())
    mail.outbox = []
    start = time.perf_counter()
    for i, application in enumerate(applications, start=1):
        message = EmailMultiAlternatives(subject, text, to=[application.contact_email])
        message.attach_alternative(html, "text/html")
        message.send()
        if i % CLEAR_EVERY == 0:
            mail.outbox = []
    return time.perf_counter() - start


def baseline_render_and_send(applications) -> float:
    from django.core import mail
    from django.core.mail import EmailMultiAlternatives

    from wagtail_mentoring.emails.kinds import registry
    from wagtail_mentoring.emails.rendering import render_templates

    kind = registry["application_received"]

    class Row:  # what the kind's build() reads
        def __init__(self, application):
            self.application = application

    mail.outbox = []
    start = time.perf_counter()
    for i, application in enumerate(applications, start=1):
        subject, text, html = render_templates(kind.name, kind.build(Row(application)))
        message = EmailMultiAlternatives(subject, text, to=[application.contact_email])
        message.attach_alternative(html, "text/html")
        message.send()
        if i % CLEAR_EVERY == 0:
            mail.outbox = []
    return time.perf_counter() - start


def peak_memory(applications, label: str) -> float:
    gc.collect()
    tracemalloc.start()
    run_bulk(applications, label)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    setup_django()
    import django
    import wagtail

    applications = make_applications(MESSAGES)
    print(f"Python {platform.python_version()}, Django {django.get_version()}, ", end="")
    print(f"Wagtail {wagtail.__version__}, {os.cpu_count()} CPUs")
    print(f"{len(applications)} applications stored; anymail test backend, immediate tasks")

    # A short warm-up so that template loading and first queries are not timed.
    run_pipeline(applications[:50], "warmup")
    run_bulk(applications[:50], "warmup-bulk")

    backend_s = baseline_backend_only(applications)
    render_s = baseline_render_and_send(applications)
    single = run_pipeline(applications, "single")
    bulk = run_bulk(applications, "bulk")
    single_rate = single["messages"] / single["seconds"]
    rate = bulk["messages"] / bulk["seconds"]
    print()
    print(f"{'':44}{'seconds':>9}{'messages/s':>12}{'queries/msg':>13}")
    print(
        f"{'baseline: backend only (pre-rendered)':44}{backend_s:9.2f}{MESSAGES / backend_s:12.0f}"
    )
    print(f"{'baseline: render + send, no outbox':44}{render_s:9.2f}{MESSAGES / render_s:12.0f}")
    for label, run in (
        ("outbox, one email per transaction", single),
        ("outbox, queue_emails() + batched tasks", bulk),
    ):
        print(
            f"{label:44}{run['seconds']:9.2f}{run['messages'] / run['seconds']:12.0f}"
            f"{run['queries'] / run['messages']:13.2f}"
        )
    print(f"sent: {single['sent']} and {bulk['sent']} of {MESSAGES}")

    peaks = {}
    for size in MEMORY_SIZES:
        peaks[size] = peak_memory(applications[:size], f"memory{size}")
        print(f"peak traced memory for {size:,} messages: {peaks[size]:.1f} MB")
    small, large = MEMORY_SIZES
    growth = peaks[large] / peaks[small] if peaks[small] else float("nan")
    print(
        f"peak at {large:,} / peak at {small:,}: {growth:.2f} (flat: well under {large // small})"
    )
    verdict = "met" if rate >= GOAL_MESSAGES_PER_S else "missed"
    print(f"goal >= {GOAL_MESSAGES_PER_S:.0f} messages/s (batched path): {verdict}")

    figures = {
        "messages": MESSAGES,
        "messages_per_s": round(rate, 1),
        "messages_per_s_one_per_transaction": round(single_rate, 1),
        "baseline_backend_only_per_s": round(MESSAGES / backend_s, 1),
        "baseline_render_and_send_per_s": round(MESSAGES / render_s, 1),
        "queries_per_message": round(bulk["queries"] / bulk["messages"], 2),
        "queries_per_message_one_per_transaction": round(single["queries"] / MESSAGES, 2),
        "peak_mb": round(peaks[large], 2),
        "peak_mb_1000": round(peaks[small], 2),
        "peak_growth_1000_to_5000": round(growth, 2),
        "all_sent": single["sent"] == bulk["sent"] == MESSAGES,
        "goal_messages_per_s_met": rate >= GOAL_MESSAGES_PER_S,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
