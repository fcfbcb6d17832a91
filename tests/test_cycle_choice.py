"""Which cycle the committee's views open, the Cycles filter, and the editor's hint."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from wagtail_mentoring.models import MentoringProgramPage

INDEXES = (
    ("/admin/mentoring/matching/", "/admin/mentoring/matching/cycle/{}/"),
    ("/admin/mentoring/report/", "/admin/mentoring/report/{}/"),
    ("/admin/mentoring/conference/", "/admin/mentoring/conference/{}/"),
)


@pytest.fixture
def committee(client, make_user):
    user = make_user(member=False, username="chair")
    user.groups.add(Group.objects.get(name="Mentoring committee"))
    client.force_login(user)
    return client


@pytest.fixture
def second_programme(home_page):
    page = MentoringProgramPage(title="Leadership circle", slug="leadership")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def two_programmes(make_cycle, second_programme):
    main = make_cycle(name="Main 2027")
    other = make_cycle(name="Leadership 2027", page=second_programme, opens=-2, closes=60)
    return main, other


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize(("index", "per_cycle"), INDEXES)
def test_with_two_current_programmes_and_nothing_remembered_the_committee_is_asked(
    committee, two_programmes, index, per_cycle
):
    response = committee.get(index)
    assert response.status_code == 200
    chooser = _soup(response).select_one("[data-cycle-chooser]")
    links = {a["href"] for a in chooser.select("a")}
    assert links == {per_cycle.format(cycle.pk) for cycle in two_programmes}
    assert "Leadership circle" in chooser.text and "Mentoring" in chooser.text


def test_the_cycle_last_opened_is_remembered_across_views(
    committee, two_programmes, make_cycle, second_programme
):
    main, _other = two_programmes
    assert committee.get(f"/admin/mentoring/report/{main.pk}/").status_code == 200
    # A newer cycle for the other programme does not take over.
    make_cycle(name="Leadership 2028", page=second_programme, opens=-1, closes=5)
    for index, per_cycle in INDEXES:
        response = committee.get(index)
        assert response.status_code == 302
        assert response["Location"] == per_cycle.format(main.pk)


@pytest.mark.parametrize("stored", ["deleted", "12", 2**40, True, -1, None, [1]])
def test_a_stale_or_forged_remembered_cycle_falls_back_to_asking(
    committee, two_programmes, make_cycle, stored
):
    if stored == "deleted":
        gone = make_cycle(name="Gone")
        committee.get(f"/admin/mentoring/matching/cycle/{gone.pk}/")
        gone.delete()
    else:
        session = committee.session
        session["wagtail_mentoring_cycle"] = stored
        session.save()
    for index, _per_cycle in INDEXES:
        response = committee.get(index)
        assert response.status_code == 200
        assert _soup(response).select_one("[data-cycle-chooser]")


def test_with_one_programme_its_current_cycle_opens(committee, make_cycle):
    make_cycle(name="Closed", opens=-90, closes=-60)
    current = make_cycle(name="Open now")
    response = committee.get("/admin/mentoring/matching/")
    assert response["Location"] == f"/admin/mentoring/matching/cycle/{current.pk}/"


def test_the_cycle_selector_groups_cycles_by_programme(committee, two_programmes):
    main, _other = two_programmes
    page = _soup(committee.get(f"/admin/mentoring/report/{main.pk}/"))
    groups = {
        group["label"]: [option.text for option in group.select("option")]
        for group in page.select("#report-cycle optgroup")
    }
    assert groups == {"Mentoring": ["Main 2027"], "Leadership circle": ["Leadership 2027"]}


def test_the_cycles_filter_lists_only_programme_pages(
    client, make_user, two_programmes, home_page, second_programme, program_page
):
    client.force_login(make_user(member=False, is_superuser=True, is_staff=True))
    page = _soup(client.get(reverse("wagtail_mentoring_cycle_modeladmin_index")))
    filter_links = {a.text.strip() for a in page.select("a[href*='program_page__id__exact']")}
    assert filter_links == {program_page.title, second_programme.title}
    assert home_page.title not in filter_links


# -- the programme page with no cycle ---------------------------------------------


@pytest.fixture
def cycle_adder(make_user):
    user = make_user(member=False, username="scheduler")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="add_cycle"),
    )
    return user


def test_a_visitor_reads_that_no_cycle_is_scheduled(client, program_page):
    response = client.get(program_page.url)
    status = _soup(response).select_one("[data-mentoring-cycle-status]")
    assert "No mentoring cycle has been scheduled yet." in status.text
    assert status.select_one("[data-mentoring-add-cycle]") is None
    assert "private" not in response.get("Cache-Control", "")


def test_a_member_without_the_permission_reads_what_a_visitor_reads(client, program_page, member):
    client.force_login(member)
    status = _soup(client.get(program_page.url)).select_one("[data-mentoring-cycle-status]")
    assert status.select_one("[data-mentoring-add-cycle]") is None


def test_an_editor_who_may_add_cycles_is_told_and_linked(client, program_page, cycle_adder):
    client.force_login(cycle_adder)
    response = client.get(program_page.url)
    hint = _soup(response).select_one("[data-mentoring-add-cycle]")
    create = reverse("wagtail_mentoring_cycle_modeladmin_create")
    assert hint.a["href"] == f"{create}?program_page={program_page.pk}"
    # The page with the hint is the editor's own: no shared cache keeps it for visitors.
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    form = _soup(client.get(hint.a["href"]))
    assert form.select_one("input[name=program_page]")["value"] == str(program_page.pk)


def test_the_hint_is_gone_once_the_programme_has_a_cycle(
    client, program_page, cycle_adder, make_cycle
):
    make_cycle(name="2027 cycle")
    client.force_login(cycle_adder)
    response = client.get(program_page.url)
    assert _soup(response).select_one("[data-mentoring-add-cycle]") is None


@pytest.mark.parametrize("value", ["", "abc", "99999", "home"])
def test_the_create_view_ignores_a_page_that_is_not_a_programme(
    client, cycle_adder, home_page, value
):
    client.force_login(cycle_adder)
    value = str(home_page.pk) if value == "home" else value
    response = client.get(
        reverse("wagtail_mentoring_cycle_modeladmin_create"), {"program_page": value}
    )
    assert response.status_code == 200
    field = _soup(response).select_one("input[name=program_page]")
    assert not field.get("value")
