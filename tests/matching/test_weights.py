"""WAGTAIL_MENTORING_MATCH_WEIGHTS: defaults in one place, a check for bad values, no 500."""

import ast
import logging
import math
import re
from pathlib import Path

import numpy as np
import pytest
from bs4 import BeautifulSoup
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.urls import reverse

from wagtail_mentoring.conf import DEFAULT_MATCH_WEIGHTS, app_settings
from wagtail_mentoring.matching.scoring import (
    _FACTORS,
    COMPONENTS,
    Pool,
    component_matrices,
    weights_from,
)
from wagtail_mentoring.matching.suggest import suggest_mentors

DOCS = Path(__file__).resolve().parents[2] / "docs"

pytestmark = pytest.mark.django_db

BAD = [
    ({"seniority": 3}, "'seniority'"),
    ({"Topics": 40}, "'Topics'"),
    ({"topics": "heavy"}, "'heavy'"),
    ({"topics": "40"}, "'40'"),
    ({"topics": True}, "True"),
    ({"topics": None}, "None"),
    ({"topics": math.nan}, "nan"),
    ({"topics": math.inf}, "inf"),
    ({"stage": -5}, "-5"),
    ([("topics", 40)], "[('topics', 40)]"),
    (None, "None"),
]


def _e012(**settings):
    with override_settings(**settings):
        return [m for m in checks.run_checks() if m.id == "wagtail_mentoring.E012"]


def test_the_components_are_one_registry():
    assert tuple(DEFAULT_MATCH_WEIGHTS) == COMPONENTS
    one = Pool(
        ids=np.array([1]),
        person=np.array([1]),
        topics=np.zeros((1, 1), dtype=bool),
        stage=np.array([0], dtype=np.int8),
        sector=np.array([0]),
        region=np.array([0]),
        meeting=np.array([0], dtype=np.int8),
        conference=np.array([0], dtype=np.int8),
        employer=np.array([-1]),
    )
    assert tuple(component_matrices(one, one)) == COMPONENTS
    assert sorted(name for names, _features in _FACTORS for name in names) == sorted(COMPONENTS)


def test_defaults_and_overrides_are_read_from_the_setting():
    assert app_settings.MATCH_WEIGHTS == DEFAULT_MATCH_WEIGHTS
    assert weights_from(None) == DEFAULT_MATCH_WEIGHTS
    with override_settings(WAGTAIL_MENTORING_MATCH_WEIGHTS={"topics": 60, "conference": 0}):
        assert app_settings.MATCH_WEIGHTS == {
            **DEFAULT_MATCH_WEIGHTS,
            "topics": 60.0,
            "conference": 0.0,
        }


def test_the_documented_defaults_are_the_defaults():
    settings_md = (DOCS / "reference" / "settings.md").read_text()
    section = settings_md.split("## `WAGTAIL_MENTORING_MATCH_WEIGHTS`")[1].split("\n## ")[0]
    default = re.search(r"\*\*Default:\*\*\s*```python\n(.*?)\n```", section, re.S).group(1)
    assert ast.literal_eval(default) == DEFAULT_MATCH_WEIGHTS
    for name in COMPONENTS:
        assert f"`{name}`" in section
    matching_md = (DOCS / "reference" / "matching.md").read_text()
    table = dict(re.findall(r"^\| `(\w+)` \| (\d+) \|", matching_md, re.M))
    assert {name: float(points) for name, points in table.items()} == DEFAULT_MATCH_WEIGHTS


@pytest.mark.parametrize(("value", "shown"), BAD)
def test_a_bad_weight_is_a_system_error_naming_the_setting_the_value_and_the_components(
    value, shown
):
    errors = _e012(WAGTAIL_MENTORING_MATCH_WEIGHTS=value)
    assert len(errors) == 1
    message = errors[0].msg + " " + errors[0].hint
    assert errors[0].msg.startswith("WAGTAIL_MENTORING_MATCH_WEIGHTS")
    assert shown in errors[0].msg
    assert ", ".join(COMPONENTS) in message
    with (
        override_settings(WAGTAIL_MENTORING_MATCH_WEIGHTS=value),
        pytest.raises(SystemCheckError, match=re.escape("wagtail_mentoring.E012")),
    ):
        call_command("check")


def test_each_bad_entry_is_its_own_error():
    errors = _e012(WAGTAIL_MENTORING_MATCH_WEIGHTS={"topic": 50, "stage": "x", "region": 5})
    assert len(errors) == 2
    assert "'topic'" in errors[0].msg and "'x'" in errors[1].msg


@pytest.mark.parametrize("value", [{}, {"topics": 60, "conference": 0}, {"stage": 12.5}])
def test_good_weights_pass(value):
    assert _e012(WAGTAIL_MENTORING_MATCH_WEIGHTS=value) == []


@pytest.mark.parametrize(("value", "shown"), BAD[:9])
def test_python_callers_of_the_scoring_get_a_value_error(value, shown):
    with pytest.raises(ValueError, match=re.escape(shown)):
        weights_from(value)


def test_a_bad_weight_does_not_break_the_matching_pages(
    committee_client, apply, open_cycle, caplog
):
    """With a typo in the weights the admin used to answer 500; it now scores with the
    known components (the bad entries keep their default) and logs what it ignored."""
    mentee = apply("mentee", [0, 1], name="Mentee A")
    apply("mentor", [0, 1], capacity=1, name="Best fit")
    bad = {"topics": 60, "seniority": 5, "stage": "heavy"}
    with (
        override_settings(WAGTAIL_MENTORING_MATCH_WEIGHTS=bad),
        caplog.at_level(logging.WARNING, logger="wagtail_mentoring"),
    ):
        page = committee_client.get(reverse("wagtail_mentoring_matching_mentee", args=[mentee.pk]))
        assert page.status_code == 200
        row = BeautifulSoup(page.content, "html.parser").select_one("[data-suggestions] tbody tr")
        assert row.td.text == "Best fit"
        expected = sum({**DEFAULT_MATCH_WEIGHTS, "topics": 60}.values())
        assert suggest_mentors(mentee)[0].score == expected
        response = committee_client.post(
            reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk]),
            {"action": "suggest"},
            follow=True,
        )
        assert response.status_code == 200
        assert "1 match proposed" in response.content.decode()
    warnings = [r.getMessage() for r in caplog.records if "MATCH_WEIGHTS" in r.getMessage()]
    assert warnings and "'seniority'" in warnings[0] and "wagtail_mentoring.E012" in warnings[0]
