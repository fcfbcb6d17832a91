"""The tracking webhooks' set-up: no post is a server error, the checks, the example site.

Requests go to ``tests.test_tracking``'s URLconf (every provider through the package's
``tracking_urls()``, anymail's own URLs at ``raw/``) unless a test says otherwise.
"""

from __future__ import annotations

import importlib
import json
import sys

import pytest
from django.core import checks
from django.test import Client, override_settings
from django.urls import NoReverseMatch, clear_url_caches, include, path, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import webhook_payloads as payloads
from tests.test_tracking import queued, send, state
from tests.webhook_payloads import MAILGUN_KEY, PROVIDERS, SECRET, UNISENDER_KEY
from wagtail_mentoring.emails.webhooks import tracking_urls

# The URLconf of the tests below that mount one provider, as the docs recommend.
urlpatterns = [path("anymail/", include(tracking_urls("mailgun")))]

pytestmark = [
    pytest.mark.urls("tests.test_tracking"),
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailInsecureWebhookWarning"),
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning"),
]

SIGNED = {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY, "UNISENDER_GO_API_KEY": UNISENDER_KEY}
CONFIGURATIONS = {
    "the tests' secret": {"WEBHOOK_SECRET": SECRET},
    "secret and keys": {"WEBHOOK_SECRET": SECRET, **SIGNED},
    "nothing": {"WEBHOOK_SECRET": ""},
}


@pytest.fixture
def http():
    return Client(raise_request_exception=False)


def statuses(http, cases, prefix="/anymail/") -> dict[str, int]:
    return {
        label: http.post(
            prefix + path, data=body, content_type="application/json", **headers
        ).status_code
        for label, path, body, headers in cases
    }


# -- no server error --------------------------------------------------------------------------


@pytest.mark.parametrize("configuration", CONFIGURATIONS)
def test_no_tracking_url_answers_a_server_error(configuration, http, db, settings):
    settings.ANYMAIL = CONFIGURATIONS[configuration]
    results = statuses(http, payloads.sweep_cases())
    assert len(results) == 83
    assert {label: code for label, code in results.items() if code >= 500} == {}
    # Providers nothing authenticates (those anymail checks only by signature, here
    # without their key) are not there; with no secret, none is.
    not_served = {"mailersend", "postal", "mandrill"}
    if configuration == "the tests' secret":
        not_served |= {"mailgun", "unisender_go"}
    if configuration == "nothing":
        not_served = {path.split("/")[0] for path in payloads.tracking_paths()}
    for label, code in results.items():
        if label.split("/")[0] in not_served:
            assert code == 404, label


@pytest.mark.urls("tests.urls")
def test_the_tests_urls_answer_what_cannot_be_read_with_400(http, db, caplog):
    # anymail's Amazon SES view cannot run without boto3 (not installed here): not there.
    response = http.post(
        "/anymail/amazon_ses/tracking/",
        data="{}",
        content_type="application/json",
        **payloads.basic_auth(),
    )
    assert response.status_code == 404
    assert "The Amazon SES tracking webhook is not configured" in caplog.text
    for provider in ("postmark", "brevo", "sparkpost", "mailjet"):
        for body in payloads.JUNK_BODIES:
            response = http.post(
                f"/anymail/{provider}/tracking/",
                data=body,
                content_type="application/json",
                **payloads.basic_auth(),
            )
            if body in ("", "not json"):
                assert response.status_code == 400, (provider, body)
            else:  # read as an event of no known message, or refused
                assert response.status_code in (200, 400), (provider, body)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
metadata_values = st.one_of(
    json_values,
    st.sampled_from(["²", "١٢", "1\x00", "9" * 40, "-1", "0", "1", "2", " 1", "1 "]),
)

HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS
@given(
    path=st.sampled_from(payloads.tracking_paths()),
    body=json_values.map(json.dumps) | st.text(max_size=200),
    configuration=st.sampled_from(list(CONFIGURATIONS)),
)
def test_random_bodies_never_cause_a_server_error(
    path, body, configuration, http, settings, make_application
):
    settings.ANYMAIL = CONFIGURATIONS[configuration]
    email = fuzzed_row(make_application)
    before = state(email)
    response = http.post(
        "/anymail/" + path, data=body, content_type="application/json", **payloads.basic_auth()
    )
    assert response.status_code < 500
    assert state(email) == before


@HYPOTHESIS
@given(data=st.data())
def test_random_metadata_never_causes_a_server_error_or_an_unauthenticated_change(
    data, http, settings, make_application, monkeypatch
):
    provider = data.draw(st.sampled_from(PROVIDERS), label="provider")
    auth = data.draw(st.booleans(), label="auth")
    prefix = data.draw(st.sampled_from(["/anymail/", "/raw/"]), label="mounted at")
    settings.ANYMAIL = CONFIGURATIONS["secret and keys" if auth else "nothing"]
    monkeypatch.setattr(
        "anymail.webhooks.amazon_ses._get_anymail_boto3_params", lambda kwargs: ({}, {})
    )
    email = fuzzed_row(make_application)
    # Sometimes the row's own id and message id, so that a forged event would find it.
    ids = st.sampled_from([email.pk, str(email.pk)])
    metadata = data.draw(
        st.fixed_dictionaries(
            {"outbox_id": metadata_values | ids, "send_number": metadata_values | ids},
            optional={"kind": json_values, "match_id": json_values},
        ),
        label="metadata",
    )
    message_id = data.draw(st.sampled_from(["unknown", email.message_id]), label="message id")
    kind = data.draw(st.sampled_from(["bounced", "delivered", "opened"]), label="kind")
    before = state(email)
    url, body, headers = payloads.webhook(
        provider, kind, message_id=message_id, metadata=metadata, auth=auth
    )
    url = url.replace("/anymail/", prefix, 1)
    response = http.post(url, data=body, content_type="application/json", **headers)
    # anymail's own views (at raw/) fail by themselves when a provider is not configured;
    # the receiver never does.
    if prefix == "/anymail/" or auth:
        assert response.status_code < 500, (url, body)
    if not auth:
        assert state(email) == before


