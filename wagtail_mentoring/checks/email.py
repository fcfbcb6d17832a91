"""Checks of the email settings: the sender, the tracking webhooks and the base of every link."""

from __future__ import annotations

from django.core import checks

from ..conf import PREFIX, app_settings
from .configuration import _positive_int


def check_email_settings(app_configs=None, **kwargs):
    messages = []
    for name in (
        "CONFERENCE_REMINDER_DAYS",
        "EMAIL_BATCH_SIZE",
        "EMAIL_MAX_ATTEMPTS",
        "EMAIL_RETRY_DELAY",
        "EMAIL_STALLED_MINUTES",
    ):
        value = getattr(app_settings, name)
        if not _positive_int(value):
            messages.append(
                checks.Error(
                    f"{PREFIX}{name} must be a whole number above 0, got {value!r}.",
                    hint="Remove the setting to use the default, or set a positive number.",
                    id="wagtail_mentoring.E007",
                )
            )
    from django_tasks import task_backends

    alias = app_settings.EMAIL_TASK_BACKEND
    if alias not in task_backends.settings:
        known = ", ".join(sorted(task_backends.settings))
        messages.append(
            checks.Error(
                f"{PREFIX}EMAIL_TASK_BACKEND is {alias!r}, which TASKS does not define.",
                hint=f"Use one of the TASKS aliases ({known}) or add {alias!r} to TASKS.",
                id="wagtail_mentoring.E008",
            )
        )
    messages += _tracking_messages(checks.Warning, "wagtail_mentoring.W001")
    return messages


def _tracking_messages(level, id: str) -> list:
    """W001 (and E010 under ``check --deploy``): tracking that nothing authenticates."""
    from ..emails.webhooks import (
        basic_auth_configured,
        how_to_authenticate,
        mounted_tracking_providers,
        webhook_authenticated,
    )

    mounted = mounted_tracking_providers()
    open_to_anyone = [name for name in mounted if not webhook_authenticated(name)]
    if open_to_anyone:
        how = "; ".join(f"{name}: {how_to_authenticate(name)}" for name in open_to_anyone[:3])
        return [
            level(
                f"The tracking webhooks of {', '.join(open_to_anyone)} are mounted, but "
                "anymail does not authenticate their posts, so anyone could fake a "
                "delivery event; the package ignores their events.",
                hint=(
                    "Mount only your provider's URL, with "
                    'include(wagtail_mentoring.emails.webhooks.tracking_urls("<provider>")), '
                    "and set what authenticates it"
                    + (f" ({how})." if len(open_to_anyone) <= 3 else ".")
                ),
                id=id,
            )
        ]
    if (
        level is checks.Warning
        and app_settings.EMAIL_TRACKING
        and not mounted
        and not basic_auth_configured()
    ):
        return [
            level(
                f"{PREFIX}EMAIL_TRACKING is on but ANYMAIL has no WEBHOOK_SECRET, so "
                "anyone who finds the webhook URL could post fake delivery events; the "
                "package ignores events that anymail does not authenticate.",
                hint=(
                    'Set ANYMAIL["WEBHOOK_SECRET"] to a random "user:password" and put '
                    "the same credentials in the webhook URL at your email provider."
                ),
                id=id,
            )
        ]
    return []


def check_tracking_deploy(app_configs=None, **kwargs):
    """E010, a deployment check: no tracking webhook is mounted without authentication."""
    return _tracking_messages(checks.Error, "wagtail_mentoring.E010")


def check_email_base_url(app_configs=None, **kwargs):
    """W003: the links in emails have a base URL that members can reach."""
    from django.conf import settings

    from ..emails.links import BASE_URL_SETTING, email_base_url, is_development_url

    base = email_base_url()
    if not base:
        return [
            checks.Warning(
                f"{BASE_URL_SETTING} is not set, so the links in the programme's emails "
                "use the hostname and port of the Wagtail Site, which are often not the "
                "address members reach the site at.",
                hint=(
                    f"Set {BASE_URL_SETTING} to the address of the site, such as "
                    '"https://mentoring.example.org" (no trailing slash).'
                ),
                id="wagtail_mentoring.W003",
            )
        ]
    if not settings.DEBUG and is_development_url(base):
        return [
            checks.Warning(
                f"{BASE_URL_SETTING} is {base!r}, a development address, while DEBUG is "
                "off: the links in the programme's emails would lead members nowhere.",
                hint=(
                    f"Set {BASE_URL_SETTING} to the public address of the site, such as "
                    '"https://mentoring.example.org" (see docs/howto/deploy.md).'
                ),
                id="wagtail_mentoring.W003",
            )
        ]
    return []


def check_met_check_settings(app_configs=None, **kwargs):
    """The "Have you met yet?" days: a whole number of 0 or more, or ``None`` (off)."""
    messages = []
    for name in ("MET_CHECK_DAYS", "MET_RECHECK_DAYS"):
        value = getattr(app_settings, name)
        if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            continue
        messages.append(
            checks.Error(
                f"{PREFIX}{name} must be a whole number of days (0 or None turns it off), "
                f"got {value!r}.",
                hint="Remove the setting to use the default, or set a whole number of days.",
                id="wagtail_mentoring.E018",
            )
        )
    return messages
