from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import ButtonHelper

from ..models.email_wording import kind_choices
from ..models.emails import SentEmail
from .display import LabelsMixin
from .exports import SafeExportIndexView
from .inspect import render_timeline
from .permissions import COMMITTEE_READS, CommitteeOnlyModelAdmin, is_committee


class SentEmailButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        if obj.can_resend and is_committee(self.request.user):
            buttons.append(
                {
                    "url": reverse("wagtail_mentoring_resend_email", args=[obj.pk]),
                    "label": _("Send again"),
                    "classname": self.finalise_classname(["button-secondary"]),
                    "title": _("Send this email again"),
                }
            )
        return buttons


class SentEmailAdmin(LabelsMixin, CommitteeOnlyModelAdmin):
    """The outbox: every email the programme sent or will send, and what became of it."""

    model = SentEmail
    allowed_views = COMMITTEE_READS
    menu_label = _("Emails")
    menu_icon = "mail"
    index_view_class = SafeExportIndexView
    button_helper_class = SentEmailButtonHelper
    field_choices = {"kind": kind_choices}
    inspect_template_name = "wagtail_mentoring/admin/email_inspect.html"
    list_display = ("kind_label", "to", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind", "created_at")
    search_fields = ("to", "subject", "idempotency_key")
    list_export = (
        "id",
        "kind",
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "esp_name",
        "message_id",
        "application_id",
        "match_id",
    )
    export_filename = "mentoring-emails"
    inspect_view_fields = (
        "kind_label",
        "to",
        "subject",
        "status",
        "status_at",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "esp_name",
        "message_id",
        "application",
        "match",
        "idempotency_key",
        "history_html",
    )

    def history_html(self, obj):
        """Queued, the recorded events and the last send, in time order."""
        return render_timeline(obj.timeline())

    history_html.short_description = _("History")
