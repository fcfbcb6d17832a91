"""A site that translates its pages (Wagtail's i18n, wagtail-localize): one programme.

Run with tests/settings_i18n.py (pages under /en/ and /de/):
``python -m pytest --ds=tests.settings_i18n tests/``.

The English pages are translated into German with wagtail-localize, as an editor does
with its "Translate this page" action; the German pages must show the same cycle, link
to the German application pages, and send their applications to the same pool.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale
from wagtail_localize.operations import TranslationCreator

from tests.conftest import application_data
from wagtail_mentoring.models import (
    Application,
    ApplicationFormField,
    Cycle,
    MentoringSettings,
)

pytestmark = pytest.mark.usefixtures("no_spam_timer")


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def translate(page, locale):
    """``page`` translated into ``locale`` by wagtail-localize, then published (as an
    editor publishes a translation once it is done)."""
    TranslationCreator(None, [locale]).create_translations(page)
    translation_ = page.get_translation_or_none(locale)
    assert translation_ is not None, f"wagtail-localize made no {locale} copy of {page}"
    translation_ = translation_.specific
    translation_.get_latest_revision().publish()
    translation_.refresh_from_db()
    assert translation_.live
    return translation_


@pytest.fixture
def german(db):
    return Locale.objects.get_or_create(language_code="de")[0]


@pytest.fixture
def site_settings(home_page):
    from wagtail.models import Site

    settings = MentoringSettings.for_site(Site.objects.get(is_default_site=True))
    settings.coordinator_email = "coordinator@example.org"
    settings.save()
    return settings


@pytest.fixture
def english(program_page, application_pages, open_cycle, site_settings):
    """The English programme: an Apply block, a question of its own, an open cycle."""
    ApplicationFormField.objects.create(
        page=application_pages["mentee"], label="Favourite book", field_type="singleline"
    )
    program_page.body = [
        (
            "apply",
            {
                "heading": "Apply now",
                "text": "",
                "mentor_page": application_pages["mentor"],
                "mentor_link_text": "Be a mentor",
                "mentee_page": None,
                "mentee_link_text": "Be a mentee",
            },
        ),
        (
            "call_to_action",
            {
                "heading": "Mentees",
                "text": "",
                "link_text": "Read the mentee page",
                "page": application_pages["mentee"],
                "url": "",
            },
        ),
    ]
    program_page.save_revision().publish()
    return program_page


@pytest.fixture
def german_home(home_page, german):
    return translate(home_page, german)


@pytest.fixture
def german_program(english, german_home, german):
    return translate(english, german)


@pytest.fixture
def german_pages(english, german_program, application_pages, german):
    return {role: translate(page, german) for role, page in application_pages.items()}


@pytest.fixture
def committee(make_user):
    user = make_user(username="committee")
    user.groups.add(Group.objects.get(name="Mentoring committee"))
    return user


def apply_on(client, page, user, topics, capture, **overrides):
    client.force_login(user)
    overrides.setdefault("contact_email", user.email)
    overrides.setdefault("extra__favourite_book", "Middlemarch")
    data = application_data("mentee", topics, name=user.get_full_name(), **overrides)
    with capture(execute=True):
        return client.post(page.url, data)


# -- the programme page in German ------------------------------------------------------


def test_the_translated_pages_are_under_the_language_prefix(english, german_pages):
    assert english.url == "/en/mentoring/"
    assert german_pages["mentee"].get_parent().specific.url == "/de/mentoring/"
    assert german_pages["mentee"].url == "/de/mentoring/apply-mentee/"


def test_the_german_programme_page_shows_the_same_open_cycle(
    client, english, german_program, german_pages, open_cycle
):
    response = client.get(german_program.url)
    assert response.status_code == 200
    status = soup(response).select_one("[data-mentoring-cycle-status]")
    assert "mentoring-cycle-status--open" in status["class"]
    assert "2027 cycle" in status.get_text()
    # The dates are in the page's language (Django's German month names).
    with translation.override("de"):
        assert open_cycle.status_message() in status.get_text(" ")
    assert "No mentoring cycle" not in response.content.decode()
    assert german_program.current_cycle == open_cycle
    assert list(german_program.get_cycles()) == list(english.get_cycles()) == [open_cycle]


def test_the_german_apply_links_lead_to_the_german_application_pages(
    client, english, german_program, german_pages
):
    page = soup(client.get(german_program.url))
    buttons = {a.get_text(): a["href"] for a in page.select(".mentoring-button")}
    # The chosen mentor page, the programme's own mentee page, the call to action's page.
    assert buttons == {
        "Be a mentor": "/de/mentoring/apply-mentor/",
        "Be a mentee": "/de/mentoring/apply-mentee/",
        "Read the mentee page": "/de/mentoring/apply-mentee/",
    }
    english_buttons = {a["href"] for a in soup(client.get(english.url)).select(".mentoring-button")}
    assert english_buttons == {"/en/mentoring/apply-mentor/", "/en/mentoring/apply-mentee/"}


def test_untranslated_application_pages_are_linked_in_the_source_language(
    client, english, german_program
):
    # Only the programme page is translated so far: its links fall back to English.
    page = soup(client.get(german_program.url))
    hrefs = {a.get_text(): a["href"] for a in page.select(".mentoring-button")}
    assert hrefs == {
        "Be a mentor": "/en/mentoring/apply-mentor/",
        "Be a mentee": "/en/mentoring/apply-mentee/",
        "Read the mentee page": "/en/mentoring/apply-mentee/",
    }


# -- applications from either locale, one pool -------------------------------------------


def test_applications_from_both_locales_land_in_one_pool(
    client,
    committee,
    make_user,
    english,
    application_pages,
    german_pages,
    open_cycle,
    topics,
    django_capture_on_commit_callbacks,
):
    anna = make_user(first_name="Anna", last_name="Becker", email="anna@example.org")
    emma = make_user(first_name="Emma", last_name="Brown", email="emma@example.org")
    german_page, english_page = german_pages["mentee"], application_pages["mentee"]
    assert german_page.get_form_fields().get().clean_name == "favourite_book"

    answer = {"extra__favourite_book": "Der Zauberberg"}
    response = apply_on(
        client, german_page, anna, topics, django_capture_on_commit_callbacks, **answer
    )
    assert response.status_code == 200
    assert soup(response).select_one("[data-mentoring-mode=thanks]")
    response = apply_on(client, english_page, emma, topics, django_capture_on_commit_callbacks)
    assert soup(response).select_one("[data-mentoring-mode=thanks]")

    german_application = Application.objects.get(user=anna)
    english_application = Application.objects.get(user=emma)
    assert german_application.cycle == english_application.cycle == open_cycle
    assert german_application.page_id == german_page.pk
    assert german_application.page.locale.language_code == "de"
    assert set(german_application.topics.all()) == set(english_application.topics.all())
    assert german_application.extra_answers == {"favourite_book": "Der Zauberberg"}

    client.force_login(committee)
    url = reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk])
    pool = soup(client.get(url)).select_one("[data-pool]").get_text(" ")
    assert "Anna Becker" in pool and "Emma Brown" in pool
    assert Cycle.objects.count() == 1


def test_the_german_page_answers_in_german(
    client, make_user, german_pages, topics, django_capture_on_commit_callbacks
):
    """The request on /de/ runs in German: Django's own messages are German there (the
    language an application records when it is made)."""
    anna = make_user(first_name="Anna", last_name="Becker")
    response = apply_on(
        client,
        german_pages["mentee"],
        anna,
        topics,
        django_capture_on_commit_callbacks,
        contact_email="",
    )
    assert response.status_code == 200
    with translation.override("de"):
        required = translation.gettext("This field is required.")
    assert required != "This field is required."
    assert required in response.content.decode()
    assert not Application.objects.exists()


def test_the_german_applicants_emails_link_to_the_german_pages(
    client, make_user, german_pages, topics, django_capture_on_commit_callbacks
):
    anna = make_user(first_name="Anna", last_name="Becker", email="anna@example.org")
    apply_on(client, german_pages["mentee"], anna, topics, django_capture_on_commit_callbacks)
    confirmation = next(m for m in mail.outbox if m.to == ["anna@example.org"])
    assert "http://testserver/de/mentoring/my/" in confirmation.body
    assert "http://testserver/de/mentoring/apply-mentee/" in confirmation.body
    assert "/en/" not in confirmation.body
    # The application remembers the page's language, which its emails are written in.
    assert Application.objects.get(user=anna).language == "de"


# -- the member's pages ------------------------------------------------------------------


def test_my_mentoring_in_german_lists_the_applications_of_every_locale(
    client, make_user, application_pages, german_pages, topics, django_capture_on_commit_callbacks
):
    emma = make_user(first_name="Emma", last_name="Brown")
    apply_on(client, application_pages["mentee"], emma, topics, django_capture_on_commit_callbacks)
    german_program = german_pages["mentee"].get_parent().specific
    response = client.get(german_program.url + german_program.reverse_subpage("my_mentoring"))
    assert response.status_code == 200
    rows = soup(response).select("tbody tr")
    assert len(rows) == 1 and "2027 cycle" in rows[0].get_text()


def test_a_cycle_name_is_unique_across_the_programmes_translations(
    english, german_program, open_cycle
):
    duplicate = Cycle(
        program_page=german_program,
        name=open_cycle.name,
        applications_open=open_cycle.applications_open,
        applications_close=open_cycle.applications_close,
        pairing_start=open_cycle.pairing_start,
    )
    with pytest.raises(Exception) as raised:
        duplicate.full_clean()
    assert "name" in raised.value.message_dict


def test_survey_links_lead_to_the_survey_page_in_the_members_language(
    client,
    make_application,
    make_user,
    english,
    application_pages,
    german_pages,
    german,
    django_capture_on_commit_callbacks,
):
    import datetime
    import re

    from django.utils import timezone

    from wagtail_mentoring.dates import add_months
    from wagtail_mentoring.matching.lifecycle import approve, propose
    from wagtail_mentoring.models import SurveyFormField, SurveyPage, SurveyRound
    from wagtail_mentoring.schedule import run_schedule

    survey = SurveyPage(title="Pairing fit", slug="pairing-fit")
    english.add_child(instance=survey)
    SurveyFormField.objects.create(
        page=survey, label="Anything else?", field_type="multiline", required=False
    )
    survey.save_revision().publish()
    german_survey = translate(survey, german)
    mentor = make_application(
        "mentor", capacity=1, user=make_user(first_name="Ben"), page=application_pages["mentor"]
    )
    mentee = make_application(
        "mentee", user=make_user(first_name="Anna"), page=german_pages["mentee"]
    )
    start = add_months(timezone.localdate(), -1) - datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        approve(propose(mentee, mentor), start_date=start)
    SurveyRound.objects.create(
        cycle=mentee.cycle, name="Pairing fit", page=survey, months_after_start=1
    )
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        run_schedule()

    def link_to(address):
        # The survey invitation (a mentor's emails also carry the "take on no one
        # more" link, and the pair gets "Have you met yet?").
        (message,) = [m for m in mail.outbox if m.to == [address] and "(Pairing fit)" in m.subject]
        links = re.findall(r"http://testserver(/\S+\?t=\S+)", message.body)
        (link,) = [link for link in links if "/pause/" not in link]
        return link

    german_link, english_link = link_to(mentee.contact_email), link_to(mentor.contact_email)
    assert german_link.startswith(german_survey.url) and german_survey.url.startswith("/de/")
    assert english_link.startswith(survey.url) and survey.url.startswith("/en/")
    for link in (german_link, english_link):
        response = client.get(link)
        assert response.status_code == 200
        assert soup(response).select_one("[data-mentoring-mode=form]")
