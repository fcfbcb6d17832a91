"""Every URL the package adds, requested as every role: only the committee sees anyone.

The URLs are discovered from the URLconf (``tests/world.py``), so a view added later,
by the package or by a new wagtail-modeladmin release, is requested here too.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests import world as w

OUTSIDERS = [role for role in w.ROLES if role not in w.COMMITTEE_ROLES]

#: A POST that would make each state-changing view act if it were let through.
FORGED_POST = {
    "action": "approve_all",
    "reason": "Ended by a forged request",
    "name": "Forged",
    "subject": "Forged",
    "body": "Forged",
    "match": "1",
    "mentor": "1",
}

#: Views the committee reads (and must be able to): (model or None, action).
COMMITTEE_READS = {
    *((model, action) for model in ("application", "match", "sentemail", "surveyresponse", "cycle")
      for action in ("index", "inspect", "history")),
    *((None, action) for action in (
        "matching", "matching_cycle", "matching_mentee", "report_index", "report",
        "conference_index", "conference", "end_match", "resend_email",
        "rotations_index", "rotations",
    )),
    ("emailwording", "list"),
    ("surveyround", "list"),
}  # fmt: skip


@pytest.fixture
def world(db, settings):
    return w.build_world(settings)


def refused(response) -> bool:
    """403 / 404, or the admin's redirect to its login page."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and "/login/" in response.headers.get("Location", "")


def test_discovery_finds_every_url_the_package_adds(world):
    endpoints = w.package_endpoints()
    names = {endpoint.name for endpoint in endpoints}
    assert len(endpoints) >= 60, sorted(names)
    for model in ("application", "match", "sentemail", "surveyresponse", "cycle"):
        for action in ("index", "inspect", "history"):
            assert f"wagtail_mentoring_{model}_modeladmin_{action}" in names
    for model in ("topic", "emailwording", "surveyround"):
        assert f"wagtailsnippets_wagtail_mentoring_{model}:list" in names
        assert f"wagtailsnippets_wagtail_mentoring_{model}:history" in names
    assert {
        "wagtail_mentoring_matching",
        "wagtail_mentoring_matching_cycle",
        "wagtail_mentoring_matching_mentee",
        "wagtail_mentoring_report_index",
        "wagtail_mentoring_report",
        "wagtail_mentoring_conference_index",
        "wagtail_mentoring_conference",
        "wagtail_mentoring_rotations_index",
        "wagtail_mentoring_rotations",
        "wagtail_mentoring_rotations_tables",
        "wagtail_mentoring_rotations_people",
        "wagtail_mentoring_rotations_csv",
        "wagtail_mentoring_rotations_calendar",
        "wagtail_mentoring_end_match",
        "wagtail_mentoring_resend_email",
    } <= names
    # Every one of them can be filled from the world; most are in the admin.
    admin = [endpoint for endpoint in endpoints if endpoint.url(world).startswith("/admin/")]
    assert len(admin) >= 60


def test_no_role_outside_the_committee_sees_anyone(world, capsys):
    endpoints = w.package_endpoints()
    package = [(endpoint.name, endpoint.url(world), True) for endpoint in endpoints]
    package += why_not_urls(world, package)
    wagtail = [(url, url, "delete_submissions" in url or "/delete/" in url) for url in
               w.wagtail_places(world)]  # fmt: skip
    # Admin URLs must refuse; the package's public endpoints (tracking webhooks, which
    # authenticate the provider) must still never show anyone or change anything.
    admin_names = {name for name, url, _post in package if url.startswith("/admin/")}
    application_listings = {
        reverse("wagtailforms:list_submissions", args=[world.pages[key].pk])
        for key in ("mentor", "mentee")
    }
    before = world.fingerprint()
    leaks, not_refused, requests = [], [], 0
    for role in OUTSIDERS:
        client = w.client_for(world, role)
        for name, url, post in package + wagtail:
            for method in ("get", "post") if post else ("get",):
                response = getattr(client, method)(url, FORGED_POST if method == "post" else None)
                requests += 1
                found = world.leaks(response)
                if found:
                    leaks.append((role, method, url, response.status_code, found))
                # The package's own URLs refuse; Wagtail's page views may serve the page
                # itself (the editor edits it) but never a person.
                must_refuse = name in admin_names or url.split("?")[0] in application_listings
                server_error = url.startswith("/admin/") and response.status_code >= 500
                if server_error or (must_refuse and not refused(response)):
                    not_refused.append((role, method, url, response.status_code))
    after = world.fingerprint()
    with capsys.disabled():
        print(
            f"\naccess: {len(package)} package URLs + {len(wagtail)} Wagtail places, "
            f"{len(OUTSIDERS)} roles outside the committee, {requests} requests, "
            f"{len(leaks)} leaks, {len(not_refused)} not refused"
        )
    assert not leaks, "\n".join(map(repr, leaks))
    assert not not_refused, "\n".join(map(repr, not_refused))
    assert after == before


