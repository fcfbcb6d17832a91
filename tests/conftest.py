from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from wagtail.models import Page, Site

from wagtail_mentoring.models import Cycle, MentoringProgramPage


@pytest.fixture(autouse=True)
def _clear_cache():
    """Wagtail caches site root paths; rolled-back tests must not leave stale ones."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home_page(db) -> Page:
    """The default site's root page (Wagtail's initial "Welcome" page)."""
    return Site.objects.get(is_default_site=True).root_page


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
        return Cycle.objects.create(
            program_page=page or program_page,
            name=name or f"Cycle {Cycle.objects.count() + 1}",
            applications_open=opens,
            applications_close=closes,
            **fields,
        )

    return make
