import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from association.demo_history import PAIRS
from association.models import MemberProfile
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.models import Page, Site

from wagtail_mentoring.models import (
    Application,
    Cycle,
    Match,
    MentoringProgramPage,
    Topic,
)
from wagtail_mentoring.models.matches import UNDERWAY


def seed() -> str:
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_builds_a_working_demo_and_prints_credentials(client):
    output = seed()
    User = get_user_model()
    for username in ("admin", "committee", "editor", "amara", "lapsed", "visitor"):
        assert f"  {username}" in output
        assert User.objects.get(username=username).check_password("mentoring-demo")
    assert "password for all: mentoring-demo" in output
    assert User.objects.get(username="admin").is_superuser

    site = Site.objects.get(is_default_site=True)
    page = MentoringProgramPage.objects.get()
    assert page.live and page.get_parent().pk == site.root_page_id
    assert page.get_current_cycle().is_open()
    assert Topic.objects.count() == 8
    applications = Application.objects.filter(cycle=page.get_current_cycle())
    assert applications.count() == 40
    assert set(applications.values_list("role", flat=True)) == {"mentor", "mentee"}
    assert applications.values("career_stage").distinct().count() >= 4
    assert all(a.topics.exists() for a in applications)
    assert {p.role for p in page.get_application_pages().values()} == {"mentor", "mentee"}
    assert {b.block_type for b in page.body} == {
        "key_facts",
        "rich_text",
        "apply",
        "faq",
        "testimonial",
        "call_to_action",
        "alumni",
    }

    soup = BeautifulSoup(client.get(page.url).content, "html.parser")
    assert len(soup.select(".mentoring-faq__item")) == 5
    assert len(soup.select(".mentoring-testimonial")) == 2
    assert "Applications are open until" in soup.select_one("[data-mentoring-cycle-status]").text
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_membership_states_of_the_demo_people():
    seed()
    User = get_user_model()
    members = {u.username for u in User.objects.filter(groups__name="Members")}
    assert {"amara", "ben", "chloe", "dev", "committee", "editor"} <= members
    assert "lapsed" not in members and "visitor" not in members
    lapsed = MemberProfile.objects.get(user__username="lapsed")
    assert lapsed.membership_expires < __import__("datetime").date.today()
    assert not MemberProfile.objects.filter(user__username="visitor").exists()
    assert User.objects.get(username="committee").groups.filter(name="Mentoring committee").exists()


@pytest.mark.django_db
def test_every_seeded_approved_or_active_match_has_its_introductions():
    seed()
    assert Match.objects.filter(status__in=UNDERWAY).count() == len(PAIRS)
    out = StringIO()
    call_command("mentoring_send_emails", stdout=out)
    assert "0 approved or active matches without introduction emails." in out.getvalue()


@pytest.mark.django_db
def test_seeding_twice_is_safe():
    seed()
    counts = (
        Page.objects.count(),
        Cycle.objects.count(),
        Topic.objects.count(),
        get_user_model().objects.count(),
        MemberProfile.objects.count(),
        Application.objects.count(),
    )
    seed()
    assert (
        Page.objects.count(),
        Cycle.objects.count(),
        Topic.objects.count(),
        get_user_model().objects.count(),
        MemberProfile.objects.count(),
        Application.objects.count(),
    ) == counts
    assert MentoringProgramPage.objects.get().get_current_cycle().is_open()


@pytest.mark.django_db
def test_seed_refuses_to_publish_demo_passwords_without_debug():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_seeded_pool_gives_meaningful_suggestions():
    from wagtail_mentoring.matching.suggest import suggest_for_cycle, suggest_mentors

    seed()
    cycle = MentoringProgramPage.objects.get().get_current_cycle()
    mentee = Application.objects.filter(cycle=cycle, role="mentee").first()
    ranked = suggest_mentors(mentee)
    assert ranked and ranked[0].score >= ranked[-1].score and ranked[0].explanation
    run = suggest_for_cycle(cycle)
    assert len(run.proposed) >= 15 and run.total > 0


@pytest.mark.django_db
def test_the_seeded_cycle_has_enough_people_for_speed_mentoring_rotations():
    import datetime

    from wagtail_mentoring.conference import (
        offered_speed_mentoring,
        participant_candidates,
        plan_conference,
        signed_up_for_conference,
        volunteer_candidates,
    )

    seed()
    cycle = MentoringProgramPage.objects.get().get_current_cycle()
    assert cycle.conference_date
    volunteers = [a.pk for a in volunteer_candidates(cycle) if offered_speed_mentoring(a)]
    participants = [a.pk for a in participant_candidates(cycle) if signed_up_for_conference(a)]
    assert len(volunteers) >= 8 and len(participants) >= 15
    start = datetime.datetime(2027, 5, 14, 10, tzinfo=datetime.UTC)
    schedule = plan_conference(
        cycle, volunteers, participants, tables=4, rounds=4, start=start, minutes=10
    )
    assert schedule.figures["repeats"] == schedule.figures["forbidden"] == 0
    assert schedule.figures["conversations"] >= 4 * len(participants) - 4


