import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import expect

from wagtail_mentoring.dates import add_months
from wagtail_mentoring.matching.lifecycle import approve, propose
from wagtail_mentoring.models import SurveyFormField, SurveyPage, SurveyResponse, SurveyRound
from wagtail_mentoring.models.surveys import make_token


@pytest.fixture
def survey_link(make_application, make_user, program_page):
    chair = make_user(username="chair")
    group = Group.objects.get_or_create(name="Mentoring committee")[0]
    group.permissions.add(
        Permission.objects.get(codename="manage_mentoring"),
        Permission.objects.get(codename="access_admin"),
    )
    chair.groups.add(group)
    mentor = make_application("mentor", capacity=1, user=make_user(first_name="Ben"))
    mentee = make_application("mentee", user=make_user(first_name="Amara"))
    match = approve(
        propose(mentee, mentor),
        start_date=add_months(timezone.localdate(), -1) - datetime.timedelta(days=1),
    )
    page = SurveyPage(title="Pairing fit", slug="pairing-fit")
    program_page.add_child(instance=page)
    SurveyFormField.objects.create(
        page=page, sort_order=0, label="How satisfied are you?", field_type="rating", required=True
    )
    SurveyFormField.objects.create(
        page=page, sort_order=1, label="Anything else?", field_type="multiline", required=False
    )
    page.save_revision().publish()
    survey_round = SurveyRound.objects.create(
        cycle=mentor.cycle, name="Pairing fit", page=page, months_after_start=1
    )
    return f"{page.url}?t={make_token(match, survey_round, 'mentee')}", mentor.cycle


@pytest.mark.django_db(transaction=True)
def test_a_mentee_answers_and_the_committee_sees_it_in_the_report(survey_link, browser_page):
    link, cycle = survey_link
    page = browser_page
    page.goto(link)
    expect(page.get_by_role("heading", name="Pairing fit")).to_be_visible()
    page.get_by_role("radiogroup", name="How satisfied are you?").get_by_label("4").check()
    page.get_by_label("Anything else?").fill("We meet every fortnight.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("your answers reached the mentoring committee")).to_be_visible()
    assert SurveyResponse.objects.get().answers["how_satisfied_are_you"]["value"] == 4

    page.goto(link)
    expect(page.get_by_text("You have already answered this survey")).to_be_visible()

    page.goto("/admin/login/")
    page.get_by_label("Username").fill("chair")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/admin/mentoring/report/{cycle.pk}/")
    row = page.get_by_role("row", name="How satisfied are you?")
    expect(row).to_contain_text("4.00")
    expect(row).to_contain_text("1")


@pytest.mark.django_db(transaction=True)
def test_the_survey_page_reads_like_the_other_pages(survey_link, browser_page):
    import os

    link, _ = survey_link
    survey = SurveyPage.objects.get()
    survey.intro = "<p>Three short questions about your pairing.</p>"
    survey.save_revision().publish()
    page = browser_page
    page.goto(link)
    # The same layout as the application page.
    form = page.locator("form.mentoring-form")
    expect(form).to_be_visible()
    expect(form.locator(".mentoring-form__field")).to_have_count(2)
    expect(page.get_by_role("button", name="Send my answers")).to_have_class("mentoring-button")
    # The introduction once.
    expect(page.get_by_text("Three short questions about your pairing.")).to_have_count(1)
    # The rating scale names its ends.
    scale = page.get_by_role("radiogroup", name="How satisfied are you?")
    expect(scale.get_by_label("1 = not at all")).to_be_visible()
    expect(scale.get_by_label("5 = very much")).to_be_visible()
    expect(page.locator("[data-field] .mentoring-form__required")).to_have_count(1)
    # The comment's label sits straight above its box, lined up on the left.
    label = page.locator("label", has_text="Anything else?").bounding_box()
    box = page.get_by_label("Anything else?").bounding_box()
    assert abs(label["x"] - box["x"]) < 2 and label["y"] + label["height"] <= box["y"] + 1
    # A missing rating is summarised at the top.
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("[data-mentoring-error-summary]")).to_be_focused()
    shots = os.environ.get("WAGTAIL_MENTORING_SCREENSHOTS")
    if shots:  # for a person to look at the layout: desktop and a narrow phone
        for width, name in ((1280, "desktop"), (375, "mobile")):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(link)
            page.screenshot(path=f"{shots}/survey-{name}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_editors_name_the_ends_of_a_rating_in_its_help_text(survey_link, browser_page):
    link, _ = survey_link
    SurveyFormField.objects.filter(field_type="rating").update(help_text="poor | excellent")
    page = browser_page
    page.goto(link)
    scale = page.get_by_role("radiogroup", name="How satisfied are you?")
    expect(scale.get_by_label("1 = poor")).to_be_visible()
    expect(scale.get_by_label("5 = excellent")).to_be_visible()
    expect(page.get_by_text("poor | excellent")).to_have_count(0)
