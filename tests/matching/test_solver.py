import contextlib
import itertools
import sys
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from wagtail_mentoring.matching.solver import solve, solve_greedy

BACKENDS = pytest.mark.parametrize("backend", ["pot", "scipy"])


@contextlib.contextmanager
def installed(backend):
    """POT installed (as in the test environment), or not: ``import ot`` then fails."""
    if backend == "pot":
        yield
        return
    with mock.patch.dict(sys.modules, {"ot": None}):
        yield


def solve_with(backend, score, allowed, capacity):
    with installed(backend):
        solution = solve(score, allowed, capacity)
    assert solution.backend == backend or not solution.pairs
    return solution


def every_plan(score, allowed, capacity):
    """Every way of giving each mentee a usable mentor or nobody, within capacities, as
    lists of (mentee, mentor) pairs."""
    n, m = score.shape
    for choice in itertools.product(range(-1, m), repeat=n):
        pairs = [(i, j) for i, j in enumerate(choice) if j >= 0]
        if any(not allowed[i, j] or score[i, j] <= 0 for i, j in pairs):
            continue
        used = np.bincount([j for _, j in pairs], minlength=m)
        if (used <= capacity).all():
            yield pairs


def brute_force(score, allowed, capacity):
    """Best total over every plan."""
    return max(sum(score[i, j] for i, j in pairs) for pairs in every_plan(score, allowed, capacity))


def expanded_hungarian(score, allowed, capacity):
    """Reference: the Hungarian algorithm with one column per mentor seat."""
    usable = allowed & (score > 0)
    seats = np.repeat(np.arange(score.shape[1]), capacity)
    cost = np.where(usable[:, seats], -score[:, seats], 0.0)
    rows, columns = linear_sum_assignment(cost)
    return float(-cost[rows, columns].sum())


instances = st.integers(min_value=0, max_value=2**32 - 1).flatmap(
    lambda seed: st.tuples(
        st.just(seed), st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=4)
    )
)


def random_instance(seed, n, m):
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 6, (n, m)).astype(float)  # small range: many ties
    allowed = rng.random((n, m)) < 0.7
    capacity = rng.integers(0, 3, m)
    return score, allowed, capacity


@BACKENDS
@settings(max_examples=200, deadline=None)
@given(instances)
def test_solver_total_equals_brute_force(backend, instance):
    score, allowed, capacity = random_instance(*instance)
    solution = solve_with(backend, score, allowed, capacity)
    assert solution.total == pytest.approx(brute_force(score, allowed, capacity))


@BACKENDS
@settings(max_examples=200, deadline=None)
@given(instances)
def test_solution_never_breaks_a_constraint(backend, instance):
    score, allowed, capacity = random_instance(*instance)
    exact = solve_with(backend, score, allowed, capacity)
    for solution in (exact, solve_greedy(score, allowed, capacity)):
        mentees = [i for i, _ in solution.pairs]
        assert len(mentees) == len(set(mentees))  # at most one mentor each
        used = np.bincount([j for _, j in solution.pairs], minlength=len(capacity))
        assert (used <= capacity).all()  # capacity never exceeded
        assert all(allowed[i, j] and score[i, j] > 0 for i, j in solution.pairs)
        assert solution.total == pytest.approx(sum(score[i, j] for i, j in solution.pairs))


@BACKENDS
@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**32 - 1),
    st.sampled_from([(40, 20), (120, 50), (200, 120), (90, 90)]),
    st.sampled_from([6, 101]),  # few distinct scores (ties everywhere) or many
)
def test_larger_cycles_reach_the_hungarian_optimum(backend, seed, shape, levels):
    rng = np.random.default_rng(seed)
    n, m = shape
    score = rng.integers(0, levels, (n, m)) * rng.choice([1.0, 0.37])
    allowed = rng.random((n, m)) < rng.choice([0.3, 0.9])
    capacity = rng.integers(0, 4, m)
    solution = solve_with(backend, score, allowed, capacity)
    assert solution.total == pytest.approx(expanded_hungarian(score, allowed, capacity), abs=1e-6)
    assert solution.bound == pytest.approx(solution.total, abs=1e-6)


