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
