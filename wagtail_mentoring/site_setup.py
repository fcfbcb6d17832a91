"""First set-up of a site: the Members group, sample topics, a programme to try.

Each function is idempotent: it creates what is missing and leaves what exists as it
is, so ``python manage.py mentoring_setup`` can run again at any time. The command is a
thin caller of these functions (``management/commands/mentoring_setup.py``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .membership import GroupMembershipBackend, get_backend

#: Topics a new programme starts with; editors change them under Snippets > Topics.
SAMPLE_TOPICS = [
    ("Career planning", "Next steps, changing direction, returning to work."),
    ("Leadership and management", "Leading a team, managing people and budgets."),
    ("Job applications and interviews", "CVs, cover letters, interviews."),
    ("New technologies and practices", "Tools and ways of working that are new to you."),
    ("Professional networks", "Finding your way in the profession and its associations."),
]

PROGRAMME_SLUG = "mentoring"


@dataclass
class SetupReport:
    """What one run created (names), for the command to print."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def member_group_names() -> list[str]:
    """The groups the membership backend counts as members (empty if it uses no groups)."""
    backend = get_backend()
    if isinstance(backend, GroupMembershipBackend):
        return list(backend.groups)
    return []


def ensure_member_groups(report: SetupReport) -> list[Group]:
    """The group backend's member and lapsed groups, created when missing."""
    backend = get_backend()
    if not isinstance(backend, GroupMembershipBackend):
        report.warnings.append(
            _(
                "The membership backend %(backend)s uses no groups, so no Members group "
                "was created; it decides who is a member."
            )
            % {"backend": type(backend).__name__}
        )
        return []
    groups = []
    for name in [*backend.groups, *backend.lapsed_groups]:
        group, created = Group.objects.get_or_create(name=name)
        (report.created if created else report.existing).append(_("group %s") % name)
        groups.append(group)
    return groups


def ensure_sample_topics(report: SetupReport) -> None:
    """The sample topics, when the site has no topic yet."""
    from .models import Topic

    if Topic.objects.exists():
        report.existing.append(_("topics"))
        return
    for order, (name, description) in enumerate(SAMPLE_TOPICS):
        Topic.objects.create(name=name, description=description, sort_order=order)
    report.created.append(_("%d sample topics") % len(SAMPLE_TOPICS))


def ensure_programme(report: SetupReport, parent=None):
    """A published programme page, its two application pages and an open cycle.

    The programme page goes under ``parent`` (default: the default site's root page)
    unless a programme page already exists there. The cycle opens now, closes in 30
    days, and pairing starts two weeks after it closes.
    """
    from wagtail.models import Site

    from .models import Cycle, MentoringApplicationPage, MentoringProgramPage, Role

    if parent is None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            report.warnings.append(_("No default Wagtail site, so no pages were created."))
            return None
        parent = site.root_page
    programme = MentoringProgramPage.objects.child_of(parent).first()
    if programme is None:
        programme = MentoringProgramPage(
            title=_("Mentoring programme"),
            slug=PROGRAMME_SLUG,
            intro=f"<p>{_('Members mentor members: apply as a mentor, a mentee, or both.')}</p>",
            body=[
                (
                    "apply",
                    {
                        "heading": _("Apply"),
                        "text": "",
                        "mentor_page": None,
                        "mentor_link_text": _("Apply to be a mentor"),
                        "mentee_page": None,
                        "mentee_link_text": _("Apply to be a mentee"),
                    },
                )
            ],
        )
        parent.add_child(instance=programme)
        programme.save_revision().publish()
        report.created.append(_("page %s") % programme.title)
    else:
        report.existing.append(_("page %s") % programme.title)
    roles = set(MentoringApplicationPage.objects.child_of(programme).values_list("role", flat=True))
    for role, title, slug in (
        (Role.MENTOR, _("Apply to be a mentor"), "apply-mentor"),
        (Role.MENTEE, _("Apply to be a mentee"), "apply-mentee"),
    ):
        if role in roles:
            continue
        page = MentoringApplicationPage(title=title, slug=slug, role=role)
        programme.add_child(instance=page)
        page.save_revision().publish()
        report.created.append(_("page %s") % title)
    if not Cycle.objects.filter(program_page=programme).exists():
        now = timezone.now().replace(microsecond=0)
        closes = now + datetime.timedelta(days=30)
        cycle = Cycle(
            program_page=programme,
            name=_("First cycle"),
            applications_open=now - datetime.timedelta(minutes=1),
            applications_close=closes,
            pairing_start=timezone.localdate(closes) + datetime.timedelta(days=14),
        )
        cycle.full_clean()
        cycle.save()
        report.created.append(_("cycle %s") % cycle.name)
    else:
        report.existing.append(_("a cycle"))
    return programme


def ensure_member(report: SetupReport, username: str, password: str | None = None):
    """User ``username`` (created when missing, never staff) in the first member group.

    A new user needs ``password``; an existing user keeps theirs and their staff status.
    """
    User = get_user_model()
    groups = ensure_member_groups(SetupReport()) if member_group_names() else []
    with transaction.atomic():
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            if not password:
                raise ValueError(_("A new member needs a password (--password)."))
            user = User.objects.create_user(**{User.USERNAME_FIELD: username}, password=password)
            report.created.append(_("member %s (not staff)") % username)
        else:
            report.existing.append(_("user %s") % username)
        if groups:
            user.groups.add(groups[0])
        else:
            report.warnings.append(
                _("%(user)s is a member only if your membership records say so.")
                % {"user": username}
            )
    return user