def why_not_urls(world, package) -> list:
    """The mentee page asked "why not this mentor?" (a query string the URLconf omits)."""
    mentor = world.objects["mentor_application"].pk
    return [
        (name, f"{url}?why_mentor={mentor}", post)
        for name, url, post in package
        if name == "wagtail_mentoring_matching_mentee"
    ]


@pytest.mark.parametrize("role", sorted(w.COMMITTEE_ROLES))
def test_the_committee_reads_every_view_it_needs(world, role):
    client = w.client_for(world, role)
    seen = set()
    for endpoint in w.package_endpoints():
        if not endpoint.url(world).startswith("/admin/"):
            continue  # the tracking webhooks answer providers, not people
        response = client.get(endpoint.url(world), follow=True)
        assert response.status_code < 500, (endpoint.name, response.status_code)
        key = (endpoint.model_name if endpoint.model_name else None, endpoint.action)
        if key in COMMITTEE_READS:
            seen.add(key)
            assert response.status_code == 200, (endpoint.name, response.status_code)
    assert seen == COMMITTEE_READS
    inspect = reverse("wagtail_mentoring_application_modeladmin_inspect",
                      args=[world.objects["application"].pk])  # fmt: skip
    assert w.MENTEE["email"] in client.get(inspect).content.decode()
    history = reverse("wagtail_mentoring_match_modeladmin_history",
                      args=[world.objects["match"].pk])  # fmt: skip
    assert w.MENTOR["name"] in client.get(history).content.decode()
    mentee = reverse("wagtail_mentoring_matching_mentee", args=[world.objects["application"].pk])
    [(_name, why, _post)] = why_not_urls(world, [("wagtail_mentoring_matching_mentee", mentee, 0)])
    response = client.get(why)
    assert response.status_code == 200 and b"data-why-not-result" in response.content


@pytest.mark.parametrize(
    "name",
    [
        "wagtail_mentoring_application_modeladmin_create",
        "wagtail_mentoring_application_modeladmin_edit",
        "wagtail_mentoring_application_modeladmin_delete",
        "wagtail_mentoring_match_modeladmin_edit",
        "wagtail_mentoring_sentemail_modeladmin_delete",
        "wagtail_mentoring_surveyresponse_modeladmin_edit",
    ],
)
def test_views_nobody_needs_are_refused_even_to_superusers(world, name):
    model = name.removeprefix("wagtail_mentoring_").split("_modeladmin_")[0]
    args = [] if name.endswith("_create") else [world.objects[model].pk]
    client = w.client_for(world, "superuser")
    before = world.fingerprint()
    assert client.get(reverse(name, args=args)).status_code == 404
    assert client.post(reverse(name, args=args), FORGED_POST).status_code == 404
    assert world.fingerprint() == before


