"""axe-core in a real browser: every public page in every state, and the committee's pages.

Each state is scanned with axe-core (bundled by ``axe-playwright-python``) for the WCAG
2.0, 2.1 and 2.2 A and AA rules; a violation of impact "serious" or "critical" fails the
test, which prints each violation's rule id, help text and the elements it found.
Public pages are scanned in four set-ups (:data:`SCHEMES`): light, two dark sites
(one says so with ``color-scheme``, one with a class) and a light site visited with a
dark preference.

Speed: the data is built once for the module (:mod:`tests.browser.a11y_world`) and
served by a live server of the module's own (pytest-django's ``live_server`` would
flush the database after every test); one browser context serves every scan, its
cookies swapped for the user each state needs. Every state has its own user, so the
states that post a form change nothing another state shows.
"""

from __future__ import annotations

import json
import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client, override_settings
from playwright.sync_api import expect

from tests import world as w
from tests.browser import a11y_world

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
AXE = Axe()


def serious_violations(page, context=None) -> list[dict]:
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    results = AXE.run(page, context=context, options=options)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


def scan(tab, name: str) -> list[dict]:
    """The serious violations on the tab; a screenshot too if WAGTAIL_MENTORING_SCREENSHOTS
    names a folder (for a person to look at both schemes)."""
    shots = os.environ.get("WAGTAIL_MENTORING_SCREENSHOTS")
    if shots:
        tab.screenshot(path=f"{shots}/a11y-{name}.png", full_page=True)
    return serious_violations(tab)


def report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


# -- fixtures: one world, one server, one browser context for the module --------------


# These tests run after every other one (the marker), on data committed once for the
# module and flushed after it; each test runs in a transaction rolled back after it.
pytestmark = [pytest.mark.django_db, pytest.mark.module_world]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with override_settings(
            WAGTAIL_MENTORING_MEMBERSHIP_BACKEND=w.MEMBERSHIP_BACKEND,
            WAGTAIL_MENTORING_MIN_SUBMIT_SECONDS=0,
        ):
            world = a11y_world.build()
            world.sessions = {}
            for role, user in world.users.items():
                if user is not None:
                    client = Client()
                    client.force_login(user)
                    world.sessions[role] = client.cookies["sessionid"].value
            yield world
        # As a transactional test does: the next test finds an empty database.
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def server(world):
    from pytest_django.live_server_helper import LiveServer

    live = LiveServer("localhost")
    yield live
    live.stop()


@pytest.fixture(scope="module")
def context(browser, server):
    context = browser.new_context(base_url=server.url)
    yield context
    context.close()


@pytest.fixture
def page(context, world, server):
    """Call it with a role: a fresh tab of the module's browser context, as that user."""
    tab = context.new_page()
    tab.set_default_timeout(15_000)

    def as_user(role: str):
        context.clear_cookies()
        if role in world.sessions:
            cookie = {"name": "sessionid", "value": world.sessions[role], "url": server.url}
            context.add_cookies([cookie])
        return tab

    yield as_user
    tab.close()


# -- what each state needs: a user, a URL, and what to do there ------------------------


def _submit(page):
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator("[data-mentoring-error-summary]")).to_be_focused()


def _apply(page):
    page.get_by_label("Your career stage").select_option("new_professional")
    page.get_by_label("Your sector").select_option("public")
    page.get_by_label("Region").fill("Eastvale")
    page.get_by_label("Virtual").check()
    page.get_by_label("Not sure").check()
    page.get_by_label("Leadership").check()
    page.get_by_label("What you hope to achieve").fill("Learn to lead a small team.")
    page.get_by_label("What kind of mentor are you hoping for?").fill("A branch manager.")
    page.get_by_label("I commit to a pairing").check()
    page.get_by_label("I agree that the mentoring committee").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for applying")


def _send_survey_empty(page):
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("[data-mentoring-error-summary]")).to_be_focused()


def _answer_survey(page):
    page.get_by_role("radiogroup", name="How satisfied are you?").get_by_label("4").check()
    page.get_by_label("Comments").fill("We meet every month.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("your answers reached the mentoring committee")).to_be_visible()


def _answer_met(page):
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("your answer reached the mentoring committee")).to_be_visible()


