from __future__ import annotations

import datetime

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from wagtail_mentoring.models import Application, Cycle, MentoringProgramPage

#: the multilingual tests: they run with tests/settings_i18n.py (Wagtail's i18n on, pages
#: under a language prefix), the rest of the suite with tests/settings.py
I18N_TESTS = "test_i18n_*.py"


def pytest_ignore_collect(collection_path, config):
    """Each settings module runs its own half of the suite (see tests/settings_i18n.py)."""
    if collection_path.is_dir() or collection_path.suffix != ".py":
        return None
    if not collection_path.name.startswith("test_"):
        return None
    multilingual = bool(getattr(django_settings, "WAGTAIL_I18N_ENABLED", False))
    if collection_path.match(I18N_TESTS) != multilingual:
        return True
    return None


def pytest_report_header(config):
    if getattr(django_settings, "WAGTAIL_I18N_ENABLED", False):
        return "multilingual run: only tests/test_i18n_*.py (tests/settings_i18n.py)"
    return "tests/test_i18n_*.py run on their own: pytest --ds=tests.settings_i18n tests/"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Wagtail caches site root paths; rolled-back tests must not leave stale ones."""
    cache.clear()
    yield
    cache.clear()


def ensure_page_tree() -> Page:
    """The default site's root page, made again if a transactional test flushed it.

    Wagtail's migrations create the tree root, a "Welcome" page and the default site;
    a flush after a transactional test removes them, so tests never rely on them.
    """
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        return site.root_page
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(django_settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    welcome = Page(title="Welcome", slug="home")
    root.add_child(instance=welcome)
    Site.objects.create(hostname="localhost", root_page=welcome, is_default_site=True)
    return welcome


@pytest.fixture
def home_page(db) -> Page:
    """The default site's root page."""
    return ensure_page_tree()


@pytest.fixture
def program_page(home_page) -> MentoringProgramPage:
    page = MentoringProgramPage(title="Mentoring", slug="mentoring")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def make_cycle(program_page):
    """Create a cycle whose window is given relative to now (in days) or as instants."""

    def make(
        opens: datetime.datetime | float = -1,
        closes: datetime.datetime | float = 30,
        page: Page | None = None,
        name: str | None = None,
        **fields,
    ) -> Cycle:
        now = timezone.now()
        if not isinstance(opens, datetime.datetime):
            opens = now + datetime.timedelta(days=opens)
        if not isinstance(closes, datetime.datetime):
            closes = now + datetime.timedelta(days=closes)
        fields.setdefault("pairing_start", (closes + datetime.timedelta(days=60)).date())
        # Most tests follow a pair from its introduction on; those of the consent step
        # (tests/matching/test_consent.py) ask for it, as a new cycle does by default.
        fields.setdefault("consent", "off")
        return Cycle.objects.create(
            program_page=page or program_page,
            name=name or f"Cycle {Cycle.objects.count() + 1}",
            applications_open=opens,
            applications_close=closes,
            **fields,
        )

    return make


# -- applications --------------------------------------------------------------


@pytest.fixture
def topics(db):
    from wagtail_mentoring.models import Topic

    return [
        Topic.objects.create(name=name, sort_order=index)
        for index, name in enumerate(["Leadership", "Digital services", "Data literacy"])
    ]


@pytest.fixture
def members_group(db):
    from django.contrib.auth.models import Group

    return Group.objects.get_or_create(name="Members")[0]


@pytest.fixture
def make_user(db, django_user_model, members_group):
    counter = iter(range(1, 10_000))

    def make(member: bool = True, **fields):
        number = next(counter)
        fields.setdefault("username", f"user{number}")
        fields.setdefault("email", f"user{number}@example.org")
        fields.setdefault("first_name", "Member")
        fields.setdefault("last_name", str(number))
        user = django_user_model.objects.create_user(password="pw", **fields)
        if member:
            user.groups.add(members_group)
        return user

    return make


@pytest.fixture
def member(make_user):
    return make_user(
        username="member", email="member@example.org", first_name="Mia", last_name="Member"
    )


@pytest.fixture
def open_cycle(make_cycle):
    return make_cycle(
        opens=-2,
        closes=20,
        name="2027 cycle",
        matching_deadline=(timezone.now() + datetime.timedelta(days=60)).date(),
        # The forms ask about the conference only in a cycle that has one.
        conference_date=(timezone.now() + datetime.timedelta(days=200)).date(),
    )


@pytest.fixture
def application_pages(program_page):
    from wagtail_mentoring.models import MentoringApplicationPage

    pages = {}
    for role in ("mentor", "mentee"):
        page = MentoringApplicationPage(title=f"Apply as a {role}", slug=f"apply-{role}", role=role)
        program_page.add_child(instance=page)
        page.save_revision().publish()
        pages[role] = page
    return pages


@pytest.fixture
def mentee_page(application_pages):
    return application_pages["mentee"]


@pytest.fixture
def mentor_page(application_pages):
    return application_pages["mentor"]


def application_data(role: str, topic_list, **overrides) -> dict:
    """A valid POST for an application page of ``role``."""
    data = {
        "mentoring_action": "apply",
        "name": "Mia Member",
        "contact_email": "mia@example.org",
        "career_stage": "new_professional" if role == "mentee" else "senior",
        "sector": "public",
        "region": "North",
        "organisation": "Eastvale Libraries",
        "meeting_preference": "either",
        "conference_attendance": "yes",
        "topics": [str(topic_list[0].pk), str(topic_list[1].pk)],
        "goals": "Grow into a team leader.",
        "commitment_consent": "on",
        "privacy_consent": "on",
        "website": "",
        "form_started": "",
    }
    if role == "mentor":
        data.update(
            {
                "capacity": "2",
                "years_experience": "15",
                "conference_activities": ["speed_mentoring"],
            }
        )
    else:
        data.update(
            {"mentor_kind": "Someone who has run a branch.", "preferred_mentor_stage": "senior"}
        )
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def no_spam_timer(settings):
    """Most tests post at once; the minimum-time check has tests of its own."""
    settings.WAGTAIL_MENTORING_MIN_SUBMIT_SECONDS = 0


@pytest.fixture
def make_application(make_user, open_cycle):
    def make(role, capacity=None, user=None, **fields):
        user = user or make_user()
        values = {
            "contact_email": user.email,
            "name": user.get_full_name(),
            "career_stage": "senior" if role == "mentor" else "student",
            "sector": "public",
            "region": "North",
            "meeting_preference": "either",
            "conference_attendance": "yes",
            "goals": "Grow.",
            **fields,
        }
        return Application.objects.create(
            user=user, cycle=open_cycle, role=role, capacity=capacity, **values
        )

    return make
