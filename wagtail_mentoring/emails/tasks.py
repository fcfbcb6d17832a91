"""The django-tasks task that sends outbox rows (see :mod:`.outbox`)."""

from django_tasks import task

from .outbox import deliver_many


@task()
def send_emails(email_ids: list[int]) -> dict[str, str]:
    """Send the due, queued rows among ``email_ids``; returns each one's outcome."""
    return {str(pk): outcome for pk, outcome in deliver_many(email_ids).items()}