@pytest.fixture
def content_editor(world, django_user_model):
    """A site editor with every permission on the models that hold no personal data."""
    user = django_user_model.objects.create_user("content", password="pw")
    group = Group.objects.create(name="Content editors")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="wagtail_mentoring",
            content_type__model__in=["topic", "emailwording", "surveyround", "cycle"],
        ),
    )
    user.groups.add(group)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_content_editors_manage_content_and_see_no_one(world, client, content_editor):
    client.force_login(content_editor)
    for name in (
        "wagtailsnippets_wagtail_mentoring_topic:list",
        "wagtailsnippets_wagtail_mentoring_emailwording:list",
        "wagtailsnippets_wagtail_mentoring_surveyround:list",
        "wagtail_mentoring_cycle_modeladmin_index",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    response = client.post(
        reverse("wagtailsnippets_wagtail_mentoring_topic:add"), {"name": "Cataloguing"}
    )
    assert response.status_code == 302
    for endpoint in w.package_endpoints():
        if not endpoint.url(world).startswith("/admin/"):
            continue  # the tracking webhooks answer providers, not people
        response = client.get(endpoint.url(world))
        assert response.status_code < 500, endpoint.name
        assert not world.leaks(response), endpoint.name
        if endpoint.model_name in ("application", "match", "sentemail", "surveyresponse"):
            assert refused(response), endpoint.name
    # Deleting a cycle that holds applications would list them by name: committee only.
    cycle = world.objects["cycle"]
    delete = reverse("wagtail_mentoring_cycle_modeladmin_delete", args=[cycle.pk])
    response = client.post(delete)
    assert response.status_code == 403 and not world.leaks(response)


# -- views added later are refused until someone allows them ----------------------


def _call(pattern, request, **kwargs):
    from django.http import Http404

    try:
        return pattern.callback(request, **kwargs).status_code
    except Http404:
        return 404


def test_a_view_a_later_modeladmin_release_adds_is_refused(world, rf, monkeypatch):
    from django.http import HttpResponse
    from django.urls import re_path
    from wagtail_modeladmin.options import ModelAdmin

    from wagtail_mentoring.admin.applications import ApplicationAdmin

    generated = ModelAdmin.get_admin_urls_for_registration

    def with_a_new_view(self):
        leak = re_path(r"^leak/$", lambda request: HttpResponse(w.MENTEE["name"]),
                       name=self.url_helper.get_action_url_name("leak"))  # fmt: skip
        return (*generated(self), leak)

    monkeypatch.setattr(ModelAdmin, "get_admin_urls_for_registration", with_a_new_view)
    patterns = {p.name: p for p in ApplicationAdmin().get_admin_urls_for_registration()}
    request = rf.get("/")
    request.user = world.users["superuser"]
    assert _call(patterns["wagtail_mentoring_application_modeladmin_leak"], request) == 404
    request.user = world.users["editor"]
    assert _call(patterns["wagtail_mentoring_application_modeladmin_index"], request) == 403


def test_a_view_a_later_wagtail_release_adds_to_a_snippet_is_refused(world, rf, monkeypatch):
    from django.http import HttpResponse
    from django.urls import path
    from wagtail.snippets.views.snippets import SnippetViewSet

    from wagtail_mentoring.admin.topics import TopicViewSet

    generated = SnippetViewSet.get_urlpatterns

    def with_a_new_view(self):
        return [*generated(self), path("dump/", lambda request: HttpResponse("x"), name="dump")]

    monkeypatch.setattr(SnippetViewSet, "get_urlpatterns", with_a_new_view)
    patterns = {p.name: p for p in TopicViewSet().get_urlpatterns()}
    request = rf.get("/")
    request.user = world.users["superuser"]
    assert _call(patterns["dump"], request) == 404
    request.user = world.users["editor"]
    assert _call(patterns["list"], request) == 403


def test_a_function_view_without_a_declared_check_is_refused(world, rf):
    from django.http import HttpResponse
    from django.urls import include, path

    from wagtail_mentoring.admin.permissions import committee_only, guard_urlpatterns

    def forgotten(request):
        return HttpResponse(w.MENTEE["name"])

    patterns = guard_urlpatterns(
        [
            path(
                "mentoring/",
                include(
                    [
                        path("forgotten/", forgotten, name="forgotten"),
                        path("guarded/", committee_only(forgotten), name="guarded"),
                    ]
                ),
            )
        ]
    )
    inner = {p.name: p for p in patterns[0].url_patterns}
    request = rf.get("/")
    for role, guarded in (("superuser", 200), ("committee", 200), ("editor", 403)):
        request.user = world.users[role]
        assert _call(inner["forgotten"], request) == 404
        assert _call(inner["guarded"], request) == guarded


# -- Wagtail's bulk actions and page previews ---------------------------------------------

#: The models whose rows are personal data: no bulk-action URL may serve them.
PERSONAL_MODELS = ("application", "match", "sentemail", "surveyresponse")


def _package_bulk_actions():
    from django.apps import apps
    from wagtail.admin.views.bulk_action.registry import bulk_action_registry

    registered = []
    for model in apps.get_app_config("wagtail_mentoring").get_models():
        name = model._meta.model_name
        for action in bulk_action_registry.get_bulk_actions_for_model("wagtail_mentoring", name):
            registered.append((name, action.action_type))
    return registered


def test_bulk_actions_show_no_one_and_change_nothing_outside_the_committee(world):
    registered = _package_bulk_actions()
    assert ("surveyround", "delete") in registered  # discovery finds Wagtail's snippet actions
    urls = []
    for model, action in registered + [(model, "delete") for model in PERSONAL_MODELS]:
        route = reverse("wagtail_bulk_action", args=["wagtail_mentoring", model, action])
        urls.append((model, f"{route}?id={world.objects[model].pk}&next=/admin/"))
    before = world.fingerprint()
    problems = []
    for role in OUTSIDERS:
        client = w.client_for(world, role)
        for model, url in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url, FORGED_POST if method == "post" else None)
                personal = model in PERSONAL_MODELS and not refused(response)
                if response.status_code >= 500 or world.leaks(response) or personal:
                    problems.append((role, method, url, response.status_code))
    assert not problems, "\n".join(map(repr, problems))
    assert world.fingerprint() == before


