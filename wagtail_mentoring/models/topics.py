"""Topics: areas of expertise that mentors offer and mentees want."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable
from wagtail.search import index


class Topic(index.Indexed, Orderable):
    """One entry of the editor-managed topic list (a snippet, ordered by drag and drop)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=500,
        help_text=_("What the topic covers, in a sentence or two."),
    )

    panels = [FieldPanel("name"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta(Orderable.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name
