"""System checks for wagtail_mentoring (ids ``wagtail_mentoring.E001`` …).

Registered from ``WagtailMentoringConfig.ready()``.
"""

from __future__ import annotations

from django.apps import apps
from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from .conf import PREFIX, app_settings

REQUIRED_APPS = [
    "wagtail",
    "wagtail.contrib.forms",
    "wagtail.contrib.settings",
    "wagtail_modeladmin",
]


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
    from .layout import SETTING, block_setting_problems, missing_block_messages

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


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def check_commitment_months(app_configs=None, **kwargs):
    errors = []
    maximum = app_settings.MAX_COMMITMENT_MONTHS
    default = app_settings.DEFAULT_COMMITMENT_MONTHS
    if not _positive_int(maximum):
        errors.append(
            checks.Error(
                f"{PREFIX}MAX_COMMITMENT_MONTHS must be a whole number above 0, got {maximum!r}.",
                hint="Set it to the longest pairing, in months, a cycle may ask for (e.g. 24).",
                id="wagtail_mentoring.E002",
            )
        )
    elif not _positive_int(default) or default > maximum:
        errors.append(
            checks.Error(
                f"{PREFIX}DEFAULT_COMMITMENT_MONTHS must be a whole number from 1 to "
                f"{PREFIX}MAX_COMMITMENT_MONTHS ({maximum}), got {default!r}.",
                hint="Set it to the usual pairing length in months (the default is 10).",
                id="wagtail_mentoring.E002",
            )
        )
    return errors


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


def check_required_apps(app_configs=None, **kwargs):
    return [
        checks.Error(
            f"wagtail_mentoring needs {module!r} in INSTALLED_APPS.",
            hint=f'Add "{module}" to INSTALLED_APPS.',
            id="wagtail_mentoring.E003",
        )
        for module in REQUIRED_APPS
        if not apps.is_installed(module)
    ]


def check_membership_backend(app_configs=None, **kwargs):
    from django.core.exceptions import ImproperlyConfigured

    from .membership import load_backend

    try:
        load_backend(app_settings.MEMBERSHIP_BACKEND)
    except ImproperlyConfigured as error:
        return [
            checks.Error(
                str(error),
                hint=(
                    f"Fix {PREFIX}MEMBERSHIP_BACKEND: BACKEND is the dotted path of a "
                    "BaseMembershipBackend subclass and OPTIONS holds only the options it "
                    "documents."
                ),
                id="wagtail_mentoring.E004",
            )
        ]
    return []


def check_choice_settings(app_configs=None, **kwargs):
    errors = []
    for name in ("SECTORS", "REGIONS", "CONFERENCE_ACTIVITIES"):
        value = getattr(app_settings, name)
        valid = isinstance(value, list | tuple) and all(
            isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str)
            for item in value
        )
        if not valid or (name != "REGIONS" and not value):
            errors.append(
                checks.Error(
                    f"{PREFIX}{name} must be a list of (value, label) pairs"
                    + ("." if name == "REGIONS" else ", with at least one pair."),
                    hint='For example [("public", "Public libraries"), ("other", "Other")].',
                    id="wagtail_mentoring.E005",
                )
            )
    capacity = app_settings.MAX_MENTOR_CAPACITY
    if not _positive_int(capacity):
        errors.append(
            checks.Error(
                f"{PREFIX}MAX_MENTOR_CAPACITY must be a whole number above 0, got {capacity!r}.",
                hint="Set it to the most mentees one mentor may take (the default is 3).",
                id="wagtail_mentoring.E006",
            )
        )
    return errors


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
    from .emails.webhooks import (
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


# Cache backends whose entries live in one server process (or nowhere at all).
PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": (
        "which each server process keeps for itself: with several processes (gunicorn or "
        "uWSGI workers, several servers) each one counts on its own, and a member gets the "
        "limit once per process"
    ),
    "django.core.cache.backends.dummy.DummyCache": (
        "which keeps nothing: no post is ever counted, so the limit never applies"
    ),
}


def _rate_limit_cache_backend(alias):
    from django.conf import settings
    from django.utils.module_loading import import_string

    path = (getattr(settings, "CACHES", {}).get(alias) or {}).get("BACKEND", "")
    try:
        backend = import_string(path)
    except ImportError:
        return None
    for local, why in PROCESS_LOCAL_CACHES.items():
        if issubclass(backend, import_string(local)):
            return local, why
    return None


