"""score_pair(): one pair's suggestion, exactly as suggest_mentors() ranks it, in a few queries."""

import contextlib
import random
from unittest import mock

from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wagtail_mentoring.matching import scoring, suggest
from wagtail_mentoring.matching.lifecycle import MatchingError, approve, propose
from wagtail_mentoring.matching.scoring import COMPONENTS
from wagtail_mentoring.matching.suggest import score_pair, suggest_mentors
from wagtail_mentoring.models import Application, ApplicationStatus, CareerStage

STAGES = [value for value, _label in CareerStage.choices]


def _view_mentee(mentee):
    """The mentee as the admin's mentee view loads it."""
    return Application.objects.select_related("cycle").get(pk=mentee.pk)


def test_score_pair_is_the_suggestion_for_that_mentor(apply):
    mentee = apply("mentee", [0, 1])
    best = apply("mentor", [0, 1], capacity=1, name="Best")
    half = apply("mentor", [1], capacity=2, name="Half")
    suggestions = {s.mentor_id: s for s in suggest_mentors(mentee)}
    assert score_pair(mentee, best) == suggestions[best.pk]
    assert score_pair(mentee, half) == suggestions[half.pk]
    assert score_pair(mentee, half.pk) == suggestions[half.pk]  # an id will do
    assert score_pair(mentee, best).score == sum(
        part["points"] for part in suggestions[best.pk].explanation
    )


def test_score_pair_is_none_when_the_pair_is_not_allowed(apply, make_user, make_cycle, settings):
    mentee = apply("mentee", [0], organisation="Eastvale")
    colleague = apply("mentor", [0], capacity=1, organisation="eastvale ")
    full = apply("mentor", [0], capacity=1)
    approve(propose(apply("mentee", [0]), full))
    withdrawn = apply("mentor", [0], capacity=1, status=ApplicationStatus.WITHDRAWN)
    myself = apply("mentor", [0], capacity=1, user=mentee.user)
    elsewhere = apply("mentor", [0], capacity=1, cycle=make_cycle(name="Other cycle"))
    weak = apply("mentor", [2], capacity=1, career_stage="student", sector="school")
    settings.WAGTAIL_MENTORING_MATCH_MIN_SCORE = 50
    for mentor in (colleague, full, withdrawn, myself, elsewhere, weak):
        assert score_pair(mentee, mentor) is None, mentor
    assert suggest_mentors(mentee) == []
    # A mentee already spoken for gets no pair either.
    fine = apply("mentor", [0], capacity=2)
    assert score_pair(mentee, fine) is not None
    propose(mentee, fine)
    assert score_pair(mentee, fine) is None


def test_score_pair_reads_a_constant_small_number_of_queries(apply, make_user):
    mentee = apply("mentee", [0, 1])
    mentor = apply("mentor", [0], capacity=1)
    mentee = _view_mentee(mentee)
    with CaptureQueriesContext(connection) as few:
        assert score_pair(mentee, mentor) is not None
    for index in range(25):
        past = apply("mentee", [index % 3])
        other = apply("mentor", [0, index % 3], capacity=2)
        approve(propose(past, other))
        apply("mentee", [1])
    mentee = _view_mentee(mentee)
    with CaptureQueriesContext(connection) as many:
        assert score_pair(mentee, mentor) is not None
    assert len(many) == len(few) <= 6
    # Only that pair is scored, not the mentee against every mentor.
    with mock.patch.object(suggest, "score_matrix", wraps=scoring.score_matrix) as scored:
        score_pair(mentee, mentor)
    mentees, mentors = scored.call_args.args[:2]
    assert (len(mentees), len(mentors)) == (1, 1)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    weights=st.lists(st.integers(min_value=0, max_value=50), min_size=6, max_size=6),
    min_score=st.sampled_from([0, 20, 45]),
    factored=st.booleans(),
)
def test_score_pair_equals_the_ranked_row_for_random_pools(
    apply, make_user, seed, weights, min_score, factored
):
    rng = random.Random(seed)
    with transaction.atomic():
        people = [make_user() for _ in range(6)]

        def fields():
            return {
                "career_stage": rng.choice(STAGES),
                "sector": rng.choice(["public", "school", "Public "]),
                "region": rng.choice(["North", "south", ""]),
                "organisation": rng.choice(["", "Eastvale", "Westvale", "EASTVALE"]),
                "meeting_preference": rng.choice(["in_person", "virtual", "either"]),
                "conference_attendance": rng.choice(["yes", "no", "unsure"]),
            }

        def topics():
            return [i for i in range(3) if rng.random() < 0.5]

        mentees = [apply("mentee", topics(), user=person, **fields()) for person in people[:4]]
        mentors = [
            apply(
                "mentor",
                topics(),
                capacity=rng.randint(0, 2),
                user=person,
                status=rng.choice([ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN]),
                **fields(),
            )
            for person in people[2:] + [make_user() for _ in range(rng.randint(1, 4))]
        ]
        if rng.random() < 0.5:  # a pair matched before, and a place taken
            with contextlib.suppress(MatchingError):  # a full or withdrawn mentor
                approve(propose(mentees[-1], mentors[-1]))
        overrides = {
            "WAGTAIL_MENTORING_MATCH_WEIGHTS": dict(zip(COMPONENTS, weights, strict=True)),
            "WAGTAIL_MENTORING_MATCH_MIN_SCORE": min_score,
        }
        with (
            override_settings(**overrides),
            mock.patch.object(scoring, "FACTOR_MIN_PAIRS", 0 if factored else 10**9),
        ):
            for mentee in mentees:
                mentee = _view_mentee(mentee)
                ranked = {s.mentor_id: s for s in suggest_mentors(mentee, limit=10_000)}
                for mentor in mentors:
                    assert score_pair(mentee, mentor) == ranked.get(mentor.pk)
        transaction.set_rollback(True)
