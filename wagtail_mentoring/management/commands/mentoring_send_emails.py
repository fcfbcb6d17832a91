"""Hand the outbox's due emails to the task queue; recover what stopped workers left.

Safe to run as often as you like: from cron, for example every five minutes, and before
each task worker starts::

    */5 * * * * cd /srv/site && python manage.py mentoring_send_emails --verbosity 0
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from wagtail_mentoring.emails.outbox import (
    due,
    enqueue,
    enqueue_many,
    matches_without_introductions,
    release_lost_claims,
    requeue_stalled,
)


class Command(BaseCommand):
    help = (
        "Queue again at once what stopped workers left behind (PostgreSQL), and emails "
        "stuck in 'sending' for longer than EMAIL_STALLED_MINUTES; hand every due email "
        "(new, or waiting to be retried) to the task queue; report approved or active "
        "matches without introduction emails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=1000,
            help="Hand at most this many due emails to the queue in one run (default 1000).",
        )

    def handle(self, *args, limit, verbosity=1, **options):
        now = timezone.now()
        released = release_lost_claims(now)
        if released:
            enqueue(released)
        stalled = requeue_stalled(now)
        ids = list(due(now).order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
        handed = enqueue_many(ids, now)
        if verbosity:
            self.stdout.write(
                f"{len(released)} email(s) of stopped workers queued again; "
                f"{len(stalled)} stalled email(s) queued again; "
                f"{handed} email(s) handed to the queue."
            )
        # The invariant: expected 0. With --verbosity 0 (cron), printed only when broken.
        missing = matches_without_introductions()
        if verbosity or missing:
            listed = f": {', '.join(map(str, missing))}" if missing else ""
            self.stdout.write(
                f"{len(missing)} approved or active match(es) without introduction emails{listed}."
            )
