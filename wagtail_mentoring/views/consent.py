"""The pages behind the consent step's email links, on the programme page.

``consent/?t=<token>&answer=yes|no`` answers an invitation; ``pause/?t=<token>`` is a
mentor's "I can't take on anyone now". Opening a link changes nothing (mail scanners
open links): the page shows the choice and one button, which posts. A bad, forged or
expired token gets a page that says so (400 or 410), never an error; so does an
answer the invitation can no longer take (409).
"""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from ..invitations import read_consent_token, read_pause_token
from ..matching import lifecycle
from ..matching.lifecycle import MatchingError
from ..models.matches import ConsentAnswer, MatchStatus

TOKEN_PROBLEMS = {
    "missing": (400, "missing"),
    "invalid": (400, "invalid"),
    "expired": (410, "expired"),
}
REASON_LIMIT = 1000


def _render(page, request, template: str, context: dict, status: int = 200):
    full = page.get_context(request)
    full.update(context)
    response = TemplateResponse(request, template, full, status=status)
    # Personal pages: never cached, never indexed, and the token never leaves the site
    # in a Referer ("no-referrer" would make browsers send "Origin: null" with the
    # form, which CSRF protection refuses).
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response


def _token_problem(page, request, template: str, problem: str):
    status, mode = TOKEN_PROBLEMS.get(problem, (400, "invalid"))
    return _render(page, request, template, {"mode": mode}, status=status)


def consent_view(page, request):
    template = "wagtail_mentoring/pages/consent.html"
    token = (request.POST if request.method == "POST" else request.GET).get("t", "")
    found, problem = read_consent_token(token)
    if found is None:
        return _token_problem(page, request, template, problem)
    match, role = found
    if not _belongs_to(page, match):
        return _token_problem(page, request, template, "invalid")
    partner = match.mentee if role == "mentor" else match.mentor
    context = {
        "match": match,
        "role": role,
        "partner": partner,
        "token": token,
        "answer": request.GET.get("answer") if request.GET.get("answer") in ("yes", "no") else "",
        "reason_limit": REASON_LIMIT,
    }
    if request.method != "POST":
        context["mode"] = _mode_of(match, role)
        return _render(page, request, template, context)
    answer = request.POST.get("answer", "")
    reason = request.POST.get("reason", "")
    if answer not in ConsentAnswer.values:
        context.update(mode="ask", error=_("Choose “Yes, introduce us” or “Not this time”."))
        return _render(page, request, template, context, status=400)
    if len(reason) > REASON_LIMIT or "\x00" in reason:
        context.update(
            mode="ask",
            answer=answer,
            error=_("Shorten the reason to at most %(limit)d characters.")
            % {"limit": REASON_LIMIT},
        )
        return _render(page, request, template, context, status=400)
    was_awaiting = match.status == MatchStatus.AWAITING
    try:
        match = lifecycle.answer_invitation(match, role, answer, reason=reason)
    except MatchingError as error:
        context.update(mode="closed", error=str(error))
        return _render(page, request, template, context, status=409)
    if not was_awaiting:
        # The same answer again, to an invitation that had closed: it changed nothing,
        # so it promises nothing (the other person may have declined meanwhile).
        context.update(match=match, mode="answered")
        return _render(page, request, template, context)
    context.update(match=match, mode="thanks", answer=answer)
    return _render(page, request, template, context)


def _mode_of(match, role: str) -> str:
    if match.status == MatchStatus.AWAITING and match.consent_due <= timezone.now():
        return "overdue"  # the schedule has not counted it yet; no answer is taken
    if match.status == MatchStatus.AWAITING:
        # Not answered yet, or a yes, which may still become a no (a no declines).
        return "ask"
    return "answered" if match.answer_of(role) else "closed"


def _belongs_to(page, match) -> bool:
    """A link works on its own programme's page (or a translation of it)."""
    return match.cycle.program_page.translation_key == page.translation_key


def pause_view(page, request):
    template = "wagtail_mentoring/pages/pause.html"
    token = (request.POST if request.method == "POST" else request.GET).get("t", "")
    mentor, problem = read_pause_token(token)
    if mentor is None:
        return _token_problem(page, request, template, problem)
    if mentor.cycle.program_page.translation_key != page.translation_key:
        return _token_problem(page, request, template, "invalid")
    context = {"application": mentor, "token": token, "mode": "ask"}
    if request.method == "POST":
        try:
            lifecycle.take_no_more(mentor)
        except MatchingError as error:
            context.update(mode="closed", error=str(error))
            return _render(page, request, template, context, status=409)
        context["mode"] = "done"
    return _render(page, request, template, context)
