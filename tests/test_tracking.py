"""Tracking webhooks: only authenticated events of the current send change an outbox row.

Posts go through anymail's real webhook views with the Django test client, for several
providers: basic-auth ones (Postmark, Brevo, SparkPost, SendGrid, Mailjet, Amazon SES)
and signed ones (Mailgun, Unisender Go). This module is also the URLconf of its tests:
the package's guarded ``tracking_urls()`` for every provider at ``anymail/``, and
anymail's own URLs, mounted whole as anymail documents, at ``raw/``.
"""

from __future__ import annotations

import datetime
import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import include, path
from django.utils import timezone

from tests import webhook_payloads as payloads
from tests.webhook_payloads import MAILGUN_KEY, PROVIDERS, SECRET, UNISENDER_KEY, webhook
from wagtail_mentoring.emails.outbox import deliver, queue_email, resend
from wagtail_mentoring.emails.webhooks import tracking_urls
from wagtail_mentoring.models import EmailEvent, EmailStatus, SentEmail

urlpatterns = [
    path("anymail/", include(tracking_urls())),
    path("raw/", include(("anymail.urls", "anymail"), namespace="raw")),
]

pytestmark = [
    pytest.mark.urls(__name__),
    # anymail warns, once per view, about these; in production they are printed only.
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailInsecureWebhookWarning"),
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning"),
]

LATER = payloads.AT + datetime.timedelta(hours=1)


@pytest.fixture
def authenticated(settings, monkeypatch):
    """Every provider under test authenticated: the basic-auth secret and the signing keys."""
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY,
        "UNISENDER_GO_API_KEY": UNISENDER_KEY,
    }
    # anymail's Amazon SES view reads boto3's settings (for confirming SNS subscriptions);
    # boto3 is not installed here.
    monkeypatch.setattr(
        "anymail.webhooks.amazon_ses._get_anymail_boto3_params", lambda kwargs: ({}, {})
    )
    return settings


@pytest.fixture
def http():
    return Client(raise_request_exception=False)


def post(client, provider, kind, *, url_prefix="/anymail/", **options):
    url, body, headers = webhook(provider, kind, **options)
    url = url.replace("/anymail/", url_prefix, 1)
    return client.post(url, data=body, content_type="application/json", **headers)


def queued(application, key="tracked-1") -> SentEmail:
    """A row in the outbox, not sent yet (the test transaction never commits)."""
    email, _ = queue_email(
        "application_received", [payloads.RECIPIENT], key=key, application=application
    )
    return email


def send(email: SentEmail, message_id: str) -> dict:
    """Send the row; store the provider's message id; return the metadata sent with it."""
    assert deliver(email.pk) == "sent"
    SentEmail.objects.filter(pk=email.pk).update(message_id=message_id)
    return dict(mail.outbox[-1].metadata)


def state(email: SentEmail):
    email.refresh_from_db()
    events = list(email.events.values_list("action", "note"))
    return email.status, email.status_at, email.last_error, email.send_number, events


# -- only authenticated events ------------------------------------------------------------


@pytest.mark.parametrize("url_prefix", ["/raw/", "/anymail/"])
@pytest.mark.parametrize("provider", ["postmark", "brevo", "sparkpost", "mailjet", "sendgrid"])
def test_an_unauthenticated_bounce_changes_nothing(
    provider, url_prefix, http, settings, make_application
):
    # The example site's production settings with ANYMAIL_WEBHOOK_SECRET unset.
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    email = queued(make_application("mentee"))
    metadata = send(email, payloads.message_id(provider, 0))
    before = state(email)
    response = post(
        http,
        provider,
        "bounced",
        url_prefix=url_prefix,
        message_id=payloads.message_id(provider, 0),
        metadata={**metadata, "attacker": "Your address does not exist"},
        auth=False,
    )
    assert response.status_code < 500
    assert state(email) == before
    assert before[0] == EmailStatus.SENT and not EmailEvent.objects.exists()


