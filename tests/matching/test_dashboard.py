"""The committee's panel on the Wagtail dashboard: waiting, waited too long, flagged, bounced."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wagtail_mentoring.matching.lifecycle import approve, propose
from wagtail_mentoring.models import Application, EmailStatus, SentEmail


def panel(response):
    return BeautifulSoup(response.content, "html.parser").select_one("[data-mentoring-dashboard]")


def waited(application, days):
    Application.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=days, hours=1)
    )


def bounced_email(user):
    return SentEmail.objects.create(
        kind="application_received",
        recipient_user=user,
        to=user.email,
        subject="Received",
        idempotency_key=f"test-bounce-{SentEmail.objects.count()}",
        status=EmailStatus.BOUNCED,
    )


@pytest.fixture
def world(apply, make_user):
    mentor = apply("mentor", [0], capacity=3)
    mentees = [apply("mentee", [0]) for _ in range(4)]
    waited(mentees[0], 61)
    waited(mentees[1], 60)  # exactly the threshold: not past it
    match = propose(mentees[3], mentor)
    approve(match)
    from wagtail_mentoring.matching.lifecycle import flag

    match.refresh_from_db()
    flag(match, cause="membership", role="mentor", state="lapsed")
    bounced_email(mentor.user)
    return {"mentor": mentor, "mentees": mentees, "match": match}


def test_the_committee_sees_counts_with_links(committee_client, world):
    response = committee_client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    found = panel(response)
    assert found is not None
    text = " ".join(found.get_text(" ").split())
    assert "3 mentees waiting" in text
    assert "1 waiting more than 60 days" in text
    assert "1 flagged match" in text
    assert "1 email bounced" in text
    links = {a.get_text(" ", strip=True): a["href"] for a in found.select("a")}
    cycle_id = world["mentor"].cycle_id
    workspace = reverse("wagtail_mentoring_matching_cycle", args=[cycle_id])
    assert any(href.startswith(workspace) for href in links.values())
    assert reverse("wagtail_mentoring_match_modeladmin_index") + "?flagged=yes" in links.values()
    emails = reverse("wagtail_mentoring_sentemail_modeladmin_index") + "?status__exact=bounced"
    assert emails in links.values()
    for href in links.values():
        assert committee_client.get(href).status_code == 200


def test_plural_forms(committee_client, world, apply):
    waited(world["mentees"][1], 70)
    bounced_email(world["mentor"].user)
    text = " ".join(panel(committee_client.get(reverse("wagtailadmin_home"))).get_text(" ").split())
    assert "2 waiting more than 60 days" in text
    assert "2 emails bounced" in text


def test_query_count_does_not_grow(committee_client, world, apply, make_user):
    home = reverse("wagtailadmin_home")
    committee_client.get(home)
    with CaptureQueriesContext(connection) as before:
        committee_client.get(home)
    for _ in range(3):
        waited(apply("mentee", [0]), 90)
        bounced_email(make_user())
    with CaptureQueriesContext(connection) as after:
        response = committee_client.get(home)
    assert "6 mentees waiting" in panel(response).get_text(" ")
    assert len(after) == len(before)


@pytest.mark.parametrize("group", ["Editors", None])
def test_others_see_no_panel_and_no_count(client, make_user, world, group, django_user_model):
    user = make_user(username="other", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    else:
        from django.contrib.auth.models import Permission

        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert panel(response) is None
    assert b"mentees waiting" not in response.content
    assert b"bounced" not in response.content
