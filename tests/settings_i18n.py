"""Test settings of a site that translates its pages (Wagtail's i18n and wagtail-localize).

The multilingual tests (``tests/test_i18n_*.py``) run with these settings, in a pytest
run of their own, and only they do (tests/conftest.py chooses the files by
``WAGTAIL_I18N_ENABLED``; the rest of the suite expects URLs without a language prefix):

    python -m pytest --ds=tests.settings_i18n tests/
"""

from .settings import *  # noqa: F403
from .settings import DATABASES, INSTALLED_APPS, MIDDLEWARE

# wagtail-localize after the package's apps, before Wagtail's (as its docs install it).
INSTALLED_APPS = [
    *INSTALLED_APPS[: INSTALLED_APPS.index("wagtail.contrib.forms")],
    "wagtail_localize",
    "wagtail_localize.locales",
    *INSTALLED_APPS[INSTALLED_APPS.index("wagtail.contrib.forms") :],
]

MIDDLEWARE = [
    *MIDDLEWARE[: MIDDLEWARE.index("django.middleware.common.CommonMiddleware")],
    "django.middleware.locale.LocaleMiddleware",
    *MIDDLEWARE[MIDDLEWARE.index("django.middleware.common.CommonMiddleware") :],
]

ROOT_URLCONF = "tests.urls_i18n"

WAGTAIL_I18N_ENABLED = True
LANGUAGE_CODE = "en"
LANGUAGES = WAGTAIL_CONTENT_LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]

# Its own test database, so this run may follow (or overlap) the main run's on PostgreSQL.
DATABASES = {
    alias: {**config, "TEST": {**config.get("TEST", {}), "NAME": None}}
    for alias, config in DATABASES.items()
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"]["NAME"] = f"test_{DATABASES['default']['NAME']}_i18n"
