"""The committee's matching workspace: the pool, ranked suggestions, the cycle's batch."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..conf import app_settings
from ..inputs import parse_id, parse_ids
from ..matching import lifecycle
from ..matching.explain import render_explanation
from ..matching.lifecycle import MatchingError
from ..matching.pool import OPEN_STATUSES, WAITING_ORDER
from ..matching.suggest import score_pair, suggest_for_cycle, suggest_mentors
from ..matching.whynot import render_reason, why_not
from ..models import Application, ApplicationStatus, Cycle, Match, MatchStatus, Role
from ..models.matches import LIVE, UNDERWAY
from ..priorities import describe_priorities
from .cycles import cycle_choices, open_latest_cycle, remember_cycle
from .permissions import committee_only as _committee_only


@_committee_only
def matching_index(request):
    """Open the workspace of the most recent cycle (or say there is none)."""
    return open_latest_cycle(
        request,
        "wagtail_mentoring_matching_cycle",
        "wagtail_mentoring/admin/matching_cycle.html",
        {"cycle": None, "cycles": []},
    )


@_committee_only
def matching_cycle(request, cycle_id):
    """The pool and waiting times, the suggestion run and the batch of proposals."""
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    if request.method == "POST":
        return _cycle_action(request, cycle)
    remember_cycle(request, cycle)
    now = timezone.now()
    threshold = app_settings.WAITING_DAYS_WARNING
    live = Match.objects.filter(cycle=cycle, status__in=LIVE).values("mentee_id")
    pool = list(
        Application.objects.filter(cycle=cycle, role=Role.MENTEE, status__in=OPEN_STATUSES)
        .exclude(pk__in=live)
        .order_by(*WAITING_ORDER)
        .prefetch_related("topics")
    )
    for application in pool:
        application.waiting = application.waiting_days(now)
        application.waited_too_long = application.waiting > threshold
    mentors = (
        Application.objects.filter(cycle=cycle, role=Role.MENTOR)
        .exclude(
            status__in=[
                ApplicationStatus.WITHDRAWN,
                ApplicationStatus.COMPLETED,
                ApplicationStatus.CLOSED,
            ]
        )
        .with_places_taken()
        .prefetch_related("topics")
        .order_by("name", "pk")
    )
    mentors = list(mentors)
    for mentor in mentors:
        mentor.free = max(0, (mentor.capacity or 0) - mentor.taken)
    free_places = sum(mentor.free for mentor in mentors)
    proposals = list(
        Match.objects.filter(cycle=cycle, status=MatchStatus.PROPOSED)
        .select_related("mentor", "mentee")
        .order_by("-score", "pk")
    )
    discarded = list(
        Match.objects.filter(cycle=cycle, status=MatchStatus.REJECTED, discarded=True)
        .select_related("mentor", "mentee")
        .order_by("mentee__name", "pk")
    )
    context = {
        "cycle": cycle,
        "cycles": cycle_choices(),
        "discarded": discarded,
        "pool": pool,
        "free_places": free_places,
        "mentor_count": len(mentors),
        "mentors": mentors,
        "proposals": proposals,
        "threshold": threshold,
        "approved_count": Match.objects.filter(cycle=cycle, status__in=UNDERWAY).count(),
        "invitations": list(
            Match.objects.filter(cycle=cycle, status=MatchStatus.AWAITING)
            .select_related("mentor", "mentee")
            .order_by("consent_due", "pk")
        ),
        "declined": list(
            Match.objects.filter(cycle=cycle, status=MatchStatus.DECLINED)
            .select_related("mentor", "mentee")
            .order_by("-ended_at", "-pk")[:20]
        ),
    }
    return TemplateResponse(request, "wagtail_mentoring/admin/matching_cycle.html", context)


def _cycle_action(request, cycle):
    action = request.POST.get("action")
    proposals = Match.objects.filter(cycle=cycle, status=MatchStatus.PROPOSED)
    if action == "suggest":
        run = suggest_for_cycle(cycle, actor=request.user)
        proposed = ngettext(
            "%(count)d match proposed (total score %(total).0f);",
            "%(count)d matches proposed (total score %(total).0f);",
            len(run.proposed),
        ) % {"count": len(run.proposed), "total": run.total}
        waiting = ngettext(
            "%(count)d mentee left waiting.", "%(count)d mentees left waiting.", run.unmatched
        ) % {"count": run.unmatched}
        messages.success(request, f"{proposed} {waiting}")
    elif action == "restore":
        match_id = parse_id(request.POST.get("match", ""))
        match = get_object_or_404(
            Match.objects.select_related("mentor", "mentee"), pk=match_id or 0, cycle=cycle
        )
        try:
            lifecycle.restore(match, actor=request.user)
        except MatchingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(mentor)s and %(mentee)s may be suggested again.")
                % {"mentor": match.mentor.name, "mentee": match.mentee.name},
            )
    elif action in ("approve_selected", "approve_all", "discard_selected", "pin", "unpin"):
        if action != "approve_all":
            ids = parse_ids(request.POST.getlist("match"))
            proposals = proposals.filter(pk__in=ids)
            if not ids:
                messages.warning(request, _("Select at least one proposal first."))
                return redirect("wagtail_mentoring_matching_cycle", cycle_id=cycle.pk)
        proposals = list(proposals.order_by("-score", "pk"))
        if action in ("pin", "unpin"):
            change = lifecycle.pin if action == "pin" else lifecycle.unpin
            count = 0
            for match in proposals:  # each row changed meanwhile is reported, and the rest go on
                try:
                    change(match, actor=request.user)
                except MatchingError as error:
                    _not_changed(request, match, str(error))
                else:
                    count += 1
            messages.success(
                request,
                (
                    ngettext("%d proposal pinned.", "%d proposals pinned.", count)
                    if action == "pin"
                    else ngettext("%d proposal unpinned.", "%d proposals unpinned.", count)
                )
                % count,
            )
        elif action == "discard_selected":
            count = 0
            for match in proposals:
                if lifecycle.discard_many([match], actor=request.user):
                    count += 1
                    continue
                match.refresh_from_db(fields=["status"])
                _not_changed(
                    request,
                    match,
                    _("Only a proposed match can be discarded; this one is %(status)s.")
                    % {"status": match.get_status_display().lower()},
                )
            messages.success(
                request,
                ngettext("%d proposal discarded.", "%d proposals discarded.", count) % count,
            )
        else:
            approved, refused = lifecycle.approve_many(proposals, actor=request.user)
            invited = sum(match.status == MatchStatus.AWAITING for match in approved)
            messages.success(
                request,
                ngettext("%d match approved.", "%d matches approved.", len(approved))
                % len(approved),
            )
            if invited:
                messages.info(
                    request,
                    ngettext(
                        "%d invitation sent: the introduction goes out when consent is given.",
                        "%d invitations sent: each introduction goes out when consent is given.",
                        invited,
                    )
                    % invited,
                )
            for match, reason in refused:
                messages.error(
                    request,
                    _("Not approved: %(mentor)s and %(mentee)s: %(reason)s")
                    % {"mentor": match.mentor.name, "mentee": match.mentee.name, "reason": reason},
                )
    else:
        messages.error(request, _("Unknown action."))
    return redirect("wagtail_mentoring_matching_cycle", cycle_id=cycle.pk)


def _not_changed(request, match, reason: str) -> None:
    messages.error(
        request,
        _("Not changed: %(mentor)s and %(mentee)s: %(reason)s")
        % {"mentor": match.mentor.name, "mentee": match.mentee.name, "reason": reason},
    )


@_committee_only
def matching_mentee(request, application_id):
    """Ranked, explained mentor suggestions for one mentee; propose or approve in one click."""
    mentee = get_object_or_404(
        Application.objects.select_related("cycle"), pk=application_id, role=Role.MENTEE
    )
    if request.method == "POST":
        mentor_id = parse_id(request.POST.get("mentor", ""))
        if mentor_id is None:
            messages.error(request, _("Choose a mentor from the suggestions."))
            return redirect("wagtail_mentoring_matching_mentee", application_id=mentee.pk)
        mentor = get_object_or_404(Application, pk=mentor_id, role=Role.MENTOR, cycle=mentee.cycle)
        suggestion = score_pair(mentee, mentor)
        approving = request.POST.get("action") == "approve"
        try:
            # Propose and approve together (with the batch's own approve): a refused
            # approval leaves no proposal behind.
            with transaction.atomic():
                match = lifecycle.propose(
                    mentee,
                    mentor,
                    actor=request.user,
                    score=suggestion.score if suggestion else 0.0,
                    explanation=suggestion.explanation if suggestion else [],
                )
                if approving:
                    match = lifecycle.approve(match, actor=request.user)
            if approving and match.status == MatchStatus.AWAITING:
                messages.success(
                    request,
                    _(
                        "%(mentor)s and %(mentee)s are approved: the invitation is sent, "
                        "and the introduction goes out when consent is given."
                    )
                    % {"mentor": mentor.name, "mentee": mentee.name},
                )
            elif approving:
                messages.success(
                    request,
                    _("%(mentor)s and %(mentee)s are matched.")
                    % {"mentor": mentor.name, "mentee": mentee.name},
                )
            else:
                messages.success(
                    request,
                    _("%(mentor)s is proposed for %(mentee)s.")
                    % {"mentor": mentor.name, "mentee": mentee.name},
                )
        except MatchingError as error:
            messages.error(request, str(error))
            return redirect("wagtail_mentoring_matching_mentee", application_id=mentee.pk)
        return redirect("wagtail_mentoring_matching_cycle", cycle_id=mentee.cycle_id)
    remember_cycle(request, mentee.cycle)
    context = {
        "mentee": mentee,
        "cycle": mentee.cycle,
        "suggestions": suggest_mentors(mentee),
        "live_match": Match.objects.filter(mentee=mentee, status__in=LIVE)
        .select_related("mentor")
        .first(),
        "waiting": mentee.waiting_days(),
        **_why_not_context(request, mentee),
        "priorities": describe_priorities(mentee.priorities),
        "priorities_rated": bool(mentee.priorities),
    }
    return TemplateResponse(request, "wagtail_mentoring/admin/matching_mentee.html", context)


def _why_not_context(request, mentee) -> dict:
    """ "Why not this mentor?": the choice of any mentor application of the mentee's
    cycle (``?why_mentor=<id>``), and the answer for the one chosen."""
    mentors = list(
        Application.objects.filter(cycle_id=mentee.cycle_id, role=Role.MENTOR)
        .order_by("name", "pk")
        .values("pk", "name", "status")
    )
    labels = dict(ApplicationStatus.choices)
    for mentor in mentors:
        mentor["status_label"] = labels.get(mentor["status"], mentor["status"])
    context = {"why_mentors": mentors, "why_chosen": None, "why": None, "why_error": ""}
    if "why_mentor" not in request.GET:
        return context
    chosen = parse_id(request.GET.get("why_mentor", ""))
    by_id = {mentor["pk"]: mentor for mentor in mentors}
    if chosen is None or chosen not in by_id:  # never read outside the mentee's cycle
        context["why_error"] = _("Choose one of this cycle's mentor applications in the list.")
        return context
    why = why_not(mentee, chosen)
    context.update(
        why_chosen=by_id[chosen],
        why=why,
        why_reasons=[{"code": r.code, "text": render_reason(r)} for r in why.blocked],
        why_rows=_side_by_side(why.components, why.suggested_components),
    )
    return context


def _side_by_side(mine, top) -> list[dict]:
    """Two explanations as rows of ``label``, ``mine`` and ``top`` (rendered parts),
    matched by code (and by order among entries of the same code)."""

    def keyed(parts):
        seen: dict = {}
        rows = {}
        for row in render_explanation(parts):
            seen[row["code"]] = seen.get(row["code"], 0) + 1
            rows[(row["code"], seen[row["code"]])] = row
        return rows

    mine, top = keyed(mine), keyed(top)
    return [
        {"label": (mine.get(key) or top[key])["label"], "mine": mine.get(key), "top": top.get(key)}
        for key in dict.fromkeys([*mine, *top])
    ]
