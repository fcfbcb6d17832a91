"""Local development and `make demo`: debug on, SQLite, email printed to the console.

``MENTORING_EMAIL_BACKEND`` picks another email backend:

- ``anymail-test``: django-anymail's test backend (sends nothing, keeps each message,
  and sets the outbox's message ids and per-recipient status as a provider would);
- any dotted path, such as ``anymail.backends.postmark.EmailBackend``, with the
  provider's settings in ``ANYMAIL`` (see docs/howto/email.md), for example from
  ``POSTMARK_SERVER_TOKEN`` below.
"""

import os

import django

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "example-site-dev-only-not-a-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# Links in emails lead to the development server (``manage.py runserver`` serves
# http://127.0.0.1:8000); set WAGTAILADMIN_BASE_URL to serve it elsewhere.
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "anymail-test": "anymail.backends.test.EmailBackend",
}
_email_backend = os.environ.get("MENTORING_EMAIL_BACKEND", "console")
_email_backend = _EMAIL_BACKENDS.get(_email_backend, _email_backend)

# Django 6.1 replaces EMAIL_BACKEND with MAILERS (EMAIL_BACKEND is deprecated there).
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": _email_backend}}
else:
    EMAIL_BACKEND = _email_backend

ANYMAIL = {
    # A real provider, for example Postmark: MENTORING_EMAIL_BACKEND=
    # anymail.backends.postmark.EmailBackend and POSTMARK_SERVER_TOKEN=...
    "POSTMARK_SERVER_TOKEN": os.environ.get("POSTMARK_SERVER_TOKEN", ""),
    # Tracking webhooks at /anymail/<provider>/tracking/ need these credentials.
    "WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", "demo:not-a-secret"),
}
WAGTAIL_MENTORING_EMAIL_TRACKING = True
DEFAULT_FROM_EMAIL = "Mentoring programme <mentoring@example.org>"
