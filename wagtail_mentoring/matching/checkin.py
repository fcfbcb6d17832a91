"""The "Have you met yet?" answers: one lifecycle function, as in :mod:`.lifecycle`.

A number of days after a match starts (``WAGTAIL_MENTORING_MET_CHECK_DAYS``), the
schedule asks both people whether they have met
(:func:`wagtail_mentoring.schedule.send_met_checks`).
Each answer is a ``met_answer`` :class:`~wagtail_mentoring.models.MatchEvent` with the
``role``, the ``answer`` (a :class:`~wagtail_mentoring.models.matches.MetAnswer` code)
and the ``ask`` (1, or 2 when asked again); the match itself stores nothing new.

:func:`record_met_answer` runs in one transaction: it locks the match (the lock order
of :mod:`.lifecycle`: a match alone), writes the event, and flags the match for the
committee (``lifecycle.flag`` with ``FlagCause.MET_CHECK``) when

- someone answers "I can't reach them", or
- "Not yet" has been answered twice: by both people, or by one person on the first
  asking and again when asked again (each person's latest answer to each asking
  counts once; changing "Not yet" to "Yes" takes it back).

Answering again with the same answer writes nothing; a changed answer is recorded.
"""

from __future__ import annotations

import dataclasses

from django.db import transaction
from django.utils.translation import gettext as _

from ..models.matches import (
    UNDERWAY,
    FlagCause,
    MatchAction,
    MatchEvent,
    MetAnswer,
)
from . import lifecycle
from .lifecycle import MatchingError
from .met_links import ASKS, ROLES

#: How many "Not yet" answers (latest per person and asking) flag the match.
NOT_YET_FLAGS = 2


@dataclasses.dataclass(frozen=True)
class MetOutcome:
    #: whether a new event was written (``False``: the same answer again)
    recorded: bool
    #: whether this answer flagged the match
    flagged: bool


def latest_answers(events) -> dict[tuple[int, str, int], str]:
    """(match id, role, ask) -> the latest answer, from ``met_answer`` events in the
    order they happened."""
    latest: dict[tuple[int, str, int], str] = {}
    for event in events:
        params = event.params or {}
        latest[(event.match_id, params.get("role"), params.get("ask", 1))] = params.get("answer")
    return latest


def met_answers_of(matches) -> dict[tuple[int, str, int], str]:
    """The latest answer of each person to each asking, for many matches (one query)."""
    events = (
        MatchEvent.objects.filter(match__in=matches, action=MatchAction.MET_ANSWER)
        .only("match_id", "params")
        .order_by("at", "pk")
    )
    return latest_answers(events)


def record_met_answer(match, role: str, answer: str, *, ask: int = 1, actor=None) -> MetOutcome:
    """Record ``role``'s answer to asking ``ask`` of "Have you met yet?" on ``match``.

    Raises :class:`~wagtail_mentoring.matching.lifecycle.MatchingError` for an unknown
    role, answer or asking, and for a match that is no longer approved or active.
    """
    if role not in ROLES:
        raise MatchingError(_("Say whether the mentor or the mentee answered."))
    if answer not in MetAnswer.values:
        raise MatchingError(_("Choose one of the answers."))
    if ask not in ASKS:
        raise MatchingError(_("This question was not asked."))
    with transaction.atomic():
        locked = lifecycle._lock([match], applications=False)
        if not locked:
            raise MatchingError(_("This match no longer exists."))
        match = locked[0]
        if match.status not in UNDERWAY:
            raise MatchingError(_("This mentoring has ended or did not go ahead."))
        answers = met_answers_of([match])
        if answers.get((match.pk, role, ask)) == answer:
            return MetOutcome(recorded=False, flagged=False)
        answers[(match.pk, role, ask)] = answer
        lifecycle._events(
            [match], MatchAction.MET_ANSWER, match.status, actor, role=role, answer=answer, ask=ask
        )
        flagged = False
        if answer == MetAnswer.CANT_REACH:
            flagged = lifecycle.flag(
                match, cause=FlagCause.MET_CHECK, actor=actor, role=role, answer=answer
            )
        elif answer == MetAnswer.NOT_YET:
            not_yet = sum(given == MetAnswer.NOT_YET for given in answers.values())
            if not_yet >= NOT_YET_FLAGS:
                flagged = lifecycle.flag(
                    match, cause=FlagCause.MET_CHECK, actor=actor, role=role, answer=answer
                )
    return MetOutcome(recorded=True, flagged=flagged)


__all__ = ["MetOutcome", "latest_answers", "met_answers_of", "record_met_answer"]
