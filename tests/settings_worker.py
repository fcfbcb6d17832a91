"""Settings for the real django-tasks-db worker that tests/test_worker.py starts.

The test passes the database (``DATABASE_URL``, its own test database), the file the
email backend records each send in, the delay per message and the batch size.
"""

import os

import django

from tests.settings import *  # noqa: F403
from tests.settings import DATABASES

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": "tests.mail.RecordingBackend"}}
else:
    EMAIL_BACKEND = "tests.mail.RecordingBackend"

WAGTAIL_MENTORING_EMAIL_BATCH_SIZE = int(os.environ.get("MENTORING_BATCH_SIZE", "100"))

# The test waits for the server to see this worker's connection go after kill -9.
DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = os.environ.get(
    "MENTORING_WORKER_NAME", "mentoring-worker"
)
