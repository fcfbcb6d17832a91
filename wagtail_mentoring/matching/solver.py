"""Propose matches for a whole cycle: maximise the total score within mentor capacities.

This is a transportation problem: each mentee takes at most one mentor, mentor ``j``
takes at most ``capacity[j]`` mentees, and only allowed pairs with a positive score may
be used. :func:`solve` finds the optimum without ever solving the whole matrix:

1. **Candidates.** For each mentee, keep the pairs whose score less the mentor's price
   is within a small margin of that mentee's best (prices start at 0).
2. **Restricted optimum.** Solve the problem on the candidate pairs only, exactly, and
   give each mentor a price ``p >= 0`` (optimal dual values of the restricted problem).
   With POT installed (the ``large`` extra), POT's network simplex does both (``ot.emd``
   on a sparse cost matrix: each mentee supplies one unit, each mentor demands its
   capacity, a dummy row and column let seats stay empty and mentees stay unmatched; its
   dual potentials are the prices). Without POT, scipy alone: a minimum-weight bipartite
   matching on the candidate pairs, one column per mentor seat and one "unmatched"
   column per mentee, gives the optimum; the prices are then shortest distances in the
   graph of complementary slackness (Bellman-Ford), which exist because the matching is
   optimal. ``import ot`` runs only here, on the first solve that finds POT.
3. **Certificate.** For any prices ``p >= 0``, ``u_i = max(0, max_j score_ij - p_j)``
   over every allowed pair makes ``sum(u) + capacity @ p`` an upper bound on the best
   total of the *whole* problem (LP duality). When the restricted optimum reaches that
   bound, it is optimal for the whole problem, and we stop. Otherwise each mentee's
   best pairs at the new prices (which include every pair breaking the bound) join the
   candidates and step 2 runs again. Every round adds a pair, so the loop ends; a
   handful of rounds is typical.

The answer is optimal up to floating-point rounding of the sums (far below 1e-6 at any
realistic size); the tests compare it with brute force and with the Hungarian
algorithm on the capacity-expanded matrix. Dense passes over the matrix run in blocks
of rows, so no full-size temporary is made beyond one float32 copy of the scores.

:func:`solve_greedy` (best remaining pair first) is the baseline the benchmark
compares against.
"""

from __future__ import annotations

import dataclasses

import numpy as np

BLOCK = 256  # rows per block in the dense passes
FIRST_MARGIN = 0.03  # candidate margins, as fractions of the largest score: they
MARGIN = 0.02  # change how many rounds are needed, never the answer


@dataclasses.dataclass(frozen=True)
class Solution:
    pairs: list[tuple[int, int]]  # (mentee row, mentor column)
    total: float
    rounds: int = 0  # restricted problems solved
    arcs: int = 0  # candidate pairs in the last one
    bound: float = 0.0  # the proven upper bound on the objective (equal to it, up to rounding)
    objective: float = 0.0  # what was maximised: the total, plus bonuses and per-pair weight
    backend: str = ""  # "pot" or "scipy": what solved the restricted problems


def _check(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray) -> None:
    if score.shape != allowed.shape or score.ndim != 2:
        raise ValueError("score and allowed must be matrices of the same shape")
    if capacity.shape != (score.shape[1],):
        raise ValueError("capacity must hold one number per mentor")
    if (capacity < 0).any():
        raise ValueError("capacity cannot be negative")


def _total(score, pairs) -> float:
    return float(sum(score[i, j] for i, j in pairs))


def _blocks(n: int):
    for start in range(0, n, BLOCK):
        yield start, min(n, start + BLOCK)


def backend() -> str:
    """``"pot"`` when POT can be imported (the ``large`` extra), else ``"scipy"``."""
    try:
        import ot  # noqa: F401  (177 MB, seconds to import: only when a solve needs it)
    except ImportError:
        return "scipy"
    return "pot"


