"""Membership backends used only by the tests."""

from wagtail_mentoring.membership import BaseMembershipBackend, MembershipState, MembershipStatus

calls: list[int] = []


class CountingBackend(BaseMembershipBackend):
    """Everyone logged in is a member; counts how often it is asked."""

    options = {"STATE": "active"}

    def get_status(self, user, request=None):
        calls.append(user.pk)
        return MembershipStatus(MembershipState(self.state))


class NotABackend:
    pass
