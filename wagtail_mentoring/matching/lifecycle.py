"""Every change of a match, and of the applications it touches: one function each.

The admin views, the schedule, the survey page, management commands and tests all call
these; nothing else writes a match's status. Each function runs in one transaction that
writes, together:

- the new statuses of the match and of its two applications;
- one typed :class:`~wagtail_mentoring.models.MatchEvent` per match it changes (a
  :class:`~wagtail_mentoring.models.MatchAction` code and its ``params``), and an
  :class:`~wagtail_mentoring.models.ApplicationEvent` for each application whose
  status it changes;
- the outbox rows of the emails it sends (introduction, completed, ended early), under
  the key of each email kind (:attr:`EmailKind.key <wagtail_mentoring.emails.kinds.EmailKind.key>`),
  handed to the task queue when the transaction commits.

So a crash either keeps all of it or none of it. The signals of
:mod:`wagtail_mentoring.signals` are sent after the commit, for other apps; nothing in
the package depends on them.

Calling a function again on a match it has already changed writes nothing: a change
that no longer applies raises :class:`MatchingError` (the one-match functions) or is
left out (``start``, ``start_many``, ``complete_many``, ``flag``, the batches), and the emails' keys
make a second queueing a no-op.

Lock order
----------
Every function takes its row locks in one order, so two of them can never wait for each
other (a deadlock on PostgreSQL):

1. the applications, ``select_for_update()`` ordered by primary key;
2. then the matches, ordered by primary key.

A function that changes no application (pin, reject, restore, start, flag) locks only
the match. The mentor's capacity is counted while the mentor's application is locked,
so concurrent approvals can never exceed it.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable
from functools import partial

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import signals
from ..dates import add_months
from ..emails.kinds import registry
from ..emails.outbox import pair_email, queue_emails
from ..models.applications import (
    Application,
    ApplicationAction,
    ApplicationEvent,
    ApplicationStatus,
    Role,
)
from ..models.matches import (
    HOLDS_CAPACITY,
    UNDERWAY,
    AfterEnd,
    ConsentAnswer,
    FlagCause,
    Match,
    MatchAction,
    MatchEvent,
    MatchStatus,
)

logger = logging.getLogger(__name__)

#: The group that every member of a completed pairing joins.
ALUMNI_GROUP = "Mentoring alumni"

#: Application statuses from which no new match can be made.
FINISHED = (ApplicationStatus.WITHDRAWN, ApplicationStatus.COMPLETED, ApplicationStatus.CLOSED)


class MatchingError(Exception):
    """A change that cannot be made; the message says why and what to do."""


class CapacityExceeded(MatchingError):
    pass


# -- the shared steps -----------------------------------------------------------------


def _who(actor):
    return actor if getattr(actor, "pk", None) else None


def _pk(match) -> int:
    return getattr(match, "pk", match)


def _lock_applications(ids: Iterable[int]) -> dict[int, Application]:
    """Step 1 of the lock order: the applications, by primary key."""
    rows = Application.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk")
    return {application.pk: application for application in rows}


def _lock_matches(ids: Iterable[int]) -> list[Match]:
    """Step 2 of the lock order: the matches, by primary key."""
    return list(
        Match.objects.select_for_update(of=("self",))
        .filter(pk__in=set(ids))
        .select_related("cycle", "mentor", "mentee")
        .order_by("pk")
    )


def _lock(matches, *, applications: bool = True) -> list[Match]:
    """Lock ``matches`` (and first, unless told not to, their applications)."""
    ids = {_pk(match) for match in matches}
    if applications:
        pairs = Match.objects.filter(pk__in=ids).values_list("mentor_id", "mentee_id")
        _lock_applications(pk for pair in pairs for pk in pair)
    return _lock_matches(ids)


def _one(match, *, applications: bool = True) -> Match:
    locked = _lock([match], applications=applications)
    if not locked:
        raise MatchingError(_("This match no longer exists."))
    return locked[0]


def _events(matches, action, from_status, actor, at=None, **params) -> None:
    """The typed history of the matches changed (one event each)."""
    at = at or timezone.now()
    MatchEvent.objects.bulk_create(
        MatchEvent(
            match=match,
            action=action,
            from_status=from_status.get(match.pk, "")
            if isinstance(from_status, dict)
            else from_status,
            to_status=match.status,
            actor=_who(actor),
            at=at,
            params=params,
        )
        for match in matches
    )


def _history(rows, actor, at=None) -> None:
    """Application events: ``rows`` of (application id, action, params)."""
    at = at or timezone.now()
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application_id=pk, action=action, actor=_who(actor), at=at, params=params)
        for pk, action, params in rows
    )


def _emails(kind_name: str, matches) -> list[int]:
    """Queue one email of ``kind_name`` to each person of each match (inside the transaction)."""
    kind = registry[kind_name]
    return queue_emails(
        pair_email(kind.name, kind.key(match, role), match, role, application)
        for match in matches
        for role, application in (("mentor", match.mentor), ("mentee", match.mentee))
    )


def _after_commit(signal, **kwargs) -> None:
    """Send ``signal`` once the transaction commits; a failing receiver is logged."""
    transaction.on_commit(partial(signal.send, sender=Match, **kwargs), robust=True)


def places_taken(mentor: Application) -> int:
    return Match.objects.filter(mentor=mentor, status__in=HOLDS_CAPACITY).count()


def _busy_mentors(mentor_ids) -> set[int]:
    """Mentors who still hold an approved or active match."""
    return set(
        Match.objects.filter(mentor_id__in=mentor_ids, status__in=HOLDS_CAPACITY).values_list(
            "mentor_id", flat=True
        )
    )


def _status_word(match) -> str:
    return match.get_status_display().lower()


# -- proposals ------------------------------------------------------------------------


def propose(
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
        locked = _lock_applications([mentee.pk, mentor.pk])
        mentee, mentor = locked[mentee.pk], locked[mentor.pk]
        if mentee.role != Role.MENTEE or mentor.role != Role.MENTOR:
            raise MatchingError(_("A match pairs a mentor application with a mentee application."))
        if mentee.cycle_id != mentor.cycle_id:
            raise MatchingError(_("Both applications must belong to the same cycle."))
        if mentee.user_id == mentor.user_id:
            raise MatchingError(_("A member cannot mentor themselves."))
        for application in (mentee, mentor):
            if application.status in FINISHED:
                raise MatchingError(
                    _("%(name)s's application is %(status)s.")
                    % {"name": application.name, "status": application.get_status_display().lower()}
                )
        if (
            Match.objects.filter(mentor=mentor, mentee=mentee)
            .exclude(status__in=(MatchStatus.REJECTED, MatchStatus.DECLINED))
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
                    proposed_by=_who(actor),
                )
        except IntegrityError:
            raise MatchingError(
                _("%(name)s already has a proposed or approved match. Reject it first.")
                % {"name": mentee.name}
            ) from None
        _events([match], MatchAction.PROPOSED, "", actor)
        _after_commit(signals.match_proposed, match=match, actor=actor)
    return match


def _set_pinned(match, pinned: bool, actor) -> Match:
    with transaction.atomic():
        match = _one(match, applications=False)
        if match.status != MatchStatus.PROPOSED:
            raise MatchingError(
                _("Only a proposed match can be pinned or unpinned; this one is %(status)s.")
                % {"status": _status_word(match)}
            )
        if match.pinned != pinned:
            match.pinned = pinned
            match.save(update_fields=["pinned"])
            action = MatchAction.PINNED if pinned else MatchAction.UNPINNED
            _events([match], action, match.status, actor)
    return match


def pin(match, *, actor=None) -> Match:
    """Pin a proposal: a new suggestion run keeps it. Pinning a pinned one writes nothing."""
    return _set_pinned(match, True, actor)


def unpin(match, *, actor=None) -> Match:
    """Unpin a proposal: the next suggestion run may replace it."""
    return _set_pinned(match, False, actor)


def _refuse(match, action, actor, reason: str) -> Match:
    with transaction.atomic():
        match = _one(match, applications=False)
        if match.status != MatchStatus.PROPOSED:
            raise MatchingError(_("Only a proposed match can be rejected."))
        match.status = MatchStatus.REJECTED
        match.end_reason = reason
        match.discarded = True
        match.save(update_fields=["status", "end_reason", "discarded"])
        params = {"reason": reason} if reason else {}
        _events([match], action, MatchStatus.PROPOSED, actor, **params)
        _after_commit(signals.match_rejected, match=match, actor=actor, reason=reason)
    return match


def reject(match, *, actor=None, reason: str = "") -> Match:
    """Reject a proposal: the mentee goes back to the pool, and suggestion runs of the
    cycle leave this pair out until the committee :func:`restore`\\ s it."""
    return _refuse(match, MatchAction.REJECTED, actor, (reason or "").strip())


def discard_many(matches, *, actor=None, reason: str = "") -> int:
    """Discard the given proposals, each in its own transaction; returns how many.

    A discarded pair stays out of the cycle's suggestions until :func:`restore`.
    Proposals no longer open are left alone.
    """
    count = 0
    for match in matches:
        try:
            _refuse(match, MatchAction.DISCARDED, actor, (reason or "").strip())
        except MatchingError:
            continue
        count += 1
    return count


def close_proposals_of(application, *, actor=None) -> list[Match]:
    """Close the open proposals (and invitations awaiting consent) of an application
    that is being withdrawn.

    Call it inside the withdrawal's transaction, with the application already locked
    (``applications.withdraw_application`` does): the proposals are locked next, so the
    lock order holds. Each becomes a rejected proposal with a ``withdrawn`` event; the
    pair is not discarded, so its other application is back in the pool at once and may
    be suggested with anyone. Returns the proposals closed.
    """
    open_statuses = (MatchStatus.PROPOSED, MatchStatus.AWAITING)
    ids = Match.objects.filter(
        Q(mentor_id=_pk(application)) | Q(mentee_id=_pk(application)),
        status__in=open_statuses,
    ).values_list("pk", flat=True)
    closed = [match for match in _lock_matches(ids) if match.status in open_statuses]
    if not closed:
        return []
    previous = {match.pk: match.status for match in closed}
    Match.objects.filter(pk__in=list(previous)).update(status=MatchStatus.REJECTED, pinned=False)
    # A mentee whose invitation closes because the mentor withdrew is first in line.
    waited = [
        match.mentee_id
        for match in closed
        if match.status == MatchStatus.AWAITING and match.mentor_id == _pk(application)
    ]
    if waited:
        now = timezone.now()
        Application.objects.filter(pk__in=waited).update(first_in_line_since=now)
        _history([(pk, ApplicationAction.FIRST_IN_LINE, {}) for pk in waited], actor, at=now)
    for match in closed:
        match.status, match.pinned = MatchStatus.REJECTED, False
    _events(closed, MatchAction.WITHDRAWN, previous, actor)
    for match in closed:
        _after_commit(signals.match_rejected, match=match, actor=actor, reason="")
    return closed


def restore(match, *, actor=None) -> Match:
    """Let suggestion runs propose a rejected, discarded or declined pair again.

    The match itself stays a rejected proposal or a declined invitation (its history
    is kept); restoring one
    that is not discarded writes nothing. The pair is restored: any other discarded
    match of the same two applications (a discarded pair proposed by hand and rejected
    again) is restored too, with an event of its own.
    """
    pk = _pk(match)
    with transaction.atomic():
        pair = Match.objects.filter(pk=pk).values("cycle_id", "mentee_id", "mentor_id").first()
        same_pair = Match.objects.filter(**pair, discarded=True) if pair else Match.objects.none()
        # One lock statement, so the pair's matches are locked by primary key.
        locked = _lock_matches({pk, *same_pair.values_list("pk", flat=True)})
        match = next((row for row in locked if row.pk == pk), None)
        if match is None:
            raise MatchingError(_("This match no longer exists."))
        if match.status not in (MatchStatus.REJECTED, MatchStatus.DECLINED):
            raise MatchingError(_("Only a rejected, discarded or declined pair can be restored."))
        restored = [row for row in locked if row.discarded]
        if restored:
            Match.objects.filter(pk__in=[row.pk for row in restored]).update(discarded=False)
            for row in restored:
                row.discarded = False
            _events(restored, MatchAction.RESTORED, {r.pk: r.status for r in restored}, actor)
    return match


def _proposable(mentee: dict | None, mentor: dict | None) -> bool:
    """Whether the locked rows of a pair's applications may still be proposed."""
    return bool(
        mentee
        and mentor
        and mentee["role"] == Role.MENTEE
        and mentor["role"] == Role.MENTOR
        and mentee["status"] not in FINISHED
        and mentor["status"] not in FINISHED
        and mentee["user_id"] != mentor["user_id"]
    )