def _restricted(score, arcs, capacity, name):
    """The optimum on the candidate ``arcs`` (flat indices): (rows, columns, prices)."""
    if name == "pot":
        return _restricted_pot(score, arcs, capacity)
    return _restricted_scipy(score, arcs, capacity)


def _restricted_pot(score, arcs, capacity):
    import ot
    from scipy.sparse import coo_array

    n, m = score.shape
    rows, cols = np.divmod(arcs, m)
    # Row n is the dummy "empty seats" row, column m the dummy "unmatched" column.
    cost = coo_array(
        (
            np.concatenate([-score.ravel()[arcs], np.zeros(n + m + 1)]),
            (
                np.concatenate([rows, np.arange(n), np.full(m + 1, n)]),
                np.concatenate([cols, np.full(n, m), np.arange(m + 1)]),
            ),
        ),
        shape=(n + 1, m + 1),
    )
    supply = np.concatenate([np.ones(n), [float(capacity.sum())]])
    demand = np.concatenate([capacity.astype(np.float64), [float(n)]])
    plan, log = ot.emd(
        supply,
        demand,
        cost,
        numItermax=2**62,
        log=True,
        center_dual=False,
        check_marginals=False,
    )
    if log["result_code"] != 1:  # 1: optimal
        raise RuntimeError(f"The matching solver stopped early: {log['warning']}")
    # Any prices >= 0 give a valid bound; these come from the dummy row's arcs.
    prices = np.maximum(0.0, -(log["u"][n] + log["v"][:m]))
    plan = plan.tocoo()
    used = (plan.data > 0.5) & (plan.row < n) & (plan.col < m)
    return plan.row[used].astype(np.int64), plan.col[used].astype(np.int64), prices


def _restricted_scipy(score, arcs, capacity):
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching, shortest_path

    n, m = score.shape
    rows, cols = np.divmod(arcs, m)
    arc_score = score.ravel()[arcs]
    top = float(arc_score.max(initial=0.0)) + 1.0
    # The primal: each arc once per seat of its mentor; mentee i's own column n_seats + i
    # means "unmatched". Weights top - score > 0, so the matching maximises the score.
    seats = int(capacity.sum())
    seat_mentor = np.repeat(np.arange(m), capacity)
    per_arc = capacity[cols]
    arc_of = np.repeat(np.arange(len(arcs)), per_arc)
    offset = np.arange(len(arc_of)) - np.repeat(np.cumsum(per_arc) - per_arc, per_arc)
    seat = (np.cumsum(capacity) - capacity)[cols][arc_of] + offset
    graph = csr_array(
        (
            np.concatenate([top - arc_score[arc_of], np.full(n, top)]),
            (
                np.concatenate([rows[arc_of], np.arange(n)]),
                np.concatenate([seat, seats + np.arange(n)]),
            ),
        ),
        shape=(n, seats + n),
    )
    _, column = min_weight_full_bipartite_matching(graph)
    matched = np.flatnonzero(column < seats)
    mentor = seat_mentor[column[matched]]
    # The prices: p_b - p_a <= w is an edge a -> b of weight w; node m is a free seat
    # (price 0). Shortest distances from it satisfy every edge, hence complementary
    # slackness with the optimal matching: they are optimal dual prices.
    assigned = np.full(n, -1)
    assigned[matched] = mentor
    arc_mentor = assigned[rows]
    moved = (arc_mentor >= 0) & (arc_mentor != cols)  # u_i = s_ij - p_j >= s_ik - p_k
    alone = arc_mentor < 0  # u_i = 0 >= s_ik - p_k
    free = np.flatnonzero(np.bincount(mentor, minlength=m) < capacity)  # p_j <= 0
    source = [cols[moved], cols[alone], np.full(len(matched), m), np.full(len(free), m)]
    target = [arc_mentor[moved], np.full(int(alone.sum()), m), mentor, free]
    weight = [
        score[rows[moved], arc_mentor[moved]] - arc_score[moved],
        -arc_score[alone],
        score[matched, mentor],  # u_i = s_ij - p_j >= 0
        np.zeros(len(free)),
    ]
    source += [np.arange(m)]  # p_j >= 0
    target += [np.full(m, m)]
    weight += [np.zeros(m)]
    source, target, weight = map(np.concatenate, (source, target, weight))
    # Keep the lightest of parallel edges; a sliver above rounding of each weight keeps
    # cycles of weight 0 (ties) from looking negative.
    key = source * (m + 1) + target
    order = np.lexsort((weight, key))
    _, first = np.unique(key[order], return_index=True)
    keep = order[first]
    edges = csr_array(
        (weight[keep] + 1e-15 * top, (source[keep], target[keep])), shape=(m + 1, m + 1)
    )
    distance = shortest_path(edges, method="BF", directed=True, indices=m)[:m]
    prices = np.where(np.isfinite(distance), np.maximum(distance, 0.0), 0.0)
    return matched.astype(np.int64), mentor.astype(np.int64), prices


