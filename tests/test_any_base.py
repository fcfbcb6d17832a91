"""The public pages work inside any base template, whatever blocks it has.

``tests/templates/bakery_base.html`` is shaped like Wagtail's bakerydemo: blocks
``title``, ``content`` and ``js`` only, nothing in ``<head>`` for other apps. Every
public page rendered inside it links the stylesheet and the script exactly once and
hides the honeypot without any stylesheet; check W004 says what the pages fell back to.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core import checks, signing
from django.test import override_settings
from django.utils import timezone

from tests import world as w
from tests.conftest import application_data
from wagtail_mentoring.matching.lifecycle import approve, complete, end_early, propose
from wagtail_mentoring.models import SurveyFormField, SurveyPage, SurveyRound
from wagtail_mentoring.models.blocks import ProgramBodyBlock
from wagtail_mentoring.models.surveys import make_token

BAKERY = "bakery_base.html"
CSS = "/static/wagtail_mentoring/css/mentoring.css"
JS = "/static/wagtail_mentoring/js/mentoring.js"

#: A value for every block type of the programme page's body.
BODY = {
    "rich_text": "<p>How it works.</p>",
    "faq": {
        "heading": "Questions",
        "items": [
            {"question": "Who can apply?", "answer": "<p>Members.</p>"},
            {"question": "How long?", "answer": "<p>Ten months.</p>"},
        ],
    },
    "testimonial": {"quote": "Helpful.", "name": "Bo", "role": "Librarian", "image": None},
    "call_to_action": {
        "heading": "Join",
        "text": "Members only.",
        "link_text": "Join us",
        "page": None,
        "url": "https://example.org/join",
    },
    "key_facts": {"heading": "At a glance", "facts": [{"label": "Length", "value": "10 months"}]},
    "apply": {
        "heading": "Apply now",
        "text": "",
        "mentor_page": None,
        "mentor_link_text": "Be a mentor",
        "mentee_page": None,
        "mentee_link_text": "Be a mentee",
    },
    "alumni": {"heading": "Our alumni", "text": "They took part."},
}


def _w004(**overrides):
    with override_settings(**overrides):
        return [m for m in checks.run_checks() if m.id == "wagtail_mentoring.W004"]


@pytest.fixture
def every_public_page(
    client, settings, program_page, application_pages, open_cycle, make_user, topics, monkeypatch
):
    """``visit()`` returns ``{name: response}`` for every public page in every state."""
    settings.WAGTAIL_MENTORING_MEMBERSHIP_BACKEND = w.MEMBERSHIP_BACKEND
    settings.WAGTAIL_MENTORING_MIN_SUBMIT_SECONDS = 0
    body = dict(BODY)
    body["apply"] = {
        **BODY["apply"],
        "mentor_page": application_pages["mentor"],
        "mentee_page": application_pages["mentee"],
    }
    assert set(body) == set(ProgramBodyBlock().child_blocks)  # every block type is shown
    program_page.body = list(body.items())
    program_page.save_revision().publish()

    survey = SurveyPage(title="How is it going?", slug="survey")
    program_page.add_child(instance=survey)
    SurveyFormField.objects.create(
        page=survey,
        sort_order=0,
        label="How satisfied are you?",
        field_type="rating",
        required=True,
    )
    survey.save_revision().publish()
    survey = SurveyPage.objects.get(pk=survey.pk)

    def pair(first_name):
        from wagtail_mentoring.models import Application

        def make(role, capacity=None):
            user = make_user(first_name=first_name)
            return Application.objects.create(
                user=user,
                cycle=open_cycle,
                role=role,
                capacity=capacity,
                name=user.get_full_name(),
                contact_email=user.email,
                career_stage="senior" if role == "mentor" else "student",
                sector="public",
                meeting_preference="either",
                conference_attendance="yes",
            )

        return approve(propose(make("mentee"), make("mentor", capacity=1)))

    active, ended, completed = pair("Active"), pair("Ended"), pair("Done")
    survey_round = SurveyRound.objects.create(
        cycle=open_cycle, name="Fit", page=survey, months_after_start=1
    )
    end_early(ended, reason="Moved away.")
    completed.mentor.alumni_listing_consent = True
    completed.mentor.save()
    complete(completed)

    def token(match):
        return f"{survey.url}?t={make_token(match, survey_round, 'mentee')}"

    long_ago = timezone.now().timestamp() - 61 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: long_ago)
    expired = token(active)
    monkeypatch.undo()

    mentee_page = application_pages["mentee"]
    lapsed = make_user(member=False)
    lapsed.groups.add(Group.objects.get_or_create(name=w.LAPSED_GROUP)[0])
    people = {"non_member": make_user(member=False), "lapsed": lapsed, "member": make_user()}
    my_mentoring = program_page.url + program_page.reverse_subpage("my_mentoring")

    def visit():
        pages = {"programme": client.get(program_page.url)}
        pages["gate: log in"] = client.get(mentee_page.url)
        for state in ("non_member", "lapsed"):
            client.force_login(people[state])
            pages[f"gate: {state}"] = client.get(mentee_page.url)
        client.force_login(people["member"])
        pages["form"] = client.get(mentee_page.url)
        pages["form with errors"] = client.post(mentee_page.url, {"mentoring_action": "apply"})
        pages["honeypot refused"] = client.post(
            mentee_page.url, application_data("mentee", topics, website="http://spam.example")
        )
        pages["thank you"] = client.post(mentee_page.url, application_data("mentee", topics))
        pages["status"] = client.get(mentee_page.url)
        pages["my mentoring"] = client.get(my_mentoring)
        client.logout()
        pages["survey"] = client.get(token(active))
        pages["survey with errors"] = client.post(token(active), {"how_satisfied_are_you": "9"})
        pages["survey thanks"] = client.post(token(active), {"how_satisfied_are_you": "4"})
        pages["survey used"] = client.get(token(active))
        pages["survey closed"] = client.get(token(ended))
        pages["survey expired"] = client.get(expired)
        pages["survey missing link"] = client.get(survey.url)
        return pages

    return visit


def _soup(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize(
    ("base", "css_parent", "js_parent"),
    [(BAKERY, "main#main-content", "main#main-content"), ("base.html", "head", "body")],
)
def test_every_public_page_links_its_assets_once_and_hides_the_honeypot(
    every_public_page, settings, base, css_parent, js_parent
):
    settings.WAGTAIL_MENTORING_BASE_TEMPLATE = base
    pages = every_public_page()
    expected = {
        "programme": 200,
        "form with errors": 200,
        "honeypot refused": 400,
        "thank you": 200,
        "survey with errors": 400,
        "survey used": 409,
        "survey closed": 410,
        "survey expired": 410,
        "survey missing link": 400,
    }
    honeypots = 0
    for name, response in pages.items():
        assert response.status_code == expected.get(name, 200), name
        soup = _soup(response)
        links = soup.select(f'link[rel=stylesheet][href="{CSS}"]')
        scripts = soup.select(f'script[src="{JS}"]')
        assert len(links) == 1 and len(scripts) == 1, name
        assert links[0].find_parent(css_parent.split("#")[0]) is not None, name
        assert soup.select_one(css_parent).find(attrs={"href": CSS}) is not None, name
        assert soup.select_one(js_parent).find(attrs={"src": JS}) is not None, name
        assert soup.select_one(f"{'main#main-content' if base == BAKERY else 'main'} .mentoring")
        if base == BAKERY:  # the site's own blocks keep their content
            assert soup.select_one("script#bakery-js") and soup.select_one("#bakery-header")
        for field in soup.select("input[name=website]"):
            honeypots += 1
            wrapper = field.find_parent(class_="mentoring-form__trap")
            assert wrapper.has_attr("hidden"), name
            assert "display:none" in wrapper.get("style", "").replace(" ", ""), name
            assert wrapper["aria-hidden"] == "true", name
            assert field["tabindex"] == "-1" and field["autocomplete"] == "off", name
    assert honeypots == 2  # the empty form and the form shown again with its errors
    assert "There is a problem" in pages["form with errors"].content.decode()
    assert "could not be accepted" in pages["honeypot refused"].content.decode()
    assert "Thank you for applying" in pages["thank you"].content.decode()
    assert "Log in" in pages["gate: log in"].content.decode()
    assert "lapsed" in pages["gate: lapsed"].content.decode()
    assert 'data-mentoring-mode="closed"' in pages["survey closed"].content.decode()
    assert "Done" in _soup(pages["programme"]).select_one(".mentoring-alumni").text


def test_a_bakerydemo_shaped_base_template_gets_a_warning_naming_the_fallback_and_the_fix():
    (warning,) = _w004(WAGTAIL_MENTORING_BASE_TEMPLATE=BAKERY)
    assert "'bakery_base.html'" in warning.msg
    assert "'extra_css' (for the stylesheet)" in warning.msg
    assert "'extra_js' (for the script)" in warning.msg
    assert "its blocks: content, js, title" in warning.msg
    assert "inside the 'content' block instead" in warning.msg
    assert "WAGTAIL_MENTORING_BASE_TEMPLATE_BLOCKS" in warning.hint
    assert "{'CSS': None, 'JS': 'js'}" in warning.hint  # the block it has for scripts
    assert "wagtail_mentoring/base.html" in warning.hint


def test_naming_the_sites_blocks_silences_the_warning_and_uses_them(client, program_page):
    blocks = {"CSS": None, "JS": "js"}
    assert (
        _w004(WAGTAIL_MENTORING_BASE_TEMPLATE=BAKERY, WAGTAIL_MENTORING_BASE_TEMPLATE_BLOCKS=blocks)
        == []
    )
    with override_settings(
        WAGTAIL_MENTORING_BASE_TEMPLATE=BAKERY, WAGTAIL_MENTORING_BASE_TEMPLATE_BLOCKS=blocks
    ):
        soup = _soup(client.get(program_page.url))
    script = soup.select_one(f'script[src="{JS}"]')
    # In the site's js block, after what the block already held; not in the content.
    assert script.find_parent("main") is None
    assert script.find_previous_sibling("script")["id"] == "bakery-js"
    assert soup.select_one(f'main#main-content link[href="{CSS}"]')


def _templates_first(settings, templates: dict[str, str]) -> None:
    """Serve ``templates`` from memory, ahead of the test and package templates."""
    engine = settings.TEMPLATES[0]
    loaders = [
        ("django.template.loaders.locmem.Loader", templates),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    settings.TEMPLATES = [
        {**engine, "APP_DIRS": False, "OPTIONS": {**engine["OPTIONS"], "loaders": loaders}}
    ]


def test_a_block_defined_in_a_parent_of_the_base_template_counts(settings):
    _templates_first(
        settings,
        {
            "child.html": '{% extends "base.html" %}{% block title %}x{% endblock %}',
            "grandchild.html": '{% extends "child.html" %}',
            "no_content.html": "<html>{% block main %}{% endblock %}</html>",
            "dynamic.html": "{% extends parent %}",
        },
    )
    assert _w004(WAGTAIL_MENTORING_BASE_TEMPLATE="grandchild.html") == []
    empty, assets = _w004(WAGTAIL_MENTORING_BASE_TEMPLATE="no_content.html")
    assert "no block 'content'" in empty.msg and "none of their content" in empty.msg
    assert "'extra_css' (for the stylesheet)" in assets.msg
    assert "'CONTENT'" in empty.hint
    dynamic = _w004(WAGTAIL_MENTORING_BASE_TEMPLATE="dynamic.html")
    assert dynamic and all("names its parent with a variable" in m.msg for m in dynamic)


def test_a_site_that_overrides_the_bridge_template_gets_no_warning(settings):
    override = (
        '{% extends "bakery_base.html" %}{% block content %}<div class="mentoring">'
        "{% block wagtail_mentoring_content %}{% endblock %}</div>{% endblock %}"
    )
    _templates_first(settings, {"wagtail_mentoring/base.html": override})
    assert _w004(WAGTAIL_MENTORING_BASE_TEMPLATE=BAKERY) == []


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("js", "must be a dict"),
        ({"HEAD": "head"}, "'HEAD' is not a key"),
        ({"CONTENT": None}, "CONTENT must name a block"),
        ({"JS": "my scripts"}, "JS must be a block name or None"),
        ({"CSS": 3}, "CSS must be a block name or None"),
    ],
)
def test_bad_block_settings_are_errors_and_keep_the_default(client, program_page, value, problem):
    with override_settings(WAGTAIL_MENTORING_BASE_TEMPLATE_BLOCKS=value):
        errors = [m for m in checks.run_checks() if m.id == "wagtail_mentoring.E013"]
        soup = _soup(client.get(program_page.url))
    assert len(errors) == 1
    assert errors[0].msg.startswith("WAGTAIL_MENTORING_BASE_TEMPLATE_BLOCKS: ")
    assert problem in errors[0].msg
    # The page still renders, with the default blocks.
    assert soup.select_one(f'head link[href="{CSS}"]') and soup.select_one("main .mentoring")


def test_a_page_without_the_mixins_context_still_gets_the_default_blocks():
    from django.template.loader import render_to_string

    html = render_to_string("wagtail_mentoring/pages/survey_closed.html", {"page": None})
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(f'head link[href="{CSS}"]')
    assert soup.select_one("main#test-base .mentoring [data-mentoring-mode]")


def test_the_pages_follow_a_change_of_the_base_template_setting(client, program_page):
    # The layout is built per base template, so switching the setting switches it.
    for base, marker in (
        (BAKERY, "bakery-header"),
        ("base.html", "test-base"),
        (BAKERY, "bakery-header"),
    ):
        with override_settings(WAGTAIL_MENTORING_BASE_TEMPLATE=base):
            soup = _soup(client.get(program_page.url))
        assert soup.find(id=marker) is not None
        assert len(soup.select(f'link[href="{CSS}"]')) == 1
