"""Races that only a real database server can show (run with DATABASE_URL=postgres://…)."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from tests.conftest import application_data
from wagtail_mentoring.models import Application

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency is proved on PostgreSQL: run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.usefixtures("no_spam_timer"),
]


def _in_parallel(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)
    errors = []

    def run(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_create_exactly_one_application(
    member, mentee_page, open_cycle, topics
):
    data = application_data("mentee", topics)
    clients = []
    for _ in range(4):
        client = Client()
        client.force_login(member)
        clients.append(client)

    responses = _in_parallel([lambda c=c: c.post(mentee_page.url, data) for c in clients])

    assert [r.status_code for r in responses] == [200] * 4
    bodies = [r.content.decode() for r in responses]
    assert sum("Thank you for applying" in b for b in bodies) == 1
    assert sum("You have already applied" in b for b in bodies) == 3
    assert Application.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["mia@example.org"]]
