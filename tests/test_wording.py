"""Sentences a person reads, with 1 and with 2: plural forms, no "(s)", no double stop."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string

from wagtail_mentoring.emails.rendering import render_templates
from wagtail_mentoring.models.matches import FlagCause, flag_words
from wagtail_mentoring.report import CycleReport, RoundFigures
from wagtail_mentoring.schedule import ScheduleSummary

TODAY = datetime.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (
            1,
            [
                "1 match started",
                "1 match completed",
                "1 active match looked at",
                "1 check-in email queued",
                "1 conference reminder queued",
                "1 survey invitation queued",
                "1 survey reminder queued",
                "1 match flagged: a membership lapsed",
                "1 invitation reminder queued",
                "1 invitation not answered in time: the mentee is first in line again",
                '1 "Have you met yet?" email queued',
            ],
        ),
        (
            2,
            [
                "2 matches started",
                "2 matches completed",
                "2 active matches looked at",
                "2 check-in emails queued",
                "2 conference reminders queued",
                "2 survey invitations queued",
                "2 survey reminders queued",
                "2 matches flagged: a membership lapsed",
                "2 invitation reminders queued",
                "2 invitations not answered in time: the mentees are first in line again",
                '2 "Have you met yet?" emails queued',
            ],
        ),
    ],
)
def test_the_schedule_summary_counts_in_words(n, expected):
    summary = ScheduleSummary(
        today=TODAY,
        started=n,
        completed=n,
        active=n,
        checkins=n,
        conference=n,
        surveys=n,
        reminders=n,
        flagged=n,
        invitations_reminded=n,
        invitations_expired=n,
        met_checks=n,
    )
    lines = [str(line) for line in summary.lines()]
    assert lines[1:] == expected
    assert not any("(s)" in line or "(es)" in line for line in lines)


def test_a_survey_flag_quotes_the_question_and_the_answer():
    words = flag_words(FlagCause.SURVEY, role="mentee", answers="Is this pairing a good fit?: No")
    assert words == 'The mentee answered "No" to "Is this pairing a good fit?".'
    two = flag_words(
        FlagCause.SURVEY,
        role="mentor",
        answers="Is this pairing a good fit?: No; Would you recommend it?: No",
    )
    assert two == (
        'The mentor answered "No" to "Is this pairing a good fit?" '
        'and "No" to "Would you recommend it?".'
    )


@pytest.mark.parametrize(
    ("month", "words"), [("1", "has run for 1 month."), ("8", "for 8 months.")]
)
def test_the_check_in_email_counts_months(month, words):
    values = {
        "name": "Amara",
        "partner_name": "Ben",
        "cycle": "2027 cycle",
        "month": month,
        "end_date": "30 June 2027",
    }
    _subject, text, html = render_templates("check_in", values)
    assert words in text and words in html
    assert "month(s)" not in text and "month(s)" not in html


@pytest.mark.django_db
def test_the_send_command_counts_in_words():
    out = StringIO()
    call_command("mentoring_send_emails", stdout=out)
    text = out.getvalue()
    assert "(s)" not in text and "(es)" not in text
    assert text.splitlines() == [
        "0 emails of stopped workers queued again; 0 stalled emails queued again; "
        "0 emails handed to the queue.",
        "0 approved or active matches without introduction emails.",
    ]


def test_the_application_status_ends_each_sentence_once(make_application, rf):
    application = make_application("mentor", capacity=1)
    html = render_to_string(
        "wagtail_mentoring/includes/application_status.html",
        {"application": application, "page": None},
    )
    assert "Your application as a mentor for the 2027 cycle" in html
    assert ".." not in html
    assert "Submitted on" in html


@pytest.mark.parametrize(
    ("n", "words"), [(1, "(average of 1 answer)"), (2, "(average of 2 answers)")]
)
def test_the_report_counts_the_answers_of_an_average(n, words):
    report = CycleReport(
        cycle=type("Cycle", (), {"name": "2027 cycle"})(),
        applications={"Mentor": 1, "Mentee": 2},
        withdrawn=0,
        mentees=2,
        mentees_matched=1,
        waiting_days=[3],
        active=1,
        not_started=0,
        completed=0,
        ended_early=0,
        rounds=[RoundFigures("Pairing fit", invited=2, responded=n, averages=[("Fit?", 4.0, n)])],
    )
    labels = [label for label, _value in report.rows()]
    assert f"Survey Pairing fit: Fit? {words}" in labels


@pytest.mark.parametrize("n", [1, 2])
def test_the_report_page_counts_responses_without_plural_guesses(n):
    report = CycleReport(
        cycle=type("Cycle", (), {"name": "2027 cycle", "pk": 1})(),
        applications={"Mentor": 1},
        withdrawn=0,
        mentees=1,
        mentees_matched=1,
        waiting_days=[3],
        active=1,
        not_started=0,
        completed=0,
        ended_early=0,
        rounds=[],
    )
    survey_round = RoundFigures("Pairing fit", invited=n, responded=n, averages=[])
    html = render_to_string(
        "wagtail_mentoring/admin/includes/report_body.html",
        {"report": report, "rounds": [(survey_round, None)], "charts": {}},
    )
    assert f"Responses: {n} of {n} invited (100%)" in html
    assert "1 responses" not in html and "1 invitations" not in html
