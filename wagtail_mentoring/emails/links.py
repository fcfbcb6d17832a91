"""Absolute links in the programme's emails, all from one base URL.

An email is read far from the request that caused it (often sent by a worker with no
request at all), so every link in it is absolute. The scheme, host and port come from
Wagtail's ``WAGTAILADMIN_BASE_URL`` (the setting Wagtail's own notification emails
use), such as ``"https://mentoring.example.org"``; the path comes from the page. Only
when that setting is missing does a link fall back to the page's Wagtail
:class:`~wagtail.models.Site` (its hostname and port), which check
``wagtail_mentoring.W003`` warns about.

This module imports no models.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

BASE_URL_SETTING = "WAGTAILADMIN_BASE_URL"
#: hosts that mean a development default, not the address members can reach
DEVELOPMENT_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1", "example.com")


def email_base_url() -> str:
    """``WAGTAILADMIN_BASE_URL`` without its trailing slash, or ``""`` when it is unset."""
    value = getattr(settings, BASE_URL_SETTING, None) or ""
    return str(value).rstrip("/")


def is_development_url(url: str) -> bool:
    """Whether ``url``'s host is a development default (localhost, example.com, …)."""
    host = (urlsplit(url).hostname or "").lower()
    return host in DEVELOPMENT_HOSTS or host.endswith((".localhost", ".example.com"))


def absolute_url(path: str, fallback_root: str = "") -> str:
    """``path`` (a path from the site's root, such as ``"/mentoring/my/"``) as an
    absolute URL under the base URL, else under ``fallback_root``; a URL that is
    absolute already is returned as it is."""
    if not path or urlsplit(path).scheme:
        return path or ""
    base = email_base_url() or (fallback_root or "").rstrip("/")
    return f"{base}{path}" if base else path


def page_url(page, subpage: str = "") -> str:
    """The absolute URL of a Wagtail ``page`` (plus ``subpage``, a path below it), or
    ``""`` when the page is not routable (not live, or outside every site)."""
    if page is None:
        return ""
    parts = page.get_url_parts()
    if parts is None or parts[2] is None:  # in no site's tree
        return ""
    _site_id, root_url, path = parts
    return absolute_url(path + subpage.lstrip("/"), root_url or "")
