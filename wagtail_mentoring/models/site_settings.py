"""Per-site settings that editors manage: who the coordinator is, what gated visitors read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting


class MentoringSettings(BaseSiteSetting):
    coordinator_email = models.EmailField(
        _("coordinator email"),
        blank=True,
        help_text=_(
            "Receives a note when an application is submitted (or submitted again after a "
            "withdrawal) and when an applicant withdraws; edits are not notified. Leave "
            "empty to send none."
        ),
    )
    login_message = models.TextField(
        _("message for visitors who are not logged in"),
        blank=True,
        max_length=1000,
        help_text=_("Leave empty for the default wording."),
    )
    join_message = models.TextField(
        _("message for logged-in visitors who are not members"),
        blank=True,
        max_length=1000,
        help_text=_("Leave empty for the default wording."),
    )
    join_url = models.URLField(_("become-a-member link"), blank=True)
    renew_message = models.TextField(
        _("message for lapsed members"),
        blank=True,
        max_length=1000,
        help_text=_("Leave empty for the default wording."),
    )
    renew_url = models.URLField(_("renewal link"), blank=True)

    panels = [
        FieldPanel("coordinator_email"),
        MultiFieldPanel(
            [
                FieldPanel("login_message"),
                FieldPanel("join_message"),
                FieldPanel("join_url"),
                FieldPanel("renew_message"),
                FieldPanel("renew_url"),
            ],
            heading=_("Members-only applications"),
        ),
    ]

    class Meta:
        verbose_name = _("mentoring settings")
