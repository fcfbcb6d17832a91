"""Lifecycle edges: what a flag stores, restoring a pair, the alumni after an early end,
and the matching workspace's batches when a row changed meanwhile."""

from __future__ import annotations

import datetime

from django.utils import timezone, translation

from tests.matching.test_explanations import FRENCH
from wagtail_mentoring.matching import lifecycle
from wagtail_mentoring.models import MatchAction
from wagtail_mentoring.schedule import run_schedule


def test_a_lapsed_membership_flag_stores_the_state_code_and_renders_it_in_the_readers_language(
    make_application, django_capture_on_commit_callbacks
):
    mentor = make_application("mentor", capacity=1)
    mentee = make_application("mentee")
    start = timezone.localdate() - datetime.timedelta(days=40)
    match = lifecycle.approve(lifecycle.propose(mentee, mentor), start_date=start)
    mentee.user.groups.clear()  # no longer a member
    with django_capture_on_commit_callbacks(execute=True):
        assert run_schedule().flagged == 1
    event = match.events.get(action=MatchAction.FLAGGED)
    # A code, not the words of the language the schedule ran in.
    assert event.params == {"cause": "membership", "role": "mentee", "state": "none"}
    with FRENCH, translation.override("fr"):
        words = event.describe()
    assert words == "Signalé au comité: L'adhésion du mentoré : non-membre."
