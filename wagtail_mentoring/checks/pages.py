"""Checks of the templates and pages.

The base template and its blocks, the page model, the login page, and the page types
allowed under a programme page.
"""

from __future__ import annotations

from django.apps import apps
from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from ..conf import PREFIX, app_settings


def check_base_template(app_configs=None, **kwargs):
    name = app_settings.BASE_TEMPLATE
    if not isinstance(name, str) or not name:
        return [
            checks.Error(
                f"{PREFIX}BASE_TEMPLATE must be the name of a template, got {name!r}.",
                hint='Set it to the template your pages extend, such as "base.html".',
                id="wagtail_mentoring.E001",
            )
        ]
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return [
            checks.Error(
                f"{PREFIX}BASE_TEMPLATE is {name!r}, but no such template can be found.",
                hint=(
                    "Create that template, or point the setting at the base template "
                    "your site's pages extend."
                ),
                id="wagtail_mentoring.E001",
            )
        ]
    return []


def check_base_template_blocks(app_configs=None, **kwargs):
    """E013: the block names are valid; W004: the base template has those blocks."""
    from ..layout import SETTING, block_setting_problems, missing_block_messages

    return [
        checks.Error(
            f"{SETTING}: {problem}.",
            hint='For example {"CSS": "extra_css", "CONTENT": "content", "JS": None}.',
            id="wagtail_mentoring.E013",
        )
        for problem in block_setting_problems()
    ] + [
        checks.Warning(message, hint=hint, id="wagtail_mentoring.W004")
        for message, hint in missing_block_messages()
    ]


def check_page_model(app_configs=None, **kwargs):
    """E014: Wagtail's own page model, not a swapped one (WAGTAIL_PAGE_MODEL, Wagtail 8)."""
    from django.conf import settings

    swapped = getattr(settings, "WAGTAIL_PAGE_MODEL", "wagtailcore.Page")
    if str(swapped).lower() == "wagtailcore.page":
        return []
    return [
        checks.Error(
            f"wagtail_mentoring needs Wagtail's own page model, but WAGTAIL_PAGE_MODEL is "
            f"{swapped!r}: its pages extend wagtail.models.Page and its cycles and "
            "applications refer to wagtailcore.Page.",
            hint="Remove WAGTAIL_PAGE_MODEL, or leave wagtail_mentoring out of INSTALLED_APPS.",
            id="wagtail_mentoring.E014",
        )
    ]


def _is_wagtail_page_path(path: str) -> bool | None:
    """Whether a live page of some site has ``path`` (None: no database to ask yet)."""
    from django.db import DatabaseError
    from wagtail.models import Page, Site

    try:
        return any(
            Page.objects.live().filter(url_path=site.root_page.url_path + path.lstrip("/")).exists()
            for site in Site.objects.select_related("root_page")
        )
    except DatabaseError:
        return None


def check_login_url(app_configs=None, **kwargs):
    """W005: ``LOGIN_URL``, where the application pages send visitors to log in, resolves."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.shortcuts import resolve_url
    from django.urls import NoReverseMatch, Resolver404, resolve
    from wagtail.views import serve

    login_url = str(getattr(settings, "LOGIN_URL", "") or "")
    try:
        parts = urlsplit(str(resolve_url(login_url)))
    except NoReverseMatch:
        parts = None
    if parts is not None and (parts.scheme or parts.netloc):
        return []  # a login page on another host (single sign-on): not this site's URLs
    try:
        if parts is None:
            raise Resolver404
        match = resolve(parts.path)
    except Resolver404:
        found = False
    else:
        # Wagtail's catch-all pattern answers every path: is there a page there?
        found = match.func is not serve or _is_wagtail_page_path(parts.path) is not False
    if found:
        return []
    return [
        checks.Warning(
            f"LOGIN_URL is {login_url!r}, which is no URL of this site, so the "
            '"Log in" link of the application pages leads to a page that does not exist.',
            hint=(
                "Set LOGIN_URL to your site's login page (its path or its URL name), or "
                'to "wagtailcore_login" for Wagtail\'s own login form.'
            ),
            id="wagtail_mentoring.W005",
        )
    ]


def check_program_child_page_types(app_configs=None, **kwargs):
    """E015: the extra page types allowed under a programme page are page models."""
    from wagtail.models import Page

    value = app_settings.PROGRAM_CHILD_PAGE_TYPES
    hint = (
        'List "app_label.ModelName" strings of your page models, such as '
        '["home.StandardPage"], or remove the setting.'
    )
    if not isinstance(value, list | tuple):
        return [
            checks.Error(
                f"{PREFIX}PROGRAM_CHILD_PAGE_TYPES must be a list, got {value!r}.",
                hint=hint,
                id="wagtail_mentoring.E015",
            )
        ]
    errors = []
    for name in value:
        try:
            model = apps.get_model(name) if isinstance(name, str) else None
        except (LookupError, ValueError):
            model = None
        if model is None or not issubclass(model, Page):
            errors.append(
                checks.Error(
                    f"{PREFIX}PROGRAM_CHILD_PAGE_TYPES has {name!r}, which is no page model.",
                    hint=hint,
                    id="wagtail_mentoring.E015",
                )
            )
    return errors
