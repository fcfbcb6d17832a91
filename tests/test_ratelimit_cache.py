"""Where the rate limit counts: a cache every server process shares, and checks W002, E009.

The Redis tests need a Redis server, ``redis://127.0.0.1:6379/0`` unless
``TEST_REDIS_URL`` says otherwise (``.ci/run`` starts one). They never skip: without
Redis they fail. Each test keeps its keys under a prefix of its own and deletes them.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.core import checks
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command

from tests.conftest import application_data
from wagtail_mentoring.models import Application

REPO = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


class SiteLocMemCache(LocMemCache):
    """A site's own subclass of the local-memory cache is just as process-local."""


@pytest.fixture
def redis_cache():
    """Settings of a Redis cache under a key prefix of its own; its keys go afterwards."""
    prefix = f"wagtail-mentoring-test-{uuid.uuid4().hex}"
    yield {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": prefix,
    }
    server = redis.Redis.from_url(REDIS_URL)
    keys = list(server.scan_iter(f"{prefix}:*"))
    if keys:
        server.delete(*keys)
    server.close()


# -- several processes ----------------------------------------------------------------


def posts_through_workers(shared_cache: dict, workers: int = 3, posts: int = 30) -> list[str]:
    """One member's posts, handed round-robin to separate worker processes.

    Each worker is its own Python process with its own Django and cache client, like
    a gunicorn worker; the limit is 10 accepted posts per user.
    """
    config = {
        "CACHES": {"default": LOCMEM, "ratelimit": shared_cache},
        "WAGTAIL_MENTORING_RATE_LIMIT": {"USER": 10, "IP": None, "CACHE": "ratelimit"},
    }
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    command = [sys.executable, "-m", "tests.ratelimit_worker", json.dumps(config)]
    processes = [
        subprocess.Popen(
            command, cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(workers)
    ]
    try:
        for process in processes:
            assert process.stdout.readline().strip() == "ready"
        answers = []
        for number in range(posts):
            process = processes[number % workers]
            process.stdin.write("post\n")
            process.stdin.flush()
            answers.append(process.stdout.readline().strip())
    finally:
        for process in processes:
            process.stdin.close()
            process.wait(timeout=60)
            process.stdout.close()
    return answers


def test_with_a_shared_cache_the_limit_holds_across_worker_processes(redis_cache):
    answers = posts_through_workers(redis_cache)
    assert answers == ["accepted"] * 10 + ["refused"] * 20


def test_with_a_process_local_cache_each_worker_counts_on_its_own():
    """Why W002 exists: three workers with local-memory caches let 30 posts through 10."""
    answers = posts_through_workers(LOCMEM)
    assert answers.count("accepted") == 30


def test_two_cache_clients_share_the_counts_through_redis(
    client,
    member,
    mentee_page,
    open_cycle,
    topics,
    settings,
    redis_cache,
    no_spam_timer,
    django_capture_on_commit_callbacks,
):
    settings.CACHES = {"default": LOCMEM, "shared": redis_cache}
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"USER": 2, "IP": None, "CACHE": "shared"}
    client.force_login(member)

    def post(data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(mentee_page.url, data)

    first_worker = caches["shared"]
    assert post(application_data("mentee", topics)).status_code == 200
    # A second worker: a new client of the same server, with its own connection pool.
    caches["shared"] = caches.create_connection("shared")
    assert caches["shared"] is not first_worker
    edit = application_data("mentee", topics, mentoring_action="edit", goals="Changed.")
    assert post(edit).status_code == 200
    caches["shared"] = caches.create_connection("shared")
    assert post({**edit, "goals": "Third."}).status_code == 429
    assert Application.objects.get().goals == "Changed."

    server = redis.Redis.from_url(REDIS_URL)
    (key,) = server.scan_iter(f"{redis_cache['KEY_PREFIX']}:*:user:{member.pk}:*")
    assert server.get(key) == b"2"
    server.close()


# -- check W002 -----------------------------------------------------------------------


# Django 6.1's model checks ask the database whether it supports JSON fields, so every
# test that runs the system checks needs database access.
def w002():
    messages = checks.run_checks(include_deployment_checks=True)
    return [message for message in messages if message.id == "wagtail_mentoring.W002"]


@pytest.mark.django_db  # the system checks ask the database (see above)
@pytest.mark.parametrize(
    ("backend", "says"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", "each server process keeps for itself"),
        ("django.core.cache.backends.dummy.DummyCache", "no post is ever counted"),
        ("tests.test_ratelimit_cache.SiteLocMemCache", "each server process keeps for itself"),
    ],
)
def test_w002_warns_of_a_process_local_cache_when_debug_is_off(settings, backend, says):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": backend}}
    (warning,) = w002()
    assert warning.level == checks.WARNING
    assert (
        "WAGTAIL_MENTORING_RATE_LIMIT counts accepted posts in the cache 'default'" in warning.msg
    )
    assert says in warning.msg
    assert "Redis or the database cache" in warning.hint


@pytest.mark.django_db  # the system checks ask the database (see above)
def test_w002_is_a_deployment_check(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": LOCMEM}
    assert w002()
    ids = [m.id for m in checks.run_checks(include_deployment_checks=False)]
    assert "wagtail_mentoring.W002" not in ids


@pytest.mark.django_db  # the system checks ask the database (see above)
def test_w002_names_the_cache_the_setting_chooses(settings):
    settings.DEBUG = False
    database = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache"}
    settings.CACHES = {"default": database, "counters": LOCMEM}
    assert not w002()
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {"CACHE": "counters"}
    (warning,) = w002()
    assert "in the cache 'counters'" in warning.msg
    assert "CACHES['counters']" in warning.hint


@pytest.mark.django_db  # the system checks ask the database (see above)
@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.redis.RedisCache",
        "django.core.cache.backends.db.DatabaseCache",
    ],
)
def test_w002_is_silent_with_a_shared_cache(settings, backend):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "somewhere"}}
    assert not w002()


