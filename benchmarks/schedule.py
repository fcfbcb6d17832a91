"""Benchmark: ``mentoring_run_schedule`` over 5,000 active matches with everything due.

Run from the repository root, with no arguments::

    .venv/bin/python benchmarks/schedule.py

In one in-memory SQLite database (tests.settings), with django-anymail's test backend
and django-tasks' immediate backend (so the run includes sending every email): 10,000
members, each mentor and mentee in the "Members" group, and 5,000 matches with seeded
random start dates (``random.Random`` with a fixed seed) so that each is due a monthly
check-in and the invitation to a "pairing fit" survey round (one month after the
start); 10% of them are at their end date (they are completed: two emails and the
alumni group) and 5% have a mentee whose membership lapsed (flagged).

The schedule is timed and its queries counted. In the same process, the baseline is
the straightforward way over 500 further matches: for each match, one
``queue_email`` per person in its own transaction and a membership check per person,
no chunking. Peak memory (``tracemalloc``) is measured on fresh data sets of 1,000 and
5,000 matches. Nothing asserts a timing; the last line is one JSON object.
"""

from __future__ import annotations

import datetime
import gc
import json
import os
import platform
import random
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SEED = 20_271_128
MATCHES = 5_000
BASELINE_MATCHES = 500
MEMORY_SIZES = (1_000, 5_000)
COMPLETING = 0.10
LAPSED = 0.05
GOAL_SECONDS = 60.0


def setup_django() -> None:
    # benchmarks/email.py sits next to this file and would hide the standard library's
    # ``email`` package: keep this folder off the path.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
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


class Clearing:
    """Empties anymail's test outbox as it grows (a real provider keeps nothing here)."""

    def __call__(self, execute, sql, params, many, context):
        from django.core import mail

        if len(getattr(mail, "outbox", ())) > 500:
            mail.outbox = []
        return execute(sql, params, many, context)


def make_cycle():
    from django.utils import timezone
    from wagtail.models import Page

    from tests.conftest import ensure_page_tree
    from wagtail_mentoring.models import Cycle, MentoringProgramPage

    home = ensure_page_tree()
    program = MentoringProgramPage(title="Mentoring", slug="mentoring")
    home.add_child(instance=program)
    program = Page.objects.get(pk=program.pk).specific
    now = timezone.now()
    cycle = Cycle.objects.create(
        program_page=program,
        name="2027 cycle",
        applications_open=now - datetime.timedelta(days=400),
        applications_close=now - datetime.timedelta(days=300),
        pairing_start=(now - datetime.timedelta(days=290)).date(),
        commitment_months=10,
    )
    from wagtail_mentoring.models import SurveyFormField, SurveyPage, SurveyRound

    survey = SurveyPage(title="Pairing fit", slug="pairing-fit")
    program.add_child(instance=survey)
    SurveyFormField.objects.create(
        page=survey, label="How satisfied are you?", field_type="rating", required=True
    )
    SurveyRound.objects.create(cycle=cycle, name="Pairing fit", page=survey, months_after_start=1)
    return cycle


