"""The outbox: exactly once, retries, failures, tracking, wording, the committee's views."""

from __future__ import annotations

import base64
import datetime
import json

import django
import pytest
import requests
from anymail.exceptions import AnymailAPIError
from anymail.message import AnymailRecipientStatus
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from tests.mail import ScriptedBackend
from wagtail_mentoring import signals
from wagtail_mentoring.emails.outbox import deliver, queue_email, requeue_stalled, resend
from wagtail_mentoring.emails.tasks import send_emails
from wagtail_mentoring.matching import lifecycle
from wagtail_mentoring.matching.lifecycle import propose
from wagtail_mentoring.models import EmailStatus, EmailWording, Match, SentEmail

WEBHOOK_URL = "/anymail/postmark/tracking/"


def api_error(status: int, reason: str, message: str) -> AnymailAPIError:
    """The error anymail raises when the provider's API answers ``status``."""
    response = requests.Response()
    response.status_code = status
    response.reason = reason
    response._content = json.dumps({"ErrorCode": status, "Message": message}).encode()
    return AnymailAPIError(message, status_code=status, response=response, esp_name="Test")


@pytest.fixture
def anymail_backend(settings):
    """Send through anymail's test backend (scripted), whatever Django's mail settings."""
    backend = "tests.mail.ScriptedBackend"
    if django.VERSION >= (6, 1):
        settings.MAILERS = {"default": {"BACKEND": backend}}
    else:
        settings.EMAIL_BACKEND = backend
    ScriptedBackend.script = []
    mail.outbox = []
    yield ScriptedBackend
    ScriptedBackend.script = []


@pytest.fixture
def pair(make_application, make_user):
    mentor = make_application(
        "mentor",
        capacity=2,
        user=make_user(first_name="Ben", last_name="Hughes", email="ben@example.org"),
        goals="Share what I learnt.",
    )
    mentee = make_application(
        "mentee",
        user=make_user(first_name="Amara", last_name="Okafor", email="amara@example.org"),
        goals="Learn to lead a team & a budget.",
    )
    return mentor, mentee


@pytest.fixture
def committee(make_user):
    return make_user(username="chair", member=False, is_superuser=True, is_staff=True)


def approve(pair, committee, capture):
    mentor, mentee = pair
    with capture(execute=True):
        match = propose(mentee, mentor, actor=committee)
    with capture(execute=True):
        lifecycle.approve(match, actor=committee)
    return Match.objects.get(pk=match.pk)


def queue_one(capture, key="k-1", to=("amara@example.org",), **kwargs):
    with capture(execute=True):
        email, _ = queue_email(
            "application_received", list(to), key=key, application=kwargs.pop("application")
        )
    email.refresh_from_db()
    return email


# -- exactly once ------------------------------------------------------------------------


def test_approval_introduces_each_person_once_with_both_parts(
    pair, committee, anymail_backend, django_capture_on_commit_callbacks
):
    match = approve(pair, committee, django_capture_on_commit_callbacks)

    sent = sorted(mail.outbox, key=lambda m: m.to)
    assert [m.to for m in sent] == [["amara@example.org"], ["ben@example.org"]]
    to_amara, to_ben = sent
    assert to_amara.subject == "Meet your mentor: Ben Hughes"
    assert "ben@example.org" in to_amara.body and "Share what I learnt." in to_amara.body
    assert "Learn to lead a team & a budget." in to_ben.body  # text part: not escaped
    html = to_ben.alternatives[0]
    html_body, mimetype = (html.content, html.mimetype) if hasattr(html, "content") else html
    assert mimetype == "text/html"
    assert "Learn to lead a team &amp; a budget." in html_body  # HTML part: escaped
    assert f"{match.cycle.commitment_months} months together" in to_ben.body
    # anymail carries the kind and the objects to the provider.
    params = to_ben.anymail_test_params
    assert params["tags"] == ["match_introduction"]
    email = SentEmail.objects.get(match=match, to="ben@example.org")
    assert params["metadata"] == {
        "kind": "match_introduction",
        "outbox_id": str(email.pk),
        "send_number": "1",
        "application_id": "",
        "match_id": str(match.pk),
    }
    assert email.status == EmailStatus.SENT and email.attempts == 1
    assert email.message_id == str(mail.outbox.index(to_ben)) and email.esp_name == "Test"
    # One recipient, sent, under the message's id: nothing more to store.
    assert email.recipient_status == {}


