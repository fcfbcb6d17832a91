"""Admin widgets that take untrusted values calmly; this module imports no models."""

from __future__ import annotations

from wagtail.admin.widgets import AdminPageChooser
from wagtail.models import Page

from .inputs import parse_id


class SafePageChooser(AdminPageChooser):
    """Wagtail's page chooser, which shows no page for a value that is not an id.

    Wagtail's own looks the value up as it is, and a database refuses some values
    (text, numbers beyond 64 bits) with an error instead of "no such page", while the
    form is drawn again to show its errors.
    """

    def get_instance(self, value):
        if value is not None and not isinstance(value, Page) and parse_id(str(value)) is None:
            return None
        return super().get_instance(value)


class SurveyPageChooser(SafePageChooser):
    """:class:`SafePageChooser` for survey pages; a class a panel can name before the
    models are loaded (``FieldPanel("page", widget=SurveyPageChooser)``)."""

    def __init__(self, **kwargs):
        from django.apps import apps

        kwargs.setdefault("target_models", [apps.get_model("wagtail_mentoring", "SurveyPage")])
        super().__init__(**kwargs)