def _candidates(scaled, prices, margin, buffer):
    """Flat indices of the pairs within ``margin`` of their row's best score less price,
    and the (float32) sum of the rows' best such scores (0 at least)."""
    n, m = scaled.shape
    prices = prices.astype(np.float32)
    found, best_total = [], 0.0
    for start, end in _blocks(n):
        block = np.subtract(scaled[start:end], prices, out=buffer[: end - start])
        best = np.maximum(block.max(axis=1), np.float32(0))
        best_total += float(best.sum(dtype=np.float64))
        found.append(np.flatnonzero(block >= (best - np.float32(margin))[:, None]) + start * m)
    return np.concatenate(found), best_total


def _bound_terms(score, usable, prices, buffer):
    """Each row's ``u_i = max(0, max_j usable score_ij - p_j)``, in float64."""
    n = score.shape[0]
    u = np.empty(n)
    for start, end in _blocks(n):
        block = np.subtract(score[start:end], prices, out=buffer[: end - start])
        np.copyto(block, -np.inf, where=~usable[start:end])
        u[start:end] = block.max(axis=1)
    return np.maximum(u, 0.0)


def _best_pairs(score, usable, prices, u, buffer):
    """Each row's best pairs at ``prices``: they include every pair breaking the bound."""
    n, m = score.shape
    found = []
    for start, end in _blocks(n):
        block = np.subtract(score[start:end], prices, out=buffer[: end - start])
        np.copyto(block, -np.inf, where=~usable[start:end])
        block[u[start:end] <= 0] = -np.inf
        found.append(np.flatnonzero(block >= u[start:end, None]) + start * m)
    return np.concatenate(found)


def solve(
    score: np.ndarray,
    allowed: np.ndarray,
    capacity: np.ndarray,
    *,
    bonus: np.ndarray | None = None,
    most_matched: bool = False,
) -> Solution:
    """The matching of greatest total score; mentees may stay unmatched.

    Only pairs where ``allowed`` is true and the score is positive are used.

    ``bonus`` (one number >= 0 per mentee, for example a bonus per week waited) is
    added to every usable pair of that mentee, so that of two otherwise equal plans the
    one that matches the longer-waiting mentee wins. With ``most_matched`` the number of
    mentees matched comes first and the total (with bonuses) second: every usable pair
    also gets a weight larger than any plan's whole total, so one more matched mentee
    always outweighs any difference in score. The objective stays linear, so the same
    certified optimum is found; :attr:`Solution.total` is still the plain total score
    of the pairs, :attr:`Solution.objective` what was maximised.
    """
    score = np.ascontiguousarray(score, dtype=np.float64)
    capacity = np.asarray(capacity, dtype=np.int64)
    allowed = np.asarray(allowed, dtype=bool)
    _check(score, allowed, capacity)
    usable = allowed & (score > 0) & (capacity > 0)[None, :]
    if not usable.any():
        return Solution(pairs=[], total=0.0)
    if not np.isfinite(np.max(score, where=usable, initial=0.0)):
        raise ValueError("scores must be finite")
    plain = score
    if bonus is not None:
        bonus = np.asarray(bonus, dtype=np.float64)
        if bonus.shape != (score.shape[0],) or not np.isfinite(bonus).all() or (bonus < 0).any():
            raise ValueError("bonus must hold one finite number >= 0 per mentee")
        score = score + bonus[:, None]
    spread = float(np.max(score, where=usable, initial=0.0))  # the largest pair's value
    if most_matched:
        # More than the largest possible total: one more mentee outweighs any scores.
        weight = (min(score.shape[0], int(capacity.sum())) + 1) * spread
        score = np.where(usable, score + weight, score)
    solution = _solve(score, usable, capacity, spread)
    return dataclasses.replace(solution, total=_total(plain, solution.pairs))


