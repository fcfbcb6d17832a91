"""Random, oversized and unicode input to the application form never causes a server error."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import application_data
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
    "form_started",
    "reason",
]

text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000),
    st.sampled_from(["", "0", "-1", "99999999999999999999", "1e309", "NaN", "\x00", "🙂" * 600]),
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