@pytest.mark.parametrize("url_prefix", ["/raw/", "/anymail/"])
def test_a_forged_delivery_cannot_take_a_queued_email_out_of_the_queue(
    url_prefix, http, settings, make_application
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    email = queued(make_application("mentee"))
    response = post(
        http,
        "postmark",
        "delivered",
        url_prefix=url_prefix,
        message_id="forged",
        metadata={"outbox_id": str(email.pk), "send_number": "1"},
        auth=False,
    )
    assert response.status_code < 500
    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED and not email.events.exists()
    assert deliver(email.pk) == "sent" and len(mail.outbox) == 1


@pytest.mark.parametrize("provider", ["mailgun", "unisender_go"])
def test_a_signed_provider_needs_no_basic_auth_but_a_right_signature(
    provider, http, authenticated, make_application
):
    authenticated.ANYMAIL = {
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY,
        "UNISENDER_GO_API_KEY": UNISENDER_KEY,
    }
    email = queued(make_application("mentee"))
    metadata = send(email, payloads.message_id(provider, 0))
    options = {"message_id": payloads.message_id(provider, 0), "metadata": metadata}
    refused = post(http, provider, "bounced", auth=False, **options)
    assert refused.status_code == 400
    assert state(email)[0] == EmailStatus.SENT
    accepted = post(http, provider, "bounced", **options)
    assert accepted.status_code == 200
    email.refresh_from_db()
    assert email.status == EmailStatus.BOUNCED and "no such user" in email.last_error


def test_an_empty_signing_key_authenticates_nothing(http, settings, make_application):
    # anymail signs Mailgun's webhook check with MAILGUN_API_KEY when there is no signing
    # key, even an empty one, which anyone can sign with.
    settings.ANYMAIL = {"MAILGUN_API_KEY": ""}
    email = queued(make_application("mentee"))
    metadata = send(email, payloads.message_id("mailgun", 0))
    before = state(email)
    for prefix in ("/raw/", "/anymail/"):
        forged = post(
            http,
            "mailgun",
            "bounced",
            url_prefix=prefix,
            message_id=payloads.message_id("mailgun", 0),
            metadata=metadata,
            auth=False,
            signing_key="",
        )
        assert forged.status_code < 500
    assert state(email) == before


# -- events of an earlier send --------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True], ids=["send number", "no send number"])
@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_event_of_an_earlier_send_never_changes_a_row_sent_again(
    provider, legacy, http, authenticated, make_application
):
    email = queued(make_application("mentee"))
    first_id = payloads.message_id(provider, 0)
    first = send(email, first_id)
    if legacy:  # sent before the outbox put a send number in the metadata
        first.pop("send_number")
    assert post(http, provider, "bounced", message_id=first_id, metadata=first).status_code == 200
    assert state(email)[0] == EmailStatus.BOUNCED

    resend(email)
    late = {"message_id": first_id, "metadata": first, "at": LATER, "event_id": "late-1"}
    assert post(http, provider, "opened", **late).status_code == 200
    status, _, _, send_number, events = state(email)
    assert (status, send_number) == (EmailStatus.QUEUED, 2)
    assert "opened" in [action for action, _ in events]  # kept in the history
    assert email.events.get(action="opened").send_number == 1
    assert deliver(email.pk) == "sent" and len(mail.outbox) == 2

    second_id = payloads.message_id(provider, 1)
    second = dict(mail.outbox[-1].metadata)
    SentEmail.objects.filter(pk=email.pk).update(message_id=second_id)
    late.update(event_id="late-2", at=LATER + datetime.timedelta(minutes=1))
    assert post(http, provider, "delivered", **late).status_code == 200
    assert state(email)[0] == EmailStatus.SENT
    current = {"message_id": second_id, "metadata": second, "event_id": "now-1"}
    current["at"] = LATER + datetime.timedelta(minutes=2)
    assert post(http, provider, "delivered", **current).status_code == 200
    assert state(email)[0] == EmailStatus.DELIVERED


def test_the_history_says_which_send_an_event_belongs_to(http, authenticated, make_application):
    email = queued(make_application("mentee"))
    first = send(email, "pm-0")
    post(http, "postmark", "bounced", message_id="pm-0", metadata=first)
    resend(email)
    post(http, "postmark", "opened", message_id="pm-0", metadata=first, at=LATER, event_id=None)
    email.refresh_from_db()
    notes = [step.note for step in email.timeline() if step.action in ("bounced", "opened")]
    assert len(notes) == 2 and all(note.startswith("send 1: ") for note in notes)
    assert email.send_number == 2


def test_malformed_send_number_is_recorded_without_changing_the_status(
    http, authenticated, make_application, caplog
):
    email = queued(make_application("mentee"))
    metadata = send(email, "pm-0")
    for value in ("²", "1\x00", ["1"], "0", "9" * 30):
        bad = {"outbox_id": str(email.pk), "send_number": value}
        post(http, "postmark", "bounced", message_id="other", metadata=bad, event_id=repr(value))
    assert state(email)[0] == EmailStatus.SENT and metadata["send_number"] == "1"
    assert email.events.count() == 5
    assert set(email.events.values_list("send_number", flat=True)) == {None}
    assert "malformed metadata send_number" in caplog.text


def test_an_event_dated_far_ahead_does_not_hold_the_status(http, authenticated, make_application):
    email = queued(make_application("mentee"))
    metadata = send(email, payloads.message_id("mailjet", 0))
    options = {"message_id": payloads.message_id("mailjet", 0), "metadata": metadata}
    ahead = datetime.datetime(3000, 1, 1, tzinfo=datetime.UTC)
    assert post(http, "mailjet", "opened", at=ahead, **options).status_code == 200
    email.refresh_from_db()
    assert email.status == EmailStatus.OPENED and email.status_at.year < 3000
    soon = timezone.now() + datetime.timedelta(minutes=1)  # a real event, after it
    assert post(http, "mailjet", "clicked", at=soon, **options).status_code == 200
    email.refresh_from_db()
    assert email.status == EmailStatus.CLICKED


# -- duplicates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "kind"),
    [
        ("brevo", "complained"),
        ("brevo", "proxy_open"),
        ("sparkpost", "opened"),
        ("sparkpost", "clicked"),
        ("unisender_go", "delivered"),
        ("mailjet", "opened"),
    ],
)
def test_an_event_without_id_or_time_is_recorded_once(
    provider, kind, http, authenticated, make_application
):
    email = queued(make_application("mentee"))
    metadata = send(email, payloads.message_id(provider, 0))
    options = {"message_id": payloads.message_id(provider, 0), "metadata": metadata}
    options.update(event_id=None, timestamp=False)
    url, body, headers = webhook(provider, kind, **options)
    for _ in range(3):  # the provider retried
        response = http.post(url, data=body, content_type="application/json", **headers)
        assert response.status_code == 200
    assert email.events.count() == 1
    other = "opened" if kind != "opened" else "clicked"
    assert post(http, provider, other, **options).status_code == 200
    assert email.events.count() == 2  # a different event is kept


