"""In a real browser: the pages inside a bakerydemo-shaped base template, light and dark.

Set ``WAGTAIL_MENTORING_SCREENSHOTS`` to a folder to keep a screenshot of each page in
each scheme, for a person to look at.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.browser.test_landing_page import _log_in

BAKERY = "bakery_base.html"

# Composite every background from the page up, then the WCAG contrast ratio of the
# element's text colour (with its alpha) over that background. Colours are read
# through a canvas, so any CSS colour syntax (color-mix(), color(srgb ...)) works.
CONTRAST_JS = """
(selector) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = "#000"; ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = (top, bottom) => top.slice(0, 3).map(
    (c, i) => c * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const luminance = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const results = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.checkVisibility()) continue;
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      layers.push(rgba(getComputedStyle(node).backgroundColor));
    }
    let background = [255, 255, 255, 1];  // the canvas behind the page
    const root = getComputedStyle(document.documentElement).colorScheme;
    if (root.includes("dark") && !root.includes("light")) background = [18, 18, 18, 1];
    for (const layer of layers.reverse()) background = over(layer, background);
    const text = over(rgba(getComputedStyle(el).color), background);
    const [a, b] = [luminance(text), luminance(background)].sort((x, y) => y - x);
    results.push({text: el.textContent.trim().slice(0, 40), ratio: (a + 0.05) / (b + 0.05)});
  }
  return results;
}
"""

#: Text the package colours or places on its own backgrounds, and its minimum ratio.
CHECKED = {
    ".mentoring h1, .mentoring-form__field > label, .mentoring-form__field legend": 4.5,
    ".mentoring-button": 4.5,
    ".mentoring-form__error, .mentoring-form__summary h2, .mentoring-form__summary a": 4.5,
    ".mentoring-form__required, .mentoring-form__help, .mentoring-form__required-note": 4.5,
    ".mentoring-cta p, .mentoring-gate p, .mentoring-faq__question": 4.5,
    ".mentoring-status p, .mentoring-status summary, .mentoring-wait": 4.5,
}


def _shot(page, name):
    folder = os.environ.get("WAGTAIL_MENTORING_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.fixture
def site(
    transactional_db,
    django_db_serialized_rollback,
    settings,
    program_page,
    mentee_page,
    open_cycle,
    topics,
    member,
):
    settings.WAGTAIL_MENTORING_MIN_SUBMIT_SECONDS = 0
    program_page.body = [
        (
            "faq",
            {
                "heading": "Questions",
                "items": [
                    {"question": "Who can apply?", "answer": "<p>Any member.</p>"},
                    {"question": "How long?", "answer": "<p>Ten months.</p>"},
                ],
            },
        ),
        (
            "call_to_action",
            {
                "heading": "Join",
                "text": "Members only.",
                "link_text": "Join us",
                "page": None,
                "url": "https://example.org/join",
            },
        ),
    ]
    program_page.save_revision().publish()
    from wagtail_mentoring.models import Application

    # The member's mentor application: the mentor page shows its status.
    mentor_page = mentee_page.get_siblings().exclude(pk=mentee_page.pk).get().specific
    Application.objects.create(
        user=member,
        cycle=open_cycle,
        role="mentor",
        page=mentor_page,
        capacity=1,
        name="Mia Member",
        contact_email=member.email,
        career_stage="senior",
        sector="public",
        meeting_preference="either",
        conference_attendance="yes",
    )
    return {
        "settings": settings,
        "program": program_page,
        "mentee": mentee_page,
        "mentor": mentor_page,
    }


def _faq_opens_and_closes(page):
    question = page.locator("summary", has_text="Who can apply?")
    answer = page.locator("details", has=question).locator(".mentoring-faq__answer")
    expect(answer).to_be_hidden()
    question.click()
    expect(answer).to_be_visible()
    expect(answer).to_contain_text("Any member.")
    question.focus()
    page.keyboard.press("Enter")
    expect(answer).to_be_hidden()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("script", [True, False])
def test_in_a_bakerydemo_shaped_base_the_faq_works_and_the_honeypot_is_unseen(
    site, browser, live_server, script
):
    site["settings"].WAGTAIL_MENTORING_BASE_TEMPLATE = BAKERY
    context = browser.new_context(base_url=live_server.url, java_script_enabled=script)
    page = context.new_page()
    try:
        page.goto(site["program"].url)
        expect(page.locator("#bakery-header")).to_be_visible()
        # The stylesheet applies: the call to action's link is a button.
        button = page.get_by_role("link", name="Join us")
        assert button.evaluate("el => getComputedStyle(el).display") == "inline-block"
        _faq_opens_and_closes(page)

        _log_in(page, live_server, _member())
        page.goto(site["mentee"].url)
        expect(page.get_by_label("Contact email")).to_be_visible()
        honeypot = page.locator("input[name=website]")
        assert honeypot.count() == 1 and not honeypot.is_visible()
        assert not page.get_by_text("Leave this field empty").is_visible()
    finally:
        context.close()


SCHEMES = [
    ("light", "base.html", "light"),
    ("light-bakery", BAKERY, "light"),
    ("dark-bakery", BAKERY, "dark"),  # data-theme="dark" and color-scheme: dark
    ("dark-class", "dark_base.html", "light"),  # a dark page that says so by a class
    ("dark-preference-light-site", "base.html", "dark"),  # the site stays light
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("name", "base", "scheme"), SCHEMES, ids=[s[0] for s in SCHEMES])
def test_text_buttons_and_errors_keep_their_contrast_in_light_and_dark(
    site, browser, live_server, name, base, scheme
):
    site["settings"].WAGTAIL_MENTORING_BASE_TEMPLATE = base
    context = browser.new_context(base_url=live_server.url, color_scheme=scheme)
    page = context.new_page()
    try:
        _log_in(page, live_server, _member())
        low = []
        for label, url, action in (
            ("programme", site["program"].url, None),
            ("form-errors", site["mentee"].url, "Submit application"),
            ("status", site["mentor"].url, None),
        ):
            page.goto(url)
            if action:
                page.get_by_role("button", name=action).click()
                expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
                # The focus ring of the focused error summary stands out from the page.
                ring = page.locator("[data-mentoring-error-summary]").evaluate(
                    "el => getComputedStyle(el).outlineStyle"
                )
                assert ring == "solid", name
                errors = page.evaluate(CONTRAST_JS, ".mentoring-form__error")
                assert errors, "the error messages are measured"
            _shot(page, f"{label}-{name}")
            for selector, minimum in CHECKED.items():
                for found in page.evaluate(CONTRAST_JS, selector):
                    if found["ratio"] < minimum:
                        low.append((label, selector, found))
        assert low == []
    finally:
        context.close()


def _member():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="member")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("base", ["base.html", "dark_base.html"])
def test_buttons_and_fields_in_error_look_like_their_kind(site, browser, live_server, base):
    """A submit button is as bold as a link button; a select in error (whose border
    takes away its native look) keeps the colours of a text field, as the selects not
    in error show them: only its border says it is in error."""
    site["settings"].WAGTAIL_MENTORING_BASE_TEMPLATE = base
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    look = "el => [getComputedStyle(el).fontWeight, getComputedStyle(el).backgroundColor]"
    try:
        page.goto(site["program"].url)
        link_button = page.get_by_role("link", name="Join us").evaluate(look)
        _log_in(page, live_server, _member())
        page.goto(site["mentee"].url)
        page.get_by_role("button", name="Submit application").click()
        expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
        submit = page.get_by_role("button", name="Submit application").evaluate(look)
        assert submit[0] == link_button[0]
        in_error = page.get_by_label("Your career stage").evaluate(look)
        text_field = page.get_by_label("Employer or organisation").evaluate(look)
        assert in_error[1] == text_field[1]
    finally:
        context.close()
