"""A small, complete "world" for tests that walk every URL as every role.

Use it from a test (or fixture) that has database access::

    from tests import world as w

    world = w.build_world(settings)          # pytest-django's ``settings`` fixture
    for endpoint in w.package_endpoints():   # every URL the package adds, from the URLconf
        url = endpoint.url(world)            # path parameters filled with the world's ids
        for role in w.ROLES:
            response = w.client_for(world, role).get(url)
            assert not world.leaks(response)  # no applicant's name or email in the body

What it holds:

- ``world.users[role]`` for each of :data:`ROLES` (``None`` for ``"anonymous"``);
  :data:`COMMITTEE_ROLES` are the roles that may read personal data.
- ``world.objects[model_name]``: one object of each of the package's models, keyed by
  lowercase model name (``"application"`` is the mentee's, ``"mentor_application"``
  the mentor's), plus ``"match"``, ``"sentemail"``, ``"surveyresponse"``,
  ``"surveyround"``, ``"cycle"``, ``"topic"``, ``"emailwording"``.
- ``world.pages``: ``"program"``, ``"mentor"``, ``"mentee"`` (application pages) and
  ``"survey"``, each published with two revisions (``world.revisions[key]``); the
  application and survey pages each hold a Wagtail form submission carrying an
  applicant's details (``world.submissions[key]``), as a forged or legacy row would.
- ``world.secrets``: the applicants' names and email addresses and a survey answer;
  :meth:`World.leaks` returns those found in a response body.
- :meth:`World.fingerprint` summarises the state a forged POST could change.
- :func:`wagtail_places` lists Wagtail's own views of those pages (form submissions,
  revisions, compare, preview, draft, page history, site history).

:func:`package_endpoints` walks ``django.urls.get_resolver()`` and keeps every pattern
that belongs to the package (its view lives in ``wagtail_mentoring``, or its name or
namespace is one of the package's modeladmin / snippet registrations), so a URL added
later is found without editing a list. :meth:`Endpoint.url` fills each path parameter
from :data:`PARAMETERS` or from the model its URL name names; a parameter nobody knows
raises ``LookupError`` so that a new URL cannot be skipped silently.
"""

from __future__ import annotations

import dataclasses
import datetime
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.contrib.forms.models import FormSubmission
from wagtail.log_actions import log

from tests.conftest import ensure_page_tree
from wagtail_mentoring.emails.outbox import queue_email
from wagtail_mentoring.matching.lifecycle import approve, propose
from wagtail_mentoring.models import (
    Application,
    Cycle,
    EmailWording,
    Match,
    MentoringApplicationPage,
    MentoringProgramPage,
    SurveyResponse,
    SurveyRound,
    Topic,
)
from wagtail_mentoring.models.applications import COMMITTEE_GROUP
from wagtail_mentoring.models.emails import SentEmail
from wagtail_mentoring.models.surveys import SurveyFormField, SurveyPage

ROLES = ("anonymous", "non_member", "lapsed", "member", "editor", "committee", "superuser")
COMMITTEE_ROLES = frozenset({"committee", "superuser"})
LAPSED_GROUP = "Lapsed members"
MEMBERSHIP_BACKEND = {
    "BACKEND": "wagtail_mentoring.membership.GroupMembershipBackend",
    "OPTIONS": {"GROUPS": ["Members"], "LAPSED_GROUPS": [LAPSED_GROUP]},
}

MENTOR = {"name": "Zephyrine Quillfeather", "email": "zq.mentor@secret-mentoring.example"}
MENTEE = {"name": "Bartholomew Nightjar", "email": "bn.mentee@secret-mentoring.example"}
SURVEY_ANSWER = "Quillfeather never replies to my emails"


@dataclasses.dataclass
class World:
    users: dict
    objects: dict
    pages: dict
    revisions: dict
    submissions: dict
    secrets: tuple[str, ...]

    def leaks(self, response) -> list[str]:
        """The secrets (names, emails, survey answer) found in ``response``'s body."""
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content).decode("utf-8", "replace")
        else:
            body = response.content.decode("utf-8", "replace")
        body = body.casefold()
        found = [secret for secret in self.secrets if secret.casefold() in body]
        escaped = body.replace("&#x27;", "'").replace("&amp;", "&").replace("&quot;", '"')
        found += [s for s in self.secrets if s not in found and s.casefold() in escaped]
        return found

    def fingerprint(self) -> dict:
        """What a forged POST could change: rows and statuses of every personal-data model."""
        return {
            "applications": sorted(Application.objects.values_list("pk", "status", "name")),
            "matches": sorted(
                Match.objects.values_list("pk", "status", "pinned", "discarded", "end_reason")
            ),
            "emails": sorted(SentEmail.objects.values_list("pk", "status", "attempts")),
            "responses": SurveyResponse.objects.count(),
            "submissions": FormSubmission.objects.count(),
            "cycles": sorted(Cycle.objects.values_list("pk", "name")),
            "rounds": sorted(SurveyRound.objects.values_list("pk", "name")),
            "topics": sorted(Topic.objects.values_list("pk", "name")),
            "wordings": sorted(EmailWording.objects.values_list("pk", "subject")),
        }


