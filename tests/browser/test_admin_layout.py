"""The committee's admin screens at a laptop's 1366x768: no word is broken mid-word."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from wagtail_mentoring.models import Application, ApplicationStatus

SCREENSHOTS = "/tmp/wagtail-mentoring-screens"

#: For each cell of the listing: its column, its text, the words split over two lines,
#: and how many lines the whole text takes.
MEASURE_CELLS = """
(table) => [...table.querySelectorAll("tbody tr")].flatMap((row) =>
  [...row.children].map((cell, column) => {
    const heading = table.querySelectorAll("thead th")[column];
    const broken = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    const tops = new Set();
    while (walker.nextNode()) {
      const node = walker.currentNode;
      // A word: letters between spaces or hyphens (a break after a hyphen is fine).
      for (const match of node.data.matchAll(/[^\\s\\-\\u2010]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        lines.forEach((top) => tops.add(top));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
    return {
      column: heading ? heading.innerText.trim() : String(column),
      text: cell.innerText.trim(),
      broken,
      lines: tops.size,
    };
  })
)
"""


@pytest.fixture
def committee_member(make_user):
    user = make_user(member=False, username="chair")
    group = Group.objects.get_or_create(name="Mentoring committee")[0]
    group.permissions.add(
        Permission.objects.get(codename="manage_mentoring"),
        Permission.objects.get(codename="access_admin"),
    )
    user.groups.add(group)
    return user


@pytest.fixture
def many_applications(make_user, open_cycle, committee_member):
    open_cycle.name = "2027 mentoring cycle, spring intake"
    open_cycle.save()
    statuses = list(ApplicationStatus)
    for index in range(12):
        user = make_user(first_name="Maximiliana-Josefina", last_name=f"Featherstonehaugh {index}")
        role = "mentor" if index % 3 == 0 else "mentee"
        Application.objects.create(
            user=user,
            cycle=open_cycle,
            role=role,
            status=statuses[index % len(statuses)],
            contact_email=user.email,
            name=user.get_full_name(),
            career_stage="director" if role == "mentor" else "new_professional",
            sector="public",
            region="North-west and the islands",
            meeting_preference="either",
            conference_attendance="yes",
            goals="Grow.",
            capacity=2 if role == "mentor" else None,
        )


def log_in(page, username="chair"):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")


@pytest.mark.django_db(transaction=True)
def test_the_applications_list_breaks_no_word_at_1366(many_applications, browser_page):
    import os

    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page)
    page.goto("/admin/wagtail_mentoring/application/")
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=f"{SCREENSHOTS}/applications-1366.png")
    cells = page.locator("table.listing").first.evaluate(MEASURE_CELLS)
    assert len(cells) >= 12 * 8
    broken = [(c["column"], c["text"], c["broken"]) for c in cells if c["broken"]]
    assert broken == []
    # The table fits beside the filters: nothing runs under them.
    table = page.locator("table.listing").first.bounding_box()
    filters = page.locator(".changelist-filter, [class*=filter]").first.bounding_box()
    assert filters is None or table["x"] + table["width"] <= filters["x"] + 1
    # Short labels (role, status, waiting, places) stay on one line.
    for cell in cells:
        if cell["column"].lower() in {"role", "status", "waiting", "places left"}:
            assert cell["lines"] <= 1, cell


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_and_the_workspace_at_1366(many_applications, browser_page):
    import os

    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 768})
    os.makedirs(SCREENSHOTS, exist_ok=True)
    log_in(page)
    page.screenshot(path=f"{SCREENSHOTS}/dashboard-1366.png", full_page=True)
    page.goto("/admin/mentoring/matching/")
    page.screenshot(path=f"{SCREENSHOTS}/workspace-1366.png", full_page=True)
    # The busy state: a listener keeps the form from leaving, as a slow server would.
    page.evaluate(
        """() => document.querySelector('form[data-busy-form]').addEventListener(
            'submit', (event) => event.preventDefault())"""
    )
    page.get_by_role("button", name="Suggest matches for this cycle").click()
    page.wait_for_selector("[data-busy-status]:not(:empty)")
    page.screenshot(path=f"{SCREENSHOTS}/suggest-busy-1366.png")
    for table in page.locator("table.listing").all():
        cells = table.evaluate(MEASURE_CELLS)
        assert [(c["column"], c["text"]) for c in cells if c["broken"]] == []
