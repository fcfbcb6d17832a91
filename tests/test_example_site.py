from io import StringIO

import pytest
from association.models import MemberProfile
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.models import Page, Site

from wagtail_mentoring.models import Application, Cycle, MentoringProgramPage, Topic


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
    assert Match.objects.filter(cycle=history).exclude(flag_reason="").count() == 1
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        summary = run_schedule()
    # The oldest pair completes (and gets the final survey); the mentor who has not
    # answered "Pairing fit" for a week is reminded (the newest pair's was invited today).
    assert (summary.completed, summary.checkins, summary.surveys) == (1, 14, 2)
    assert summary.reminders == 1
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