def check_rate_limit(app_configs=None, **kwargs):
    from django.conf import settings

    limits = app_settings.RATE_LIMIT
    problems = [
        f"{key} must be a whole number of 0 or more, or None, got {limits.get(key)!r}"
        for key in ("USER", "IP")
        if limits.get(key) is not None
        and not (_positive_int(limits.get(key)) or limits.get(key) == 0)
    ]
    if not _positive_int(limits.get("WINDOW_SECONDS")):
        problems.append(
            f"WINDOW_SECONDS must be a whole number above 0, got {limits.get('WINDOW_SECONDS')!r}"
        )
    alias = limits.get("CACHE")
    if alias not in getattr(settings, "CACHES", {}):
        problems.append(f"CACHE is {alias!r}, which CACHES does not define")
    unknown = sorted(set(limits) - {"USER", "IP", "WINDOW_SECONDS", "CACHE"}, key=str)
    if unknown:
        problems.append(f"unknown key(s) {', '.join(map(repr, unknown))}")
    return [
        checks.Error(
            f"{PREFIX}RATE_LIMIT: {problem}.",
            hint='For example {"USER": 10, "IP": 200, "WINDOW_SECONDS": 3600, "CACHE": "default"}.',
            id="wagtail_mentoring.E009",
        )
        for problem in problems
    ]


def check_rate_limit_cache(app_configs=None, **kwargs):
    """W002, a deployment check: the rate limit's counters must be shared by every process."""
    from django.conf import settings

    limits = app_settings.RATE_LIMIT
    if settings.DEBUG or not (limits.get("USER") or limits.get("IP")):
        return []
    alias = limits.get("CACHE") or "default"
    local = _rate_limit_cache_backend(alias)
    if local is None:
        return []
    backend, why = local
    return [
        checks.Warning(
            f"{PREFIX}RATE_LIMIT counts accepted posts in the cache {alias!r}, a "
            f"{backend.rsplit('.', 1)[-1]}, {why}.",
            hint=(
                f'Point CACHES[{alias!r}] (or {PREFIX}RATE_LIMIT["CACHE"]) at a cache that '
                "every server process shares, such as Redis or the database cache "
                "(see docs/howto/deploy.md)."
            ),
            id="wagtail_mentoring.W002",
        )
    ]


def check_max_answer_length(app_configs=None, **kwargs):
    """E011: the cap on editors' free-text questions is a whole number above 0."""
    value = app_settings.MAX_ANSWER_LENGTH
    if _positive_int(value):
        return []
    return [
        checks.Error(
            f"{PREFIX}MAX_ANSWER_LENGTH must be a whole number above 0, got {value!r}.",
            hint="Set it to the most characters one answer may hold (the default is 5000).",
            id="wagtail_mentoring.E011",
        )
    ]


def check_match_weights(app_configs=None, **kwargs):
    """E012: the match weights name only known components, each with a number of 0 or more."""
    from .conf import weight_problems
    from .matching.scoring import COMPONENTS

    setting = app_settings._setting("MATCH_WEIGHTS", {})
    return [
        checks.Error(
            f"{PREFIX}MATCH_WEIGHTS: {problem}.",
            hint=(
                f"The components are {', '.join(COMPONENTS)}. Give each component you "
                "change a number of 0 or more (0 turns it off); leave a component out to "
                'keep its default weight. For example {"topics": 60, "conference": 0}.'
            ),
            id="wagtail_mentoring.E012",
        )
        for problem in weight_problems(setting)
    ]


def check_email_base_url(app_configs=None, **kwargs):
    """W003: the links in emails have a base URL that members can reach."""
    from django.conf import settings

    from .emails.links import BASE_URL_SETTING, email_base_url, is_development_url

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


def register() -> None:
    checks.register(check_email_settings)
    checks.register(check_required_apps)
    checks.register(check_page_model)
    checks.register(check_commitment_months)
    checks.register(check_membership_backend)
    checks.register(check_choice_settings)
    checks.register(check_base_template, checks.Tags.templates)
    checks.register(check_base_template_blocks, checks.Tags.templates)
    checks.register(check_rate_limit)
    checks.register(check_max_answer_length)
    checks.register(check_match_weights)
    checks.register(check_email_base_url)
    checks.register(check_login_url, checks.Tags.urls)
    checks.register(check_program_child_page_types, checks.Tags.models)
    checks.register(check_rate_limit_cache, deploy=True)
    checks.register(check_tracking_deploy, deploy=True)
