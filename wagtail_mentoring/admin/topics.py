from __future__ import annotations

from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import EmailWording, Topic


class TopicViewSet(SnippetViewSet):
    """Topics under Snippets, reordered by drag and drop."""

    model = Topic
    icon = "tag"
    list_display = ["name", "description"]
    search_fields = ["name"]
    sort_order_field = "sort_order"


class EmailWordingViewSet(SnippetViewSet):
    """Editors' subject and body for an email kind, with a live preview on sample data."""

    model = EmailWording
    icon = "mail"
    list_display = ["__str__", "subject", "updated_at"]
    search_fields = ["subject", "body"]