def test_a_bounce_for_two_recipients_keeps_both(http, authenticated, make_application):
    email, _ = queue_email(
        "application_received",
        ["amara@example.org", "ben@example.org"],
        key="two",
        application=make_application("mentee"),
    )
    metadata = send(email, "ses-0")
    options = {"message_id": "ses-0", "metadata": metadata, "event_id": "sns-1"}
    options["recipients"] = ("amara@example.org", "ben@example.org")
    assert post(http, "amazon_ses", "bounced", **options).status_code == 200
    assert post(http, "amazon_ses", "bounced", **options).status_code == 200  # SNS retried
    bounces = email.events.filter(action="bounced")
    assert sorted(bounces.values_list("recipient", flat=True)) == [
        "amara@example.org",
        "ben@example.org",
    ]


# -- malformed metadata and unreadable posts --------------------------------------------------

MALFORMED = ["²", "١٢", "1" * 40, "1\x00", "\x00", ["1"], {"id": 1}, "-1", "0", 1.5, True, ""]


@pytest.mark.parametrize("url_prefix", ["/raw/", "/anymail/"])
@pytest.mark.parametrize("value", MALFORMED, ids=repr)
def test_malformed_outbox_id_is_ignored_and_logged(
    value, url_prefix, http, authenticated, make_application, caplog
):
    caplog.set_level(logging.WARNING, "wagtail_mentoring")
    email = queued(make_application("mentee"))
    send(email, "pm-0")
    before = state(email)
    options = {"message_id": "unknown", "metadata": {"outbox_id": value}}
    response = post(http, "postmark", "bounced", url_prefix=url_prefix, **options)
    assert response.status_code == 200
    assert state(email) == before
    if value not in ("",):
        assert "malformed metadata outbox_id" in caplog.text


@pytest.mark.parametrize("metadata", ["[1, 2]", "null", '"x"', "7", "{"], ids=repr)
@pytest.mark.parametrize("provider", ["brevo", "mailjet", "amazon_ses"])
def test_metadata_that_is_not_an_object_is_ignored(
    provider, metadata, http, authenticated, make_application
):
    email = queued(make_application("mentee"))
    send(email, payloads.message_id(provider, 9))
    before = state(email)
    options = {"message_id": "unknown", "metadata": metadata}
    assert post(http, provider, "bounced", **options).status_code in (200, 400)
    if metadata != "{":  # anymail's own view fails on Brevo's unparsable metadata
        assert post(http, provider, "bounced", url_prefix="/raw/", **options).status_code == 200
    assert state(email) == before