def replace_proposals(cycle, pairs: Iterable[dict], *, actor=None) -> tuple[list[Match], int]:
    """Replace the cycle's unpinned proposals with ``pairs``; ``(proposed, replaced)``.

    Each pair is a dict of ``mentee_id``, ``mentor_id``, ``score`` and ``explanation``
    (as :func:`~wagtail_mentoring.matching.suggest.suggest_for_cycle` computes them).
    The replaced proposals become rejected proposals that are *not* discarded, so a later
    run may propose them again. Pairs that can no longer be proposed (the mentee got a
    match meanwhile, the committee discarded the pair, either application was withdrawn,
    closed or completed, or they are not a mentee and a mentor of the cycle, of two
    people) are left out.
    """
    run = uuid.uuid4().hex[:12]
    now = timezone.now()
    with transaction.atomic():
        # Step 1 of the lock order: every application of the cycle, by primary key.
        applications = {
            row["pk"]: row
            for row in Application.objects.select_for_update()
            .filter(cycle=cycle)
            .order_by("pk")
            .values("pk", "role", "status", "user_id")
        }
        stale = list(
            Match.objects.select_for_update(of=("self",))
            .filter(cycle=cycle, status=MatchStatus.PROPOSED, pinned=False)
            .order_by("pk")
        )
        Match.objects.filter(pk__in=[m.pk for m in stale]).update(status=MatchStatus.REJECTED)
        for match in stale:
            match.status = MatchStatus.REJECTED
        _events(
            stale, MatchAction.REPLACED, MatchStatus.PROPOSED, actor, at=now, replaced_by_run=run
        )
        spoken_for = set(
            Match.objects.filter(
                cycle=cycle, status__in=(MatchStatus.PROPOSED, *HOLDS_CAPACITY)
            ).values_list("mentee_id", flat=True)
        )
        discarded = set(
            Match.objects.filter(cycle=cycle, discarded=True).values_list("mentee_id", "mentor_id")
        )
        fresh = []
        for pair in pairs:
            key = (pair["mentee_id"], pair["mentor_id"])
            if pair["mentee_id"] in spoken_for or key in discarded:
                continue
            if not _proposable(applications.get(key[0]), applications.get(key[1])):
                continue  # withdrawn, closed or completed since the run computed the pair
            spoken_for.add(pair["mentee_id"])
            fresh.append(pair)
        proposed = Match.objects.bulk_create(
            Match(
                cycle=cycle,
                mentee_id=pair["mentee_id"],
                mentor_id=pair["mentor_id"],
                score=pair["score"],
                explanation=pair["explanation"],
                proposed_by=_who(actor),
                proposed_at=now,
            )
            for pair in fresh
        )
        if proposed and proposed[0].pk is None:  # databases that do not return ids
            proposed = list(
                Match.objects.filter(cycle=cycle, status=MatchStatus.PROPOSED, proposed_at=now)
            )
        _events(proposed, MatchAction.SUGGESTED, "", actor, at=now, run=run)
        for match in proposed:
            _after_commit(signals.match_proposed, match=match, actor=actor)
    return proposed, len(stale)


