"""Ids parsed strictly, NUL refused with a message, free text capped and the cap shown.

Each test posts what a forged or broken request sends and asserts a clear refusal
(a 400 page or a form error), never a server error, and that nothing was stored.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.conftest import application_data
from wagtail_mentoring.inputs import parse_id
from wagtail_mentoring.matching.lifecycle import (
    MatchingError,
    approve,
    end_early,
    propose,
)
from wagtail_mentoring.models import (
    Application,
    ApplicationFormField,
    ApplicationStatus,
    Match,
    MatchStatus,
    SurveyFormField,
    SurveyPage,
    SurveyResponse,
    SurveyRound,
)
from wagtail_mentoring.models.applications import COMMITTEE_GROUP
from wagtail_mentoring.models.surveys import make_token

BAD_IDS = ["abc", "1.5", "\x00", "1\x00", "²", "٣", "-1", " 1", "99999999999999999999", ""]
MEGABYTE = "a" * 1_000_000


@pytest.fixture
def server_errors_as_responses():
    return Client(raise_request_exception=False)


@pytest.fixture
def committee_client(make_user):
    user = make_user()
    user.groups.add(Group.objects.get(name=COMMITTEE_GROUP))
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def pair(make_application):
    mentor = make_application("mentor", capacity=2)
    mentee = make_application("mentee")
    return mentor, mentee


@pytest.fixture
def approved(pair):
    mentor, mentee = pair
    return approve(propose(mentee, mentor))


def test_parse_id_accepts_only_ascii_digits_within_the_bigint_range():
    assert parse_id("12") == 12 and parse_id("0") == 0 and parse_id(7) == 7
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    for value in [*BAD_IDS, str(2**63), None, True, 2**63, [], "12a"]:
        assert parse_id(value) is None, value


# -- My mentoring ------------------------------------------------------------------------


@pytest.fixture
def completed(make_application, make_cycle, member):
    past = make_cycle(opens=-400, closes=-380, name="Past cycle")
    application = make_application("mentee", user=member, status=ApplicationStatus.COMPLETED)
    Application.objects.filter(pk=application.pk).update(cycle=past)
    return application


@pytest.mark.parametrize("value", BAD_IDS)
def test_my_mentoring_refuses_an_alumni_choice_that_is_not_an_id(
    value, server_errors_as_responses, member, program_page, completed
):
    client = server_errors_as_responses
    client.force_login(member)
    url = program_page.url + program_page.reverse_subpage("my_mentoring")
    response = client.post(url, {"alumni_application": value, "alumni_listing_consent": "1"})
    assert response.status_code == 400
    alert = BeautifulSoup(response.content, "html.parser").select_one(".mentoring-my__error")
    assert "could not be saved" in alert.text
    completed.refresh_from_db()
    assert not completed.alumni_listing_consent

    saved = client.post(
        url, {"alumni_application": str(completed.pk), "alumni_listing_consent": "1"}
    )
    assert saved.status_code == 302
    completed.refresh_from_db()
    assert completed.alumni_listing_consent


# -- the application form ----------------------------------------------------------------


@pytest.mark.usefixtures("no_spam_timer")
@pytest.mark.parametrize("value", ["²", "٣", "1\x00", "99999999999999999999", "-1"])
def test_a_topic_that_is_not_an_id_is_a_form_error(
    value, server_errors_as_responses, member, mentee_page, open_cycle, topics
):
    client = server_errors_as_responses
    client.force_login(member)
    data = application_data("mentee", topics, topics=[str(topics[0].pk), value])
    response = client.post(mentee_page.url, data)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert "is not a valid value" in soup.select_one("[data-field=topics]").text
    assert not Application.objects.exists()


@pytest.mark.usefixtures("no_spam_timer")
def test_null_characters_in_any_text_field_are_refused_with_a_message(
    client, member, mentee_page, open_cycle, topics
):
    client.force_login(member)
    for field in ("name", "organisation", "goals", "mentor_kind", "region"):
        data = application_data("mentee", topics, **{field: "Mia\x00Member"})
        response = client.post(mentee_page.url, data)
        soup = BeautifulSoup(response.content, "html.parser")
        assert "Null characters are not allowed." in soup.select_one(f"[data-field={field}]").text
    assert not Application.objects.exists()


@pytest.fixture
def question(mentee_page):
    ApplicationFormField.objects.create(
        page=mentee_page, sort_order=0, label="Tell us more", field_type="multiline"
    )
    mentee_page.save_revision().publish()
    return "extra__tell_us_more"


@pytest.mark.usefixtures("no_spam_timer")
def test_an_editors_multi_line_question_is_capped_and_says_so(
    client, member, mentee_page, open_cycle, topics, question
):
    client.force_login(member)
    form = BeautifulSoup(client.get(mentee_page.url).content, "html.parser")
    textarea = form.select_one(f"textarea[name={question}]")
    assert textarea["maxlength"] == "5000"
    assert "At most 5,000 characters." in form.select_one(f"[data-field={question}]").text

    refused = client.post(
        mentee_page.url, application_data("mentee", topics, **{question: MEGABYTE})
    )
    soup = BeautifulSoup(refused.content, "html.parser")
    assert (
        "at most 5000 characters (it has 1000000)"
        in soup.select_one(f"[data-field={question}]").text
    )
    assert not Application.objects.exists()

    client.post(mentee_page.url, application_data("mentee", topics, **{question: "é" * 5000}))
    assert Application.objects.get().extra_answers == {"tell_us_more": "é" * 5000}


@pytest.mark.usefixtures("no_spam_timer")
def test_the_answer_length_setting_changes_the_cap(
    client, member, mentee_page, open_cycle, topics, question, settings
):
    settings.WAGTAIL_MENTORING_MAX_ANSWER_LENGTH = 40
    client.force_login(member)
    form = BeautifulSoup(client.get(mentee_page.url).content, "html.parser")
    assert form.select_one(f"textarea[name={question}]")["maxlength"] == "40"
    assert "At most 40 characters." in form.select_one(f"[data-field={question}]").text
    client.post(mentee_page.url, application_data("mentee", topics, **{question: "x" * 41}))
    assert not Application.objects.exists()
    client.post(mentee_page.url, application_data("mentee", topics, **{question: "x" * 40}))
    assert Application.objects.get().extra_answers == {"tell_us_more": "x" * 40}


def test_the_programmes_own_text_fields_show_their_limits(client, member, mentee_page, open_cycle):
    client.force_login(member)
    soup = BeautifulSoup(client.get(mentee_page.url).content, "html.parser")
    assert soup.select_one("textarea[name=goals]")["maxlength"] == "2000"
    assert "At most 2,000 characters." in soup.select_one("[data-field=goals]").text
    assert soup.select_one("textarea[name=mentor_kind]")["maxlength"] == "1000"
    assert "At most 1,000 characters." in soup.select_one("[data-field=mentor_kind]").text


# -- surveys -----------------------------------------------------------------------------


@pytest.fixture
def survey_link(approved, program_page):
    page = SurveyPage(title="Pairing fit", slug="pairing-fit")
    program_page.add_child(instance=page)
    for order, (label, kind) in enumerate(
        [("Anything else?", "multiline"), ("Meetings so far", "number"), ("First met", "date")]
    ):
        SurveyFormField.objects.create(
            page=page, sort_order=order, label=label, field_type=kind, required=False
        )
    page.save_revision().publish()
    survey_round = SurveyRound.objects.create(
        cycle=approved.cycle, name="Pairing fit", page=page, months_after_start=1
    )
    return f"{page.url}?t={make_token(approved, survey_round, 'mentee')}"


def test_a_survey_answer_is_capped_and_says_so(server_errors_as_responses, survey_link):
    client = server_errors_as_responses
    soup = BeautifulSoup(client.get(survey_link).content, "html.parser")
    assert soup.select_one("textarea[name=anything_else]")["maxlength"] == "5000"
    assert "At most 5,000 characters." in soup.text

    refused = client.post(survey_link, {"anything_else": MEGABYTE})
    assert refused.status_code == 400
    assert b"at most 5000 characters (it has 1000000)" in refused.content
    nul = client.post(survey_link, {"anything_else": "fine\x00"})
    assert nul.status_code == 400 and b"Null characters are not allowed." in nul.content
    assert not SurveyResponse.objects.exists()


def test_number_and_date_answers_are_stored(server_errors_as_responses, survey_link):
    response = server_errors_as_responses.post(
        survey_link, {"anything_else": "Good", "meetings_so_far": "3.50", "first_met": "2027-03-01"}
    )
    assert response.status_code == 200
    answers = SurveyResponse.objects.get().answers
    assert answers["meetings_so_far"]["value"] == "3.50"
    assert answers["first_met"]["value"] == "2027-03-01"


def test_a_survey_number_answer_has_at_most_30_digits(server_errors_as_responses, survey_link):
    response = server_errors_as_responses.post(survey_link, {"meetings_so_far": "9" * 31})
    assert response.status_code == 400 and not SurveyResponse.objects.exists()


# -- the matching workspace --------------------------------------------------------------


@pytest.mark.parametrize("value", BAD_IDS)
def test_a_mentor_that_is_not_an_id_is_refused_with_a_message(committee_client, pair, value):
    _mentor, mentee = pair
    url = reverse("wagtail_mentoring_matching_mentee", args=[mentee.pk])
    response = committee_client.post(url, {"mentor": value, "action": "approve"}, follow=True)
    assert response.status_code == 200
    assert "Choose a mentor from the suggestions." in response.content.decode()
    assert not Match.objects.exists()


@pytest.mark.parametrize("value", BAD_IDS)
def test_proposals_that_are_not_ids_are_left_out(committee_client, pair, value):
    mentor, mentee = pair
    proposal = propose(mentee, mentor)
    url = reverse("wagtail_mentoring_matching_cycle", args=[mentee.cycle_id])
    alone = committee_client.post(url, {"action": "approve_selected", "match": value}, follow=True)
    assert "Select at least one proposal first." in alone.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.PROPOSED

    both = {"action": "approve_selected", "match": [value, str(proposal.pk)]}
    assert committee_client.post(url, both).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.APPROVED


# -- ending a match early ----------------------------------------------------------------


def test_an_end_reason_with_a_null_character_is_refused(committee_client, approved):
    url = reverse("wagtail_mentoring_end_match", args=[approved.pk])
    response = committee_client.post(url, {"reason": "Moved away\x00"})
    assert response.status_code == 400
    assert b"Null characters are not allowed." in response.content
    approved.refresh_from_db()
    assert approved.status == MatchStatus.APPROVED and approved.end_reason == ""


def test_an_end_reason_is_capped_at_1000_characters_and_says_so(committee_client, approved):
    url = reverse("wagtail_mentoring_end_match", args=[approved.pk])
    soup = BeautifulSoup(committee_client.get(url).content, "html.parser")
    assert soup.select_one("textarea[name=reason]")["maxlength"] == "1000"
    assert "At most 1,000 characters." in soup.select_one("#id_reason_help").text

    response = committee_client.post(url, {"reason": MEGABYTE})
    assert response.status_code == 400
    assert b"at most 1000 characters (it has 1000000)" in response.content
    approved.refresh_from_db()
    assert approved.status == MatchStatus.APPROVED

    done = committee_client.post(url, {"reason": "r" * 1000})
    assert done.status_code == 302
    approved.refresh_from_db()
    assert approved.status == MatchStatus.ENDED_EARLY and approved.end_reason == "r" * 1000


def test_the_service_refuses_an_oversized_or_nul_reason_too(approved):
    for reason in ("r" * 1001, "Moved\x00"):
        with pytest.raises(MatchingError):
            end_early(approved, reason=reason)
    approved.refresh_from_db()
    assert approved.status == MatchStatus.APPROVED


def test_an_empty_end_reason_still_says_what_to_do(committee_client, approved):
    url = reverse("wagtail_mentoring_end_match", args=[approved.pk])
    response = committee_client.post(url, {"reason": "   "})
    assert response.status_code == 400 and b"Say why the match ends early." in response.content
    approved.refresh_from_db()
    assert approved.status == MatchStatus.APPROVED


# -- the cycle form ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["99999999999999999999", "abc", "²", "1\x00"])
@pytest.mark.parametrize("field", ["program_page", "default_survey"])
def test_the_cycle_form_refuses_a_page_that_is_not_an_id(
    field, value, server_errors_as_responses, make_user, program_page
):
    client = server_errors_as_responses
    client.force_login(make_user(is_superuser=True, is_staff=True))
    url = reverse("wagtail_mentoring_cycle_modeladmin_create")
    response = client.post(url, {"name": "2028 cycle", field: value})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


# -- the package's snippets --------------------------------------------------------------


@pytest.fixture
def superuser_client(make_user):
    client = Client(raise_request_exception=False)
    client.force_login(make_user(is_superuser=True, is_staff=True))
    return client


def test_searching_topics_finds_them(superuser_client, topics):
    url = reverse("wagtailsnippets_wagtail_mentoring_topic:list")
    for query in ("Lead", "abc", "\x00", "²", "x" * 6000):
        assert superuser_client.get(url, {"q": query}).status_code == 200
    found = superuser_client.get(url, {"q": "Lead"}).content.decode()
    assert "Leadership" in found and "Data literacy" not in found


def test_a_snippet_chooser_without_a_creation_form_has_no_create_view(superuser_client):
    for model in ("topic", "emailwording", "surveyround"):
        url = reverse(f"wagtailsnippetchoosers_wagtail_mentoring_{model}:create")
        assert superuser_client.post(url, {"name": "New"}).status_code == 404
        assert superuser_client.get(url).status_code == 404


def test_a_survey_round_with_responses_is_not_deleted_and_says_why(superuser_client, survey_link):
    assert superuser_client.post(survey_link, {"anything_else": "Fine"}).status_code == 200
    survey_round = SurveyRound.objects.get()
    url = reverse("wagtailsnippets_wagtail_mentoring_surveyround:delete", args=[survey_round.pk])
    response = superuser_client.post(url, follow=True)
    assert response.status_code == 200
    assert "has responses, so it cannot be deleted" in response.content.decode()
    assert SurveyRound.objects.filter(pk=survey_round.pk).exists()


def test_bulk_deleting_a_survey_round_with_responses_keeps_it_and_says_why(
    superuser_client, survey_link
):
    assert superuser_client.post(survey_link, {"anything_else": "Fine"}).status_code == 200
    survey_round = SurveyRound.objects.get()
    empty = SurveyRound.objects.create(
        cycle=survey_round.cycle, name="Unused", page=survey_round.page, months_after_start=2
    )
    listing = reverse("wagtailsnippets_wagtail_mentoring_surveyround:list")
    url = (
        reverse("wagtail_bulk_action", args=["wagtail_mentoring", "surveyround", "delete"])
        + f"?id={survey_round.pk}&id={empty.pk}&next={listing}"
    )
    assert superuser_client.get(url).status_code == 200
    response = superuser_client.post(url, follow=True)
    assert response.status_code == 200
    assert "has responses, so it cannot be deleted" in response.content.decode()
    assert SurveyRound.objects.filter(pk=survey_round.pk).exists()
    # A round nobody answered is still deleted as usual.
    assert not SurveyRound.objects.filter(pk=empty.pk).exists()
