"""Consent in a real browser: the committee approves, the mentor answers by the email's
link, and the introduction goes out, or the mentee is first in line again."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from playwright.sync_api import expect

from wagtail_mentoring.models import Application, Match, MatchStatus, SentEmail

URL = re.compile(r"https?://[^\s<>\"']+")


@pytest.fixture
def consent_workspace(make_user, make_cycle, topics):
    committee = make_user(username="chair")
    group = Group.objects.get_or_create(name="Mentoring committee")[0]
    committee.groups.add(group)
    group.permissions.add(
        Permission.objects.get(codename="manage_mentoring"),
        Permission.objects.get(codename="access_admin"),
    )
    cycle = make_cycle(opens=-10, closes=-1, name="Consent cycle", consent="mentor")

    def apply(role, name, capacity=None, days_ago=0):
        user = make_user()
        application = Application.objects.create(
            user=user,
            cycle=cycle,
            role=role,
            contact_email=user.email,
            name=name,
            career_stage="senior" if role == "mentor" else "student",
            sector="public",
            region="North",
            meeting_preference="either",
            conference_attendance="yes",
            goals="Learn to lead a team.",
            capacity=capacity,
        )
        application.topics.set([topics[0]])
        return application

    people = {
        "mentee": apply("mentee", "Nadia Mentee"),
        "mentor": apply("mentor", "Olu Mentor", capacity=1),
    }
    earlier = apply("mentee", "Zed Longwait")
    Application.objects.filter(pk=earlier.pk).update(
        submitted_at=earlier.submitted_at.replace(year=earlier.submitted_at.year - 1)
    )
    return people


def log_in(page, username="chair"):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)


def approve_nadia(page, people):
    log_in(page)
    page.goto(f"/admin/mentoring/matching/mentee/{people['mentee'].pk}/")
    first = page.locator("[data-suggestions] tbody tr").first
    expect(first).to_contain_text("Olu Mentor")
    first.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("the invitation is sent")).to_be_visible()
    match = Match.objects.get()
    assert match.status == MatchStatus.AWAITING
    assert not SentEmail.objects.filter(kind="match_introduction").exists()
    (invitation,) = [m for m in mail.outbox if m.to == [people["mentor"].contact_email]]
    return match, invitation


def link_in(message, answer: str) -> str:
    url = next(u for u in URL.findall(message.body) if f"answer={answer}" in u)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.mark.django_db(transaction=True)
def test_a_mentor_accepts_by_the_email_link_and_the_introduction_goes_out(
    consent_workspace, browser, live_server, browser_page
):
    match, invitation = approve_nadia(browser_page, consent_workspace)
    # The mentor, in a browser of their own, not logged in.
    context = browser.new_context(base_url=live_server.url)
    mentor = context.new_page()
    mentor.goto(link_in(invitation, "yes"))
    expect(mentor.get_by_role("heading", name="Your mentoring introduction")).to_be_visible()
    expect(mentor.get_by_text("Learn to lead a team.")).to_be_visible()
    expect(mentor.get_by_label("Yes, introduce us")).to_be_checked()
    mentor.get_by_role("button", name="Send my answer").click()
    expect(mentor.get_by_text("Your introduction is on its way by email.")).to_be_visible()
    match.refresh_from_db()
    assert match.status == MatchStatus.APPROVED
    introductions = SentEmail.objects.filter(kind="match_introduction", match=match)
    assert sorted(introductions.values_list("to", flat=True)) == sorted(
        [consent_workspace["mentor"].contact_email, consent_workspace["mentee"].contact_email]
    )
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_mentor_declines_and_the_mentee_is_first_in_the_pool_again(
    consent_workspace, browser, live_server, browser_page
):
    page = browser_page
    match, invitation = approve_nadia(page, consent_workspace)
    context = browser.new_context(base_url=live_server.url)
    mentor = context.new_page()
    mentor.goto(link_in(invitation, "no"))
    expect(mentor.get_by_label("Not this time")).to_be_checked()
    mentor.get_by_label("Anything the committee should know").fill("We are colleagues.")
    mentor.get_by_role("button", name="Send my answer").click()
    expect(mentor.get_by_text("Thank you for letting us know.")).to_be_visible()

    page.goto(f"/admin/mentoring/matching/cycle/{match.cycle_id}/")
    first = page.locator("[data-pool] tbody tr").first
    expect(first).to_contain_text("Nadia Mentee")
    expect(first.locator("[data-first-in-line]")).to_have_text("first in line")
    expect(page.locator("[data-declined]")).to_contain_text(
        "The mentor declined the introduction. We are colleagues."
    )
    match.refresh_from_db()
    assert match.status == MatchStatus.DECLINED
    # Nadia is never emailed about the decline.
    assert not SentEmail.objects.filter(to=consent_workspace["mentee"].contact_email).exists()
    context.close()