@BACKENDS
def test_a_mentee_gives_way_beyond_the_first_candidates(backend):
    # Both mentees' best by far is mentor 0; the optimum sends mentee 0 to mentor 1,
    # a pair the first round does not consider.
    score = np.array([[10.0, 5.0], [10.0, 0.0]])
    solution = solve_with(backend, score, np.ones((2, 2), dtype=bool), np.array([1, 1]))
    assert solution.pairs == [(0, 1), (1, 0)] and solution.total == 15
    assert solution.rounds >= 2  # found in a later round


@BACKENDS
def test_optimum_beats_greedy_where_greedy_is_short_sighted(backend):
    # Greedy gives mentor 0 to mentee 0 (score 10) and leaves mentee 1 with nothing;
    # the optimum pairs 0-1 and 1-0 for 9 + 8.
    score = np.array([[10.0, 9.0], [8.0, 0.0]])
    allowed = np.ones((2, 2), dtype=bool)
    capacity = np.array([1, 1])
    assert solve_greedy(score, allowed, capacity).total == 10
    optimum = solve_with(backend, score, allowed, capacity)
    assert optimum.pairs == [(0, 1), (1, 0)] and optimum.total == 17


@BACKENDS
def test_capacity_lets_one_mentor_take_several(backend):
    score = np.array([[5.0], [4.0], [3.0]])
    solution = solve_with(backend, score, np.ones((3, 1), dtype=bool), np.array([2]))
    assert solution.pairs == [(0, 0), (1, 0)]


def test_nothing_to_match():
    assert solve(np.zeros((0, 3)), np.zeros((0, 3), bool), np.ones(3, int)).pairs == []
    assert solve(np.ones((2, 2)), np.zeros((2, 2), bool), np.ones(2, int)).pairs == []
    assert solve(np.ones((2, 2)), np.ones((2, 2), bool), np.zeros(2, int)).pairs == []


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="one number per mentor"):
        solve(np.ones((2, 2)), np.ones((2, 2), bool), np.ones(3, int))
    with pytest.raises(ValueError, match="cannot be negative"):
        solve(np.ones((2, 2)), np.ones((2, 2), bool), np.array([1, -1]))


def test_without_pot_the_solver_uses_scipy_and_never_imports_ot():
    score = np.array([[10.0, 5.0], [10.0, 0.0]])
    with installed("scipy"):
        solution = solve(score, np.ones((2, 2), dtype=bool), np.array([1, 1]))
        assert sys.modules["ot"] is None  # still blocked: nothing imported it for real
    assert solution.backend == "scipy" and solution.total == 15
    assert solve(score, np.ones((2, 2), dtype=bool), np.array([1, 1])).backend == "pot"


@pytest.mark.parametrize("seed", [1, 2])
def test_both_backends_prove_the_same_optimum_on_a_realistic_pool(seed):
    # 300 mentees x 150 mentors, few distinct scores: many tied optima, the hard case
    # for the price computation.
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 21, (300, 150)) * (100 / 21)
    allowed = rng.random((300, 150)) < 0.6
    capacity = rng.integers(1, 4, 150)
    pot = solve_with("pot", score, allowed, capacity)
    scipy_only = solve_with("scipy", score, allowed, capacity)
    reference = expanded_hungarian(score, allowed, capacity)
    assert pot.total == pytest.approx(reference, abs=1e-6)
    assert scipy_only.total == pytest.approx(reference, abs=1e-6)
    assert scipy_only.bound == pytest.approx(scipy_only.total, abs=1e-6)
    # Certified in the candidate rounds, not by the fallback onto every usable pair.
    assert scipy_only.arcs < int((allowed & (score > 0)).sum())


def brute_force_lexicographic(score, allowed, capacity, bonus):
    """Best (mentees matched, total with bonuses) over every plan, compared in that order."""
    return max(
        (len(pairs), round(sum(score[i, j] + bonus[i] for i, j in pairs), 9))
        for pairs in every_plan(score, allowed, capacity)
    )


