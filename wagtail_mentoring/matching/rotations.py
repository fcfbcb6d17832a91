"""Speed-mentoring rotations: who sits at which table in each round of a conference.

Each round, ``tables`` volunteers host a table and every participant sits at one of
them (the tables share the participants evenly). The plan never seats a participant
twice with the same volunteer, nor with a volunteer they may not meet (already matched,
same employer), and gives each participant as many conversations on a topic they want
as the rounds allow.

The plan is solved, not shuffled. Round by round:

1. **Hosts.** The volunteers who have hosted fewest rounds so far host next; among
   them, those whose topics the most participants still want to talk about, and whom
   they have not met yet.
2. **Seats.** Seating the participants at the hosts' tables is a transportation
   problem (each participant one seat, each table its share of seats), solved exactly
   by :func:`~wagtail_mentoring.matching.solver.solve` with "as many seated as
   possible" first: a conversation on a wanted topic is worth more than one without,
   and one with a host the participant has never met is the only kind allowed.

A participant whose every table is forbidden in a round sits that round out; the plan
says so rather than repeat a pair.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .solver import solve

FIT = 10.0  # a conversation sharing a wanted topic
BASE = 1.0  # any other allowed conversation


@dataclasses.dataclass(frozen=True)
class Plan:
    # seats[r][p] = the volunteer participant p talks to in round r, or -1 (sits out)
    seats: np.ndarray
    # hosts[r] = the volunteers hosting the round's tables, in table order
    hosts: np.ndarray

    @property
    def rounds(self) -> int:
        return self.seats.shape[0]

    def table_of(self, round_: int, participant: int) -> int:
        """The table number (0-based) of a participant in a round, or -1."""
        volunteer = self.seats[round_, participant]
        if volunteer < 0:
            return -1
        return int(np.flatnonzero(self.hosts[round_] == volunteer)[0])


def topic_fit(volunteer_topics: np.ndarray, participant_topics: np.ndarray) -> np.ndarray:
    """Participants by volunteers: True where they share a topic the participant wants."""
    wanted = np.asarray(participant_topics, dtype=np.float32)
    offered = np.asarray(volunteer_topics, dtype=np.float32)
    return (wanted @ offered.T) > 0


def plan_rotations(
    volunteer_topics: np.ndarray,
    participant_topics: np.ndarray,
    *,
    tables: int,
    rounds: int,
    forbidden: np.ndarray | None = None,
) -> Plan:
    """Plan ``rounds`` rounds at ``tables`` tables.

    ``volunteer_topics`` and ``participant_topics`` are boolean matrices (people by
    topics); ``forbidden`` (participants by volunteers) marks pairs that may never meet.
    """
    fits = topic_fit(volunteer_topics, participant_topics)
    n_participants, n_volunteers = fits.shape
    if tables < 1 or rounds < 1:
        raise ValueError("tables and rounds must be 1 or more")
    if tables > n_volunteers:
        raise ValueError("there are fewer volunteers than tables")
    allowed = np.ones(fits.shape, dtype=bool)
    if forbidden is not None:
        forbidden = np.asarray(forbidden, dtype=bool)
        if forbidden.shape != fits.shape:
            raise ValueError("forbidden must be participants by volunteers")
        allowed &= ~forbidden
    value = np.where(fits, FIT, BASE)
    per_table = -(-n_participants // tables)  # the tables share the participants evenly
    hosted = np.zeros(n_volunteers, dtype=np.int64)
    seats = np.full((rounds, n_participants), -1, dtype=np.int64)
    hosts = np.zeros((rounds, tables), dtype=np.int64)
    for r in range(rounds):
        demand = (value * allowed).sum(axis=0)  # what the unmet participants would gain
        order = np.lexsort((-demand, hosted))  # fewest rounds hosted, then most wanted
        chosen = np.sort(order[:tables])
        hosted[chosen] += 1
        hosts[r] = chosen
        solution = solve(
            value[:, chosen],
            allowed[:, chosen],
            np.full(tables, per_table),
            most_matched=True,
        )
        for participant, table in solution.pairs:
            volunteer = chosen[table]
            seats[r, participant] = volunteer
            allowed[participant, volunteer] = False  # never again
    return Plan(seats=seats, hosts=hosts)


def steady_tables(plan: Plan) -> Plan:
    """The same plan with each host kept at one table as far as possible.

    Only the table numbers change (``hosts[r]`` is reordered): who talks to whom does
    not. A host who hosts two rounds in a row keeps their table; a host coming back
    after a break takes their earlier table when it is free; anyone else takes the
    lowest table left.
    """
    hosts = plan.hosts.copy()
    last_table: dict[int, int] = {v: t for t, v in enumerate(hosts[0].tolist())}
    for r in range(1, plan.rounds):
        previous = hosts[r - 1].tolist()
        now = sorted(hosts[r].tolist())
        row: list[int | None] = [v if v in now else None for v in previous]
        waiting = [v for v in now if v not in previous]
        for v in list(waiting):  # back after a break: their table, if it is free
            t = last_table.get(v)
            if t is not None and row[t] is None:
                row[t] = v
                waiting.remove(v)
        free = iter(t for t, v in enumerate(row) if v is None)
        for v in waiting:
            row[next(free)] = v
        hosts[r] = row
        last_table.update({v: t for t, v in enumerate(row)})
    return Plan(seats=plan.seats, hosts=hosts)


def random_plan(
    rng: np.random.Generator, n_volunteers: int, n_participants: int, *, tables: int, rounds: int
) -> Plan:
    """A shuffled rotation: random hosts each round, participants dealt to the tables."""
    per_table = -(-n_participants // tables)
    seats = np.full((rounds, n_participants), -1, dtype=np.int64)
    hosts = np.zeros((rounds, tables), dtype=np.int64)
    for r in range(rounds):
        hosts[r] = np.sort(rng.choice(n_volunteers, tables, replace=False))
        dealt = np.repeat(hosts[r], per_table)[:n_participants]
        seats[r] = dealt[rng.permutation(n_participants)]
    return Plan(seats=seats, hosts=hosts)


def score_plan(plan: Plan, fits: np.ndarray, forbidden: np.ndarray | None = None) -> dict:
    """Conversations, the share that fit a wanted topic, repeats and forbidden pairs."""
    pairs = [
        (p, int(v))
        for r in range(plan.rounds)
        for p, v in enumerate(plan.seats[r].tolist())
        if v >= 0
    ]
    conversations = len(pairs)
    fitting = sum(bool(fits[p, v]) for p, v in pairs)
    return {
        "conversations": conversations,
        "topic_fit": fitting / conversations if conversations else 0.0,
        "repeats": conversations - len(set(pairs)),
        "forbidden": sum(bool(forbidden[p, v]) for p, v in pairs) if forbidden is not None else 0,
        "sat_out": int((plan.seats < 0).sum()),
    }


__all__ = ["Plan", "plan_rotations", "random_plan", "score_plan", "steady_tables", "topic_fit"]
