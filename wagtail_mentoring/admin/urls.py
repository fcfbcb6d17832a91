from django.urls import path

from . import (
    conference_views,
    email_views,
    match_views,
    matching_views,
    report_views,
    rotation_views,
)

urlpatterns = [
    path("matching/", matching_views.matching_index, name="wagtail_mentoring_matching"),
    path(
        "matching/cycle/<int:cycle_id>/",
        matching_views.matching_cycle,
        name="wagtail_mentoring_matching_cycle",
    ),
    path(
        "matching/mentee/<int:application_id>/",
        matching_views.matching_mentee,
        name="wagtail_mentoring_matching_mentee",
    ),
    path("report/", report_views.report_index, name="wagtail_mentoring_report_index"),
    path(
        "conference/", conference_views.conference_index, name="wagtail_mentoring_conference_index"
    ),
    path(
        "conference/<int:cycle_id>/",
        conference_views.conference,
        name="wagtail_mentoring_conference",
    ),
    path(
        "conference/rotations/",
        rotation_views.rotations_index,
        name="wagtail_mentoring_rotations_index",
    ),
    path(
        "conference/<int:cycle_id>/rotations/",
        rotation_views.rotations,
        name="wagtail_mentoring_rotations",
    ),
    path(
        "conference/<int:cycle_id>/rotations/tables/",
        rotation_views.rotations_tables,
        name="wagtail_mentoring_rotations_tables",
    ),
    path(
        "conference/<int:cycle_id>/rotations/people/",
        rotation_views.rotations_people,
        name="wagtail_mentoring_rotations_people",
    ),
    path(
        "conference/<int:cycle_id>/rotations/plan.csv",
        rotation_views.rotations_csv,
        name="wagtail_mentoring_rotations_csv",
    ),
    path(
        "conference/<int:cycle_id>/rotations/calendar.ics",
        rotation_views.rotations_calendar,
        name="wagtail_mentoring_rotations_calendar",
    ),
    path("report/<int:cycle_id>/", report_views.report, name="wagtail_mentoring_report"),
    path(
        "matches/<int:match_id>/end/",
        match_views.end_match_view,
        name="wagtail_mentoring_end_match",
    ),
    path(
        "emails/<int:email_id>/resend/",
        email_views.resend_email,
        name="wagtail_mentoring_resend_email",
    ),
]
