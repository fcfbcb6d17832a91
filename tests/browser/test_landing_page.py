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
    question = faq.get_by_role("button", name="How long does a pairing last?")
    answer = page.locator(f"#{question.get_attribute('aria-controls')}")

    # The script collapses every answer once it runs.
    expect(question).to_have_attribute("aria-expanded", "false")
    expect(answer).to_be_hidden()

    question.click()
    expect(question).to_have_attribute("aria-expanded", "true")
    expect(answer).to_be_visible()
    expect(answer).to_contain_text("Up to ten months")
    expect(page.get_by_role("region", name="How long does a pairing last?")).to_be_visible()

    # Keyboard users toggle it the same way.
    question.focus()
    page.keyboard.press("Enter")
    expect(question).to_have_attribute("aria-expanded", "false")
    expect(answer).to_be_hidden()

    # Other answers were never opened.
    other = faq.get_by_role("button", name="Who can take part?")
    expect(other).to_have_attribute("aria-expanded", "false")
