"""Suggestions: ranked mentors for one mentee, and a whole cycle's optimal proposals."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..conf import app_settings
from ..models.matches import Match
from . import lifecycle
from .pool import load_pools
from .scoring import explain, score_matrix
from .solver import solve


@dataclasses.dataclass(frozen=True)
class Suggestion:
    mentor_id: int
    mentor_name: str
    score: float
    capacity_left: int
    explanation: list[dict]
    allowed: bool


@dataclasses.dataclass(frozen=True)
class SuggestionRun:
    proposed: list[Match]
    unmatched: int
    total: float
    replaced: int


def _score(pools):
    return score_matrix(
        pools.mentees,
        pools.mentors,
        app_settings.MATCH_WEIGHTS,
        min_score=float(app_settings.MATCH_MIN_SCORE),
        same_employer_allowed=bool(app_settings.MATCH_SAME_EMPLOYER_ALLOWED),
        previous_pairs=pools.previous_pairs,
    )


def _explanation(pools, i, j) -> list[dict]:
    return [
        dataclasses.asdict(part)
        for part in explain(
            pools.mentees, pools.mentors, i, j, app_settings.MATCH_WEIGHTS, pools.topic_names
        )
    ]


def suggest_mentors(mentee, limit: int | None = None) -> list[Suggestion]:
    """The best mentors for one mentee, highest score first, each explained.

    Pairs that break a hard constraint are left out.
    """
    limit = limit or app_settings.SUGGESTIONS_SHOWN
    pools = load_pools(mentee.cycle, mentee_ids=[mentee.pk], keep_proposals=True)
    if len(pools.mentees) == 0 or len(pools.mentors) == 0:
        return []
    scores = _score(pools)
    row = np.where(scores.allowed[0], scores.total[0], -np.inf)
    order = [j for j in np.argsort(-row, kind="stable")[:limit] if np.isfinite(row[j])]
    return [
        Suggestion(
            mentor_id=int(pools.mentors.ids[j]),
            mentor_name=pools.mentor_rows[j]["name"],
            score=round(float(scores.total[0, j]), 2),
            capacity_left=int(pools.mentors.capacity[j]),
            explanation=_explanation(pools, 0, j),
            allowed=True,
        )
        for j in order
    ]


def suggest_for_cycle(cycle, *, actor=None) -> SuggestionRun:
    """Replace the cycle's unpinned proposals with the optimal set of new ones.

    Approved, active and pinned matches stay as they are and keep their places. A
    mentee is left waiting rather than proposed under ``MATCH_MIN_SCORE``. This
    computes; :func:`~wagtail_mentoring.matching.lifecycle.replace_proposals` writes.
    """
    pools = load_pools(cycle)
    scores = _score(pools)
    solution = solve(scores.total, scores.allowed, pools.mentors.capacity)
    proposed, replaced = lifecycle.replace_proposals(
        cycle,
        [
            {
                "mentee_id": int(pools.mentees.ids[i]),
                "mentor_id": int(pools.mentors.ids[j]),
                "score": round(float(scores.total[i, j]), 2),
                "explanation": _explanation(pools, i, j),
            }
            for i, j in solution.pairs
        ],
        actor=actor,
    )
    return SuggestionRun(
        proposed=proposed,
        unmatched=len(pools.mentees) - len(proposed),
        total=solution.total,
        replaced=replaced,
    )


def score_pair(mentee, mentor) -> Suggestion | None:
    """The score and explanation of one pair, or ``None`` if it may not be proposed."""
    pools = load_pools(mentee.cycle, mentee_ids=[mentee.pk], keep_proposals=True)
    columns = np.flatnonzero(pools.mentors.ids == mentor.pk)
    if len(pools.mentees) == 0 or len(columns) == 0:
        return None
    j = int(columns[0])
    scores = _score(pools)
    if not scores.allowed[0, j]:
        return None
    return Suggestion(
        mentor_id=mentor.pk,
        mentor_name=pools.mentor_rows[j]["name"],
        score=round(float(scores.total[0, j]), 2),
        capacity_left=int(pools.mentors.capacity[j]),
        explanation=_explanation(pools, 0, j),
        allowed=True,
    )
