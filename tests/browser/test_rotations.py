"""A committee member plans the conference's speed-mentoring rotations and prints them."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.rotation_world import build_rotation_world

SCREENSHOTS = "/tmp/wagtail-mentoring-screens"


@pytest.fixture
def rotation_world(program_page):
    return build_rotation_world(program_page)


def log_in(page, username="chair"):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)


def colours(page, selector):
    return page.locator(selector).first.evaluate(
        """(el) => {
            let bg = "rgba(0, 0, 0, 0)", node = el;
            while (node && (bg === "rgba(0, 0, 0, 0)" || bg === "transparent")) {
                bg = getComputedStyle(node).backgroundColor;
                node = node.parentElement;
            }
            return [getComputedStyle(el).color, bg];
        }"""
    )


def luminance(rgb: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", rgb)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.django_db(transaction=True)
def test_committee_member_plans_and_prints_the_rotations(rotation_world, browser_page):
    world = rotation_world
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    os.makedirs(SCREENSHOTS, exist_ok=True)
    log_in(page)

    page.goto(f"/admin/mentoring/conference/{world.cycle.pk}/")
    page.get_by_role("link", name="Plan the rotations").click()
    expect(page.get_by_role("heading", name="Speed-mentoring rotations")).to_be_visible()
    # Those who offered speed mentoring and those attending are ticked; others are not.
    expect(page.get_by_label("Ada Host (offered speed mentoring)")).to_be_checked()
    expect(page.get_by_label("Gus Busy")).not_to_be_checked()
    expect(page.get_by_label("Ian Guest (attending the conference)")).to_be_checked()
    expect(page.get_by_label("Uma Away")).not_to_be_checked()
    expect(page.get_by_label("Day")).to_have_value("2027-05-14")

    page.get_by_label("Tables").fill("3")
    page.get_by_label("Rounds").fill("4")
    page.get_by_label("Minutes per round").fill("12")
    page.get_by_label("First round starts at").fill("10:30")
    page.get_by_role("button", name="Plan the rotations").click()

    result = page.locator("[data-plan]")
    expect(result).to_be_visible()
    expect(page.locator('[data-figure="repeats"]')).to_have_text("0")
    expect(page.locator('[data-figure="forbidden"]')).to_have_text("0")
    for number in (1, 2, 3):
        table = page.locator(f'table[data-table="{number}"]')
        expect(table).to_be_visible()
        expect(table.locator("tbody tr")).to_have_count(4)
    first = page.locator('table[data-table="1"] tbody tr').first
    expect(first).to_contain_text("10:30")
    expect(first.locator("td").nth(1)).to_contain_text("Host")
    # The admin scrolls inside <main>: a tall window shows the whole page.
    page.set_viewport_size({"width": 1366, "height": 2400})
    page.screenshot(path=f"{SCREENSHOTS}/rotations-light.png")
    light_text, light_bg = colours(page, 'table[data-table="1"] td')
    assert luminance(light_bg) > luminance(light_text)

    # Wagtail's dark theme (it follows the browser unless the user chose one).
    page.emulate_media(color_scheme="dark")
    page.reload()
    expect(page.locator('table[data-table="1"]')).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/rotations-dark.png")
    dark_text, dark_bg = colours(page, 'table[data-table="1"] td')
    assert luminance(dark_bg) < luminance(dark_text)  # light text on a dark page
    assert abs(luminance(dark_bg) - luminance(dark_text)) > 0.4
    legend_text, legend_bg = colours(page, ".mentoring-rotation-people label")
    assert abs(luminance(legend_bg) - luminance(legend_text)) > 0.4

    # The printable page per table: one printed page per table, black on white.
    page.get_by_role("link", name="Print per table").click()
    expect(page.get_by_role("heading", name="Table 3")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/rotations-tables-dark.png")
    page.emulate_media(media="print", color_scheme="dark")
    expect(page.locator(".sidebar, [data-side-panel]").first).to_be_hidden()
    text, background = colours(page, 'table[data-table="2"] td')
    assert luminance(background) > 0.9 and luminance(text) < 0.1
    pdf = page.pdf(path=f"{SCREENSHOTS}/rotations-tables.pdf", format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 3

    # Per person: a calendar file for each.
    page.emulate_media(media="screen", color_scheme="light")
    page.go_back()
    page.get_by_role("link", name="Print per person, with calendar files").click()
    expect(page.locator("[data-person]")).to_have_count(18)
    page.screenshot(path=f"{SCREENSHOTS}/rotations-people-light.png")
    with page.expect_download() as download:
        page.get_by_role("link", name="Calendar file for Ian Guest (.ics)").click()
    ics = Path(download.value.path()).read_bytes().decode("utf-8")
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.count("BEGIN:VEVENT") >= 3
