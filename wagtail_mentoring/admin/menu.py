from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail_modeladmin.options import ModelAdminGroup

from .applications import ApplicationAdmin
from .cycles import CycleAdmin
from .emails import SentEmailAdmin
from .matches import MatchAdmin
from .permissions import is_committee
from .surveys import SurveyResponseAdmin


class CommitteeMenuItem(MenuItem):
    def is_shown(self, request):
        return is_committee(request.user)


class MentoringAdminGroup(ModelAdminGroup):
    """The "Mentoring" menu group in the Wagtail admin."""

    menu_label = _("Mentoring")
    menu_icon = "group"
    menu_order = 300
    items = (ApplicationAdmin, MatchAdmin, CycleAdmin, SurveyResponseAdmin, SentEmailAdmin)

    def get_submenu_items(self):
        items = super().get_submenu_items()
        matching = CommitteeMenuItem(
            _("Matching"), reverse("wagtail_mentoring_matching"), icon_name="group", order=0
        )
        report = CommitteeMenuItem(
            _("Board report"),
            reverse("wagtail_mentoring_report_index"),
            icon_name="doc-full",
            order=900,
        )
        conference = CommitteeMenuItem(
            _("Conference"),
            reverse("wagtail_mentoring_conference_index"),
            icon_name="date",
            order=800,
        )
        rotations = CommitteeMenuItem(
            _("Speed mentoring"),
            reverse("wagtail_mentoring_rotations_index"),
            icon_name="table",
            order=850,
        )
        return [matching, *items, conference, rotations, report]
