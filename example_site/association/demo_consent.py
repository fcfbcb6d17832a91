"""Demo content for consent before the introduction: one invitation waiting for the
mentor's yes, and one the mentor declined (its mentee first in line again)."""

from __future__ import annotations

from wagtail_mentoring.matching import lifecycle
from wagtail_mentoring.matching.suggest import suggest_mentors
from wagtail_mentoring.models import Application, Match, MatchStatus, Role


def seed_invitations(cycle) -> list[Match]:
    """Approve the best suggestion for the first two waiting mentees (by name) and have
    the second's mentor decline; nothing new when the cycle has invitations already."""
    if Match.objects.filter(
        cycle=cycle, status__in=(MatchStatus.AWAITING, MatchStatus.DECLINED)
    ).exists():
        return []
    made = []
    mentees = Application.objects.filter(cycle=cycle, role=Role.MENTEE).order_by("name", "pk")
    for mentee in mentees:
        if len(made) == 2:
            break
        suggestions = suggest_mentors(mentee, limit=1)
        if not suggestions:
            continue
        mentor = Application.objects.get(pk=suggestions[0].mentor_id)
        match = lifecycle.propose(
            mentee,
            mentor,
            score=suggestions[0].score,
            explanation=suggestions[0].explanation,
        )
        made.append(lifecycle.approve(match))
    if len(made) == 2:
        lifecycle.answer_invitation(
            made[1], "mentor", "no", reason="I already mentor a close colleague of theirs."
        )
    return made
