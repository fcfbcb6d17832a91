import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from wagtail_mentoring.models import Application, Match, MatchStatus


@pytest.fixture
def workspace(make_user, open_cycle, topics):
    committee = make_user(username="chair")
    committee.groups.add(Group.objects.get_or_create(name="Mentoring committee")[0])
    from django.contrib.auth.models import Permission

    committee.groups.get(name="Mentoring committee").permissions.add(
        Permission.objects.get(codename="manage_mentoring"),
        Permission.objects.get(codename="access_admin"),
    )

    def apply(role, name, topic_indexes, capacity=None):
        user = make_user()
        application = Application.objects.create(
            user=user,
            cycle=open_cycle,
            role=role,
            contact_email=user.email,
            name=name,
            career_stage="senior" if role == "mentor" else "student",
            sector="public",
            region="North",
            meeting_preference="either",
            conference_attendance="yes",
            goals="Grow.",
            capacity=capacity,
        )
        application.topics.set([topics[i] for i in topic_indexes])
        return application

    apply("mentee", "Nadia Mentee", [0, 1])
    apply("mentor", "Olu Bestfit", [0, 1], capacity=1)
    apply("mentor", "Pat Partial", [1], capacity=1)
    return committee


@pytest.mark.django_db(transaction=True)
def test_committee_member_approves_a_suggested_match(workspace, browser_page):
    page = browser_page
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("chair")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()

    page.goto("/admin/mentoring/matching/")
    expect(page.locator("[data-pool]")).to_contain_text("Nadia Mentee")
    page.get_by_role("link", name="Suggest mentors").click()

    first = page.locator("[data-suggestions] tbody tr").first
    expect(first).to_contain_text("Olu Bestfit")
    expect(first).to_contain_text("offers 2 of 2 wanted topics")
    first.get_by_role("button", name="Approve").click()

    expect(page.get_by_text("Olu Bestfit and Nadia Mentee are matched.")).to_be_visible()
    match = Match.objects.get()
    assert match.status == MatchStatus.APPROVED and match.approved_by == workspace
