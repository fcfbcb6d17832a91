"""Pages in a site that translates them (Wagtail's i18n, with or without wagtail-localize).

The package keeps one programme per translation group: a programme page and its
translations (the pages that share its ``translation_key``) have the same cycles,
and so the same applications, pool and matches. What differs by locale is only which
page a reader is sent to, and that is :func:`in_locale_of`'s answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from wagtail.models import Page


def i18n_enabled() -> bool:
    """Whether the site translates its pages (Wagtail's ``WAGTAIL_I18N_ENABLED``)."""
    return bool(getattr(settings, "WAGTAIL_I18N_ENABLED", False))


def in_locale_of(target: Page | None, page: Page | None) -> Page | None:
    """``target``'s live translation in ``page``'s locale, else ``target`` itself.

    How the package links one of its pages from another (the programme page to its
    application pages, an email to the member's pages): a reader of a German page
    follows links to German pages wherever they exist, and to the source page where
    no translation has been made (or published) yet.
    """
    if target is None or page is None or not i18n_enabled():
        return target
    if target.locale_id == page.locale_id:
        return target
    translation = target.get_translation_or_none(page.locale_id)
    if translation is not None and translation.live:
        return translation
    return target
