import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone, translation

from wagtail_mentoring.models import Cycle, CycleStatus

UTC = datetime.UTC
OPENS = datetime.datetime(2027, 2, 1, 0, 0, tzinfo=UTC)
CLOSES = datetime.datetime(2027, 3, 1, 6, 59, tzinfo=UTC)  # 17:59 in Sydney, 22:59 (28 Feb) in LA
TICK = datetime.timedelta(microseconds=1)


@pytest.fixture
def cycle(make_cycle):
    return make_cycle(opens=OPENS, closes=CLOSES, pairing_start=datetime.date(2027, 5, 1))


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (OPENS - TICK, CycleStatus.UPCOMING),
        (OPENS, CycleStatus.OPEN),
        (CLOSES - TICK, CycleStatus.OPEN),
        (CLOSES, CycleStatus.CLOSED),
        (CLOSES + datetime.timedelta(days=400), CycleStatus.CLOSED),
    ],
)
def test_status_at_window_boundaries(cycle, when, expected):
    assert cycle.status(when) is expected
    assert cycle.is_open(when) is (expected is CycleStatus.OPEN)


def test_status_compares_instants_not_wall_clocks(cycle):
    # One minute before closing, expressed in Sydney and in Los Angeles local time.
    sydney = (CLOSES - datetime.timedelta(minutes=1)).astimezone(
        zoneinfo.ZoneInfo("Australia/Sydney")
    )
    los_angeles = sydney.astimezone(zoneinfo.ZoneInfo("America/Los_Angeles"))
    assert sydney.day == 1 and los_angeles.day == 28
    assert cycle.status(sydney) is CycleStatus.OPEN
    assert cycle.status(los_angeles) is CycleStatus.OPEN
    assert cycle.status(CLOSES.astimezone(zoneinfo.ZoneInfo("Pacific/Kiritimati"))) is (
        CycleStatus.CLOSED
    )


@pytest.mark.parametrize(
    ("zone", "expected_day"),
    [
        ("Australia/Sydney", "March 1, 2027, 5:59 p.m. AEDT"),
        ("America/Los_Angeles", "Feb. 28, 2027, 10:59 p.m. PST"),
        ("UTC", "March 1, 2027, 6:59 a.m. UTC"),
    ],
)
def test_status_message_uses_the_active_time_zone(cycle, zone, expected_day):
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo(zone)):
        assert cycle.status_message(OPENS) == f"Applications are open until {expected_day}."


def test_status_messages_for_each_state(cycle):
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("UTC")):
        assert cycle.status_message(OPENS - TICK) == (
            "Applications open on Feb. 1, 2027, midnight UTC."
        )
        assert cycle.status_message(CLOSES) == (
            "Applications closed on March 1, 2027, 6:59 a.m. UTC."
        )


def test_current_cycle_prefers_open_then_next_then_latest_closed(program_page, make_cycle):
    assert program_page.get_current_cycle() is None

    old = make_cycle(opens=-400, closes=-370, name="Old")
    older = make_cycle(opens=-800, closes=-770, name="Older")
    assert program_page.get_current_cycle() == old

    later = make_cycle(opens=200, closes=230, name="Later")
    soon = make_cycle(opens=20, closes=50, name="Soon")
    assert program_page.get_current_cycle() == soon

    open_long = make_cycle(opens=-10, closes=90, name="Open long")
    open_short = make_cycle(opens=-5, closes=10, name="Open short")
    assert program_page.get_current_cycle() == open_short
    assert {c.name for c in program_page.get_cycles()} == {
        "Old",
        "Older",
        "Later",
        "Soon",
        "Open long",
        "Open short",
    }
    assert Cycle.objects.current(timezone.now() + datetime.timedelta(days=100)) == later
    del older, open_long


def test_cycles_of_another_programme_are_ignored(program_page, make_cycle, home_page):
    from wagtail_mentoring.models import MentoringProgramPage

    other = MentoringProgramPage(title="Other programme", slug="other")
    home_page.add_child(instance=other)
    make_cycle(opens=-1, closes=10, page=other)
    assert program_page.get_current_cycle() is None
    assert other.get_current_cycle() is not None


def test_pairing_end_defaults_to_start_plus_commitment_clamped_to_month_end(make_cycle):
    cycle = make_cycle(pairing_start=datetime.date(2027, 1, 31), commitment_months=1)
    assert cycle.pairing_end == datetime.date(2027, 2, 28)
    leap = make_cycle(pairing_start=datetime.date(2027, 4, 30), commitment_months=10)
    assert leap.pairing_end == datetime.date(2028, 2, 29)


def test_explicit_pairing_end_is_kept(make_cycle):
    cycle = make_cycle(
        pairing_start=datetime.date(2027, 5, 1), pairing_end=datetime.date(2027, 12, 1)
    )
    assert cycle.pairing_end == datetime.date(2027, 12, 1)


def _cycle(program_page, **overrides):
    fields = {
        "program_page": program_page,
        "name": "2027",
        "applications_open": OPENS,
        "applications_close": CLOSES,
        "pairing_start": datetime.date(2027, 5, 1),
    }
    fields.update(overrides)
    return Cycle(**fields)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"applications_close": OPENS}, "applications_close", "must close after they open"),
        (
            {"pairing_start": datetime.date(2027, 2, 10)},
            "pairing_start",
            "before applications close",
        ),
        (
            {"matching_deadline": datetime.date(2027, 2, 28)},
            "matching_deadline",
            "cannot be before applications close",
        ),
        ({"pairing_end": datetime.date(2027, 5, 1)}, "pairing_end", "must end after it starts"),
        ({"commitment_months": 25}, "commitment_months", "at most 24 months"),
        ({"commitment_months": 0}, "commitment_months", "greater than or equal to 1"),
    ],
)
def test_clean_explains_each_mistake(program_page, overrides, field, message):
    with pytest.raises(ValidationError) as excinfo:
        _cycle(program_page, **overrides).full_clean()
    assert message in " ".join(excinfo.value.message_dict[field])


def test_clean_accepts_a_sensible_cycle(program_page):
    _cycle(program_page, matching_deadline=datetime.date(2027, 4, 1)).full_clean()


def test_clean_refuses_a_page_that_is_not_a_programme_page(home_page):
    with pytest.raises(ValidationError) as excinfo:
        _cycle(home_page).full_clean()
    assert "Choose a mentoring programme page." in excinfo.value.message_dict["program_page"]


def test_database_refuses_a_window_that_closes_before_it_opens(program_page):
    with pytest.raises(IntegrityError), transaction.atomic():
        _cycle(program_page, applications_close=OPENS - TICK).save()
    assert not Cycle.objects.exists()


@override_settings(WAGTAIL_MENTORING_DEFAULT_COMMITMENT_MONTHS=6)
def test_default_commitment_comes_from_the_setting_at_call_time(program_page):
    assert _cycle(program_page).commitment_months == 6


def test_default_commitment_is_ten_months(program_page):
    assert _cycle(program_page).commitment_months == 10


@override_settings(WAGTAIL_MENTORING_MAX_COMMITMENT_MONTHS=12)
def test_max_commitment_setting_limits_clean(program_page):
    with pytest.raises(ValidationError) as excinfo:
        _cycle(program_page, commitment_months=13).full_clean()
    assert "at most 12 months" in excinfo.value.message_dict["commitment_months"][0]
    _cycle(program_page, commitment_months=12).full_clean()