# -- approval ---------------------------------------------------------------------------


def approve(match, *, actor=None, start_date=None) -> Match:
    """Approve a proposal.

    In a cycle that asks for consent (:attr:`Cycle.consent
    <wagtail_mentoring.models.Cycle.consent>`), the match awaits it: the mentor (and,
    if the cycle says so, the mentee) gets a private invitation with yes/no links, and
    the introduction waits for :func:`answer_invitation`. Otherwise the introduction is
    queued to both people now. Either way the mentor's place is taken, counted under
    the mentor's row lock.
    """
    with transaction.atomic():
        match = _one(match)
        if match.status != MatchStatus.PROPOSED:
            raise MatchingError(
                _("Only a proposed match can be approved; this one is %(status)s.")
                % {"status": _status_word(match)}
            )
        mentor, mentee = match.mentor, match.mentee
        if mentee.status in FINISHED or mentor.status in FINISHED:
            if ApplicationStatus.WITHDRAWN in (mentee.status, mentor.status):
                raise MatchingError(_("One of the two applications has been withdrawn."))
            raise MatchingError(_("One of the two applications is closed or completed."))
        if places_taken(mentor) >= (mentor.capacity or 0):
            capacity = mentor.capacity or 0
            raise CapacityExceeded(
                ngettext(
                    "%(name)s's %(capacity)s place is taken; approving would exceed it.",
                    "%(name)s's %(capacity)s places are all taken; approving would exceed them.",
                    capacity,
                )
                % {"name": mentor.name, "capacity": capacity}
            )
        match.approved_by = _who(actor)
        match.approved_at = timezone.now()
        match.start_date = start_date
        if match.cycle.asks_consent:
            return _invite(match, actor)
        return _introduce(match, actor, MatchAction.APPROVED)


