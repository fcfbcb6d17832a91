"""Where each page type may go: what the admin offers under each page."""

from __future__ import annotations

import re

import pytest
from django.core import checks
from django.urls import reverse

from tests.testapp.models import BenchmarkFormPage
from wagtail_mentoring.models import MentoringApplicationPage, MentoringProgramPage, SurveyPage

ADD_LINK = re.compile(r"/admin/pages/add/(\w+)/(\w+)/\d+/")


def offered(client, parent) -> set[str]:
    """The page types the admin's "Add child page" offers under ``parent``."""
    response = client.get(reverse("wagtailadmin_pages:add_subpage", args=(parent.pk,)))
    if response.status_code == 302:  # only one choice: the admin goes straight to it
        return {".".join(ADD_LINK.search(response["Location"]).groups())}
    assert response.status_code == 200
    return {".".join(match) for match in ADD_LINK.findall(response.content.decode())}


def test_a_programme_page_offers_only_application_and_survey_pages(admin_client, program_page):
    assert offered(admin_client, program_page) == {
        "wagtail_mentoring.mentoringapplicationpage",
        "wagtail_mentoring.surveypage",
    }


def test_outside_a_programme_only_the_programme_page_is_offered(admin_client, home_page):
    choices = offered(admin_client, home_page)
    assert "wagtail_mentoring.mentoringprogrampage" in choices
    assert "wagtail_mentoring.mentoringapplicationpage" not in choices
    assert "wagtail_mentoring.surveypage" not in choices


def test_application_and_survey_pages_cannot_be_added_or_moved_outside_a_programme(
    admin_client, home_page, program_page
):
    for model in (MentoringApplicationPage, SurveyPage):
        assert not model.can_create_at(home_page)
        assert model.can_create_at(program_page)
        assert model.allowed_parent_page_models() == [MentoringProgramPage]
        args = ("wagtail_mentoring", model._meta.model_name, home_page.pk)
        url = reverse("wagtailadmin_pages:add", args=args)
        assert admin_client.get(url).status_code in (302, 403)  # refused, not the form
    survey = SurveyPage(title="Pairing fit", slug="pairing-fit")
    program_page.add_child(instance=survey)
    assert not survey.can_move_to(home_page)
    assert not MentoringProgramPage.can_create_at(program_page)


def test_the_setting_adds_the_site_s_own_page_types_under_a_programme(settings, program_page):
    assert BenchmarkFormPage not in MentoringProgramPage.allowed_subpage_models()
    settings.WAGTAIL_MENTORING_PROGRAM_CHILD_PAGE_TYPES = ["testapp.BenchmarkFormPage"]
    assert set(MentoringProgramPage.allowed_subpage_models()) == {
        MentoringApplicationPage,
        SurveyPage,
        BenchmarkFormPage,
    }
    assert BenchmarkFormPage.can_exist_under(program_page)


@pytest.mark.parametrize(
    "value",
    [["testapp.NoSuchPage"], ["wagtail_mentoring.Topic"], ["not a model"], "home.Page"],
)
def test_e013_refuses_what_is_no_page_model(db, settings, value):
    settings.WAGTAIL_MENTORING_PROGRAM_CHILD_PAGE_TYPES = value
    messages = [m for m in checks.run_checks() if m.id == "wagtail_mentoring.E015"]
    assert messages and "PROGRAM_CHILD_PAGE_TYPES" in messages[0].msg
    # The admin keeps working: names that are no page model are left out.
    assert set(MentoringProgramPage.allowed_subpage_models()) == {
        MentoringApplicationPage,
        SurveyPage,
    }


def test_e013_accepts_page_models(db, settings):
    settings.WAGTAIL_MENTORING_PROGRAM_CHILD_PAGE_TYPES = ["testapp.BenchmarkFormPage"]
    assert [m for m in checks.run_checks() if m.id == "wagtail_mentoring.E015"] == []
