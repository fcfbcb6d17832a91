"""A mentee's priorities and a mentor's preferred stages, in scoring and explanations."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.matching.test_scoring import pool, random_pool
from wagtail_mentoring.conf import DEFAULT_MATCH_WEIGHTS
from wagtail_mentoring.matching import scoring
from wagtail_mentoring.matching.explain import render_explanation
from wagtail_mentoring.matching.scoring import (
    COMPONENTS,
    Pool,
    _take,
    component_matrices,
    explain,
    score_matrix,
)
from wagtail_mentoring.matching.solver import solve
from wagtail_mentoring.priorities import (
    DEFAULT_PRIORITY_FACTORS,
    DEFAULT_STAGE_BONUS,
    LEVELS,
    PRIORITIES,
    PRIORITY_COMPONENTS,
)

NOT, SOMEWHAT, VERY = (LEVELS.index(level) for level in ("not", "somewhat", "very"))


def with_priorities(base: Pool, levels) -> Pool:
    """``base`` with each row's levels (a list of {priority: level code} dicts)."""
    matrix = np.full((len(base), len(PRIORITIES)), SOMEWHAT, dtype=np.int8)
    for i, row in enumerate(levels):
        for name, level in row.items():
            matrix[i, PRIORITIES.index(name)] = LEVELS.index(level)
    return Pool(**{**base.__dict__, "priorities": matrix})


def with_preferred(base: Pool, stages) -> Pool:
    """``base`` with each mentor's preferred stages of mentee (a list of stage numbers)."""
    matrix = np.zeros((len(base), 5), dtype=bool)
    for j, row in enumerate(stages):
        matrix[j, row] = True
    return Pool(**{**base.__dict__, "preferred_stages": matrix})


# A mentee who wants topic 0; mentor 0 offers it but is at the same stage, mentor 1
# offers another topic but is more senior and in the mentee's sector and region.
MENTEE = {"person": 1, "topics": [0], "stage": 1, "sector": 0, "region": 0}
MENTORS = [
    {"person": 10, "topics": [0], "stage": 1, "sector": 1, "region": 1},
    {"person": 11, "topics": [1], "stage": 3, "sector": 0, "region": 0},
]


def best_mentor(levels: dict) -> int:
    mentee = with_priorities(pool([MENTEE]), [levels])
    mentors = pool(MENTORS, capacity=[1, 1])
    scores = score_matrix(mentee, mentors)
    (pair,) = solve(scores.total, scores.allowed, mentors.capacity).pairs
    return pair[1]


def test_rating_topics_very_or_not_important_changes_the_best_mentor():
    # Programme weights alone: 40 + 6 + 10 (meeting) = 56 against 20 + 10 + 10 + 10 = 50.
    assert best_mentor({}) == 0
    assert best_mentor({"topics": "very"}) == 0
    assert best_mentor({"topics": "not"}) == 1  # 20 + 6 + 10 = 36 against 50


def test_factors_multiply_the_components_each_priority_covers():
    mentee = with_priorities(
        pool([MENTEE]), [{"topics": "very", "seniority": "not", "region": "very"}]
    )
    mentors = pool(MENTORS)
    plain = component_matrices(mentee, mentors)
    w = DEFAULT_MATCH_WEIGHTS
    expected = (
        1.5 * w["topics"] * plain["topics"]
        + 0.5 * w["stage"] * plain["stage"]
        + w["sector"] * plain["sector"]
        + 1.5 * w["region"] * plain["region"]
        + 1.5 * w["meeting"] * plain["meeting"]
        + w["conference"] * plain["conference"]
    )
    np.testing.assert_allclose(score_matrix(mentee, mentors).total, expected, rtol=1e-12)
    custom = {"very": 3.0, "not": 0.0}
    assert score_matrix(mentee, mentors, priority_factors=custom).total[0, 0] == pytest.approx(
        3.0 * 40 + 0.0 * 6 + 0 + 0 + 3.0 * 10 + 0
    )


def test_empty_priorities_score_exactly_as_the_programme_weights_alone():
    rng = np.random.default_rng(7)
    mentees, mentors = random_pool(rng, 300, 0), random_pool(rng, 200, 3)
    rated_somewhat = with_priorities(mentees, [{}] * len(mentees))
    for factored in (True, False):
        with mock.patch.object(scoring, "FACTOR_MIN_PAIRS", 0 if factored else 10**9):
            before = score_matrix(mentees, mentors, min_score=20)
            after = score_matrix(rated_somewhat, mentors, min_score=20, stage_bonus=7)
        assert np.array_equal(before.total, after.total)  # bit for bit
        assert np.array_equal(before.allowed, after.allowed)
    assert [p.as_dict() for p in explain(mentees, mentors, 0, 0)] == [
        p.as_dict() for p in explain(rated_somewhat, mentors, 0, 0)
    ]


