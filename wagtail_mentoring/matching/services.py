"""How a match is proposed, approved, rejected, ended and completed (one function each).

The admin views, management commands and tests all call these. Each runs in one
transaction and sends its signal after the commit. Approval locks the mentor's
application row and counts the places already taken, so concurrent approvals can
never exceed the mentor's capacity.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import signals
from ..dates import add_months
from ..models.applications import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Role,
    record,
)
from ..models.matches import HOLDS_CAPACITY, LIVE, Match, MatchEvent, MatchStatus


class MatchingError(Exception):
    """A change that cannot be made; the message says why and what to do."""


class CapacityExceeded(MatchingError):
    pass


def _event(match, action, from_status, actor, note=""):
    MatchEvent.objects.create(
        match=match,
        action=action,
        from_status=from_status,
        to_status=match.status,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
    )


def _send_after_commit(signal, **kwargs):
    transaction.on_commit(partial(signal.send, sender=Match, **kwargs))


def places_taken(mentor: Application) -> int:
    return Match.objects.filter(mentor=mentor, status__in=HOLDS_CAPACITY).count()


def propose_match(
    mentee: Application,
    mentor: Application,
    *,
    actor=None,
    score: float = 0.0,
    explanation=(),
    pinned: bool = False,
) -> Match:
    """Propose ``mentor`` for ``mentee``; refuses what could never be approved."""
    with transaction.atomic():
        mentee = Application.objects.select_for_update().get(pk=mentee.pk)
        mentor = Application.objects.select_for_update().get(pk=mentor.pk)
        if mentee.role != Role.MENTEE or mentor.role != Role.MENTOR:
            raise MatchingError(_("A match pairs a mentor application with a mentee application."))
        if mentee.cycle_id != mentor.cycle_id:
            raise MatchingError(_("Both applications must belong to the same cycle."))
        if mentee.user_id == mentor.user_id:
            raise MatchingError(_("A member cannot mentor themselves."))
        for application in (mentee, mentor):
            if application.status in (ApplicationStatus.WITHDRAWN, ApplicationStatus.COMPLETED):
                raise MatchingError(
                    _("%(name)s's application is %(status)s.")
                    % {"name": application.name, "status": application.get_status_display().lower()}
                )
        if (
            Match.objects.filter(mentor=mentor, mentee=mentee)
            .exclude(status=MatchStatus.REJECTED)
            .exists()
        ):
            raise MatchingError(_("These two have been matched before."))
        if places_taken(mentor) >= (mentor.capacity or 0):
            raise CapacityExceeded(
                _("%(name)s has no free place (capacity %(capacity)s).")
                % {"name": mentor.name, "capacity": mentor.capacity or 0}
            )
        try:
            with transaction.atomic():
                match = Match.objects.create(
                    cycle_id=mentee.cycle_id,
                    mentor=mentor,
                    mentee=mentee,
                    score=score,
                    explanation=list(explanation),
                    pinned=pinned,
                    proposed_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            raise MatchingError(
                _("%(name)s already has a proposed or approved match. Reject it first.")
                % {"name": mentee.name}
            ) from None
        _event(match, "proposed", "", actor)
        _send_after_commit(signals.match_proposed, match=match, actor=actor)
    return match


def approve_match(match: Match, *, actor=None, start_date=None) -> Match:
    """Approve a proposal; the mentor's capacity is checked under a row lock."""
    with transaction.atomic():
        match = Match.objects.select_for_update().select_related("cycle").get(pk=match.pk)
        if match.status != MatchStatus.PROPOSED:
            raise MatchingError(
                _("Only a proposed match can be approved; this one is %(status)s.")
                % {"status": match.get_status_display().lower()}
            )
        # Lock the mentor first, then the mentee: every approval takes them in this order.
        mentor = Application.objects.select_for_update().get(pk=match.mentor_id)
        mentee = Application.objects.select_for_update().get(pk=match.mentee_id)
        if (
            mentee.status == ApplicationStatus.WITHDRAWN
            or mentor.status == ApplicationStatus.WITHDRAWN
        ):
            raise MatchingError(_("One of the two applications has been withdrawn."))
        taken = places_taken(mentor)
        if taken >= (mentor.capacity or 0):
            raise CapacityExceeded(
                _("%(name)s's %(capacity)s place(s) are all taken; approving would exceed them.")
                % {"name": mentor.name, "capacity": mentor.capacity or 0}
            )
        today = timezone.localdate()
        start = start_date or max(today, match.cycle.pairing_start)
        match.status = MatchStatus.APPROVED
        match.approved_by = actor if getattr(actor, "pk", None) else None
        match.approved_at = timezone.now()
        match.start_date = start
        match.end_date = add_months(start, match.cycle.commitment_months)
        match.save()
        Application.objects.filter(pk__in=[mentor.pk, mentee.pk]).update(
            status=ApplicationStatus.MATCHED
        )
        record(mentor.pk, "matched", actor, note=_("Mentor of %(name)s") % {"name": mentee.name})
        record(mentee.pk, "matched", actor, note=_("Mentee of %(name)s") % {"name": mentor.name})
        _event(match, "approved", MatchStatus.PROPOSED, actor)
        _send_after_commit(signals.match_approved, match=match, actor=actor)
    return match


