"""Which language a person is written to: one of the site's ``LANGUAGES``.

An applicant's language is the active language of the request they applied in (set by
Django's ``LocaleMiddleware``, an i18n URL prefix or Wagtail's locale), stored on the
application; the emails to them are rendered in it. Emails to the committee and the
coordinator are rendered in the site's ``LANGUAGE_CODE``.

This module imports no models.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def normalise_language(code: str | None) -> str:
    """``code`` as a language of ``settings.LANGUAGES`` ("es-mx" becomes "es" when only
    "es" is listed); the site's ``LANGUAGE_CODE`` when it is empty or not offered."""
    for candidate in (code, settings.LANGUAGE_CODE):
        if candidate:
            try:
                return translation.get_supported_language_variant(candidate)
            except LookupError:
                continue
    return settings.LANGUAGE_CODE


def current_language() -> str:
    """The active language (of the request being served), normalised."""
    return normalise_language(translation.get_language())


def site_language() -> str:
    """The site's ``LANGUAGE_CODE``, normalised: the committee's language."""
    return normalise_language(settings.LANGUAGE_CODE)


def same_language(first: str, second: str) -> bool:
    """Whether two language codes name one language ("en" and "en-au" do)."""
    return first.split("-")[0].lower() == second.split("-")[0].lower()
