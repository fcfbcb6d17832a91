"""Random, oversized, NUL-containing and non-ASCII-digit input never causes a server error.

The application form is fuzzed on its own; then every endpoint the package adds
(discovered from the URLconf, plus its pages) is driven as each role with bad path
ids, query strings and form fields.
"""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import application_data
from tests.fuzz_world import (
    BAD_VALUES,
    GET_KEYS,
    POST_KEYS,
    ROLES,
    build_fuzz_world,
    endpoint_groups,
    endpoint_url,
    request_endpoint,
)
from wagtail_mentoring.models import Application

FIELDS = [
    "mentoring_action",
    "name",
    "contact_email",
    "career_stage",
    "sector",
    "region",
    "organisation",
    "meeting_preference",
    "conference_attendance",
    "topics",
    "goals",
    "commitment_consent",
    "privacy_consent",
    "capacity",
    "years_experience",
    "conference_activities",
    "mentor_kind",
    "preferred_mentor_stage",
    "preferred_mentee_stages",
    "priority_topics",
    "priority_seniority",
    "priority_region",
    "priority_conference",
    "form_started",
    "reason",
    "extra__tell_us_more",
]

text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000),
    st.sampled_from(BAD_VALUES),
    st.integers().map(str),
)
values = st.one_of(text, st.lists(text, max_size=4))


@pytest.mark.usefixtures("no_spam_timer")
@pytest.mark.parametrize("role", ["mentor", "mentee"])
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(overrides=st.dictionaries(st.sampled_from(FIELDS), values, max_size=8))
def test_random_input_never_causes_a_server_error(
    role, overrides, member, application_pages, open_cycle, topics, settings
):
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": None, "IP": None}
    client = Client(raise_request_exception=False)
    client.force_login(member)
    page = application_pages[role]
    Application.objects.filter(user=member).delete()
    data = application_data(role, topics)
    data.update(overrides)
    response = client.post(page.url, data)
    assert response.status_code < 500, response.content[:500]
    if Application.objects.filter(user=member).exists():
        application = Application.objects.get(user=member)
        assert len(application.goals) <= 2000 and len(application.name) <= 150


# -- every endpoint ------------------------------------------------------------------------


@pytest.fixture
def fuzz_world(db, settings):
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": None, "IP": None}
    return build_fuzz_world(settings)


# Fuzzed values: hypothesis text, the known-bad ones, ids of real rows, and oversized text.
fuzz_value = st.one_of(
    st.text(max_size=20),
    st.sampled_from(BAD_VALUES),
    st.sampled_from(["1", "2", "3", "csv", "xlsx", "approve", "suggest", "withdraw", "edit"]),
    st.integers(min_value=5001, max_value=20_000).map("é".__mul__),
)
fuzz_params = st.dictionaries(
    st.one_of(st.sampled_from(GET_KEYS + POST_KEYS), st.text(min_size=1, max_size=10)),
    st.one_of(fuzz_value, st.lists(fuzz_value, min_size=1, max_size=3)),
    max_size=5,
)


@pytest.mark.usefixtures("no_spam_timer")
@pytest.mark.parametrize("group", ["pages", "package admin", "modeladmin", "snippets"])
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    which=st.integers(min_value=0, max_value=10_000),
    role=st.sampled_from(ROLES),
    method=st.sampled_from(["get", "post"]),
    path_value=st.one_of(st.none(), st.sampled_from(BAD_VALUES)),
    query=fuzz_params,
    form=fuzz_params,
)
def test_no_endpoint_answers_a_server_error(
    group, which, role, method, path_value, query, form, fuzz_world
):
    endpoints = endpoint_groups(fuzz_world)[group]
    endpoint = endpoints[which % len(endpoints)]
    form = form if method == "post" else {}
    response = request_endpoint(fuzz_world, endpoint, role, method, path_value, query, form)
    assert response.status_code < 500, (endpoint.label, role, method, path_value, query, form)


#: Actions the package's views know, so that bad ids reach the code that reads them.
ACTIONS = ["approve_selected", "approve", "pin", "discard_selected", "unpin", "suggest"]
APPLICATION_ACTIONS = ["withdraw", "edit", "apply"]


@pytest.mark.usefixtures("no_spam_timer")
@pytest.mark.parametrize(("group", "role"), [("pages", "member"), ("package admin", "committee")])
def test_each_bad_value_in_each_place(group, role, fuzz_world):
    """A fixed sweep: every endpoint, each bad value as path id, in the query and the form."""
    failures = []
    for endpoint in endpoint_groups(fuzz_world)[group]:
        for index, value in enumerate(BAD_VALUES):
            form = {
                **dict.fromkeys(POST_KEYS, value),
                "action": ACTIONS[index % len(ACTIONS)],
                "mentoring_action": APPLICATION_ACTIONS[index % len(APPLICATION_ACTIONS)],
            }
            requests = [("get", None, dict.fromkeys(GET_KEYS, value), {})]
            requests.append(("post", None, {}, form))
            if endpoint_url(fuzz_world, endpoint, value) != endpoint_url(
                fuzz_world, endpoint, None
            ):
                requests.append(("get", value, {}, {}))
            for method, path_value, query, data in requests:
                response = request_endpoint(
                    fuzz_world, endpoint, role, method, path_value, query, data
                )
                if response.status_code >= 500:
                    failures.append((endpoint.label, method, repr(value)[:30]))
    assert failures == []


@pytest.mark.usefixtures("no_spam_timer")
@pytest.mark.parametrize("role", ["committee", "superuser"])
def test_every_endpoint_with_an_empty_and_a_bad_request(role, fuzz_world):
    """Every endpoint of every group: an empty POST, and a GET and a POST where every
    known parameter is a non-ASCII digit or a NUL byte."""
    failures = []
    for group, endpoints in endpoint_groups(fuzz_world).items():
        for endpoint in endpoints:
            for method, query, form in (
                ("post", {}, {}),
                ("get", dict.fromkeys(GET_KEYS, "²"), {}),
                ("post", {}, dict.fromkeys(POST_KEYS, "1\x00")),
            ):
                response = request_endpoint(fuzz_world, endpoint, role, method, None, query, form)
                if response.status_code >= 500:
                    failures.append((group, endpoint.label, method))
    assert failures == []
