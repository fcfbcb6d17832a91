from __future__ import annotations

from ..models import EmailWording, Topic
from .permissions import MODEL_PERMISSIONS, CommitteeOnlySnippetViewSet

#: The snippet views of content that editors manage (no personal data): Wagtail's
#: model permissions decide. Copy is switched off; any view not listed answers 404.
CONTENT_VIEWS = dict.fromkeys(
    ("list", "list_results", "add", "edit", "delete", "usage", "history", "history_results"),
    MODEL_PERMISSIONS,
)


class TopicViewSet(CommitteeOnlySnippetViewSet):
    """Topics under Snippets, reordered by drag and drop."""

    model = Topic
    icon = "tag"
    list_display = ["name", "description"]
    search_fields = ["name"]
    # The database's own search: Wagtail's SQLite backend cannot search one field of
    # an indexed model ("no such column: name").
    search_backend_name = None
    sort_order_field = "sort_order"
    allowed_views = {**CONTENT_VIEWS, "reorder": MODEL_PERMISSIONS}


class EmailWordingViewSet(CommitteeOnlySnippetViewSet):
    """Editors' subject and body for an email kind, with a live preview on sample data."""

    model = EmailWording
    icon = "mail"
    list_display = ["__str__", "subject", "updated_at"]
    search_fields = ["subject", "body"]
    allowed_views = {
        **CONTENT_VIEWS,
        "preview_on_add": MODEL_PERMISSIONS,
        "preview_on_edit": MODEL_PERMISSIONS,
    }
