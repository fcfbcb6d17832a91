"""Membership: is this user a member in good standing?

Every association keeps its membership somewhere else, so the answer comes from a
pluggable backend named by ``WAGTAIL_MENTORING_MEMBERSHIP_BACKEND``::

    WAGTAIL_MENTORING_MEMBERSHIP_BACKEND = {
        "BACKEND": "wagtail_mentoring.membership.AttributeMembershipBackend",
        "OPTIONS": {"ATTRIBUTE": "profile.membership_expires", "GRACE_DAYS": 14},
    }

Callers use :func:`get_membership_status`, which asks the backend once per request.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .conf import PREFIX, app_settings

SETTING = PREFIX + "MEMBERSHIP_BACKEND"
_REQUEST_ATTRIBUTE = "_wagtail_mentoring_membership_status"


class MembershipState(enum.StrEnum):
    ACTIVE = "active"
    LAPSED = "lapsed"
    NONE = "none"
    ANONYMOUS = "anonymous"

    @property
    def label(self) -> str:
        return {
            MembershipState.ACTIVE: _("Member in good standing"),
            MembershipState.LAPSED: _("Lapsed member"),
            MembershipState.NONE: _("Not a member"),
            MembershipState.ANONYMOUS: _("Not logged in"),
        }[self]


@dataclasses.dataclass(frozen=True)
class MembershipStatus:
    """What a backend knows of one user's membership."""

    state: MembershipState
    expires: datetime.date | None = None
    member_id: str | None = None

    @property
    def is_active(self) -> bool:
        return self.state is MembershipState.ACTIVE

    @property
    def label(self) -> str:
        return str(self.state.label)

    @classmethod
    def anonymous(cls) -> MembershipStatus:
        return cls(MembershipState.ANONYMOUS)


class BaseMembershipBackend:
    """Base class of membership backends.

    Subclasses implement :meth:`get_status` and list the options they accept in
    ``options`` (a mapping of option name to default). Unknown options are refused
    with ``ImproperlyConfigured`` naming the setting.
    """

    options: dict[str, Any] = {}
    required_options: Iterable[str] = ()

    def __init__(self, **options: Any) -> None:
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise ImproperlyConfigured(
                f"{SETTING}['OPTIONS'] has unknown option(s) {', '.join(unknown)} for "
                f"{type(self).__name__}; it accepts: {', '.join(sorted(self.options)) or 'none'}."
            )
        missing = [name for name in self.required_options if options.get(name) in (None, "")]
        if missing:
            raise ImproperlyConfigured(
                f"{SETTING}['OPTIONS'] must set {', '.join(missing)} for {type(self).__name__}."
            )
        for name, default in self.options.items():
            setattr(self, name.lower(), options.get(name, default))

    def get_status(self, user, request=None) -> MembershipStatus:
        """Return the membership status of ``user`` (which may be anonymous)."""
        raise NotImplementedError

    def get_statuses(self, users) -> dict:
        """The status of each of ``users``, by user id, for the schedule's batches.

        The default asks :meth:`get_status` once per user; backends that can answer
        for many users in one query should override it.
        """
        return {user.pk: self.get_status(user) for user in users}


class GroupMembershipBackend(BaseMembershipBackend):
    """Members are the users in one of ``GROUPS`` (default ``["Members"]``).

    Users in one of ``LAPSED_GROUPS`` (default none) are lapsed; everyone else is not
    a member.
    """

    options = {"GROUPS": ["Members"], "LAPSED_GROUPS": []}

    def get_status(self, user, request=None) -> MembershipStatus:
        if not getattr(user, "is_authenticated", False):
            return MembershipStatus.anonymous()
        return self._status_from(set(user.groups.values_list("name", flat=True)))

    def get_statuses(self, users) -> dict:
        """One query for all ``users``' groups."""
        from django.contrib.auth import get_user_model

        names: dict = {user.pk: set() for user in users}
        memberships = get_user_model().groups.through.objects.filter(user_id__in=list(names))
        for user_id, name in memberships.values_list("user_id", "group__name"):
            names[user_id].add(name)
        return {user_id: self._status_from(groups) for user_id, groups in names.items()}

    def _status_from(self, names: set) -> MembershipStatus:
        if names & set(self.groups):
            return MembershipStatus(MembershipState.ACTIVE)
        if names & set(self.lapsed_groups):
            return MembershipStatus(MembershipState.LAPSED)
        return MembershipStatus(MembershipState.NONE)


