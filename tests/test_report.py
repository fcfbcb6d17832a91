"""The board report's figures, checked against a cycle computed by hand."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from wagtail_mentoring.matching.lifecycle import (
    approve,
    complete,
    end_early,
    propose,
)
from wagtail_mentoring.models import (
    Application,
    ApplicationStatus,
    SentEmail,
    SurveyPage,
    SurveyResponse,
    SurveyRound,
)
from wagtail_mentoring.report import cycle_report, percentile


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([], 0.5, None),
        ([7], 0.9, 7),
        ([10, 30], 0.5, 20),
        ([10, 30], 0.9, 28),
        ([1, 2, 3, 4], 0.5, 2.5),
    ],
)
def test_percentile(values, share, expected):
    assert percentile(values, share) == expected


@pytest.fixture
def cycle_with_history(
    make_application, make_user, program_page, django_capture_on_commit_callbacks
):
    """Mentees A, B, C and D (withdrawn); mentors M1 and M2.

    A waited 10 days and completed; B waited 30 days and ended early; C waits.
    """
    now = timezone.now()
    m1 = make_application("mentor", capacity=2)
    m2 = make_application("mentor", capacity=1)
    a = make_application("mentee")
    b = make_application("mentee")
    make_application("mentee")
    make_application("mentee", status=ApplicationStatus.WITHDRAWN)
    Application.objects.filter(pk=a.pk).update(
        submitted_at=now - datetime.timedelta(days=10, hours=1)
    )
    Application.objects.filter(pk=b.pk).update(
        submitted_at=now - datetime.timedelta(days=30, hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = approve(propose(a, m1))
        second = approve(propose(b, m2))
        complete(first)
        end_early(second, reason="Moved abroad.")
    page = SurveyPage(title="Pairing fit", slug="pairing-fit")
    program_page.add_child(instance=page)
    survey_round = SurveyRound.objects.create(
        cycle=m1.cycle, name="Pairing fit", page=page, months_after_start=1
    )
    for match in (first, second):
        for role in ("mentor", "mentee"):
            SentEmail.objects.create(
                kind="survey_invitation",
                to="x@example.org",
                idempotency_key=f"invite-{match.pk}-{role}",
                match=match,
                context={"role": role, "round": survey_round.pk},
            )
    for role, rating in (("mentor", 4), ("mentee", 5)):
        SurveyResponse.objects.create(
            match=first,
            round=survey_round,
            role=role,
            answers={
                "how_satisfied": {
                    "label": "How satisfied are you?",
                    "type": "rating",
                    "value": rating,
                },
                "comments": {"label": "Comments", "type": "multiline", "value": "Fine"},
            },
        )
    return m1.cycle


def test_the_figures_match_the_hand_computed_ones(cycle_with_history):
    report = cycle_report(cycle_with_history)
    assert report.applications == {"Mentor": 2, "Mentee": 3}
    assert report.withdrawn == 1
    assert (report.mentees_matched, report.mentees) == (2, 3)
    assert report.match_rate == pytest.approx(2 / 3)
    assert report.waiting_days == [10, 30]
    assert (report.median_wait, report.p90_wait) == (20, 28)
    assert (report.active, report.completed, report.ended_early) == (0, 1, 1)
    (survey_round,) = report.rounds
    assert (survey_round.invited, survey_round.responded, survey_round.response_rate) == (4, 2, 0.5)
    assert survey_round.averages == [("How satisfied are you?", 4.5, 2)]


def test_the_report_page_exports_and_prints(client, cycle_with_history, make_user):
    chair = make_user(member=False, is_superuser=True, is_staff=True)
    client.force_login(chair)
    assert client.get("/admin/mentoring/report/").status_code == 302
    url = f"/admin/mentoring/report/{cycle_with_history.pk}/"
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and "20.0 days" in text and "67%" in text

    rows = list(csv.reader(io.StringIO(client.get(url + "?export=csv").content.decode())))
    figures = dict(rows[1:])
    assert figures["Match rate (%)"] == "66.7"
    assert figures["90th percentile wait (days)"] == "28.0"
    assert figures["Survey Pairing fit: response rate (%)"] == "50.0"
    assert figures["Survey Pairing fit: How satisfied are you? (average of 2 answers)"] == "4.50"

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(client.get(url + "?export=xlsx").content))
    values = {row[0]: row[1] for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert values["Matches ended early"] == "1"

    printable = client.get(url + "?print=1").content.decode()
    assert printable.startswith("<!DOCTYPE html>") and "Mentoring programme: " in printable


def test_the_report_is_for_the_committee_only(client, cycle_with_history, make_user):
    from django.contrib.auth.models import Permission

    editor = make_user(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    url = f"/admin/mentoring/report/{cycle_with_history.pk}/"
    assert client.get(url).status_code == 403
    assert client.get(url + "?export=csv").status_code == 403


def _report_page(client, make_user, cycle) -> str:
    chair = make_user(member=False, is_superuser=True, is_staff=True)
    client.force_login(chair)
    return client.get(f"/admin/mentoring/report/{cycle.pk}/").content.decode()


def _bars(html: str, title: str) -> list[tuple[float, float]]:
    """(bar width, scale width) of each bar of the chart titled ``title``."""
    import re

    pattern = r'<svg[^>]*aria-label="' + re.escape(title) + r'".*?</svg>'
    svg = re.search(pattern, html, re.S)
    assert svg, f"no chart titled {title!r}"
    scales = re.findall(r'class="mentoring-chart__scale"[^>]*width="([\d.]+)"', svg.group(0))
    bars = re.findall(r'class="mentoring-chart__bar"[^>]*width="([\d.]+)"', svg.group(0))
    assert scales and len(scales) == len(bars)
    return [(float(b), float(s)) for b, s in zip(bars, scales, strict=True)]


def test_rating_bars_scale_to_the_top_of_the_scale(client, cycle_with_history, make_user):
    html = _report_page(client, make_user, cycle_with_history)
    ((bar, scale),) = _bars(html, "Pairing fit")
    assert bar / scale == pytest.approx(4.5 / 5, abs=0.01)


def test_count_bars_scale_to_the_largest_count(client, cycle_with_history, make_user):
    html = _report_page(client, make_user, cycle_with_history)
    mentors, mentees = _bars(html, "Applications by role")
    assert mentees[0] == pytest.approx(mentees[1])
    assert mentors[0] / mentors[1] == pytest.approx(2 / 3, abs=0.01)


def test_approved_pairs_not_started_are_not_active(
    client, make_application, make_user, django_capture_on_commit_callbacks
):
    from wagtail_mentoring.matching.lifecycle import start

    mentor = make_application("mentor", capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        approve(propose(make_application("mentee"), mentor))
        start(approve(propose(make_application("mentee"), mentor)))
    report = cycle_report(mentor.cycle)
    assert (report.active, report.not_started) == (1, 1)
    html = _report_page(client, make_user, mentor.cycle)
    assert '<th scope="row">Active</th><td>1</td>' in html
    assert '<th scope="row">Approved, not started yet</th><td>1</td>' in html
    url = f"/admin/mentoring/report/{mentor.cycle.pk}/?export=csv"
    figures = dict(list(csv.reader(io.StringIO(client.get(url).content.decode())))[1:])
    assert figures["Matches active"] == "1"
    assert figures["Matches approved, not started yet"] == "1"
