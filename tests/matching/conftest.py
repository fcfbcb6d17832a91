"""Fixtures shared by the matching tests."""

import pytest
from django.contrib.auth.models import Group

from wagtail_mentoring.models import Application


@pytest.fixture
def apply(make_user, open_cycle, topics):
    """``apply(role, topic_indexes, ...)``: an application of the open cycle (or ``cycle``)
    wanting or offering those of ``topics``; any other field can be given."""

    def make(role, topic_indexes, capacity=None, stage=None, user=None, cycle=None, **fields):
        user = user or make_user()
        fields.setdefault("career_stage", stage or ("senior" if role == "mentor" else "student"))
        fields.setdefault("sector", "public")
        fields.setdefault("region", "North")
        fields.setdefault("meeting_preference", "either")
        fields.setdefault("conference_attendance", "yes")
        fields.setdefault("goals", "Grow.")
        application = Application.objects.create(
            user=user,
            cycle=cycle or open_cycle,
            role=role,
            contact_email=user.email,
            name=fields.pop("name", user.username),
            capacity=capacity,
            **fields,
        )
        application.topics.set([topics[i] for i in topic_indexes])
        return application

    return make


@pytest.fixture
def committee_client(client, make_user):
    """The test client, logged in as a member of the mentoring committee."""
    user = make_user(username="committee")
    user.groups.add(Group.objects.get(name="Mentoring committee"))
    client.force_login(user)
    return client