def _say_yes(page):
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("as soon as the other person has said yes too")).to_be_visible()


def _mode(mode):
    def check(page):
        expect(page.locator(f"[data-mentoring-mode={mode}]")).to_have_count(1)

    return check


def _my(world):
    return world.pages["program"].url + "my/"


#: state: (role, URL from the world, what to do on the page before the scan)
PUBLIC = {
    "programme": ("anonymous", lambda world: world.pages["program"].url, None),
    "gate-login": ("anonymous", lambda world: world.pages["mentee"].url, _mode("gate")),
    "gate-join": ("non_member", lambda world: world.pages["mentee"].url, _mode("gate")),
    "gate-renew": ("lapsed", lambda world: world.pages["mentee"].url, _mode("gate")),
    "form-mentee": ("applying", lambda world: world.pages["mentee"].url, _mode("form")),
    "form-mentor": ("applying", lambda world: world.pages["mentor"].url, _mode("form")),
    "form-errors": ("errors", lambda world: world.pages["mentee"].url, _submit),
    "thank-you": ("thanks", lambda world: world.pages["mentee"].url, _apply),
    "status": ("status", lambda world: world.pages["mentee"].url, _mode("status")),
    "edit": ("status", lambda world: world.pages["mentee"].url + "?edit=1", _mode("form")),
    "closed": ("member", lambda world: world.pages["closed"].url, _mode("closed")),
    "my-mentoring-empty": ("member", _my, None),
    "my-mentoring-paired": ("paired", _my, None),
    "my-mentoring-alumni": ("alumna", _my, None),
    "survey-form": ("anonymous", lambda world: world.survey_links["form"], _mode("form")),
    "survey-errors": ("anonymous", lambda world: world.survey_links["form"], _send_survey_empty),
    "survey-thanks": ("anonymous", lambda world: world.survey_links["thanks"], _answer_survey),
    "survey-used": ("anonymous", lambda world: world.survey_links["used"], _mode("used")),
    "survey-expired": ("anonymous", lambda world: world.survey_links["expired"], _mode("expired")),
    "survey-closed": ("anonymous", lambda world: world.survey_links["closed"], _mode("closed")),
    "survey-missing": ("anonymous", lambda world: world.survey_links["missing"], _mode("missing")),
    "survey-invalid": ("anonymous", lambda world: world.survey_links["invalid"], _mode("invalid")),
    "met-form": ("anonymous", lambda world: world.met_links["form"], _mode("form")),
    "met-thanks": ("anonymous", lambda world: world.met_links["thanks"], _answer_met),
    "met-invalid": ("anonymous", lambda world: world.met_links["invalid"], _mode("invalid")),
    "invitation": ("anonymous", lambda world: world.consent_links["form"], _mode("ask")),
    "invitation-answered": ("anonymous", lambda world: world.consent_links["answer"], _say_yes),
    "invitation-invalid": (
        "anonymous",
        lambda world: world.consent_links["invalid"],
        _mode("invalid"),
    ),
    "pause": ("anonymous", lambda world: world.consent_links["pause"], _mode("ask")),
}

#: How a site shows the package's pages, as real sites declare it: the visitor's
#: preference (emulated by the browser), a class the site puts on ``<html>``, and the
#: site's own stylesheet. A dark site gives the page a dark background and light text;
#: axe cannot see the browser's canvas colour, so each theme sets one, as sites do.
#:
#: * ``dark-scheme``: a site that follows the visitor and says so with CSS
#:   ``color-scheme: dark`` on ``:root``;
#: * ``dark-class``: a site whose theme switch puts ``class="dark"`` on ``<html>`` and
#:   sets no ``color-scheme`` (the package's own dark values must still apply);
#: * ``light-site-dark-preference``: the visitor prefers dark, the site stays light.
SCHEMES = {
    "light": (None, None, ""),
    "dark-scheme": (
        "dark",
        None,
        "@media (prefers-color-scheme: dark) {"
        " :root { color-scheme: dark; background: #121212; color: #e6e6e6; } }",
    ),
    "dark-class": ("dark", "dark", "html.dark { background: #1e1e24; color: #e8e6e3; }"),
    "light-site-dark-preference": ("dark", None, ""),
}

