"""Which providers' tracking webhooks are authenticated, and URLs that mount only those.

django-anymail authenticates a webhook post in one of two ways: HTTP basic auth with
``ANYMAIL["WEBHOOK_SECRET"]`` (every provider's view checks it when it is set), or the
provider's own signature, checked with a key from the settings. For some providers
anymail always checks the signature and refuses to run without the key; for others it
checks it only when the key is set; for the rest (Amazon SES, Brevo, Mailjet,
Postmark, SparkPost) basic auth is the only protection.

:func:`webhook_authenticated` reads the same settings anymail reads, so the tracking
receiver can ignore events nobody authenticated and the system checks can say what is
missing. :func:`tracking_urls` mounts anymail's tracking views behind a guard that
answers 404 for a provider that is not authenticated or not configured, and 400 for a
post anymail cannot read, instead of a server error.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.utils import get_anymail_setting
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpResponseNotFound

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Signature:
    """How anymail checks one provider's webhook signature."""

    #: anymail's setting names (without the provider prefix) and whether the bare
    #: ``<PROVIDER>_<NAME>`` form is read too; the first one set is the key.
    keys: tuple[tuple[str, bool], ...]
    #: anymail refuses every post without the key (basic auth alone is not enough).
    required: bool


#: By anymail's ``esp_name``. Providers not listed are protected by basic auth only.
SIGNATURES = {
    "Mailgun": Signature((("webhook_signing_key", False), ("api_key", True)), required=True),
    "MailerSend": Signature((("signing_secret", False),), required=True),
    "Mailtrap": Signature((("tracking_secret", False),), required=False),
    "Mandrill": Signature((("webhook_key", True),), required=True),
    "Postal": Signature((("webhook_key", True),), required=True),
    "Resend": Signature((("signing_secret", False),), required=False),
    "SendGrid": Signature((("tracking_webhook_verification_key", True),), required=False),
    "Unisender Go": Signature((("api_key", True),), required=True),
}

#: anymail's deprecated URL keys, left out unless named.
DEPRECATED = {"sendinblue"}

_ABSENT = object()


def _setting(name: str, esp_name: str | None = None, allow_bare: bool = False):
    return get_anymail_setting(
        name, esp_name=esp_name, kwargs={}, allow_bare=allow_bare, default=_ABSENT
    )


def basic_auth_configured() -> bool:
    """Whether ``ANYMAIL["WEBHOOK_SECRET"]`` (or ``ANYMAIL_WEBHOOK_SECRET``) is set.

    A list counts only if every entry is a non-empty string: anymail accepts any entry.
    """
    secret = _setting("webhook_secret")
    if isinstance(secret, str):
        return bool(secret)
    if isinstance(secret, list | tuple):
        return bool(secret) and all(isinstance(item, str) and item for item in secret)
    return False


def signing_key_setting(esp_name: str) -> str | None:
    """The name of the setting holding ``esp_name``'s signing key, or None if it has none."""
    signature = SIGNATURES.get(esp_name)
    if signature is None:
        return None
    prefix = esp_name.upper().replace(" ", "_")
    return f'ANYMAIL["{prefix}_{signature.keys[0][0].upper()}"]'


def signature_configured(esp_name: str) -> bool:
    """Whether anymail checks ``esp_name``'s webhook signature with a non-empty key."""
    signature = SIGNATURES.get(esp_name)
    if signature is None:
        return False
    for name, allow_bare in signature.keys:
        key = _setting(name, esp_name, allow_bare)
        if key is not _ABSENT:
            # anymail takes the first one set, even an empty one (which anyone can sign with).
            return isinstance(key, str) and bool(key)
    return False


def webhook_authenticated(esp_name: str) -> bool:
    """Whether anymail authenticates ``esp_name``'s webhook posts with the current settings."""
    signature = SIGNATURES.get(esp_name)
    if signature is not None and signature.required:
        return signature_configured(esp_name)
    return basic_auth_configured() or signature_configured(esp_name)


def how_to_authenticate(esp_name: str) -> str:
    """What to set for ``esp_name``'s webhook, in words for a check's hint."""
    basic = 'ANYMAIL["WEBHOOK_SECRET"] (a random "user:password", also put in the URL)'
    key = signing_key_setting(esp_name)
    if key is None:
        return basic
    if SIGNATURES[esp_name].required:
        return f"{key} (the provider's webhook signing key)"
    return f"{basic}, or {key} (the provider's webhook signing key)"


