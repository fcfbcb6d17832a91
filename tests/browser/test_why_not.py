""" "Why not this mentor?" in a real browser: a committee member picks a colleague of the
mentee's and reads why; the answer reads well in Wagtail's dark theme too."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect
from wagtail.users.models import UserProfile

from wagtail_mentoring.models import Application

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def committee(make_user, open_cycle, topics):
    chair = make_user(username="chair")
    group = Group.objects.get_or_create(name="Mentoring committee")[0]
    group.permissions.add(
        Permission.objects.get(codename="manage_mentoring"),
        Permission.objects.get(codename="access_admin"),
    )
    chair.groups.add(group)

    def apply(role, name, organisation, capacity=None):
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
            organisation=organisation,
            meeting_preference="either",
            conference_attendance="yes",
            goals="Grow.",
            capacity=capacity,
        )
        application.topics.set(topics[:2])
        return application

    apply("mentee", "Nadia Mentee", "Eastvale Libraries")
    apply("mentor", "Cora Colleague", "Eastvale Libraries", capacity=1)
    apply("mentor", "Olu Bestfit", "Westvale Archive", capacity=1)
    return chair


def log_in(page):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("chair")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)


def explain(page, mentor: str):
    mentee = Application.objects.get(name="Nadia Mentee")
    page.goto(f"/admin/mentoring/matching/mentee/{mentee.pk}/")
    page.get_by_label("Mentor application").select_option(label=f"{mentor} (Submitted)")
    page.get_by_role("button", name="Explain").click()
    return page.locator("[data-why-not-result]")


def serious(page) -> list:
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, context="[data-why-not]", options=options)
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_committee_member_asks_why_a_colleague_is_not_suggested(committee, browser_page, theme):
    UserProfile.objects.update_or_create(user=committee, defaults={"theme": theme})
    page = browser_page
    log_in(page)
    result = explain(page, "Cora Colleague")
    heading = result.get_by_role("heading", name="Why Cora Colleague is not suggested")
    expect(heading).to_be_visible()
    expect(result.get_by_role("listitem")).to_have_text(
        "Both work for the same employer (Eastvale Libraries); colleagues are not paired."
    )
    # The suggestions agree: the colleague is not among them, the other mentor is.
    suggestions = page.locator("[data-suggestions]")
    expect(suggestions).to_contain_text("Olu Bestfit")
    expect(suggestions).not_to_contain_text("Cora Colleague")
    # The choice is kept, and the address can be shared with the committee.
    expect(page.get_by_label("Mentor application")).to_have_value(
        str(Application.objects.get(name="Cora Colleague").pk)
    )
    assert "why_mentor=" in page.url
    page.screenshot(path=f"/tmp/why-not-{theme}.png", full_page=True)
    assert serious(page) == []

    # An allowed mentor: the components side by side with the top suggestion's.
    result = explain(page, "Olu Bestfit")
    expect(result.get_by_role("heading", name="Olu Bestfit may be suggested")).to_be_visible()
    page.screenshot(path=f"/tmp/why-not-allowed-{theme}.png", full_page=True)
    table = result.get_by_role("table", name="Score by component")
    expect(table.get_by_role("columnheader", name="Olu Bestfit (top suggestion)")).to_be_visible()
    expect(table.get_by_role("rowheader", name="topics")).to_be_visible()
    assert serious(page) == []
    if theme == "dark":  # Wagtail's own dark colours, not a light box on a dark page
        colours = page.evaluate(
            """() => [getComputedStyle(document.querySelector('[data-why-not] h2')).color,
                      getComputedStyle(document.body).backgroundColor]"""
        )
        text, background = (
            [int(c) for c in colour[colour.index("(") + 1 : -1].split(",")[:3]]
            for colour in colours
        )
        assert sum(text) > 3 * 160 and sum(background) < 3 * 100, colours