def _introduce(match: Match, actor, action) -> Match:
    """The locked, approved match becomes an introduced pair: both applications are
    matched and the introduction is queued (the one implementation)."""
    previous = match.status
    start = match.start_date or max(timezone.localdate(), match.cycle.pairing_start)
    match.status = MatchStatus.APPROVED
    match.start_date = start
    match.end_date = add_months(start, match.cycle.commitment_months)
    match.save()
    mentor, mentee = match.mentor, match.mentee
    Application.objects.filter(pk__in=[mentor.pk, mentee.pk]).update(
        status=ApplicationStatus.MATCHED
    )
    if mentee.first_in_line_since:  # the locked row: no query for everyone else
        Application.objects.filter(pk=mentee.pk).update(first_in_line_since=None)
        mentee.first_in_line_since = None
    mentor.status = mentee.status = ApplicationStatus.MATCHED
    _history(
        [
            (mentor.pk, ApplicationAction.MATCHED, {"as": "mentor", "partner": mentee.name}),
            (mentee.pk, ApplicationAction.MATCHED, {"as": "mentee", "partner": mentor.name}),
        ],
        actor,
    )
    _emails("match_introduction", [match])
    _events([match], action, previous, actor)
    _after_commit(signals.match_approved, match=match, actor=actor)
    return match


