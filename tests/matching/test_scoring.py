from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wagtail_mentoring.conf import DEFAULT_MATCH_WEIGHTS
from wagtail_mentoring.matching import scoring
from wagtail_mentoring.matching.scoring import (
    COMPONENTS,
    CONFERENCE_YES,
    MEETING_EITHER,
    MEETING_IN_PERSON,
    MEETING_VIRTUAL,
    Pool,
    _take,
    component_matrices,
    explain,
    score_matrix,
    weights_from,
)
from wagtail_mentoring.matching.solver import solve

TOPICS = ["Leadership", "Digital services", "Data literacy", "Outreach"]


def pool(rows, capacity=None):
    """A pool from dicts (person, topics as indexes, stage, sector, region, meeting, ...)."""
    n = len(rows)
    topics = np.zeros((n, len(TOPICS)), dtype=bool)
    for i, row in enumerate(rows):
        topics[i, row.get("topics", [])] = True

    def column(name, default, dtype):
        return np.array([row.get(name, default) for row in rows], dtype=dtype)

    return Pool(
        ids=np.arange(n) + 1,
        person=column("person", 0, np.int64),
        topics=topics,
        stage=column("stage", 2, np.int8),
        sector=column("sector", 0, np.int16),
        region=column("region", 0, np.int16),
        meeting=column("meeting", MEETING_EITHER, np.int8),
        conference=column("conference", 1, np.int8),
        employer=column("employer", -1, np.int32),
        capacity=None if capacity is None else np.array(capacity),
    )


def test_each_component_scores_as_documented():
    mentee = pool(
        [
            {
                "person": 1,
                "topics": [0, 1],
                "stage": 1,
                "sector": 3,
                "region": 2,
                "meeting": MEETING_IN_PERSON,
                "conference": CONFERENCE_YES,
            }
        ]
    )
    mentors = pool(
        [
            # perfect: both topics, more senior, same sector/region, compatible, both at conference
            {
                "person": 10,
                "topics": [0, 1, 2],
                "stage": 4,
                "sector": 3,
                "region": 2,
                "meeting": MEETING_IN_PERSON,
                "conference": CONFERENCE_YES,
            },
            # half the topics, same stage, nothing else in common, meeting clash
            {
                "person": 11,
                "topics": [1],
                "stage": 1,
                "sector": 5,
                "region": 0,
                "meeting": MEETING_VIRTUAL,
                "conference": 1,
            },
            # reverse mentoring: less senior, offers a wanted topic
            {"person": 12, "topics": [0], "stage": 0, "sector": 5, "region": 0},
            # less senior, no wanted topic
            {"person": 13, "topics": [3], "stage": 0, "sector": 5, "region": 0},
        ],
        capacity=[1, 1, 1, 1],
    )
    scores = score_matrix(mentee, mentors)
    w = DEFAULT_MATCH_WEIGHTS  # 100 in all: topics 40, stage 20, the others 10 each
    assert scores.total[0].tolist() == pytest.approx(
        [
            sum(w.values()),
            w["topics"] / 2 + w["stage"] * scoring.SAME_STAGE,
            w["topics"] / 2 + w["stage"] * scoring.REVERSE_MENTORING + w["meeting"],
            w["meeting"],
        ]
    )
    assert scores.allowed.all()


def test_weights_come_from_the_setting_and_unknown_ones_are_refused():
    mentee = pool([{"person": 1, "topics": [0]}])
    mentor = pool([{"person": 2, "topics": [0], "stage": 2}], capacity=[1])
    only_topics = {name: 0 for name in COMPONENTS if name != "topics"}
    assert score_matrix(mentee, mentor, only_topics).total[0, 0] == DEFAULT_MATCH_WEIGHTS["topics"]
    assert score_matrix(mentee, mentor, {**only_topics, "topics": 7}).total[0, 0] == 7
    with pytest.raises(ValueError, match="'seniority' is not a score component"):
        weights_from({"seniority": 3})


def test_hard_constraints():
    mentees = pool(
        [
            {"person": 1, "topics": [0], "employer": 7},
            {"person": 2, "topics": [0], "employer": -1},
        ]
    )
    mentors = pool(
        [
            {"person": 1, "topics": [0], "stage": 4},  # the same person as mentee 0
            {"person": 3, "topics": [0], "stage": 4, "employer": 7},  # same employer as mentee 0
            {"person": 4, "topics": [0], "stage": 4, "employer": -1},  # unknown employers differ
            {"person": 5, "topics": [0], "stage": 4},  # full
            {"person": 6, "topics": [0], "stage": 4},  # matched with mentee 1 before
        ],
        capacity=[1, 1, 1, 0, 1],
    )
    allowed = score_matrix(mentees, mentors, previous_pairs=[(2, 6)]).allowed
    assert allowed.tolist() == [
        [False, False, True, False, True],
        [True, True, True, False, False],
    ]
    allowed = score_matrix(mentees, mentors, same_employer_allowed=True).allowed
    assert allowed[0, 1]


