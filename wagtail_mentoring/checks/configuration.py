"""Checks of the package's settings and the apps it needs."""

from __future__ import annotations

from django.apps import apps
from django.core import checks

from ..conf import PREFIX, app_settings

REQUIRED_APPS = [
    "wagtail",
    "wagtail.contrib.forms",
    "wagtail.contrib.settings",
    "wagtail_modeladmin",
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

    from ..membership import load_backend

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
    from ..conf import weight_problems
    from ..matching.scoring import COMPONENTS

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


def check_auto_match(app_configs=None, **kwargs):
    """E016: the auto-match's waiting bonus is a number of 0 or more, its first rule a bool."""
    from ..conf import is_waiting_bonus

    errors = []
    bonus = app_settings.MATCH_WAITING_BONUS_PER_WEEK
    if not is_waiting_bonus(bonus):
        errors.append(
            checks.Error(
                f"{PREFIX}MATCH_WAITING_BONUS_PER_WEEK must be a number of 0 or more, "
                f"got {bonus!r}.",
                hint="Give the points added per week waited, in the weights' points "
                "(the default is 1; 0 turns the bonus off).",
                id="wagtail_mentoring.E016",
            )
        )
    first = app_settings.MATCH_MOST_MATCHED_FIRST
    if not isinstance(first, bool):
        errors.append(
            checks.Error(
                f"{PREFIX}MATCH_MOST_MATCHED_FIRST must be True or False, got {first!r}.",
                hint="True (the default) pairs as many mentees as possible first.",
                id="wagtail_mentoring.E016",
            )
        )
    return errors


def check_priorities(app_configs=None, **kwargs):
    """E019: the priority factors are numbers from 0 to 10 that do not fall as the level
    rises, and the mentor's stage bonus is a number from 0 to 1000."""
    from ..priorities import DEFAULT_STAGE_BONUS, LEVELS, factor_problems, stage_bonus_ok

    errors = [
        checks.Error(
            f"{PREFIX}PRIORITY_FACTORS: {problem}.",
            hint=(
                f"Give each level you change ({', '.join(LEVELS)}) a number from 0 to 10; "
                "leave a level out to keep its default. For example "
                '{"very": 2.0, "somewhat": 1.0, "not": 0.5}.'
            ),
            id="wagtail_mentoring.E019",
        )
        for problem in factor_problems(app_settings._setting("PRIORITY_FACTORS", {}))
    ]
    bonus = app_settings._setting("PRIORITY_STAGE_BONUS", DEFAULT_STAGE_BONUS)
    if not stage_bonus_ok(bonus):
        errors.append(
            checks.Error(
                f"{PREFIX}PRIORITY_STAGE_BONUS must be a number from 0 to 1000, got {bonus!r}.",
                hint="Give the points, in the weights' points (the default is 5; 0 turns it off).",
                id="wagtail_mentoring.E019",
            )
        )
    return errors
