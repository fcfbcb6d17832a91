from django.urls import path

from . import matching_views

urlpatterns = [
    path("", matching_views.matching_index, name="wagtail_mentoring_matching"),
    path(
        "cycle/<int:cycle_id>/",
        matching_views.matching_cycle,
        name="wagtail_mentoring_matching_cycle",
    ),
    path(
        "mentee/<int:application_id>/",
        matching_views.matching_mentee,
        name="wagtail_mentoring_matching_mentee",
    ),
]
