from __future__ import annotations

from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import Topic


class TopicViewSet(SnippetViewSet):
    """Topics under Snippets, reordered by drag and drop."""

    model = Topic
    icon = "tag"
    list_display = ["name", "description"]
    search_fields = ["name"]
    sort_order_field = "sort_order"