#: Applies a scheme's class and stylesheet to every document the tab opens, so the
#: actions before a scan (a form posted, a survey answered) happen in the same theme.
THEME_SCRIPT = """(() => {
    const [cls, css] = %s;
    const apply = () => {
        if (cls) document.documentElement.classList.add(cls);
        if (css) {
            const style = document.createElement("style");
            style.textContent = css;
            document.head.append(style);
        }
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", apply);
    else apply();
})()"""


def themed(tab, scheme: str):
    """The tab as a site in ``scheme`` shows it, from its next navigation on."""
    preference, cls, css = SCHEMES[scheme]
    if preference:
        tab.emulate_media(color_scheme=preference)
    if cls or css:
        tab.add_init_script(THEME_SCRIPT % json.dumps([cls, css]))
    return tab


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("state", PUBLIC)
def test_public_page_has_no_serious_violations(state, scheme, world, page):
    role, url, action = PUBLIC[state]
    tab = themed(page(role), scheme)
    tab.goto(url(world))
    if action:
        action(tab)
    if scheme.startswith("dark"):  # the theme is on, and the package's dark values too
        assert "dark" in tab.evaluate(
            "getComputedStyle(document.querySelector('.mentoring')).colorScheme"
        )
    violations = scan(tab, f"{state}-{scheme}")
    assert not violations, f"axe found on {state} ({scheme}):\n{report(violations)}"


def _cycle(world):
    return world.objects["cycle"].pk


ADMIN = {
    "matching-workspace": lambda world: f"/admin/mentoring/matching/cycle/{_cycle(world)}/",
    "matching-mentee": lambda world: (
        f"/admin/mentoring/matching/mentee/{world.objects['waiting'].pk}/"
    ),
    "report": lambda world: f"/admin/mentoring/report/{_cycle(world)}/",
    "report-print": lambda world: f"/admin/mentoring/report/{_cycle(world)}/?print=1",
    "conference": lambda world: f"/admin/mentoring/conference/{_cycle(world)}/",
    "rotations": lambda world: f"/admin/mentoring/conference/{_cycle(world)}/rotations/",
    "rotations-plan": lambda world: _rotations(world, ""),
    "rotations-errors": lambda world: _rotations(world, "", tables="0", rounds="x"),
    "rotations-tables": lambda world: _rotations(world, "tables/"),
    "rotations-people": lambda world: _rotations(world, "people/"),
}


def _rotations(world, view: str, **overrides) -> str:
    """A rotations page of the world's cycle with a plan of every mentor and mentee."""
    from urllib.parse import urlencode

    from wagtail_mentoring.models import Application

    cycle = world.objects["cycle"]
    ids = {
        role: list(Application.objects.filter(cycle=cycle, role=role).values_list("pk", flat=True))
        for role in ("mentor", "mentee")
    }
    query = {"v": ids["mentor"], "p": ids["mentee"], "tables": 1, "rounds": 2, "minutes": 10,
             "day": "2027-05-14", "start": "10:00", **overrides}  # fmt: skip
    return f"/admin/mentoring/conference/{_cycle(world)}/rotations/{view}?" + urlencode(
        query, doseq=True
    )


@pytest.mark.parametrize("state", ADMIN)
def test_committee_page_has_no_serious_violations(state, world, page):
    tab = page("superuser")
    url = ADMIN[state](world)
    response = tab.goto(url)
    expected = 400 if state.endswith("-errors") else 200  # a form with errors says so
    assert response.status == expected and tab.url.endswith(url)
    found = {"light": scan(tab, state)}
    # Wagtail's admin follows the browser's scheme unless the user chose one. The page is
    # loaded again in the dark scheme: switching a loaded page catches its buttons in
    # the middle of their background transition, a state no visitor reads.
    tab.emulate_media(color_scheme="dark")
    tab.reload()
    found["dark"] = scan(tab, f"{state}-dark")
    problems = "\n".join(f"[{scheme}]\n{report(v)}" for scheme, v in found.items() if v)
    assert not problems, f"axe found serious or critical violations on {state}:\n{problems}"


# -- keyboard only ---------------------------------------------------------------------

