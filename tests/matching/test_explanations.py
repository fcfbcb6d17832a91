"""Explanations are stored as codes with parameters and rendered in the reader's language."""

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from wagtail_mentoring.conf import DEFAULT_MATCH_WEIGHTS
from wagtail_mentoring.matching.explain import render_explanation
from wagtail_mentoring.matching.lifecycle import propose
from wagtail_mentoring.matching.scoring import COMPONENTS
from wagtail_mentoring.matching.suggest import suggest_for_cycle, suggest_mentors
from wagtail_mentoring.models import Application, Match

#: A small French catalog of the explanation strings (tests only).
FRENCH = override_settings(
    LOCALE_PATHS=[str(Path(__file__).resolve().parent / "locale")],
    WAGTAILADMIN_PERMITTED_LANGUAGES=[("en", "English"), ("fr", "French")],
)


@pytest.fixture
def committee(make_user):
    user = make_user(username="committee")
    user.groups.add(Group.objects.get(name="Mentoring committee"))
    return user


def test_a_suggestion_stores_codes_and_parameters_not_sentences(apply, topics):
    mentee = apply("mentee", [0, 1])
    apply("mentor", [0, 1, 2], capacity=1, name="Best")
    with FRENCH, translation.override("fr"):
        (suggestion,) = suggest_mentors(mentee)
    parts = suggestion.explanation
    assert [part["code"] for part in parts] == list(COMPONENTS)
    assert all(set(part) == {"code", "points", "weight", "params"} for part in parts)
    by_code = {part["code"]: part for part in parts}
    assert by_code["topics"] == {
        "code": "topics",
        "points": DEFAULT_MATCH_WEIGHTS["topics"],
        "weight": DEFAULT_MATCH_WEIGHTS["topics"],
        "params": {
            "wanted": 2,
            "shared": [
                {"id": topics[0].pk, "name": "Leadership"},
                {"id": topics[1].pk, "name": "Digital services"},
            ],
        },
    }
    assert by_code["stage"]["params"] == {
        "relation": "more_senior",
        "mentee": "student",
        "mentor": "senior",
    }
    assert by_code["sector"]["params"] == {"same": True}
    assert by_code["meeting"]["params"] == {"compatible": True}
    assert by_code["conference"]["params"] == {"both": True}
    # Nothing language-dependent is stored: the French catalog was active and the
    # stored parts hold no word of it (and round-trip through JSON unchanged).
    text = json.dumps(parts, ensure_ascii=False)
    assert "propose" not in text and "thèmes" not in text and "reason" not in text
    assert json.loads(text) == parts
    assert sum(part["points"] for part in parts) == pytest.approx(suggestion.score, abs=0.02)


def test_stored_codes_render_in_the_language_active_when_they_are_read(apply):
    mentee = apply("mentee", [0, 1])
    apply("mentor", [0, 1, 2], capacity=1)
    parts = suggest_mentors(mentee)[0].explanation  # stored while English is active

    english = render_explanation(parts)
    assert english[0] == {
        "code": "topics",
        "label": "topics",
        "points": 40.0,
        "weight": 40.0,
        "reason": "offers 2 of 2 wanted topics (Leadership, Digital services)",
    }
    assert english[1]["label"] == "career stage"
    assert english[1]["reason"] == (
        "the mentor is more senior (mentor: Senior or manager; mentee: Student)"
    )
    with FRENCH, translation.override("fr"):
        french = render_explanation(parts)
    assert [part["label"] for part in french] == [
        "thèmes",
        "étape de carrière",
        "secteur",
        "région",
        "rencontres",
        "congrès",
    ]
    assert french[0]["reason"] == "propose 2 des 2 thèmes souhaités (Leadership, Digital services)"
    assert french[1]["reason"] == (
        "le mentor a plus d'expérience (mentor : Cadre ou responsable ; mentoré : Étudiant)"
    )
    assert french[2]["reason"] == "même secteur"
    assert french[5]["reason"] == "les deux assisteront au congrès annuel"
    # Rendering changes nothing stored.
    assert render_explanation(parts) == english


