"""End a match early, with a reason: a form on GET, the change on POST."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ..matching.lifecycle import MatchingError, end_early
from ..models import Match
from .forms import EndMatchForm
from .permissions import committee_only


@committee_only
def end_match_view(request, match_id):
    match = get_object_or_404(
        Match.objects.select_related("mentor", "mentee", "cycle"), pk=match_id
    )
    inspect_url = reverse("wagtail_mentoring_match_modeladmin_inspect", args=[match.pk])
    error = ""
    form = EndMatchForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                end_early(
                    match,
                    form.cleaned_data["reason"],
                    then=form.cleaned_data["then"],
                    actor=request.user,
                )
            except MatchingError as problem:
                error = str(problem)
            else:
                messages.success(
                    request,
                    _("The match of %(mentor)s and %(mentee)s has ended; both have been told.")
                    % {"mentor": match.mentor.name, "mentee": match.mentee.name},
                )
                return redirect(inspect_url)
        else:
            error = " ".join([*form.errors.get("reason", []), *form.errors.get("then", [])]) or _(
                "Say why the match ends early."
            )
    return TemplateResponse(
        request,
        "wagtail_mentoring/admin/match_end.html",
        {"match": match, "inspect_url": inspect_url, "error": error, "form": form},
        status=400 if error else 200,
    )