#: What the focused element is, and whether the user can see that it has the focus.
FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const group = el.name ? document.querySelectorAll(`[name="${el.name}"]:checked`) : [];
    return {
        tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "",
        value: el.value || "", checked: !!el.checked, groupChecked: group.length > 0,
        text: (el.innerText || "").trim(), focusVisible: el.matches(":focus-visible"),
        indicator: outline || style.boxShadow !== "none",
    };
}"""

ANSWERS = {
    "region": "Eastvale",
    "goals": "Learn to lead a small team.",
    "mentor_kind": "A branch manager.",
}


def _tab(page, *, back: bool = False) -> dict:
    page.keyboard.press("Shift+Tab" if back else "Tab")
    focused = page.evaluate(FOCUSED)
    where = focused["name"] or focused["text"] or focused["tag"]
    assert focused["tag"] != "body", "the focus fell off the page"
    assert focused["focusVisible"] and focused["indicator"], f"no visible focus on {where}"
    return focused


def _answer(page, focused: dict) -> None:
    """What a keyboard user does on the control that has the focus."""
    kind, name = focused["type"], focused["name"]
    if kind in ("text", "email", "number", "textarea") and not focused["value"]:
        if name in ANSWERS:
            page.keyboard.type(ANSWERS[name])
    elif kind == "select-one" and not focused["value"]:
        page.keyboard.press("ArrowDown")  # the first real choice, below the prompt
    elif kind in ("radio", "checkbox") and not focused["groupChecked"]:
        page.keyboard.press("Space")


def test_a_member_applies_with_the_keyboard_alone(world, page):
    from wagtail_mentoring.models import Application

    tab = page("keyboard")
    tab.goto(world.pages["mentee"].url)
    visited = []
    for _step in range(80):
        focused = _tab(tab)
        assert focused["name"] != "website", "the anti-spam field takes the keyboard focus"
        if focused["tag"] == "button" and focused["type"] == "submit":
            break
        visited.append(focused["name"])
        _answer(tab, focused)
    else:
        pytest.fail(f"Tab never reached the submit button; it visited {visited}")
    # Shift+Tab goes back to the last field, Tab forward to the button again.
    assert _tab(tab, back=True)["name"] == visited[-1]
    assert _tab(tab)["text"] == "Submit application"
    tab.keyboard.press("Enter")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Thank you for applying")
    application = Application.objects.get(user=world.users["keyboard"])
    assert application.region == "Eastvale" and application.topics.count() == 1
    assert {"career_stage", "meeting_preference", "topics", "privacy_consent"} <= set(visited)
    # Each "what matters most" question is one stop of the Tab key, answered with arrows.
    assert {"priority_topics", "priority_seniority", "priority_region"} <= set(visited)
    assert application.priorities["topics"] in ("very", "somewhat", "not")


def test_the_faq_accordion_works_with_the_keyboard(world, page):
    tab = page("anonymous")
    tab.goto(world.pages["program"].url)
    # Each question is the <summary> of a native <details>: the browser gives it the
    # focus, the keys and the expanded state that assistive technology reads.
    question = tab.locator("summary", has_text="How long does a pairing last?")
    item = tab.locator("details", has=question)
    answer = item.locator(".mentoring-faq__answer")
    for _step in range(40):
        if _tab(tab)["text"] == "How long does a pairing last?":
            break
    else:
        pytest.fail("Tab never reached the first question of the FAQ")
    expect(question).to_be_focused()
    expect(item).not_to_have_attribute("open", "")
    expect(answer).to_be_hidden()
    tab.keyboard.press("Enter")
    expect(item).to_have_attribute("open", "")
    expect(answer).to_be_visible()
    tab.keyboard.press("Space")
    expect(item).not_to_have_attribute("open", "")
    expect(answer).to_be_hidden()
    tab.keyboard.press("Space")
    expect(answer).to_contain_text("Up to ten months")
    # The next Tab reaches the next question (through the open answer, which has no
    # link), and opening it leaves the first one as it was.
    assert _tab(tab)["text"] == "Who can take part?"
    tab.keyboard.press("Enter")
    second = tab.locator("details", has=tab.locator("summary", has_text="Who can take part?"))
    expect(second).to_have_attribute("open", "")
    expect(item).to_have_attribute("open", "")
    assert tab.evaluate(FOCUSED)["focusVisible"]