def _form_data(response) -> dict:
    """The values the admin form in ``response`` would send as it stands."""
    from bs4 import BeautifulSoup

    form = BeautifulSoup(response.content, "html.parser").find("form", id="page-edit-form")
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name, kind = field.get("name"), field.get("type", "")
        if not name or (kind in ("checkbox", "radio") and not field.has_attr("checked")):
            continue
        if field.name == "textarea":
            value = field.text
        elif field.name == "select":
            chosen = field.find("option", selected=True)
            value = chosen.get("value", chosen.text) if chosen else ""
        else:
            value = field.get("value", "")
        data.setdefault(name, []).append(value)
    return data


def test_every_preview_mode_of_every_page_type_renders_for_an_editor(world):
    from wagtail.fields import StreamField
    from wagtail.models import get_page_models

    page_types = {
        model for model in get_page_models() if model._meta.app_label == "wagtail_mentoring"
    }
    pages = [page.specific for page in world.pages.values()]
    assert page_types <= {type(page) for page in pages}, page_types
    client = w.client_for(world, "editor")
    checked = []
    for page in pages:
        url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
        # The preview renders what the editor's form holds: send the edit form as it stands.
        edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        data = _form_data(edit)
        for field in type(page)._meta.fields:  # a StreamField's inputs are drawn by script
            if isinstance(field, StreamField):
                data.setdefault(f"{field.name}-count", ["0"])
        assert client.post(url, data).json()["is_valid"], page
        for mode, _label in page.preview_modes:
            response = client.get(url, {"mode": mode})
            checked.append((type(page).__name__, mode, response.status_code))
            assert not world.leaks(response), (page, mode)
    assert all(status == 200 for _page, _mode, status in checked), checked
    assert ("SurveyPage", "landing") in {(name, mode) for name, mode, _s in checked}


# -- the "Have you met yet?" page (a programme page route, not in the URLconf) ------------


def test_the_met_check_page_shows_no_one_and_forged_posts_change_nothing(world):
    from django.core import signing

    from wagtail_mentoring.matching.met_links import make_met_token
    from wagtail_mentoring.models import MatchEvent

    program, match = world.pages["program"], world.objects["match"]
    url = program.url + program.reverse_subpage("met_check")
    good = make_met_token(match, "mentee", 1)
    forged = signing.dumps([match.pk, "mentor", 1], salt="wagtail_mentoring.survey")
    before, events = world.fingerprint(), MatchEvent.objects.count()
    problems = []
    for role in w.ROLES:
        client = w.client_for(world, role)
        for token in ("", forged, good[:-2], good):
            response = client.get(url, {"t": token, "a": "cant_reach"})
            expected = 200 if token == good else 400
            if response.status_code != expected or world.leaks(response):
                problems.append((role, "get", token[:10], response.status_code))
            if token == good:
                continue  # the link's own POST answers, as its owner would
            response = client.post(url, {**FORGED_POST, "t": token, "answer": "cant_reach"})
            if response.status_code != 400 or world.leaks(response):
                problems.append((role, "post", token[:10], response.status_code))
    assert not problems, "\n".join(map(repr, problems))
    assert world.fingerprint() == before
    assert MatchEvent.objects.count() == events