def approve_many(matches, *, actor=None) -> tuple[list[Match], list[tuple[Match, str]]]:
    """Approve each proposal in its own transaction; ``(approved, refused)``.

    A refused proposal (with the reason, in words a committee member can act on) never
    stops the rest; an unexpected error is logged and reported as a refusal too, and
    leaves nothing of that approval behind.
    """
    approved, refused = [], []
    for match in matches:
        try:
            approved.append(approve(match, actor=actor))
        except MatchingError as error:
            refused.append((match, str(error)))
        except Exception:  # one row's failure must not stop the batch (or become a 500)
            logger.exception("Approving match %s failed", _pk(match))
            refused.append(
                (
                    match,
                    _("It could not be approved because of an error; nothing changed. Try again."),
                )
            )
    return approved, refused


# -- during the pairing -------------------------------------------------------------------


def _start(locked: list[Match], actor) -> list[Match]:
    """Start the locked matches that are still approved (the one implementation)."""
    done = [match for match in locked if match.status == MatchStatus.APPROVED]
    if not done:
        return []
    Match.objects.filter(pk__in=[match.pk for match in done]).update(status=MatchStatus.ACTIVE)
    for match in done:
        match.status = MatchStatus.ACTIVE
    _events(done, MatchAction.STARTED, MatchStatus.APPROVED, actor)
    return done


def start(match, *, actor=None) -> Match | None:
    """An approved match becomes active; ``None`` (and nothing written) if it is not approved."""
    with transaction.atomic():
        done = _start(_lock([match], applications=False), actor)
    return done[0] if done else None


def start_many(matches: Iterable[Match | int], *, actor=None) -> list[Match]:
    """Start many approved matches in one transaction (the schedule's way), as
    :func:`start` does one; matches no longer approved are left out."""
    with transaction.atomic():
        return _start(_lock(list(matches), applications=False), actor)


def flag(match, *, cause: str, actor=None, **params) -> bool:
    """Flag a match for the committee (a :class:`~wagtail_mentoring.models.FlagCause`
    and its details: ``role``, ``state`` or ``answers``); ``False`` if it is flagged already."""
    with transaction.atomic():
        locked = _lock([match], applications=False)
        if not locked or locked[0].flag_cause:
            return False
        match = locked[0]
        match.flag_cause, match.flag_params = cause, params
        match.flagged_at = timezone.now()
        match.save(update_fields=["flag_cause", "flag_params", "flagged_at"])
        _events([match], MatchAction.FLAGGED, match.status, actor, cause=str(cause), **params)
    return True


# -- the end ----------------------------------------------------------------------------------


