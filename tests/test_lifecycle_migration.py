"""Migrations 0013 and 0014 turn the old free-text history and flags into codes and parameters."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from wagtail_mentoring.models import Match as CurrentMatch

APP = "wagtail_mentoring"
BEFORE = [(APP, "0012_email_attempts")]
AFTER = [(APP, "0013_lifecycle")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_actions_and_notes_become_codes_and_params(make_application):
    mentor = make_application("mentor", capacity=2)
    mentee = make_application("mentee")
    ended_mentee = make_application("mentee")
    cycle_id = mentor.cycle_id
    try:
        apps = _migrate(BEFORE)
        Match = apps.get_model(APP, "Match")
        MatchEvent = apps.get_model(APP, "MatchEvent")
        ApplicationEvent = apps.get_model(APP, "ApplicationEvent")
        Application = apps.get_model(APP, "Application")
        rejected = Match.objects.create(
            cycle_id=cycle_id, mentor_id=mentor.pk, mentee_id=mentee.pk, status="rejected"
        )
        MatchEvent.objects.create(
            match=rejected, action="rejected", to_status="rejected", note="Same branch"
        )
        replaced = Match.objects.create(
            cycle_id=cycle_id,
            mentor_id=mentor.pk,
            mentee_id=mentee.pk,
            status="rejected",
            end_reason="Replaced by a new suggestion run.",
        )
        MatchEvent.objects.create(match=replaced, action="replaced", to_status="rejected")
        Match.objects.create(
            cycle_id=cycle_id, mentor_id=mentor.pk, mentee_id=ended_mentee.pk, status="ended_early"
        )
        Application.objects.filter(pk=ended_mentee.pk).update(status="completed")
        ApplicationEvent.objects.create(
            application_id=mentor.pk, action="matched", note=f"Mentor of {mentee.name}"
        )
        ApplicationEvent.objects.create(
            application_id=mentee.pk, action="match ended", note="Moved overseas"
        )

        apps = _migrate(AFTER)
        Match = apps.get_model(APP, "Match")
        MatchEvent = apps.get_model(APP, "MatchEvent")
        ApplicationEvent = apps.get_model(APP, "ApplicationEvent")
        Application = apps.get_model(APP, "Application")
        assert Match.objects.get(pk=rejected.pk).discarded is True
        assert Match.objects.get(pk=replaced.pk).discarded is False
        assert Match.objects.get(pk=replaced.pk).end_reason == ""
        event = MatchEvent.objects.get(match_id=rejected.pk)
        assert (event.action, event.params, event.note) == (
            "rejected",
            {"reason": "Same branch"},
            "",
        )
        rows = sorted(ApplicationEvent.objects.values_list("application_id", "action", "params"))
        assert rows == sorted(
            [
                (mentor.pk, "matched", {"as": "mentor", "partner": mentee.name}),
                (mentee.pk, "match_ended", {"reason": "Moved overseas"}),
            ]
        )
        # "Completed" by a match that ended early (the old behaviour): closed, not alumni.
        assert Application.objects.get(pk=ended_mentee.pk).status == "closed"
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_stored_flag_sentences_become_a_cause_and_its_details(make_application):
    mentor = make_application("mentor", capacity=2)
    mentees = [make_application("mentee"), make_application("mentee")]
    try:
        apps = _migrate([(APP, "0013_lifecycle")])
        Match = apps.get_model(APP, "Match")
        MatchEvent = apps.get_model(APP, "MatchEvent")
        with_event, without_event = (
            Match.objects.create(
                cycle_id=mentor.cycle_id,
                mentor_id=mentor.pk,
                mentee_id=mentee.pk,
                status="active",
                flag_reason=reason,
            )
            for mentee, reason in zip(
                mentees,
                ["The mentor answered Fit?: No", "The mentee's membership is lapsed member."],
                strict=True,
            )
        )
        MatchEvent.objects.create(
            match=with_event,
            action="flagged",
            to_status="active",
            params={"cause": "survey", "role": "mentor", "answers": "Fit?: No"},
        )

        apps = _migrate([(APP, "0014_flag_codes")])
        Match = apps.get_model(APP, "Match")
        rows = dict(Match.objects.values_list("pk", "flag_cause"))
        assert rows == {with_event.pk: "survey", without_event.pk: "membership"}
        assert Match.objects.get(pk=with_event.pk).flag_params == {
            "role": "mentor",
            "answers": "Fit?: No",
        }
        # Without a structured event the sentence is kept and shown as it was.
        kept = Match.objects.get(pk=without_event.pk).flag_params
        assert kept == {"reason": "The mentee's membership is lapsed member."}
        shown = CurrentMatch(flag_cause="membership", flag_params=kept).flag_reason
        assert shown == "The mentee's membership is lapsed member."

        apps = _migrate([(APP, "0013_lifecycle")])
        Match = apps.get_model(APP, "Match")
        assert Match.objects.get(pk=without_event.pk).flag_reason == (
            "The mentee's membership is lapsed member."
        )
        assert Match.objects.get(pk=with_event.pk).flag_reason
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
