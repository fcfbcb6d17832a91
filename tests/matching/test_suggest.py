from datetime import timedelta
from unittest import mock

import pytest

from wagtail_mentoring.matching import suggest
from wagtail_mentoring.matching.explain import render_explanation
from wagtail_mentoring.matching.lifecycle import approve, approve_many, discard_many, propose
from wagtail_mentoring.matching.suggest import suggest_for_cycle, suggest_mentors
from wagtail_mentoring.models import Application, MatchStatus


def test_ranked_suggestions_explain_themselves(apply, django_assert_max_num_queries):
    mentee = apply("mentee", [0, 1])
    best = apply("mentor", [0, 1], capacity=1, name="Best")
    half = apply("mentor", [1], capacity=2, name="Half")
    apply("mentor", [2], capacity=1, name="Weak", stage="student")
    same_employer = apply("mentor", [0, 1], capacity=1, name="Colleague", organisation="Eastvale")
    Application.objects.filter(pk=mentee.pk).update(organisation="EASTVALE ")
    mentee.refresh_from_db()
    with django_assert_max_num_queries(8):
        suggestions = suggest_mentors(mentee)
    names = [s.mentor_name for s in suggestions]
    assert names[:2] == ["Best", "Half"]
    assert "Colleague" not in names  # same employer, compared case-insensitively
    top = suggestions[0]
    assert top.score == 100 and top.capacity_left == 1
    assert render_explanation(top.explanation)[0]["reason"] == (
        "offers 2 of 2 wanted topics (Leadership, Digital services)"
    )
    assert same_employer.pk not in [s.mentor_id for s in suggestions]
    del best, half


def test_cycle_suggestions_are_optimal_and_replace_old_proposals(apply, open_cycle, make_user):
    mentees = [apply("mentee", [0]), apply("mentee", [0, 1])]
    only_first = apply("mentor", [0], capacity=1, name="Leader")
    both = apply("mentor", [0, 1], capacity=1, name="All-rounder")
    stale = propose(mentees[1], only_first)

    run = suggest_for_cycle(open_cycle, actor=make_user())
    pairs = {(m.mentee_id, m.mentor_id) for m in run.proposed}
    # Greedy would give the all-rounder to mentee 1 (100) and the leader to mentee 0;
    # either way each mentee gets a mentor, and the total is the best possible.
    assert len(pairs) == 2 and run.unmatched == 0 and run.replaced == 1
    stale.refresh_from_db()
    assert stale.status == MatchStatus.REJECTED
    assert [e.action for e in stale.events.all()] == ["proposed", "replaced"]
    assert all(m.explanation and m.events.get().action == "suggested" for m in run.proposed)
    del both


def test_approved_and_pinned_matches_stay_fixed(apply, open_cycle):
    mentor = apply("mentor", [0], capacity=2)
    kept = approve(propose(apply("mentee", [0]), mentor))
    pinned = propose(apply("mentee", [0]), mentor, pinned=True)
    newcomer = apply("mentee", [0])
    run = suggest_for_cycle(open_cycle)
    assert run.proposed == [] and run.unmatched == 1  # the mentor's two places are held
    kept.refresh_from_db()
    pinned.refresh_from_db()
    assert kept.status == MatchStatus.APPROVED and pinned.status == MatchStatus.PROPOSED
    del newcomer


def test_minimum_score_leaves_a_mentee_waiting(apply, open_cycle, settings):
    settings.WAGTAIL_MENTORING_MATCH_MIN_SCORE = 95
    apply("mentee", [0, 1])
    apply("mentor", [2], capacity=3)
    run = suggest_for_cycle(open_cycle)
    assert run.proposed == [] and run.unmatched == 1


def test_batch_approval_reports_refusals(apply, open_cycle):
    mentor = apply("mentor", [0], capacity=1)
    first = propose(apply("mentee", [0]), mentor)
    second = propose(apply("mentee", [0]), mentor)
    approved, refused = approve_many([first, second])
    assert [m.pk for m in approved] == [first.pk]
    assert refused[0][0].pk == second.pk and "1 place is taken" in refused[0][1]
    assert discard_many([second]) == 1
    second.refresh_from_db()
    assert second.status == MatchStatus.REJECTED


def test_running_suggestions_again_proposes_the_same_best_pairs(apply, open_cycle):
    mentee = apply("mentee", [0])
    mentor = apply("mentor", [0], capacity=1)
    first = suggest_for_cycle(open_cycle)
    second = suggest_for_cycle(open_cycle)
    assert [(m.mentee_id, m.mentor_id) for m in first.proposed] == [(mentee.pk, mentor.pk)]
    assert [(m.mentee_id, m.mentor_id) for m in second.proposed] == [(mentee.pk, mentor.pk)]
    assert second.replaced == 1 and second.unmatched == 0