def _complete(done: list[Match], actor) -> list[Match]:
    """Complete the locked, approved or active matches ``done`` (the one implementation)."""
    if not done:
        return []
    now = timezone.now()
    previous = {match.pk: match.status for match in done}
    Match.objects.filter(pk__in=previous).update(
        status=MatchStatus.COMPLETED, ended_at=now, end_reason=""
    )
    for match in done:
        match.status, match.ended_at, match.end_reason = MatchStatus.COMPLETED, now, ""
    mentees = {match.mentee_id for match in done}
    mentors = {match.mentor_id for match in done}
    finished = mentees | (mentors - _busy_mentors(mentors))
    Application.objects.filter(pk__in=finished).update(status=ApplicationStatus.COMPLETED)
    _history(
        [
            (pk, ApplicationAction.MATCH_COMPLETED, {})
            for match in done
            for pk in (match.mentor_id, match.mentee_id)
        ],
        actor,
        at=now,
    )
    _emails("match_completed", done)
    _events(done, MatchAction.COMPLETED, previous, actor, at=now)
    group, _created = Group.objects.get_or_create(name=ALUMNI_GROUP)
    group.user_set.add(
        *{
            application.user_id
            for match in done
            for application in (match.mentor, match.mentee)
            if application.user_id
        }
    )
    for match in done:
        _after_commit(signals.match_completed, match=match, actor=actor)
    return done


def complete(match, *, actor=None) -> Match:
    """Complete an approved or active match: both people are thanked and join the alumni."""
    with transaction.atomic():
        match = _one(match)
        if match.status not in UNDERWAY:
            raise MatchingError(
                _("Only an approved or active match can end; this one is %(status)s.")
                % {"status": _status_word(match)}
            )
        return _complete([match], actor)[0]


def complete_many(matches: Iterable[Match | int], *, actor=None) -> list[Match]:
    """Complete many matches in one transaction (the schedule's way), as :func:`complete`
    does one; matches no longer approved or active are left alone and left out."""
    with transaction.atomic():
        locked = _lock(list(matches))
        return _complete([match for match in locked if match.status in UNDERWAY], actor)


def end_early(match, reason: str, *, then: str = AfterEnd.POOL, actor=None) -> Match:
    """End an approved or active match early, with the committee's reason.

    ``then`` (an :class:`~wagtail_mentoring.models.AfterEnd`) says where both
    applications go: back in the pool (``"pool"``: they can be matched again in the
    cycle and keep their waiting time) or closed (``"close"``). Neither becomes
    "completed", so neither joins the alumni. A mentor who still holds another approved
    or active match stays matched (and a mentor closed after completing another pairing
    stays completed).
    """
    reason = (reason or "").strip()
    if not reason:
        raise MatchingError(_("Say why the match ends early."))
    limit = Match._meta.get_field("end_reason").max_length
    if len(reason) > limit:
        raise MatchingError(
            _("Shorten the reason to at most %(limit)d characters.") % {"limit": limit}
        )
    if "\x00" in reason:
        raise MatchingError(_("Null characters are not allowed."))
    if then not in AfterEnd.values:
        raise MatchingError(_("Choose whether both go back to the pool or are closed."))
    then = AfterEnd(then)
    with transaction.atomic():
        match = _one(match)
        if match.status not in UNDERWAY:
            raise MatchingError(
                _("Only an approved or active match can end; this one is %(status)s.")
                % {"status": _status_word(match)}
            )
        previous = match.status
        match.status = MatchStatus.ENDED_EARLY
        match.ended_at = timezone.now()
        match.end_reason = reason
        match.save(update_fields=["status", "ended_at", "end_reason"])
        state = ApplicationStatus.IN_POOL if then == AfterEnd.POOL else ApplicationStatus.CLOSED
        Application.objects.filter(pk=match.mentee_id).update(status=state)
        params = {"reason": reason, "then": str(then)}
        # A mentor who stays matched went neither back to the pool nor closed.
        mentor_params = {"reason": reason}
        if not _busy_mentors([match.mentor_id]):
            mentor_params = params
            mentor_state = state
            completed_before = Match.objects.filter(
                mentor_id=match.mentor_id, status=MatchStatus.COMPLETED
            ).exists()
            if then == AfterEnd.CLOSE and completed_before:
                mentor_state = ApplicationStatus.COMPLETED
            Application.objects.filter(pk=match.mentor_id).update(status=mentor_state)
        _history(
            [
                (match.mentor_id, ApplicationAction.MATCH_ENDED, mentor_params),
                (match.mentee_id, ApplicationAction.MATCH_ENDED, params),
            ],
            actor,
        )
        _emails("match_ended", [match])
        _events([match], MatchAction.ENDED, previous, actor, **params)
        _after_commit(signals.match_ended, match=match, actor=actor, reason=reason)
    return match


