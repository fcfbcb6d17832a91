"""Seed the example site with demo content for the fictional Meridian Library Association.

Safe to run again: every object is looked up by a natural key and updated in place,
and the current cycle's dates are moved so that applications are open today.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from association.demo_applications import seed_application_pages, seed_applications
from association.demo_consent import seed_invitations
from association.demo_history import PAIRS, seed_history
from association.models import HomePage, MemberProfile
from wagtail_mentoring.dates import add_months
from wagtail_mentoring.models import (
    COMMITTEE_GROUP,
    Cycle,
    MentoringProgramPage,
    MentoringSettings,
    Topic,
)

DEMO_PASSWORD = "mentoring-demo"

TOPICS = [
    ("Leadership and management", "Leading teams, managing change, budgets and staffing."),
    ("Digital services", "Websites, e-resources, discovery systems and digital inclusion."),
    ("Data and AI literacy", "Teaching and using data tools and generative AI responsibly."),
    ("Collection development", "Selection, weeding, licensing and collection policy."),
    ("Community engagement", "Outreach, programming and partnerships with local groups."),
    ("Research support", "Research data management, scholarly communication, open access."),
    ("Children and youth services", "Story time, school partnerships, services for teens."),
    ("Career development", "Applications, interviews, first roles and moving into management."),
]

# (username, first name, last name, role in the demo, membership)
PEOPLE = [
    ("committee", "Priya", "Nair", "committee member", "active"),
    (
        "editor",
        "Tomás",
        "Okafor",
        "site editor (Editors group): edits pages and submits them for moderation; "
        "manages topics and email wording; no committee access",
        "active",
    ),
    (
        "publisher",
        "Mei",
        "Tanaka",
        "site editor who publishes (Moderators group): publishes pages and approves "
        "submitted ones; manages topics and email wording; no committee access",
        "active",
    ),
    ("amara", "Amara", "Lindqvist", "member, library director", "active"),
    ("ben", "Ben", "Achterberg", "member, systems librarian", "active"),
    ("chloe", "Chloe", "Whitford", "member, library student", "active"),
    ("dev", "Dev", "Ramaswamy", "member, new graduate", "active"),
    ("lapsed", "Lena", "Marchetti", "lapsed member (renewal overdue)", "lapsed"),
    ("visitor", "Victor", "Hale", "registered, not a member", "none"),
]

FAQ = [
    (
        "Who can take part?",
        "<p>Any current member of the association. Students and people new to the "
        "profession are welcome as mentees, and also as mentors in the new practices "
        "and technologies they know well.</p>",
    ),
    (
        "Can I be a mentor and a mentee at the same time?",
        "<p>Yes. Many members do both: you might mentor a student in cataloguing "
        "while a director mentors you in managing a team. Apply once for each role.</p>",
    ),
    (
        "How long does a pairing last?",
        "<p>Up to ten months. We ask pairs to be in touch at least once a month, by "
        "video call, phone or over coffee, and to meet in person at the annual "
        "conference where they can.</p>",
    ),
    (
        "How are mentors and mentees matched?",
        "<p>A small committee of volunteers reads every application in confidence and "
        "pairs people by the topics they offer and want, career stage, region and how "
        "they like to meet. Matching takes between two weeks and two months.</p>",
    ),
    (
        "What if the pairing is not working?",
        "<p>Tell the committee. We check in with every pair during the year, and we "
        "can end a pairing early or find you a new match, no questions asked.</p>",
    ),
]

TESTIMONIALS = [
    (
        "I came in wanting help with a promotion application and came out with a "
        "friend who still reads my drafts. Having someone outside my workplace to "
        "think aloud with changed how I plan my career.",
        "Aisha Demir",
        "Mentee, branch librarian, Eastvale Regional Libraries",
    ),
    (
        "My mentee taught me more about open data tools than any workshop, and I "
        "hope I taught her something about budgets and boards. The reverse-mentoring "
        "idea works.",
        "Graham Osei",
        "Mentor, director of library services, Port Hallam City Council",
    ),
]


#: The snippets site editors manage (docs/reference/permissions.md): Wagtail's "Editors"
#: and "Moderators" groups get their model permissions.
EDITOR_SNIPPETS = ["topic", "emailwording"]


def editor_snippet_permissions():
    return Permission.objects.filter(
        content_type__app_label="wagtail_mentoring",
        content_type__model__in=EDITOR_SNIPPETS,
        codename__regex=r"^(add|change|delete|view)_",
    )


class Command(BaseCommand):
    help = "Create or refresh the demo content, cycle, topics and users of the example site."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even when DEBUG is off (demo users have a published password).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Refusing to create demo users with a published password while DEBUG is "
                "off. Run with the dev settings, or pass --allow-production."
            )
        with transaction.atomic():
            home = self.seed_home_page()
            programme = self.seed_programme_page(home)
            cycle = self.seed_cycle(programme)
            topics = self.seed_topics()
            users = self.seed_users()
            pages = seed_application_pages(programme)
            applications = seed_applications(cycle, pages, topics, DEMO_PASSWORD)
            history = seed_history(programme, DEMO_PASSWORD)
            invitations = seed_invitations(cycle)
            self.seed_site_settings()
        self.report(programme, cycle, topics, users, pages, applications)
        self.stdout.write(
            f"  Last year's cycle: {history.name}, {len(PAIRS)} pairs at every stage, with "
            "survey answers. Run `python manage.py mentoring_run_schedule` to send the "
            "check-ins, reminders and completions that are due."
        )
        if invitations:
            self.stdout.write(
                f"  Consent: {len(invitations)} approved matches in {cycle.name}: one awaits "
                "the mentor's yes (see the invitation under Mentoring > Emails), one the "
                "mentor declined (its mentee is first in line in the matching workspace)."
            )
        self.stdout.write("  Board report: http://127.0.0.1:8000/admin/mentoring/report/")

    # -- pages --------------------------------------------------------------------

    def seed_home_page(self) -> HomePage:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        # A fresh database has Wagtail's tree root and locale; a flushed one does not.
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        home = HomePage.objects.filter(slug="home-mla").first()
        if home is None:
            home = HomePage(
                title="Meridian Library Association",
                slug="home-mla",
                intro=(
                    "<p>The professional association for library and information "
                    "workers across Meridian.</p>"
                ),
            )
            root.add_child(instance=home)
            home.save_revision().publish()
        if site is None:
            Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home,
                is_default_site=True,
                site_name="Meridian Library Association",
            )
        elif site.root_page_id != home.pk:
            old_root = site.root_page
            site.root_page = home
            site.site_name = "Meridian Library Association"
            site.save()
            # The placeholder page a fresh Wagtail install makes is no longer reachable.
            if old_root.specific_class is Page and old_root.slug == "home":
                old_root.delete()
        return home

    def seed_programme_page(self, home: HomePage) -> MentoringProgramPage:
        page = MentoringProgramPage.objects.filter(slug="mentoring").first()
        is_new = page is None
        if is_new:
            page = MentoringProgramPage(title="Mentoring programme", slug="mentoring")
        page.show_in_menus = True
        page.intro = (
            "<p>Our mentoring programme pairs members for up to ten months of regular "
            "conversation about the work and the career. It is free, it is run by "
            "volunteers from the profession, and everyone has something to teach.</p>"
        )
        page.body = [
            (
                "key_facts",
                {
                    "heading": "At a glance",
                    "facts": [
                        {"label": "Commitment", "value": "Up to 10 months"},
                        {"label": "Contact", "value": "At least monthly"},
                        {"label": "Matching takes", "value": "2 weeks to 2 months"},
                        {"label": "Cost", "value": "Free for members"},
                    ],
                },
            ),
            (
                "rich_text",
                "<h2>How it works</h2><p>You apply as a mentor, a mentee, or both. The "
                "mentoring committee reads applications in confidence and introduces "
                "each pair by email. From then on you set the pace: we suggest a first "
                "conversation about goals, then a regular monthly catch-up, and a "
                "coffee together at the annual conference.</p><p>During the year we "
                "send a short check-in and two brief surveys, and we invite every pair "
                "to a follow-up session at the conference.</p>",
            ),
            (
                "apply",
                {
                    "heading": "Apply for this cycle",
                    "text": "Applications are read by the mentoring committee only.",
                    "mentor_page": None,
                    "mentor_link_text": "Apply to be a mentor",
                    "mentee_page": None,
                    "mentee_link_text": "Apply to be a mentee",
                },
            ),
            (
                "faq",
                {
                    "heading": "Frequently asked questions",
                    "items": [{"question": q, "answer": a} for q, a in FAQ],
                },
            ),
            *[
                ("testimonial", {"quote": quote, "name": name, "role": role, "image": None})
                for quote, name, role in TESTIMONIALS
            ],
            (
                "call_to_action",
                {
                    "heading": "Not a member yet?",
                    "text": "The programme is one of the benefits of membership. Joining "
                    "takes five minutes.",
                    "link_text": "Become a member",
                    "page": None,
                    "url": "https://example.org/join",
                },
            ),
            (
                "alumni",
                {
                    "heading": "Our alumni",
                    "text": "Members who completed the programme and agreed to be listed.",
                },
            ),
        ]
        if is_new:
            home.add_child(instance=page)
        page.save_revision().publish()
        return page

    def seed_cycle(self, programme: MentoringProgramPage) -> Cycle:
        now = timezone.now()
        today = timezone.localdate()
        opens = (now - datetime.timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
        closes = timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=30), datetime.time(17, 0))
        )
        matching_deadline = closes.date() + datetime.timedelta(weeks=6)
        pairing_start = matching_deadline + datetime.timedelta(days=7)
        cycle, _ = Cycle.objects.update_or_create(
            program_page=programme,
            name=f"{pairing_start.year} cycle",
            defaults={
                "applications_open": opens,
                "applications_close": closes,
                "matching_deadline": matching_deadline,
                "pairing_start": pairing_start,
                "pairing_end": add_months(pairing_start, 10),
                "commitment_months": 10,
                "conference_date": add_months(pairing_start, 5),
                "consent": "mentor",
            },
        )
        cycle.full_clean()
        return cycle

    def seed_topics(self) -> list[Topic]:
        topics = []
        for order, (name, description) in enumerate(TOPICS):
            topic, _ = Topic.objects.update_or_create(
                name=name, defaults={"description": description, "sort_order": order}
            )
            topics.append(topic)
        return topics

    # -- people -------------------------------------------------------------------

    def seed_users(self) -> list[tuple[str, str]]:
        User = get_user_model()
        members, _ = Group.objects.get_or_create(name="Members")
        # wagtail_mentoring's migrations create this group; a flushed test database
        # (transactional tests) has lost it, so make sure of it here too.
        committee, _ = Group.objects.get_or_create(name=COMMITTEE_GROUP)
        committee.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="wagtail_mentoring",
                codename__in=[
                    "manage_mentoring",
                    "view_application",
                    "add_cycle",
                    "change_cycle",
                    "view_cycle",
                ],
            ),
            *Permission.objects.filter(
                content_type__app_label="wagtailadmin", codename="access_admin"
            ),
        )
        editors = Group.objects.filter(name="Editors").first()
        moderators = Group.objects.filter(name="Moderators").first()
        for group in (editors, moderators):
            if group is not None:
                group.permissions.add(*editor_snippet_permissions())

        admin = User.objects.filter(username="admin").first() or User(username="admin")
        admin.email, admin.first_name, admin.last_name = "admin@example.org", "Demo", "Admin"
        admin.is_staff = admin.is_superuser = True
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        accounts = [("admin", "superuser: everything, including the Wagtail admin")]

        today = timezone.localdate()
        for number, (username, first, last, role, membership) in enumerate(PEOPLE, start=1):
            user = User.objects.filter(username=username).first() or User(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@example.org"
            user.set_password(DEMO_PASSWORD)
            user.save()
            if membership == "active":
                user.groups.add(members)
                expires = today + datetime.timedelta(days=200 + number * 30)
            else:
                user.groups.remove(members)
                expires = today - datetime.timedelta(days=45) if membership == "lapsed" else None
            if expires is None:
                MemberProfile.objects.filter(user=user).delete()
            else:
                MemberProfile.objects.update_or_create(
                    user=user,
                    defaults={
                        "member_number": f"MLA-{1000 + number}",
                        "membership_expires": expires,
                    },
                )
            if username == "committee":
                user.groups.add(committee)
            if username == "editor" and editors is not None:
                user.groups.add(editors)
            if username == "publisher" and moderators is not None:
                user.groups.add(moderators)
            accounts.append((username, role))
        return accounts

    def seed_site_settings(self) -> None:
        site = Site.objects.get(is_default_site=True)
        mentoring = MentoringSettings.for_site(site)
        mentoring.coordinator_email = "mentoring-coordinator@example.org"
        mentoring.join_url = "https://example.org/join"
        mentoring.renew_url = "https://example.org/renew"
        mentoring.save()

    # -- output -------------------------------------------------------------------

    def report(self, programme, cycle, topics, accounts, pages, applications) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS("Demo content is ready."))
        out.write(f"  Programme page: {programme.url or '/'} ({programme.title})")
        out.write(f"  Cycle: {cycle.name}: {cycle.status_message()}")
        out.write(f"  Topics: {len(topics)}")
        for role, page in pages.items():
            out.write(f"  {role.title()} application page: {page.url}")
        out.write(f"  Applications: {applications} (from member01 to member{applications:02d})")
        out.write(f"  My mentoring: {programme.url}my/")
        out.write("")
        out.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        width = max(len(name) for name, _ in accounts)
        for username, role in accounts:
            out.write(f"  {username.ljust(width)}  {role}")
        out.write("")
        out.write("Site: http://127.0.0.1:8000/   Admin: http://127.0.0.1:8000/admin/")
