"""The committee's panel on the Wagtail dashboard: who waits, who waited too long, what
needs attention. Shown to the committee only; the counts are four queries, whatever the
numbers."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from wagtail.admin.ui.components import Component

from ..conf import app_settings
from ..matching.pool import OPEN_STATUSES
from ..models import Application, EmailStatus, Match, Role, SentEmail
from ..models.matches import LIVE
from .permissions import is_committee


class MentoringPanel(Component):
    """ "27 mentees waiting, 3 waiting more than 60 days, 2 flagged matches, 1 email
    bounced", each a link to the workspace or the filtered list."""

    name = "mentoring"
    order = 110
    template_name = "wagtail_mentoring/admin/dashboard/panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        threshold = app_settings.WAITING_DAYS_WARNING
        # waiting_days() > threshold, in whole days: waiting since threshold + 1 days or more.
        too_long = timezone.now() - datetime.timedelta(days=threshold + 1)
        per_cycle = list(
            Application.objects.filter(role=Role.MENTEE, status__in=OPEN_STATUSES)
            .exclude(pk__in=Match.objects.filter(status__in=LIVE).values("mentee_id"))
            .order_by()
            .values("cycle_id")
            .annotate(
                waiting=Count("pk"), too_long=Count("pk", filter=Q(submitted_at__lte=too_long))
            )
        )
        waiting = sum(row["waiting"] for row in per_cycle)
        waited_too_long = sum(row["too_long"] for row in per_cycle)
        if len(per_cycle) == 1:
            workspace = reverse("wagtail_mentoring_matching_cycle", args=[per_cycle[0]["cycle_id"]])
        else:
            workspace = reverse("wagtail_mentoring_matching")
        flagged = Match.objects.exclude(flag_cause="").count()
        bounced = SentEmail.objects.filter(status=EmailStatus.BOUNCED).count()
        items = [
            (
                ngettext("%(count)d mentee waiting", "%(count)d mentees waiting", waiting),
                waiting,
                workspace,
            ),
            (
                ngettext(
                    "%(count)d waiting more than %(days)d days",
                    "%(count)d waiting more than %(days)d days",
                    waited_too_long,
                ),
                waited_too_long,
                workspace,
            ),
            (
                ngettext("%(count)d flagged match", "%(count)d flagged matches", flagged),
                flagged,
                reverse("wagtail_mentoring_match_modeladmin_index") + "?flagged=yes",
            ),
            (
                ngettext("%(count)d email bounced", "%(count)d emails bounced", bounced),
                bounced,
                reverse("wagtail_mentoring_sentemail_modeladmin_index")
                + f"?status__exact={EmailStatus.BOUNCED}",
            ),
        ]
        return {
            "items": [
                {"text": text % {"count": count, "days": threshold}, "count": count, "url": url}
                for text, count, url in items
            ]
        }


def add_mentoring_panel(request, panels) -> None:
    """``construct_homepage_panels``: the committee's panel, for the committee only."""
    if is_committee(request.user):
        panels.append(MentoringPanel(request))