def test_minimum_score_forbids_weak_pairs():
    mentee = pool([{"person": 1, "topics": [0]}])
    mentors = pool(
        [{"person": 2, "topics": [0], "stage": 4}, {"person": 3, "topics": [3], "stage": 0}],
        capacity=[1, 1],
    )
    # The second pair scores 30 (sector, region and meeting only).
    w = DEFAULT_MATCH_WEIGHTS
    assert score_matrix(mentee, mentors).total[0, 1] == w["sector"] + w["region"] + w["meeting"]
    scores = score_matrix(mentee, mentors, min_score=31)
    assert scores.allowed.tolist() == [[True, False]]


def test_explanation_gives_points_and_reasons_that_add_up():
    mentee = pool(
        [
            {
                "person": 1,
                "topics": [0, 1, 2],
                "stage": 1,
                "sector": 3,
                "region": 2,
                "meeting": MEETING_VIRTUAL,
                "conference": CONFERENCE_YES,
            }
        ]
    )
    mentor = pool(
        [
            {
                "person": 2,
                "topics": [1, 2],
                "stage": 0,
                "sector": 3,
                "region": 1,
                "meeting": MEETING_IN_PERSON,
                "conference": CONFERENCE_YES,
            }
        ],
        capacity=[1],
    )
    parts = explain(
        mentee, mentor, 0, 0, topic_names=TOPICS, topic_ids=[11, 12, 13, 14], stage_codes="abcde"
    )
    by_code = {p.code: p for p in parts}
    assert [p.code for p in parts] == list(COMPONENTS)
    assert by_code["topics"].params == {
        "wanted": 3,
        "shared": [{"id": 12, "name": "Digital services"}, {"id": 13, "name": "Data literacy"}],
    }
    assert by_code["topics"].points == pytest.approx(26.67)
    assert by_code["stage"].params == {"relation": "reverse", "mentee": "b", "mentor": "a"}
    assert by_code["sector"].params == {"same": True} and by_code["sector"].points == 10
    assert by_code["region"].params == {"same": False} and by_code["region"].points == 0
    assert by_code["meeting"].params == {"compatible": False}
    assert by_code["conference"].params == {"both": True} and by_code["conference"].points == 10
    total = score_matrix(mentee, mentor).total[0, 0]
    assert sum(p.points for p in parts) == pytest.approx(total, abs=0.02)
    # Without names and codes, topics are given by column and stages by number.
    bare = {p.code: p.params for p in explain(mentee, mentor, 0, 0)}
    assert bare["topics"]["shared"] == [{"id": 1, "name": None}, {"id": 2, "name": None}]
    assert bare["stage"] == {"relation": "reverse", "mentee": 1, "mentor": 0}


def random_pool(rng, size, first_person, capacity=None):
    people = rng.integers(first_person, first_person + 6, size)  # some people on both sides
    return Pool(
        ids=np.arange(size),
        person=people,
        topics=rng.random((size, 4)) < 0.4,
        stage=rng.integers(0, 5, size).astype(np.int8),
        sector=rng.integers(0, 3, size),
        region=rng.integers(0, 3, size),
        meeting=rng.integers(0, 3, size).astype(np.int8),
        conference=rng.integers(0, 3, size).astype(np.int8),
        employer=rng.integers(-1, 3, size),
        capacity=capacity,
    )


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**32 - 1),
    st.lists(st.floats(min_value=0, max_value=100), min_size=6, max_size=6),
)
def test_every_score_is_its_pairs_own_sum_of_components(seed, weight_values):
    rng = np.random.default_rng(seed)
    mentees, mentors = random_pool(rng, 30, 0), random_pool(rng, 20, 3)
    weights = dict(zip(COMPONENTS, weight_values, strict=True))
    for factored in (True, False):  # each distinct profile once, or every pair directly
        with mock.patch.object(scoring, "FACTOR_MIN_PAIRS", 0 if factored else 10**9):
            total = score_matrix(mentees, mentors, weights).total
        for i in range(len(mentees)):
            for j in range(len(mentors)):
                parts = component_matrices(_take(mentees, i), _take(mentors, j))
                expected = sum(weights[name] * parts[name][0, 0] for name in COMPONENTS)
                assert total[i, j] == pytest.approx(expected, rel=1e-12, abs=1e-9)


pool_sizes = st.tuples(
    st.integers(min_value=0, max_value=2**32 - 1),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=8),
    st.floats(min_value=0, max_value=80),
)


@settings(max_examples=150, deadline=None)
@given(pool_sizes)
def test_proposals_from_random_pools_keep_every_hard_constraint(case):
    seed, n, m, min_score = case
    rng = np.random.default_rng(seed)

    mentees = random_pool(rng, n, 0)
    mentors = random_pool(rng, m, 3, capacity=rng.integers(0, 3, m))
    previous = [(int(mentees.person[0]), int(mentors.person[0]))]
    scores = score_matrix(mentees, mentors, min_score=min_score, previous_pairs=previous)
    solution = solve(scores.total, scores.allowed, mentors.capacity)
    used = np.zeros(m, dtype=int)
    for i, j in solution.pairs:
        assert mentees.person[i] != mentors.person[j]
        assert mentees.employer[i] < 0 or mentees.employer[i] != mentors.employer[j]
        assert scores.total[i, j] >= min_score
        assert (int(mentees.person[i]), int(mentors.person[j])) not in previous
        used[j] += 1
    assert (used <= mentors.capacity).all()
    assert len({i for i, _ in solution.pairs}) == len(solution.pairs)
