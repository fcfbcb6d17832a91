"""Rate limits on application posts: only accepted posts count, per user and per IP."""

import pytest
from bs4 import BeautifulSoup

from tests.conftest import application_data
from wagtail_mentoring.models import Application

pytestmark = pytest.mark.usefixtures("no_spam_timer")


def post(client, page, data, capture, **extra):
    with capture(execute=True):
        return client.post(page.url, data, **extra)


def empty_post(client, page, capture):
    return post(client, page, {"mentoring_action": "apply"}, capture)


# -- the lockout ---------------------------------------------------------------------


def test_refused_posts_of_one_member_never_block_another_member_at_the_same_address(
    client, make_user, mentee_page, open_cycle, topics, django_capture_on_commit_callbacks
):
    """31 empty posts from one member, then a colleague at the same address applies."""
    client.force_login(make_user())
    for _ in range(31):
        response = empty_post(client, mentee_page, django_capture_on_commit_callbacks)
        assert response.status_code == 200  # the form again, with its errors
    assert not Application.objects.exists()

    client.force_login(make_user())
    response = post(
        client, mentee_page, application_data("mentee", topics), django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert Application.objects.count() == 1


def test_rate_limit_per_user(
    client, member, mentee_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": 2, "IP": None}
    capture = django_capture_on_commit_callbacks
    client.force_login(member)
    bad = application_data("mentee", topics, contact_email="bad")
    assert post(client, mentee_page, bad, capture).status_code == 200
    assert post(client, mentee_page, bad, capture).status_code == 200
    assert post(client, mentee_page, application_data("mentee", topics), capture).status_code == 200
    edit = application_data("mentee", topics, mentoring_action="edit", goals="Changed.")
    assert post(client, mentee_page, edit, capture).status_code == 200
    response = post(client, mentee_page, {**edit, "goals": "Third."}, capture)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert Application.objects.get().goals == "Changed."


def test_rate_limit_per_ip_spans_users(
    client, make_user, mentee_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": None, "IP": 1}
    capture = django_capture_on_commit_callbacks
    client.force_login(make_user())
    assert post(client, mentee_page, application_data("mentee", topics), capture).status_code == 200
    client.force_login(make_user())
    response = post(client, mentee_page, application_data("mentee", topics), capture)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert Application.objects.count() == 1


def test_valid_posts_count_once_each_and_refused_ones_not_at_all(
    client, member, mentee_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    """Submit, save changes, withdraw, apply again: four accepted posts of a limit of 4."""
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": 4, "IP": None}
    capture = django_capture_on_commit_callbacks
    client.force_login(member)
    bad_email = application_data("mentee", topics, contact_email="bad")
    edit = {"mentoring_action": "edit"}
    for _ in range(5):
        assert post(client, mentee_page, bad_email, capture).status_code == 200
    assert post(client, mentee_page, application_data("mentee", topics), capture).status_code == 200
    for _ in range(5):
        invalid_edit = application_data("mentee", topics, contact_email="bad", **edit)
        assert post(client, mentee_page, invalid_edit, capture).status_code == 200
    changed = application_data("mentee", topics, goals="Changed.", **edit)
    assert post(client, mentee_page, changed, capture).status_code == 200
    withdraw = {"mentoring_action": "withdraw", "reason": "Busy"}
    assert post(client, mentee_page, withdraw, capture).status_code == 200
    again = application_data("mentee", topics, goals="Back again.", **edit)
    assert post(client, mentee_page, again, capture).status_code == 200
    assert Application.objects.get().goals == "Back again."

    response = post(
        client, mentee_page, application_data("mentee", topics, goals="Fifth.", **edit), capture
    )
    assert response.status_code == 429
    assert Application.objects.get().goals == "Back again."


def test_refused_posts_never_count(
    client, member, mentee_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": 1, "IP": 1}
    capture = django_capture_on_commit_callbacks
    client.force_login(member)
    for _ in range(20):
        assert empty_post(client, mentee_page, capture).status_code == 200
    honeypot = application_data("mentee", topics, website="http://spam.example")
    assert post(client, mentee_page, honeypot, capture).status_code == 400
    settings.WAGTAIL_MENTORING_MIN_SUBMIT_SECONDS = 60
    token = BeautifulSoup(client.get(mentee_page.url).content, "html.parser").select_one(
        "input[name=form_started]"
    )["value"]
    for started in (token, "", token + "x"):  # too quick, missing, tampered with
        too_quick = application_data("mentee", topics, form_started=started)
        response = post(client, mentee_page, too_quick, capture)
        assert response.status_code == 200
        assert "very quick" in response.content.decode() or "expired" in response.content.decode()
    settings.WAGTAIL_MENTORING_MIN_SUBMIT_SECONDS = 0
    assert not Application.objects.exists()

    response = post(client, mentee_page, application_data("mentee", topics), capture)
    assert response.status_code == 200
    assert Application.objects.count() == 1
    # The one accepted post used the allowance: the limit is on and counting.
    changed = application_data("mentee", topics, mentoring_action="edit", goals="Changed.")
    assert post(client, mentee_page, changed, capture).status_code == 429


def test_the_ip_ceiling_counts_the_accepted_posts_of_everyone_at_the_address(
    client, make_user, mentee_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": None, "IP": 2}
    capture = django_capture_on_commit_callbacks
    for _ in range(2):
        client.force_login(make_user())
        assert empty_post(client, mentee_page, capture).status_code == 200
        valid = application_data("mentee", topics)
        assert post(client, mentee_page, valid, capture).status_code == 200
    client.force_login(make_user())
    response = post(client, mentee_page, application_data("mentee", topics), capture)
    assert response.status_code == 429
    assert "sent from your network" in response.content.decode()
    assert Application.objects.count() == 2
    # The same member from another address is not held back.
    response = post(
        client, mentee_page, application_data("mentee", topics), capture, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 200
    assert Application.objects.count() == 3


def test_a_withdrawal_is_counted_but_never_refused(
    client, member, mentee_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": 1, "IP": None}
    capture = django_capture_on_commit_callbacks
    client.force_login(member)
    assert post(client, mentee_page, application_data("mentee", topics), capture).status_code == 200
    withdraw = {"mentoring_action": "withdraw", "reason": "Busy"}
    response = post(client, mentee_page, withdraw, capture)
    assert response.status_code == 200
    assert "Your application is withdrawn." in response.content.decode()
    again = application_data("mentee", topics, mentoring_action="edit")
    assert post(client, mentee_page, again, capture).status_code == 429
    assert Application.objects.get().is_withdrawn


# -- the 429 page --------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """The rate limit's clock, 130 seconds into a ten-minute window."""
    from types import SimpleNamespace

    now = [600 * 2_900_000 + 130.0]
    monkeypatch.setattr("wagtail_mentoring.ratelimit.time", SimpleNamespace(time=lambda: now[0]))
    return now


def test_the_429_page_says_what_happened_when_to_try_again_and_keeps_the_answers(
    client,
    member,
    mentee_page,
    open_cycle,
    topics,
    settings,
    clock,
    django_capture_on_commit_callbacks,
):
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": 1, "IP": None, "WINDOW_SECONDS": 600}
    capture = django_capture_on_commit_callbacks
    client.force_login(member)
    assert post(client, mentee_page, application_data("mentee", topics), capture).status_code == 200
    changed = application_data("mentee", topics, mentoring_action="edit", goals="Lead a branch.")
    response = post(client, mentee_page, changed, capture)

    assert response.status_code == 429
    assert response["Retry-After"] == "470"
    page = BeautifulSoup(response.content, "html.parser")
    notice = page.select_one(".mentoring-notice").text
    assert "this one was not saved" in notice
    assert "Please try again in 8 minutes." in notice
    assert "Your answers are still in the form below." in notice
    # The form is the edit form, with the member's answers, so posting it again saves.
    assert page.select_one("input[name=mentoring_action]")["value"] == "edit"
    assert page.select_one("textarea[name=goals]").text.strip() == "Lead a branch."
    assert Application.objects.get().goals == "Grow into a team leader."

    clock[0] += 470  # the next window
    assert post(client, mentee_page, changed, capture).status_code == 200
    assert Application.objects.get().goals == "Lead a branch."


def test_the_last_minute_of_a_window_says_one_minute(
    client,
    member,
    mentee_page,
    open_cycle,
    topics,
    settings,
    clock,
    django_capture_on_commit_callbacks,
):
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": None, "IP": 1, "WINDOW_SECONDS": 600}
    clock[0] += 440  # 30 seconds before the window ends
    client.force_login(member)
    capture = django_capture_on_commit_callbacks
    assert post(client, mentee_page, application_data("mentee", topics), capture).status_code == 200
    changed = application_data("mentee", topics, mentoring_action="edit")
    response = post(client, mentee_page, changed, capture)
    assert response.status_code == 429 and response["Retry-After"] == "30"
    assert "Please try again in 1 minute." in response.content.decode()


# -- the setting ---------------------------------------------------------------------


def test_the_defaults_and_keys_left_out():
    from django.test import override_settings

    from wagtail_mentoring.conf import app_settings

    assert app_settings.RATE_LIMIT == {
        "USER": 10,
        "IP": 200,
        "WINDOW_SECONDS": 3600,
        "CACHE": "default",
    }
    with override_settings(WAGTAIL_MENTORING_RATE_LIMIT={"USER": 5}):
        assert app_settings.RATE_LIMIT == {
            "USER": 5,
            "IP": 200,
            "WINDOW_SECONDS": 3600,
            "CACHE": "default",
        }


def test_the_default_user_limit_is_ten_accepted_posts_an_hour(
    client, member, mentee_page, open_cycle, topics, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    client.force_login(member)
    assert post(client, mentee_page, application_data("mentee", topics), capture).status_code == 200
    codes = [
        post(
            client,
            mentee_page,
            application_data("mentee", topics, mentoring_action="edit", goals=f"Edit {n}."),
            capture,
        ).status_code
        for n in range(10)
    ]
    assert codes == [200] * 9 + [429]
    assert Application.objects.get().goals == "Edit 8."


def test_none_turns_both_limits_off(
    client, member, mentee_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": None, "IP": None}
    capture = django_capture_on_commit_callbacks
    client.force_login(member)
    assert post(client, mentee_page, application_data("mentee", topics), capture).status_code == 200
    edit = {"mentoring_action": "edit"}
    for n in range(12):
        changed = application_data("mentee", topics, goals=f"Edit {n}.", **edit)
        assert post(client, mentee_page, changed, capture).status_code == 200
    assert Application.objects.get().goals == "Edit 11."


def test_the_cache_setting_names_where_the_counts_are_kept(
    client, member, mentee_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    from django.core.cache import caches

    locmem = "django.core.cache.backends.locmem.LocMemCache"
    settings.CACHES = {
        "default": {"BACKEND": locmem, "LOCATION": "default-for-test"},
        "counters": {"BACKEND": locmem, "LOCATION": "counters-for-test"},
    }
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": 1, "IP": None, "CACHE": "counters"}
    capture = django_capture_on_commit_callbacks
    client.force_login(member)
    assert post(client, mentee_page, application_data("mentee", topics), capture).status_code == 200
    changed = application_data("mentee", topics, mentoring_action="edit", goals="Changed.")
    caches["default"].clear()
    assert post(client, mentee_page, changed, capture).status_code == 429
    caches["counters"].clear()
    assert post(client, mentee_page, changed, capture).status_code == 200


def test_a_cache_that_caches_does_not_define_is_an_error_naming_the_setting(
    client, member, mentee_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ImproperlyConfigured

    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"CACHE": "nowhere"}
    client.force_login(member)
    with pytest.raises(ImproperlyConfigured, match=r'RATE_LIMIT\["CACHE"\] is \'nowhere\''):
        post(
            client,
            mentee_page,
            application_data("mentee", topics),
            django_capture_on_commit_callbacks,
        )
