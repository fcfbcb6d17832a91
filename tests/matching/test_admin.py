import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.urls import reverse

from wagtail_mentoring.matching.lifecycle import approve, propose
from wagtail_mentoring.models import Application, Match, MatchStatus


@pytest.fixture
def users(make_user, django_user_model):
    committee = make_user(username="committee")
    committee.groups.add(Group.objects.get(name="Mentoring committee"))
    editor = make_user(username="editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    return {
        "superuser": django_user_model.objects.create_superuser("root", "root@example.org", "pw"),
        "committee": committee,
        "editor": editor,
        "member": make_user(username="plain"),
    }


def urls(cycle, mentee, match):
    return [
        reverse("wagtail_mentoring_matching"),
        reverse("wagtail_mentoring_matching_cycle", args=[cycle.pk]),
        reverse("wagtail_mentoring_matching_mentee", args=[mentee.pk]),
        reverse("wagtail_mentoring_match_modeladmin_index"),
        reverse("wagtail_mentoring_match_modeladmin_inspect", args=[match.pk]),
        reverse("wagtail_mentoring_application_modeladmin_index"),
    ]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("superuser", {200, 302}), ("committee", {200, 302}), ("editor", {403}), ("member", {302})],
)
def test_every_view_requires_the_committee_permission(
    client, users, apply, open_cycle, who, expected
):
    mentee = apply("mentee", [0])
    match = propose(mentee, apply("mentor", [0], capacity=1))
    client.force_login(users[who])
    for url in urls(open_cycle, mentee, match):
        response = client.get(url)
        assert response.status_code in expected, (url, response.status_code)
        if who == "member":  # no admin access at all: sent to the admin login
            assert "/login/" in response.url
    menu = client.get(reverse("wagtailadmin_home")).content.decode() if who != "member" else ""
    assert (reverse("wagtail_mentoring_matching") in menu) is (who in ("superuser", "committee"))
    # A forged POST from an editor changes nothing.
    if who == "editor":
        response = client.post(
            reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk]),
            {"action": "approve_all"},
        )
        assert response.status_code == 403
        match.refresh_from_db()
        assert match.status == MatchStatus.PROPOSED


def test_committee_runs_the_whole_flow(client, users, apply, open_cycle):
    client.force_login(users["committee"])
    mentees = [apply("mentee", [0], name="Mentee A"), apply("mentee", [1], name="Mentee B")]
    apply("mentor", [0, 1], capacity=1, name="Mentor X")
    apply("mentor", [1], capacity=1, name="Mentor Y")
    cycle_url = reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk])

    page = BeautifulSoup(client.get(cycle_url).content, "html.parser")
    assert [r.td.text for r in page.select("[data-pool] tbody tr")] == ["Mentee A", "Mentee B"]

    response = client.post(cycle_url, {"action": "suggest"}, follow=True)
    assert "2 matches proposed" in response.content.decode()
    rows = BeautifulSoup(response.content, "html.parser").select("[data-proposals] tbody tr")
    assert len(rows) == 2 and "wanted topic" in rows[0].text

    first = rows[0]["data-match"]
    response = client.post(cycle_url, {"action": "approve_selected", "match": [first]}, follow=True)
    assert "1 match approved." in response.content.decode()
    assert Match.objects.get(pk=first).status == MatchStatus.APPROVED
    response = client.post(cycle_url, {"action": "discard_selected", "match": []}, follow=True)
    assert "Select at least one proposal first." in response.content.decode()
    client.post(cycle_url, {"action": "approve_all"})
    assert Match.objects.filter(status=MatchStatus.APPROVED).count() == 2
    assert all(
        m.status == "matched" for m in Application.objects.filter(pk__in=[x.pk for x in mentees])
    )


def test_one_click_approve_from_ranked_suggestions(client, users, apply, open_cycle):
    client.force_login(users["committee"])
    mentee = apply("mentee", [0, 1], name="Mentee A")
    best = apply("mentor", [0, 1], capacity=1, name="Best fit")
    apply("mentor", [2], capacity=1, name="Poor fit")
    url = reverse("wagtail_mentoring_matching_mentee", args=[mentee.pk])
    page = BeautifulSoup(client.get(url).content, "html.parser")
    rows = page.select("[data-suggestions] tbody tr")
    assert rows[0].td.text == "Best fit" and "offers 2 of 2 wanted topics" in rows[0].text
    response = client.post(url, {"mentor": best.pk, "action": "approve"}, follow=True)
    assert "Best fit and Mentee A are matched." in response.content.decode()
    match = Match.objects.get()
    assert match.status == MatchStatus.APPROVED and match.score == 100 and match.explanation
    # A second approval for a full mentor is refused with the reason.
    other = apply("mentee", [0], name="Mentee B")
    response = client.post(
        reverse("wagtail_mentoring_matching_mentee", args=[other.pk]),
        {"mentor": best.pk, "action": "approve"},
        follow=True,
    )
    assert "has no free place" in response.content.decode()
    assert Match.objects.count() == 1


def test_match_inspect_shows_explanation_and_timeline(client, users, apply):
    client.force_login(users["committee"])
    match = approve(
        propose(
            apply("mentee", [0]),
            apply("mentor", [0], capacity=1),
            explanation=[
                {
                    "name": "topics",
                    "points": 40,
                    "weight": 40,
                    "reason": "offers 1 of 1 wanted topics (Leadership)",
                }
            ],
        )
    )
    html = client.get(
        reverse("wagtail_mentoring_match_modeladmin_inspect", args=[match.pk])
    ).content.decode()
    assert "offers 1 of 1 wanted topics (Leadership)" in html
    assert ": Proposed" in html and ": Approved" in html


def test_pinned_proposals_survive_a_new_suggestion_run(client, users, apply, open_cycle):
    client.force_login(users["committee"])
    mentee = apply("mentee", [0], name="Mentee A")
    apply("mentor", [0], capacity=1, name="Good")
    second_choice = apply("mentor", [2], capacity=1, name="Second choice")
    pinned = propose(mentee, second_choice)
    cycle_url = reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk])
    response = client.post(cycle_url, {"action": "pin", "match": [pinned.pk]}, follow=True)
    assert "1 proposal pinned." in response.content.decode()
    client.post(cycle_url, {"action": "suggest"})
    pinned.refresh_from_db()
    assert pinned.pinned and pinned.status == MatchStatus.PROPOSED
    assert Match.objects.filter(status=MatchStatus.PROPOSED).count() == 1  # the mentee is held
    assert [e.action for e in pinned.events.all()] == ["proposed", "pinned"]
    client.post(cycle_url, {"action": "unpin", "match": [pinned.pk]})
    client.post(cycle_url, {"action": "suggest"})
    pinned.refresh_from_db()
    assert pinned.status == MatchStatus.REJECTED
    assert Match.objects.get(status=MatchStatus.PROPOSED).mentor.name == "Good"
