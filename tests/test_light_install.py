"""POT is an extra: importing the package and serving its pages never imports ``ot``."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter, so that no other test has imported ``ot`` already.
SCRIPT = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
os.environ["DATABASE_URL"] = "sqlite://:memory:"
import django
django.setup()
import wagtail_mentoring.matching.solver, wagtail_mentoring.matching.suggest
after_import = "ot" in sys.modules
from django.db import connection
from django.test.utils import setup_test_environment
from django.urls import reverse
setup_test_environment()
connection.creation.create_test_db(verbosity=0, serialize=False)
from tests.world import build_world, client_for
world = build_world()
cycle = world.objects["cycle"]
statuses = {}
member = client_for(world, "member")
for name in ("program", "mentor", "mentee", "survey"):
    statuses[name] = member.get(world.pages[name].url).status_code
committee = client_for(world, "committee")
index = committee.get(reverse("wagtail_mentoring_matching"), follow=True)
statuses["workspace"] = index.status_code
url = reverse("wagtail_mentoring_matching_cycle", args=[cycle.pk])
statuses["cycle"] = committee.get(url).status_code
print(json.dumps({"after_import": after_import, "after_pages": "ot" in sys.modules,
                  "statuses": statuses}))
"""


def test_pages_and_the_workspace_never_import_pot():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=900,  # migrating a fresh database takes minutes on a busy machine
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["statuses"]["workspace"] == 200, found
    assert found["statuses"]["program"] == 200, found
    assert found["statuses"]["cycle"] == 200
    assert found == {**found, "after_import": False, "after_pages": False}


def _page_model_errors():
    # The registered checks, run one by one: with a model that is not installed, Django's
    # own model checks stop at swapper's ImproperlyConfigured before any report.
    from django.core import checks

    found = []
    for check in checks.registry.registry.get_checks():
        if check.__module__.startswith("wagtail_mentoring"):
            found += [m for m in check(app_configs=None) if m.id == "wagtail_mentoring.E014"]
    return found


def test_a_swapped_page_model_is_refused_with_a_check_that_says_so():
    from django.core import checks
    from django.test import override_settings

    assert not [m for m in checks.run_checks() if m.id == "wagtail_mentoring.E014"]
    with override_settings(WAGTAIL_PAGE_MODEL="home.BasePage"):
        errors = _page_model_errors()
    assert len(errors) == 1 and errors[0].level == checks.ERROR
    assert "WAGTAIL_PAGE_MODEL is 'home.BasePage'" in errors[0].msg
    assert "Remove WAGTAIL_PAGE_MODEL" in errors[0].hint
    with override_settings(WAGTAIL_PAGE_MODEL="wagtailcore.Page"):  # naming the default
        assert not _page_model_errors()
