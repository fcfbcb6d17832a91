"""'Have you met yet?': the schedule asks, one-click links record answers, flags follow."""

from __future__ import annotations

import datetime
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import checks, mail, signing
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail_mentoring.checks import check_met_check_settings
from wagtail_mentoring.matching.checkin import record_met_answer
from wagtail_mentoring.matching.lifecycle import MatchingError, approve, end_early, propose
from wagtail_mentoring.matching.met_links import LINK_VALID_DAYS, TOKEN_SALT, make_met_token
from wagtail_mentoring.models import FlagCause, Match, MatchAction, MatchStatus, SentEmail
from wagtail_mentoring.models.matches import MetAnswer
from wagtail_mentoring.schedule import MET_CHECK_GRACE_DAYS, run_schedule, send_met_checks

TODAY = timezone.localdate


@pytest.fixture
def make_match(make_application, make_user, django_capture_on_commit_callbacks):
    """An approved match that started ``days_ago`` days ago."""

    def make(days_ago=21, mentee_language="en"):
        mentor = make_application(
            "mentor", capacity=1, user=make_user(first_name="Ben", last_name="Hughes")
        )
        mentee = make_application(
            "mentee",
            user=make_user(first_name="Amara", last_name="Okafor"),
            language=mentee_language,
        )
        with django_capture_on_commit_callbacks(execute=True):
            match = propose(mentee, mentor)
            approve(match, start_date=TODAY() - datetime.timedelta(days=days_ago))
        mail.outbox = []
        return Match.objects.get(pk=match.pk)

    return make


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run(today=None):
        with django_capture_on_commit_callbacks(execute=True):
            return run_schedule(today)

    return run


def met_mails():
    return [m for m in mail.outbox if "Have you met" in m.subject]


def links(message) -> dict[str, str]:
    """answer -> the path and query of its link in the email's text part."""
    found = {}
    for url in re.findall(r"https?://\S+/met/\?\S+", message.body):
        parts = urlsplit(url)
        found[parse_qs(parts.query)["a"][0]] = f"{parts.path}?{parts.query}"
    return found


def link_of(match, role, answer, ask=1) -> str:
    from wagtail_mentoring.models import MentoringProgramPage

    page = MentoringProgramPage.objects.get(pk=match.cycle.program_page_id)
    url = page.url + page.reverse_subpage("met_check")
    return f"{url}?t={make_met_token(match, role, ask)}&a={answer}"


def answer_events(match):
    return list(match.events.filter(action=MatchAction.MET_ANSWER).order_by("at", "pk"))


def post(client, url, answer):
    """Press the page's button: POST the token (in the form) and the chosen answer."""
    token = parse_qs(urlsplit(url).query)["t"][0]
    return client.post(urlsplit(url).path, {"t": token, "answer": answer})


# -- the schedule asks ------------------------------------------------------------------------


def test_the_check_goes_out_after_the_days_not_before(make_match, run):
    match = make_match(days_ago=20)
    summary = run()
    assert summary.met_checks == 0 and met_mails() == []
    summary = run(TODAY() + datetime.timedelta(days=1))
    assert summary.met_checks == 2
    assert sorted(m.subject for m in met_mails()) == [
        "Have you met Amara Okafor yet?",
        "Have you met Ben Hughes yet?",
    ]
    assert set(
        SentEmail.objects.filter(kind="met_check").values_list("idempotency_key", flat=True)
    ) == {f"match-{match.pk}-met-check-mentor", f"match-{match.pk}-met-check-mentee"}
    to = {m.to[0] for m in met_mails()}
    assert to == {match.mentor.contact_email, match.mentee.contact_email}
    for message in met_mails():
        assert set(links(message)) == {"met", "not_yet", "cant_reach"}
        html = message.alternatives[0][0]
        assert "Yes, we&#x27;ve met" in html or "Yes, we've met" in html


def test_running_the_schedule_twice_sends_it_once(make_match, run):
    make_match(days_ago=21)
    assert run().met_checks == 2
    assert run().met_checks == 0
    assert len(met_mails()) == 2
    assert SentEmail.objects.filter(kind="met_check").count() == 2


@override_settings(WAGTAIL_MENTORING_MET_CHECK_DAYS=10)
def test_the_setting_changes_the_day(make_match, run):
    make_match(days_ago=10)
    assert run().met_checks == 2


@pytest.mark.parametrize("value", [None, 0])
def test_the_setting_switches_it_off(make_match, run, settings, value):
    settings.WAGTAIL_MENTORING_MET_CHECK_DAYS = value
    make_match(days_ago=25)
    assert run().met_checks == 0
    assert met_mails() == []