def test_the_longest_waiting_mentee_gets_the_last_place(apply, open_cycle, settings):
    # Two mentees want the one place; the newer fits better (the mentor knows all its
    # topics), the other has waited six weeks. At 0 points a week the better fit wins;
    # at a large bonus the wait decides it.
    mentor = apply("mentor", [0], capacity=1)
    waited = apply("mentee", [0, 1])
    Application.objects.filter(pk=waited.pk).update(
        submitted_at=waited.submitted_at - timedelta(weeks=6)
    )
    newer = apply("mentee", [0])
    settings.WAGTAIL_MENTORING_MATCH_WAITING_BONUS_PER_WEEK = 0
    run = suggest_for_cycle(open_cycle)
    assert [(m.mentee_id, m.mentor_id) for m in run.proposed] == [(newer.pk, mentor.pk)]
    settings.WAGTAIL_MENTORING_MATCH_WAITING_BONUS_PER_WEEK = 1000
    run = suggest_for_cycle(open_cycle)
    assert [(m.mentee_id, m.mentor_id) for m in run.proposed] == [(waited.pk, mentor.pk)]


@pytest.mark.parametrize("setting", [True, False])
def test_the_cycle_run_asks_the_solver_for_most_matched_first(apply, open_cycle, settings, setting):
    # The solver's own tests prove the objective against brute force; here, that the run
    # asks for it as configured and passes one waiting bonus per mentee.
    settings.WAGTAIL_MENTORING_MATCH_MOST_MATCHED_FIRST = setting
    apply("mentor", [0], capacity=1)
    apply("mentee", [0])
    apply("mentee", [0])
    with mock.patch.object(suggest, "solve", wraps=suggest.solve) as solve:
        suggest_for_cycle(open_cycle)
    assert solve.call_args.kwargs["most_matched"] is setting
    assert solve.call_args.kwargs["bonus"].shape == (2,)


def _e016(**settings):
    from django.core import checks
    from django.test import override_settings

    with override_settings(**settings):
        return [m.msg for m in checks.run_checks() if m.id == "wagtail_mentoring.E016"]


@pytest.mark.parametrize(
    "settings_",
    [
        {"WAGTAIL_MENTORING_MATCH_WAITING_BONUS_PER_WEEK": -1},
        {"WAGTAIL_MENTORING_MATCH_WAITING_BONUS_PER_WEEK": "2"},
        {"WAGTAIL_MENTORING_MATCH_WAITING_BONUS_PER_WEEK": True},
        {"WAGTAIL_MENTORING_MATCH_WAITING_BONUS_PER_WEEK": float("nan")},
        {"WAGTAIL_MENTORING_MATCH_MOST_MATCHED_FIRST": "yes"},
    ],
)
def test_bad_auto_match_settings_are_refused(settings_):
    (message,) = _e016(**settings_)
    assert next(iter(settings_)) in message


@pytest.mark.parametrize(
    "settings_",
    [
        {},
        {"WAGTAIL_MENTORING_MATCH_WAITING_BONUS_PER_WEEK": 0},
        {"WAGTAIL_MENTORING_MATCH_WAITING_BONUS_PER_WEEK": 2.5},
        {"WAGTAIL_MENTORING_MATCH_MOST_MATCHED_FIRST": False},
    ],
)
def test_good_auto_match_settings_pass(settings_):
    assert _e016(**settings_) == []


@pytest.mark.parametrize("value", ["lots", float("nan"), float("inf"), -3])
def test_a_bad_bonus_setting_scores_without_bonus(apply, open_cycle, settings, value):
    settings.WAGTAIL_MENTORING_MATCH_WAITING_BONUS_PER_WEEK = value
    apply("mentor", [0], capacity=1)
    apply("mentee", [0])
    run = suggest_for_cycle(open_cycle)
    assert len(run.proposed) == 1


def test_a_member_carried_over_unmatched_counts_the_earlier_wait(
    apply, open_cycle, make_cycle, make_user
):
    from wagtail_mentoring.matching.suggest import waiting_since

    last_year = make_cycle(opens=-400, closes=-370, name="2026 cycle")
    carried, matched, withdrew, fresh = (make_user() for _ in range(4))
    old = apply("mentee", [0], user=carried, cycle=last_year, status="closed")
    old.submitted_at -= timedelta(days=400)
    Application.objects.filter(pk=old.pk).update(submitted_at=old.submitted_at)
    apply("mentee", [0], user=withdrew, cycle=last_year, status="withdrawn")
    was_matched = apply("mentee", [0], user=matched, cycle=last_year)
    approve(propose(was_matched, apply("mentor", [0], capacity=1, cycle=last_year)))
    rows = [
        {"user_id": user.pk, "submitted_at": apply("mentee", [0], user=user).submitted_at}
        for user in (carried, matched, withdrew, fresh)
    ]
    Application.objects.filter(user=withdrew, cycle=last_year).update(submitted_at=old.submitted_at)
    Application.objects.filter(pk=was_matched.pk).update(submitted_at=old.submitted_at)
    since = waiting_since(open_cycle, rows)
    assert since[0] == old.submitted_at
    assert since[1:] == [row["submitted_at"] for row in rows[1:]]
