from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect


@pytest.fixture
def seeded():
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=StringIO())


# The live server reads committed data, so this test commits (and is flushed after).
@pytest.mark.django_db(transaction=True)
def test_visitor_reads_the_seeded_landing_page_and_uses_the_faq_accordion(seeded, browser_page):
    page = browser_page
    page.goto("/mentoring/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentoring programme")
    expect(page.locator("[data-mentoring-cycle-status]")).to_contain_text(
        "Applications are open until"
    )

    faq = page.locator("[data-mentoring-accordion][data-mentoring-accordion-ready]")
    expect(faq).to_be_visible()
    question = page.locator("summary", has_text="How long does a pairing last?")
    item = faq.locator("details", has=question)
    answer = item.locator(".mentoring-faq__answer")

    # Every answer starts closed.
    expect(item).not_to_have_attribute("open", "")
    expect(answer).to_be_hidden()

    question.click()
    expect(item).to_have_attribute("open", "")
    expect(answer).to_be_visible()
    expect(answer).to_contain_text("Up to ten months")

    # Keyboard users toggle it the same way.
    question.focus()
    page.keyboard.press("Enter")
    expect(answer).to_be_hidden()

    # Other answers were never opened.
    other = faq.locator("details", has=page.locator("summary", has_text="Who can take part?"))
    expect(other).not_to_have_attribute("open", "")


def _log_in(browser_page, live_server, user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    browser_page.context.add_cookies(
        [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
    )


def _screenshots(page, name):
    import os

    shots = os.environ.get("WAGTAIL_MENTORING_SCREENSHOTS")
    if shots:  # for a person to look at the layout: desktop and a narrow phone
        for width, label in ((1280, "desktop"), (375, "mobile")):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{shots}/{name}-{label}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_my_mentoring_shows_the_pairing_and_fits_a_phone(
    make_application, program_page, open_cycle, browser_page, live_server
):
    import datetime

    from wagtail_mentoring.matching import lifecycle

    mentor = make_application("mentor", capacity=1)
    mentee = make_application("mentee")
    start = datetime.date.today() + datetime.timedelta(days=10)
    lifecycle.approve(lifecycle.propose(mentee, mentor), start_date=start)
    _log_in(browser_page, live_server, mentee.user)
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(program_page.url + program_page.reverse_subpage("my_mentoring"))
    pairing = page.locator(".mentoring-my__pairing")
    expect(pairing).to_contain_text("Please write to your mentor by")
    expect(pairing.get_by_role("heading", name="What happens next")).to_be_visible()
    # Nothing sticks out sideways on a narrow phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _screenshots(page, "my-mentoring")