def client_for(world: World, role: str) -> Client:
    """A test client logged in as ``role``; server errors come back as 500 responses."""
    client = Client(raise_request_exception=False)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def _user(username: str, *groups: str, **fields):
    User = get_user_model()
    user = User.objects.create_user(
        username=username, email=f"{username}@staff.example", password="pw", **fields
    )
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def _page(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.title += " (revised)"
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    return page


def build_world(settings=None) -> World:
    """Create the world. Pass pytest-django's ``settings`` so that "lapsed" is lapsed."""
    if settings is not None:
        settings.WAGTAIL_MENTORING_MEMBERSHIP_BACKEND = MEMBERSHIP_BACKEND
    home = ensure_page_tree()
    program = _page(home, MentoringProgramPage(title="Mentoring", slug="mentoring"))
    pages = {"program": program}
    for role in ("mentor", "mentee"):
        pages[role] = _page(
            program,
            MentoringApplicationPage(title=f"Apply as a {role}", slug=f"apply-{role}", role=role),
        )
    survey = SurveyPage(title="How is it going?", slug="survey")
    survey.form_fields = [SurveyFormField(label="Comments", field_type="multiline")]
    pages["survey"] = _page(program, survey)

    now = timezone.now()
    cycle = Cycle.objects.create(
        program_page=program,
        name="Access cycle",
        applications_open=now - datetime.timedelta(days=2),
        applications_close=now + datetime.timedelta(days=20),
        pairing_start=(now + datetime.timedelta(days=60)).date(),
        consent="off",  # the world's match is introduced; tests/matching/test_consent.py asks
    )
    topic = Topic.objects.create(name="Metadata", sort_order=0)
    users = {
        "anonymous": None,
        "non_member": _user("nonmember"),
        "lapsed": _user("lapsed", LAPSED_GROUP),
        "member": _user("member", "Members"),
        "editor": _user("editor", "Members", "Editors"),
        "committee": _user("committee", "Members", COMMITTEE_GROUP),
        "superuser": get_user_model().objects.create_superuser("root", "root@staff.example", "pw"),
    }

    def apply(person, role, **fields):
        first, last = person["name"].split(" ", 1)
        user = _user(f"applicant-{role}", "Members", first_name=first, last_name=last)
        application = Application.objects.create(
            user=user,
            cycle=cycle,
            role=role,
            page=pages[role],
            name=person["name"],
            contact_email=person["email"],
            career_stage="senior" if role == "mentor" else "student",
            sector="public",
            region="North",
            organisation=f"{person['name']} Library",
            meeting_preference="either",
            conference_attendance="yes",
            goals=f"Goals of {person['name']}.",
            **fields,
        )
        application.topics.set([topic])
        return application

    mentor = apply(MENTOR, "mentor", capacity=2)
    mentee = apply(MENTEE, "mentee")
    match = approve(propose(mentee, mentor))
    email, _created = queue_email(
        "match_introduction",
        [MENTEE["email"]],
        key="access-world-introduction",
        application=mentee,
        match=match,
    )
    SentEmail.objects.filter(pk=email.pk).update(status="failed", last_error="Mailbox full")
    survey_round = SurveyRound.objects.create(
        cycle=cycle, name="Pairing fit", page=pages["survey"], months_after_start=1
    )
    response = SurveyResponse.objects.create(
        match=match,
        round=survey_round,
        role="mentee",
        respondent=mentee.user,
        answers={"comments": {"label": "Comments", "type": "multiline", "value": SURVEY_ANSWER}},
    )
    wording = EmailWording.objects.create(
        kind="application_received", subject="Thanks, {{ name }}", body="Hello {{ name }}"
    )
    # As a site that logs changes (or a later release) would: history has entries.
    for instance in (mentor, mentee, match, email, response, cycle, survey_round, topic):
        log(instance, "wagtail.create", user=users["superuser"])
    submissions = {
        key: FormSubmission.objects.create(
            page=pages[key],
            form_data={"name": MENTEE["name"], "email": MENTEE["email"], "comments": SURVEY_ANSWER},
        )
        for key in ("mentor", "mentee", "survey")
    }
    revisions = {
        key: list(page.revisions.order_by("created_at", "pk")) for key, page in pages.items()
    }
    objects = {
        "application": mentee,
        "mentor_application": mentor,
        "match": match,
        "sentemail": email,
        "surveyresponse": response,
        "surveyround": survey_round,
        "cycle": cycle,
        "topic": topic,
        "emailwording": wording,
    }
    secrets = (MENTOR["name"], MENTOR["email"], MENTEE["name"], MENTEE["email"], SURVEY_ANSWER)
    return World(users, objects, pages, revisions, submissions, secrets)


# -- discovering the package's URLs ---------------------------------------------

PACKAGE_NAME = re.compile(r"(^|[_:])wagtail_mentoring[_:]")


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """One URL pattern: its namespaced ``name``, full ``route`` and path parameters."""

    name: str
    route: str
    parameters: tuple[str, ...]
    callback: object

    @property
    def model_name(self) -> str | None:
        """The model a modeladmin or snippet URL works on, from its name."""
        found = re.search(r"wagtail_mentoring_(\w+?)_modeladmin_", self.name) or re.search(
            r"_wagtail_mentoring_(\w+):", self.name
        )
        return found.group(1) if found else None

    @property
    def action(self) -> str:
        """The last part of the name: ``history``, ``edit``, ``list``, ``matching_cycle``..."""
        if "_modeladmin_" in self.name:
            return self.name.rsplit("_modeladmin_", 1)[1]
        return self.name.rsplit(":", 1)[-1].removeprefix("wagtail_mentoring_")

    def url(self, world: World, **overrides) -> str:
        """The URL with each path parameter taken from the world (or ``overrides``)."""
        kwargs = {}
        for parameter in self.parameters:
            if parameter in overrides:
                kwargs[parameter] = overrides[parameter]
            elif parameter in ("pk", "instance_pk") and self.model_name:
                kwargs[parameter] = world.objects[self.model_name].pk
            elif parameter in PARAMETERS:
                kwargs[parameter] = PARAMETERS[parameter](world)
            else:
                raise LookupError(
                    f"{self.name} ({self.route}) has a parameter {parameter!r} that "
                    "tests/world.py cannot fill; add it to PARAMETERS."
                )
        return reverse(self.name, kwargs=kwargs)


#: How to fill a path parameter of the package's own views.
PARAMETERS = {
    "cycle_id": lambda world: world.objects["cycle"].pk,
    "application_id": lambda world: world.objects["application"].pk,
    "match_id": lambda world: world.objects["match"].pk,
    "email_id": lambda world: world.objects["sentemail"].pk,
    "response_id": lambda world: world.objects["surveyresponse"].pk,
    "round_id": lambda world: world.objects["surveyround"].pk,
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield name, route, entry


def _modules(callback):
    """The modules of a view and of every view it wraps (``functools.wraps`` chains)."""
    while callback is not None:
        yield getattr(callback, "__module__", "") or ""
        callback = getattr(callback, "__wrapped__", None)


def _belongs_to_package(name: str, route: str, callback) -> bool:
    return (
        any(module.startswith("wagtail_mentoring") for module in _modules(callback))
        or bool(PACKAGE_NAME.search(name))
        or "wagtail_mentoring/" in route
        or route.startswith("admin/mentoring/")
    )


def package_endpoints() -> list[Endpoint]:
    """Every URL pattern the package adds, discovered from the URLconf."""
    found = []
    for name, route, pattern in _walk(get_resolver().url_patterns):
        if not _belongs_to_package(name, route, pattern.callback):
            continue
        if not name:
            raise LookupError(f"The package URL {route!r} has no name, so no test can fill it.")
        parameters = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route)) + tuple(
            re.findall(r"\(\?P<(\w+)>", route)
        )
        found.append(Endpoint(name, route, parameters, pattern.callback))
    return found


def wagtail_places(world: World) -> list[str]:
    """Wagtail's own views that show the package's pages: form submissions, revisions,
    previews, drafts, page history, and the site history report."""
    urls = [reverse("wagtailforms:index"), reverse("wagtailadmin_reports:site_history")]
    for key in ("mentor", "mentee", "survey"):
        page = world.pages[key]
        first, last = world.revisions[key][0], world.revisions[key][-1]
        urls += [
            reverse("wagtailforms:list_submissions", args=[page.pk]),
            reverse("wagtailforms:list_submissions", args=[page.pk]) + "?export=csv",
            reverse("wagtailforms:delete_submissions", args=[page.pk])
            + f"?selected-submissions={world.submissions[key].pk}",
            reverse("wagtailadmin_pages:edit", args=[page.pk]),
            reverse("wagtailadmin_pages:history", args=[page.pk]),
            reverse("wagtailadmin_pages:revisions_index", args=[page.pk]),
            reverse("wagtailadmin_pages:revisions_view", args=[page.pk, first.pk]),
            reverse("wagtailadmin_pages:revisions_compare", args=[page.pk, first.pk, last.pk]),
            reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]),
            reverse("wagtailadmin_pages:view_draft", args=[page.pk]),
        ]
    return urls
