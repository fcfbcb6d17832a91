"""The tutorial, followed to the letter in a fresh project made by `wagtail start`."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent

CHECK = textwrap.dedent(
    """
    import datetime
    from django.test import Client
    from django.utils import timezone
    from wagtail.models import Site
    from wagtail_mentoring.models import Cycle, MentoringProgramPage

    home = Site.objects.get(is_default_site=True).root_page
    page = MentoringProgramPage(
        title="Mentoring programme",
        slug="mentoring",
        body=[("faq", {"heading": "FAQ", "items": [
            {"question": "Who can apply?", "answer": "<p>Members.</p>"}]})],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    now = timezone.now()
    Cycle.objects.create(
        program_page=page, name="2027 cycle",
        applications_open=now - datetime.timedelta(days=1),
        applications_close=now + datetime.timedelta(days=30),
        pairing_start=(now + datetime.timedelta(days=90)).date(),
    )
    response = Client().get("/mentoring/")
    html = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert "Who can apply?" in html
    assert "2027 cycle:" in html and "Applications are open until" in html
    assert "/static/wagtail_mentoring/css/mentoring.css" in html
    print("TUTORIAL-OK")
    """
)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tutorial")
    subprocess.run(
        [str(BIN / "wagtail"), "start", "assocsite", str(root)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return root


def _manage(project: Path, *args: str) -> subprocess.CompletedProcess:
    unset = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env["PYTHONPATH"] = str(project)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_tutorial_steps_give_a_published_programme_page(project):
    settings = project / "assocsite" / "settings" / "base.py"
    text = settings.read_text()
    # Step 2: add the three apps to INSTALLED_APPS.
    assert '    "home",\n    "search",\n' in text
    settings.write_text(
        text.replace(
            '    "home",\n    "search",\n',
            '    "home",\n    "search",\n    "wagtail_mentoring",\n    "wagtail_modeladmin",\n'
            '    "wagtail.contrib.settings",\n',
        )
    )
    # Step 3: migrate.
    migrate = _manage(project, "migrate", "--noinput")
    assert migrate.returncode == 0, migrate.stderr
    assert "wagtail_mentoring" in migrate.stdout
    # Steps 4 and 5, through the ORM: a published page with a FAQ and an open cycle.
    check = _manage(project, "shell", "-c", CHECK)
    assert check.returncode == 0, check.stderr
    assert "TUTORIAL-OK" in check.stdout


def test_without_modeladmin_the_check_says_what_to_add(project):
    settings = project / "assocsite" / "settings" / "base.py"
    settings.write_text(settings.read_text().replace('    "wagtail_modeladmin",\n', ""))
    result = _manage(project, "check")
    assert result.returncode != 0
    assert "wagtail_mentoring.E003" in result.stderr
