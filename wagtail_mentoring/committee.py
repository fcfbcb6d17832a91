"""Who is on the mentoring committee, and the page that tells anyone else so.

Below the admin and the pages: the models (an application page refusing Wagtail's
form-submissions listing), the admin and the views all ask here.
"""

from __future__ import annotations

from django.template.response import TemplateResponse

from .models.applications import COMMITTEE_PERMISSION


def is_committee(user) -> bool:
    """Committee members (and superusers) hold the dedicated permission."""
    return bool(user and user.is_active and user.has_perm(COMMITTEE_PERMISSION))


def committee_only_response(request):
    """A 403 page that says who may see mentoring applications, and how to get access."""
    return TemplateResponse(request, "wagtail_mentoring/admin/committee_only.html", {}, status=403)
