"""The committee's speed-mentoring rotations: the plan page, its printable pages and
downloads, and the glue that reads the cycle (``wagtail_mentoring.conference``)."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.rotation_world import build_rotation_world, plan_query
from wagtail_mentoring import ical
from wagtail_mentoring.conference import plan_conference, rotation_inputs


@pytest.fixture
def world(program_page):
    return build_rotation_world(program_page)


@pytest.fixture
def chair(client, world):
    client.force_login(world.committee)
    return client


def url(world, name="wagtail_mentoring_rotations"):
    return reverse(name, args=[world.cycle.pk])


def plan_of(chair, world, **overrides):
    response = chair.get(url(world), plan_query(world, **overrides))
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def pairs_in(schedule):
    return [(host.id, guest.id) for _r, _s, _e, _t, host, guest, _f in schedule.rows() if host]


# -- the glue ---------------------------------------------------------------------------


def test_matched_completed_and_colleague_pairs_are_forbidden(world):
    inputs = rotation_inputs(
        world.cycle, [a.pk for a in world.volunteers], [a.pk for a in world.participants]
    )
    v_index = {p.id: i for i, p in enumerate(inputs.volunteers)}
    p_index = {p.id: i for i, p in enumerate(inputs.participants)}
    forbidden = {
        (mentor.pk, mentee.pk)
        for mentor, mentee in (world.matched, world.completed, world.colleagues)
    }
    for mentor, mentee in forbidden:
        assert inputs.forbidden[p_index[mentee], v_index[mentor]], (mentor, mentee)
    # Nothing else: the other participants work elsewhere and were never matched.
    assert int(inputs.forbidden.sum()) == len(forbidden)


def test_a_member_who_is_both_mentor_and_mentee_never_meets_themselves(world):
    from wagtail_mentoring.models import Application

    me = world.volunteers[3]
    mine = Application.objects.create(
        user=me.user, cycle=world.cycle, role="mentee", contact_email=me.contact_email,
        name=me.name, career_stage="student", sector="public", region="North",
        meeting_preference="either", conference_attendance="yes", goals="Grow.",
    )  # fmt: skip
    inputs = rotation_inputs(world.cycle, [me.pk], [mine.pk])
    assert inputs.forbidden.tolist() == [[True]]


def test_ids_of_another_cycle_are_left_out(world):
    inputs = rotation_inputs(
        world.cycle,
        [world.volunteers[0].pk],
        [world.other_cycle_mentee.pk, world.participants[3].pk],
    )
    assert [p.id for p in inputs.participants] == [world.participants[3].pk]


def test_the_plan_is_reproducible_and_breaks_no_rule(world):
    args = (world.cycle, [a.pk for a in world.volunteers], [a.pk for a in world.participants])
    start = datetime.datetime(2027, 5, 14, 10, 30, tzinfo=datetime.UTC)
    one = plan_conference(*args, tables=3, rounds=4, start=start, minutes=12)
    two = plan_conference(*reversed_args(args), tables=3, rounds=4, start=start, minutes=12)
    assert one.digest == two.digest
    assert (one.plan.seats == two.plan.seats).all()
    assert one.figures["repeats"] == 0 and one.figures["forbidden"] == 0
    pairs = pairs_in(one)
    assert len(pairs) == len(set(pairs)) == one.figures["conversations"]
    for mentor, mentee in (world.matched, world.completed, world.colleagues):
        assert (mentor.pk, mentee.pk) not in pairs
    assert one.times[0] == (start, start + datetime.timedelta(minutes=12))
    assert one.times[-1][1] == start + datetime.timedelta(minutes=48)
    # Against random rotations of the same people, seeded: the same baseline each time.
    assert one.baseline == two.baseline and one.random_rotations == 100
    assert 0 <= one.baseline["topic_fit"] <= 1 and one.baseline["conversations"] == 48


def reversed_args(args):
    cycle, volunteers, participants = args
    return cycle, list(reversed(volunteers)), list(reversed(participants))


# -- the page ---------------------------------------------------------------------------


def test_the_form_ticks_those_who_offered_speed_mentoring_and_attend(chair, world):
    response = chair.get(url(world))
    assert response.status_code == 200
    form = response.context["form"]
    assert sorted(form["v"].value()) == sorted(a.pk for a in world.volunteers)
    assert sorted(form["p"].value()) == sorted(a.pk for a in world.participants)
    assert form["day"].value() == world.cycle.conference_date
    body = response.content.decode()
    assert world.not_volunteering.name in body  # listed, not ticked
    assert "Uma Away" in body
    assert world.other_cycle_mentee.name not in body
    # Accessible: fieldsets with legends, labels for every input.
    assert body.count("<fieldset") >= 4 and "<legend" in body
    for name in ("tables", "rounds", "minutes", "day", "start"):
        assert f'<label class="w-field__label" for="id_{name}">' in body
    assert response.context["schedule"] is None


def test_the_page_renders_the_plan_with_its_figures(chair, world):
    response = plan_of(chair, world)
    schedule = response.context["schedule"]
    body = response.content.decode()
    assert schedule.figures["repeats"] == 0 and schedule.figures["forbidden"] == 0
    assert re.search(r'data-figure="repeats">0<', body)
    assert re.search(r'data-figure="forbidden">0<', body)
    assert 'data-figure="random_topic_fit"' in body
    assert "Best of 100 random rotations" in body
    # Per table: every table, every round's time, its host, its participants.
    for number in (1, 2, 3):
        assert f'data-table="{number}"' in body
    assert "10:30" in body or "10:30 a.m." in body
    assert body.count('<th scope="col">Host</th>') == 3
    first = schedule.by_table()[0]["rounds"][0]
    assert first["host"].name in body
    assert all(p.name in body for p in first["participants"])
    # Links to the printable pages and downloads carry the plan's digest.
    assert f"plan={schedule.digest}" in body


def test_the_same_query_gives_the_same_plan(chair, world):
    one = plan_of(chair, world).context["schedule"]
    two = plan_of(chair, world).context["schedule"]
    assert one.digest == two.digest


def test_a_host_keeps_their_table_while_hosting(chair, world):
    schedule = plan_of(chair, world, rounds=6).context["schedule"]
    hosts = schedule.plan.hosts.tolist()
    for r in range(1, len(hosts)):
        for table, host in enumerate(hosts[r]):
            if host in hosts[r - 1]:
                assert hosts[r - 1][table] == host


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"tables": "abc"}, "tables", "Enter a whole number."),
        ({"tables": "0"}, "tables", "greater than or equal to 1"),
        ({"tables": "7"}, "tables", "more tables than volunteers"),
        ({"rounds": "0"}, "rounds", "greater than or equal to 1"),
        ({"rounds": "13"}, "rounds", "less than or equal to 12"),
        ({"rounds": "1e309"}, "rounds", "Enter a whole number."),
        ({"minutes": "-5"}, "minutes", "greater than or equal to 1"),
        ({"minutes": "99999999999999999999"}, "minutes", "less than or equal to 240"),
        ({"day": "2027-02-30"}, "day", "Enter a valid date."),
        ({"day": "9999-12-31"}, "day", "within ten years"),
        ({"start": "25:00"}, "start", "Enter a valid time."),
        ({"v": []}, "v", "Choose at least one volunteer."),
        ({"p": ["1\x00"]}, "p", "That is not a mentee of this cycle"),
        ({"p": ["٣"]}, "p", "is not a mentee of this cycle"),
        ({"v": ["99999999999999999999"]}, "v", "That is not a mentor of this cycle"),
    ],
)
def test_bad_input_is_a_form_error(chair, world, overrides, field, message):
    response = chair.get(url(world), plan_query(world, **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message.casefold() in " ".join(errors[field]).casefold(), errors
    assert response.context["schedule"] is None
    assert message.casefold() in response.content.decode().casefold().replace("&#x27;", "'")


def test_ids_of_another_cycle_or_the_wrong_role_are_form_errors(chair, world):
    for overrides, field in (
        ({"p": [world.other_cycle_mentee.pk]}, "p"),
        ({"p": [world.volunteers[0].pk]}, "p"),
        ({"v": [world.participants[0].pk, *[a.pk for a in world.volunteers]]}, "v"),
    ):
        response = chair.get(url(world), plan_query(world, **overrides))
        assert response.status_code == 400
        assert field in response.context["form"].errors


def test_more_tables_than_participants_is_a_form_error(chair, world):
    response = chair.get(url(world), plan_query(world, p=[world.participants[0].pk]))
    assert response.status_code == 400
    assert "more tables than participants" in str(response.context["form"].errors["tables"])


def test_the_round_limit_is_a_setting(chair, world, settings):
    settings.WAGTAIL_MENTORING_ROTATION_MAX_ROUNDS = 2
    assert chair.get(url(world), plan_query(world, rounds=3)).status_code == 400
    assert chair.get(url(world), plan_query(world, rounds=2)).status_code == 200
    settings.WAGTAIL_MENTORING_ROTATION_MAX_ROUNDS = "many"  # not a number: the default
    assert chair.get(url(world), plan_query(world, rounds=12)).status_code == 200


def test_the_number_of_random_rotations_is_a_setting(chair, world, settings):
    settings.WAGTAIL_MENTORING_ROTATION_RANDOM_ROTATIONS = 5
    response = plan_of(chair, world)
    assert response.context["schedule"].random_rotations == 5
    assert "Best of 5 random rotations" in response.content.decode()
    settings.WAGTAIL_MENTORING_ROTATION_RANDOM_ROTATIONS = 0
    response = plan_of(chair, world)
    assert response.context["schedule"].baseline == {}
    assert "random rotation" not in response.content.decode()


# -- printable pages ----------------------------------------------------------------------


def download(chair, world, name, **extra):
    page = plan_of(chair, world)
    schedule = page.context["schedule"]
    response = chair.get(url(world, name), {**plan_query(world), "plan": schedule.digest, **extra})
    return schedule, response


def test_the_page_per_table(chair, world):
    schedule, response = download(chair, world, "wagtail_mentoring_rotations_tables")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="mentoring-rotation-sheet"') == 3
    for table in schedule.by_table():
        for row in table["rounds"]:
            assert row["host"].name in body
    assert 'th scope="row"' in body and "window.print()" in body
    assert "mentoring-print" in body  # the print stylesheet's page


def test_the_page_per_person(chair, world):
    schedule, response = download(chair, world, "wagtail_mentoring_rotations_people")
    assert response.status_code == 200
    body = response.content.decode()
    everyone = schedule.everyone()
    assert len(everyone) == len(world.volunteers) + len(world.participants)
    assert body.count('class="mentoring-rotation-sheet"') == len(everyone)
    for person in everyone:
        assert f'data-person="{person.id}"' in body
        assert f"person={person.id}" in body  # its calendar file
    # A participant's sheet names the host and the table of each round.
    guest = world.participants[5]
    seats = schedule.schedule_of(schedule.person(guest.pk))
    sheet = body.split(f'data-person="{guest.pk}"')[1].split("</section>")[0]
    for seat in seats:
        assert (f"Table {seat.table}" if seat.table else "Sits this round out") in sheet
        for other in seat.with_:
            assert other.name in sheet


def test_the_print_stylesheet_breaks_pages_per_sheet(client):
    from django.contrib.staticfiles import finders

    css = Path(finders.find("wagtail_mentoring/admin/css/admin.css")).read_text(encoding="utf-8")
    rotations = css[css.index("Speed-mentoring rotations") :]
    assert "@media print" in rotations
    assert re.search(r"\.mentoring-rotation-sheet\s*\{[^}]*break-before:\s*page", rotations)
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b", rotations)  # Wagtail's colours only


# -- CSV --------------------------------------------------------------------------------


def test_the_csv_has_one_row_per_participant_and_round(chair, world):
    schedule, response = download(chair, world, "wagtail_mentoring_rotations_csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Round", "Starts", "Ends", "Table", "Host", "Participant", "On a wanted topic"
    ]  # fmt: skip
    assert len(rows) - 1 == 4 * len(world.participants)
    assert rows[1][:3] == ["1", "2027-05-14 10:30", "2027-05-14 10:42"]
    names = {a.name for a in world.volunteers}
    seated = [row for row in rows[1:] if row[3]]
    assert len(seated) == schedule.figures["conversations"]
    assert all(row[4] in names and row[6] in ("Yes", "No") for row in seated)
    pairs = [(row[4], row[5]) for row in seated]
    assert len(pairs) == len(set(pairs))
    for mentor, mentee in (world.matched, world.completed, world.colleagues):
        assert (mentor.name, mentee.name) not in pairs


def test_the_csv_neutralises_formulas(chair, world):
    guest = world.participants[4]
    guest.name = '=HYPERLINK("http://evil.example")'
    guest.save()
    host = world.volunteers[4]
    host.name = "+cmd|' /C calc'!A0"
    host.save()
    _schedule, response = download(chair, world, "wagtail_mentoring_rotations_csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


# -- calendar files -----------------------------------------------------------------------


def parse_ics(text: str) -> list[tuple[str, str]]:
    """(name with parameters, value) per content line, after unfolding."""
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    lines = [line for line in unfolded.split("\r\n") if line]
    return [tuple(line.split(":", 1)) for line in lines]


def events_of(lines):
    events, current = [], None
    for name, value in lines:
        if (name, value) == ("BEGIN", "VEVENT"):
            current = {}
        elif (name, value) == ("END", "VEVENT"):
            events.append(current)
            current = None
        elif current is not None:
            current[name] = value
    return events


def test_a_participants_calendar_has_one_event_per_round(chair, world, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    guest = world.participants[6]
    schedule, response = download(
        chair, world, "wagtail_mentoring_rotations_calendar", person=guest.pk
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].endswith('.ics"')
    lines = parse_ics(response.content.decode("utf-8"))
    assert lines[0] == ("BEGIN", "VCALENDAR") and lines[-1] == ("END", "VCALENDAR")
    assert ("VERSION", "2.0") in lines and any(name == "PRODID" for name, _v in lines)
    events = events_of(lines)
    seats = [s for s in schedule.schedule_of(schedule.person(guest.pk)) if s.table]
    assert len(events) == len(seats) == 4
    madrid = ZoneInfo("Europe/Madrid")
    for event, seat in zip(events, seats, strict=True):
        for key in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION"):
            assert key in event, key
        start = datetime.datetime.strptime(event["DTSTART"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.UTC
        )
        end = datetime.datetime.strptime(event["DTEND"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.UTC
        )
        # 10:30 in Madrid (summer time) is 08:30 UTC; rounds of 12 minutes.
        local = datetime.datetime(2027, 5, 14, 10, 30, tzinfo=madrid) + datetime.timedelta(
            minutes=12 * (seat.round - 1)
        )
        assert start == local and end - start == datetime.timedelta(minutes=12)
        assert event["LOCATION"] == f"Table {seat.table}"
        assert seat.with_[0].name in event["DESCRIPTION"]
    assert events[0]["DTSTART"] == "20270514T083000Z"
    assert len({e["UID"] for e in events}) == len(events)


def test_a_volunteers_calendar_lists_the_rounds_they_host(chair, world):
    host = world.volunteers[5]
    schedule, response = download(
        chair, world, "wagtail_mentoring_rotations_calendar", person=host.pk
    )
    events = events_of(parse_ics(response.content.decode("utf-8")))
    hosting = [s for s in schedule.schedule_of(schedule.person(host.pk)) if s.table]
    assert len(events) == len(hosting) >= 1
    assert [e["LOCATION"] for e in events] == [f"Table {s.table}" for s in hosting]


def test_calendar_text_is_escaped_and_folded():
    moment = datetime.datetime(2027, 5, 14, 10, 30, tzinfo=datetime.UTC)
    text = ical.calendar(
        [
            ical.Event(
                uid="a@b",
                start=moment,
                end=moment,
                summary="Talk; with Ana, Bo\\Cy\nand ñandú " + "é" * 80,
                location="Table 1",
            )
        ],
        stamp=moment,
    )
    lines = parse_ics(text)
    summary = dict(lines)["SUMMARY"]
    assert summary.startswith("Talk\\; with Ana\\, Bo\\\\Cy\\nand ñandú éé")
    assert summary.endswith("é" * 10)
    raw = text.split("\r\n")
    assert any(line.startswith(" ") for line in raw)  # folded
    assert all(len(line.encode()) <= 75 for line in raw)
    assert dict(lines)["DTSTAMP"] == "20270514T103000Z"


def test_a_calendar_for_someone_outside_the_plan_is_refused(chair, world):
    for person in ("", "abc", str(world.not_volunteering.pk), "99999999999999999999"):
        _schedule, response = download(
            chair, world, "wagtail_mentoring_rotations_calendar", person=person
        )
        assert response.status_code == 400, person
        assert "Choose a volunteer or a participant" in response.content.decode()


# -- downloads with stale or bad inputs ------------------------------------------------


def test_a_download_after_the_data_changed_says_so(chair, world):
    schedule = plan_of(chair, world).context["schedule"]
    # A new match between a host and a guest who were to meet.
    from wagtail_mentoring.matching.lifecycle import approve, propose

    host, guest = next(
        (h, p)
        for _r, _s, _e, _t, h, p, _f in schedule.rows()
        if h and h.id != world.matched[0].pk and p.id != world.matched[1].pk
    )
    from wagtail_mentoring.models import Application

    approve(propose(Application.objects.get(pk=guest.id), Application.objects.get(pk=host.id)))
    for name in (
        "wagtail_mentoring_rotations_tables",
        "wagtail_mentoring_rotations_people",
        "wagtail_mentoring_rotations_csv",
    ):
        response = chair.get(url(world, name), {**plan_query(world), "plan": schedule.digest})
        assert response.status_code == 409, name
        assert "no longer the same plan" in response.content.decode()
    # Without a digest, a download is today's plan.
    fresh = chair.get(url(world, "wagtail_mentoring_rotations_csv"), plan_query(world))
    assert fresh.status_code == 200


def test_downloads_with_bad_inputs_say_what_is_wrong(chair, world):
    for name in (
        "wagtail_mentoring_rotations_tables",
        "wagtail_mentoring_rotations_people",
        "wagtail_mentoring_rotations_csv",
        "wagtail_mentoring_rotations_calendar",
    ):
        empty = chair.get(url(world, name))
        assert empty.status_code == 400
        assert "Plan the rotations first" in empty.content.decode()
        bad = chair.get(url(world, name), plan_query(world, rounds="0"))
        assert bad.status_code == 400
        assert "greater than or equal to 1" in bad.content.decode()


# -- access -------------------------------------------------------------------------------

NAMES = [
    "wagtail_mentoring_rotations",
    "wagtail_mentoring_rotations_tables",
    "wagtail_mentoring_rotations_people",
    "wagtail_mentoring_rotations_csv",
    "wagtail_mentoring_rotations_calendar",
]


@pytest.mark.parametrize("name", NAMES)
def test_only_the_committee_gets_in(client, world, name, django_user_model):
    query = {**plan_query(world), "person": world.participants[3].pk}
    assert client.get(url(world, name), query).status_code in (302, 403)  # anonymous
    editor = django_user_model.objects.create_user("editor", password="pw")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.get(url(world, name), query)
    assert response.status_code == 403
    assert world.participants[3].name not in response.content.decode()
    client.force_login(world.volunteers[0].user)  # a member, in the plan
    assert client.get(url(world, name), query).status_code in (302, 403)


def test_the_index_opens_the_cycle_and_the_menu_has_it(chair, world):
    response = chair.get(reverse("wagtail_mentoring_rotations_index"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith(url(world))
    conference = chair.get(reverse("wagtail_mentoring_conference", args=[world.cycle.pk]))
    assert url(world) in conference.content.decode()
    assert reverse("wagtail_mentoring_rotations_index") in chair.get("/admin/").content.decode()
