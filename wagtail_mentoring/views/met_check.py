"""What the programme page's "Have you met yet?" page (``met/``) does with one request.

A GET (the link in the email) changes nothing: it shows the answer from the link
preselected and one button. The POST (CSRF-protected, as every page POST) records the
answer through :func:`wagtail_mentoring.matching.checkin.record_met_answer`. A missing,
forged, tampered or expired token gets a page that says so (400 or 410), a link of an
ended match a 410, in the member's language wherever the token says who they are.
"""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from ..languages import normalise_language
from ..matching.checkin import met_answers_of, record_met_answer
from ..matching.lifecycle import MatchingError
from ..matching.met_links import read_met_token
from ..models.applications import ApplicationStatus
from ..models.matches import UNDERWAY, Match, MetAnswer

TEMPLATE = "wagtail_mentoring/pages/met_check.html"
STATUS = {"missing": 400, "invalid": 400, "expired": 410, "closed": 410}


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _match_of(page, match_id: int):
    """The match a token names, if it belongs to ``page``'s programme."""
    match = (
        Match.objects.select_related("cycle__program_page", "mentor", "mentee")
        .filter(pk=match_id)
        .first()
    )
    if match is None or match.cycle.program_page.translation_key != page.translation_key:
        return None
    return match


def _language_of(page, token: str) -> str | None:
    """The language of the member a token (even an expired one) was sent to."""
    found, _problem = read_met_token(token, max_age=None)
    if found is None:
        return None
    match = _match_of(page, found[0])
    if match is None:
        return None
    return (match.mentor if found[1] == "mentor" else match.mentee).language


def render(page, request, mode: str, language: str | None = None, status=None, **extra):
    """The page in ``mode``, in ``language`` (the member's) when known, else in the
    request's."""
    context = {**page.get_context(request), "mode": mode, **extra}
    status = status or STATUS.get(mode, 200)
    response = TemplateResponse(request, TEMPLATE, context, status=status)
    if language:
        with translation.override(normalise_language(language)):
            response.render()
            response["Content-Language"] = translation.get_language()
    patch_cache_control(response, private=True, no_cache=True, no_store=True)
    response["Referrer-Policy"] = "same-origin"  # the token stays on the site
    return response


def serve_met_check(page, request):
    post = request.method == "POST"
    data = request.POST if post else request.GET
    # The form posts to the link's own URL, so a POST has the token in both.
    token = _text(data.get("t", "")) or _text(request.GET.get("t", ""))
    found, problem = read_met_token(token)
    if found is None:
        return render(page, request, problem, _language_of(page, token) if token else None)
    match_id, role, ask = found
    match = _match_of(page, match_id)
    if match is None:
        return render(page, request, "invalid")
    language = (match.mentor if role == "mentor" else match.mentee).language
    withdrawn = ApplicationStatus.WITHDRAWN in (match.mentor.status, match.mentee.status)
    if match.status not in UNDERWAY or withdrawn:
        return render(page, request, "closed", language)
    chosen = _text(data.get("answer" if post else "a", ""))
    if chosen not in MetAnswer.values:
        chosen = ""
    if post and chosen:
        try:
            record_met_answer(match, role, chosen, ask=ask)
        except MatchingError:
            return render(page, request, "closed", language)
        return render(page, request, "thanks", language, answer=chosen)
    current = met_answers_of([match]).get((match.pk, role, ask))
    return render(
        page,
        request,
        "form",
        language,
        status=400 if post else 200,
        token=token,
        choices=MetAnswer.choices,
        chosen=chosen or current or "",
        current=MetAnswer(current) if current in MetAnswer.values else None,
        asked_again=ask != 1,
        error=_("Choose one of the answers, then press the button.") if post else "",
    )
