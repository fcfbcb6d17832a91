"""``manage.py mentoring_setup``, and check W005 (a LOGIN_URL that leads nowhere)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import checks
from django.core.management import CommandError, call_command
from wagtail.models import Page

from wagtail_mentoring.models import (
    Application,
    Cycle,
    MentoringApplicationPage,
    MentoringProgramPage,
    Topic,
)


def setup(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("mentoring_setup", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_setup_creates_the_members_group_and_topics_once(home_page):
    Group.objects.filter(name="Members").delete()
    output = setup()
    assert Group.objects.filter(name="Members").exists()
    assert Topic.objects.count() >= 3
    assert "Created group Members." in output
    assert not MentoringProgramPage.objects.exists()  # pages only with --pages
    topics = Topic.objects.count()
    again = setup()
    assert "Nothing to do" in again
    assert Topic.objects.count() == topics and Group.objects.filter(name="Members").count() == 1


def test_setup_leaves_a_site_with_its_own_topics_alone(home_page):
    Topic.objects.create(name="Cataloguing")
    setup()
    assert list(Topic.objects.values_list("name", flat=True)) == ["Cataloguing"]


def test_setup_uses_the_group_backend_s_own_groups(home_page, settings):
    settings.WAGTAIL_MENTORING_MEMBERSHIP_BACKEND = {
        "BACKEND": "wagtail_mentoring.membership.GroupMembershipBackend",
        "OPTIONS": {"GROUPS": ["Current members"], "LAPSED_GROUPS": ["Lapsed"]},
    }
    setup()
    assert {"Current members", "Lapsed"} <= set(Group.objects.values_list("name", flat=True))


def test_setup_creates_no_group_for_a_backend_without_groups(home_page, settings):
    Group.objects.filter(name="Members").delete()
    settings.WAGTAIL_MENTORING_MEMBERSHIP_BACKEND = {
        "BACKEND": "wagtail_mentoring.membership.AttributeMembershipBackend",
        "OPTIONS": {"ATTRIBUTE": "is_active"},
    }
    output = setup()
    assert not Group.objects.filter(name="Members").exists()
    assert "uses no groups" in output


def test_setup_pages_give_an_open_programme_a_member_can_apply_to(home_page, client, no_spam_timer):
    output = setup("--pages", "--member", "alex", "--password", "a-demo-password-1")
    assert "Created page Mentoring programme." in output
    programme = MentoringProgramPage.objects.get()
    assert programme.get_parent().pk == home_page.pk and programme.live
    roles = {p.role for p in MentoringApplicationPage.objects.child_of(programme).live()}
    assert roles == {"mentor", "mentee"}
    cycle = Cycle.objects.get(program_page=programme)
    assert cycle.is_open()
    response = client.get(programme.url)
    assert "Apply to be a mentee" in response.content.decode()

    from django.contrib.auth import get_user_model

    alex = get_user_model().objects.get(username="alex")
    assert not alex.is_staff and not alex.is_superuser
    assert client.login(username="alex", password="a-demo-password-1")
    mentee_page = MentoringApplicationPage.objects.get(role="mentee")
    form = client.get(mentee_page.url)
    assert 'name="goals"' in form.content.decode()
    from tests.conftest import application_data

    response = client.post(mentee_page.url, application_data("mentee", list(Topic.objects.all())))
    assert response.status_code == 200, response.status_code
    assert Application.objects.filter(user=alex, role="mentee").exists()

    again = setup("--pages", "--member", "alex")
    assert MentoringProgramPage.objects.count() == 1 and Cycle.objects.count() == 1
    assert MentoringApplicationPage.objects.count() == 2
    assert "Nothing to do" in again


def test_setup_adds_an_existing_user_to_members_without_changing_them(home_page, django_user_model):
    staff = django_user_model.objects.create_user("sam", password="x", is_staff=True)
    setup("--member", "sam")
    staff.refresh_from_db()
    assert staff.is_staff and staff.check_password("x")
    assert staff.groups.filter(name="Members").exists()


def test_setup_refuses_a_new_member_without_a_password(home_page, django_user_model):
    with pytest.raises(CommandError, match="password"):
        setup("--member", "nobody")
    assert not django_user_model.objects.filter(username="nobody").exists()


# -- check W005 --------------------------------------------------------------------------------


def w005() -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks() if m.id == "wagtail_mentoring.W005"]


@pytest.mark.parametrize(
    ("login_url", "warned"),
    [
        ("/login/", False),  # tests/urls.py has a login view there
        ("login", False),  # its URL name
        ("wagtailcore_login", False),
        ("https://members.example.org/sign-in", False),  # another host: not ours to check
        ("no_such_url_name", True),
        ("/accounts/login/", True),  # Django's default, which no page or view answers
    ],
)
def test_w005_warns_when_login_url_leads_nowhere(db, settings, login_url, warned):
    settings.LOGIN_URL = login_url
    messages = w005()
    assert bool(messages) is warned
    if warned:
        assert login_url in messages[0].msg and "wagtailcore_login" in messages[0].hint


def test_w005_accepts_a_wagtail_page_at_the_login_path(home_page, settings):
    home_page.add_child(instance=Page(title="Sign in", slug="sign-in"))
    settings.LOGIN_URL = "/sign-in/"
    assert w005() == []