# -- consent before the introduction ----------------------------------------------------------

#: The reason stored when a mentor takes on no one more from an email's link.
NO_CAPACITY = "no_capacity"


def _invite(match: Match, actor) -> Match:
    """The locked match awaits consent: invitations queued to whoever the cycle asks."""
    cycle = match.cycle
    match.status = MatchStatus.AWAITING
    match.consent_from = cycle.consent
    match.mentor_consent = match.mentee_consent = ""
    match.consent_due = match.approved_at + datetime.timedelta(days=cycle.consent_days)
    match.consent_reminded_at = None
    match.save()
    _invitations("consent_request", match, match.consent_roles())
    _events([match], MatchAction.INVITED, MatchStatus.PROPOSED, actor)
    return match


def _invitations(kind_name: str, match: Match, roles) -> list[int]:
    kind = registry[kind_name]
    return queue_emails(
        pair_email(kind.name, kind.key(match, role), match, role, getattr(match, role))
        for role in roles
    )


def _decline(match: Match, role: str, actor, *, answer: str, reason: str = "") -> Match:
    """The locked, awaiting match is declined by ``role`` (``answer`` ``"no"``) or timed
    out (``"timeout"``): the place is freed, the pair is not suggested again, the mentee
    is first in line, and the committee sees a flag. Nobody is emailed: the mentee never
    learns who declined."""
    now = timezone.now()
    match.status = MatchStatus.DECLINED
    match.discarded = True
    match.ended_at = now
    if answer == ConsentAnswer.NO:
        setattr(match, f"{role}_consent", ConsentAnswer.NO)
    match.flag_cause = FlagCause.CONSENT
    match.flag_params = {"role": role, "answer": answer, **({"reason": reason} if reason else {})}
    match.flagged_at = now
    match.save()
    mentee = match.mentee
    if mentee.status not in FINISHED:
        Application.objects.filter(pk=mentee.pk).update(first_in_line_since=now)
        mentee.first_in_line_since = now
        _history([(mentee.pk, ApplicationAction.FIRST_IN_LINE, {})], actor, at=now)
    action = MatchAction.TIMED_OUT if answer == "timeout" else MatchAction.DECLINED
    params = {"role": role, **({"reason": reason} if reason else {})}
    _events([match], action, MatchStatus.AWAITING, actor, at=now, **params)
    _after_commit(signals.match_declined, match=match, role=role, timed_out=answer == "timeout")
    return match


def answer_invitation(match, role: str, answer: str, *, reason: str = "", actor=None) -> Match:
    """Record ``role``'s answer (a :class:`~wagtail_mentoring.models.ConsentAnswer`) to
    the invitation of an awaiting match.

    "Yes" from the last person asked queues the introduction; "no" declines the match
    (see :func:`decline_invitation`'s effects). The same answer again writes nothing;
    a yes may still become a no while the other person has not answered. Refused once
    the match no longer awaits consent, after the deadline, or for someone not asked.
    """
    if answer not in ConsentAnswer.values:
        raise MatchingError(_("Choose yes or no."))
    reason = (reason or "").strip()[:1000].replace("\x00", "")
    with transaction.atomic():
        match = _one(match)
        if match.status != MatchStatus.AWAITING:
            if match.answer_of(role) == answer:
                return match  # the same answer again (a second click)
            raise MatchingError(
                _("This invitation has been answered or has closed; nothing changed.")
            )
        if role not in match.consent_roles():
            raise MatchingError(_("This invitation is not yours to answer."))
        if match.consent_due and timezone.now() >= match.consent_due:
            raise MatchingError(
                _("The time to answer this invitation is over; the committee has been told.")
            )
        if match.answer_of(role) == answer:
            return match
        if answer == ConsentAnswer.NO:
            return _decline(match, role, actor, answer=ConsentAnswer.NO, reason=reason)
        setattr(match, f"{role}_consent", ConsentAnswer.YES)
        match.save(update_fields=[f"{role}_consent"])
        _events([match], MatchAction.CONSENTED, MatchStatus.AWAITING, actor, role=role)
        if all(match.answer_of(asked) == ConsentAnswer.YES for asked in match.consent_roles()):
            return _introduce(match, actor, MatchAction.INTRODUCED)
    return match


def _unanswered(match: Match) -> list[str]:
    return [role for role in match.consent_roles() if not match.answer_of(role)]