def slow_score(mentees, mentors, i, j, weights, factors, bonus) -> float:
    """One pair, component by component, with the factor of each mentee's own rating."""
    parts = component_matrices(_take(mentees, i), _take(mentors, j))
    level_of = {
        component: LEVELS[int(mentees.priorities[i, PRIORITIES.index(name)])]
        for name, components in PRIORITY_COMPONENTS.items()
        for component in components
    }
    total = 0.0
    for name in COMPONENTS:
        factor = factors[level_of[name]] if name in level_of else 1.0
        total += weights[name] * factor * parts[name][0, 0]
    stage = int(mentees.stage[i])
    if mentors.preferred_stages[j].any() and mentors.preferred_stages[j, stage]:
        total += bonus
    return total


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**32 - 1),
    st.lists(st.floats(min_value=0, max_value=100), min_size=6, max_size=6),
    st.lists(st.floats(min_value=0, max_value=10), min_size=3, max_size=3).map(sorted),
    st.floats(min_value=0, max_value=50),
)
def test_vectorised_scores_equal_a_slow_pair_by_pair_reference(seed, weights, factors, bonus):
    rng = np.random.default_rng(seed)
    mentees = random_pool(rng, 25, 0)
    mentees = Pool(
        **{
            **mentees.__dict__,
            "priorities": rng.integers(0, 3, (25, len(PRIORITIES))).astype(np.int8),
        }
    )
    mentors = random_pool(rng, 15, 3)
    preferred = rng.random((15, 5)) < 0.3
    preferred[rng.random(15) < 0.4] = False  # some mentors take any stage
    mentors = Pool(**{**mentors.__dict__, "preferred_stages": preferred})
    weights = dict(zip(COMPONENTS, weights, strict=True))
    factors = dict(zip(LEVELS, factors, strict=True))
    for factored in (True, False):
        with mock.patch.object(scoring, "FACTOR_MIN_PAIRS", 0 if factored else 10**9):
            total = score_matrix(
                mentees, mentors, weights, priority_factors=factors, stage_bonus=bonus
            ).total
        for i in range(len(mentees)):
            for j in range(len(mentors)):
                expected = slow_score(mentees, mentors, i, j, weights, factors, bonus)
                assert total[i, j] == pytest.approx(expected, rel=1e-12, abs=1e-9)
                if not factored:
                    parts = explain(
                        mentees,
                        mentors,
                        i,
                        j,
                        weights,
                        priority_factors=factors,
                        stage_bonus=bonus,
                    )
                    assert sum(p.points for p in parts) == pytest.approx(expected, abs=0.05)


def test_a_mentor_who_asks_for_the_mentees_stage_earns_the_bonus():
    mentee = pool([MENTEE])  # stage 1
    mentors = with_preferred(pool(MENTORS), [[1], [0, 4]])
    plain = score_matrix(mentee, pool(MENTORS)).total
    total = score_matrix(mentee, mentors).total
    assert total[0, 0] == pytest.approx(plain[0, 0] + DEFAULT_STAGE_BONUS)
    assert total[0, 1] == plain[0, 1]  # asked for other stages: no bonus, no penalty
    assert score_matrix(mentee, mentors, stage_bonus=0).total[0, 0] == plain[0, 0]


def test_the_explanation_stores_codes_and_renders_the_priority_in_words():
    mentee = with_priorities(pool([MENTEE]), [{"topics": "very", "region": "not"}])
    mentors = with_preferred(pool(MENTORS), [[1], []])
    parts = [
        p.as_dict()
        for p in explain(mentee, mentors, 0, 0, stage_codes=["student", "new_professional"])
    ]
    codes = [part["code"] for part in parts]
    assert codes == [
        "topics",
        "mentee_priority",
        "stage",
        "sector",
        "region",
        "mentee_priority",
        "meeting",
        "mentee_priority",
        "conference",
        "mentor_preference",
    ]
    assert parts[1] == {
        "code": "mentee_priority",
        "points": 20.0,  # 40 points times 1.5
        "weight": None,
        "params": {"component": "topics", "priority": "topics", "level": "very", "factor": 1.5},
    }
    assert parts[7]["params"] == {
        "component": "meeting",
        "priority": "region",
        "level": "not",
        "factor": 0.5,
    }
    assert parts[7]["points"] == -5.0
    assert parts[-1]["params"] == {
        "wanted": True,
        "mentee": "new_professional",
        "stages": ["new_professional"],
    }
    total = score_matrix(mentee, mentors).total[0, 0]
    assert sum(part["points"] for part in parts) == pytest.approx(total, abs=0.02)

    reasons = [row["reason"] for row in render_explanation(parts)]
    assert (
        reasons[1]
        == "the mentee rated topics as very important: topics points \N{MULTIPLICATION SIGN}1.5"
    )
    assert reasons[7] == (
        "the mentee rated the same region or meeting in person as not important: "
        "meeting points \N{MULTIPLICATION SIGN}0.5"
    )
    assert (
        reasons[-1] == "the mentor would most like a mentee at this career stage (New professional)"
    )
    other = [p.as_dict() for p in explain(mentee, with_preferred(pool(MENTORS), [[3, 4]]), 0, 0)]
    assert render_explanation(other)[-1]["reason"] == (
        "the mentor would most like mentees at other career stages "
        "(Senior or manager, Director or executive)"
    )
    with translation.override("es"):  # words at display time, numbers in the reader's form
        assert "1,5" in render_explanation(parts)[1]["reason"]


def test_stored_rows_with_unknown_priority_params_render_without_error():
    rows = render_explanation(
        [
            {"code": "mentee_priority", "points": 1, "weight": None, "params": {"level": "x"}},
            {"code": "mentor_preference", "points": 0, "weight": 5, "params": "nonsense"},
        ]
    )
    assert [row["reason"] for row in rows] == ["", ""]


def test_the_default_factors_keep_somewhat_as_the_programme_weights():
    assert DEFAULT_PRIORITY_FACTORS == {"very": 1.5, "somewhat": 1.0, "not": 0.5}
    assert {c for cs in PRIORITY_COMPONENTS.values() for c in cs} <= set(COMPONENTS)
