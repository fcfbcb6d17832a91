from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import ModelAdminGroup

from .applications import ApplicationAdmin
from .cycles import CycleAdmin


class MentoringAdminGroup(ModelAdminGroup):
    """The "Mentoring" menu group in the Wagtail admin."""

    menu_label = _("Mentoring")
    menu_icon = "group"
    menu_order = 300
    items = (ApplicationAdmin, CycleAdmin)