@BACKENDS
@settings(max_examples=200, deadline=None)
@given(instances)
def test_most_matched_first_equals_brute_force(backend, instance):
    score, allowed, capacity = random_instance(*instance)
    bonus = np.random.default_rng(instance[0]).integers(0, 4, score.shape[0]).astype(float)
    with installed(backend):
        solution = solve(score, allowed, capacity, bonus=bonus, most_matched=True)
    count, total = brute_force_lexicographic(score, allowed, capacity, bonus)
    assert len(solution.pairs) == count
    assert sum(score[i, j] + bonus[i] for i, j in solution.pairs) == pytest.approx(total)
    assert solution.total == pytest.approx(sum(score[i, j] for i, j in solution.pairs))
    assert solution.bound == pytest.approx(solution.objective)


@BACKENDS
def test_one_more_mentee_outweighs_a_better_pair(backend):
    # Mentee 0 fits both mentors; mentee 1 fits only mentor 0, poorly. The best total
    # gives mentor 0 to mentee 0 (90) and leaves mentee 1 waiting; most matched first
    # pairs both (10 + 60).
    score = np.array([[90.0, 60.0], [10.0, 0.0]])
    allowed = np.ones((2, 2), dtype=bool)
    capacity = np.array([1, 1])
    with installed(backend):
        assert solve(score, allowed, capacity).pairs == [(0, 0)]
        assert solve(score, allowed, capacity, most_matched=True).pairs == [(0, 1), (1, 0)]


@BACKENDS
def test_the_waiting_bonus_gives_the_place_to_the_longer_waiting(backend):
    # One place, two mentees: the newer one fits a little better, the other has waited
    # four weeks longer at a bonus of one point per week.
    score = np.array([[70.0], [72.0]])
    allowed = np.ones((2, 1), dtype=bool)
    with installed(backend):
        assert solve(score, allowed, np.array([1])).pairs == [(1, 0)]
        waited = solve(score, allowed, np.array([1]), bonus=np.array([4.0, 0.0]))
    assert waited.pairs == [(0, 0)]
    assert waited.total == 70.0 and waited.objective == 74.0


def test_a_bad_bonus_is_refused():
    score, allowed = np.ones((2, 2)), np.ones((2, 2), dtype=bool)
    for bonus in ([1.0], [1.0, -1.0], [1.0, np.nan]):
        with pytest.raises(ValueError):
            solve(score, allowed, np.array([1, 1]), bonus=np.array(bonus))


@BACKENDS
@pytest.mark.parametrize("seed", range(3))
def test_most_matched_first_is_certified_on_a_realistic_pool(backend, seed):
    rng = np.random.default_rng(seed)
    score = rng.uniform(0, 100, (300, 120)) * (rng.random((300, 120)) < 0.3)
    allowed = rng.random((300, 120)) < 0.9
    capacity = rng.integers(0, 3, 120)
    bonus = rng.integers(0, 12, 300).astype(float)
    with installed(backend):
        plain = solve(score, allowed, capacity, bonus=bonus)
        first = solve(score, allowed, capacity, bonus=bonus, most_matched=True)
    assert len(first.pairs) >= len(plain.pairs)
    assert first.bound - first.objective <= 1e-6 * first.objective
    assert first.rounds >= 1
    # The plain optimum with as many pairs can never beat it on the objective's second part.
    usable = allowed & (score > 0)
    seats = np.repeat(np.arange(120), capacity)
    cost = np.where(usable[:, seats], -(score + bonus[:, None] + 1e6)[:, seats], 0.0)
    rows, columns = linear_sum_assignment(cost)
    kept = usable[:, seats][rows, columns]
    assert int(kept.sum()) == len(first.pairs)
    reference = float((score + bonus[:, None])[:, seats][rows, columns][kept].sum())
    assert sum(score[i, j] + bonus[i] for i, j in first.pairs) == pytest.approx(reference)
