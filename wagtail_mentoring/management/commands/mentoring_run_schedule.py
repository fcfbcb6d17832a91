"""Do whatever the programme's schedule says is due today; safe to run hourly.

0 * * * * cd /srv/site && python manage.py mentoring_run_schedule --verbosity 0
"""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from wagtail_mentoring.schedule import run_schedule

BAR = 30


class Command(BaseCommand):
    help = (
        "Start matches whose start date has come, complete those whose end date has come, "
        "queue the check-in emails that are due and flag matches whose members have "
        "lapsed. Running it again sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Act as if today were this date (YYYY-MM-DD), e.g. to catch up; "
            "default: today in the site's time zone.",
        )

    def handle(self, *args, date=None, verbosity=1, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, got {date!r}.") from None
        progress = self.progress if verbosity >= 1 else None
        summary = run_schedule(today, progress=progress)
        if verbosity >= 1:
            self.stderr.write("")
        for line in summary.lines():
            self.stdout.write(line)

    def progress(self, step: str, done: int, total: int) -> None:
        filled = BAR * done // total if total else BAR
        label = {"complete": "completing", "active": "active matches"}.get(step, step)
        line = f"\r{label:>15} [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}"
        if sys.stderr.isatty() or done == total:
            self.stderr.write(line, ending="" if done < total else "\n")