def test_a_second_approval_signal_queues_nothing_new(
    pair, committee, anymail_backend, django_capture_on_commit_callbacks
):
    match = approve(pair, committee, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        signals.match_approved.send(sender=Match, match=match, actor=committee)
    assert SentEmail.objects.filter(kind="match_introduction").count() == 2
    assert len(mail.outbox) == 2


def test_two_enqueues_of_one_row_send_one_message(
    make_application, anymail_backend, django_capture_on_commit_callbacks
):
    application = make_application("mentee")
    with django_capture_on_commit_callbacks(execute=False):
        email, _ = queue_email(
            "application_received", ["a@example.org"], key="once", application=application
        )
    # The task runs twice (a retried enqueue, a duplicate delivery by the queue).
    first = send_emails.enqueue([email.pk])
    second = send_emails.enqueue([email.pk])
    assert (first.return_value, second.return_value) == ({str(email.pk): "sent"}, {})
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1 and email.status == EmailStatus.SENT


def test_the_same_key_twice_is_one_row(make_application, django_capture_on_commit_callbacks):
    application = make_application("mentee")
    with django_capture_on_commit_callbacks(execute=True):
        first, created = queue_email(
            "application_received", ["a@example.org"], key="same", application=application
        )
        again, created_again = queue_email(
            "application_received", ["a@example.org"], key="same", application=application
        )
    assert (created, created_again) == (True, False) and first.pk == again.pk
    assert len(mail.outbox) == 1


def test_many_emails_are_queued_at_once_and_sent_in_batches(
    make_application, anymail_backend, settings, django_capture_on_commit_callbacks
):
    from wagtail_mentoring.emails.outbox import queue_emails

    settings.WAGTAIL_MENTORING_EMAIL_BATCH_SIZE = 2
    applications = [make_application("mentee") for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=False):
        queue_email(
            "application_received", ["x@example.org"], key="bulk-0", application=applications[0]
        )
    items = [
        {
            "kind": "application_received",
            "to": [application.contact_email],
            "key": f"bulk-{i}",
            "application": application,
        }
        for i, application in enumerate(applications)
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = queue_emails(items)
    assert len(created) == 4 and len(callbacks) == 1  # bulk-0 was queued before
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.contact_email for a in applications[1:])
    assert SentEmail.objects.filter(status=EmailStatus.SENT).count() == 4
    assert queue_emails(items) == []  # everything known: nothing new


def test_emails_queued_in_many_transactions_go_out_together(
    make_application, anymail_backend, monkeypatch, django_capture_on_commit_callbacks
):
    from wagtail_mentoring.emails import tasks
    from wagtail_mentoring.emails.outbox import enqueue_together

    batches = []
    deliver = tasks.deliver_many
    monkeypatch.setattr(
        tasks, "deliver_many", lambda ids, **kw: batches.append(ids) or deliver(ids, **kw)
    )
    applications = [make_application("mentee") for _ in range(3)]
    with pytest.raises(RuntimeError), enqueue_together():
        for i, application in enumerate(applications):
            # Nested: handed over at the outermost end.
            with enqueue_together(), django_capture_on_commit_callbacks(execute=True):
                queue_email(
                    "application_received",
                    [application.contact_email],
                    key=f"together-{i}",
                    application=application,
                )
        assert batches == [] and mail.outbox == []  # committed, held back
        raise RuntimeError("the caller fails after its transactions committed")
    # Committed rows are handed over all the same, in one batch.
    assert [sorted(batch) for batch in batches] == [
        sorted(SentEmail.objects.values_list("pk", flat=True))
    ]
    assert len(mail.outbox) == 3
    assert SentEmail.objects.filter(status=EmailStatus.SENT).count() == 3


def test_each_recipients_status_is_kept(
    make_application, anymail_backend, django_capture_on_commit_callbacks
):
    email = queue_one(
        django_capture_on_commit_callbacks,
        to=("amara@example.org", "ben@example.org"),
        application=make_application("mentee"),
    )
    assert email.status == EmailStatus.SENT
    assert set(email.recipient_status) == {"amara@example.org", "ben@example.org"}
    assert all(item["status"] == "sent" for item in email.recipient_status.values())


def test_a_delivery_reported_before_the_send_returns_keeps_its_status(
    make_application, anymail_backend, monkeypatch, django_capture_on_commit_callbacks
):
    post = anymail_backend.post_to_esp

    def webhook_first(self, payload, message):
        SentEmail.objects.filter(pk=message.metadata["outbox_id"]).update(
            status=EmailStatus.DELIVERED
        )
        return post(self, payload, message)

    monkeypatch.setattr(anymail_backend, "post_to_esp", webhook_first)
    email = queue_one(django_capture_on_commit_callbacks, application=make_application("mentee"))
    assert email.status == EmailStatus.DELIVERED
    assert email.sent_at and email.message_id and email.subject and email.esp_name == "Test"


def test_unknown_kind_and_no_recipient_are_refused(make_application):
    application = make_application("mentee")
    with pytest.raises(LookupError, match=r"registered kinds: .*application_received"):
        queue_email("no_such_kind", ["a@example.org"], key="x", application=application)
    with pytest.raises(ValueError, match="at least one recipient"):
        queue_email("application_received", ["", " "], key="y", application=application)
    assert not SentEmail.objects.exists()


def test_a_rolled_back_change_queues_and_sends_nothing(
    make_application, django_capture_on_commit_callbacks
):
    from django.db import transaction

    application = make_application("mentee")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_email("application_received", ["a@example.org"], key="r", application=application)
        raise RuntimeError("the change failed")
    assert not SentEmail.objects.exists() and mail.outbox == []


# -- failures ----------------------------------------------------------------------------


def test_a_503_is_retried_and_then_sent(
    make_application, anymail_backend, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_EMAIL_RETRY_DELAY = 30
    anymail_backend.script = [api_error(503, "Service Unavailable", "Try later"), None]
    application = make_application("mentee")
    before = timezone.now()
    email = queue_one(django_capture_on_commit_callbacks, application=application)

    assert email.status == EmailStatus.QUEUED and email.attempts == 1
    assert "503" in email.last_error
    delay = (email.next_attempt_at - before).total_seconds()
    assert 30 <= delay < 40
    assert mail.outbox == []
    # Not due yet: the cron command leaves it alone.
    call_command("mentoring_send_emails", verbosity=0)
    email.refresh_from_db()
    assert email.attempts == 1

    SentEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    call_command("mentoring_send_emails", verbosity=0)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 2, "")
    assert len(mail.outbox) == 1
    assert [e.action for e in email.timeline()] == ["queued", "will retry", "sent"]


def test_retries_stop_at_the_maximum(
    make_application, anymail_backend, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_EMAIL_MAX_ATTEMPTS = 2
    anymail_backend.script = [api_error(502, "Bad Gateway", "down")] * 2
    email = queue_one(django_capture_on_commit_callbacks, application=make_application("mentee"))
    SentEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert deliver(email.pk) == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 2)
    assert "502" in email.last_error


@pytest.mark.parametrize(
    "answer",
    [
        api_error(422, "Unprocessable Entity", "Invalid 'To' address"),
        "refused",
    ],
)
def test_a_permanent_failure_is_marked_at_once_and_not_retried(
    answer, make_application, anymail_backend, monkeypatch, django_capture_on_commit_callbacks
):
    if answer == "refused":
        # The provider rejects every recipient: anymail raises AnymailRecipientsRefused.
        def post_to_esp(self, payload, message):
            return {
                "recipient_status": {
                    address: AnymailRecipientStatus(message_id=None, status="rejected")
                    for address in payload.recipient_emails
                }
            }

        monkeypatch.setattr(anymail_backend, "post_to_esp", post_to_esp)
    else:
        anymail_backend.script = [answer]
    email = queue_one(django_capture_on_commit_callbacks, application=make_application("mentee"))
    assert (email.status, email.attempts, email.next_attempt_at) == (EmailStatus.FAILED, 1, None)
    assert email.last_error
    call_command("mentoring_send_emails", verbosity=0)
    email.refresh_from_db()
    assert email.attempts == 1


def test_a_stalled_send_is_queued_again_by_the_command(
    make_application, anymail_backend, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_EMAIL_STALLED_MINUTES = 10
    application = make_application("mentee")
    with django_capture_on_commit_callbacks(execute=False):
        email, _ = queue_email(
            "application_received", ["a@example.org"], key="stall", application=application
        )
    # A worker claimed it and died before sending.
    long_ago = timezone.now() - datetime.timedelta(minutes=11)
    SentEmail.objects.filter(pk=email.pk).update(status=EmailStatus.SENDING, status_at=long_ago)
    recent = make_application("mentor")
    with django_capture_on_commit_callbacks(execute=False):
        busy, _ = queue_email(
            "application_received", ["b@example.org"], key="busy", application=recent
        )
    SentEmail.objects.filter(pk=busy.pk).update(status=EmailStatus.SENDING)

    call_command("mentoring_send_emails", verbosity=0)
    email.refresh_from_db()
    busy.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.attempts == 1
    assert busy.status == EmailStatus.SENDING  # still within its time: left alone
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert requeue_stalled() == []


def test_an_email_whose_objects_are_gone_fails_with_a_reason(
    make_application, anymail_backend, django_capture_on_commit_callbacks
):
    application = make_application("mentee")
    with django_capture_on_commit_callbacks(execute=False):
        email, _ = queue_email(
            "application_received", ["a@example.org"], key="gone", application=application
        )
    SentEmail.objects.filter(pk=email.pk).update(application=None)
    assert deliver(email.pk) == "failed"
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED and "Could not render" in email.last_error


def test_the_committee_can_resend_a_failed_email(
    client, make_application, anymail_backend, committee, django_capture_on_commit_callbacks
):
    anymail_backend.script = [api_error(400, "Bad Request", "Bad request")]
    email = queue_one(django_capture_on_commit_callbacks, application=make_application("mentee"))
    assert email.status == EmailStatus.FAILED
    client.force_login(committee)
    inspect = client.get(f"/admin/wagtail_mentoring/sentemail/inspect/{email.pk}/")
    assert b"Send again" in inspect.content and b"Bad request" in inspect.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/mentoring/emails/{email.pk}/resend/")
    assert response.status_code == 302
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)
    assert len(mail.outbox) == 1
    assert [e.action for e in email.timeline()] == [
        "queued",
        "failed",
        "resend requested",
        "sent",
    ]
    # A sent email cannot be sent again.
    response = client.post(f"/admin/mentoring/emails/{email.pk}/resend/", follow=True)
    assert b"Only a failed, bounced or rejected email" in response.content
    assert len(mail.outbox) == 1


def test_resend_refuses_an_email_that_did_not_fail(
    make_application, django_capture_on_commit_callbacks
):
    from wagtail_mentoring.emails.outbox import EmailNotResendable

    email = queue_one(django_capture_on_commit_callbacks, application=make_application("mentee"))
    with pytest.raises(EmailNotResendable, match="this one is sent"):
        resend(email)


@pytest.mark.parametrize("who", ["member", "editor", "anonymous"])
def test_the_outbox_is_for_the_committee_only(
    who, client, make_user, make_application, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Permission

    email = queue_one(django_capture_on_commit_callbacks, application=make_application("mentee"))
    if who == "member":
        client.force_login(make_user())
    elif who == "editor":
        editor = make_user(member=False, is_staff=True)
        editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(editor)
    urls = [
        "/admin/wagtail_mentoring/sentemail/",
        f"/admin/wagtail_mentoring/sentemail/inspect/{email.pk}/",
        f"/admin/mentoring/emails/{email.pk}/resend/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if who == "editor":
            assert response.status_code == 403
    assert client.post(urls[2]).status_code in (302, 403)


def test_the_match_page_shows_its_emails_and_their_history(
    client, pair, committee, anymail_backend, django_capture_on_commit_callbacks
):
    match = approve(pair, committee, django_capture_on_commit_callbacks)
    client.force_login(committee)
    response = client.get(f"/admin/wagtail_mentoring/match/inspect/{match.pk}/")
    text = response.content.decode()
    assert "Match introduction (to each person of the pair)" in text
    assert "ben@example.org" in text and "amara@example.org" in text
    assert text.count("Sent</span>") == 2


# -- tracking ----------------------------------------------------------------------------


def postmark(client, payload, secret="hook:s3cret"):
    token = base64.b64encode(secret.encode()).decode()
    return client.post(
        WEBHOOK_URL,
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {token}",
    )


@pytest.fixture
def sent(make_application, anymail_backend, django_capture_on_commit_callbacks):
    email = queue_one(django_capture_on_commit_callbacks, application=make_application("mentee"))
    # As Postmark would have answered the send.
    SentEmail.objects.filter(pk=email.pk).update(message_id="883953f4-6105-42a2-a16a-77a8eac79483")
    email.refresh_from_db()
    return email


def delivery(at="2026-11-28T10:00:00Z", **extra):
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Recipient": "amara@example.org",
        "Tag": "application_received",
        "DeliveredAt": at,
        "Details": "smtp;250 2.0.0 OK",
        "Metadata": {"kind": "application_received"},
        **extra,
    }


def test_postmark_delivery_moves_the_status_and_duplicates_are_ignored(client, sent):
    assert postmark(client, delivery()).status_code == 200
    sent.refresh_from_db()
    assert sent.status == EmailStatus.DELIVERED
    assert sent.status_at == datetime.datetime(2026, 11, 28, 10, tzinfo=datetime.UTC)
    assert postmark(client, delivery()).status_code == 200  # the provider retried
    assert sent.events.filter(action="delivered").count() == 1


def test_an_older_event_is_recorded_but_does_not_move_the_status(client, sent):
    open_event = {
        "RecordType": "Open",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Recipient": "amara@example.org",
        "ReceivedAt": "2026-11-28T11:00:00Z",
        "FirstOpen": True,
        "Metadata": {},
    }
    assert postmark(client, open_event).status_code == 200
    assert postmark(client, delivery(at="2026-11-28T10:00:00Z")).status_code == 200
    sent.refresh_from_db()
    assert sent.status == EmailStatus.OPENED
    assert [e.action for e in sent.events.all()] == ["delivered", "opened"]


def test_a_bounce_is_shown_with_its_reason_and_can_be_resent(client, sent):
    bounce = {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": "amara@example.org",
        "BouncedAt": "2026-11-28T10:05:00Z",
        "Metadata": {},
    }
    assert postmark(client, bounce).status_code == 200
    assert postmark(client, bounce).status_code == 200  # same event id: ignored
    sent.refresh_from_db()
    assert sent.status == EmailStatus.BOUNCED and sent.can_resend
    assert "does not exist" in sent.last_error
    assert sent.events.filter(event_id="4323372036854775807").count() == 1


def test_the_metadata_finds_the_row_when_the_message_id_is_unknown(client, sent):
    payload = delivery(MessageID="other-id", Metadata={"outbox_id": str(sent.pk)})
    assert postmark(client, payload).status_code == 200
    sent.refresh_from_db()
    assert sent.status == EmailStatus.DELIVERED


def test_bad_webhook_credentials_are_rejected(client, sent):
    response = postmark(client, delivery(), secret="hook:wrong")
    assert response.status_code in (400, 403)
    sent.refresh_from_db()
    assert sent.status == EmailStatus.SENT and not sent.events.filter(action="delivered")


def test_tracking_without_a_webhook_secret_is_warned_about(settings):
    from wagtail_mentoring.checks import check_email_settings

    settings.WAGTAIL_MENTORING_EMAIL_TRACKING = True
    assert check_email_settings() == []
    settings.ANYMAIL = {}
    assert [m.id for m in check_email_settings()] == ["wagtail_mentoring.W001"]
    settings.WAGTAIL_MENTORING_EMAIL_MAX_ATTEMPTS = 0
    settings.WAGTAIL_MENTORING_EMAIL_TASK_BACKEND = "nowhere"
    ids = [m.id for m in check_email_settings()]
    assert ids == ["wagtail_mentoring.E007", "wagtail_mentoring.E008", "wagtail_mentoring.W001"]


# -- wording -----------------------------------------------------------------------------


def test_editors_wording_replaces_the_templates(
    make_application, anymail_backend, django_capture_on_commit_callbacks
):
    EmailWording.objects.create(
        kind="application_received",
        subject="Thanks, {{ name }}!",
        body="Hello {{name}},\n\nYour {{ role }} application for the {{ cycle }} is in.\n"
        "<b>No tags</b> here.",
    )
    application = make_application("mentee")
    queue_one(django_capture_on_commit_callbacks, application=application)
    (message,) = mail.outbox
    assert message.subject == f"Thanks, {application.name}!"
    assert message.body.startswith(f"Hello {application.name},\n\nYour mentee application for")
    html = message.alternatives[0]
    html_body = html.content if hasattr(html, "content") else html[0]
    assert f"<p>Hello {application.name},</p>" in html_body
    assert "&lt;b&gt;No tags&lt;/b&gt; here." in html_body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "body",
            "Dear {{ nmae }},",
            "Unknown placeholder {{ nmae }}. This email offers: {{ name }}",
        ),
        ("subject", "{% if name %}Hi{% endif %}", "Template tags such as {% … %} cannot be used"),
        ("body", "Dear {{ name }", "A placeholder is not closed"),
        ("body", "{{ application.user.password }}", "Unknown placeholder"),
    ],
)
def test_wording_with_a_bad_placeholder_is_refused_at_save(db, field, value, message):
    wording = EmailWording(kind="application_received", subject="Hi", body="Hello")
    setattr(wording, field, value)
    with pytest.raises(ValidationError) as raised:
        wording.full_clean()
    assert message in " ".join(raised.value.message_dict[field])


