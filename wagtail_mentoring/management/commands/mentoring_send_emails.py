"""Send what the outbox has due and rescue sends a dead worker left behind.

Safe to run as often as you like, for example every five minutes from cron::

    */5 * * * * cd /srv/site && python manage.py mentoring_send_emails --verbosity 0
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from wagtail_mentoring.emails.outbox import due, enqueue_many, requeue_stalled


class Command(BaseCommand):
    help = (
        "Queue again emails stuck in 'sending' (a worker stopped mid-send) and hand every "
        "email that is due (new, or waiting to be retried) to the task queue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=1000,
            help="Hand at most this many emails to the queue in one run (default 1000).",
        )

    def handle(self, *args, limit, **options):
        now = timezone.now()
        stalled = requeue_stalled(now)
        ids = list(due(now).order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
        handed = enqueue_many(ids, now)
        self.stdout.write(
            f"{len(stalled)} stalled email(s) queued again; {handed} email(s) handed to the queue."
        )
