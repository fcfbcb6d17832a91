import datetime

import pytest
from association.models import MemberProfile
from django.contrib.auth.models import AnonymousUser, Group
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from tests import backends
from wagtail_mentoring.membership import (
    AttributeMembershipBackend,
    GroupMembershipBackend,
    MembershipState,
    get_backend,
    load_backend,
)

pytestmark = pytest.mark.django_db

ATTRIBUTE = {
    "BACKEND": "wagtail_mentoring.membership.AttributeMembershipBackend",
    "OPTIONS": {
        "ATTRIBUTE": "member_profile.membership_expires",
        "MEMBER_ID_ATTRIBUTE": "member_profile.member_number",
    },
}


def test_group_backend_is_the_default(make_user):
    backend = get_backend()
    assert isinstance(backend, GroupMembershipBackend)
    assert backend.get_status(AnonymousUser()).state is MembershipState.ANONYMOUS
    assert backend.get_status(make_user(member=False)).state is MembershipState.NONE
    member = backend.get_status(make_user(member=True))
    assert member.state is MembershipState.ACTIVE and member.is_active
    assert member.label == "Member in good standing"


def test_group_backend_options(make_user):
    backend = GroupMembershipBackend(GROUPS=["Staff", "Members"], LAPSED_GROUPS=["Former members"])
    lapsed = make_user(member=False)
    lapsed.groups.add(Group.objects.create(name="Former members"))
    staff = make_user(member=False)
    staff.groups.add(Group.objects.create(name="Staff"))
    assert backend.get_status(lapsed).state is MembershipState.LAPSED
    assert backend.get_status(staff).state is MembershipState.ACTIVE
    only_staff = GroupMembershipBackend(GROUPS=["Staff"])
    assert only_staff.get_status(make_user(member=True)).state is MembershipState.NONE


def test_group_backend_answers_for_many_users_in_one_query(make_user, django_assert_num_queries):
    backend = GroupMembershipBackend(GROUPS=["Staff", "Members"], LAPSED_GROUPS=["Former members"])
    lapsed = make_user(member=False)
    lapsed.groups.add(Group.objects.create(name="Former members"))
    users = [make_user(member=True), make_user(member=False), lapsed]
    expected = {user.pk: backend.get_status(user) for user in users}
    with django_assert_num_queries(1):
        assert backend.get_statuses(users) == expected
    assert [s.state for s in expected.values()] == [
        MembershipState.ACTIVE,
        MembershipState.NONE,
        MembershipState.LAPSED,
    ]


def test_other_backends_answer_for_many_users_one_at_a_time(make_user):
    backend = AttributeMembershipBackend(**ATTRIBUTE["OPTIONS"])
    expiring = make_user()
    MemberProfile.objects.create(
        user=expiring, membership_expires=timezone.localdate(), member_number="M-1"
    )
    users = [expiring, make_user()]
    statuses = backend.get_statuses(users)
    assert statuses == {user.pk: backend.get_status(user) for user in users}
    assert [s.state for s in statuses.values()] == [MembershipState.ACTIVE, MembershipState.NONE]


@pytest.mark.parametrize(
    ("expires_in_days", "grace", "expected"),
    [
        (30, 0, MembershipState.ACTIVE),
        (0, 0, MembershipState.ACTIVE),  # the expiry day itself still counts
        (-1, 0, MembershipState.LAPSED),
        (-14, 14, MembershipState.ACTIVE),
        (-15, 14, MembershipState.LAPSED),
    ],
)
def test_attribute_backend_reads_an_expiry_date(make_user, expires_in_days, grace, expected):
    user = make_user(member=False)
    expires = timezone.localdate() + datetime.timedelta(days=expires_in_days)
    MemberProfile.objects.create(user=user, member_number="M-1", membership_expires=expires)
    options = {**ATTRIBUTE["OPTIONS"], "GRACE_DAYS": grace}
    status = AttributeMembershipBackend(**options).get_status(user)
    assert status.state is expected
    assert status.expires == expires and status.member_id == "M-1"


def test_attribute_backend_without_the_related_object_is_not_a_member(make_user):
    status = load_backend(ATTRIBUTE).get_status(make_user(member=True))
    assert status.state is MembershipState.NONE and status.member_id is None


def test_attribute_backend_reads_a_boolean(make_user):
    user = make_user(member=False)
    user.is_paid_up = True
    backend = AttributeMembershipBackend(ATTRIBUTE="is_paid_up")
    assert backend.get_status(user).state is MembershipState.ACTIVE
    user.is_paid_up = False
    assert backend.get_status(user).state is MembershipState.NONE
    assert backend.get_status(AnonymousUser()).state is MembershipState.ANONYMOUS


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"BACKEND": "no.such.Backend"}, "cannot be imported"),
        ({"BACKEND": "tests.backends.NotABackend"}, "not a subclass"),
        (
            {
                "BACKEND": "wagtail_mentoring.membership.GroupMembershipBackend",
                "OPTIONS": {"GROUP": ["x"]},
            },
            "unknown option(s) GROUP",
        ),
        (
            {"BACKEND": "wagtail_mentoring.membership.AttributeMembershipBackend"},
            "must set ATTRIBUTE",
        ),
        ({"BACKEND": "tests.backends.CountingBackend", "OPTION": {}}, "unknown key(s) OPTION"),
        ("tests.backends.CountingBackend", "must be a dict"),
    ],
)
def test_bad_configuration_fails_at_start_up_naming_the_setting(config, message):
    with pytest.raises(
        ImproperlyConfigured, match="WAGTAIL_MENTORING_MEMBERSHIP_BACKEND"
    ) as excinfo:
        load_backend(config)
    assert message in str(excinfo.value)
    with override_settings(WAGTAIL_MENTORING_MEMBERSHIP_BACKEND=config):
        errors = [m for m in checks.run_checks() if m.id == "wagtail_mentoring.E004"]
    assert len(errors) == 1 and message in errors[0].msg


def test_setting_change_takes_effect(make_user):
    with override_settings(WAGTAIL_MENTORING_MEMBERSHIP_BACKEND=ATTRIBUTE):
        assert isinstance(get_backend(), AttributeMembershipBackend)
    assert isinstance(get_backend(), GroupMembershipBackend)


@override_settings(
    WAGTAIL_MENTORING_MEMBERSHIP_BACKEND={"BACKEND": "tests.backends.CountingBackend"}
)
def test_status_is_computed_once_per_request(client, make_user, mentee_page, open_cycle):
    client.force_login(make_user(member=False))
    backends.calls.clear()
    response = client.get(mentee_page.url)
    assert response.status_code == 200
    assert backends.calls and len(backends.calls) == 1
