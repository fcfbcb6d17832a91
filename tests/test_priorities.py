"""Mentees say what matters most, mentors which mentees they would most like: the form,
the stored codes, the settings and check E019, and the committee's views."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.checks import run_checks
from django.urls import reverse

from tests.conftest import application_data
from wagtail_mentoring.checks import check_priorities
from wagtail_mentoring.conf import app_settings
from wagtail_mentoring.matching.suggest import suggest_mentors
from wagtail_mentoring.models import Application
from wagtail_mentoring.priorities import PRIORITIES

pytestmark = pytest.mark.usefixtures("no_spam_timer")

QUESTIONS = {
    "topics": "How important is it that your mentor offers the topics you want help with?",
    "seniority": "How important is it that your mentor is more senior than you?",
    "region": "How important is it that your mentor is in your region, or can meet you in person?",
    "conference": "How important is it that you can meet your mentor at the annual conference?",
}


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_each_priority_is_a_fieldset_with_its_question_as_legend(
    client, member, mentee_page, open_cycle, topics
):
    client.force_login(member)
    page = soup(client.get(mentee_page.url))
    for name in PRIORITIES:
        radios = page.select(f'input[type="radio"][name="priority_{name}"]')
        assert [radio["value"] for radio in radios] == ["very", "somewhat", "not"]
        fieldset = radios[0].find_parent("fieldset")
        assert fieldset.legend.get_text(strip=True) == QUESTIONS[name]
        assert all(fieldset is radio.find_parent("fieldset") for radio in radios)
        labels = [page.find("label", attrs={"for": radio["id"]}) for radio in radios]
        assert [label.get_text(strip=True) for label in labels] == [
            "Very important",
            "Somewhat important",
            "Not important",
        ]
        checked = [radio["value"] for radio in radios if radio.has_attr("checked")]
        assert checked == ["somewhat"]  # the default, ticked at first


def test_no_conference_question_in_a_cycle_without_one(
    client, member, mentee_page, open_cycle, topics
):
    open_cycle.conference_date = None
    open_cycle.save()
    client.force_login(member)
    page = soup(client.get(mentee_page.url))
    assert page.select('input[name="priority_topics"]')
    assert not page.select('input[name="priority_conference"]')


def test_the_mentees_ratings_are_stored_as_codes(client, member, mentee_page, open_cycle, topics):
    client.force_login(member)
    data = application_data(
        "mentee",
        topics,
        priority_topics="very",
        priority_seniority="not",
        priority_region="somewhat",
        priority_conference="very",
    )
    response = client.post(mentee_page.url, data)
    assert response.status_code in (200, 302)
    application = Application.objects.get(user=member)
    assert application.priorities == {
        "topics": "very",
        "seniority": "not",
        "region": "somewhat",
        "conference": "very",
    }
    # Editing shows the stored answers ticked, and saves the new ones.
    page = soup(client.get(mentee_page.url + "?edit=1"))
    assert page.select_one('input[name="priority_topics"][checked]')["value"] == "very"
    assert page.select_one('input[name="priority_seniority"][checked]')["value"] == "not"
    data.update(mentoring_action="edit", priority_topics="not")
    client.post(mentee_page.url, data)
    application.refresh_from_db()
    assert application.priorities["topics"] == "not"
    assert application.priorities["seniority"] == "not"


def test_untouched_or_missing_answers_are_somewhat_important(
    client, member, mentee_page, open_cycle, topics
):
    client.force_login(member)
    client.post(mentee_page.url, application_data("mentee", topics))  # no priority fields
    application = Application.objects.get(user=member)
    assert application.priorities == dict.fromkeys(PRIORITIES, "somewhat")


@pytest.mark.parametrize("value", ["extremely", "", "very\x00", "2", "é" * 300])
def test_a_bad_rating_is_a_form_error_never_a_server_error(
    client, member, mentee_page, open_cycle, topics, value
):
    client.force_login(member)
    response = client.post(
        mentee_page.url,
        application_data("mentee", topics, priority_topics=value, priority_region=["a", "b"]),
    )
    assert response.status_code == 200
    assert not Application.objects.filter(user=member).exists()
    assert "Select a valid choice" in response.content.decode()


def test_a_mentor_names_the_stages_of_mentee_they_would_most_like(
    client, member, mentor_page, open_cycle, topics
):
    client.force_login(member)
    page = soup(client.get(mentor_page.url))
    boxes = page.select('input[type="checkbox"][name="preferred_mentee_stages"]')
    assert boxes and boxes[0].find_parent("fieldset").legend
    assert not page.select('input[name="priority_topics"]')  # mentees only
    client.post(
        mentor_page.url,
        application_data("mentor", topics, preferred_mentee_stages=["student", "mid_career"]),
    )
    assert Application.objects.get(user=member).preferred_mentee_stages == [
        "student",
        "mid_career",
    ]
    response = client.post(
        mentor_page.url, application_data("mentor", topics, preferred_mentee_stages=["boss"])
    )
    assert response.status_code == 200


# -- settings and check E019 ----------------------------------------------------------


def test_the_factors_setting(settings):
    assert app_settings.PRIORITY_FACTORS == {"very": 1.5, "somewhat": 1.0, "not": 0.5}
    settings.WAGTAIL_MENTORING_PRIORITY_FACTORS = {"very": 2}
    assert app_settings.PRIORITY_FACTORS == {"very": 2.0, "somewhat": 1.0, "not": 0.5}
    settings.WAGTAIL_MENTORING_PRIORITY_FACTORS = {"very": "2", "not": 0.25}
    assert app_settings.PRIORITY_FACTORS == {"very": 1.5, "somewhat": 1.0, "not": 0.25}
    assert check_priorities() and check_priorities()[0].id == "wagtail_mentoring.E019"


def test_the_stage_bonus_setting(settings):
    assert app_settings.PRIORITY_STAGE_BONUS == 5.0
    settings.WAGTAIL_MENTORING_PRIORITY_STAGE_BONUS = 12
    assert app_settings.PRIORITY_STAGE_BONUS == 12.0
    assert check_priorities() == []
    settings.WAGTAIL_MENTORING_PRIORITY_STAGE_BONUS = -1
    assert app_settings.PRIORITY_STAGE_BONUS == 5.0
    (error,) = check_priorities()
    assert error.id == "wagtail_mentoring.E019"
    assert "PRIORITY_STAGE_BONUS must be a number from 0 to 1000, got -1" in error.msg


@pytest.mark.parametrize(
    "value",
    [{}, {"very": 2.0}, {"very": 3, "somewhat": 1, "not": 0}, {"not": 1.0, "somewhat": 1.0}],
)
def test_good_factors_pass_check_e019(settings, value):
    settings.WAGTAIL_MENTORING_PRIORITY_FACTORS = value
    assert check_priorities() == []
    assert not [e for e in run_checks() if e.id == "wagtail_mentoring.E019"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1.5, 1, 0.5], "must be a dict from level to factor"),
        ({"extreme": 3}, "'extreme' is not a level"),
        ({"very": "1.5"}, "'very' must be a number from 0 to 10"),
        ({"very": True}, "'very' must be a number from 0 to 10"),
        ({"very": float("nan")}, "'very' must be a number from 0 to 10"),
        ({"not": -0.5}, "'not' must be a number from 0 to 10"),
        ({"very": 11}, "'very' must be a number from 0 to 10"),
        ({"very": 0.8}, "must not fall as the level rises"),
        ({"not": 1.2}, "must not fall as the level rises"),
    ],
)
def test_bad_factors_fail_check_e019(settings, value, message):
    settings.WAGTAIL_MENTORING_PRIORITY_FACTORS = value
    errors = [e for e in run_checks() if e.id == "wagtail_mentoring.E019"]
    assert errors and message in errors[0].msg
    assert errors[0].msg.startswith("WAGTAIL_MENTORING_PRIORITY_FACTORS: ")


# -- scoring through the database, and the committee's views ---------------------------


@pytest.fixture
def committee(make_user):
    return make_user(username="chair", member=False, is_superuser=True, is_staff=True)


@pytest.fixture
def pair_world(make_application, topics, make_user):
    """A mentee who wants topic 0; mentor Near offers it at the mentee's own stage,
    mentor Senior offers another topic but is more senior, in the same sector."""
    mentee = make_application(
        "mentee", career_stage="new_professional", region="North", sector="public"
    )
    mentee.topics.set([topics[0]])
    near = make_application(
        "mentor",
        capacity=1,
        career_stage="new_professional",
        region="South",
        sector="private",
        user=make_user(first_name="Near"),
    )
    near.topics.set([topics[0]])
    senior = make_application(
        "mentor",
        capacity=1,
        career_stage="director",
        region="North",
        sector="public",
        user=make_user(first_name="Senior"),
    )
    senior.topics.set([topics[1]])
    return mentee, near, senior


def test_suggestions_follow_what_the_mentee_rated(pair_world):
    mentee, near, senior = pair_world
    assert suggest_mentors(mentee)[0].mentor_id == near.pk  # weights alone
    mentee.priorities = {"topics": "not", "seniority": "very"}
    mentee.save()
    suggestions = suggest_mentors(mentee)
    assert suggestions[0].mentor_id == senior.pk
    assert "mentee_priority" in [part["code"] for part in suggestions[0].explanation]


def test_the_stage_bonus_reaches_suggestions(pair_world, settings):
    mentee, near, senior = pair_world
    before = {s.mentor_id: s.score for s in suggest_mentors(mentee)}
    near.preferred_mentee_stages = ["new_professional"]
    near.save()
    settings.WAGTAIL_MENTORING_PRIORITY_STAGE_BONUS = 8
    after = {s.mentor_id: s.score for s in suggest_mentors(mentee)}
    assert after[near.pk] == pytest.approx(before[near.pk] + 8)
    assert after[senior.pk] == before[senior.pk]


def test_the_committee_reads_the_priorities_in_words(client, committee, pair_world):
    mentee, near, _senior = pair_world
    mentee.priorities = {"topics": "very", "region": "not"}
    mentee.save()
    near.preferred_mentee_stages = ["student", "director"]
    near.save()
    client.force_login(committee)
    inspect = client.get(f"/admin/wagtail_mentoring/application/inspect/{mentee.pk}/")
    text = soup(inspect).select_one("[data-priorities]").get_text(" ", strip=True)
    assert "Topics: very important" in text
    assert "A more senior mentor: somewhat important" in text
    assert "The same region or meeting in person: not important" in text
    page = client.get(reverse("wagtail_mentoring_matching_mentee", args=[mentee.pk]))
    words = soup(page).select_one("[data-mentee-priorities]").get_text(" ", strip=True)
    assert "Topics: very important" in words
    assert "the mentee rated topics as very important" in page.content.decode()
    mentor_page = client.get(f"/admin/wagtail_mentoring/application/inspect/{near.pk}/")
    assert "Student, Director or executive" in mentor_page.content.decode()


def test_an_old_application_says_it_was_not_rated(client, committee, pair_world):
    mentee, _near, _senior = pair_world
    client.force_login(committee)
    page = client.get(reverse("wagtail_mentoring_matching_mentee", args=[mentee.pk]))
    assert "Not rated by the mentee" in page.content.decode()


def test_stored_values_the_package_does_not_know_score_as_no_answer(pair_world):
    mentee, near, senior = pair_world
    before = {s.mentor_id: s.score for s in suggest_mentors(mentee)}
    Application.objects.filter(pk=mentee.pk).update(
        priorities={"topics": "extremely", "sector": "very", "region": 3}
    )
    Application.objects.filter(pk=near.pk).update(preferred_mentee_stages="new_professional")
    Application.objects.filter(pk=senior.pk).update(preferred_mentee_stages=["boss", 7])
    mentee.refresh_from_db()
    after = suggest_mentors(mentee)
    assert {s.mentor_id: s.score for s in after} == before
    assert all(
        part["code"] not in ("mentee_priority", "mentor_preference")
        for s in after
        for part in s.explanation
    )