def _resolve(obj, dotted: str):
    for part in dotted.split("."):
        try:
            obj = getattr(obj, part)
        except ObjectDoesNotExist:
            return None
        if obj is None:
            return None
    return obj() if callable(obj) else obj


class AttributeMembershipBackend(BaseMembershipBackend):
    """Reads membership from a dotted path on the user.

    ``ATTRIBUTE`` (required) names a date or datetime (the membership's expiry) or a
    boolean, for example ``"profile.membership_expires"``. A date keeps the member
    active until the end of that day plus ``GRACE_DAYS`` (default 0), and lapsed
    after. ``True`` is active, ``False`` is not a member, and a missing object or
    ``None`` is not a member. ``MEMBER_ID_ATTRIBUTE`` optionally names the member
    number.
    """

    options = {"ATTRIBUTE": None, "GRACE_DAYS": 0, "MEMBER_ID_ATTRIBUTE": None}
    required_options = ("ATTRIBUTE",)

    def get_status(self, user, request=None) -> MembershipStatus:
        if not getattr(user, "is_authenticated", False):
            return MembershipStatus.anonymous()
        value = _resolve(user, self.attribute)
        member_id = _resolve(user, self.member_id_attribute) if self.member_id_attribute else None
        member_id = str(member_id) if member_id not in (None, "") else None
        if isinstance(value, bool):
            state = MembershipState.ACTIVE if value else MembershipState.NONE
            return MembershipStatus(state, member_id=member_id)
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        if isinstance(value, datetime.date):
            grace_end = value + datetime.timedelta(days=int(self.grace_days or 0))
            state = (
                MembershipState.ACTIVE
                if timezone.localdate() <= grace_end
                else MembershipState.LAPSED
            )
            return MembershipStatus(state, expires=value, member_id=member_id)
        return MembershipStatus(MembershipState.NONE, member_id=member_id)


_backend_cache: dict[str, BaseMembershipBackend] = {}


def get_backend() -> BaseMembershipBackend:
    """The configured backend (built once per distinct setting value)."""
    config = app_settings.MEMBERSHIP_BACKEND
    key = repr(config)
    backend = _backend_cache.get(key)
    if backend is None:
        backend = _backend_cache[key] = load_backend(config)
    return backend


def load_backend(config) -> BaseMembershipBackend:
    """Build a backend from a setting value, or raise ``ImproperlyConfigured``."""
    if not isinstance(config, dict) or "BACKEND" not in config:
        raise ImproperlyConfigured(
            f'{SETTING} must be a dict such as {{"BACKEND": "dotted.path", "OPTIONS": {{}}}}.'
        )
    unknown_keys = sorted(set(config) - {"BACKEND", "OPTIONS"})
    if unknown_keys:
        raise ImproperlyConfigured(
            f"{SETTING} has unknown key(s) {', '.join(unknown_keys)}; use BACKEND and OPTIONS."
        )
    path = config["BACKEND"]
    try:
        backend_class = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(
            f"{SETTING}['BACKEND'] is {path!r}, which cannot be imported ({error})."
        ) from error
    if not (isinstance(backend_class, type) and issubclass(backend_class, BaseMembershipBackend)):
        raise ImproperlyConfigured(
            f"{SETTING}['BACKEND'] is {path!r}, which is not a subclass of "
            "wagtail_mentoring.membership.BaseMembershipBackend."
        )
    options = config.get("OPTIONS") or {}
    if not isinstance(options, dict):
        raise ImproperlyConfigured(f"{SETTING}['OPTIONS'] must be a dict.")
    return backend_class(**options)


def get_membership_status(request) -> MembershipStatus:
    """The membership status of ``request.user``, asked of the backend once per request."""
    status = getattr(request, _REQUEST_ATTRIBUTE, None)
    if status is None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            status = MembershipStatus.anonymous()
        else:
            status = get_backend().get_status(user, request=request)
        setattr(request, _REQUEST_ATTRIBUTE, status)
    return status