def expire_invitations(now=None, *, actor=None) -> list[Match]:
    """Decline every awaiting match whose answer is overdue, as a timeout of the first
    person who has not answered (the schedule's step); one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        due = Match.objects.filter(status=MatchStatus.AWAITING, consent_due__lte=now)
        locked = _lock(list(due.values_list("pk", flat=True)))
        expired = []
        for match in locked:
            if match.status != MatchStatus.AWAITING or match.consent_due > now:
                continue
            role = (_unanswered(match) or ["mentor"])[0]
            expired.append(_decline(match, role, actor, answer="timeout"))
    return expired


def remind_invitations(now=None, *, actor=None) -> list[Match]:
    """Remind whoever has not answered an invitation once the cycle's reminder days
    have passed (once per match; the schedule's step); one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        candidates = Match.objects.filter(
            status=MatchStatus.AWAITING,
            consent_reminded_at__isnull=True,
            consent_due__gt=now,
            cycle__consent_reminder_days__gt=0,
        ).values_list("pk", flat=True)
        reminded = []
        for match in _lock(list(candidates), applications=False):
            days = match.cycle.consent_reminder_days
            if match.status != MatchStatus.AWAITING or match.consent_reminded_at or not days:
                continue
            if match.approved_at + datetime.timedelta(days=days) > now:
                continue
            roles = _unanswered(match)
            match.consent_reminded_at = now
            match.save(update_fields=["consent_reminded_at"])
            _invitations("consent_reminder", match, roles)
            _events(
                [match], MatchAction.REMINDED, match.status, actor, at=now, role=",".join(roles)
            )
            reminded.append(match)
    return reminded


def take_no_more(mentor: Application, *, actor=None) -> Application:
    """A mentor takes on no one more for now: their remaining capacity becomes zero.

    Their capacity becomes the number of pairs they are in now; invitations waiting for
    their answer are declined (the mentees are first in line again) and their open
    proposals close. Calling it again writes nothing.
    """
    open_statuses = (MatchStatus.PROPOSED, MatchStatus.AWAITING)
    with transaction.atomic():
        # Step 1 of the lock order: the mentor and the mentees of their open matches,
        # in one statement by primary key (as approve() and answer_invitation() do).
        mentees = Match.objects.filter(mentor_id=_pk(mentor), status__in=open_statuses).values_list(
            "mentee_id", flat=True
        )
        locked = _lock_applications([_pk(mentor), *mentees])
        mentor = locked.get(_pk(mentor))
        if mentor is None or mentor.role != Role.MENTOR:
            raise MatchingError(_("Only a mentor application can stop taking on mentees."))
        if mentor.status in FINISHED:
            raise MatchingError(
                _("This application is %(status)s; there is nothing to stop.")
                % {"status": mentor.get_status_display().lower()}
            )
        open_matches = _lock_matches(
            Match.objects.filter(mentor=mentor, status__in=open_statuses).values_list(
                "pk", flat=True
            )
        )
        underway = Match.objects.filter(mentor=mentor, status__in=UNDERWAY).count()
        if mentor.capacity == underway and not open_matches:
            return mentor
        for match in open_matches:
            if match.status == MatchStatus.AWAITING:
                _decline(match, "mentor", actor, answer=ConsentAnswer.NO, reason=NO_CAPACITY)
            elif match.status == MatchStatus.PROPOSED:
                match.status, match.pinned = MatchStatus.REJECTED, False
                match.save(update_fields=["status", "pinned"])
                _events([match], MatchAction.WITHDRAWN, MatchStatus.PROPOSED, actor)
        previous = mentor.capacity
        mentor.capacity = underway
        Application.objects.filter(pk=mentor.pk).update(capacity=underway)
        _history([(mentor.pk, ApplicationAction.PAUSED, {"from": previous, "to": underway})], actor)
    return mentor


__all__ = [
    "ALUMNI_GROUP",
    "NO_CAPACITY",
    "CapacityExceeded",
    "MatchingError",
    "answer_invitation",
    "approve",
    "approve_many",
    "complete",
    "complete_many",
    "discard_many",
    "end_early",
    "expire_invitations",
    "flag",
    "pin",
    "places_taken",
    "propose",
    "reject",
    "remind_invitations",
    "replace_proposals",
    "restore",
    "start",
    "start_many",
    "take_no_more",
    "unpin",
]

# The "Have you met yet?" answers are recorded by ``checkin.record_met_answer`` (in
# wagtail_mentoring/matching/checkin.py), with the lock order above: the match alone.