def test_every_reason_of_every_component_renders():
    def part(code, **params):
        return {"code": code, "points": 0.0, "weight": 10.0, "params": params}

    cases = [
        (
            part("topics", wanted=3, shared=[{"id": 1, "name": "Leadership"}]),
            "offers 1 of 3 wanted topics (Leadership)",
        ),
        (
            part("topics", wanted=1, shared=[{"id": 1, "name": "Leadership"}]),
            "offers 1 of 1 wanted topic (Leadership)",
        ),
        (part("topics", wanted=3, shared=[]), "offers none of the 3 wanted topics"),
        (part("topics", wanted=0, shared=[]), "the mentee named no wanted topics"),
        (
            part("topics", wanted=2, shared=[{"id": 7, "name": None}]),
            "offers 1 of 2 wanted topics (topic 7)",
        ),
        (
            part("stage", relation="same_stage", mentee="mid_career", mentor="mid_career"),
            "both are at the same career stage (Mid-career)",
        ),
        (
            part("stage", relation="reverse", mentee="senior", mentor="student"),
            "reverse mentoring: a less senior mentor who offers a topic the mentee wants",
        ),
        (
            part("stage", relation="less_senior", mentee="senior", mentor="student"),
            "the mentor is less senior and offers none of the wanted topics",
        ),
        (
            part("stage", relation="more_senior", mentee=0, mentor=4),
            "the mentor is more senior (mentor: Director or executive; mentee: Student)",
        ),
        (part("sector", same=False), "different sectors"),
        (part("region", same=True), "same region"),
        (part("region", same=False), "different regions"),
        (part("meeting", compatible=False), "one wants to meet in person, the other virtually"),
        (part("conference", both=False), "not both will attend the annual conference"),
    ]
    rendered = render_explanation([case for case, _reason in cases])
    assert [row["reason"] for row in rendered] == [reason for _case, reason in cases]


def test_rows_stored_with_sentences_still_display_their_sentence():
    old = [
        {"name": "topics", "points": 40, "weight": 40, "reason": "offers 1 of 1 wanted topics (X)"},
        {"name": "seniority", "points": 5, "weight": 20, "reason": "an old component"},
        {"name": "topics"},  # a partial row
    ]
    with FRENCH, translation.override("fr"):
        rendered = render_explanation(old)
    assert rendered[0] == {
        "code": "topics",
        "label": "thèmes",
        "points": 40,
        "weight": 40,
        "reason": "offers 1 of 1 wanted topics (X)",
    }
    assert rendered[1]["label"] == "seniority" and rendered[1]["reason"] == "an old component"
    assert rendered[2] == {
        "code": "topics",
        "label": "thèmes",
        "points": None,
        "weight": None,
        "reason": "",
    }
    assert render_explanation(None) == [] and render_explanation("not a list") == []
    html = render_to_string("wagtail_mentoring/admin/includes/explanation.html", {"parts": old})
    assert "offers 1 of 1 wanted topics (X)" in html and "an old component" in html


def test_the_template_renders_new_and_old_rows(apply):
    mentee = apply("mentee", [0])
    apply("mentor", [0], capacity=1)
    parts = suggest_mentors(mentee)[0].explanation
    html = render_to_string("wagtail_mentoring/admin/includes/explanation.html", {"parts": parts})
    items = [li.text for li in BeautifulSoup(html, "html.parser").select("li")]
    assert items[0] == "40 / 40 · topics: offers 1 of 1 wanted topic (Leadership)"
    assert len(items) == len(COMPONENTS)
    with FRENCH, translation.override("fr"):
        html = render_to_string(
            "wagtail_mentoring/admin/includes/explanation.html", {"parts": parts}
        )
    items = [li.text for li in BeautifulSoup(html, "html.parser").select("li")]
    assert items[0] == "40 / 40 · thèmes: propose 1 des 1 thèmes souhaités (Leadership)"


@FRENCH
def test_the_admin_shows_stored_explanations_in_the_readers_language(
    client, committee, apply, open_cycle
):
    mentee = apply("mentee", [0, 1], name="Mentee A")
    apply("mentor", [0, 1], capacity=1, name="Best fit")
    other = apply("mentee", [0], name="Mentee B")
    apply("mentor", [0], capacity=1, name="Second")
    suggest_for_cycle(open_cycle)  # stored while English is active
    proposals = list(Match.objects.filter(cycle=open_cycle))
    assert len(proposals) == 2
    assert all("reason" not in part for m in proposals for part in m.explanation)

    client.force_login(committee)
    profile = UserProfile.get_for_user(committee)
    profile.preferred_language = "fr"
    profile.save()
    page = client.get(reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk]))
    why = BeautifulSoup(page.content, "html.parser").select_one("[data-proposals]").text
    assert "thèmes: propose 2 des 2 thèmes souhaités (Leadership, Digital services)" in why
    assert "offers" not in why

    Match.objects.all().delete()
    page = client.get(reverse("wagtail_mentoring_matching_mentee", args=[mentee.pk]))
    why = BeautifulSoup(page.content, "html.parser").select_one("[data-suggestions]").text
    assert "propose 2 des 2 thèmes souhaités (Leadership, Digital services)" in why

    best = suggest_mentors(other)[0]
    match = propose(
        other,
        Application.objects.get(pk=best.mentor_id),
        score=best.score,
        explanation=best.explanation,
    )
    url = reverse("wagtail_mentoring_match_modeladmin_inspect", args=[match.pk])
    assert "propose 1 des 1 thèmes souhaités (Leadership)" in client.get(url).content.decode()
    profile.preferred_language = "en"
    profile.save()
    assert "offers 1 of 1 wanted topic (Leadership)" in client.get(url).content.decode()