def _solve(score, usable, capacity, spread) -> Solution:
    """:func:`solve` on its (possibly weighted) scores; margins are fractions of ``spread``."""
    top = float(np.max(score, where=usable, initial=0.0))
    n, m = score.shape
    # Candidates are chosen on a float32 copy scaled to [0, 1], forbidden pairs -inf.
    scaled = np.empty((n, m), dtype=np.float32)
    for start, end in _blocks(n):
        np.multiply(score[start:end], 1.0 / top, out=scaled[start:end], casting="same_kind")
        np.copyto(scaled[start:end], -np.inf, where=~usable[start:end])
    buffer32 = np.empty((min(BLOCK, n), m), dtype=np.float32)
    buffer64 = np.empty((min(BLOCK, n), m), dtype=np.float64)
    # Rounding in the two sums compared (n + m terms of at most ``top`` each).
    tolerance = 1e-13 * (n + m) * top + 1e-9

    ratio = spread / top  # margins stay fractions of a pair's value, whatever the weight
    arcs, _ = _candidates(scaled, np.zeros(m), FIRST_MARGIN * ratio, buffer32)
    name = backend()
    rounds = 0
    while True:
        rounds += 1
        rows, cols, prices = _restricted(score, arcs, capacity, name)
        total = float(score[rows, cols].sum())
        new, best_total = _candidates(scaled, prices / top, MARGIN * ratio, buffer32)
        merged = np.union1d(arcs, new)
        # The float32 estimate of the bound is cheap; prove it in float64 only when it
        # says the gap is (nearly) closed, or when no new candidate came in.
        estimate = best_total * top + float(capacity @ prices)
        if estimate - total <= 1e-5 * n * top + tolerance or len(merged) == len(arcs):
            u = _bound_terms(score, usable, prices, buffer64)
            bound = float(u.sum() + capacity @ prices)
            if bound - total <= tolerance:
                break
            merged = np.union1d(merged, _best_pairs(score, usable, prices, u, buffer64))
        if len(merged) == len(arcs):
            # Only rounding can stall the rounds: solve on every usable pair instead.
            arcs = np.flatnonzero(usable)
            rows, cols, prices = _restricted(score, arcs, capacity, name)
            total = float(score[rows, cols].sum())
            bound = float(_bound_terms(score, usable, prices, buffer64).sum() + capacity @ prices)
            break
        arcs = merged

    pairs = sorted(zip(rows.tolist(), cols.tolist(), strict=True))
    if (
        len(set(rows.tolist())) != len(rows) or (np.bincount(cols, minlength=m) > capacity).any()
    ):  # never expected: both backends answer with whole units
        raise RuntimeError("The matching solver returned an infeasible plan.")
    objective = _total(score, pairs)
    return Solution(
        pairs=pairs,
        total=objective,
        objective=objective,
        rounds=rounds,
        arcs=len(arcs),
        bound=bound,
        backend=name,
    )


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
