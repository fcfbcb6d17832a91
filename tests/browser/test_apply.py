import os

import pytest
from django.core import mail
from playwright.sync_api import expect

from wagtail_mentoring.models import Application


@pytest.fixture
def applicant(
    transactional_db,
    django_db_serialized_rollback,
    member,
    mentee_page,
    open_cycle,
    topics,
    settings,
):
    settings.WAGTAIL_MENTORING_MIN_SUBMIT_SECONDS = 0
    return member


@pytest.mark.django_db(transaction=True)
def test_member_logs_in_applies_and_sees_the_confirmation(applicant, mentee_page, browser_page):
    page = browser_page
    page.goto(mentee_page.url)
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("member")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()

    # Back on the application page, with the form prefilled from the account.
    expect(page.get_by_role("heading", level=1)).to_have_text(mentee_page.title)
    expect(page.get_by_label("Contact email")).to_have_value("member@example.org")

    page.get_by_label("Your career stage").select_option("new_professional")
    page.get_by_label("Your sector").select_option("public")
    page.get_by_label("Region").fill("Eastvale")
    page.get_by_label("Virtual").check()
    page.get_by_label("Not sure").check()
    page.get_by_label("Leadership").check()
    page.get_by_label("What you hope to achieve").fill("Learn to lead a small team.")
    page.get_by_label("What kind of mentor are you hoping for?").fill("A branch manager.")
    page.get_by_label("I commit to a pairing").check()
    page.get_by_label("I agree that the mentoring committee").check()
    page.get_by_role("button", name="Submit application").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for applying")
    expect(page.locator(".mentoring-next-steps")).to_contain_text(
        "We have sent a confirmation to member@example.org."
    )
    application = Application.objects.get()
    assert application.region == "Eastvale" and application.meeting_preference == "virtual"
    assert [m.to for m in mail.outbox] == [["member@example.org"]]

    # Coming back later shows the status rather than a new form.
    page.goto(mentee_page.url)
    expect(page.locator("[data-application-status=submitted]")).to_contain_text("Submitted")


@pytest.mark.django_db(transaction=True)
def test_a_refused_form_moves_focus_to_its_error_summary(
    applicant, mentee_page, browser_page, client, live_server
):
    page = browser_page
    page.goto("/login/?next=" + mentee_page.url)
    page.get_by_label("Username").fill("member")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Your name").fill("")
    page.get_by_role("button", name="Submit application").click()

    summary = page.locator("[data-mentoring-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    # Its links lead to the fields: following one focuses that field.
    summary.get_by_role("link", name="Your name").click()
    expect(page.get_by_label("Your name")).to_be_focused()
    summary_box = summary.bounding_box()
    first_field = page.locator("[data-field=name]").bounding_box()
    assert summary_box["y"] < first_field["y"]
    shots = os.environ.get("WAGTAIL_MENTORING_SCREENSHOTS")
    if shots:  # for a person to look at the layout: desktop and a narrow phone
        for width, name in ((1280, "desktop"), (375, "mobile")):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(mentee_page.url)
            page.get_by_role("button", name="Submit application").click()
            page.screenshot(path=f"{shots}/apply-errors-{name}.png", full_page=True)