def test_a_pair_that_started_long_ago_is_not_asked(make_match, run):
    make_match(days_ago=21 + MET_CHECK_GRACE_DAYS)
    assert run().met_checks == 0


def test_ended_matches_are_not_asked(make_match, run):
    match = make_match(days_ago=21)
    end_early(match, "Moved abroad.")
    assert run().met_checks == 0


def test_the_step_reads_a_bounded_number_of_queries_whatever_the_matches(make_match):
    make_match(days_ago=21)
    with CaptureQueriesContext(connection) as few:
        send_met_checks(TODAY(), type("S", (), {"met_checks": 0})())
    SentEmail.objects.filter(kind="met_check").delete()
    for _ in range(4):
        make_match(days_ago=22)
    with CaptureQueriesContext(connection) as many:
        send_met_checks(TODAY(), type("S", (), {"met_checks": 0})())
    assert SentEmail.objects.filter(kind="met_check").count() == 10
    assert len(many) == len(few), [q["sql"][:80] for q in many.captured_queries]


# -- the links --------------------------------------------------------------------------------


def test_opening_a_link_changes_nothing(make_match, run, client):
    match = make_match()
    run()
    message = next(m for m in met_mails() if m.to == [match.mentee.contact_email])
    url = links(message)["cant_reach"]
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'value="cant_reach"\s+checked', body)
    assert "Send my answer" in body
    assert "no-store" in response["Cache-Control"]
    match.refresh_from_db()
    assert answer_events(match) == [] and match.flag_cause == ""
    # Opening the other links (as a mail scanner would) changes nothing either.
    for other in links(message).values():
        assert client.get(other).status_code == 200
    assert answer_events(match) == []


def test_pressing_the_button_records_the_answer(make_match, run, client):
    match = make_match()
    run()
    message = next(m for m in met_mails() if m.to == [match.mentor.contact_email])
    url = links(message)["met"]
    response = post(client, url, "met")
    assert response.status_code == 200
    assert "Thank you: your answer reached the mentoring committee." in response.content.decode()
    [event] = answer_events(match)
    assert event.params == {"role": "mentor", "answer": "met", "ask": 1}
    assert event.describe() == ('Answered "Have you met yet?": the mentor: "Yes, we\'ve met"')
    match.refresh_from_db()
    assert match.flag_cause == "" and match.status == MatchStatus.ACTIVE
    # The page now says what was answered.
    assert "You answered" in client.get(url).content.decode()


def test_the_page_needs_the_csrf_token(make_match):
    match = make_match()
    client = Client(enforce_csrf_checks=True)
    url = link_of(match, "mentee", "met")
    page = client.get(url)
    assert page.status_code == 200
    assert post(client, url, "met").status_code == 403
    assert answer_events(match) == []


def test_a_post_without_an_answer_asks_for_one(make_match, client):
    match = make_match()
    response = post(client, link_of(match, "mentee", "met"), "maybe")
    assert response.status_code == 400
    assert "Choose one of the answers" in response.content.decode()
    assert answer_events(match) == []


@pytest.mark.parametrize(
    ("answer", "flagged"),
    [("met", False), ("not_yet", False), ("cant_reach", True)],
)
def test_each_answer(make_match, client, answer, flagged):
    match = make_match()
    assert post(client, link_of(match, "mentee", answer), answer).status_code == 200
    [event] = answer_events(match)
    assert event.params["answer"] == answer and event.params["role"] == "mentee"
    match.refresh_from_db()
    assert (match.flag_cause == FlagCause.MET_CHECK) is flagged
    if flagged:
        assert match.flag_params == {"role": "mentee", "answer": "cant_reach"}
        assert match.flag_reason == "The mentee says they cannot reach the mentor."
        assert match.events.filter(action=MatchAction.FLAGGED).count() == 1


def test_the_same_answer_twice_writes_nothing_and_a_changed_one_is_recorded(make_match):
    match = make_match()
    assert record_met_answer(match, "mentee", "not_yet").recorded
    again = record_met_answer(match, "mentee", "not_yet")
    assert not again.recorded and not again.flagged
    assert len(answer_events(match)) == 1
    changed = record_met_answer(match, "mentee", "met")
    assert changed.recorded and not changed.flagged
    assert [e.params["answer"] for e in answer_events(match)] == ["not_yet", "met"]
    match.refresh_from_db()
    assert match.flag_cause == ""