def fuzzed_row(make_application):
    from wagtail_mentoring.models import SentEmail

    email = SentEmail.objects.filter(idempotency_key="fuzzed").first()
    if email is None:
        email = queued(make_application("mentee"), key="fuzzed")
        send(email, "fuzzed-message-id")
        email.refresh_from_db()
    return email


# -- checks -----------------------------------------------------------------------------------


# Django 6.1's model checks ask the database whether it supports JSON fields, so every
# test that runs the system checks needs database access.
def tracking_check_ids(deploy: bool) -> list[str]:
    ids = [message.id for message in checks.run_checks(include_deployment_checks=deploy)]
    return [i for i in ids if i in ("wagtail_mentoring.W001", "wagtail_mentoring.E010")]


@pytest.mark.django_db  # the system checks ask the database (see above)
@pytest.mark.urls("tests.urls")
def test_the_tests_configuration_passes_the_tracking_checks(settings):
    assert tracking_check_ids(deploy=True) == []
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    assert tracking_check_ids(deploy=False) == ["wagtail_mentoring.W001"]
    assert tracking_check_ids(deploy=True) == ["wagtail_mentoring.W001", "wagtail_mentoring.E010"]
    (error,) = [
        m for m in checks.run_checks(include_deployment_checks=True) if m.id.endswith("E010")
    ]
    assert error.level == checks.ERROR
    assert "Amazon SES, Brevo, Mailjet, Postmark, SparkPost" in error.msg


@pytest.mark.django_db  # the system checks ask the database (see above)
def test_signed_providers_without_their_key_are_reported(settings):
    # tests.test_tracking mounts every provider: with the secret alone, those anymail
    # checks only by signature have no key.
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    (error,) = [
        m for m in checks.run_checks(include_deployment_checks=True) if m.id.endswith("E010")
    ]
    assert "MailerSend, Mailgun, Mandrill, Postal, Unisender Go" in error.msg
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, **SIGNED, "MAILERSEND_SIGNING_SECRET": "s"}
    settings.MANDRILL_WEBHOOK_KEY = "k"  # anymail also reads the bare setting
    settings.POSTAL_WEBHOOK_KEY = "k"
    assert tracking_check_ids(deploy=True) == []


@pytest.mark.django_db  # the system checks ask the database (see above)
@pytest.mark.parametrize(
    ("anymail", "expected"),
    [
        ({"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}, []),
        ({"MAILGUN_API_KEY": MAILGUN_KEY}, []),  # anymail's fallback for the signing key
        ({"MAILGUN_API_KEY": ""}, ["W001", "E010"]),
        ({"MAILGUN_WEBHOOK_SIGNING_KEY": "", "MAILGUN_API_KEY": "x"}, ["W001", "E010"]),
        ({"WEBHOOK_SECRET": SECRET}, ["W001", "E010"]),  # Mailgun's posts are signed only
    ],
)
def test_one_mounted_provider_is_checked_by_what_anymail_reads(settings, anymail, expected):
    settings.ROOT_URLCONF = "tests.test_webhooks"
    settings.ANYMAIL = anymail
    found = tracking_check_ids(deploy=True)
    assert [i.removeprefix("wagtail_mentoring.") for i in found] == expected


@pytest.mark.django_db  # the system checks ask the database (see above)
def test_tracking_setting_without_a_secret_is_warned_about_when_nothing_is_mounted(settings):
    settings.ROOT_URLCONF = "django.contrib.auth.urls"  # no tracking URL
    settings.WAGTAIL_MENTORING_EMAIL_TRACKING = True
    settings.ANYMAIL = {}
    assert tracking_check_ids(deploy=True) == ["wagtail_mentoring.W001"]
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    assert tracking_check_ids(deploy=True) == []


def test_tracking_urls_refuses_an_unknown_provider():
    with pytest.raises(Exception, match="does not know 'postmrak'; anymail's providers are"):
        tracking_urls("postmrak")


# -- the example site -------------------------------------------------------------------------


@pytest.mark.parametrize("secret", ["", "hook:example"])
def test_the_example_production_site_mounts_tracking_only_with_a_secret(secret, monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "mentoring.example.org")
    monkeypatch.setenv("ANYMAIL_WEBHOOK_SECRET", secret)
    monkeypatch.delitem(sys.modules, "config.settings.production", raising=False)
    production = importlib.import_module("config.settings.production")
    monkeypatch.delitem(sys.modules, "config.settings.production")
    assert production.WAGTAIL_MENTORING_EMAIL_TRACKING is bool(secret)
    assert production.ANYMAIL.get("WEBHOOK_SECRET", "") == secret
    with override_settings(
        ANYMAIL=production.ANYMAIL,
        MENTORING_TRACKING_PROVIDER=production.MENTORING_TRACKING_PROVIDER,
        ROOT_URLCONF="config.urls",
    ):
        monkeypatch.delitem(sys.modules, "config.urls", raising=False)
        clear_url_caches()
        try:
            url = reverse("anymail:postmark_tracking_webhook")
        except NoReverseMatch:
            url = None
        monkeypatch.delitem(sys.modules, "config.urls", raising=False)
    clear_url_caches()
    assert url == ("/anymail/postmark/tracking/" if secret else None)
