"""Production: everything secret or site-specific comes from the environment.

Required: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS (comma-separated).
Optional: WAGTAILADMIN_BASE_URL (the site's public address, the base of every link in
emails; default https:// and the first allowed host), DATABASE_URL (with
dj-database-url), REDIS_URL (with redis), DEFAULT_FROM_EMAIL, EMAIL_BACKEND, and the
HTTPS ones: DJANGO_SECURE_SSL_REDIRECT (default true), DJANGO_SECURE_HSTS_SECONDS
(default 3600), DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS and DJANGO_SECURE_HSTS_PRELOAD
(default false). docs/howto/example-site.md describes them,
and what ``manage.py check --deploy`` still reports with them.
"""

import os

import django
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False


def _required(name: str) -> str:
    try:
        return os.environ[name]
    except KeyError:
        raise ImproperlyConfigured(f"Set the {name} environment variable.") from None


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"Set the {name} environment variable to true or false.")


def _seconds(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit():
        raise ImproperlyConfigured(f"Set the {name} environment variable to a number of seconds.")
    return int(value)


SECRET_KEY = _required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in _required("DJANGO_ALLOWED_HOSTS").split(",") if host]


def _base_url() -> str:
    """The public address of the site, the base of every absolute link in emails."""
    value = os.environ.get("WAGTAILADMIN_BASE_URL", "").strip().rstrip("/")
    if not value:
        first = ALLOWED_HOSTS[0] if ALLOWED_HOSTS else ""
        if not first or first.startswith(".") or "*" in first:
            raise ImproperlyConfigured(
                "Set the WAGTAILADMIN_BASE_URL environment variable to the site's public "
                "address, such as https://mentoring.example.org."
            )
        return f"https://{first}"
    if not value.startswith(("https://", "http://")) or value.count("/") > 2:
        raise ImproperlyConfigured(
            "Set the WAGTAILADMIN_BASE_URL environment variable to the site's public "
            "address without a path, such as https://mentoring.example.org."
        )
    return value


WAGTAILADMIN_BASE_URL = _base_url()

if os.environ.get("DATABASE_URL"):
    import dj_database_url

    DATABASES = {"default": dj_database_url.config(conn_max_age=600)}
if DATABASES["default"]["ENGINE"].endswith((".postgresql", ".postgis")):
    INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.postgres"]  # noqa: F405

# The application pages' rate limit counts in the cache, which every server process must
# share (docs/howto/deploy.md); without REDIS_URL, check --deploy warns (W002).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only. Turn the redirect off only where the proxy in front redirects itself.
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", True)
# HSTS starts at one hour, which a mistake survives; raise it (31536000 is a year) once
# the site is known to work over HTTPS. Subdomains and the browsers' preload list are
# commitments for the whole domain, so they stay off until the environment says so.
SECURE_HSTS_SECONDS = _seconds("DJANGO_SECURE_HSTS_SECONDS", 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _flag("DJANGO_SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mentoring@example.org")

# Email through a provider with django-anymail, and tasks through a database worker,
# when the environment says so (see docs/howto/email.md).
# Django 6.1 replaces EMAIL_BACKEND with MAILERS (EMAIL_BACKEND is deprecated there).
if os.environ.get("EMAIL_BACKEND"):  # e.g. anymail.backends.mailgun.EmailBackend
    if django.VERSION >= (6, 1):
        MAILERS = {"default": {"BACKEND": os.environ["EMAIL_BACKEND"]}}
    else:
        EMAIL_BACKEND = os.environ["EMAIL_BACKEND"]
ANYMAIL = {
    "MAILGUN_API_KEY": os.environ.get("MAILGUN_API_KEY", ""),
    "POSTMARK_SERVER_TOKEN": os.environ.get("POSTMARK_SERVER_TOKEN", ""),
}
# Delivery tracking: config/urls.py mounts the tracking webhook of MENTORING_TRACKING_PROVIDER
# (anymail's name for it, default "postmark") only when ANYMAIL_WEBHOOK_SECRET, a random
# "user:password", authenticates its posts; without it nothing is mounted or recorded.
if os.environ.get("ANYMAIL_WEBHOOK_SECRET"):
    ANYMAIL["WEBHOOK_SECRET"] = os.environ["ANYMAIL_WEBHOOK_SECRET"]
MENTORING_TRACKING_PROVIDER = (
    os.environ.get("MENTORING_TRACKING_PROVIDER", "postmark") if "WEBHOOK_SECRET" in ANYMAIL else ""
)
WAGTAIL_MENTORING_EMAIL_TRACKING = bool(MENTORING_TRACKING_PROVIDER)