def test_not_yet_from_both_people_flags_the_match(make_match, client):
    match = make_match()
    post(client, link_of(match, "mentee", "not_yet"), "not_yet")
    match.refresh_from_db()
    assert match.flag_cause == ""
    post(client, link_of(match, "mentor", "not_yet"), "not_yet")
    match.refresh_from_db()
    assert match.flag_cause == FlagCause.MET_CHECK
    assert match.flag_reason == 'The pair has not met yet: "Not yet" was answered twice.'
    flag = match.events.get(action=MatchAction.FLAGGED)
    assert flag.params["cause"] == "met_check"
    assert "Not yet" in flag.describe()


def test_a_changed_answer_takes_its_not_yet_back(make_match):
    match = make_match()
    record_met_answer(match, "mentee", "not_yet")
    record_met_answer(match, "mentee", "met")
    assert not record_met_answer(match, "mentor", "not_yet").flagged


def test_not_yet_is_asked_again_and_a_second_not_yet_flags(make_match, run, client):
    match = make_match()
    run()
    post(client, link_of(match, "mentee", "not_yet"), "not_yet")
    later = TODAY() + datetime.timedelta(days=14)
    # Not before the days have passed by the clock, whatever the run's date.
    assert run(later).met_checks == 0
    SentEmail.objects.filter(kind="met_check").update(
        created_at=timezone.now() - datetime.timedelta(days=14)
    )
    assert run(later - datetime.timedelta(days=1)).met_checks == 0
    mail.outbox = []
    assert run(later).met_checks == 2
    assert run(later).met_checks == 0
    assert {key for key in SentEmail.objects.filter(kind="met_check").values_list(
        "idempotency_key", flat=True) if "-met-check-2-" in key} == {
        f"match-{match.pk}-met-check-2-mentor",
        f"match-{match.pk}-met-check-2-mentee",
    }  # fmt: skip
    message = next(m for m in met_mails() if m.to == [match.mentee.contact_email])
    assert "had not met yet" in message.body
    url = links(message)["not_yet"]
    assert "A little while ago" in client.get(url).content.decode()
    post(client, url, "not_yet")
    match.refresh_from_db()
    assert match.flag_cause == FlagCause.MET_CHECK
    assert [e.params["ask"] for e in answer_events(match)] == [1, 2]
    assert answer_events(match)[1].describe().endswith("(asked again)")


def test_a_yes_means_no_second_asking(make_match, run, settings):
    match = make_match()
    run()
    record_met_answer(match, "mentee", "not_yet")
    record_met_answer(match, "mentor", "met")
    SentEmail.objects.filter(kind="met_check").update(
        created_at=timezone.now() - datetime.timedelta(days=30)
    )
    assert run(TODAY() + datetime.timedelta(days=14)).met_checks == 0


def test_no_second_asking_when_the_setting_is_off(make_match, run, settings):
    settings.WAGTAIL_MENTORING_MET_RECHECK_DAYS = 0
    match = make_match()
    run()
    record_met_answer(match, "mentee", "not_yet")
    SentEmail.objects.filter(kind="met_check").update(
        created_at=timezone.now() - datetime.timedelta(days=30)
    )
    assert run(TODAY() + datetime.timedelta(days=14)).met_checks == 0


@override_settings(WAGTAIL_MENTORING_MET_RECHECK_DAYS=7)
def test_the_recheck_setting_changes_the_day(make_match, run):
    match = make_match()
    run()
    record_met_answer(match, "mentee", "not_yet")
    SentEmail.objects.filter(kind="met_check").update(
        created_at=timezone.now() - datetime.timedelta(days=7)
    )
    assert run(TODAY() + datetime.timedelta(days=6)).met_checks == 0
    assert run(TODAY() + datetime.timedelta(days=7)).met_checks == 2


# -- bad links --------------------------------------------------------------------------------


def test_a_missing_forged_or_tampered_token_gets_a_clear_400(make_match, client):
    match = make_match()
    good = link_of(match, "mentee", "met")
    base = urlsplit(good).path
    token = parse_qs(urlsplit(good).query)["t"][0]
    forged = signing.dumps([match.pk, "mentee", 1], salt="wagtail_mentoring.survey")
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for query, words in (
        ("", "answered through the personal links"),
        (f"?t={forged}", "This link is not valid"),
        (f"?t={tampered}", "This link is not valid"),
        ("?t=%00", "This link is not valid"),
    ):
        for method in ("get", "post"):
            if method == "get":
                response = client.get(base + query)
            else:
                data = {"answer": "met"}
                if query:
                    data["t"] = parse_qs(query[1:]).get("t", [""])[0]
                response = client.post(base, data)
            assert response.status_code == 400, (query, method)
            assert words in response.content.decode(), (query, method)
    assert answer_events(match) == []


