"""Set up a site for mentoring: the Members group and sample topics, and on request a
programme to try and a member to try it with. Safe to run again: it creates only what
is missing::

    python manage.py mentoring_setup --pages --member alex --password "a demo password"
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wagtail_mentoring import site_setup


class Command(BaseCommand):
    help = (
        "Create what a new mentoring programme needs and is missing: the membership "
        "backend's groups (Members) and sample topics; with --pages, a published "
        "programme page under the site's home page, its mentor and mentee application "
        "pages and an open cycle; with --member, a member who is not staff."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--pages",
            action="store_true",
            help="Also create the programme page, its two application pages and an open cycle.",
        )
        parser.add_argument(
            "--member",
            metavar="USERNAME",
            help="Make this user a member (creating them, not staff, when missing).",
        )
        parser.add_argument(
            "--password",
            help="The password of the member --member creates (ignored for an existing user).",
        )

    def handle(self, *args, pages=False, member=None, password=None, **options):
        report = site_setup.SetupReport()
        site_setup.ensure_member_groups(report)
        site_setup.ensure_sample_topics(report)
        if pages:
            site_setup.ensure_programme(report)
        if member:
            try:
                site_setup.ensure_member(report, member, password)
            except ValueError as error:
                raise CommandError(str(error)) from error
        for name in report.created:
            self.stdout.write(_("Created %s.") % name)
        if options.get("verbosity", 1) > 1:
            for name in report.existing:
                self.stdout.write(_("Already there: %s.") % name)
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if not report.created:
            self.stdout.write(_("Nothing to do: everything was already set up."))
