import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from wagtail_mentoring.conf import AppSettings, app_settings

DOCS = Path(__file__).resolve().parent.parent / "docs"

# Some checks of Django and Wagtail read the database (Django 6.1 and later).
pytestmark = pytest.mark.django_db


def _check_ids(**kwargs):
    return [message.id for message in checks.run_checks(**kwargs)]


def test_defaults():
    assert app_settings.BASE_TEMPLATE == "base.html"
    assert app_settings.DEFAULT_COMMITMENT_MONTHS == 10
    assert app_settings.MAX_COMMITMENT_MONTHS == 24


@override_settings(
    WAGTAIL_MENTORING_BASE_TEMPLATE="alt_base.html",
    WAGTAIL_MENTORING_DEFAULT_COMMITMENT_MONTHS=7,
    WAGTAIL_MENTORING_MAX_COMMITMENT_MONTHS=12,
)
def test_overrides_are_read_at_call_time():
    assert app_settings.BASE_TEMPLATE == "alt_base.html"
    assert app_settings.DEFAULT_COMMITMENT_MONTHS == 7
    assert app_settings.MAX_COMMITMENT_MONTHS == 12


def test_base_template_setting_changes_what_pages_extend(client, program_page):
    html = client.get(program_page.url).content.decode()
    assert 'id="test-base"' in html and 'id="alt-base"' not in html
    with override_settings(WAGTAIL_MENTORING_BASE_TEMPLATE="alt_base.html"):
        html = client.get(program_page.url).content.decode()
    assert 'id="alt-base"' in html and 'id="test-base"' not in html
    assert "Mentoring</h1>" in html


def test_every_setting_is_documented_under_its_exact_name():
    text = (DOCS / "reference" / "settings.md").read_text()
    documented = re.findall(r"^## `(WAGTAIL_MENTORING_[A-Z_]+)`\s*$", text, re.M)
    assert documented == AppSettings.names()


def test_settings_are_not_read_at_import_time():
    source = (Path(__file__).resolve().parent.parent / "wagtail_mentoring").rglob("*.py")
    offenders = [
        str(path)
        for path in source
        if path.name != "conf.py" and re.search(r"settings\.WAGTAIL_MENTORING_", path.read_text())
    ]
    assert offenders == []


def test_default_configuration_passes_every_check():
    ids = _check_ids(include_deployment_checks=False)
    assert not [i for i in ids if i and i.startswith("wagtail_mentoring.")]


@pytest.mark.parametrize("value", ["does/not/exist.html", "", None])
def test_missing_base_template_is_an_error_naming_the_setting(value):
    with override_settings(WAGTAIL_MENTORING_BASE_TEMPLATE=value):
        errors = [m for m in checks.run_checks() if m.id == "wagtail_mentoring.E001"]
    assert len(errors) == 1
    assert "WAGTAIL_MENTORING_BASE_TEMPLATE" in errors[0].msg
    with override_settings(WAGTAIL_MENTORING_BASE_TEMPLATE=value), pytest.raises(SystemCheckError):
        call_command("check")


@pytest.mark.parametrize(
    ("default", "maximum", "setting"),
    [
        (0, 24, "WAGTAIL_MENTORING_DEFAULT_COMMITMENT_MONTHS"),
        ("10", 24, "WAGTAIL_MENTORING_DEFAULT_COMMITMENT_MONTHS"),
        (30, 24, "WAGTAIL_MENTORING_DEFAULT_COMMITMENT_MONTHS"),
        (10, 0, "WAGTAIL_MENTORING_MAX_COMMITMENT_MONTHS"),
        (10, True, "WAGTAIL_MENTORING_MAX_COMMITMENT_MONTHS"),
    ],
)
def test_bad_commitment_settings_are_errors(default, maximum, setting):
    with override_settings(
        WAGTAIL_MENTORING_DEFAULT_COMMITMENT_MONTHS=default,
        WAGTAIL_MENTORING_MAX_COMMITMENT_MONTHS=maximum,
    ):
        errors = [m for m in checks.run_checks() if m.id == "wagtail_mentoring.E002"]
    assert len(errors) == 1
    assert errors[0].msg.startswith(setting)


@pytest.mark.parametrize("value", [0, -5, "5000", 12.5, True, None])
def test_bad_max_answer_length_is_an_error(value):
    with override_settings(WAGTAIL_MENTORING_MAX_ANSWER_LENGTH=value):
        errors = [m for m in checks.run_checks() if m.id == "wagtail_mentoring.E011"]
    assert len(errors) == 1
    assert errors[0].msg.startswith("WAGTAIL_MENTORING_MAX_ANSWER_LENGTH")


def test_a_positive_max_answer_length_passes():
    with override_settings(WAGTAIL_MENTORING_MAX_ANSWER_LENGTH=300):
        assert not [m for m in checks.run_checks() if m.id == "wagtail_mentoring.E011"]


def test_missing_required_app_is_an_error():
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings_without_modeladmin"},
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "wagtail_mentoring.E003" in result.stderr
    assert "'wagtail_modeladmin' in INSTALLED_APPS" in result.stderr