def test_an_expired_token_gets_a_410_in_the_members_language(make_match, client, monkeypatch):
    match = make_match(mentee_language="es")
    url = link_of(match, "mentee", "met")
    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() + (LINK_VALID_DAYS + 1) * 86400)
    response = client.get(url)
    assert response.status_code == 410
    assert response["Content-Language"] == "es"
    assert 'data-mentoring-mode="expired"' in response.content.decode()
    assert post(client, url, "met").status_code == 410
    assert answer_events(match) == []


def test_a_link_of_an_ended_match_is_closed(make_match, client):
    match = make_match()
    end_early(match, "Moved abroad.")
    url = link_of(match, "mentee", "cant_reach")
    assert client.get(url).status_code == 410
    response = post(client, url, "cant_reach")
    assert response.status_code == 410
    assert "no longer takes answers" in response.content.decode()
    assert answer_events(match) == []
    with pytest.raises(MatchingError):
        record_met_answer(match, "mentee", "cant_reach")


def test_a_token_answers_for_its_own_match_and_person_only(make_match, client):
    first, second = make_match(), make_match()
    url = link_of(first, "mentor", "cant_reach")
    token = parse_qs(urlsplit(url).query)["t"][0]
    response = client.post(
        urlsplit(url).path,
        {"t": token, "answer": "cant_reach", "match": second.pk, "role": "mentee"},
    )
    assert response.status_code == 200
    assert [e.params["role"] for e in answer_events(first)] == ["mentor"]
    assert answer_events(second) == []
    second.refresh_from_db()
    assert second.flag_cause == ""


def test_a_token_of_another_programme_is_refused(make_match, client, home_page):
    from wagtail_mentoring.models import MentoringProgramPage

    match = make_match()
    other = MentoringProgramPage(title="Other", slug="other")
    home_page.add_child(instance=other)
    other.save_revision().publish()
    other.refresh_from_db()
    url = other.url + other.reverse_subpage("met_check")
    token = make_met_token(match, "mentee", 1)
    assert client.get(f"{url}?t={token}&a=met").status_code == 400
    assert client.post(url, {"t": token, "answer": "met"}).status_code == 400
    assert answer_events(match) == []


def test_record_met_answer_refuses_unknown_values(make_match):
    match = make_match()
    for role, answer, ask in (("coach", "met", 1), ("mentee", "maybe", 1), ("mentee", "met", 3)):
        with pytest.raises(MatchingError):
            record_met_answer(match, role, answer, ask=ask)
    assert answer_events(match) == []


def test_answer_codes_are_stored_and_words_rendered():
    assert MetAnswer.values == ["met", "not_yet", "cant_reach"]
    assert TOKEN_SALT != "wagtail_mentoring.survey"


# -- the check ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [-1, "21", 1.5, True])
def test_check_e018_reports_a_bad_value(settings, value):
    settings.WAGTAIL_MENTORING_MET_CHECK_DAYS = value
    [error] = check_met_check_settings()
    assert error.id == "wagtail_mentoring.E018"
    assert "WAGTAIL_MENTORING_MET_CHECK_DAYS" in error.msg
    assert isinstance(error, checks.Error)


@pytest.mark.parametrize("value", [None, 0, 14])
def test_check_e018_accepts_good_values(settings, value):
    settings.WAGTAIL_MENTORING_MET_RECHECK_DAYS = value
    settings.WAGTAIL_MENTORING_MET_CHECK_DAYS = value
    assert check_met_check_settings() == []


# -- what the committee sees ------------------------------------------------------------------


def test_the_committee_sees_the_answers_and_the_flag(make_match, client, make_user):
    from django.contrib.auth.models import Group
    from django.urls import reverse

    match = make_match()
    record_met_answer(match, "mentor", "met")
    record_met_answer(match, "mentee", "cant_reach")
    user = make_user(username="chair")
    user.groups.add(Group.objects.get(name="Mentoring committee"))
    client.force_login(user)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "1 flagged match" in dashboard
    listing = client.get(reverse("wagtail_mentoring_match_modeladmin_index") + "?flagged=yes")
    assert "The mentee says they cannot reach the mentor." in listing.content.decode()
    inspect = client.get(reverse("wagtail_mentoring_match_modeladmin_inspect", args=[match.pk]))
    text = inspect.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert 'the mentor: "Yes, we\'ve met"' in text
    assert 'the mentee: "I can\'t reach them"' in text
