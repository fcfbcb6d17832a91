"""Suggestions: ranked mentors for one mentee, and a whole cycle's optimal proposals."""

from __future__ import annotations

import dataclasses
import datetime

import numpy as np
from django.db.models import Max
from django.utils import timezone

from ..conf import app_settings
from ..models.applications import Application, ApplicationStatus, Role
from ..models.matches import Match
from . import lifecycle
from .pool import MATCHED_BEFORE, STAGES, load_pools
from .scoring import Scores, explain, score_matrix
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


def constraint_settings(pools) -> dict:
    """The hard constraints' arguments from the settings, as :func:`score_matrix` and
    :func:`~wagtail_mentoring.matching.scoring.constraint_masks` take them."""
    return {
        "min_score": float(app_settings.MATCH_MIN_SCORE),
        "same_employer_allowed": bool(app_settings.MATCH_SAME_EMPLOYER_ALLOWED),
        "previous_pairs": pools.previous_pairs,
    }


def _score(pools):
    return score_matrix(
        pools.mentees,
        pools.mentors,
        app_settings.MATCH_WEIGHTS,
        **constraint_settings(pools),
        priority_factors=app_settings.PRIORITY_FACTORS,
        stage_bonus=app_settings.PRIORITY_STAGE_BONUS,
    )


def score_pools(pools) -> Scores:
    """Score loaded pools (:func:`~wagtail_mentoring.matching.pool.load_pools`) with the
    settings, exactly as the suggestions do."""
    return _score(pools)


def _explanation(pools, i, j) -> list[dict]:
    """The explanation stored with a proposal: codes and parameters, no sentences."""
    return [
        part.as_dict()
        for part in explain(
            pools.mentees,
            pools.mentors,
            i,
            j,
            app_settings.MATCH_WEIGHTS,
            pools.topic_names,
            topic_ids=pools.topic_ids,
            stage_codes=STAGES,
            priority_factors=app_settings.PRIORITY_FACTORS,
            stage_bonus=app_settings.PRIORITY_STAGE_BONUS,
        )
    ]


def _suggestion(pools, scores, i, j) -> Suggestion:
    return Suggestion(
        mentor_id=int(pools.mentors.ids[j]),
        mentor_name=pools.mentor_rows[j]["name"],
        score=round(float(scores.total[i, j]), 2),
        capacity_left=int(pools.mentors.capacity[j]),
        explanation=_explanation(pools, i, j),
        allowed=True,
    )


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
    return [_suggestion(pools, scores, 0, j) for j in order]


def score_pair(mentee, mentor) -> Suggestion | None:
    """One mentor's suggestion for one mentee, exactly as :func:`suggest_mentors` gives it.

    ``mentor`` is a mentor application or its id. Only these two applications are
    read and scored, in a constant number of queries. ``None`` when
    :func:`suggest_mentors` would leave the mentor out: the mentee is not waiting, the
    mentor does not take part in the mentee's cycle, or the pair breaks a hard
    constraint.
    """
    mentor_id = getattr(mentor, "pk", mentor)
    pools = load_pools(
        mentee.cycle, mentee_ids=[mentee.pk], mentor_ids=[mentor_id], keep_proposals=True
    )
    if len(pools.mentees) != 1 or len(pools.mentors) != 1:
        return None
    scores = _score(pools)
    if not scores.allowed[0, 0] or not np.isfinite(scores.total[0, 0]):
        return None
    return _suggestion(pools, scores, 0, 0)


def waiting_since(cycle, mentee_rows) -> list:
    """When each waiting mentee started waiting: the application's submission, or, for
    a member carried over unmatched from earlier cycles of the same programme, the
    earliest of those applications since their last match. Withdrawn applications do
    not carry over. Two queries."""
    since = [row["submitted_at"] for row in mentee_rows]
    users = {row["user_id"] for row in mentee_rows}
    if not users:
        return since
    earlier = Application.objects.filter(
        user_id__in=users,
        role=Role.MENTEE,
        cycle__program_page_id=cycle.program_page_id,
        cycle__pairing_start__lt=cycle.pairing_start,
    ).exclude(cycle=cycle)
    matched = dict(
        earlier.filter(matches_as_mentee__status__in=MATCHED_BEFORE)
        .values_list("user_id")
        .annotate(last=Max("submitted_at"))
    )
    first = {}
    for user_id, submitted_at in (
        earlier.exclude(status=ApplicationStatus.WITHDRAWN)
        .exclude(matches_as_mentee__status__in=MATCHED_BEFORE)
        .values_list("user_id", "submitted_at")
    ):
        if user_id in matched and submitted_at <= matched[user_id]:
            continue
        first[user_id] = min(submitted_at, first.get(user_id, submitted_at))
    since = [
        min(s, first.get(row["user_id"], s)) for s, row in zip(since, mentee_rows, strict=True)
    ]
    return first_in_line(since, mentee_rows)


def first_in_line(since, mentee_rows) -> list:
    """A mentee whose invitation was declined or not answered goes first: their wait
    counts a week longer than the longest anyone else's, so the waiting bonus puts
    them ahead of everyone."""
    returned = [bool(row.get("first_in_line_since")) for row in mentee_rows]
    if not any(returned):
        return since
    others = [s for s, back in zip(since, returned, strict=True) if not back]
    head = min(others or since) - datetime.timedelta(days=7)
    return [min(s, head) if back else s for s, back in zip(since, returned, strict=True)]


def waiting_bonus(mentee_rows, *, since=None, now=None) -> np.ndarray:
    """Each waiting mentee's bonus: ``MATCH_WAITING_BONUS_PER_WEEK`` per whole week
    waited, from ``since`` (one date per row; by default the application's submission).
    0 while the setting is invalid (check E016)."""
    per_week = app_settings.usable_waiting_bonus
    now = now or timezone.now()
    if since is None:
        since = [row["submitted_at"] for row in mentee_rows]
    weeks = [max(0, (now - start).days // 7) for start in since]
    return np.asarray(weeks, dtype=np.float64) * per_week


def suggest_for_cycle(cycle, *, actor=None) -> SuggestionRun:
    """Replace the cycle's unpinned proposals with the optimal set of new ones.

    Approved, active and pinned matches stay as they are and keep their places. A
    mentee is left waiting rather than proposed under ``MATCH_MIN_SCORE``. As many
    mentees as possible are matched first (``MATCH_MOST_MATCHED_FIRST``), then the total
    score, with a bonus for each week a mentee has waited, is the greatest it can be
    (``MATCH_WAITING_BONUS_PER_WEEK``): of two otherwise equal plans, the one that
    matches the longer-waiting mentee wins. This computes;
    :func:`~wagtail_mentoring.matching.lifecycle.replace_proposals` writes.
    """
    pools = load_pools(cycle)
    scores = _score(pools)
    solution = solve(
        scores.total,
        scores.allowed,
        pools.mentors.capacity,
        bonus=waiting_bonus(pools.mentee_rows, since=waiting_since(cycle, pools.mentee_rows)),
        most_matched=app_settings.MATCH_MOST_MATCHED_FIRST is not False,
    )
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
