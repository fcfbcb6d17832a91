"""The django-tasks task that sends one outbox row (see :mod:`.outbox`)."""

from django_tasks import task

from .outbox import deliver


@task()
def send_email(email_id: int) -> str:
    return deliver(email_id)
