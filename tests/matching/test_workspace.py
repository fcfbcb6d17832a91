"""The matching workspace reads as a person would write it, and shows the mentors' places."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text_of(response, selector):
    return " ".join(soup(response).select_one(selector).get_text(" ").split())


@pytest.mark.parametrize("n", [1, 2])
def test_summary_and_suggestion_messages_use_plurals(committee_client, apply, open_cycle, n):
    for i in range(n):
        apply("mentee", [0], name=f"Mentee {i}")
        apply("mentor", [0], capacity=1, name=f"Mentor {i}")
    apply("mentee", [2], name="Nobody fits")
    url = reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk])
    summary = text_of(committee_client.get(url), "[data-matching-summary]")
    if n == 1:
        assert "1 free place with 1 mentor;" in summary
    else:
        assert "2 free places with 2 mentors;" in summary
    response = committee_client.post(url, {"action": "suggest"}, follow=True)
    page = response.content.decode()
    if n == 1:
        assert "1 match proposed" in page
    else:
        assert "2 matches proposed" in page
    assert "1 mentee left waiting." in page
    assert "matchs" not in page and "1 matches" not in page and "1 mentees" not in page


def test_pool_view_lists_mentors_and_their_free_places(committee_client, apply, open_cycle):
    mentor = apply("mentor", [0], capacity=2, name="Mentor With Room")
    apply("mentor", [0], capacity=1, name="Mentor Full")
    mentee = apply("mentee", [0], name="Mentee Waiting")
    from wagtail_mentoring.matching.lifecycle import approve, propose

    full = open_cycle.applications.get(name="Mentor Full")
    approve(propose(apply("mentee", [0], name="Matched"), full))
    url = reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk])
    rows = soup(committee_client.get(url)).select("[data-mentors] tbody tr")
    found = {" ".join(r.td.get_text(" ").split()): r for r in rows}
    assert set(found) == {"Mentor With Room", "Mentor Full"}
    assert "2 of 2" in found["Mentor With Room"].get_text(" ")
    assert "0 of 1" in found["Mentor Full"].get_text(" ")
    inspect = reverse("wagtail_mentoring_application_modeladmin_inspect", args=[mentor.pk])
    assert found["Mentor With Room"].select_one(f'a[href="{inspect}"]') is not None
    assert mentee  # the mentee stays in the pool table
    assert "Mentee Waiting" in text_of(committee_client.get(url), "[data-pool]")


def test_every_application_opens_from_the_suggestions(committee_client, apply):
    mentee = apply("mentee", [0], name="Mentee")
    mentors = [apply("mentor", [0], capacity=1, name=f"Mentor {i}") for i in range(2)]
    response = committee_client.get(reverse("wagtail_mentoring_matching_mentee", args=[mentee.pk]))
    page = soup(response)
    for application in [mentee, *mentors]:
        inspect = reverse("wagtail_mentoring_application_modeladmin_inspect", args=[application.pk])
        assert page.select_one(f'a[href="{inspect}"]') is not None, application.name
        assert committee_client.get(inspect).status_code == 200
    for row in page.select("[data-suggestions] tbody tr"):
        assert row.td.get_text(strip=True).startswith("Mentor ")


def test_proposals_link_both_applications(committee_client, apply, open_cycle):
    mentee = apply("mentee", [0], name="Mentee")
    mentor = apply("mentor", [0], capacity=1, name="Mentor")
    url = reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk])
    response = committee_client.post(url, {"action": "suggest"}, follow=True)
    row = soup(response).select_one("[data-proposals] tbody tr")
    inspect = reverse("wagtail_mentoring_application_modeladmin_inspect", args=[mentor.pk])
    assert row.select_one(f'a[href="{inspect}"]') is not None
    assert row.select_one(
        f'a[href="{reverse("wagtail_mentoring_matching_mentee", args=[mentee.pk])}"]'
    )