@pytest.mark.django_db
def test_some_demo_mentees_say_what_matters_and_some_mentors_which_stages():
    from wagtail_mentoring.matching.suggest import suggest_mentors

    seed()
    cycle = MentoringProgramPage.objects.get().get_current_cycle()
    mentees = Application.objects.filter(cycle=cycle, role="mentee")
    rated = [a for a in mentees if a.priorities]
    assert 3 <= len(rated) < mentees.count()  # a few, not all
    assert {a.priorities["topics"] for a in rated} == {"very", "somewhat", "not"}
    mentors = Application.objects.filter(cycle=cycle, role="mentor")
    assert 2 <= sum(1 for a in mentors if a.preferred_mentee_stages) < mentors.count()
    codes = {
        part["code"] for mentee in rated for s in suggest_mentors(mentee) for part in s.explanation
    }
    assert {"mentee_priority", "mentor_preference"} <= codes


@pytest.mark.django_db
def test_last_years_cycle_gives_the_schedule_and_the_report_something_to_show(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    from wagtail_mentoring.models import Match, MatchStatus
    from wagtail_mentoring.report import cycle_report
    from wagtail_mentoring.schedule import run_schedule

    seed()
    history = Cycle.objects.exclude(
        pk=MentoringProgramPage.objects.get().get_current_cycle().pk
    ).get()
    assert Match.objects.filter(cycle=history).count() == 8
    assert Match.objects.filter(cycle=history).exclude(flag_cause="").count() == 1
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        summary = run_schedule()
    # The oldest pair completes (and gets the final survey); the mentor who has not
    # answered "Pairing fit" for a week is reminded (the newest pair's was invited today).
    assert (summary.completed, summary.checkins, summary.surveys) == (1, 14, 2)
    assert summary.reminders == 1
    # The newest pair started a month ago: both are asked "Have you met yet?".
    assert summary.met_checks == 2
    assert Match.objects.filter(cycle=history, status=MatchStatus.COMPLETED).count() == 1
    # The completed pair agreed to be listed: the alumni block shows them.
    from django.test import Client

    landing = Client().get(MentoringProgramPage.objects.get().url).content.decode()
    assert "Helen Park" in landing and "Tomás Reyes" in landing
    report = cycle_report(history)
    fit = report.rounds[0]
    assert (fit.name, fit.invited, fit.responded) == ("Pairing fit", 16, 14)
    assert all(1 <= average <= 5 for _, average, _ in fit.averages)


@pytest.mark.django_db
def test_every_seeded_pair_is_two_different_people():
    from wagtail_mentoring.models import Match

    seed()
    matches = Match.objects.select_related("mentor__user", "mentee__user")
    assert matches.count() >= 8
    for match in matches:
        assert match.mentor.user_id != match.mentee.user_id, match
        assert match.mentor.user.get_full_name() == match.mentor.name
        assert match.mentee.user.get_full_name() == match.mentee.name
        assert match.mentor.contact_email != match.mentee.contact_email


# -- the production settings -----------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
HOWTO = REPO / "docs" / "howto" / "example-site.md"
CHECK_ID = re.compile(r"^\S*: \(([\w.]+\.[A-Z]\d{3})\)", re.MULTILINE)


def production_section() -> str:
    return HOWTO.read_text().split("\n## Run it in production\n", 1)[1].split("\n## ", 1)[0]


def clean_environment(**extra) -> dict:
    """Only what a shell on a fresh server has, with this checkout's Python first."""
    return {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(REPO),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(REPO),
        **extra,
    }


def test_check_deploy_with_the_documented_environment_reports_only_what_the_docs_explain():
    section = production_section()
    commands = re.search(r"```shell\n(.*?)```", section, re.DOTALL).group(1)
    explained = section.split("reports exactly these", 1)[1].split("\n\n", 2)[1]
    documented = set(re.findall(r"^\| `([\w.]+\.[A-Z]\d{3})` \|", explained, re.MULTILINE))
    assert documented and not documented & {"security.W004", "security.W008"}
    done = subprocess.run(
        ["bash", "-e", "-c", commands],
        cwd=REPO,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert set(CHECK_ID.findall(output)) == documented, output
    assert done.returncode == 0, output  # warnings only, no error


def production_settings(**env) -> dict:
    """The settings that config.settings.production gives under ``env``, from a fresh
    process (settings read the environment once, at import)."""
    script = (
        "import json, django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        "names = ['INSTALLED_APPS', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS',\n"
        "         'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'CACHES',\n"
        "         'WAGTAILADMIN_BASE_URL']\n"
        "found = {name: getattr(settings, name) for name in names}\n"
        "found['DJANGO_VERSION'] = list(django.VERSION[:2])\n"
        "for name in ('EMAIL_BACKEND', 'MAILERS'):\n"
        "    if settings.is_overridden(name):\n"
        "        found[name] = getattr(settings, name)\n"
        "print(json.dumps(found))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO / "example_site",
        env=clean_environment(
            **{
                "DJANGO_SETTINGS_MODULE": "config.settings.production",
                "DJANGO_SECRET_KEY": "x" * 60,
                "DJANGO_ALLOWED_HOSTS": "mentoring.example.org",
                "PYTHONPATH": f"{REPO / 'example_site'}{os.pathsep}{REPO}",
                **env,
            }
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout)


def test_production_defaults_are_https_only_with_a_short_hsts():
    found = production_settings()
    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["SECURE_HSTS_SECONDS"] == 3600
    assert found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert found["SECURE_HSTS_PRELOAD"] is False
    assert "django.contrib.postgres" not in found["INSTALLED_APPS"]  # SQLite
    assert "EMAIL_BACKEND" not in found and "MAILERS" not in found
    assert found["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


def test_production_reads_https_postgres_cache_and_email_from_the_environment():
    backend = "anymail.backends.postmark.EmailBackend"
    found = production_settings(
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_HSTS_SECONDS="31536000",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="yes",
        DJANGO_SECURE_HSTS_PRELOAD="1",
        DATABASE_URL="postgres://mentoring@127.0.0.1:5432/mentoring",
        REDIS_URL="redis://127.0.0.1:6379/3",
        EMAIL_BACKEND=backend,
    )
    assert found["SECURE_SSL_REDIRECT"] is False
    assert found["SECURE_HSTS_SECONDS"] == 31536000
    assert found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert found["SECURE_HSTS_PRELOAD"] is True
    assert found["INSTALLED_APPS"].count("django.contrib.postgres") == 1
    assert found["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/3",
    }
    if tuple(found["DJANGO_VERSION"]) >= (6, 1):
        assert found["MAILERS"] == {"default": {"BACKEND": backend}}
        assert "EMAIL_BACKEND" not in found
    else:
        assert found["EMAIL_BACKEND"] == backend and "MAILERS" not in found


def test_production_links_in_emails_lead_to_the_public_address():
    # By default the first allowed host, over HTTPS; the environment may say otherwise.
    assert production_settings()["WAGTAILADMIN_BASE_URL"] == "https://mentoring.example.org"
    found = production_settings(WAGTAILADMIN_BASE_URL="https://www.example.net/")
    assert found["WAGTAILADMIN_BASE_URL"] == "https://www.example.net"
    for bad in ("mentoring.example.org", "https://example.net/mentoring"):
        with pytest.raises(RuntimeError, match="Set the WAGTAILADMIN_BASE_URL environment"):
            production_settings(WAGTAILADMIN_BASE_URL=bad)
    with pytest.raises(RuntimeError, match="Set the WAGTAILADMIN_BASE_URL environment"):
        production_settings(DJANGO_ALLOWED_HOSTS=".example.org")


def test_the_demos_email_links_lead_to_the_development_server():
    """``make demo`` serves on 127.0.0.1:8000, the demo Site says localhost:80: the
    survey and "My mentoring" links follow the base URL."""
    script = (
        "import django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        "from wagtail_mentoring.emails.links import absolute_url\n"
        "print(settings.WAGTAILADMIN_BASE_URL, absolute_url('/mentoring/my/', 'http://localhost'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO / "example_site",
        env=clean_environment(
            DJANGO_SETTINGS_MODULE="config.settings.dev",
            PYTHONPATH=f"{REPO / 'example_site'}{os.pathsep}{REPO}",
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["http://127.0.0.1:8000", "http://127.0.0.1:8000/mentoring/my/"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_SECURE_HSTS_PRELOAD", "maybe"),
        ("DJANGO_SECURE_SSL_REDIRECT", "enabled"),
        ("DJANGO_SECURE_HSTS_SECONDS", "a year"),
        ("DJANGO_SECURE_HSTS_SECONDS", "-1"),
    ],
)
def test_a_bad_https_variable_stops_the_site_naming_it(name, value):
    with pytest.raises(RuntimeError, match=f"Set the {name} environment variable"):
        production_settings(**{name: value})


# -- the demo's editors, history and survey answers --------------------------------------


@pytest.mark.django_db
def test_the_demo_has_an_editor_who_publishes_and_one_who_submits_for_moderation():
    output = seed()
    User = get_user_model()
    page = MentoringProgramPage.objects.get()
    publisher = User.objects.get(username="publisher")
    editor = User.objects.get(username="editor")
    assert page.permissions_for_user(publisher).can_publish()
    assert not page.permissions_for_user(editor).can_publish()
    assert page.permissions_for_user(editor).can_edit()
    # The printed accounts say which is which.
    lines = {line.split()[0]: line for line in output.splitlines() if line.startswith("  ")}
    assert "publishes" in lines["publisher"]
    assert "moderation" in lines["editor"]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["editor", "publisher"])
@pytest.mark.parametrize(
    "url_name",
    [
        "wagtailsnippets_wagtail_mentoring_topic:list",
        "wagtailsnippets_wagtail_mentoring_emailwording:list",
    ],
)
def test_editors_manage_the_snippets_the_docs_say_they_manage(client, username, url_name):
    from django.urls import reverse

    seed()
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    add = url_name.replace(":list", ":add")
    assert client.get(reverse(add)).status_code == 200


@pytest.mark.django_db
def test_reseeding_a_demo_from_before_two_people_per_pair_leaves_no_one_paired_with_themselves():
    # Earlier seeds named both people of a pair "pastme01": one account, both roles.
    seed()
    history = Cycle.objects.exclude(
        pk=MentoringProgramPage.objects.get().get_current_cycle().pk
    ).get()
    User = get_user_model()
    old = User.objects.create(username="pastme01", first_name="Helen", last_name="Park")
    template = Application.objects.filter(cycle=history, role="mentor").first()
    made = {}
    for role in ("mentor", "mentee"):
        made[role] = Application.objects.create(
            user=old,
            cycle=history,
            role=role,
            status="matched",
            contact_email="pastme01@example.org",
            name="Helen Park",
            career_stage=template.career_stage,
            sector="public",
            region="capital",
            meeting_preference="either",
            conference_attendance="yes",
            goals="Give back.",
            capacity=1 if role == "mentor" else None,
        )
    Match.objects.create(
        cycle=history, mentor=made["mentor"], mentee=made["mentee"], status="active"
    )
    seed()
    for match in Match.objects.select_related("mentor", "mentee"):
        assert match.mentor.user_id != match.mentee.user_id, match
    assert not User.objects.filter(username="pastme01").exists()


@pytest.mark.django_db
def test_no_seeded_survey_answer_is_dated_in_the_future():
    from django.utils import timezone

    from wagtail_mentoring.models import SurveyResponse

    seed()
    now = timezone.now()
    responses = SurveyResponse.objects.all()
    assert responses.exists()
    assert [r.submitted_at for r in responses if r.submitted_at > now] == []


def test_no_demo_name_is_shared_by_two_people():
    from association.management.commands.seed_demo import PEOPLE

    current = {f"{first} {last}" for _, first, last, _, _ in PEOPLE}
    past = {name for pair in PAIRS for name in pair[:2]}
    assert current & past == set()
    assert len(past) == 2 * len(PAIRS)


DEPLOY_DATABASE = "light_install_deploy"


def test_production_settings_pass_check_deploy_on_postgresql_with_an_email_provider():
    # Every choice docs/howto/deploy.md lists made: a year of HSTS with subdomains and
    # preload, Redis for the rate limit, Postmark through anymail, tracking authenticated.
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        if not db.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DEPLOY_DATABASE]
        ).fetchone():
            db.execute(f"CREATE DATABASE {DEPLOY_DATABASE}")
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="dummy-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        DJANGO_ALLOWED_HOSTS="mentoring.example.org",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DEPLOY_DATABASE}",
        REDIS_URL="redis://127.0.0.1:6379/0",
        EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        POSTMARK_SERVER_TOKEN="server-token",
        ANYMAIL_WEBHOOK_SECRET="tracking:a-long-random-password",
        DJANGO_SECURE_HSTS_SECONDS="31536000",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        DJANGO_SECURE_HSTS_PRELOAD="true",
        PYTHONPATH=f"{REPO / 'example_site'}{os.pathsep}{REPO}",
    )
    command = [sys.executable, "manage.py", "check", "--deploy", "--database", "default"]
    done = subprocess.run(
        [*command, "--fail-level", "WARNING"],
        cwd=REPO / "example_site",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output
    # The provider is really configured: anymail's backend refuses to start without its key.
    script = (
        "import django; django.setup()\n"
        "from anymail.backends.postmark import EmailBackend\n"
        "print(EmailBackend().server_token)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO / "example_site",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "server-token", done.stderr
