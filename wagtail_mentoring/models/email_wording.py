"""Editors' wording for an email kind: a subject and body with placeholders, previewable."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.models import PreviewableMixin


def kind_choices():
    from ..emails.kinds import registry

    return [(kind.name, kind.label) for kind in registry.all()]


class EmailWording(PreviewableMixin, models.Model):
    """Replaces the package's template set of one email kind with editors' words.

    Placeholders are written ``{{ name }}``; each kind documents the ones it offers.
    The HTML part is the body with paragraphs and line breaks, in the package's email
    layout; the text part is the body as written.
    """

    kind = models.CharField(_("email"), max_length=50, unique=True, choices=kind_choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("body"),
        help_text=_(
            "Plain text. Leave a blank line between paragraphs. Placeholders such as "
            "{{ name }} are replaced when the email is sent; the list below says which "
            "ones this email offers."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldPanel("kind"),
        HelpPanel(template="wagtail_mentoring/admin/includes/placeholders_help.html"),
        FieldPanel("subject"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = _("email wording")
        verbose_name_plural = _("email wording")
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(dict(kind_choices()).get(self.kind, self.kind))

    def clean(self):
        from ..emails.kinds import registry
        from ..emails.wording import check_placeholders

        super().clean()
        kind = registry.get(self.kind)
        if kind is None:
            return  # the field's own choices validation says what is wrong
        errors = {}
        for field in ("subject", "body"):
            problem = check_placeholders(getattr(self, field) or "", kind)
            if problem:
                errors[field] = problem
        if errors:
            raise ValidationError(errors)

    # -- preview with sample data -------------------------------------------------------

    def get_preview_template(self, request, mode_name):
        return "wagtail_mentoring/email/preview.html"

    def get_preview_context(self, request, mode_name):
        from ..emails.kinds import registry
        from ..emails.wording import render_wording

        context = super().get_preview_context(request, mode_name)
        kind = registry.get(self.kind)
        if kind is None:
            return context
        subject, text, html = render_wording(self, kind.sample())
        context.update({"kind": kind, "subject": subject, "text": text, "html": html})
        return context