def mounted_tracking_providers(urlconf=None) -> list[str]:
    """The ``esp_name`` of every anymail tracking view the URLconf mounts, however mounted."""
    from anymail.signals import tracking
    from anymail.webhooks.mandrill import MandrillCombinedWebhookView
    from django.urls import URLResolver, get_resolver

    try:
        stack = list(get_resolver(urlconf).url_patterns)
    except Exception:  # a broken URLconf: Django's own checks report it
        return []
    found = set()
    while stack:
        pattern = stack.pop()
        if isinstance(pattern, URLResolver):
            with contextlib.suppress(Exception):  # a broken include: Django reports it
                stack.extend(pattern.url_patterns)
            continue
        view_class = getattr(getattr(pattern, "callback", None), "view_class", None)
        if not isinstance(view_class, type):
            continue
        if getattr(view_class, "signal", None) is tracking or issubclass(
            view_class, MandrillCombinedWebhookView
        ):
            esp_name = getattr(view_class, "esp_name", None)
            if isinstance(esp_name, str):
                found.add(esp_name)
    return sorted(found)


# -- URLs --------------------------------------------------------------------------------


def _anymail_tracking_patterns() -> Iterator[tuple[str, object]]:
    """(provider key, URL pattern) of each of anymail's tracking webhook URLs."""
    from anymail import urls

    for pattern in urls.urlpatterns:
        name = pattern.name or ""
        if name.endswith("_tracking_webhook"):
            yield name.removesuffix("_tracking_webhook"), pattern
        elif name == "mandrill_webhook":  # Mandrill's combined tracking and inbound URL
            yield "mandrill", pattern


def tracking_providers() -> list[str]:
    """The provider keys :func:`tracking_urls` accepts, such as ``"postmark"``."""
    return sorted({key for key, _pattern in _anymail_tracking_patterns()})


def tracking_urls(*providers: str, only_authenticated: bool = False):
    """anymail's tracking webhook URLs for ``providers``, ready for ``include()``.

    ``path("anymail/", include(tracking_urls("postmark")))`` mounts
    ``anymail/postmark/tracking/`` under anymail's URL name
    (``anymail:postmark_tracking_webhook``). The keys are those of anymail's URLs
    (``"amazon_ses"``, ``"mailgun"``, ``"postmark"``, …); with none, every provider's but
    ``"sendinblue"``, anymail's deprecated old name for Brevo, which must be named.
    Each view is guarded: a provider whose posts anymail does not authenticate, or that
    anymail cannot run for a missing setting, answers 404, and a post anymail cannot
    read answers 400. ``only_authenticated`` leaves out, when the URLconf loads, the
    providers that nothing authenticates.
    """
    from django.urls import URLPattern

    known = tracking_providers()
    unknown = sorted(set(providers) - set(known))
    if unknown:
        raise ImproperlyConfigured(
            f"tracking_urls() does not know {', '.join(map(repr, unknown))}; "
            f"anymail's providers are {', '.join(known)}."
        )
    patterns = []
    for key, pattern in _anymail_tracking_patterns():
        if key not in providers if providers else key in DEPRECATED:
            continue
        view_class = pattern.callback.view_class
        if only_authenticated and not webhook_authenticated(view_class.esp_name):
            continue
        guarded = _guard(_tolerant(view_class).as_view(), view_class.esp_name)
        patterns.append(URLPattern(pattern.pattern, guarded, pattern.default_args, pattern.name))
    return patterns, "anymail"


@functools.cache
def _tolerant(view_class):
    """``view_class`` answering 400 (via anymail's validation failure) to a post its
    validators or parser cannot read, instead of the error they raise."""

    def unreadable(error: Exception) -> AnymailWebhookValidationFailure:
        return AnymailWebhookValidationFailure(
            f"{view_class.esp_name} webhook post could not be read: {type(error).__name__}"
        )

    class Tolerant(view_class):
        def run_validators(self, request):
            try:
                super().run_validators(request)
            except (SuspiciousOperation, ImproperlyConfigured):
                raise
            except Exception as error:
                raise unreadable(error) from error

        def parse_events(self, request):
            try:
                return super().parse_events(request)
            except SuspiciousOperation:
                raise
            except Exception as error:  # also anymail's "inbound post to a tracking URL"
                raise unreadable(error) from error

    Tolerant.__name__ = Tolerant.__qualname__ = view_class.__name__
    Tolerant.__module__ = __name__
    return Tolerant


def _guard(view, esp_name: str):
    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if not webhook_authenticated(esp_name):
            logger.warning(
                "Refused a post to the %s tracking webhook: nothing authenticates it. Set %s.",
                esp_name,
                how_to_authenticate(esp_name),
            )
            return HttpResponseNotFound()
        try:
            return view(request, *args, **kwargs)
        except ImproperlyConfigured as error:  # a setting anymail needs is missing
            logger.error("The %s tracking webhook is not configured: %s", esp_name, error)
            return HttpResponseNotFound()

    guarded.wagtail_mentoring_guarded = True
    return guarded
