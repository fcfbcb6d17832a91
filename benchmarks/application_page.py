"""Benchmark: a mentoring application page against a plain Wagtail form page.

Run from the repository root, with no arguments::

    .venv/bin/python benchmarks/application_page.py

Both pages are served in this one process from one in-memory SQLite database, through
Django's test client, by logged-in members:

* ``MentoringApplicationPage`` (role "mentee") under a ``MentoringProgramPage`` with an
  open cycle; its form has 14 visible structured fields.
* ``tests.testapp.BenchmarkFormPage``, Wagtail's own ``AbstractForm`` with 14 form-builder
  fields of comparable types, under the site's home page.

GET: one member requests each page, alternating A, B, A, B, ... after a warm-up.
POST: every POST is a first submission by a member made in advance; member *i* posts
to both pages, alternating the pages. Only the request itself is timed; each response
is checked (200, and one new ``Application`` or ``FormSubmission`` row).

The mentoring POST queues two emails (confirmation and coordinator note) in the
outbox, in the submission's transaction; after the commit, django-tasks' immediate
backend sends them inside the request, so sending is counted in the end-to-end figure
(``post_ratio``). A second POST series patches the queuing step out and is reported as
"without email". Queries are counted on separate, untimed requests.

Nothing here asserts a timing: the figures are printed, and the last line of output
is one JSON object.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SEED = 20_270_101
GOAL_RATIO = 1.3

GET_WARMUP = 30  # per page
GET_ROUNDS = 800  # per page
POST_WARMUP = 10  # per page and series
POST_ROUNDS = 300  # per page and series

MENTEE_LABELS = {
    # Labels as the mentee form shows them (wagtail_mentoring.forms).
    "name": "Your name",
    "contact_email": "Contact email",
    "career_stage": "Your career stage",
    "sector": "Your sector",
    "region": "Region",
    "organisation": "Employer or organisation",
    "meeting_preference": "How would you like to meet?",
    "conference_attendance": "Will you attend the annual conference?",
    "topics": "Topics you want help with",
    "goals": "What you hope to achieve",
    "mentor_kind": "What kind of mentor are you hoping for?",
    "preferred_mentor_stage": "Preferred career stage of your mentor (optional)",
    "commitment_consent": (
        "I commit to a pairing of up to 10 months and to keeping in regular contact."
    ),
    "privacy_consent": (
        "I agree that the mentoring committee may use these answers to find me a match."
    ),
}


def setup_django() -> None:
    # benchmarks/email.py would hide the standard library's ``email`` package.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    # Always an in-memory SQLite database, whatever DATABASE_URL the shell has.
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()

    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, serialize=False)


# -- fixtures -----------------------------------------------------------------------


def build_pages():
    """The page tree, cycle, topics and members; returns what the runs need."""
    import datetime

    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.utils import timezone
    from wagtail.models import Page, Site

    from tests.testapp.models import BenchmarkFormField, BenchmarkFormPage
    from wagtail_mentoring.conf import app_settings
    from wagtail_mentoring.models import (
        Cycle,
        MentoringApplicationPage,
        MentoringProgramPage,
        Topic,
    )
    from wagtail_mentoring.models.applications import (
        CareerStage,
        ConferenceAttendance,
        MeetingPreference,
    )
    from wagtail_mentoring.models.site_settings import MentoringSettings

    cache.clear()
    site = Site.objects.select_related("root_page").get(is_default_site=True)
    home = site.root_page

    # A coordinator address, so that a mentee POST sends both of its emails.
    mentoring_settings = MentoringSettings.for_site(site)
    mentoring_settings.coordinator_email = "coordinator@example.org"
    mentoring_settings.save()

    program = MentoringProgramPage(title="Mentoring", slug="mentoring")
    home.add_child(instance=program)
    program.save_revision().publish()
    program.refresh_from_db()

    now = timezone.now()
    closes = now + datetime.timedelta(days=20)
    cycle = Cycle.objects.create(
        program_page=program,
        name="2027 cycle",
        applications_open=now - datetime.timedelta(days=2),
        applications_close=closes,
        pairing_start=(closes + datetime.timedelta(days=60)).date(),
        matching_deadline=(now + datetime.timedelta(days=60)).date(),
    )
    topics = [
        Topic.objects.create(name=name, sort_order=index)
        for index, name in enumerate(["Leadership", "Digital services", "Data literacy"])
    ]

    mentee_page = MentoringApplicationPage(
        title="Apply as a mentee", slug="apply-mentee", role="mentee"
    )
    program.add_child(instance=mentee_page)
    mentee_page.save_revision().publish()

    def choices(pairs) -> str:
        return "\n".join(str(label) for _value, label in pairs)

    stages = choices(CareerStage.choices)
    plain_fields = [
        ("name", "singleline", True, ""),
        ("contact_email", "email", True, ""),
        ("career_stage", "dropdown", True, stages),
        ("sector", "dropdown", True, choices(app_settings.SECTORS)),
        ("region", "singleline", True, ""),
        ("organisation", "singleline", False, ""),
        ("meeting_preference", "radio", True, choices(MeetingPreference.choices)),
        ("conference_attendance", "radio", True, choices(ConferenceAttendance.choices)),
        ("topics", "checkboxes", True, "\n".join(topic.name for topic in topics)),
        ("goals", "multiline", True, ""),
        ("mentor_kind", "multiline", True, ""),
        ("preferred_mentor_stage", "dropdown", False, stages),
        ("commitment_consent", "checkbox", True, ""),
        ("privacy_consent", "checkbox", True, ""),
    ]
    plain_page = BenchmarkFormPage(title="Plain form", slug="plain-form")
    plain_page.form_fields = [
        BenchmarkFormField(
            label=MENTEE_LABELS[key], field_type=field_type, required=required, choices=options
        )
        for key, field_type, required, options in plain_fields
    ]
    # Same depth as the mentoring page (home > section > page), so that routing costs
    # the same for both and the comparison shows what the package itself adds.
    section = Page(title="Forms", slug="forms")
    home.add_child(instance=section)
    section.save_revision().publish()
    section.add_child(instance=plain_page)
    plain_page.save_revision().publish()
    clean_names = {
        key: field.clean_name
        for (key, *_rest), field in zip(
            plain_fields,
            BenchmarkFormField.objects.filter(page=plain_page).order_by("sort_order"),
            strict=True,
        )
    }

    members = Group.objects.get_or_create(name="Members")[0]
    return {
        "home": home,
        "cycle": cycle,
        "topics": topics,
        "mentee_page": mentee_page,
        "plain_page": plain_page,
        "clean_names": clean_names,
        "members_group": members,
        "plain_field_count": len(plain_fields),
    }


def make_members(group, count: int, prefix: str) -> list:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = []
    for number in range(count):
        user = User.objects.create_user(
            username=f"{prefix}{number}",
            email=f"{prefix}{number}@example.org",
            password="pw",
            first_name="Member",
            last_name=str(number),
        )
        user.groups.add(group)
        users.append(user)
    return users


def mentee_post(topics) -> dict:
    """A valid mentee POST (the same answers as tests/conftest.py's application_data)."""
    return {
        "mentoring_action": "apply",
        "name": "Mia Member",
        "contact_email": "mia@example.org",
        "career_stage": "new_professional",
        "sector": "public",
        "region": "North",
        "organisation": "Eastvale Libraries",
        "meeting_preference": "either",
        "conference_attendance": "yes",
        "topics": [str(topics[0].pk), str(topics[1].pk)],
        "goals": "Grow into a team leader.",
        "mentor_kind": "Someone who has run a branch.",
        "preferred_mentor_stage": "senior",
        "commitment_consent": "on",
        "privacy_consent": "on",
        "website": "",
        "form_started": "",
    }


def plain_post(clean_names, topics) -> dict:
    """The same answers for the plain page (Wagtail's choice fields post their labels)."""
    answers = {
        "name": "Mia Member",
        "contact_email": "mia@example.org",
        "career_stage": "New professional",
        "sector": "Public libraries",
        "region": "North",
        "organisation": "Eastvale Libraries",
        "meeting_preference": "Either",
        "conference_attendance": "Yes",
        "topics": [topics[0].name, topics[1].name],
        "goals": "Grow into a team leader.",
        "mentor_kind": "Someone who has run a branch.",
        "preferred_mentor_stage": "Senior or manager",
        "commitment_consent": "on",
        "privacy_consent": "on",
    }
    return {clean_names[key]: value for key, value in answers.items()}


# -- measuring -----------------------------------------------------------------------


def summary(samples: list[float]) -> tuple[float, float]:
    """(median, p90) in milliseconds."""
    ms = [sample * 1000 for sample in samples]
    return statistics.median(ms), statistics.quantiles(ms, n=10, method="inclusive")[-1]


def count_queries(request):
    """(number of queries, response) of one untimed request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = request()
    return len(captured.captured_queries), response


def run_gets(client, urls: dict[str, str]) -> dict:
    def get(url):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    for _ in range(GET_WARMUP):
        for url in urls.values():
            get(url)
    # A mentoring GET must show the form (not a gate or a status page).
    if b'data-mentoring-mode="form"' not in get(urls["mentoring"]).content:
        raise RuntimeError("The mentoring page did not show its form.")
    queries = {name: count_queries(lambda url=url: get(url))[0] for name, url in urls.items()}
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(GET_ROUNDS):
        for name, url in urls.items():  # A, B, A, B, ...
            start = time.perf_counter()
            response = client.get(url)
            times[name].append(time.perf_counter() - start)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
    return {"times": times, "queries": queries}


def run_posts(client, setup: dict, users: list, warmup: int, expect_emails: int) -> dict:
    """POST both pages once per user (all first submissions); time only the requests."""
    from django.core import mail
    from wagtail.contrib.forms.models import FormSubmission

    from wagtail_mentoring.models import Application

    mentee_page, plain_page = setup["mentee_page"], setup["plain_page"]
    posts = {
        "mentoring": (mentee_page.url, mentee_post(setup["topics"])),
        "plain": (plain_page.url, plain_post(setup["clean_names"], setup["topics"])),
    }

    def created(name, user) -> int:
        if name == "mentoring":
            return Application.objects.filter(
                user=user, cycle=setup["cycle"], role="mentee"
            ).count()
        return FormSubmission.objects.filter(page=plain_page).count()

    def post(name, user, counting: bool):
        url, data = posts[name]
        client.force_login(user)
        before = created(name, user)
        outbox = len(mail.outbox)
        elapsed = queries = None
        if counting:
            queries, response = count_queries(lambda: client.post(url, data))
        else:
            start = time.perf_counter()
            response = client.post(url, data)
            elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(f"POST {url} answered {response.status_code}")
        if created(name, user) != before + 1:
            raise RuntimeError(f"POST {url} by {user} created no row.")
        sent = len(mail.outbox) - outbox
        wanted = expect_emails if name == "mentoring" else 0
        if sent != wanted:
            raise RuntimeError(f"POST {url} sent {sent} emails, expected {wanted}.")
        return elapsed, queries

    queries: dict[str, int] = {}
    for user in users[:warmup]:
        for name in posts:
            _elapsed, queries[name] = post(name, user, counting=True)
    times: dict[str, list[float]] = {name: [] for name in posts}
    for user in users[warmup:]:
        for name in posts:  # A, B, A, B, ...
            elapsed, _queries = post(name, user, counting=False)
            times[name].append(elapsed)
        mail.outbox.clear()
    return {"times": times, "queries": queries}


# -- report -----------------------------------------------------------------------------


def table(title: str, result: dict, labels: dict[str, str]) -> list[str]:
    lines = [title, f"  {'page':<12} {'median ms':>10} {'p90 ms':>10} {'queries':>8}"]
    for name, label in labels.items():
        median, p90 = summary(result["times"][name])
        lines.append(f"  {label:<12} {median:>10.2f} {p90:>10.2f} {result['queries'][name]:>8}")
    ratio = ratio_of(result)
    lines.append(f"  ratio mentoring / plain (medians): {ratio:.3f}")
    return lines


def ratio_of(result: dict) -> float:
    return statistics.median(result["times"]["mentoring"]) / statistics.median(
        result["times"]["plain"]
    )


def main() -> None:
    random.seed(SEED)
    started = time.perf_counter()
    setup_django()

    import django
    import wagtail
    from django.test import Client, override_settings

    with override_settings(
        WAGTAIL_MENTORING_MIN_SUBMIT_SECONDS=0,
        WAGTAIL_MENTORING_RATE_LIMIT={"USER": None, "IP": None},
    ):
        setup = build_pages()
        group = setup["members_group"]
        reader = make_members(group, 1, "reader")[0]
        full_users = make_members(group, POST_WARMUP + POST_ROUNDS, "full")
        quiet_users = make_members(group, POST_WARMUP + POST_ROUNDS, "quiet")

        client = Client()
        client.force_login(reader)
        urls = {"mentoring": setup["mentee_page"].url, "plain": setup["plain_page"].url}
        gets = run_gets(client, urls)

        full = run_posts(Client(), setup, full_users, POST_WARMUP, expect_emails=2)
        from unittest import mock

        with mock.patch(
            "wagtail_mentoring.applications._queue_submitted_emails", lambda *args: None
        ):
            quiet = run_posts(Client(), setup, quiet_users, POST_WARMUP, expect_emails=0)

    labels = {"mentoring": "mentoring", "plain": "plain"}
    lines = [
        "Mentoring application page vs plain Wagtail form page",
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, SQLite in memory, test client, logged-in members",
        f"mentoring = MentoringApplicationPage, role mentee, at {urls['mentoring']}",
        f"plain = tests.testapp BenchmarkFormPage (Wagtail AbstractForm) at {urls['plain']}",
        f"Form fields: {len(MENTEE_LABELS)} visible structured fields on the mentee form, "
        f"{setup['plain_field_count']} form-builder fields on the plain page",
        f"GET: {GET_ROUNDS} requests per page after {GET_WARMUP} warm-up, interleaved",
        f"POST: {POST_ROUNDS} first submissions per page and series after {POST_WARMUP} "
        "warm-up (untimed, used for query counts), interleaved",
        "",
        *table("GET", gets, labels),
        "",
        *table(
            "POST, end to end (the mentoring POST includes its two emails, queued in its "
            "transaction and sent after the commit inside the request)",
            full,
            labels,
        ),
        "",
        *table(
            "POST without email (the mentoring page's email queuing patched out; "
            "the plain page sends none)",
            quiet,
            labels,
        ),
        "",
        "Notes: both pages sit at the same depth (home > programme > page and "
        "home > forms > page), so routing costs the same for both.",
        f"Goal: both ratios <= {GOAL_RATIO}. Total run time {time.perf_counter() - started:.1f} s.",
    ]
    print("\n".join(lines))

    def ms(result, name):
        return round(statistics.median(result["times"][name]) * 1000, 3)

    get_ratio, post_ratio, quiet_ratio = ratio_of(gets), ratio_of(full), ratio_of(quiet)
    figures = {
        "get_ratio": round(get_ratio, 3),
        "post_ratio": round(post_ratio, 3),
        "get_queries": gets["queries"]["mentoring"],
        "post_queries": full["queries"]["mentoring"],
        "plain_get_queries": gets["queries"]["plain"],
        "plain_post_queries": full["queries"]["plain"],
        "get_median_ms": ms(gets, "mentoring"),
        "plain_get_median_ms": ms(gets, "plain"),
        "post_median_ms": ms(full, "mentoring"),
        "plain_post_median_ms": ms(full, "plain"),
        "post_ratio_without_email": round(quiet_ratio, 3),
        "post_queries_without_email": quiet["queries"]["mentoring"],
        "post_median_ms_without_email": ms(quiet, "mentoring"),
        "plain_post_median_ms_without_email": ms(quiet, "plain"),
        "fields": len(MENTEE_LABELS),
        "get_rounds": GET_ROUNDS,
        "post_rounds": POST_ROUNDS,
        "goal_ratio": GOAL_RATIO,
        "goal_met": get_ratio <= GOAL_RATIO and post_ratio <= GOAL_RATIO,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
