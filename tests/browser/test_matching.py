import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from wagtail_mentoring.models import Application, Match, MatchStatus

#: How long the first "suggest matches" of a process may take to answer.
COLD_SOLVE_MS = 90_000


@pytest.fixture
def workspace(make_user, open_cycle, topics):
    committee = make_user(username="chair")
    committee.groups.add(Group.objects.get_or_create(name="Mentoring committee")[0])
    from django.contrib.auth.models import Permission

    committee.groups.get(name="Mentoring committee").permissions.add(
        Permission.objects.get(codename="manage_mentoring"),
        Permission.objects.get(codename="access_admin"),
    )

    def apply(role, name, topic_indexes, capacity=None):
        user = make_user()
        application = Application.objects.create(
            user=user,
            cycle=open_cycle,
            role=role,
            contact_email=user.email,
            name=name,
            career_stage="senior" if role == "mentor" else "student",
            sector="public",
            region="North",
            meeting_preference="either",
            conference_attendance="yes",
            goals="Grow.",
            capacity=capacity,
        )
        application.topics.set([topics[i] for i in topic_indexes])
        return application

    apply("mentee", "Nadia Mentee", [0, 1])
    apply("mentor", "Olu Bestfit", [0, 1], capacity=1)
    apply("mentor", "Pat Partial", [1], capacity=1)
    return committee


@pytest.mark.django_db(transaction=True)
def test_committee_member_approves_a_suggested_match(workspace, browser_page):
    page = browser_page
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("chair")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()

    page.goto("/admin/mentoring/matching/")
    expect(page.locator("[data-pool]")).to_contain_text("Nadia Mentee")
    page.get_by_role("link", name="Suggest mentors").click()

    first = page.locator("[data-suggestions] tbody tr").first
    expect(first).to_contain_text("Olu Bestfit")
    expect(first).to_contain_text("offers 2 of 2 wanted topics")
    first.get_by_role("button", name="Approve").click()

    expect(page.get_by_text("Olu Bestfit and Nadia Mentee are matched.")).to_be_visible()
    match = Match.objects.get()
    assert match.status == MatchStatus.APPROVED and match.approved_by == workspace


def log_in(page, username="chair"):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)


def in_viewport_and_on_top(page, locator) -> bool:
    """The element is inside the viewport and nothing covers its centre."""
    return locator.evaluate(
        """(el) => {
            const r = el.getBoundingClientRect();
            if (r.top < 0 || r.bottom > window.innerHeight || r.width === 0) return false;
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return hit === el || el.contains(hit);
        }"""
    )


@pytest.fixture
def many_proposals(workspace, open_cycle, topics):
    from wagtail_mentoring.matching.lifecycle import propose

    mentor = Application.objects.get(name="Olu Bestfit")
    Application.objects.filter(pk=mentor.pk).update(capacity=40)
    mentor.refresh_from_db()
    for index in range(30):
        user = type(workspace).objects.create_user(f"mentee{index}", f"m{index}@example.org", "pw")
        mentee = Application.objects.create(
            user=user,
            cycle=open_cycle,
            role="mentee",
            contact_email=user.email,
            name=f"Mentee {index:02d}",
            career_stage="student",
            sector="public",
            region="North",
            meeting_preference="either",
            conference_attendance="yes",
            goals="Grow.",
        )
        mentee.topics.set([topics[0]])
        propose(mentee, mentor, score=50)
    return open_cycle


@pytest.mark.django_db(transaction=True)
def test_approve_selected_is_reachable_without_scrolling(many_proposals, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page)
    page.goto(f"/admin/mentoring/matching/cycle/{many_proposals.pk}/")
    approve = page.get_by_role("button", name="Approve selected")
    assert in_viewport_and_on_top(page, approve)
    last = page.locator("[data-proposals] tbody tr").last
    last.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/workspace-scrolled.png")
    assert in_viewport_and_on_top(page, approve)
    last.get_by_role("checkbox").check()
    approve.click()
    expect(page.get_by_text("1 match approved.")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_suggest_matches_shows_it_is_working(workspace, open_cycle, browser_page):
    page = browser_page
    log_in(page)
    page.goto(f"/admin/mentoring/matching/cycle/{open_cycle.pk}/")
    # Hold the request as a slow server would: the form's own listener (which runs
    # before the package's, on the document) keeps the page from leaving.
    page.evaluate(
        """() => document.querySelector('form[data-busy-form]').addEventListener(
            'submit', (event) => { window.sent = true; event.preventDefault(); })"""
    )
    button = page.get_by_role("button", name="Suggest matches for this cycle")
    button.click()
    page.wait_for_function("document.querySelector('form[data-busy-form]').ariaBusy === 'true'")
    assert page.evaluate("window.sent")
    form = page.locator("form[data-busy-form]")
    busy = form.locator("button[type=submit]")
    assert busy.is_disabled()
    assert busy.inner_text() == "Suggesting matches…"
    expect(form.get_by_role("status")).to_have_text("Suggesting matches…")
    page.screenshot(path="/tmp/workspace-busy.png")
    assert Match.objects.filter(status=MatchStatus.PROPOSED).count() == 0
    page.reload()
    # The real request: the first solve of a process imports the solver's libraries
    # (POT when installed: seconds, and several times that on a loaded machine), so
    # the wait for its answer is longer than the tab's 15 s; the answer is the same.
    page.get_by_role("button", name="Suggest matches for this cycle").click(timeout=COLD_SOLVE_MS)
    expect(page.get_by_text("1 match proposed")).to_be_visible(timeout=COLD_SOLVE_MS)
    assert Match.objects.filter(status=MatchStatus.PROPOSED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_propose_and_approve_buttons_line_up(workspace, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page)
    mentee = Application.objects.get(name="Nadia Mentee")
    page.goto(f"/admin/mentoring/matching/mentee/{mentee.pk}/")
    rows = page.locator("[data-suggestions] tbody tr")
    assert rows.count() == 2
    boxes = []
    for index in range(rows.count()):
        row = rows.nth(index)
        boxes.append(
            (
                row.get_by_role("button", name="Propose").bounding_box(),
                row.get_by_role("button", name="Approve").bounding_box(),
            )
        )
    page.screenshot(path="/tmp/workspace-mentee.png", full_page=True)
    for propose_box, approve_box in boxes:
        assert abs(propose_box["y"] - approve_box["y"]) < 1  # side by side, not stacked
        assert propose_box["x"] + propose_box["width"] <= approve_box["x"]
    assert len({round(p["x"]) for p, _ in boxes}) == 1
    assert len({round(a["x"]) for _, a in boxes}) == 1