def test_the_preview_shows_the_wording_with_sample_data(db, committee):
    wording = EmailWording(
        kind="match_introduction",
        subject="Meet {{ partner_name }}",
        body="Write to {{ partner_email }} soon.",
    )
    request = RequestFactory().get("/")
    request.user = committee
    response = wording.serve_preview(request, wording.default_preview_mode)
    response.render()
    text = response.content.decode()
    assert "Meet Ben Hughes" in text and "Write to ben@example.org soon." in text


def test_every_kind_renders_from_its_templates_with_sample_data(db):
    from wagtail_mentoring.emails.kinds import registry
    from wagtail_mentoring.emails.rendering import PLACEHOLDER, render_templates

    for kind in registry.all():
        values = kind.sample()
        assert set(values) == set(kind.placeholders), kind.name
        subject, text, html = render_templates(kind.name, values)
        assert subject and "\n" not in subject, kind.name
        assert values["name"] in text or kind.name == "new_application", kind.name
        assert html.lstrip().startswith("<!DOCTYPE html>") and "</html>" in html, kind.name
        assert not PLACEHOLDER.search(text + subject), kind.name


def test_the_editor_can_add_wording_in_the_admin(client, committee):
    client.force_login(committee)
    url = "/admin/snippets/wagtail_mentoring/emailwording/add/"
    page = client.get(url)
    assert page.status_code == 200 and b"{{ partner_email }}" in page.content
    response = client.post(
        url, {"kind": "match_ended", "subject": "Ended", "body": "Dear {{ nmae }}"}
    )
    assert response.status_code == 200
    assert b"Unknown placeholder {{ nmae }}" in response.content
    assert not EmailWording.objects.exists()
