"""A member answers "Have you met yet?" from the email's link, with one click and a button."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from wagtail_mentoring.matching.lifecycle import approve, propose
from wagtail_mentoring.models import MatchAction, MatchEvent
from wagtail_mentoring.schedule import run_schedule


@pytest.fixture
def met_links(make_application, make_user, live_server, settings):
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    mentor = make_application("mentor", capacity=1, user=make_user(first_name="Ben"))
    mentee = make_application("mentee", user=make_user(first_name="Amara"))
    approve(propose(mentee, mentor), start_date=timezone.localdate() - datetime.timedelta(days=21))
    mail.outbox = []
    run_schedule()
    message = next(
        m for m in mail.outbox if "Have you met" in m.subject and m.to == [mentee.contact_email]
    )
    return dict(re.findall(r"^(.+): (http\S+/met/\S+)$", message.body, re.M))


@pytest.mark.django_db(transaction=True)
def test_a_member_says_yes_we_have_met(met_links, browser_page):
    page = browser_page
    page.goto(met_links["Yes, we've met"])
    expect(page.get_by_role("heading", name="Have you met yet?")).to_be_visible()
    expect(page.get_by_label("Yes, we've met")).to_be_checked()
    # Opening the link recorded nothing.
    assert not MatchEvent.objects.filter(action=MatchAction.MET_ANSWER).exists()
    page.get_by_role("button", name="Send my answer").click()
    expect(
        page.get_by_text("Thank you: your answer reached the mentoring committee.")
    ).to_be_visible()
    event = MatchEvent.objects.get(action=MatchAction.MET_ANSWER)
    assert event.params == {"role": "mentee", "answer": "met", "ask": 1}


@pytest.mark.django_db(transaction=True)
def test_a_member_changes_the_preselected_answer(met_links, browser_page):
    page = browser_page
    page.goto(met_links["Not yet"])
    expect(page.get_by_label("Not yet")).to_be_checked()
    page.get_by_label("Yes, we've met").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("We are glad you have met.")).to_be_visible()
    assert MatchEvent.objects.get(action=MatchAction.MET_ANSWER).params["answer"] == "met"
