"""Propose matches for a whole cycle: maximise the total score within mentor capacities.

This is a transportation problem: each mentee takes at most one mentor, mentor ``j``
takes at most ``capacity[j]`` mentees, and only allowed pairs may be used.
:func:`solve` solves it exactly with the Hungarian algorithm
(``scipy.optimize.linear_sum_assignment``) on a matrix with one column per usable
mentor seat, after removing everything that cannot take part: mentees and mentors
without an allowed pair, and seats beyond the number of mentees a mentor could
take. A forbidden pair costs the same as leaving the mentee unmatched, so the
optimum never needs one.

:func:`solve_greedy` (best remaining pair first) is the baseline the benchmark
compares against; the tests compare :func:`solve` with brute force.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.optimize import linear_sum_assignment


@dataclasses.dataclass(frozen=True)
class Solution:
    pairs: list[tuple[int, int]]  # (mentee row, mentor column)
    total: float
    seats: int = 0  # columns of the assignment matrix that was solved


def _check(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray) -> None:
    if score.shape != allowed.shape or score.ndim != 2:
        raise ValueError("score and allowed must be matrices of the same shape")
    if capacity.shape != (score.shape[1],):
        raise ValueError("capacity must hold one number per mentor")
    if (capacity < 0).any():
        raise ValueError("capacity cannot be negative")


def _total(score, pairs) -> float:
    return float(sum(score[i, j] for i, j in pairs))


def solve(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray) -> Solution:
    """The matching of greatest total score; mentees may stay unmatched.

    Only pairs where ``allowed`` is true and the score is positive are used.
    """
    score = np.asarray(score, dtype=np.float64)
    capacity = np.asarray(capacity, dtype=np.int64)
    allowed = np.asarray(allowed, dtype=bool)
    _check(score, allowed, capacity)
    allowed = allowed & (score > 0) & (capacity > 0)[None, :]
    rows = np.flatnonzero(allowed.any(axis=1))
    cols = np.flatnonzero(allowed.any(axis=0))
    if len(rows) == 0:
        return Solution(pairs=[], total=0.0)
    sub_allowed = allowed[np.ix_(rows, cols)]
    sub_score = score[np.ix_(rows, cols)]
    # A mentor never needs more seats than mentees who may take them.
    seats_per_mentor = np.minimum(capacity[cols], sub_allowed.sum(axis=0))
    seats = np.repeat(np.arange(len(cols)), seats_per_mentor)
    cost = np.where(sub_allowed[:, seats], -sub_score[:, seats], 0.0)
    assigned_rows, assigned_seats = linear_sum_assignment(cost)
    pairs = sorted(
        (int(rows[i]), int(cols[seats[c]]))
        for i, c in zip(assigned_rows, assigned_seats, strict=True)
        if sub_allowed[i, seats[c]]
    )
    return Solution(pairs=pairs, total=_total(score, pairs), seats=len(seats))


def solve_greedy(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray) -> Solution:
    """Baseline: take the best remaining pair until nothing fits."""
    score = np.asarray(score, dtype=np.float64)
    allowed = np.asarray(allowed, dtype=bool) & (score > 0)
    left = np.asarray(capacity, dtype=np.int64).copy()
    rows, cols = np.nonzero(allowed)
    order = np.argsort(-score[rows, cols], kind="stable")
    taken = np.zeros(score.shape[0], dtype=bool)
    pairs = []
    mentees_left, seats_left = int(allowed.any(axis=1).sum()), int(left.sum())
    for index in order:
        if mentees_left == 0 or seats_left == 0:
            break
        i, j = rows[index], cols[index]
        if taken[i] or left[j] == 0:
            continue
        taken[i] = True
        left[j] -= 1
        mentees_left -= 1
        seats_left -= 1
        pairs.append((int(i), int(j)))
    pairs.sort()
    return Solution(pairs=pairs, total=_total(score, pairs))
