"""Local development and `make demo`: debug on, SQLite, email printed to the console."""

import django

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "example-site-dev-only-not-a-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# Django 6.1 replaces EMAIL_BACKEND with MAILERS (EMAIL_BACKEND is deprecated there).
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "Mentoring programme <mentoring@example.org>"