@pytest.mark.django_db  # the system checks ask the database (see above)
@pytest.mark.parametrize(
    ("debug", "limits"),
    [(True, {}), (False, {"USER": None, "IP": None}), (False, {"USER": 0, "IP": 0})],
)
def test_w002_is_silent_in_debug_or_with_the_limits_off(settings, debug, limits):
    settings.DEBUG = debug
    settings.CACHES = {"default": LOCMEM}
    settings.WAGTAIL_MENTORING_RATE_LIMIT = limits
    assert not w002()


@pytest.mark.django_db  # the system checks ask the database (see above)
def test_check_deploy_prints_w002(settings, capsys):
    settings.DEBUG = False
    settings.CACHES = {"default": LOCMEM}
    call_command("check", "--deploy", "--fail-level", "CRITICAL")
    assert "wagtail_mentoring.W002" in capsys.readouterr().err


# -- check E009 -----------------------------------------------------------------------


@pytest.mark.django_db  # the system checks ask the database (see above)
@pytest.mark.parametrize(
    ("limits", "says"),
    [
        ({"USER": "10"}, "USER must be a whole number of 0 or more, or None, got '10'"),
        ({"IP": -1}, "IP must be a whole number of 0 or more, or None, got -1"),
        ({"WINDOW_SECONDS": 0}, "WINDOW_SECONDS must be a whole number above 0, got 0"),
        ({"CACHE": "counters"}, "CACHE is 'counters', which CACHES does not define"),
        ({"USERS": 5}, "unknown key(s) 'USERS'"),
    ],
)
def test_e009_names_what_is_wrong_with_the_setting(settings, limits, says):
    settings.WAGTAIL_MENTORING_RATE_LIMIT = limits
    errors = [m for m in checks.run_checks() if m.id == "wagtail_mentoring.E009"]
    assert [error.msg for error in errors] == [f"WAGTAIL_MENTORING_RATE_LIMIT: {says}."]
    assert errors[0].level == checks.ERROR


@pytest.mark.django_db  # the system checks ask the database (see above)
def test_e009_is_silent_for_a_valid_setting(settings):
    settings.CACHES = {"default": LOCMEM, "counters": LOCMEM}
    settings.WAGTAIL_MENTORING_RATE_LIMIT = {
        "USER": 0,
        "IP": None,
        "WINDOW_SECONDS": 60,
        "CACHE": "counters",
    }
    assert "wagtail_mentoring.E009" not in [m.id for m in checks.run_checks()]
