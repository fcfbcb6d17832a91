"""The links in the programme's emails: one base URL, "My mentoring" in every member's
email, the coordinator told of withdrawals, who writes first, the outbox's message."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core import checks, mail
from wagtail.models import Site

from tests.conftest import application_data
from wagtail_mentoring.checks import check_email_base_url
from wagtail_mentoring.emails.kinds import registry
from wagtail_mentoring.matching import lifecycle
from wagtail_mentoring.models import Application, MentoringSettings, SentEmail

pytestmark = pytest.mark.usefixtures("no_spam_timer")

BASE = "https://mentoring.example.org"
URL = re.compile(r"https?://[^\s<>\"']+")


@pytest.fixture
def base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE + "/"  # the trailing slash is dropped
    return BASE


@pytest.fixture
def coordinator(home_page):
    site_settings = MentoringSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.coordinator_email = "coordinator@example.org"
    site_settings.save()
    return site_settings.coordinator_email


def post(client, page, data, capture):
    with capture(execute=True):
        return client.post(page.url, data)


def html_part(message) -> str:
    (alternative,) = message.alternatives
    return alternative.content if hasattr(alternative, "content") else alternative[0]


def links(message) -> tuple[list[str], list[str]]:
    """The URLs in the text part, and the hrefs of the HTML part (mailto: left out)."""
    hrefs = [
        a["href"]
        for a in BeautifulSoup(html_part(message), "html.parser").select("a[href]")
        if not a["href"].startswith("mailto:")
    ]
    return URL.findall(message.body), hrefs


def assert_resolves(client, url):
    """``url`` is under the base URL and this site answers its path."""
    assert url.startswith(BASE + "/"), url
    parts = urlsplit(url)
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert response.status_code == 200, url


@pytest.fixture
def applied(client, member, mentee_page, open_cycle, topics, coordinator, base_url, capture):
    client.force_login(member)
    post(client, mentee_page, application_data("mentee", topics), capture)
    return Application.objects.get()


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


# -- application emails --------------------------------------------------------------------


def test_the_confirmation_links_to_the_application_and_my_mentoring(
    client, applied, mentee_page, program_page
):
    confirmation, notice = mail.outbox
    my_mentoring = f"{BASE}/mentoring/my/"
    application_page = f"{BASE}/mentoring/apply-mentee/"
    text_links, html_links = links(confirmation)
    assert text_links == [application_page, my_mentoring]
    assert html_links == [application_page, my_mentoring]
    for url in text_links:
        assert_resolves(client, url)
    assert "Your applications and matches are on My mentoring" in confirmation.body
    # The coordinator's notice links to the application in the admin, not to the
    # member's pages.
    (admin_link,) = links(notice)[0]
    assert admin_link == f"{BASE}/admin/wagtail_mentoring/application/inspect/{applied.pk}/"


def test_withdrawing_tells_the_member_and_the_coordinator(client, applied, mentee_page, capture):
    mail.outbox.clear()
    response = post(
        client,
        mentee_page,
        {"mentoring_action": "withdraw", "reason": "New job abroad"},
        capture,
    )
    assert response.status_code == 200
    assert sorted(m.to[0] for m in mail.outbox) == ["coordinator@example.org", "mia@example.org"]
    (to_member,) = [m for m in mail.outbox if m.to == ["mia@example.org"]]
    (notice,) = [m for m in mail.outbox if m.to == ["coordinator@example.org"]]
    assert notice.subject == "Withdrawn: mentee application (2027 cycle)"
    assert "Mia Member withdrew their mentee application for the 2027 cycle." in notice.body
    assert "New job abroad" in notice.body and notice.reply_to == ["mia@example.org"]
    assert f"{BASE}/admin/wagtail_mentoring/application/inspect/{applied.pk}/" in notice.body
    assert links(to_member)[0] == [f"{BASE}/mentoring/apply-mentee/", f"{BASE}/mentoring/my/"]
    # Both rows were written by the withdrawal: one each, keyed, in the outbox.
    kinds = sorted(SentEmail.objects.filter(application=applied).values_list("kind", flat=True))
    assert kinds == [
        "application_received",
        "application_withdrawn",
        "new_application",
        "withdrawal_notice",
    ]


def test_without_a_coordinator_address_a_withdrawal_tells_only_the_member(
    client, applied, mentee_page, coordinator, capture
):
    MentoringSettings.objects.update(coordinator_email="")
    mail.outbox.clear()
    post(client, mentee_page, {"mentoring_action": "withdraw"}, capture)
    assert [m.to for m in mail.outbox] == [["mia@example.org"]]


def test_a_rolled_back_withdrawal_queues_no_notice(applied, monkeypatch):
    from wagtail_mentoring.applications import withdraw_application

    def crash(*args, **kwargs):
        raise RuntimeError("history store is down")

    monkeypatch.setattr("wagtail_mentoring.applications.record", crash)
    with pytest.raises(RuntimeError):
        withdraw_application(applied, "")
    assert not SentEmail.objects.filter(kind__in=["application_withdrawn", "withdrawal_notice"])


# -- match emails ----------------------------------------------------------------------------


@pytest.fixture
def approved(make_application, make_user, program_page, base_url, capture):
    mentor = make_application(
        "mentor", capacity=1, user=make_user(first_name="Ben", last_name="Hughes")
    )
    mentee = make_application("mentee", user=make_user(first_name="Amara", last_name="Okafor"))
    with capture(execute=True):
        match = lifecycle.propose(mentee, mentor)
    with capture(execute=True):
        lifecycle.approve(match)
    return match


def test_the_introduction_says_the_mentee_writes_first_and_links_my_mentoring(
    client, approved, member
):
    to_mentee = next(m for m in mail.outbox if m.to == [approved.mentee.contact_email])
    to_mentor = next(m for m in mail.outbox if m.to == [approved.mentor.contact_email])
    assert "As the mentee, you make the first contact: please write to Ben Hughes" in (
        to_mentee.body
    )
    assert "Your mentee, Amara Okafor, makes the first contact" in to_mentor.body
    assert "Your mentee, Amara Okafor, makes the first contact" in html_part(to_mentor)
    assert links(to_mentee) == ([f"{BASE}/mentoring/my/"], [f"{BASE}/mentoring/my/"])
    # Every email to a mentor ends with "I can't take on anyone now".
    text_links, hrefs = links(to_mentor)
    assert text_links[0] == hrefs[0] == f"{BASE}/mentoring/my/"
    assert text_links[1] == hrefs[1] and text_links[1].startswith(f"{BASE}/mentoring/pause/?t=")
    assert len(text_links) == len(hrefs) == 2
    assert "I can't take on anyone now" in html_part(to_mentor)
    client.force_login(member)
    assert_resolves(client, f"{BASE}/mentoring/my/")


def test_every_email_to_a_member_offers_my_mentoring(db):
    """Every kind but the coordinator's offers editors the placeholder, and its
    templates use it."""
    from wagtail_mentoring.emails.rendering import render_templates

    to_coordinator = {"new_application", "withdrawal_notice"}
    for kind in registry.all():
        values = kind.sample()
        _subject, text, html = render_templates(kind.name, values)
        if kind.name in to_coordinator:
            assert "my_mentoring_url" not in kind.placeholders, kind.name
            assert values["admin_url"] in text and values["admin_url"] in html, kind.name
            continue
        assert "my_mentoring_url" in kind.placeholders, kind.name
        assert values["my_mentoring_url"] in text, kind.name
        assert f'href="{values["my_mentoring_url"]}"' in html, kind.name


def test_editors_can_put_the_links_in_their_wording(
    make_application, program_page, base_url, capture
):
    from wagtail_mentoring.emails.outbox import queue_email
    from wagtail_mentoring.models import EmailWording

    EmailWording.objects.create(
        kind="application_received",
        subject="Thanks",
        body="See {{ my_mentoring_url }} and {{ application_url }}.",
    )
    application = make_application("mentee")
    with capture(execute=True):
        queue_email("application_received", ["a@example.org"], key="k", application=application)
    (message,) = mail.outbox
    # This application was made on no page: its programme's page for its role, if any.
    assert message.body == f"See {BASE}/mentoring/my/ and .\n"


# -- one base URL ------------------------------------------------------------------------------


def test_the_survey_link_is_built_from_the_base_url_not_the_site(db, settings, program_page):
    from wagtail_mentoring.emails.links import page_url

    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("localhost", 80)
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
    assert page_url(program_page) == "http://127.0.0.1:8000/mentoring/"
    del settings.WAGTAILADMIN_BASE_URL  # the fallback: the Site's hostname and port
    assert page_url(program_page) == "http://localhost/mentoring/"


# -- check W003 --------------------------------------------------------------------------------


def w003() -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks() if m.id == "wagtail_mentoring.W003"]


@pytest.mark.parametrize(
    ("value", "debug", "warned"),
    [
        ("https://mentoring.example.org", False, False),
        ("http://testserver", False, False),
        ("http://localhost:8000", False, True),
        ("http://127.0.0.1:8000", False, True),
        ("https://example.com", False, True),
        ("http://127.0.0.1:8000", True, False),
        ("", False, True),
        (None, True, True),
    ],
)
def test_w003_warns_of_a_missing_or_development_base_url(settings, value, debug, warned):
    settings.DEBUG = debug
    if value is None:
        del settings.WAGTAILADMIN_BASE_URL
    else:
        settings.WAGTAILADMIN_BASE_URL = value
    found = w003()
    assert bool(found) is warned
    assert check_email_base_url() == found
    if found:
        assert "WAGTAILADMIN_BASE_URL" in found[0].msg and found[0].level == checks.WARNING


# -- the outbox's email page -------------------------------------------------------------------


def test_the_email_page_shows_the_message_as_sent_with_the_html_sandboxed(
    client, make_application, make_user, program_page, base_url, capture
):
    from wagtail_mentoring.emails.outbox import queue_email

    application = make_application(
        "mentee", name="Tom <script>alert(1)</script> & Jerry", contact_email="tj@example.org"
    )
    with capture(execute=True):
        email, _ = queue_email(
            "application_received", ["tj@example.org"], key="k-page", application=application
        )
    (sent,) = mail.outbox
    url = f"/admin/wagtail_mentoring/sentemail/inspect/{email.pk}/"

    client.force_login(make_user(member=False, is_superuser=True, is_staff=True))
    response = client.get(url)
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("[data-mentoring-message-text]").text == sent.body
    frame = page.select_one("iframe[data-mentoring-message-html]")
    assert frame.has_attr("sandbox") and not frame["sandbox"]  # no scripts, no origin
    assert frame["srcdoc"] == html_part(sent)
    assert "<script>alert(1)" not in response.content.decode()  # only escaped, never live
    assert not page.select("script:-soup-contains('alert(1)')")

    client.force_login(make_user())
    assert client.get(url).status_code in (302, 403)


def test_a_programme_outside_every_site_sends_its_emails_without_the_link(
    make_application, program_page, base_url, capture
):
    from wagtail_mentoring.emails.outbox import queue_email

    Site.objects.all().delete()  # the programme page is now in no site's tree
    application = make_application("mentee")
    with capture(execute=True):
        email, _ = queue_email(
            "application_received", ["a@example.org"], key="k-nosite", application=application
        )
    email.refresh_from_db()
    assert email.status == "sent", email.last_error
    (message,) = mail.outbox
    assert "My mentoring" not in message.body and BASE not in message.body