def make_matches(cycle, n: int, label: str, rng: random.Random) -> list[int]:
    """``n`` approved matches, each due a check-in today; returns their ids."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from wagtail_mentoring.dates import add_months
    from wagtail_mentoring.models import Application, Match, MatchStatus

    User = get_user_model()
    members, _ = Group.objects.get_or_create(name="Members")
    today = timezone.localdate()
    User.objects.bulk_create(
        User(username=f"{label}-{role}-{i}", email=f"{label}-{role}-{i}@example.org")
        for i in range(n)
        for role in ("mentor", "mentee")
    )
    users = {u.username: u for u in User.objects.filter(username__startswith=f"{label}-")}
    lapsed = set(rng.sample(range(n), int(n * LAPSED)))
    Membership = User.groups.through
    Membership.objects.bulk_create(
        Membership(user_id=user.pk, group_id=members.pk)
        for name, user in users.items()
        if not (name.startswith(f"{label}-mentee-") and int(name.rsplit("-", 1)[1]) in lapsed)
    )

    def application(i, role):
        user = users[f"{label}-{role}-{i}"]
        return Application(
            user=user,
            cycle=cycle,
            role=role,
            contact_email=user.email,
            name=f"{role.title()} {i}",
            career_stage="senior" if role == "mentor" else "student",
            sector="public",
            region="North",
            meeting_preference="either",
            conference_attendance="yes",
            goals="Learn.",
            capacity=1 if role == "mentor" else None,
            status="matched",
        )

    Application.objects.bulk_create(
        application(i, role) for i in range(n) for role in ("mentor", "mentee")
    )
    by_user = dict(
        Application.objects.filter(user__username__startswith=f"{label}-").values_list(
            "user__username", "pk"
        )
    )
    completing = set(rng.sample(range(n), int(n * COMPLETING)))
    matches = []
    for i in range(n):
        if i in completing:
            start = add_months(today, -10)
        else:
            start = add_months(today, -rng.randint(1, 8)) - datetime.timedelta(
                days=rng.randint(0, 20)
            )
        matches.append(
            Match(
                cycle=cycle,
                mentor_id=by_user[f"{label}-mentor-{i}"],
                mentee_id=by_user[f"{label}-mentee-{i}"],
                status=MatchStatus.APPROVED,
                start_date=start,
                end_date=add_months(start, 10),
            )
        )
    Match.objects.bulk_create(matches, batch_size=1000)
    return list(
        Match.objects.filter(mentor__user__username__startswith=f"{label}-").values_list(
            "pk", flat=True
        )
    )


def run_schedule_timed() -> dict:
    from django.db import connection

    from wagtail_mentoring.schedule import run_schedule

    counter = QueryCounter()
    gc.collect()
    start = time.perf_counter()
    with connection.execute_wrapper(Clearing()), connection.execute_wrapper(counter):
        summary = run_schedule()
    return {"seconds": time.perf_counter() - start, "queries": counter.count, "summary": summary}


def baseline(ids: list[int]) -> dict:
    """One queue_email per person in its own transaction, one membership check each."""
    from django.db import connection, transaction
    from django.utils import timezone

    from wagtail_mentoring.emails.outbox import queue_email
    from wagtail_mentoring.membership import get_backend
    from wagtail_mentoring.models import Match
    from wagtail_mentoring.schedule import checkin_due

    backend = get_backend()
    today = timezone.localdate()
    counter = QueryCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(Clearing()), connection.execute_wrapper(counter):
        for pk in ids:
            match = Match.objects.select_related("cycle", "mentor__user", "mentee__user").get(pk=pk)
            month = checkin_due(match.start_date, match.end_date, today, 1)
            for role, application in (("mentor", match.mentor), ("mentee", match.mentee)):
                backend.get_status(application.user)
                if month:
                    with transaction.atomic():
                        queue_email(
                            "check_in",
                            [application.contact_email],
                            key=f"baseline-{pk}-{month}-{role}",
                            match=match,
                            context={"role": role, "month": month},
                        )
    return {"seconds": time.perf_counter() - start, "queries": counter.count}


def reset():
    from django.contrib.auth import get_user_model

    from wagtail_mentoring.models import Application, EmailEvent, Match, MatchEvent, SentEmail

    EmailEvent.objects.all().delete()
    SentEmail.objects.all().delete()
    MatchEvent.objects.all().delete()
    Match.objects.all().delete()
    Application.objects.all().delete()
    get_user_model().objects.all().delete()


def main() -> None:
    setup_django()
    import django
    import wagtail

    rng = random.Random(SEED)
    cycle = make_cycle()
    print(f"Python {platform.python_version()}, Django {django.get_version()}, ", end="")
    print(f"Wagtail {wagtail.__version__}, {os.cpu_count()} CPUs")

    base_ids = make_matches(cycle, BASELINE_MATCHES, "base", rng)
    base = baseline(base_ids)
    reset()

    make_matches(cycle, MATCHES, "run", rng)
    timed = run_schedule_timed()
    summary = timed["summary"]
    from wagtail_mentoring.models import EmailStatus, SentEmail

    sent = SentEmail.objects.filter(status=EmailStatus.SENT).count()
    queued = SentEmail.objects.count()
    print("\n".join(str(line) for line in summary.lines()))
    print(f"emails in the outbox: {queued}, sent: {sent}")
    per_match_s = timed["seconds"] / MATCHES
    base_per_match_s = base["seconds"] / BASELINE_MATCHES
    print()
    print(f"{'':36}{'matches':>8}{'seconds':>9}{'ms/match':>10}{'queries/match':>15}")
    print(
        f"{'baseline: per match, per person':36}{BASELINE_MATCHES:8}{base['seconds']:9.2f}"
        f"{base_per_match_s * 1000:10.2f}{base['queries'] / BASELINE_MATCHES:15.2f}"
    )
    print(
        f"{'mentoring_run_schedule':36}{MATCHES:8}{timed['seconds']:9.2f}"
        f"{per_match_s * 1000:10.2f}{timed['queries'] / MATCHES:15.2f}"
    )

    peaks = {}
    for size in MEMORY_SIZES:
        reset()
        make_matches(cycle, size, f"mem{size}", rng)
        gc.collect()
        tracemalloc.start()
        run_schedule_timed()
        peaks[size] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        print(f"peak traced memory, {size:,} matches: {peaks[size]:.1f} MB")
    small, large = MEMORY_SIZES
    verdict = "met" if timed["seconds"] <= GOAL_SECONDS else "missed"
    print(f"goal: {MATCHES:,} matches in <= {GOAL_SECONDS:.0f} s: {verdict}")
    figures = {
        "matches": MATCHES,
        "seconds": round(timed["seconds"], 2),
        "queries_per_match": round(timed["queries"] / MATCHES, 2),
        "peak_mb": round(peaks[large], 1),
        "peak_mb_1000": round(peaks[small], 1),
        "emails_queued": queued,
        "emails_sent": sent,
        "started": summary.started,
        "completed": summary.completed,
        "checkins": summary.checkins,
        "survey_invitations": summary.surveys,
        "flagged": summary.flagged,
        "baseline_ms_per_match": round(base_per_match_s * 1000, 2),
        "baseline_queries_per_match": round(base["queries"] / BASELINE_MATCHES, 2),
        "ms_per_match": round(per_match_s * 1000, 2),
        "goal_met": timed["seconds"] <= GOAL_SECONDS,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