def reject_match(match: Match, *, actor=None, reason: str = "") -> Match:
    """Reject a proposal; the two applications go back to the pool."""
    with transaction.atomic():
        match = Match.objects.select_for_update().get(pk=match.pk)
        if match.status != MatchStatus.PROPOSED:
            raise MatchingError(_("Only a proposed match can be rejected."))
        match.status = MatchStatus.REJECTED
        match.end_reason = reason.strip()
        match.save(update_fields=["status", "end_reason"])
        _event(match, "rejected", MatchStatus.PROPOSED, actor, reason)
        _send_after_commit(signals.match_rejected, match=match, actor=actor, reason=reason)
    return match


def set_pinned(match: Match, pinned: bool, *, actor=None) -> Match:
    """Pin a proposal (a new suggestion run keeps it) or unpin it."""
    with transaction.atomic():
        match = Match.objects.select_for_update().get(pk=match.pk)
        if match.status != MatchStatus.PROPOSED:
            raise MatchingError(_("Only a proposed match can be pinned or unpinned."))
        if match.pinned != pinned:
            match.pinned = pinned
            match.save(update_fields=["pinned"])
            _event(match, "pinned" if pinned else "unpinned", match.status, actor)
    return match


def end_match(match: Match, *, actor=None, reason: str) -> Match:
    """End an approved or active match early; a reason is required (at most 1,000 characters)."""
    if not reason or not reason.strip():
        raise MatchingError(_("Say why the match ends early."))
    limit = Match._meta.get_field("end_reason").max_length
    if len(reason.strip()) > limit:
        raise MatchingError(
            _("Shorten the reason to at most %(limit)d characters.") % {"limit": limit}
        )
    if "\x00" in reason:
        raise MatchingError(_("Null characters are not allowed."))
    return _finish(match, MatchStatus.ENDED_EARLY, "ended", actor, reason.strip())


def complete_match(match: Match, *, actor=None) -> Match:
    """Complete an approved or active match."""
    return _finish(match, MatchStatus.COMPLETED, "completed", actor, "")


def complete_matches(matches: Iterable[Match | int], *, actor=None) -> list[Match]:
    """Complete many approved or active matches in one transaction (the schedule's way).

    Does for each match what :func:`complete_match` does, with a constant number of
    queries: matches that are no longer approved or active (someone changed them
    meanwhile) are left alone and left out of the answer. ``match_completed`` is sent
    for each completed match after the commit.
    """
    ids = [getattr(match, "pk", match) for match in matches]
    with transaction.atomic():
        done = list(
            Match.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, status__in=HOLDS_CAPACITY)
            .select_related("mentor", "mentee")
            .order_by("pk")
        )
        if not done:
            return []
        now = timezone.now()
        Match.objects.filter(pk__in=[match.pk for match in done]).update(
            status=MatchStatus.COMPLETED, ended_at=now, end_reason=""
        )
        completed = ApplicationStatus.COMPLETED
        Application.objects.filter(pk__in=[match.mentee_id for match in done]).update(
            status=completed
        )
        mentors = {match.mentor_id for match in done}
        busy = set(
            Match.objects.filter(mentor_id__in=mentors, status__in=LIVE).values_list(
                "mentor_id", flat=True
            )
        )
        Application.objects.filter(pk__in=mentors - busy).update(status=completed)
        who = actor if getattr(actor, "pk", None) else None
        MatchEvent.objects.bulk_create(
            MatchEvent(
                match=match,
                action="completed",
                from_status=match.status,
                to_status=MatchStatus.COMPLETED,
                actor=who,
                at=now,
            )
            for match in done
        )
        ApplicationEvent.objects.bulk_create(
            ApplicationEvent(application_id=application_id, action="match completed", actor=who)
            for match in done
            for application_id in (match.mentor_id, match.mentee_id)
        )
        for match in done:
            match.status, match.ended_at, match.end_reason = MatchStatus.COMPLETED, now, ""
            _send_after_commit(signals.match_completed, match=match, actor=actor)
    return done


def _finish(match, status, action, actor, reason):
    with transaction.atomic():
        match = Match.objects.select_for_update().get(pk=match.pk)
        if match.status not in (MatchStatus.APPROVED, MatchStatus.ACTIVE):
            raise MatchingError(
                _("Only an approved or active match can end; this one is %(status)s.")
                % {"status": match.get_status_display().lower()}
            )
        previous = match.status
        match.status = status
        match.ended_at = timezone.now()
        match.end_reason = reason
        match.save(update_fields=["status", "ended_at", "end_reason"])
        mentee_done = ApplicationStatus.COMPLETED
        Application.objects.filter(pk=match.mentee_id).update(status=mentee_done)
        if not Match.objects.filter(mentor_id=match.mentor_id, status__in=LIVE).exists():
            Application.objects.filter(pk=match.mentor_id).update(status=mentee_done)
        _event(match, action, previous, actor, reason)
        for application_id in (match.mentor_id, match.mentee_id):
            record(application_id, f"match {action}", actor, note=reason)
        if status == MatchStatus.COMPLETED:
            _send_after_commit(signals.match_completed, match=match, actor=actor)
        else:
            _send_after_commit(signals.match_ended, match=match, actor=actor, reason=reason)
    return match
