"""Hand the outbox's due emails to the task queue; recover what stopped workers left.

Safe to run as often as you like: from cron, for example every five minutes, and before
each task worker starts::

    */5 * * * * cd /srv/site && python manage.py mentoring_send_emails --verbosity 0
"""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import ngettext

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
                "; ".join(
                    [
                        ngettext(
                            "%(n)s email of stopped workers queued again",
                            "%(n)s emails of stopped workers queued again",
                            len(released),
                        )
                        % {"n": len(released)},
                        ngettext(
                            "%(n)s stalled email queued again",
                            "%(n)s stalled emails queued again",
                            len(stalled),
                        )
                        % {"n": len(stalled)},
                        ngettext(
                            "%(n)s email handed to the queue",
                            "%(n)s emails handed to the queue",
                            handed,
                        )
                        % {"n": handed},
                    ]
                )
                + "."
            )
        # The invariant: expected 0. With --verbosity 0 (cron), printed only when broken.
        missing = matches_without_introductions()
        if verbosity or missing:
            listed = f": {', '.join(map(str, missing))}" if missing else ""
            self.stdout.write(
                ngettext(
                    "%(n)s approved or active match without introduction emails%(listed)s.",
                    "%(n)s approved or active matches without introduction emails%(listed)s.",
                    len(missing),
                )
                % {"n": len(missing), "listed": listed}
            )
