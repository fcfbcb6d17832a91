import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wagtail_mentoring.matching.rotations import (
    plan_rotations,
    random_plan,
    score_plan,
    steady_tables,
    topic_fit,
)


def people(rng, n, topics, low, high):
    chosen = np.zeros((n, topics), dtype=bool)
    for row in chosen:
        row[rng.choice(topics, rng.integers(low, high + 1), replace=False)] = True
    return chosen


def instance(seed, volunteers=20, participants=45, topics=8):
    rng = np.random.default_rng(seed)
    v = people(rng, volunteers, topics, 1, 3)
    p = people(rng, participants, topics, 1, 2)
    forbidden = rng.random((participants, volunteers)) < 0.1
    return v, p, forbidden


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 5))
def test_no_pair_meets_twice_and_no_forbidden_pair_meets(seed, tables, rounds):
    v, p, forbidden = instance(seed)
    plan = plan_rotations(v, p, tables=tables, rounds=rounds, forbidden=forbidden)
    figures = score_plan(plan, topic_fit(v, p), forbidden)
    assert figures["repeats"] == 0 and figures["forbidden"] == 0
    per_table = -(-p.shape[0] // tables)
    for r in range(rounds):
        seated = plan.seats[r][plan.seats[r] >= 0]
        assert set(seated.tolist()) <= set(plan.hosts[r].tolist())
        assert np.bincount(seated, minlength=v.shape[0]).max() <= per_table
        assert len(set(plan.hosts[r].tolist())) == tables


def test_everyone_is_seated_when_the_rules_allow_it():
    v, p, _ = instance(1)
    plan = plan_rotations(v, p, tables=5, rounds=4)
    assert (plan.seats >= 0).all()
    # Each table number is the one whose host the participant talks to.
    assert plan.hosts[0][plan.table_of(0, 0)] == plan.seats[0, 0]


def test_the_plan_beats_the_best_random_rotation_on_topic_fit():
    v, p, forbidden = instance(2)
    fits = topic_fit(v, p)
    solved = score_plan(plan_rotations(v, p, tables=5, rounds=4, forbidden=forbidden), fits)
    rng = np.random.default_rng(2)
    best = max(
        score_plan(random_plan(rng, 20, 45, tables=5, rounds=4), fits)["topic_fit"]
        for _ in range(100)
    )
    assert solved["topic_fit"] > best


def test_a_participant_with_nobody_left_to_meet_sits_out():
    v = np.ones((2, 1), dtype=bool)
    p = np.ones((3, 1), dtype=bool)
    forbidden = np.array([[False, False], [False, False], [True, True]])
    plan = plan_rotations(v, p, tables=2, rounds=3, forbidden=forbidden)
    assert (plan.seats[:, 2] == -1).all()  # never a forbidden pair
    assert (plan.seats[2, :2] == -1).all()  # two rounds met both volunteers: no repeat
    assert plan.table_of(0, 2) == -1


def test_topic_fitting_hosts_are_chosen_first():
    # Two tables, four volunteers: the two that offer what everyone wants host round 1.
    v = np.array([[1, 0], [0, 1], [1, 0], [0, 0]], dtype=bool)
    p = np.array([[1, 0]] * 4, dtype=bool)
    plan = plan_rotations(v, p, tables=2, rounds=1)
    assert plan.hosts[0].tolist() == [0, 2]
    assert score_plan(plan, topic_fit(v, p))["topic_fit"] == 1.0


@pytest.mark.parametrize(
    ("tables", "rounds", "forbidden", "message"),
    [
        (0, 1, None, "tables and rounds"),
        (1, 0, None, "tables and rounds"),
        (5, 1, None, "fewer volunteers"),
        (1, 1, np.zeros((1, 1), dtype=bool), "participants by volunteers"),
    ],
)
def test_bad_input_is_refused(tables, rounds, forbidden, message):
    with pytest.raises(ValueError, match=message):
        plan_rotations(
            np.ones((2, 1), dtype=bool),
            np.ones((3, 1), dtype=bool),
            tables=tables,
            rounds=rounds,
            forbidden=forbidden,
        )


def test_steady_tables_keep_a_host_at_one_table_and_change_no_conversation():
    # Five volunteers, three tables: hosts come and go between rounds.
    v, p, forbidden = instance(3, volunteers=5, participants=12)
    plan = plan_rotations(v, p, tables=3, rounds=4, forbidden=forbidden)
    steady = steady_tables(plan)
    assert (steady.seats == plan.seats).all()
    moved = 0
    for r in range(plan.rounds):
        assert sorted(steady.hosts[r].tolist()) == sorted(plan.hosts[r].tolist())
        for participant in range(p.shape[0]):
            table = steady.table_of(r, participant)
            assert table == -1 or steady.hosts[r][table] == plan.seats[r, participant]
        if r:
            for table, host in enumerate(steady.hosts[r].tolist()):
                if host in steady.hosts[r - 1].tolist():
                    assert steady.hosts[r - 1][table] == host
            moved += sum(
                host in plan.hosts[r - 1].tolist()
                and plan.hosts[r - 1].tolist().index(host) != table
                for table, host in enumerate(plan.hosts[r].tolist())
            )
    assert moved  # the planner's own order would have moved someone


def test_a_host_back_after_a_break_takes_their_earlier_table_when_it_is_free():
    from wagtail_mentoring.matching.rotations import Plan

    # Volunteer 1 hosts table 2 in round 1, sits round 2 out and comes back in round 3,
    # when tables 1 and 2 are both free again: table 2 is theirs, 3 takes table 1.
    plan = Plan(seats=np.zeros((3, 0), dtype=np.int64), hosts=np.array([[0, 1], [0, 2], [1, 3]]))
    assert steady_tables(plan).hosts.tolist() == [[0, 1], [0, 2], [3, 1]]
