from __future__ import annotations

import functools

from django.template.response import TemplateResponse
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin

from ..models.applications import COMMITTEE_PERMISSION


def is_committee(user) -> bool:
    """Committee members (and superusers) hold the dedicated permission."""
    return bool(user and user.is_active and user.has_perm(COMMITTEE_PERMISSION))


class CommitteeOnlyPermissionHelper(PermissionHelper):
    """Read-only access for the committee; nobody creates or deletes rows here."""

    def user_can_list(self, user):
        return is_committee(user)

    def user_can_inspect_obj(self, user, obj):
        return is_committee(user)

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


def committee_only_response(request):
    """A 403 page that says who may see mentoring applications, and how to get access."""
    return TemplateResponse(request, "wagtail_mentoring/admin/committee_only.html", {}, status=403)


def committee_only(view):
    """Decorate a view: committee members get it, anyone else the 403 page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_committee(request.user):
            return committee_only_response(request)
        return view(request, *args, **kwargs)

    return wrapped


def hide_application_pages_from_form_submissions(user, queryset):
    """``filter_form_submissions_for_user`` hook: applications are not form submissions."""
    from ..models.application_page import MentoringApplicationPage
    from ..models.surveys import SurveyPage

    return queryset.not_type(MentoringApplicationPage, SurveyPage)


class CommitteeOnlyModelAdmin(ModelAdmin):
    """Read-only listing and inspect view for the committee; a 403 page for anyone else.

    Wagtail answers a refused admin view with a redirect; these answer 403, with a page
    that says why, so that nobody mistakes the refusal for a glitch.
    """

    permission_helper_class = CommitteeOnlyPermissionHelper
    inspect_view_enabled = True

    def index_view(self, request):
        if not is_committee(request.user):
            return committee_only_response(request)
        return super().index_view(request)

    def inspect_view(self, request, instance_pk):
        if not is_committee(request.user):
            return committee_only_response(request)
        return super().inspect_view(request, instance_pk)
