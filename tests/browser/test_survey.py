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
    page.get_by_role("group", name="How satisfied are you?").get_by_label("4").check()
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
